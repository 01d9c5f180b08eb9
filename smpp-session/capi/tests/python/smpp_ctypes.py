"""ctypes declarations of smpp.h, as a Python binding of the cdylib would write them: the
structs by hand, the constants read from the header itself. Shared by the tests."""

import ctypes as C
import re
import sys
import unittest

def header_constants(path):
    """The integer #defines of smpp.h (literals, parenthesized negatives, simple shifts)."""
    raw = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#define (SMPP_[A-Z0-9_]+) (.+)$", line.strip())
        if m:
            raw.setdefault(m.group(1), re.sub(r"(\d+)(ull|u)\b", r"\1", m.group(2)))
    consts = {}
    for _ in range(3):  # a define may name one that comes later
        for name, value in raw.items():
            value = re.sub(r"\b(SMPP_[A-Z0-9_]+)\b", lambda r: str(consts.get(r.group(1), "?")), value)
            if re.fullmatch(r"[0-9()<|\- xXa-fA-F]+", value):
                consts[name] = eval(value)  # only digits, parentheses, shifts, ors and minus
    return consts


K = {}
lib = None


def load(lib_path, header_path):
    """Loads the library and the header's constants, and declares the functions."""
    global lib
    K.update(header_constants(header_path))
    lib = C.CDLL(lib_path)
    for name, (restype, *argtypes) in SIGNATURES.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, list(argtypes)
        globals()[name] = f

u8, u32, u64, size_t = C.c_uint8, C.c_uint32, C.c_uint64, C.c_size_t
P = C.POINTER


class Config(C.Structure):
    _fields_ = [(n, u32) for n in (
        "keepalive", "keepalive_interval_ms", "enquire_link_timeout_ms", "response_timeout_ms",
        "bind_timeout_ms", "unbind_timeout_ms", "session_init_timeout_ms", "max_command_length",
        "ack_mode", "throttle_pause_ms", "max_throttle_pause_ms", "window", "sc_interface_version",
        "id_match", "id_submit_base", "id_receipt_base", "dead_after_timeouts", "part_retries")]


class Buffers(C.Structure):
    _fields_ = [("rx", P(u8)), ("rx_len", size_t), ("tx", P(u8)), ("tx_len", size_t),
                ("part_store", P(u8)), ("part_store_len", size_t)]


class BindParams(C.Structure):
    _fields_ = [("system_id", C.c_char_p), ("password", C.c_char_p), ("system_type", C.c_char_p),
                ("interface_version", u8), ("addr_ton", u8), ("addr_npi", u8),
                ("address_range", C.c_char_p)]


class Sm(C.Structure):
    _fields_ = [("service_type", C.c_char_p), ("source_addr", C.c_char_p), ("source_ton", u8),
                ("source_npi", u8), ("dest_addr", C.c_char_p), ("dest_ton", u8), ("dest_npi", u8),
                ("esm_class", u8), ("protocol_id", u8), ("priority_flag", u8),
                ("registered_delivery", u8), ("replace_if_present_flag", u8), ("data_coding", u8),
                ("sm_default_msg_id", u8), ("schedule_delivery_time", C.c_char_p),
                ("validity_period", C.c_char_p), ("short_message", P(u8)),
                ("short_message_len", size_t), ("tlvs", P(u8)), ("tlvs_len", size_t)]


class Bytes(C.Structure):
    _fields_ = [("ptr", P(u8)), ("len", size_t)]

    def get(self):
        return C.string_at(self.ptr, self.len) if self.len else b""


class Event(C.Structure):
    _fields_ = [(n, u32) for n in (
        "kind", "flags", "handle", "message", "part_index", "part_total", "accepted",
        "failed_part", "token", "sequence_number", "command_id", "command_status", "reason",
        "detail", "bind_kind", "interface_version", "message_state", "network_error", "esm_class",
        "data_coding", "source_ton", "source_npi", "dest_ton", "dest_npi")] + [
        ("until_ms", u64)] + [(n, Bytes) for n in (
            "message_id", "text", "source_addr", "dest_addr", "system_id", "password",
            "receipt_stat", "receipt_error")]


class Counters(C.Structure):
    _fields_ = [(n, u32) for n in (
        "pdus_received", "pdus_sent", "unexpected_responses", "malformed", "throttled",
        "part_retries", "refused_busy", "response_timeouts", "oversized")]


S = C.c_void_p
i32 = C.c_int32
SIGNATURES = {
    "smpp_abi_version": (u32,),
    "smpp_session_size": (size_t,),
    "smpp_session_align": (size_t,),
    "smpp_error_text": (C.c_char_p, i32),
    "smpp_config_default": (i32, P(Config)),
    "smpp_esme_init_": (i32, S, size_t, u32, P(Config), P(Buffers), u64),
    "smpp_smsc_init_": (i32, S, size_t, u32, P(Config), P(Buffers), u64),
    "smpp_session_deinit": (i32, S),
    "smpp_handle_input": (i32, S, u64, P(u8), size_t),
    "smpp_handle_timeout": (i32, S, u64),
    "smpp_handle_connection_lost": (i32, S, u64),
    "smpp_poll_transmit": (i32, S, P(u8), size_t),
    "smpp_poll_event": (i32, S, P(Event)),
    "smpp_poll_timeout": (i32, S, P(u64)),
    "smpp_bind": (i32, S, u64, u32, P(BindParams)),
    "smpp_submit": (i32, S, u64, P(Sm), P(u32)),
    "smpp_deliver": (i32, S, u64, P(Sm), P(u32)),
    "smpp_submit_text": (i32, S, u64, P(Sm), C.c_char_p, size_t, C.c_void_p, P(u32)),
    "smpp_respond": (i32, S, u64, u32, u32, C.c_char_p),
    "smpp_accept_bind": (i32, S, u64, u32, C.c_char_p),
    "smpp_unbind": (i32, S, u64),
    "smpp_state": (i32, S, P(u32)),
    "smpp_session_counters": (i32, S, P(Counters)),
}


class Session:
    """One session in storage and buffers that Python owns (kept alive by this object)."""

    def __init__(self, esme, now=0, config=None):
        size, align = smpp_session_size(), smpp_session_align()
        self._raw = C.create_string_buffer(size + align)
        address = C.addressof(self._raw)
        self.ptr = C.c_void_p(address + (-address % align))
        self.rx = (u8 * 2048)()
        self.tx = (u8 * 4096)()
        self.buffers = Buffers(C.cast(self.rx, P(u8)), 2048, C.cast(self.tx, P(u8)), 4096, None, 0)
        init = smpp_esme_init_ if esme else smpp_smsc_init_
        rc = init(self.ptr, size, K["SMPP_ABI_VERSION"], config, C.byref(self.buffers), now)
        assert rc == 0, smpp_error_text(rc)

    def events(self):
        out = []
        ev = Event()
        while True:
            rc = smpp_poll_event(self.ptr, C.byref(ev))
            assert rc >= 0, smpp_error_text(rc)
            if rc == 0:
                return out
            # Copy what is needed now: the byte fields are valid until the next call.
            out.append({
                "kind": ev.kind, "token": ev.token, "handle": ev.handle, "flags": ev.flags,
                "message": ev.message, "part_index": ev.part_index, "part_total": ev.part_total,
                "accepted": ev.accepted, "command_status": ev.command_status, "reason": ev.reason,
                "data_coding": ev.data_coding, "esm_class": ev.esm_class,
                "message_state": ev.message_state, "message_id": ev.message_id.get(),
                "text": ev.text.get(), "system_id": ev.system_id.get(),
                "password": ev.password.get(), "dest_addr": ev.dest_addr.get(),
            })

    def close(self):
        assert smpp_session_deinit(self.ptr) == 0


def pump(a, b, now):
    buf = (u8 * 333)()
    moved = 0
    while True:
        n = smpp_poll_transmit(a.ptr, buf, len(buf))
        assert n >= 0, smpp_error_text(n)
        if n == 0:
            return moved
        assert smpp_handle_input(b.ptr, now, buf, n) == n
        moved += n


def sm_to(dest, text=b""):
    data = (u8 * max(1, len(text))).from_buffer_copy(text or b"\0")
    sm = Sm(source_addr=b"Alarm", source_ton=K["SMPP_TON_ALPHANUMERIC"], dest_addr=dest,
            dest_ton=K["SMPP_TON_INTERNATIONAL"], dest_npi=K["SMPP_NPI_ISDN"],
            registered_delivery=K["SMPP_REGISTERED_DELIVERY_RECEIPT"],
            short_message=C.cast(data, P(u8)), short_message_len=len(text))
    sm._keep = data
    return sm
