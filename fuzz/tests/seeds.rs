//! The hand-written seeds of the session targets: each is written as the input it stands for,
//! read back through `arbitrary` to the same input, played (every oracle and invariant checked,
//! as the target does), and shown to go deep (bound, submitted, receipt matched, unbound). The
//! committed files under `corpus/<target>/` must be these octets; `SMPP_WRITE_SEEDS=1 cargo test`
//! rewrites them.

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use smpp_codec::CommandId;
use smpp_fuzz::{esme, smsc};
use smpp_session::{BindKind, CloseReason, Event, PartFailure};

/// Checks (or writes) the committed seed `corpus/<target>/seed-<name>`.
fn committed(target: &str, name: &str, bytes: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target).join(format!("seed-{name}"));
    if std::env::var_os("SMPP_WRITE_SEEDS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let on_disk = std::fs::read(&path).unwrap_or_default();
    assert_eq!(on_disk, bytes, "{} is stale: SMPP_WRITE_SEEDS=1 cargo test rewrites it", path.display());
}

fn read_back<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> T {
    T::arbitrary_take_rest(Unstructured::new(bytes)).unwrap()
}

#[test]
fn esme_seed_binds_submits_gets_its_receipt_and_unbinds() {
    use esme::Op::*;
    let input = esme::Input {
        seed: 1,
        chunk: 5,
        buffers: 11, // 1024 octets to receive, 4096 to transmit
        manual: false,
        every: false,
        store: true,
        bind: true,
        ops: vec![
            Pdu { kind: 0, back: 0, status: 0, seq: 0 }, // bind_transceiver_resp
            Submit(20),                                  // submit_sm 2
            Pdu { kind: 1, back: 0, status: 0, seq: 0 }, // submit_sm_resp "2"
            Pdu { kind: 7, back: 0, status: 0, seq: 7 }, // receipt for "2"
            Pdu { kind: 2, back: 0, status: 0, seq: 8 }, // enquire_link
            SubmitParts(2),                              // parts 3, 4, 5
            Pdu { kind: 1, back: 2, status: 0, seq: 0 }, // part 1 accepted
            Pdu { kind: 1, back: 1, status: 6, seq: 0 }, // part 2 throttled
            Pdu { kind: 1, back: 0, status: 0, seq: 0 }, // part 3 accepted
            Advance(100),                                // the pause ends: part 2 again, as 6
            Pdu { kind: 1, back: 0, status: 0, seq: 0 }, // part 2 accepted
            Unbind,                                      // unbind 7
            Pdu { kind: 5, back: 0, status: 0, seq: 0 }, // unbind_resp
        ],
    };
    let bytes = input.to_bytes();
    assert_eq!(read_back::<esme::Input>(&bytes), input);
    esme::check(&input);
    let (run, tally) = esme::play(&input, 0);
    let e = &run.events;
    assert!(matches!(e[0], Event::Bound { .. }), "{e:?}");
    assert!(e.iter().any(|e| matches!(e, Event::Receipt { submit: Some(h), .. } if h.0 == 0)), "{e:?}");
    assert!(e.iter().any(|e| matches!(e, Event::MessageDone { accepted: 3, failed: None, .. })), "{e:?}");
    assert_eq!(e.last(), Some(&Event::Closed(CloseReason::Unbound)));
    assert_eq!((tally.narrowed, tally.messages, tally.deadlines), (1, 1, 1));
    committed("session_esme", "bind_submit_receipt_unbind", &bytes);
}

#[test]
fn esme_seed_after_an_outbind_with_manual_acks_and_a_peer_unbind() {
    use esme::Op::*;
    let input = esme::Input {
        seed: 2,
        chunk: 3,
        buffers: 11,
        manual: true,
        every: true,
        store: false,
        bind: false,
        ops: vec![
            Pdu { kind: 11, back: 0, status: 0, seq: 1 }, // outbind
            Bind(2),                                      // bind_transceiver
            Pdu { kind: 0, back: 0, status: 0, seq: 0 },  // bind_transceiver_resp
            Submit(5),
            Pdu { kind: 1, back: 0, status: 0, seq: 0 }, // submit_sm_resp "2"
            Pdu { kind: 7, back: 0, status: 0, seq: 1 }, // receipt for "2"
            Ack { pick: 0, status: 0 },
            Stale(0),                                    // answered already: refused
            Pdu { kind: 8, back: 0, status: 0, seq: 1 }, // an MO reusing sequence number 1
            Stale(0),                                    // still refused
            Pdu { kind: 4, back: 0, status: 0, seq: 2 }, // the SMSC unbinds, the MO unanswered
        ],
    };
    let bytes = input.to_bytes();
    assert_eq!(read_back::<esme::Input>(&bytes), input);
    esme::check(&input);
    let (run, tally) = esme::play(&input, 0);
    assert_eq!(
        run.events[..2],
        [Event::Outbind, Event::Bound { kind: BindKind::Transceiver, sc_interface_version: None }]
    );
    assert_eq!(run.events.last(), Some(&Event::Closed(CloseReason::PeerUnbound)));
    assert_eq!((tally.stale_refused, tally.token_answers, tally.answered_at_end), (2, 1, 1));
    committed("session_esme", "outbind_manual_acks_peer_unbind", &bytes);
}

#[test]
fn smsc_seed_accepts_a_bind_and_a_submission_delivers_and_is_unbound() {
    use smsc::Op::*;
    let input = smsc::Input {
        seed: 3,
        chunk: 7,
        buffers: 11,
        ops: vec![
            Pdu { kind: 0, seq: 1, back: 0, status: 0 }, // bind_transceiver
            Decide { pick: 0, accept: true, status: 0 },
            Pdu { kind: 3, seq: 2, back: 0, status: 0 }, // submit_sm
            Decide { pick: 0, accept: true, status: 0 }, // submit_sm_resp "2"
            Receipt(2),                                  // its receipt, deliver_sm 1
            Pdu { kind: 9, seq: 0, back: 0, status: 0 }, // deliver_sm_resp
            DeliverParts(1),                             // parts 2, 3
            Pdu { kind: 9, seq: 0, back: 1, status: 6 }, // part 1 throttled
            Pdu { kind: 9, seq: 0, back: 0, status: 0 }, // part 2 accepted
            Pdu { kind: 3, seq: 2, back: 0, status: 0 }, // a submit_sm reusing sequence number 2
            Stale(0),                                    // the first one's token: refused
            Pdu { kind: 7, seq: 3, back: 0, status: 0 }, // enquire_link
            Pdu { kind: 8, seq: 4, back: 0, status: 0 }, // unbind, the second submit_sm pending
        ],
    };
    let bytes = input.to_bytes();
    assert_eq!(read_back::<smsc::Input>(&bytes), input);
    smsc::check(&input);
    let (run, tally) = smsc::play(&input, 0);
    let e = &run.events;
    assert!(matches!(e[0], Event::BindRequest { .. }), "{e:?}");
    assert!(e.iter().any(|e| matches!(e, Event::Request { command: CommandId::SUBMIT_SM, .. })));
    let failed = Some((1, PartFailure::Status(smpp_codec::CommandStatus::THROTTLED)));
    assert!(e.iter().any(|e| matches!(e, Event::MessageDone { accepted: 1, failed: f, .. } if *f == failed)), "{e:?}");
    assert_eq!(e.last(), Some(&Event::Closed(CloseReason::PeerUnbound)));
    assert_eq!((tally.narrowed, tally.stale_refused, tally.answered_at_end), (1, 1, 1));
    committed("session_smsc", "bind_submit_deliver_unbind", &bytes);
}

/// Every PDU the targets build for the peer encodes, whatever the fuzzer picks (a failure here
/// is the harness's, not the session's).
#[test]
fn every_peer_pdu_encodes() {
    for kind in 0..=u8::MAX {
        for status in [0u8, 6, 7, 13, 255] {
            let st = smpp_fuzz::status(status);
            assert!(esme::peer_pdu(kind, 0x7FFF_FFFF, 0, st).len() >= 16);
            assert!(smsc::peer_pdu(kind, 0, 0x7FFF_FFFF, st).len() >= 16);
        }
    }
}
