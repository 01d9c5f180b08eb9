"""Drives the smpp-capi cdylib from Python with ctypes: an ESME and an SMSC session in one
process, joined by copying octets, bind and submit (a short text and a long UCS-2 one), the
outcomes, a receipt, errors. Constants are read from smpp.h itself; the structs are declared
here as a binding would declare them.

Usage: python3 test_ctypes.py path/to/libsmpp_capi.so path/to/smpp.h
"""

import sys
import unittest

sys.path.insert(0, __import__("os").path.dirname(__file__))
from smpp_ctypes import *  # noqa: E402,F403
import smpp_ctypes  # noqa: E402

smpp_ctypes.load(sys.argv[1], sys.argv[2])
del sys.argv[1:3]
for _name in smpp_ctypes.SIGNATURES:
    globals()[_name] = getattr(smpp_ctypes, _name)


class CtypesPair(unittest.TestCase):
    def setUp(self):
        self.now = 1000
        self.esme, self.smsc = Session(True, self.now), Session(False, self.now)

    def tearDown(self):
        self.esme.close()
        self.smsc.close()

    def bind(self):
        bp = BindParams(system_id=b"panel", password=b"secret")
        self.assertEqual(smpp_bind(self.esme.ptr, self.now, K["SMPP_BIND_TRANSCEIVER"], C.byref(bp)), 0)
        pump(self.esme, self.smsc, self.now)
        [req] = self.smsc.events()
        self.assertEqual(req["kind"], K["SMPP_EVENT_BIND_REQUEST"])
        self.assertEqual((req["system_id"], req["password"]), (b"panel", b"secret"))
        self.assertEqual(smpp_accept_bind(self.smsc.ptr, self.now, req["token"], b"PySMSC"), 0)
        pump(self.smsc, self.esme, self.now)
        [bound] = self.esme.events()
        self.assertEqual(bound["kind"], K["SMPP_EVENT_BOUND"])
        self.assertEqual(bound["system_id"], b"PySMSC")
        kind = u32()
        self.assertEqual(smpp_state(self.esme.ptr, C.byref(kind)), K["SMPP_STATE_BOUND"])
        self.assertEqual(kind.value, K["SMPP_BIND_TRANSCEIVER"])

    def test_versions(self):
        self.assertEqual(smpp_abi_version(), K["SMPP_ABI_VERSION"])
        self.assertGreater(smpp_session_size(), 1000)

    def test_bind_and_submit(self):
        self.bind()
        handle = u32()
        sm = sm_to(b"34600000000", b"Zone 3 open")
        self.assertEqual(smpp_submit(self.esme.ptr, self.now, C.byref(sm), C.byref(handle)), 0)
        pump(self.esme, self.smsc, self.now)
        [req] = self.smsc.events()
        self.assertEqual(req["kind"], K["SMPP_EVENT_REQUEST"])
        self.assertEqual((req["text"], req["dest_addr"]), (b"Zone 3 open", b"34600000000"))
        self.assertEqual(smpp_respond(self.smsc.ptr, self.now, req["token"], 0, b"py-1"), 0)
        pump(self.smsc, self.esme, self.now)
        [outcome] = self.esme.events()
        self.assertEqual(outcome["kind"], K["SMPP_EVENT_OUTCOME"])
        self.assertEqual((outcome["handle"], outcome["message_id"]), (handle.value, b"py-1"))
        self.assertEqual(outcome["reason"], K["SMPP_OUTCOME_RESPONSE"])

        # The receipt comes back and names the submission.
        receipt = sm_to(b"Alarm", b"id:py-1 sub:001 dlvrd:001 stat:DELIVRD err:000")
        receipt.esm_class = K["SMPP_ESM_CLASS_DELIVERY_RECEIPT"]
        self.assertEqual(smpp_deliver(self.smsc.ptr, self.now, C.byref(receipt), None), 0)
        pump(self.smsc, self.esme, self.now)
        [r] = self.esme.events()
        self.assertEqual(r["kind"], K["SMPP_EVENT_RECEIPT"])
        self.assertEqual((r["handle"], r["message_id"], r["message_state"]), (handle.value, b"py-1", 2))
        counters = Counters()
        self.assertEqual(smpp_session_counters(self.esme.ptr, C.byref(counters)), 0)
        self.assertEqual((counters.pdus_received, counters.malformed), (3, 0))

    def test_long_ucs2_text(self):
        self.bind()
        text = "Alarm 🚨 " + "zone 3 opened; " * 9 + "🔥"
        raw = text.encode("utf-8")
        message = u32()
        sm = sm_to(b"34600000000")
        self.assertEqual(smpp_submit_text(self.esme.ptr, self.now, C.byref(sm), raw, len(raw), None,
                                          C.byref(message)), 0)
        pump(self.esme, self.smsc, self.now)
        parts = self.smsc.events()
        self.assertEqual(len(parts), 3)
        payload = b""
        for i, p in enumerate(parts, 1):
            self.assertEqual(p["data_coding"], 8)
            udh = p["text"][: p["text"][0] + 1]
            self.assertEqual(udh[-1], i)
            payload += p["text"][len(udh):]
            self.assertEqual(smpp_respond(self.smsc.ptr, self.now, p["token"], 0, b"m%d" % i), 0)
        self.assertEqual(payload.decode("utf-16-be"), text)
        pump(self.smsc, self.esme, self.now)
        events = self.esme.events()
        self.assertEqual([e["kind"] for e in events], [K["SMPP_EVENT_OUTCOME"]] * 3 + [K["SMPP_EVENT_MESSAGE_DONE"]])
        self.assertEqual([e["part_index"] for e in events[:3]], [1, 2, 3])
        self.assertEqual((events[3]["handle"], events[3]["accepted"]), (message.value, 3))

    def test_errors(self):
        self.assertEqual(smpp_bind(None, 0, K["SMPP_BIND_TRANSCEIVER"], None), K["SMPP_ERR_NULL_POINTER"])
        bp = BindParams(system_id=b"panel", password=b"secret")
        self.assertEqual(smpp_bind(self.esme.ptr, 0, 42, C.byref(bp)), K["SMPP_ERR_BAD_ARGUMENT"])
        self.assertEqual(smpp_submit(self.esme.ptr, 0, C.byref(sm_to(b"1")), None), K["SMPP_ERR_INVALID_STATE"])
        self.assertEqual(smpp_error_text(K["SMPP_ERR_INVALID_STATE"]),
                         b"not allowed in the session's current state or role")
        bad = b"\xc3\x28"
        self.assertEqual(smpp_submit_text(self.esme.ptr, 0, C.byref(sm_to(b"1")), bad, 2, None, None),
                         K["SMPP_ERR_BAD_ARGUMENT"])
        deadline = u64()
        self.assertEqual(smpp_poll_timeout(self.esme.ptr, C.byref(deadline)), 0)
        self.assertEqual(deadline.value, K["SMPP_NO_TIMEOUT"])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print("python ctypes: %d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
