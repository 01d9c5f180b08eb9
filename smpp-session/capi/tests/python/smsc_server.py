"""A one-connection SMSC on loopback, built on the cdylib's SMSC session: accepts the bind,
answers each submit_sm with a message id, sends a delivery receipt for it, and exits 0 once the
ESME has unbound after at least one submission. For running the README's C example.

Usage: python3 smsc_server.py path/to/libsmpp_capi.so path/to/smpp.h PORT_FILE
(writes the port it listens on into PORT_FILE, then waits for one connection; gives up after
20 s)
"""

import ctypes as C
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import smpp_ctypes as s  # noqa: E402

s.load(sys.argv[1], sys.argv[2])
K = s.K


def now():
    return int(time.monotonic() * 1000)


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    with open(sys.argv[3] + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(sys.argv[3] + ".tmp", sys.argv[3])
    listener.settimeout(20)
    conn, _ = listener.accept()
    session = s.Session(False, now())
    submitted, unbound, deadline = 0, False, time.monotonic() + 20
    buf = (s.u8 * 4096)()
    ev = s.Event()
    while time.monotonic() < deadline:
        while True:
            n = s.smpp_poll_transmit(session.ptr, buf, len(buf))
            assert n >= 0
            if n == 0:
                break
            conn.sendall(C.string_at(buf, n))
        if select.select([conn], [], [], 0.2)[0]:
            data = conn.recv(4096)
            if not data:
                s.smpp_handle_connection_lost(session.ptr, now())
            else:
                assert s.smpp_handle_input(session.ptr, now(), (s.u8 * len(data)).from_buffer_copy(data), len(data)) == len(data)
        while s.smpp_poll_event(session.ptr, C.byref(ev)) == 1:
            if ev.kind == K["SMPP_EVENT_BIND_REQUEST"]:
                assert s.smpp_accept_bind(session.ptr, now(), ev.token, b"PySMSC") == 0
            elif ev.kind == K["SMPP_EVENT_REQUEST"] and ev.command_id == K["SMPP_COMMAND_SUBMIT_SM"]:
                submitted += 1
                mid = b"py-%d" % submitted
                dest = ev.source_addr.get()
                assert s.smpp_respond(session.ptr, now(), ev.token, 0, mid) == 0
                receipt = s.sm_to(dest, b"id:" + mid + b" sub:001 dlvrd:001 stat:DELIVRD err:000")
                receipt.esm_class = K["SMPP_ESM_CLASS_DELIVERY_RECEIPT"]
                assert s.smpp_deliver(session.ptr, now(), C.byref(receipt), None) == 0
            elif ev.kind == K["SMPP_EVENT_CLOSED"]:
                unbound = ev.reason == K["SMPP_CLOSE_PEER_UNBOUND"]
                n = s.smpp_poll_transmit(session.ptr, buf, len(buf))
                if n > 0:
                    conn.sendall(C.string_at(buf, n))
                session.close()
                conn.close()
                print("smsc: %d submissions, %s" % (submitted, "unbound" if unbound else "closed"))
                return 0 if unbound and submitted > 0 else 1
        s.smpp_handle_timeout(session.ptr, now())
    print("smsc: gave up waiting")
    return 1


sys.exit(main())
