//! Our client (smpp-std): one `Client<W>` per bind (each with its I/O thread), all fed by one
//! thread through `submit_tagged` (the documented way to pipeline from one thread without
//! allocating per message); every outcome comes back on one channel, tagged with its bind.
//!
//! The session keeps at most W requests on the wire, as the peers' windows do. Submitting does
//! not wait for the SMSC, so the application works as a bulk sender does: it hands each client
//! as many requests as the client takes without blocking, W in the window and the client's
//! queue full (`ClientConfig::queue`, 1024 by default), and tops them up as outcomes come.
//! The I/O thread refills the window from its queue as answers come, without waiting for the
//! application's thread to be scheduled. (It used to hand 2W: with one bind, 2W requests are
//! about 0.25 ms of work, less than the application's thread waits for a CPU on a busy 2-core
//! machine, and the window drained while it waited; see ../BENCHMARKS.md. The peers' W tasks
//! refill on the thread that read the answer; giving smpp34 2W tasks per bind did not change
//! its rate.)

use std::time::Duration;

use smpp_codec::Address;
use smpp_codec::pdu::SubmitSm;
use smpp_std::{Client, ClientConfig, Completion};

use crate::measure::{self, RunArgs};

pub fn run(args: &RunArgs) -> Result<(), String> {
    match args.window {
        1 => run_w::<1>(args),
        8 => run_w::<8>(args),
        64 => run_w::<64>(args),
        w => Err(format!("window {w}: our client is built for windows 1, 8 and 64 here")),
    }
}

fn run_w<const W: usize>(args: &RunArgs) -> Result<(), String> {
    let mut clients = Vec::new();
    // What each client takes without blocking the submitter: its window and its queue.
    let depth = W + ClientConfig::new(crate::SYSTEM_ID, crate::PASSWORD).queue;
    for _ in 0..args.binds {
        let config = ClientConfig::new(crate::SYSTEM_ID, crate::PASSWORD);
        let c: Client<W> = Client::connect(args.addr, config).map_err(|e| format!("bind: {e}"))?;
        clients.push(c);
    }
    let feeder = std::thread::spawn({
        let clients = clients.clone();
        move || feed(&clients, depth)
    });
    measure::window("ours", args);
    feeder.join().map_err(|_| "the submitter panicked".to_string())??;
    for c in clients {
        c.close().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Keeps `depth` requests handed to each bind until told to stop, then waits for the last
/// ones. The outcomes' channel holds them all, so the I/O threads never wait for this thread
/// to deliver one.
fn feed<const W: usize>(clients: &[Client<W>], depth: usize) -> Result<(), String> {
    let sm = SubmitSm::new(Address::international(crate::SOURCE), Address::international(crate::DEST), crate::TEXT);
    let (tx, rx) = crossbeam_channel::bounded::<Completion>(depth * clients.len());
    let mut inflight = vec![0usize; clients.len()];
    loop {
        for (bind, client) in clients.iter().enumerate() {
            while inflight[bind] < depth && !measure::stopping() {
                client.submit_tagged(&sm, bind as u64, &tx).map_err(|e| format!("submit: {e}"))?;
                inflight[bind] += 1;
            }
        }
        if inflight.iter().all(|&n| n == 0) {
            return Ok(());
        }
        let first = rx.recv_timeout(Duration::from_secs(30)).map_err(|e| format!("no outcome: {e}"))?;
        for c in std::iter::once(first).chain(rx.try_iter()) {
            inflight[c.tag as usize] -= 1;
            measure::count(c.outcome.is_accepted());
        }
    }
}

#[cfg(test)]
mod tests {
    //! Our client allocates nothing per message on the `submit_tagged` path once warm. The
    //! SMSC here is a bare `smpp_session::Session` on a blocking socket, which allocates
    //! nothing either, so the process-wide count (this crate's counting allocator) is the
    //! client's.
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Duration;

    use smpp_codec::pdu::{MessageIdResp, SubmitSm};
    use smpp_codec::{Address, CommandStatus, Pdu, Tlvs};
    use smpp_session::{Config, Event, Session};
    use smpp_std::clock::Clock;
    use smpp_std::{Client, ClientConfig, Completion};

    /// Answers every submit_sm with ESME_ROK and message id "1" until the client leaves.
    fn smsc(listener: &TcpListener) {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_nodelay(true).unwrap();
        let clock = Clock::new();
        let (mut rx, mut tx) = (vec![0u8; 70_000], vec![0u8; 70_000]);
        let mut s: Session<'_, 64> = Session::smsc(Config::default(), &mut rx, &mut tx, clock.now()).unwrap();
        let resp = Pdu::SubmitSmResp(MessageIdResp { message_id: "1".into(), tlvs: Tlvs::EMPTY });
        loop {
            let n = match sock.read(s.receive_buffer()) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let now = clock.now();
            s.commit(now, n);
            while let Some(e) = s.poll_event() {
                match e {
                    Event::BindRequest { token, .. } => s.accept_bind(now, token, "SMSC").unwrap(),
                    Event::Request { token, .. } => s.respond(now, token, CommandStatus::OK, Some(&resp)).unwrap(),
                    _ => {}
                }
            }
            while !s.transmit().is_empty() {
                let n = sock.write(s.transmit()).unwrap();
                s.transmitted(n);
            }
        }
    }

    /// Sends `n` messages keeping 64 in flight; returns how many were accepted.
    fn pump(client: &Client<64>, n: u64) -> u64 {
        let sm = SubmitSm::new(Address::international("12345"), Address::international("31600000001"), b"hello");
        let (tx, rx) = crossbeam_channel::bounded::<Completion>(64);
        let (mut sent, mut done, mut ok) = (0u64, 0u64, 0u64);
        while done < n {
            while sent < n && sent - done < 64 {
                client.submit_tagged(&sm, sent, &tx).unwrap();
                sent += 1;
            }
            let c = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            done += 1;
            ok += u64::from(c.outcome.is_accepted());
        }
        ok
    }

    #[test]
    fn submit_tagged_allocates_nothing_per_message_once_warm() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || smsc(&listener));
        let start = crate::alloc::allocations();
        let client: Client<64> = Client::connect(addr, ClientConfig::new("test", "test")).unwrap();
        assert_eq!(pump(&client, 5_000), 5_000, "warm-up");
        let before = crate::alloc::allocations();
        assert!(before > start, "the counter sees the client's setup");
        let n = 50_000;
        assert_eq!(pump(&client, n), n);
        let allocations = crate::alloc::allocations() - before;
        client.close().unwrap();
        server.join().unwrap();
        eprintln!("{allocations} allocations for {n} messages");
        assert!(allocations <= 10, "{allocations} allocations for {n} messages");
    }
}
