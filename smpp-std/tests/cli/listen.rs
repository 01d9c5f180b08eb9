//! listen: receipts from the server, messages from a scripted SMSC (reassembled), manual
//! acknowledgement, and Ctrl-C unbinding.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use smpp_codec::pdu::{BindResp, Sm};
use smpp_codec::{Address, CommandId, CommandStatus, DataCoding, EsmClass, Frame, Header, Pdu, frame_len};

use crate::common::*;

const T: Duration = Duration::from_secs(15);

#[test]
fn listen_prints_the_receipts_of_messages_sent_on_another_bind() {
    let server = server();
    let c = conn(&server);
    let mut listen = Live::spawn(&with(&["listen", "--bind", "rx", "--json", "--count", "1"], &c));
    let bound = listen.until("bound", T);
    assert_eq!(bound["bind"], "receiver");
    let r = run(&with(
        &["send", "--bind", "tx", "--to", "+34600000001", "--text", "hi", "--registered-delivery", "--json"],
        &c,
    ));
    assert_eq!(r.code, 0, "{r:?}");
    let id = r.events("submitted")[0]["message_id"].clone();
    let receipt = listen.until("receipt", T);
    assert_eq!(receipt["message_id"], id);
    assert_eq!(receipt["stat"], "DELIVRD");
    assert_eq!(receipt["to"], "34600000001");
    let end = listen.until("unbound", T);
    assert_eq!(end["received"], 1);
    let run = listen.finish(T);
    assert_eq!(run.code, 0, "{run:?}");
    run.assert_no_password();
}

#[test]
fn manual_acknowledgement_defers_a_receipt_which_the_smsc_delivers_again() {
    let server = server();
    let c = conn(&server);
    let mut listen = Live::spawn(&with(&["listen", "--ack", "manual", "--json", "--count", "1"], &c));
    listen.until("bound", T);
    let r = run(&with(&["send", "--bind", "tx", "--to", "+34600000001", "--text", "hi", "--registered-delivery"], &c));
    assert_eq!(r.code, 0, "{r:?}");
    let first = listen.until("receipt", T);
    let deferred = listen.until("deferred", T);
    assert_eq!(deferred["status"], "ESME_RX_T_APPN");
    // The server tries again a second later.
    let again = listen.until("receipt", T);
    assert_eq!(again["message_id"], first["message_id"]);
    let ok = listen.until("acknowledged", T);
    assert_eq!(ok["key"], deferred["key"]);
    assert_eq!(listen.finish(T).code, 0);
}

/// A scripted SMSC for one connection: it takes a bind_transceiver, sends `parts` as
/// deliver_sm, and answers unbind; it returns the commands it received.
fn scripted_smsc(parts: Vec<Vec<u8>>) -> (u16, std::thread::JoinHandle<Vec<(CommandId, CommandStatus)>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut got = Vec::new();
        let mut buf = Vec::new();
        let mut seq = 100;
        while let Some((h, _)) = read_pdu(&mut s, &mut buf) {
            got.push((h.command_id, h.command_status));
            match h.command_id {
                CommandId::BIND_TRANSCEIVER => {
                    let resp = Pdu::BindTransceiverResp(BindResp { system_id: "SMSC".into(), ..BindResp::default() });
                    write_pdu(&mut s, &resp, h.sequence_number, CommandStatus::OK);
                    for p in &parts {
                        seq += 1;
                        let mut frame = p.clone();
                        frame[12..16].copy_from_slice(&u32::to_be_bytes(seq));
                        s.write_all(&frame).unwrap();
                    }
                }
                CommandId::UNBIND => {
                    write_pdu(&mut s, &Pdu::UnbindResp, h.sequence_number, CommandStatus::OK);
                    break;
                }
                CommandId::ENQUIRE_LINK => {
                    write_pdu(&mut s, &Pdu::EnquireLinkResp, h.sequence_number, CommandStatus::OK)
                }
                _ => {}
            }
        }
        got
    });
    (port, t)
}

pub(crate) fn read_pdu(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(Header, Vec<u8>)> {
    loop {
        if let Ok(Frame::Complete(n)) = frame_len(buf, 70_000) {
            let frame: Vec<u8> = buf.drain(..n).collect();
            return Some((Header::parse(&frame).unwrap(), frame));
        }
        let mut chunk = [0u8; 4096];
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

pub(crate) fn write_pdu(s: &mut TcpStream, pdu: &Pdu<'_>, seq: u32, status: CommandStatus) {
    let mut out = vec![0u8; pdu.encoded_len()];
    let n = pdu.emit(seq, status, &mut out).unwrap();
    s.write_all(&out[..n]).unwrap();
}

fn deliver(udh_and_text: &[u8], udhi: bool, data_coding: u8) -> Vec<u8> {
    let mut sm = Sm::new(Address::international("34600000009"), Address::international("34911111111"), udh_and_text);
    sm.esm_class = EsmClass(0).with_udhi(udhi);
    sm.data_coding = DataCoding(data_coding);
    let pdu = Pdu::DeliverSm(sm);
    let mut out = vec![0u8; pdu.encoded_len()];
    pdu.emit(1, CommandStatus::OK, &mut out).unwrap();
    out
}

#[test]
fn a_long_message_from_a_handset_is_put_back_together_and_ctrl_c_unbinds() {
    let mut p1 = vec![0x05, 0x00, 0x03, 0x2A, 0x02, 0x01];
    p1.extend_from_slice(b"Hello, ");
    let mut p2 = vec![0x05, 0x00, 0x03, 0x2A, 0x02, 0x02];
    p2.extend_from_slice(b"world");
    let ucs2: Vec<u8> = "¿Qué tal? 🚨".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let (port, smsc) = scripted_smsc(vec![deliver(&p1, true, 0), deliver(&p2, true, 0), deliver(&ucs2, false, 8)]);
    let mut listen = Live::spawn(&with(&["listen", "--json"], &conn_port(port)));
    listen.until("bound", T);
    let m = listen.until("message", T);
    assert_eq!((m["text"].as_str(), m["parts"].as_u64()), (Some("Hello, world"), Some(2)), "{m}");
    assert_eq!((m["from"].as_str(), m["to"].as_str()), (Some("34600000009"), Some("34911111111")));
    let m = listen.until("message", T);
    assert_eq!(m["text"], "¿Qué tal? 🚨");
    assert_eq!(m["data_coding"], 8);
    listen.interrupt();
    let end = listen.until("unbound", T);
    assert_eq!(end["received"], 2);
    let run = listen.finish(T);
    assert_eq!(run.code, 0, "{run:?}");
    let got = smsc.join().unwrap();
    let answers: Vec<_> = got.iter().filter(|(id, _)| *id == CommandId::DELIVER_SM_RESP).map(|(_, s)| *s).collect();
    assert_eq!(answers, [CommandStatus::OK; 3]);
    assert_eq!(got.last().map(|(id, _)| *id), Some(CommandId::UNBIND), "Ctrl-C unbinds: {got:?}");
}

#[test]
fn a_lost_connection_ends_listen_with_exit_1() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let smsc = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = Vec::new();
        let (h, _) = read_pdu(&mut s, &mut buf).unwrap();
        let resp = Pdu::BindTransceiverResp(BindResp { system_id: "SMSC".into(), ..BindResp::default() });
        write_pdu(&mut s, &resp, h.sequence_number, CommandStatus::OK);
        std::thread::sleep(Duration::from_millis(300));
        // Gone without unbind.
    });
    let mut listen = Live::spawn(&with(&["listen", "--json"], &conn_port(port)));
    listen.until("bound", T);
    smsc.join().unwrap();
    let run = listen.finish(T);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("disconnected from 127.0.0.1"), "{run:?}");
}
