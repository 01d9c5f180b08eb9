//! What the caller's storage holds: the session, the tokens handed to C, and the part buffer
//! of `smpp_submit_text`. Everything here is safe Rust over already-checked slices; `api.rs`
//! turns the C arguments into them.
#![forbid(unsafe_code)]

use session::{Config, Event, Handle, IncomingToken, Instant, Session, TextOptions};

use smpp_codec::pdu::{MessageIdResp, SubmitMultiResp, SubmitSm};
use smpp_codec::text::gsm7::Language;
use smpp_codec::text::segment::{Concatenation, Encoding, choose};
use smpp_codec::{COctetStr, CommandId, CommandStatus, Pdu, Tlvs};

use crate::abi::*;
use crate::error::{command_code, config_code};

/// The window of this build.
#[cfg(not(feature = "window-32"))]
pub(crate) const W: usize = 8;
/// The window of this build.
#[cfg(feature = "window-32")]
pub(crate) const W: usize = 32;

/// Octets of the built-in part buffer: one part of any text (160 unpacked GSM septets, or
/// 140 octets of user data).
pub(crate) const PART_SCRATCH: usize = 160;

/// `magic` of a live session.
pub(crate) const MAGIC_LIVE: u32 = 0x534D_5050;
/// `magic` of a session that panicked: only deinit is allowed.
pub(crate) const MAGIC_POISONED: u32 = 0x534D_5021;
/// `magic` after deinit.
pub(crate) const MAGIC_DEAD: u32 = 0;

/// A peer request handed to C as a number.
#[derive(Copy, Clone, Debug)]
struct Pending {
    id: u32,
    token: IncomingToken,
    command: CommandId,
}

/// The session's pending peer requests, under the numbers C knows them by.
///
/// `IncomingToken` has no integer form, so C gets a counter and this table keeps the token.
/// It mirrors the session's own table: an entry goes when the application answers it (or the
/// session says it no longer knows it), and all go when the session answers them itself (on
/// unbind and close). Both tables hold at most `W`.
#[derive(Debug)]
pub(crate) struct Tokens {
    slots: [Option<Pending>; W],
    next: u32,
}

impl Tokens {
    const fn new() -> Self {
        Tokens { slots: [None; W], next: 0 }
    }

    /// Numbers `token` for C (never 0).
    fn issue(&mut self, token: IncomingToken, command: CommandId) -> u32 {
        self.next = self.next.wrapping_add(1);
        if self.next == 0 {
            self.next = 1;
        }
        let id = self.next;
        let entry = Pending { id, token, command };
        // The session holds at most W pending requests, and every one it dropped was dropped
        // here too, so a free slot exists; if that ever fails, the oldest entry goes rather
        // than the new one, as the new one is the one the application is about to answer.
        let slot = match self.slots.iter().position(Option::is_none) {
            Some(i) => i,
            None => self.oldest(),
        };
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Some(entry);
        }
        id
    }

    fn oldest(&self) -> usize {
        let age = |p: &Pending| self.next.wrapping_sub(p.id);
        (0..W).max_by_key(|&i| self.slots.get(i).copied().flatten().map_or(0, |p| age(&p))).unwrap_or(0)
    }

    fn find(&self, id: u32) -> Option<(usize, Pending)> {
        if id == 0 {
            return None;
        }
        self.slots.iter().enumerate().find_map(|(i, s)| s.filter(|p| p.id == id).map(|p| (i, p)))
    }

    fn remove(&mut self, slot: usize) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = None;
        }
    }

    fn clear(&mut self) {
        self.slots = [None; W];
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }
}

/// One session in the caller's storage: the session, and what the C layer keeps beside it.
/// Init writes the two parts separately (see `raw::install`), the head last.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) head: Head,
    pub(crate) session: Session<'static, W>,
}

/// What the C layer keeps beside the session.
#[derive(Debug)]
pub(crate) struct Head {
    /// `MAGIC_LIVE` while the session lives.
    pub(crate) magic: u32,
    tokens: Tokens,
    /// The length the last `receive_buffer` offered (what `commit` may report at most).
    offered: usize,
    references: References,
    /// Address and length of each buffer lent at init (receive, transmit, part store).
    lent: [(usize, usize); 3],
    scratch: [u8; PART_SCRATCH],
}

impl Head {
    /// The head of a new session whose buffers are at `lent`.
    pub(crate) const fn new(lent: [(usize, usize); 3]) -> Head {
        Head {
            magic: MAGIC_LIVE,
            tokens: Tokens::new(),
            offered: 0,
            references: References { last: 0 },
            lent,
            scratch: [0; PART_SCRATCH],
        }
    }
}

fn code<T>(r: Result<T, session::CommandError>) -> Result<T, i32> {
    r.map_err(command_code)
}

/// The automatic concatenation references: a counter that skips 0.
#[derive(Debug)]
struct References {
    last: u16,
}

impl References {
    /// The reference of the next message: the caller's, or the counter's next value.
    fn next(&mut self, requested: u32) -> Result<u16, i32> {
        if requested != 0 {
            return u16::try_from(requested).map_err(|_| SMPP_ERR_BAD_ARGUMENT);
        }
        self.last = self.last.wrapping_add(1).max(1);
        Ok(self.last)
    }
}

/// `Session::esme` or `Session::smsc`.
pub(crate) type Constructor =
    fn(Config, &'static mut [u8], &'static mut [u8], Instant) -> Result<Session<'static, W>, session::ConfigError>;

/// Makes a new session over the caller's buffers (which live as long as the storage, by the C
/// contract checked in `api.rs`), with its part store if there is one, and hands it to
/// `place`, which moves it into the storage. Handing it over rather than returning it saves a
/// copy of the session on the stack (about 2 KB): init is where a firmware's stack peaks.
///
/// `role` is `Session::esme` or `Session::smsc`, chosen at compile time by the exported init
/// function, so that a firmware links the decoders of its own role only.
pub(crate) fn make_session(
    role: Constructor,
    config: Config,
    rx: &'static mut [u8],
    tx: &'static mut [u8],
    part_store: Option<&'static mut [u8]>,
    now: Instant,
    place: impl FnOnce(Session<'static, W>),
) -> Result<(), i32> {
    let made = role(config, rx, tx, now);
    let session = match made {
        Ok(session) => session,
        Err(e) => return Err(config_code(e)),
    };
    match part_store {
        None => place(session),
        Some(store) => place(session.with_part_store(store)),
    }
    Ok(())
}

impl Inner {
    /// Whether `(address, len)` shares an octet with a buffer the session owns.
    pub(crate) fn overlaps_lent(&self, address: usize, len: usize) -> bool {
        self.head.lent.iter().any(|&r| !crate::raw::disjoint(&[r, (address, len)]))
    }

    /// Forgets the tokens once the session has answered every pending request itself.
    fn sync(&mut self) {
        if self.session.is_closed() {
            self.head.tokens.clear();
        }
    }

    // ---- inputs --------------------------------------------------------------------------

    pub(crate) fn receive_buffer(&mut self) -> &mut [u8] {
        let buf = self.session.receive_buffer();
        self.head.offered = buf.len();
        buf
    }

    pub(crate) fn commit(&mut self, now: Instant, n: usize) -> Result<(), i32> {
        if n > self.head.offered {
            return Err(SMPP_ERR_BAD_ARGUMENT);
        }
        self.head.offered = 0;
        self.session.commit(now, n);
        self.sync();
        Ok(())
    }

    pub(crate) fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        self.head.offered = 0;
        let n = self.session.handle_input(now, data);
        self.sync();
        n
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.head.offered = 0;
        self.session.handle_timeout(now);
        self.sync();
    }

    pub(crate) fn handle_connection_lost(&mut self, now: Instant) {
        self.head.offered = 0;
        self.session.handle_connection_lost(now);
        self.sync();
    }

    // ---- outputs -------------------------------------------------------------------------

    pub(crate) fn transmitted(&mut self, n: usize) -> Result<(), i32> {
        if n > self.session.transmit().len() {
            return Err(SMPP_ERR_BAD_ARGUMENT);
        }
        self.session.transmitted(n);
        Ok(())
    }

    /// The next event, its token (if any) numbered for C.
    pub(crate) fn poll_event(&mut self) -> Option<smpp_event> {
        self.head.offered = 0;
        let event = self.session.poll_event()?;
        let token = match token_of(&event) {
            Some(t) => {
                let command = self.session.header().map_or(CommandId::from_raw(0), |h| h.command_id);
                self.head.tokens.issue(t, command)
            }
            None => 0,
        };
        let out = crate::event::describe(&self.session, &event, token);
        self.sync();
        Some(out)
    }

    // ---- commands ------------------------------------------------------------------------

    pub(crate) fn bind(
        &mut self,
        now: Instant,
        kind: session::BindKind,
        bind: &smpp_codec::pdu::Bind<'_>,
    ) -> Result<(), i32> {
        code(self.session.bind(now, kind, bind))
    }

    pub(crate) fn submit(&mut self, now: Instant, sm: &SubmitSm<'_>) -> Result<Handle, i32> {
        code(self.session.submit(now, sm))
    }

    pub(crate) fn deliver(&mut self, now: Instant, sm: SubmitSm<'_>) -> Result<Handle, i32> {
        code(self.session.send(now, &Pdu::DeliverSm(sm)))
    }

    pub(crate) fn send_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Handle, i32> {
        code(self.session.send_frame(now, frame))
    }

    /// Encodes, splits and submits `text`. `encoding` is `None` for the cheapest, chosen among
    /// the default alphabet, UCS-2 and the shift tables of `languages`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn submit_text(
        &mut self,
        now: Instant,
        template: &SubmitSm<'_>,
        text: &str,
        encoding: Option<Encoding>,
        concatenation: Concatenation,
        reference: u32,
        languages: &[Language],
        scratch: Option<&mut [u8]>,
    ) -> Result<Handle, i32> {
        let encoding = match encoding {
            Some(e) => e,
            // An empty list written out keeps the national tables out of a firmware that
            // never names a language (`choose` is inlined).
            None if languages.is_empty() => choose(text, &[], concatenation),
            None => choose(text, languages, concatenation),
        };
        let options = TextOptions { encoding, concatenation, reference: self.head.references.next(reference)? };
        let scratch = match scratch {
            Some(s) => s,
            None => &mut self.head.scratch[..],
        };
        code(self.session.submit_text(now, template, text, options, scratch))
    }

    /// Answers the peer's request `token` with `status` and, when given, a response carrying
    /// `message_id` (submit_sm, data_sm, deliver_sm, submit_multi, broadcast_sm).
    pub(crate) fn respond(
        &mut self,
        now: Instant,
        token: u32,
        status: u32,
        message_id: Option<&[u8]>,
    ) -> Result<(), i32> {
        let (slot, p) = self.head.tokens.find(token).ok_or(SMPP_ERR_UNKNOWN_TOKEN)?;
        let status = CommandStatus::from_raw(status);
        let result = match message_id {
            None => self.session.respond(now, p.token, status, None),
            Some(id) => {
                let body = MessageIdResp { message_id: COctetStr::new(id), tlvs: Tlvs::EMPTY };
                let pdu = match p.command {
                    CommandId::SUBMIT_SM => Pdu::SubmitSmResp(body),
                    CommandId::DATA_SM => Pdu::DataSmResp(body),
                    CommandId::DELIVER_SM => Pdu::DeliverSmResp(body),
                    CommandId::BROADCAST_SM => Pdu::BroadcastSmResp(body),
                    CommandId::SUBMIT_MULTI => Pdu::SubmitMultiResp(SubmitMultiResp {
                        message_id: body.message_id,
                        unsuccess: Default::default(),
                        tlvs: Tlvs::EMPTY,
                    }),
                    _ => return Err(SMPP_ERR_WRONG_RESPONSE),
                };
                self.session.respond(now, p.token, status, Some(&pdu))
            }
        };
        self.answered(slot, result)
    }

    /// Acknowledges the peer's request `token` without a body of our own.
    pub(crate) fn ack(&mut self, now: Instant, token: u32, status: u32) -> Result<(), i32> {
        let (slot, p) = self.head.tokens.find(token).ok_or(SMPP_ERR_UNKNOWN_TOKEN)?;
        let result = self.session.ack(now, p.token, CommandStatus::from_raw(status));
        self.answered(slot, result)
    }

    pub(crate) fn accept_bind(&mut self, now: Instant, token: u32, system_id: &str) -> Result<(), i32> {
        let (slot, p) = self.head.tokens.find(token).ok_or(SMPP_ERR_UNKNOWN_TOKEN)?;
        let result = self.session.accept_bind(now, p.token, system_id);
        self.answered(slot, result)
    }

    pub(crate) fn reject_bind(&mut self, now: Instant, token: u32, status: u32) -> Result<(), i32> {
        let (slot, p) = self.head.tokens.find(token).ok_or(SMPP_ERR_UNKNOWN_TOKEN)?;
        let result = self.session.reject_bind(now, p.token, CommandStatus::from_raw(status));
        self.answered(slot, result)
    }

    /// Keeps the token table in step with the session after an answer.
    fn answered(&mut self, slot: usize, result: Result<(), session::CommandError>) -> Result<(), i32> {
        match result {
            Ok(()) | Err(session::CommandError::UnknownToken) => self.head.tokens.remove(slot),
            Err(_) => {}
        }
        self.sync();
        code(result)
    }

    pub(crate) fn unbind(&mut self, now: Instant) -> Result<(), i32> {
        code(self.session.unbind(now))?;
        // Every pending peer request was answered with a transient error.
        self.head.tokens.clear();
        Ok(())
    }

    pub(crate) fn close(&mut self, now: Instant) {
        self.session.close(now);
        self.sync();
    }
}

/// The token of an event that must (or may) be answered.
fn token_of(e: &Event) -> Option<IncomingToken> {
    match *e {
        Event::Message { token } | Event::Receipt { token, .. } | Event::DataSm { token } => token,
        Event::BindRequest { token, .. } | Event::Request { token, .. } => Some(token),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(of: &mut Session<'_, W>) -> IncomingToken {
        // A token the session issued, from a bind request it received.
        let mut frame = [0u8; 64];
        let bind = smpp_codec::pdu::Bind::new("u", "p");
        let n = smpp_codec::pdu::emit(CommandId::BIND_TRANSCEIVER, 1, CommandStatus::OK, &bind, &mut frame).unwrap();
        assert_eq!(of.handle_input(Instant(0), &frame[..n]), n);
        match of.poll_event() {
            Some(Event::BindRequest { token, .. }) => token,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tokens_are_numbered_from_one_and_found_until_removed() {
        let (mut rx, mut tx) = ([0u8; 256], [0u8; 512]);
        let mut smsc: Session<'_, W> = Session::smsc(Config::default(), &mut rx, &mut tx, Instant(0)).unwrap();
        let t = token(&mut smsc);
        let mut tokens = Tokens::new();
        let a = tokens.issue(t, CommandId::BIND_TRANSCEIVER);
        let b = tokens.issue(t, CommandId::SUBMIT_SM);
        assert_eq!((a, b), (1, 2));
        assert_eq!(tokens.find(0).map(|(i, _)| i), None);
        let (slot, p) = tokens.find(b).unwrap();
        assert_eq!(p.command, CommandId::SUBMIT_SM);
        tokens.remove(slot);
        assert!(tokens.find(b).is_none());
        assert!(tokens.find(a).is_some());
    }

    #[test]
    fn a_full_table_gives_up_its_oldest_entry() {
        let (mut rx, mut tx) = ([0u8; 256], [0u8; 512]);
        let mut smsc: Session<'_, W> = Session::smsc(Config::default(), &mut rx, &mut tx, Instant(0)).unwrap();
        let t = token(&mut smsc);
        let mut tokens = Tokens::new();
        let ids: [u32; W] = core::array::from_fn(|_| tokens.issue(t, CommandId::SUBMIT_SM));
        let newest = tokens.issue(t, CommandId::SUBMIT_SM);
        assert_eq!(tokens.len(), W);
        assert!(tokens.find(ids[0]).is_none(), "the oldest went");
        assert!(tokens.find(ids[1]).is_some());
        assert!(tokens.find(newest).is_some());
    }

    #[test]
    fn automatic_references_skip_zero() {
        let mut references = References { last: u16::MAX - 1 };
        assert_eq!(references.next(0), Ok(u16::MAX));
        assert_eq!(references.next(0), Ok(1));
        assert_eq!(references.next(0), Ok(2));
        assert_eq!(references.next(77), Ok(77));
        assert_eq!(references.next(0x1_0000), Err(SMPP_ERR_BAD_ARGUMENT));
        assert_eq!(references.next(0), Ok(3));
    }

    #[test]
    fn a_session_refuses_small_buffers() {
        let (rx, tx) = (std::vec![0u8; 100].leak(), std::vec![0u8; 512].leak());
        let made = make_session(Session::esme, Config::default(), rx, tx, None, Instant(0), |_| panic!("made"));
        assert_eq!(made, Err(SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL));
    }
}
