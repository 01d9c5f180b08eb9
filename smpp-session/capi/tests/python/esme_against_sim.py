"""The cdylib's ESME session, driven from Python over a real socket, against the smpp-std SMSC
simulator (`smpp sim`, LabsMobile profile): bind as transceiver, send a short GSM text and a
three-part UCS-2 text with emoji through smpp_submit_text, take every part's outcome, each
message's MessageDone and a receipt per part, unbind. Then checks from the simulator's JSON
lines that it reassembled exactly the texts that were sent and sent one receipt per part.

Usage: python3 esme_against_sim.py path/to/libsmpp_capi.so path/to/smpp.h path/to/smpp
"""

import ctypes as C
import json
import os
import select
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import smpp_ctypes as s  # noqa: E402

s.load(sys.argv[1], sys.argv[2])
K = s.K
SMPP = sys.argv[3]

TEXTS = [
    "Zone 3 open",
    "Alarm 🚨 " + "zone 3 opened; " * 9 + "🔥",
]


def now():
    return int(time.monotonic() * 1000)


def message_of(ev):
    """The message an outcome or receipt belongs to: its multi-part message, or itself."""
    return ev.message if ev.flags & K["SMPP_EVENT_HAS_PART"] else ev.handle


def part_of(ev):
    return ev.part_index if ev.flags & K["SMPP_EVENT_HAS_PART"] else 1


def fail(why):
    print("esme against smpp sim: FAILED: " + why)
    sys.exit(1)


def start_sim():
    sim = subprocess.Popen(
        [SMPP, "sim", "--port", "0", "--json", "--receipt-delay-ms", "50", "--duration", "30"],
        stdout=subprocess.PIPE, text=True)
    first = json.loads(sim.stdout.readline())
    if first.get("event") != "listening":
        fail("the simulator's first line is %r" % first)
    return sim, first["port"]


def run(port):
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.setblocking(False)
    session = s.Session(True, now())
    buf = (s.u8 * 4096)()
    ev = s.Event()
    bound, closed, unbinding = False, None, False
    sent = {}          # message handle -> text
    outcomes = {}      # message handle -> [(part, message id, status)]
    done = {}          # message handle -> accepted parts
    receipts = []      # (message handle, part, message id, stat)
    deadline = time.monotonic() + 20

    bp = s.BindParams(system_id=b"smppclient1", password=b"password")
    rc = s.smpp_bind(session.ptr, now(), K["SMPP_BIND_TRANSCEIVER"], C.byref(bp))
    if rc != 0:
        fail("smpp_bind: %s" % s.smpp_error_text(rc))

    while closed is None and time.monotonic() < deadline:
        pending = b""
        while True:
            n = s.smpp_poll_transmit(session.ptr, buf, len(buf))
            if n < 0:
                fail("smpp_poll_transmit: %s" % s.smpp_error_text(n))
            if n == 0:
                break
            pending += C.string_at(buf, n)
        if pending:
            conn.setblocking(True)
            conn.sendall(pending)
            conn.setblocking(False)
        wait = 0.2
        t = s.u64()
        if s.smpp_poll_timeout(session.ptr, C.byref(t)) == 0 and t.value != K["SMPP_NO_TIMEOUT"]:
            wait = max(0.0, min(wait, (t.value - now()) / 1000))
        if select.select([conn], [], [], wait)[0]:
            data = conn.recv(4096)
            if not data:
                s.smpp_handle_connection_lost(session.ptr, now())
            else:
                rc = s.smpp_handle_input(session.ptr, now(), (s.u8 * len(data)).from_buffer_copy(data), len(data))
                if rc != len(data):
                    fail("smpp_handle_input took %d of %d octets" % (rc, len(data)))
        rc = s.smpp_handle_timeout(session.ptr, now())
        if rc < 0:
            fail("smpp_handle_timeout: %s" % s.smpp_error_text(rc))
        while s.smpp_poll_event(session.ptr, C.byref(ev)) == 1:
            if ev.kind == K["SMPP_EVENT_BOUND"]:
                bound = True
                for text in TEXTS:
                    raw = text.encode("utf-8")
                    handle = s.u32()
                    rc = s.smpp_submit_text(session.ptr, now(), C.byref(s.sm_to(b"34600000001")), raw, len(raw),
                                            None, C.byref(handle))
                    if rc != 0:
                        fail("smpp_submit_text: %s" % s.smpp_error_text(rc))
                    sent[handle.value] = text
            elif ev.kind == K["SMPP_EVENT_OUTCOME"]:
                outcomes.setdefault(message_of(ev), []).append((part_of(ev), ev.message_id.get(), ev.command_status))
            elif ev.kind == K["SMPP_EVENT_MESSAGE_DONE"]:
                done[ev.handle] = ev.accepted
            elif ev.kind == K["SMPP_EVENT_RECEIPT"]:
                receipts.append((message_of(ev), part_of(ev), ev.message_id.get(), ev.receipt_stat.get()))
            elif ev.kind == K["SMPP_EVENT_CLOSED"]:
                closed = ev.reason
        parts = sum(len(v) for v in outcomes.values())
        if bound and not unbinding and len(done) == len(TEXTS) and len(receipts) == parts:
            rc = s.smpp_unbind(session.ptr, now())
            if rc != 0:
                fail("smpp_unbind: %s" % s.smpp_error_text(rc))
            unbinding = True
    conn.close()
    session.close()
    if closed is None:
        fail("no Closed event in 20 s (bound %s, done %r, %d receipts)" % (bound, done, len(receipts)))
    return sent, outcomes, done, receipts, closed


def main():
    sim, port = start_sim()
    try:
        sent, outcomes, done, receipts, closed = run(port)
    finally:
        sim.terminate()
    lines = [json.loads(line) for line in sim.stdout]
    sim.wait()

    if closed != K["SMPP_CLOSE_UNBOUND"]:
        fail("closed with reason %d, not after our unbind" % closed)
    if sorted(done.values()) != [1, 3]:
        fail("accepted parts per message %r, expected 1 and 3" % done)
    ids = {}
    for handle, parts in outcomes.items():
        if sorted(p for p, _, _ in parts) != list(range(1, len(parts) + 1)):
            fail("message %d: parts %r" % (handle, parts))
        for part, mid, status in parts:
            if status != 0 or len(mid) != 13:
                fail("message %d part %d: status %d, id %r" % (handle, part, status, mid))
            ids[mid] = (handle, part)
    got = {mid: (handle, part) for handle, part, mid, _ in receipts}
    if got != ids or any(stat != b"DELIVRD" for *_, stat in receipts):
        fail("receipts %r do not name the parts %r" % (receipts, ids))
    reassembled = [line["text"] for line in lines if line.get("event") == "message"]
    if sorted(reassembled) != sorted(TEXTS):
        fail("the simulator reassembled %r" % reassembled)
    sim_receipts = [line for line in lines if line.get("event") == "receipt"]
    if len(sim_receipts) != len(ids):
        fail("the simulator sent %d receipts for %d parts" % (len(sim_receipts), len(ids)))
    print("esme against smpp sim: bound, %d messages in %d parts accepted, %d receipts matched, texts "
          "reassembled as sent, unbound" % (len(done), len(ids), len(receipts)))
    return 0


sys.exit(main())
