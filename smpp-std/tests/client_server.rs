//! The client against the server on loopback: bind, texts of every kind, receipts, unbind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use smpp_codec::MessageState;
use smpp_std::{Addr, Client, ClientConfig, Error, Profile, Server, ServerConfig, TextMessage};

fn server() -> Server {
    Server::start("127.0.0.1:0", ServerConfig::new("smppclient1", "password", Profile::labsmobile())).unwrap()
}

#[test]
fn standard_unicode_and_long_texts_get_ids_and_receipts() {
    let server = server();
    let client: Client = Client::connect(server.local_addr(), ClientConfig::new("smppclient1", "password")).unwrap();
    let texts = [
        "Alarm: zone 3 open".to_string(),
        "Alarma 🚨 zona 3 abierta — ¿todo bien?".to_string(),
        "Long alarm report. ".repeat(20),
    ];
    let mut outcomes = Vec::new();
    for t in &texts {
        let msg = TextMessage::new(Addr::sender("Alarm").unwrap(), Addr::number("+34600000001").unwrap(), t.clone())
            .with_receipt();
        outcomes.push(client.send_text(msg).unwrap());
    }
    for (t, p) in texts.iter().zip(outcomes) {
        let o = p.wait(Duration::from_secs(10)).unwrap();
        assert!(o.is_accepted(), "{t}: {o:?}");
        let parts = o.ids().count();
        assert_eq!(parts, usize::from(o.parts));
        assert!(o.ids().all(|(_, id)| id.as_bytes().len() == 13), "{o:?}");
        let receipts = client.wait_for_receipt(&o, Duration::from_secs(10)).unwrap();
        assert_eq!(receipts.len(), parts);
        assert!(receipts.iter().all(|r| r.state == MessageState::DELIVERED && r.stat.as_deref() == Some("DELIVRD")));
    }
    client.close().unwrap();
    assert!(client.is_closed());
}

#[test]
fn a_wrong_password_is_a_clear_bind_error() {
    let server = server();
    let e = Client::<8>::connect(server.local_addr(), ClientConfig::new("smppclient1", "wrong")).unwrap_err();
    assert!(matches!(e, Error::BindRefused(_)), "{e}");
    assert!(e.to_string().contains("refused the bind"), "{e}");
    assert!(!e.to_string().contains("wrong"), "the password never shows: {e}");
}

#[test]
fn an_unreachable_address_is_a_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = Client::<8>::connect(("127.0.0.1", port), ClientConfig::new("a", "b")).unwrap_err();
    assert!(matches!(e, Error::Connect(_)), "{e}");
}

#[test]
fn the_client_reconnects_after_the_smsc_goes_away_and_comes_back() {
    use smpp_session::{Backoff, Duration as SDuration};
    // A port below the kernel's ephemeral range (32768 and up by default), so that no outgoing
    // connection on this machine takes it as its local port while the SMSC is away.
    let server_config = || ServerConfig::new("smppclient1", "password", Profile::labsmobile());
    let seed = std::process::id() as u16
        ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u16;
    let (mut first, addr) = (0..2000u16)
        .find_map(|i| {
            let port = 20000 + (seed.wrapping_add(i.wrapping_mul(7919)) % 12000);
            Server::start(("127.0.0.1", port), server_config())
                .ok()
                .map(|s| (s, std::net::SocketAddr::from(([127, 0, 0, 1], port))))
        })
        .expect("no free port in 20000..32000");
    let mut config = ClientConfig::new("smppclient1", "password");
    config.reconnect = Some(smpp_std::Reconnect {
        backoff: Backoff::new(SDuration::from_millis(50), SDuration::from_millis(200), None),
        resubmit: false,
    });
    let client: Client<8> = Client::connect(addr, config).unwrap();
    let events = client.events();
    let msg = || TextMessage::new(Addr::sender("Alarm").unwrap(), Addr::number("+34600000001").unwrap(), "ping");
    assert!(client.send_text(msg()).unwrap().wait(Duration::from_secs(5)).unwrap().is_accepted());
    first.stop();
    // Submissions made while the SMSC is away wait for the next bind.
    let pending = client.send_text(msg()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let second = Server::start(addr, server_config()).unwrap();
    let o = pending.wait(Duration::from_secs(10)).unwrap();
    assert!(o.is_accepted(), "{o:?}");
    let seen: Vec<_> = events.try_iter().collect();
    assert!(seen.iter().any(|e| matches!(e, smpp_std::ClientEvent::Disconnected { connection: 0, .. })), "{seen:?}");
    assert!(seen.iter().filter(|e| matches!(e, smpp_std::ClientEvent::Bound { connection: 0 })).count() >= 2);
    client.close().unwrap();
    drop(second);
}

#[test]
fn query_sm_answers_come_back_with_their_fields_and_cancel_sm_with_its_status() {
    use smpp_codec::pdu::{CancelSm, QuerySm};
    use smpp_codec::{CommandStatus, Pdu};
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = Duration::from_secs(3600);
    let server = Server::start("127.0.0.1:0", ServerConfig::new("smppclient1", "password", profile)).unwrap();
    let client: Client = Client::connect(server.local_addr(), ClientConfig::new("smppclient1", "password")).unwrap();
    let from = Addr::sender("Alarm").unwrap();
    let msg = TextMessage::new(from.clone(), Addr::number("+34600000001").unwrap(), "zone 3").with_receipt();
    let o = client.send_text(msg).unwrap().wait(Duration::from_secs(5)).unwrap();
    let id = o.message_id().unwrap().to_string();
    assert!(o.query.is_none(), "a submission carries no query answer");

    let q = QuerySm { message_id: id.as_str().into(), source: from.as_address() };
    let answer = client.send(&Pdu::QuerySm(q)).unwrap().wait(Duration::from_secs(5)).unwrap();
    assert_eq!(answer.status, Some(CommandStatus::OK));
    let query = answer.query.expect("query_sm_resp fields");
    assert_eq!(query.message_id, id);
    assert_eq!(query.state, MessageState::ENROUTE);
    assert_eq!(query.final_date, "");

    let c = CancelSm { message_id: id.as_str().into(), source: from.as_address(), ..CancelSm::default() };
    let cancelled = client.send(&Pdu::CancelSm(c)).unwrap().wait(Duration::from_secs(5)).unwrap();
    assert_eq!(cancelled.status, Some(CommandStatus::OK));
    assert!(cancelled.query.is_none());
    let after = client.send(&Pdu::QuerySm(q)).unwrap().wait(Duration::from_secs(5)).unwrap();
    let query = after.query.expect("query_sm_resp fields");
    assert_eq!(query.state, MessageState::DELETED);
    assert_eq!(query.final_date.len(), 16, "{query:?}");

    let unknown = QuerySm { message_id: "ffffffffffff0".into(), source: from.as_address() };
    let missing = client.send(&Pdu::QuerySm(unknown)).unwrap().wait(Duration::from_secs(5)).unwrap();
    assert_eq!(missing.failure, Some((1, smpp_std::Failure::Status(CommandStatus::QUERY_FAILED))), "{missing:?}");
    assert!(missing.query.is_none());
    client.close().unwrap();
}
