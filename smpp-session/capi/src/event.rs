//! Events as the flat C struct: the session's owned event, plus the fields of the PDU behind it
//! as pointers into the receive buffer.
#![forbid(unsafe_code)]

use session::{BindFailure, CloseReason, Event, Outcome, PartFailure, PartOf, Session};
use smpp_codec::pdu::Sm;
use smpp_codec::text::receipt::DeliveryReceipt;
use smpp_codec::{Address, Pdu};

use crate::abi::*;
use crate::convert::bind_kind_code;

/// `event` as C sees it; `token` is its number for C (0 for none). The byte fields borrow the
/// session's receive buffer.
pub(crate) fn describe<const W: usize>(session: &Session<'_, W>, event: &Event, token: u32) -> smpp_event {
    let mut ev = smpp_event { token, ..smpp_event::EMPTY };
    if let Some(h) = session.header() {
        ev.sequence_number = h.sequence_number;
        ev.command_id = h.command_id.raw();
        ev.command_status = h.command_status.raw();
    }
    let pdu = session.pdu();
    match *event {
        Event::Bound { kind, sc_interface_version } => {
            ev.kind = SMPP_EVENT_BOUND;
            ev.bind_kind = bind_kind_code(kind);
            if let Some(v) = sc_interface_version {
                ev.flags |= SMPP_EVENT_HAS_INTERFACE_VERSION;
                ev.interface_version = u32::from(v);
            }
            if let Some(Pdu::BindTransmitterResp(r) | Pdu::BindReceiverResp(r) | Pdu::BindTransceiverResp(r)) = pdu {
                ev.system_id = smpp_bytes::of(r.system_id.as_bytes());
            }
        }
        Event::BindFailed(f) => {
            ev.kind = SMPP_EVENT_BIND_FAILED;
            let (reason, status) = match f {
                BindFailure::Rejected(s) => (SMPP_BIND_FAILURE_REJECTED, Some(s)),
                BindFailure::GenericNack(s) => (SMPP_BIND_FAILURE_GENERIC_NACK, Some(s)),
                BindFailure::Timeout => (SMPP_BIND_FAILURE_TIMEOUT, None),
                BindFailure::ConnectionLost => (SMPP_BIND_FAILURE_CONNECTION_LOST, None),
            };
            ev.reason = reason;
            set_status(&mut ev, status.map(|s| s.raw()));
        }
        Event::Outcome { handle, command, part, outcome } => {
            ev.kind = SMPP_EVENT_OUTCOME;
            ev.flags |= SMPP_EVENT_HAS_HANDLE;
            ev.handle = handle.0;
            ev.command_id = command.raw();
            set_part(&mut ev, part);
            ev.reason = match outcome {
                Outcome::Response { .. } => SMPP_OUTCOME_RESPONSE,
                Outcome::GenericNack { .. } => SMPP_OUTCOME_GENERIC_NACK,
                Outcome::InvalidResponse { .. } => SMPP_OUTCOME_INVALID_RESPONSE,
                Outcome::Timeout => SMPP_OUTCOME_TIMEOUT,
                Outcome::ConnectionLost => SMPP_OUTCOME_CONNECTION_LOST,
            };
            set_status(&mut ev, outcome.status().map(|s| s.raw()));
            if let Some(id) = session.message_id() {
                ev.message_id = smpp_bytes::of(id.as_bytes());
            }
        }
        Event::MessageDone { message, total, accepted, failed } => {
            ev.kind = SMPP_EVENT_MESSAGE_DONE;
            ev.flags |= SMPP_EVENT_HAS_HANDLE;
            ev.handle = message.0;
            ev.part_total = u32::from(total);
            ev.accepted = u32::from(accepted);
            if let Some((index, failure)) = failed {
                ev.failed_part = u32::from(index);
                let (reason, status) = match failure {
                    PartFailure::Status(s) => (SMPP_PART_FAILURE_STATUS, Some(s.raw())),
                    PartFailure::InvalidResponse => (SMPP_PART_FAILURE_INVALID_RESPONSE, None),
                    PartFailure::Timeout => (SMPP_PART_FAILURE_TIMEOUT, None),
                    PartFailure::ConnectionLost => (SMPP_PART_FAILURE_CONNECTION_LOST, None),
                    PartFailure::NotSubmitted => (SMPP_PART_FAILURE_NOT_SUBMITTED, None),
                };
                ev.reason = reason;
                set_status(&mut ev, status);
            } else {
                set_status(&mut ev, None);
            }
        }
        Event::Message { .. } => {
            ev.kind = SMPP_EVENT_MESSAGE;
            if let Some(Pdu::DeliverSm(sm)) = pdu {
                set_sm(&mut ev, &sm);
            }
        }
        Event::Receipt { submit, part, state, .. } => {
            ev.kind = SMPP_EVENT_RECEIPT;
            if let Some(h) = submit {
                ev.flags |= SMPP_EVENT_HAS_HANDLE;
                ev.handle = h.0;
            }
            set_part(&mut ev, part);
            if let Some(s) = state {
                ev.flags |= SMPP_EVENT_HAS_STATE;
                ev.message_state = u32::from(s.raw());
            }
            if let Some(Pdu::DeliverSm(sm)) = pdu {
                set_sm(&mut ev, &sm);
                set_receipt(&mut ev, &sm);
            }
        }
        Event::DataSm { .. } => {
            ev.kind = SMPP_EVENT_DATA_SM;
            if let Some(Pdu::DataSm(d)) = pdu {
                set_addresses(&mut ev, &d.source, &d.dest);
                ev.esm_class = u32::from(d.esm_class.0);
                ev.data_coding = u32::from(d.data_coding.0);
                if let Ok(Some(payload)) = d.tlvs.message_payload() {
                    ev.text = smpp_bytes::of(payload);
                }
            }
        }
        Event::Alert => {
            ev.kind = SMPP_EVENT_ALERT;
            if let Some(Pdu::AlertNotification(a)) = pdu {
                set_addresses(&mut ev, &a.source, &a.esme);
            }
        }
        Event::Outbind => {
            ev.kind = SMPP_EVENT_OUTBIND;
            if let Some(Pdu::Outbind(o)) = pdu {
                ev.system_id = smpp_bytes::of(o.system_id.as_bytes());
                ev.password = smpp_bytes::of(o.password.as_bytes());
            }
        }
        Event::BindRequest { kind, .. } => {
            ev.kind = SMPP_EVENT_BIND_REQUEST;
            ev.bind_kind = bind_kind_code(kind);
            if let Some(Pdu::BindTransmitter(b) | Pdu::BindReceiver(b) | Pdu::BindTransceiver(b)) = pdu {
                ev.system_id = smpp_bytes::of(b.system_id.as_bytes());
                ev.password = smpp_bytes::of(b.password.as_bytes());
                ev.flags |= SMPP_EVENT_HAS_INTERFACE_VERSION;
                ev.interface_version = u32::from(b.interface_version);
            }
        }
        Event::Request { command, .. } => {
            ev.kind = SMPP_EVENT_REQUEST;
            ev.command_id = command.raw();
            match pdu {
                Some(Pdu::SubmitSm(sm)) => set_sm(&mut ev, &sm),
                Some(Pdu::DataSm(d)) => {
                    set_addresses(&mut ev, &d.source, &d.dest);
                    ev.esm_class = u32::from(d.esm_class.0);
                    ev.data_coding = u32::from(d.data_coding.0);
                    if let Ok(Some(payload)) = d.tlvs.message_payload() {
                        ev.text = smpp_bytes::of(payload);
                    }
                }
                _ => {}
            }
        }
        Event::Throttled { until } => {
            ev.kind = SMPP_EVENT_THROTTLED;
            ev.until_ms = until.as_millis();
        }
        Event::Closed(reason) => {
            ev.kind = SMPP_EVENT_CLOSED;
            ev.reason = match reason {
                CloseReason::Unbound => SMPP_CLOSE_UNBOUND,
                CloseReason::PeerUnbound => SMPP_CLOSE_PEER_UNBOUND,
                CloseReason::BindFailed => SMPP_CLOSE_BIND_FAILED,
                CloseReason::LinkDead => SMPP_CLOSE_LINK_DEAD,
                CloseReason::SessionInitTimeout => SMPP_CLOSE_SESSION_INIT_TIMEOUT,
                CloseReason::InvalidCommandLength(n) => {
                    ev.detail = n;
                    SMPP_CLOSE_INVALID_COMMAND_LENGTH
                }
                CloseReason::ConnectionLost => SMPP_CLOSE_CONNECTION_LOST,
                CloseReason::Closed => SMPP_CLOSE_CLOSED,
                CloseReason::PeerKeepaliveMissing => SMPP_CLOSE_PEER_KEEPALIVE_MISSING,
                _ => SMPP_CLOSE_OTHER,
            };
        }
        // A newer session's event: say what the PDU behind it was.
        _ => {
            ev.kind = SMPP_EVENT_OTHER;
            if let Some(Pdu::DeliverSm(sm) | Pdu::SubmitSm(sm)) = pdu {
                set_sm(&mut ev, &sm);
            }
        }
    }
    ev
}

/// Sets `command_status` from the peer, or clears it when the event has none.
fn set_status(ev: &mut smpp_event, status: Option<u32>) {
    match status {
        Some(s) => {
            ev.flags |= SMPP_EVENT_HAS_STATUS;
            ev.command_status = s;
        }
        None => {
            ev.flags &= !SMPP_EVENT_HAS_STATUS;
            ev.command_status = 0;
        }
    }
}

fn set_part(ev: &mut smpp_event, part: Option<PartOf>) {
    if let Some(p) = part {
        ev.flags |= SMPP_EVENT_HAS_PART;
        ev.message = p.message.0;
        ev.part_index = u32::from(p.index);
        ev.part_total = u32::from(p.total);
    }
}

fn set_addresses(ev: &mut smpp_event, source: &Address<'_>, dest: &Address<'_>) {
    ev.source_addr = smpp_bytes::of(source.addr.as_bytes());
    ev.source_ton = u32::from(source.ton.raw());
    ev.source_npi = u32::from(source.npi.raw());
    ev.dest_addr = smpp_bytes::of(dest.addr.as_bytes());
    ev.dest_ton = u32::from(dest.ton.raw());
    ev.dest_npi = u32::from(dest.npi.raw());
}

fn set_sm(ev: &mut smpp_event, sm: &Sm<'_>) {
    set_addresses(ev, &sm.source, &sm.dest);
    ev.esm_class = u32::from(sm.esm_class.0);
    ev.data_coding = u32::from(sm.data_coding.0);
    ev.text = smpp_bytes::of(sm.message());
}

fn set_receipt(ev: &mut smpp_event, sm: &Sm<'_>) {
    let Some(r) = DeliveryReceipt::from_sm(sm) else { return };
    if let Some(id) = r.message_id {
        ev.message_id = smpp_bytes::of(id.as_bytes());
    }
    if let Some(n) = r.network_error {
        ev.flags |= SMPP_EVENT_HAS_NETWORK_ERROR;
        ev.network_error = (u32::from(n.network_type) << 16) | u32::from(n.error_code);
    }
    if let Some(t) = r.text {
        if let Some(stat) = t.stat {
            ev.receipt_stat = smpp_bytes::of(stat.raw);
        }
        if let Some(err) = t.err {
            ev.receipt_error = smpp_bytes::of(err);
        }
    }
}
