//! A test ESME over TCP: the ESME-role session in a plain blocking loop, each event captured
//! as an owned value, so that tests can look at exactly what the server sent.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration as StdDuration, Instant as StdInstant};

use smpp_codec::pdu::{Bind, SubmitSm};
use smpp_codec::{CommandStatus, MessageState, Pdu};
use smpp_session::{
    AckMode, BindFailure, BindKind, CloseReason, Config, Duration, Event, Handle, IncomingToken, Instant, Keepalive,
    Outcome, Session, State,
};
use smpp_std::server::{Profile, Server, ServerConfig};

/// A deliver_sm as received.
#[derive(Clone, Debug)]
pub struct Deliver {
    pub token: Option<IncomingToken>,
    pub receipt: bool,
    pub service_type: String,
    pub esm_class: u8,
    pub source: String,
    pub source_ton: u8,
    pub dest: String,
    pub data_coding: u8,
    pub text: String,
    pub receipted_id: Option<String>,
    pub state: Option<MessageState>,
    pub at: StdInstant,
}

/// A response as received.
#[derive(Clone, Debug)]
pub struct Response {
    pub handle: Handle,
    pub outcome: Outcome,
    pub message_id: Option<String>,
    /// query_sm_resp: final_date, message_state, error_code.
    pub query: Option<(String, MessageState, u8)>,
    pub at: StdInstant,
}

#[derive(Clone, Debug)]
pub enum Got {
    Bound,
    BindFailed(BindFailure),
    Response(Response),
    Deliver(Deliver),
    Closed(CloseReason),
}

pub struct Esme {
    pub stream: TcpStream,
    pub session: Session<'static, 8>,
    start: StdInstant,
    pub got: VecDeque<Got>,
    pub eof: bool,
    /// Octets received on the socket, in all.
    pub received: usize,
}

fn leak(n: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; n].into_boxed_slice())
}

/// A session configuration for tests: no keepalive of our own unless asked, short timeouts.
pub fn quiet() -> Config {
    Config {
        keepalive: Keepalive::Off,
        response_timeout: Duration::from_secs(5),
        unbind_timeout: Duration::from_secs(2),
        ..Config::default()
    }
}

impl Esme {
    pub fn connect(addr: SocketAddr, config: Config) -> Esme {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        stream.set_read_timeout(Some(StdDuration::from_millis(2))).unwrap();
        let session = Session::esme(config, leak(70 * 1024), leak(8 * 1024), Instant(0)).unwrap();
        Esme { stream, session, start: StdInstant::now(), got: VecDeque::new(), eof: false, received: 0 }
    }

    /// Connects and binds; panics unless bound.
    pub fn bound(addr: SocketAddr, kind: BindKind, system_id: &str, password: &str) -> Esme {
        let mut e = Esme::connect(addr, quiet());
        e.bind(kind, system_id, password).unwrap_or_else(|f| panic!("bind failed: {f:?}"));
        e
    }

    pub fn now(&self) -> Instant {
        Instant(self.start.elapsed().as_millis() as u64)
    }

    /// Binds and waits for the answer.
    pub fn bind(&mut self, kind: BindKind, system_id: &str, password: &str) -> Result<(), BindFailure> {
        let now = self.now();
        self.session.bind(now, kind, &Bind::new(system_id, password)).unwrap();
        self.until(StdDuration::from_secs(5), |got| {
            let i = got.iter().position(|g| matches!(g, Got::Bound | Got::BindFailed(_)))?;
            match got.remove(i)? {
                Got::Bound => Some(Ok(())),
                Got::BindFailed(f) => Some(Err(f)),
                _ => None,
            }
        })
        .expect("no answer to the bind")
    }

    fn capture(&mut self, e: Event) {
        let at = StdInstant::now();
        let g = match e {
            Event::Bound { .. } => Got::Bound,
            Event::BindFailed(f) => Got::BindFailed(f),
            Event::Outcome { handle, outcome, .. } => {
                let message_id = self.session.message_id().map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
                let query = match self.session.pdu() {
                    Some(Pdu::QuerySmResp(q)) => Some((
                        String::from_utf8_lossy(q.final_date.as_bytes()).into_owned(),
                        q.message_state,
                        q.error_code,
                    )),
                    _ => None,
                };
                Got::Response(Response { handle, outcome, message_id, query, at })
            }
            Event::Message { token } | Event::Receipt { token, .. } => {
                let receipt = matches!(e, Event::Receipt { .. });
                let sm = self.session.sm().unwrap();
                let ud = smpp_std::text::UserData::of(&sm);
                Got::Deliver(Deliver {
                    token,
                    receipt,
                    service_type: String::from_utf8_lossy(sm.service_type.as_bytes()).into_owned(),
                    esm_class: sm.esm_class.0,
                    source: String::from_utf8_lossy(sm.source.addr.as_bytes()).into_owned(),
                    source_ton: sm.source.ton.raw(),
                    dest: String::from_utf8_lossy(sm.dest.addr.as_bytes()).into_owned(),
                    data_coding: sm.data_coding.0,
                    text: ud.text(),
                    receipted_id: sm
                        .tlvs
                        .receipted_message_id()
                        .ok()
                        .flatten()
                        .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned()),
                    state: sm.tlvs.message_state().ok().flatten(),
                    at,
                })
            }
            Event::Closed(r) => Got::Closed(r),
            _ => return,
        };
        self.got.push_back(g);
    }

    fn flush(&mut self) {
        while !self.session.transmit().is_empty() {
            match self.stream.write(self.session.transmit()) {
                Ok(n) => self.session.transmitted(n),
                Err(_) => {
                    let now = self.now();
                    self.session.handle_connection_lost(now);
                    break;
                }
            }
        }
    }

    fn drain(&mut self) {
        while let Some(e) = self.session.poll_event() {
            self.capture(e);
        }
        self.flush();
    }

    /// One turn: send, read what came (waiting a little), run timers, take events.
    pub fn pump(&mut self) {
        self.flush();
        self.drain();
        if !self.eof {
            let now = self.now();
            let buf = self.session.receive_buffer();
            match self.stream.read(buf) {
                Ok(0) => {
                    self.eof = true;
                    self.session.handle_connection_lost(now);
                }
                Ok(n) => {
                    self.received += n;
                    self.session.commit(now, n);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => {
                    self.eof = true;
                    self.session.handle_connection_lost(now);
                }
            }
        } else {
            std::thread::sleep(StdDuration::from_millis(1));
        }
        let now = self.now();
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
        }
        self.drain();
    }

    /// Pumps until `f` finds what it wants in the captured events, or `timeout` passes.
    pub fn until<T>(&mut self, timeout: StdDuration, mut f: impl FnMut(&mut VecDeque<Got>) -> Option<T>) -> Option<T> {
        let end = StdInstant::now() + timeout;
        loop {
            if let Some(t) = f(&mut self.got) {
                return Some(t);
            }
            if StdInstant::now() >= end {
                return None;
            }
            self.pump();
        }
    }

    /// Pumps for `d`, collecting whatever comes.
    pub fn idle(&mut self, d: StdDuration) {
        let end = StdInstant::now() + d;
        while StdInstant::now() < end {
            self.pump();
        }
    }

    /// Sends a request, waiting while the session is busy (window full, paused after
    /// throttling).
    pub fn send(&mut self, pdu: &Pdu<'_>) -> Handle {
        let end = StdInstant::now() + StdDuration::from_secs(5);
        loop {
            let now = self.now();
            match self.session.send(now, pdu) {
                Ok(h) => {
                    self.flush();
                    return h;
                }
                Err(e) if e.is_busy() && StdInstant::now() < end => self.pump(),
                Err(e) => panic!("cannot send: {e}"),
            }
        }
    }

    pub fn submit(&mut self, sm: &SubmitSm<'_>) -> Handle {
        self.send(&Pdu::SubmitSm(*sm))
    }

    /// Waits for the response to `h`.
    pub fn response(&mut self, h: Handle) -> Response {
        self.until(StdDuration::from_secs(5), |got| {
            let i = got.iter().position(|g| matches!(g, Got::Response(r) if r.handle == h))?;
            match got.remove(i)? {
                Got::Response(r) => Some(r),
                _ => None,
            }
        })
        .unwrap_or_else(|| panic!("no response to {h:?}"))
    }

    /// Submits and waits for the response; returns the status and the message id.
    pub fn submit_wait(&mut self, sm: &SubmitSm<'_>) -> (CommandStatus, String) {
        let h = self.submit(sm);
        let r = self.response(h);
        let status = r.outcome.status().unwrap_or_else(|| panic!("{:?}", r.outcome));
        (status, r.message_id.unwrap_or_default())
    }

    /// The next deliver_sm within `timeout`.
    pub fn deliver(&mut self, timeout: StdDuration) -> Option<Deliver> {
        self.until(timeout, |got| {
            let i = got.iter().position(|g| matches!(g, Got::Deliver(_)))?;
            match got.remove(i)? {
                Got::Deliver(d) => Some(d),
                _ => None,
            }
        })
    }

    /// Waits for the session to close.
    pub fn closed(&mut self, timeout: StdDuration) -> Option<CloseReason> {
        self.until(timeout, |got| {
            got.iter().find_map(|g| match g {
                Got::Closed(r) => Some(*r),
                _ => None,
            })
        })
    }

    pub fn unbind(&mut self) -> Option<CloseReason> {
        let now = self.now();
        self.session.unbind(now).unwrap();
        self.closed(StdDuration::from_secs(5))
    }

    pub fn is_bound(&self) -> bool {
        matches!(self.session.state(), State::Bound(_))
    }
}

/// A config for manual acknowledgement (the test answers each deliver_sm).
pub fn manual_ack() -> Config {
    Config { ack_mode: AckMode::Manual, ..quiet() }
}

/// A profile with short receipts, for tests.
pub fn fast(mut p: Profile) -> Profile {
    p.receipts.delay = std::time::Duration::from_millis(20);
    p
}

pub fn start(config: ServerConfig) -> Server {
    Server::start("127.0.0.1:0", config).unwrap()
}

/// A submit_sm with a receipt asked for.
pub fn sm<'a>(dest: &'a str, text: &'a [u8]) -> SubmitSm<'a> {
    let mut s =
        SubmitSm::new(smpp_codec::Address::alphanumeric("Alarm"), smpp_codec::Address::international(dest), text);
    s.registered_delivery = smpp_codec::RegisteredDelivery::RECEIPT;
    s
}

/// Waits until `f` holds or `timeout` passes.
pub fn eventually(timeout: StdDuration, mut f: impl FnMut() -> bool) -> bool {
    let end = StdInstant::now() + timeout;
    while StdInstant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(StdDuration::from_millis(2));
    }
    f()
}

/// Takes the server events that came within `timeout` and satisfy `f`, until `n` of them.
pub fn take_events(
    rx: &crossbeam_channel::Receiver<smpp_std::server::ServerEvent>,
    n: usize,
    timeout: StdDuration,
    mut f: impl FnMut(&smpp_std::server::ServerEvent) -> bool,
) -> Vec<smpp_std::server::ServerEvent> {
    let end = StdInstant::now() + timeout;
    let mut out = Vec::new();
    while out.len() < n {
        let left = end.saturating_duration_since(StdInstant::now());
        match rx.recv_timeout(left) {
            Ok(e) if f(&e) => out.push(e),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

/// A part of a long text, encoded.
pub struct PartBytes {
    pub data: Vec<u8>,
    pub udhi: bool,
    pub sar: Option<(u16, u8, u8)>,
    pub data_coding: u8,
}

/// Splits `text` as a client would.
pub fn split(
    text: &str,
    encoding: smpp_codec::text::segment::Encoding,
    concat: smpp_codec::text::segment::Concatenation,
    reference: u16,
) -> Vec<PartBytes> {
    let mut s = smpp_codec::text::segment::Segmenter::new(text, encoding, concat, reference).unwrap();
    let dc = s.data_coding();
    let mut out = Vec::new();
    let mut buf = [0u8; 200];
    while let Some(p) = s.next_part(&mut buf) {
        let p = p.unwrap();
        out.push(PartBytes { data: buf[..p.len].to_vec(), udhi: p.udhi, sar: p.sar, data_coding: dc.0 });
    }
    out
}

/// Submits every part (with a receipt asked for) and returns their ids.
pub fn submit_parts(e: &mut Esme, dest: &str, parts: &[PartBytes]) -> Vec<String> {
    let mut handles = Vec::new();
    for p in parts {
        let mut s = sm(dest, &p.data);
        s.data_coding = smpp_codec::DataCoding(p.data_coding);
        s.esm_class = smpp_codec::EsmClass(0).with_udhi(p.udhi);
        let tlvs;
        if let Some((r, t, q)) = p.sar {
            tlvs = [
                smpp_codec::Tlv::sar_msg_ref_num(r),
                smpp_codec::Tlv::sar_total_segments(t),
                smpp_codec::Tlv::sar_segment_seqnum(q),
            ];
            s.tlvs = smpp_codec::Tlvs::from_slice(&tlvs);
            handles.push(e.submit(&s));
        } else {
            handles.push(e.submit(&s));
        }
    }
    handles
        .into_iter()
        .map(|h| {
            let r = e.response(h);
            assert!(r.outcome.is_ok(), "{:?}", r.outcome);
            r.message_id.unwrap()
        })
        .collect()
}

/// A PDU encoded with sequence number `seq`.
pub fn encode(pdu: &Pdu<'_>, seq: u32) -> Vec<u8> {
    let mut v = vec![0u8; pdu.encoded_len()];
    pdu.emit(seq, CommandStatus::OK, &mut v).unwrap();
    v
}

/// An ESME that writes frames itself and reads back whole PDUs, for what the session would
/// never send.
pub struct RawEsme {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl RawEsme {
    pub fn connect(addr: SocketAddr) -> RawEsme {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        stream.set_read_timeout(Some(StdDuration::from_secs(5))).unwrap();
        RawEsme { stream, buf: Vec::new() }
    }

    pub fn bound(addr: SocketAddr, system_id: &str, password: &str) -> RawEsme {
        let mut r = RawEsme::connect(addr);
        let h = r.request(&encode(&Pdu::BindTransceiver(Bind::new(system_id, password)), 1));
        assert_eq!(h.command_status, CommandStatus::OK);
        r
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// The next whole PDU, or `None` on end of stream or timeout.
    pub fn next(&mut self) -> Option<(smpp_codec::Header, Vec<u8>)> {
        loop {
            if let Ok(smpp_codec::Frame::Complete(n)) = smpp_codec::frame_len(&self.buf, 1 << 20) {
                let frame: Vec<u8> = self.buf.drain(..n).collect();
                return Some((smpp_codec::Header::parse(&frame).unwrap(), frame));
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Writes a request and returns the header of the response with its sequence number
    /// (answering nothing else on the way).
    pub fn request(&mut self, frame: &[u8]) -> smpp_codec::Header {
        let seq = smpp_codec::Header::parse(frame).unwrap().sequence_number;
        self.write(frame);
        loop {
            let (h, _) = self.next().expect("no response");
            if h.command_id.is_response() && h.sequence_number == seq {
                return h;
            }
        }
    }
}
