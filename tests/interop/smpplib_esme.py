"""python-smpplib's client (an independent ESME) against our SMSC simulator, for the interop tests.

Usage: python smpplib_esme.py PORT SYSTEM_ID PASSWORD < messages.json
messages.json: [{"ref": 1, "to": "34600000001", "text": "...", "concat": "udh" | "sar" | null}]

Binds as transceiver and submits every message the way smpplib's documentation shows:
smpplib.gsm.make_parts picks GSM 03.38 or UCS-2 and cuts a long text into parts of 153 septets
or 134 octets with an 8-bit UDH ("udh"), or cuts it without UDH and the parts carry the
sar_* TLVs ("sar"). Then it answers every deliver_sm, waits for a receipt per part, queries the
first message's state, and unbinds. It prints one JSON object per line for everything it
receives, as smpplib decoded it.
"""

import json
import sys

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def text(value):
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def main():
    port, system_id, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    messages = json.load(sys.stdin)
    client = smpplib.client.Client("127.0.0.1", port, timeout=10, allow_unknown_opt_params=True)
    sent = {}  # sequence -> (ref, part, total)
    receipts = []
    results = []

    def on_sent(pdu):
        ref, part, total = sent[pdu.sequence]
        results.append(pdu)
        out({"event": "submit_sm_resp", "ref": ref, "part": part, "total": total,
             "status": int(pdu.status), "message_id": text(pdu.message_id)})

    def on_received(pdu):
        out({"event": "deliver_sm", "esm_class": pdu.esm_class, "service_type": text(pdu.service_type),
             "source_addr": text(pdu.source_addr), "source_addr_ton": pdu.source_addr_ton,
             "destination_addr": text(pdu.destination_addr), "data_coding": pdu.data_coding,
             "text": text(pdu.short_message), "receipted_message_id": text(pdu.receipted_message_id),
             "message_state": pdu.message_state})
        receipts.append(pdu)

    def on_query(pdu):
        out({"event": "query_sm_resp", "status": int(pdu.status), "message_id": text(pdu.message_id),
             "message_state": pdu.message_state, "final_date": text(pdu.final_date),
             "error_code": pdu.error_code})

    client.set_message_sent_handler(on_sent)
    client.set_message_received_handler(on_received)
    client.set_query_resp_handler(on_query)
    client.connect()
    resp = client.bind_transceiver(system_id=system_id, password=password)
    out({"event": "bind_resp", "status": int(resp.status), "system_id": text(resp.system_id)})

    expected = 0
    first_id = None
    for msg in messages:
        sar = msg.get("concat") == "sar"
        parts, encoding, esm_class = smpplib.gsm.make_parts(msg["text"], use_udhi=not sar)
        for i, part in enumerate(parts, start=1):
            extra = {}
            if sar and len(parts) > 1:
                extra = {"sar_msg_ref_num": msg["ref"], "sar_total_segments": len(parts), "sar_segment_seqnum": i}
            pdu = client.send_message(
                source_addr_ton=smpplib.consts.SMPP_TON_ALNUM, source_addr_npi=smpplib.consts.SMPP_NPI_UNK,
                source_addr="PyESME",
                dest_addr_ton=smpplib.consts.SMPP_TON_INTL, dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                destination_addr=msg["to"],
                short_message=part, data_coding=encoding, esm_class=esm_class,
                registered_delivery=True, **extra)
            sent[pdu.sequence] = (msg["ref"], i, len(parts))
            expected += 1
    while len(results) < expected or len(receipts) < expected:
        client.read_once()
    first_id = text(results[0].message_id)
    client.query_message(message_id=first_id, source_addr_ton=smpplib.consts.SMPP_TON_ALNUM,
                         source_addr_npi=smpplib.consts.SMPP_NPI_UNK, source_addr="PyESME")
    client.read_once()
    resp = client.unbind()
    out({"event": "unbind_resp", "status": int(resp.status), "command": resp.command})
    client.disconnect()


if __name__ == "__main__":
    main()
