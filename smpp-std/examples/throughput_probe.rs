use smpp_codec::{Address, pdu::SubmitSm};
use smpp_std::{Client, ClientConfig, Profile, Server, ServerConfig};
use std::time::{Duration, Instant};

fn main() {
    let mut p = Profile::labsmobile();
    p.receipt_delay = Duration::from_secs(3600);
    let server = Server::start("127.0.0.1:0", ServerConfig::new("u", "p", p)).unwrap();
    for window in [1u16, 8, 64] {
        let mut cfg = ClientConfig::new("u", "p");
        cfg.session.window = Some(window);
        let client: Client = Client::connect(server.local_addr(), cfg).unwrap();
        let (tx, rx) = crossbeam_channel::bounded(100_000);
        let sm = SubmitSm::new(
            Address::alphanumeric("Test"),
            Address::international("34600000000"),
            b"Hello, this is a throughput test message of moderate length.",
        );
        let n = 200_000u64;
        let t = Instant::now();
        let c2 = client.clone();
        let feeder = std::thread::spawn(move || {
            for i in 0..n {
                c2.submit_tagged(&sm, i, &tx).unwrap();
            }
        });
        let mut ok = 0;
        for _ in 0..n {
            let c = rx.recv().unwrap();
            if c.outcome.is_accepted() {
                ok += 1;
            }
        }
        feeder.join().unwrap();
        let dt = t.elapsed();
        println!("window {window}: {ok}/{n} in {:?} = {:.0} msg/s", dt, n as f64 / dt.as_secs_f64());
        client.close().unwrap();
    }
}
