//! The functions of `smpp.h`.
//!
//! Each one checks its pointers (NULL, alignment, a live session), turns them into references
//! with the helpers of `raw.rs`, and runs the session's code under the panic boundary. Return
//! values: `SMPP_OK` (0) or a count or a flag (>= 0) on success, a negative `SMPP_ERR_*`
//! otherwise. Counts are capped at `INT32_MAX`.
//!
//! The rules every function shares, written once here and in the README:
//! - `s` is storage that `smpp_esme_init_` or `smpp_smsc_init_` initialized and `smpp_session_deinit` has not
//!   ended; one call at a time per session (no locking inside: a session per thread, or a
//!   lock around it);
//! - pointers passed in are NULL only where a function says so, point to what they claim, and
//!   nothing writes what they point to during the call;
//! - a failed call changes nothing, unless its description says otherwise.

use core::ffi::c_char;

use session::{Instant, Session};
use smpp_codec::text::segment::Encoding;

use crate::abi::*;
use crate::convert;
use crate::error::{is_busy, status};
use crate::guard::catch;
use crate::inner::{Constructor, Head, Inner, W, make_session};
use crate::raw;

/// Returns the error code of an `Err`, or the value of an `Ok`.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => return code,
        }
    };
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Lengths above this are cut so that a count always fits the `int32_t` result.
const MAX_COUNT: usize = i32::MAX as usize;

/// Runs `f` on the live session in `s` under the panic boundary; a panic poisons it.
///
/// # Safety
/// As [`raw::live`].
unsafe fn call(s: *mut smpp_session, f: impl FnOnce(&mut Inner) -> i32) -> i32 {
    // SAFETY: forwarded to the caller.
    let inner = tri!(unsafe { raw::live(s) });
    match catch(|| f(inner)) {
        Some(r) => r,
        None => {
            // SAFETY: `s` passed `live` above and the closure that borrowed it is gone.
            unsafe { raw::poison(s) };
            SMPP_ERR_PANIC
        }
    }
}

/// [`call`] for functions that only read the session.
///
/// # Safety
/// As [`raw::live`].
unsafe fn read(s: *const smpp_session, f: impl FnOnce(&Inner) -> i32) -> i32 {
    // SAFETY: forwarded to the caller.
    let inner = tri!(unsafe { raw::live_ref(s) });
    catch(|| f(inner)).unwrap_or(SMPP_ERR_PANIC)
}

// ---- the library ----------------------------------------------------------------------------

/// The ABI version of the library (see `SMPP_ABI_VERSION`).
#[unsafe(no_mangle)]
pub extern "C" fn smpp_abi_version() -> u32 {
    SMPP_ABI_VERSION
}

/// The library's version, as a NUL-terminated string ("0.1.0").
#[unsafe(no_mangle)]
pub extern "C" fn smpp_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Octets of storage a session needs (at most `sizeof(smpp_session)`).
#[unsafe(no_mangle)]
pub extern "C" fn smpp_session_size() -> usize {
    raw::session_size()
}

/// The alignment session storage needs (at most `_Alignof(smpp_session)`).
#[unsafe(no_mangle)]
pub extern "C" fn smpp_session_align() -> usize {
    raw::session_align()
}

/// The window of this build (`SMPP_WINDOW` of the header it was built with).
#[unsafe(no_mangle)]
pub extern "C" fn smpp_window() -> u32 {
    SMPP_WINDOW
}

/// The smallest receive buffer init accepts.
#[unsafe(no_mangle)]
pub extern "C" fn smpp_min_receive_buffer() -> usize {
    session::MIN_RECEIVE_BUFFER
}

/// The smallest transmit buffer init accepts.
#[unsafe(no_mangle)]
pub extern "C" fn smpp_min_transmit_buffer() -> usize {
    Session::<'static, W>::min_transmit_buffer()
}

/// A static, NUL-terminated description of a return code.
#[unsafe(no_mangle)]
pub extern "C" fn smpp_error_text(code: i32) -> *const c_char {
    crate::error::text(code).as_ptr()
}

/// Whether a return code means "busy": the same call may succeed later (window full, paused,
/// transmit buffer full).
#[unsafe(no_mangle)]
pub extern "C" fn smpp_error_is_busy(code: i32) -> bool {
    is_busy(code)
}

/// Fills `out` with the default configuration.
///
/// # Safety
/// `out` is NULL or points to writable memory for an `smpp_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_config_default(out: *mut smpp_config) -> i32 {
    let config = tri!(catch(convert::config_default).ok_or(SMPP_ERR_PANIC));
    // SAFETY: the caller's contract for `out`.
    status(unsafe { raw::output(out, config) })
}

// ---- lifetime -------------------------------------------------------------------------------

/// The init of both roles.
///
/// # Safety
/// As `smpp_esme_init_`.
unsafe fn init(
    s: *mut smpp_session,
    storage_size: usize,
    abi_version: u32,
    role: Constructor,
    config: *const smpp_config,
    buffers: *const smpp_buffers,
    now_ms: u64,
) -> i32 {
    if abi_version >> 16 != SMPP_ABI_MAJOR || abi_version & 0xFFFF > SMPP_ABI_MINOR {
        return SMPP_ERR_VERSION_MISMATCH;
    }
    if s.is_null() {
        return SMPP_ERR_NULL_POINTER;
    }
    if storage_size < raw::session_size() {
        return SMPP_ERR_STORAGE_TOO_SMALL;
    }
    if !s.cast::<Inner>().is_aligned() {
        return SMPP_ERR_STORAGE_MISALIGNED;
    }
    // SAFETY: the caller's contract for `config`.
    let config = match tri!(unsafe { raw::input(config) }) {
        Some(c) => tri!(convert::config(c)),
        None => session::Config::default(),
    };
    // SAFETY: the caller's contract for `buffers`.
    let b = *tri!(tri!(unsafe { raw::input(buffers) }).ok_or(SMPP_ERR_NULL_POINTER));
    if b.rx.is_null() || b.tx.is_null() {
        return SMPP_ERR_NULL_POINTER;
    }
    let store_len = if b.part_store.is_null() { 0 } else { b.part_store_len };
    let lent = [(b.rx as usize, b.rx_len), (b.tx as usize, b.tx_len), (b.part_store as usize, store_len)];
    let [rx, tx, store] = lent;
    if !raw::disjoint(&[rx, tx, store, (s as usize, raw::session_size())]) {
        return SMPP_ERR_BAD_ARGUMENT;
    }
    // SAFETY: the `smpp_buffers` contract: the receive buffer is the session's until deinit;
    // it overlaps nothing else (checked just above).
    let rx = tri!(unsafe { raw::lend(b.rx, b.rx_len) });
    // SAFETY: as for the receive buffer.
    let tx = tri!(unsafe { raw::lend(b.tx, b.tx_len) });
    let store = match store_len {
        0 => None,
        // SAFETY: as for the receive buffer.
        n => Some(tri!(unsafe { raw::lend(b.part_store, n) })),
    };
    let made = catch(|| {
        make_session(role, config, rx, tx, store, Instant(now_ms), |session| {
            // SAFETY: `s` is non-null and aligned (checked), valid for `storage_size` octets,
            // which is at least the size of an `Inner` (checked), and the caller uses it in no
            // other call now.
            unsafe { raw::install(s, session, Head::new(lent)) }
        })
    });
    tri!(tri!(made.ok_or(SMPP_ERR_PANIC)));
    SMPP_OK
}

/// Starts an ESME session in the caller's storage; use the `smpp_esme_init` macro, which
/// passes the header's `sizeof(smpp_session)` and `SMPP_ABI_VERSION`. `storage_size` is the
/// storage's size in octets (at least `smpp_session_size()`), `config` NULL for the defaults,
/// `now_ms` the time the connection opened. An ESME firmware that never calls
/// `smpp_smsc_init_` does not link the SMSC's decoders.
///
/// On success the storage and the buffers belong to the session until `smpp_session_deinit`:
/// none of them may move, be freed, or be touched except through this API. On failure nothing
/// was written to the storage.
///
/// # Safety
/// `s` is NULL or valid for writes of `storage_size` octets; `config` and `buffers` are NULL
/// or point to initialized structs; the buffers they describe are as `smpp_buffers` says.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_esme_init_(
    s: *mut smpp_session,
    storage_size: usize,
    abi_version: u32,
    config: *const smpp_config,
    buffers: *const smpp_buffers,
    now_ms: u64,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { init(s, storage_size, abi_version, Session::esme, config, buffers, now_ms) }
}

/// Starts an SMSC session (a connection just accepted) in the caller's storage; use the
/// `smpp_smsc_init` macro. As `smpp_esme_init_` otherwise.
///
/// # Safety
/// As `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_smsc_init_(
    s: *mut smpp_session,
    storage_size: usize,
    abi_version: u32,
    config: *const smpp_config,
    buffers: *const smpp_buffers,
    now_ms: u64,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { init(s, storage_size, abi_version, Session::smsc, config, buffers, now_ms) }
}

/// Ends the session: the storage and the buffers are the caller's again. Nothing is sent:
/// unbind (and drain) first for a clean end. A panicked session can be deinitialized.
///
/// # Safety
/// `s` is NULL or a session storage (see `smpp_esme_init_`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_session_deinit(s: *mut smpp_session) -> i32 {
    // SAFETY: the caller's contract for `s`.
    match unsafe { raw::live(s) } {
        Ok(_) | Err(SMPP_ERR_PANIC) => {}
        Err(code) => return code,
    }
    // SAFETY: `s` holds a live or poisoned session, and the borrow above has ended.
    unsafe { raw::destroy(s) };
    SMPP_OK
}

// ---- inputs ---------------------------------------------------------------------------------

/// The free part of the receive buffer: read from the transport straight into `*buf` (at most
/// `*len` octets), then call `smpp_commit` with the count before any other call on the
/// session. `*len` is 0 (and `*buf` NULL) when the buffer is full of frames not processed yet:
/// drain `smpp_poll_event` first.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `buf` and `len` are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_receive_buffer(s: *mut smpp_session, buf: *mut *mut u8, len: *mut usize) -> i32 {
    tri!(raw::check_output(buf));
    tri!(raw::check_output(len));
    let mut got = (core::ptr::null_mut(), 0);
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        call(s, |inner| {
            let room = inner.receive_buffer();
            if !room.is_empty() {
                got = (room.as_mut_ptr(), room.len());
            }
            SMPP_OK
        })
    };
    if r == SMPP_OK {
        // SAFETY: `buf` was checked non-null and aligned; the caller's contract makes it
        // writable.
        tri!(unsafe { raw::output(buf, got.0) });
        // SAFETY: as for `buf`.
        tri!(unsafe { raw::output(len, got.1) });
    }
    r
}

/// `n` octets were written into the buffer `smpp_receive_buffer` gave, at `now_ms`. Frames are
/// processed as `smpp_poll_event` is called. `SMPP_ERR_BAD_ARGUMENT` when `n` is more than
/// was offered.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_commit(s: *mut smpp_session, now_ms: u64, n: usize) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.commit(Instant(now_ms), n))) }
}

/// Copies octets received from the peer (any chunking) into the receive buffer; returns how
/// many it took: all of them unless the buffer is full of frames not processed yet (drain
/// `smpp_poll_event`, then pass the rest).
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `data` is readable for `len` octets (NULL when `len` is 0)
/// and does not point into the session's own buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_handle_input(s: *mut smpp_session, now_ms: u64, data: *const u8, len: usize) -> i32 {
    // SAFETY: the caller's contract for `data`.
    let data = tri!(unsafe { raw::bytes(data, len.min(MAX_COUNT)) });
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            if inner.overlaps_lent(data.as_ptr() as usize, data.len()) {
                return SMPP_ERR_BAD_ARGUMENT;
            }
            count(inner.handle_input(Instant(now_ms), data))
        })
    }
}

/// Runs the timers due at `now_ms`. A call before the deadline does nothing.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_handle_timeout(s: *mut smpp_session, now_ms: u64) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            inner.handle_timeout(Instant(now_ms));
            SMPP_OK
        })
    }
}

/// The connection closed or broke at `now_ms`. Frames already received are still processed;
/// then the session closes and every outstanding request is reported lost.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_handle_connection_lost(s: *mut smpp_session, now_ms: u64) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            inner.handle_connection_lost(Instant(now_ms));
            SMPP_OK
        })
    }
}

// ---- outputs --------------------------------------------------------------------------------

/// The octets waiting to be sent (`*len` 0 and `*data` NULL when none). Write them to the
/// transport, then report how many went with `smpp_transmitted`. Valid until the next call
/// that is not a getter.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `data` and `len` are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_transmit(s: *const smpp_session, data: *mut *const u8, len: *mut usize) -> i32 {
    tri!(raw::check_output(data));
    tri!(raw::check_output(len));
    let mut got = smpp_bytes::EMPTY;
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        read(s, |inner| {
            got = smpp_bytes::of(inner.session.transmit());
            SMPP_OK
        })
    };
    if r == SMPP_OK {
        // SAFETY: checked non-null and aligned; writable by the caller's contract.
        tri!(unsafe { raw::output(data, got.ptr) });
        // SAFETY: as for `data`.
        tri!(unsafe { raw::output(len, got.len) });
    }
    r
}

/// The transport took the first `n` octets of `smpp_transmit` (a partial write is fine).
/// `SMPP_ERR_BAD_ARGUMENT` when `n` is more than were waiting.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_transmitted(s: *mut smpp_session, n: usize) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.transmitted(n))) }
}

/// Copies waiting octets into `out` (at most `len`) and returns how many; 0 when none. The
/// copying form of `smpp_transmit` + `smpp_transmitted`.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `out` is writable for `len` octets (NULL when `len` is 0)
/// and does not point into the session's own buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_poll_transmit(s: *mut smpp_session, out: *mut u8, len: usize) -> i32 {
    // SAFETY: the caller's contract for `out`.
    let out = tri!(unsafe { raw::bytes_mut(out, len.min(MAX_COUNT)) });
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            if inner.overlaps_lent(out.as_ptr() as usize, out.len()) {
                return SMPP_ERR_BAD_ARGUMENT;
            }
            count(inner.session.poll_transmit(out))
        })
    }
}

/// Takes the next event into `*event`: returns 1 when there was one, 0 when there is none now.
/// Call it until 0 after every input or command, then send what `smpp_transmit` holds
/// (handling events may queue answers). Received frames are processed here, one per event.
/// The event's byte fields stay valid until the next `smpp_poll_event`, input call or deinit.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `event` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_poll_event(s: *mut smpp_session, event: *mut smpp_event) -> i32 {
    // Checked first, so that a bad pointer loses no event.
    tri!(raw::check_output(event));
    let mut got = None;
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        call(s, |inner| {
            got = inner.poll_event();
            SMPP_OK
        })
    };
    if r != SMPP_OK {
        return r;
    }
    // SAFETY: checked non-null and aligned; writable by the caller's contract.
    tri!(unsafe { raw::output(event, got.unwrap_or(smpp_event::EMPTY)) });
    i32::from(got.is_some())
}

/// The next deadline at which `smpp_handle_timeout` has work: returns 1 and stores it
/// (milliseconds, the caller's clock) in `*deadline_ms`, or returns 0 and stores
/// `SMPP_NO_TIMEOUT` when there is none. At that deadline the session always acts.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `deadline_ms` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_poll_timeout(s: *const smpp_session, deadline_ms: *mut u64) -> i32 {
    tri!(raw::check_output(deadline_ms));
    let mut at = None;
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        read(s, |inner| {
            at = inner.session.poll_timeout();
            SMPP_OK
        })
    };
    if r != SMPP_OK {
        return r;
    }
    // SAFETY: checked non-null and aligned; writable by the caller's contract.
    tri!(unsafe { raw::output(deadline_ms, at.map_or(SMPP_NO_TIMEOUT, Instant::as_millis)) });
    i32::from(at.is_some())
}

// ---- commands -------------------------------------------------------------------------------

/// ESME: sends a bind of `kind` (`SMPP_BIND_*`). Its outcome is `SMPP_EVENT_BOUND` or
/// `SMPP_EVENT_BIND_FAILED`.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `params` points to an initialized struct whose strings are
/// NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_bind(
    s: *mut smpp_session,
    now_ms: u64,
    kind: u32,
    params: *const smpp_bind_params,
) -> i32 {
    let kind = tri!(convert::bind_kind(kind));
    // SAFETY: the caller's contract for `params`.
    let params = tri!(tri!(unsafe { raw::input(params) }).ok_or(SMPP_ERR_NULL_POINTER));
    // SAFETY: the caller's contract for the strings of `params`.
    let fields = tri!(unsafe { raw::bind_fields(params) });
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.bind(Instant(now_ms), kind, &fields.bind()))) }
}

/// [`call`] for the commands that issue a handle: runs `f` on the session and stores the handle
/// through the optional out-pointer.
///
/// # Safety
/// `s` as [`raw::live`]; `out` NULL or writable.
unsafe fn call_for_handle(
    s: *mut smpp_session,
    out: *mut u32,
    f: impl FnOnce(&mut Inner) -> Result<session::Handle, i32>,
) -> i32 {
    let mut r = Err(SMPP_ERR_PANIC);
    // SAFETY: forwarded to the caller.
    let c = unsafe {
        call(s, |inner| {
            r = f(inner);
            SMPP_OK
        })
    };
    tri!(if c == SMPP_OK { Ok(()) } else { Err(c) });
    let handle = tri!(r);
    if !out.is_null() {
        // SAFETY: non-null and writable (the caller's contract).
        tri!(unsafe { raw::output(out, handle.0) });
    }
    SMPP_OK
}

/// ESME: submits one short message (its `short_message` as it is) and stores its handle in
/// `*handle` (which may be NULL); the outcome comes as `SMPP_EVENT_OUTCOME` with that handle.
/// Busy codes (`smpp_error_is_busy`) mean: try again later.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `sm` as `smpp_sm` says; `handle` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_submit(s: *mut smpp_session, now_ms: u64, sm: *const smpp_sm, handle: *mut u32) -> i32 {
    // SAFETY: the caller's contract for `sm`.
    let sm = tri!(tri!(unsafe { raw::input(sm) }).ok_or(SMPP_ERR_NULL_POINTER));
    // SAFETY: the caller's contract for the pointers inside `sm`.
    let fields = tri!(unsafe { raw::sm_fields(sm) });
    let sm = tri!(fields.sm());
    tri!(raw::check_output_or_null(handle));
    // SAFETY: the caller's contract for `s` and `handle`.
    unsafe { call_for_handle(s, handle, |inner| inner.submit(Instant(now_ms), &sm)) }
}

/// SMSC: sends a deliver_sm (a mobile-originated message, or a receipt with esm_class
/// `SMPP_ESM_CLASS_DELIVERY_RECEIPT`) on a receiver or transceiver bind; as `smpp_submit`.
///
/// # Safety
/// As `smpp_submit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_deliver(s: *mut smpp_session, now_ms: u64, sm: *const smpp_sm, handle: *mut u32) -> i32 {
    // SAFETY: the caller's contract for `sm`.
    let sm = tri!(tri!(unsafe { raw::input(sm) }).ok_or(SMPP_ERR_NULL_POINTER));
    // SAFETY: the caller's contract for the pointers inside `sm`.
    let fields = tri!(unsafe { raw::sm_fields(sm) });
    let sm = tri!(fields.sm());
    tri!(raw::check_output_or_null(handle));
    // SAFETY: the caller's contract for `s` and `handle`.
    unsafe { call_for_handle(s, handle, |inner| inner.deliver(Instant(now_ms), sm)) }
}

/// The text options of C, checked.
struct TextArgs<'a> {
    encoding: Option<Encoding>,
    concatenation: smpp_codec::text::segment::Concatenation,
    reference: u32,
    scratch: Option<&'a mut [u8]>,
}

/// Reads `smpp_text_options` (NULL: the defaults).
///
/// # Safety
/// `opts` is NULL or points to an initialized struct whose scratch is NULL or writable for
/// its length.
unsafe fn text_args<'a>(opts: *const smpp_text_options) -> Result<TextArgs<'a>, i32> {
    // SAFETY: the caller's contract for `opts`.
    let Some(o) = (unsafe { raw::input(opts) })? else {
        return Ok(TextArgs {
            encoding: None,
            concatenation: smpp_codec::text::segment::Concatenation::Udh8,
            reference: 0,
            scratch: None,
        });
    };
    let scratch = match o.scratch.is_null() {
        true => None,
        // SAFETY: the caller's contract for the scratch buffer.
        false => Some(unsafe { raw::bytes_mut(o.scratch, o.scratch_len) }?),
    };
    Ok(TextArgs {
        encoding: convert::encoding(o.encoding)?,
        concatenation: convert::concatenation(o.concatenation)?,
        reference: o.reference,
        scratch,
    })
}

/// The shared body of the two text submissions.
///
/// # Safety
/// As `smpp_submit_text`.
#[allow(clippy::too_many_arguments)]
unsafe fn submit_text(
    s: *mut smpp_session,
    now_ms: u64,
    tmpl: *const smpp_sm,
    text: *const c_char,
    text_len: usize,
    opts: *const smpp_text_options,
    languages: &[smpp_codec::text::gsm7::Language],
    message: *mut u32,
) -> i32 {
    // SAFETY: the caller's contract for `tmpl`.
    let template = tri!(tri!(unsafe { raw::input(tmpl) }).ok_or(SMPP_ERR_NULL_POINTER));
    // SAFETY: the caller's contract for the pointers inside `tmpl`.
    let fields = tri!(unsafe { raw::sm_fields(template) });
    let template = tri!(fields.sm());
    // SAFETY: the caller's contract for `text`.
    let text = tri!(unsafe { raw::bytes(text.cast(), text_len) });
    let text = tri!(core::str::from_utf8(text).map_err(|_| SMPP_ERR_BAD_ARGUMENT));
    // SAFETY: the caller's contract for `opts`.
    let args = tri!(unsafe { text_args(opts) });
    tri!(raw::check_output_or_null(message));
    // SAFETY: the caller's contract for `s` and `message`.
    unsafe {
        call_for_handle(s, message, |inner| {
            if let Some(scratch) = &args.scratch {
                if inner.overlaps_lent(scratch.as_ptr() as usize, scratch.len()) {
                    return Err(SMPP_ERR_BAD_ARGUMENT);
                }
            }
            inner.submit_text(
                Instant(now_ms),
                &template,
                text,
                args.encoding,
                args.concatenation,
                args.reference,
                languages,
                args.scratch,
            )
        })
    }
}

/// ESME: encodes `text` (UTF-8, `text_len` octets, no NUL needed), splits it into parts as
/// `opts` says (NULL: cheapest of GSM 03.38 and UCS-2, 8-bit UDH, automatic reference) and
/// submits them all at once, or none. The other fields come from `tmpl` (its
/// short_message and data_coding are ignored). Stores the message's handle in `*message`
/// (which may be NULL): each part has its own `SMPP_EVENT_OUTCOME` (with
/// `SMPP_EVENT_HAS_PART`), then one `SMPP_EVENT_MESSAGE_DONE` carries that handle.
/// `SMPP_ERR_BAD_ARGUMENT` for text that is not UTF-8.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `tmpl` as `smpp_sm` says; `text` readable for
/// `text_len` octets; `opts` NULL or initialized (its scratch writable); `message` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_submit_text(
    s: *mut smpp_session,
    now_ms: u64,
    tmpl: *const smpp_sm,
    text: *const c_char,
    text_len: usize,
    opts: *const smpp_text_options,
    message: *mut u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { submit_text(s, now_ms, tmpl, text, text_len, opts, &[], message) }
}

/// `smpp_submit_text` that may also choose, with `SMPP_ENCODING_AUTO`, the national shift
/// tables of the `SMPP_LANGUAGE_*` bits in `languages` when they need fewer parts than UCS-2.
/// A separate function so that firmware which never calls it does not link the tables.
///
/// # Safety
/// As `smpp_submit_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_submit_text_national(
    s: *mut smpp_session,
    now_ms: u64,
    tmpl: *const smpp_sm,
    text: *const c_char,
    text_len: usize,
    opts: *const smpp_text_options,
    languages: u32,
    message: *mut u32,
) -> i32 {
    let (list, n) = tri!(convert::languages(languages));
    let languages = list.get(..n).unwrap_or(&[]);
    // SAFETY: forwarded to the caller.
    unsafe { submit_text(s, now_ms, tmpl, text, text_len, opts, languages, message) }
}

/// Sends a request the application encoded itself: a whole PDU, header included, whose
/// sequence number the session replaces. Stores its handle in `*handle` (may be NULL).
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `frame` readable for `len` octets; `handle` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_send_frame(
    s: *mut smpp_session,
    now_ms: u64,
    frame: *const u8,
    len: usize,
    handle: *mut u32,
) -> i32 {
    // SAFETY: the caller's contract for `frame`.
    let frame = tri!(unsafe { raw::bytes(frame, len) });
    tri!(raw::check_output_or_null(handle));
    // SAFETY: the caller's contract for `s` and `handle`.
    unsafe { call_for_handle(s, handle, |inner| inner.send_frame(Instant(now_ms), frame)) }
}

/// Answers the peer's request `token` with `status` (`SMPP_STATUS_*` or any command_status).
/// With `message_id` non-NULL the response carries it (submit_sm, data_sm, deliver_sm,
/// submit_multi, broadcast_sm); with NULL it goes without a body of ours (error statuses, and
/// requests whose response has none).
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `message_id` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_respond(
    s: *mut smpp_session,
    now_ms: u64,
    token: u32,
    status_code: u32,
    message_id: *const c_char,
) -> i32 {
    let id = match message_id.is_null() {
        true => None,
        // SAFETY: the caller's contract for `message_id`.
        false => Some(tri!(unsafe { raw::cstr(message_id) })),
    };
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.respond(Instant(now_ms), token, status_code, id))) }
}

/// Acknowledges the peer's request `token` (deliver_sm or data_sm in manual ack mode) with
/// `status` (`SMPP_STATUS_OK`, or `SMPP_STATUS_TEMPORARY_APP_ERROR` to have it redelivered).
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_ack(s: *mut smpp_session, now_ms: u64, token: u32, status_code: u32) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.ack(Instant(now_ms), token, status_code))) }
}

/// SMSC: accepts the bind `token`, answering with our `system_id` (UTF-8, NUL-terminated).
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `system_id` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_accept_bind(
    s: *mut smpp_session,
    now_ms: u64,
    token: u32,
    system_id: *const c_char,
) -> i32 {
    // SAFETY: the caller's contract for `system_id`.
    let id = tri!(unsafe { raw::cstr(system_id) });
    let id = tri!(core::str::from_utf8(id).map_err(|_| SMPP_ERR_BAD_ARGUMENT));
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.accept_bind(Instant(now_ms), token, id))) }
}

/// SMSC: rejects the bind `token` with `status` (`SMPP_STATUS_INVALID_PASSWORD`, ...; 0
/// becomes ESME_RBINDFAIL) and closes.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_reject_bind(s: *mut smpp_session, now_ms: u64, token: u32, status_code: u32) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.reject_bind(Instant(now_ms), token, status_code))) }
}

/// Sends unbind. Peer requests still waiting for an answer get a transient error; the session
/// closes when unbind_resp arrives or the unbind timeout passes.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_unbind(s: *mut smpp_session, now_ms: u64) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { call(s, |inner| status(inner.unbind(Instant(now_ms)))) }
}

/// Closes at once, without unbind: pending peer requests get a transient error, every
/// outstanding request is reported lost, and `SMPP_EVENT_CLOSED` follows.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_close(s: *mut smpp_session, now_ms: u64) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            inner.close(Instant(now_ms));
            SMPP_OK
        })
    }
}

// ---- getters --------------------------------------------------------------------------------

/// The state (`SMPP_STATE_*`); `*bind_kind` (when not NULL) gets the bind (`SMPP_BIND_*`) of
/// the binding and bound states.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `bind_kind` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_state(s: *const smpp_session, bind_kind: *mut u32) -> i32 {
    tri!(raw::check_output_or_null(bind_kind));
    let mut got = (0, 0);
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        read(s, |inner| {
            got = convert::state_code(inner.session.state());
            SMPP_OK
        })
    };
    if r != SMPP_OK {
        return r;
    }
    if !bind_kind.is_null() {
        // SAFETY: non-null, aligned (checked) and writable by the caller's contract.
        tri!(unsafe { raw::output(bind_kind, got.1) });
    }
    count(got.0 as usize)
}

/// Copies the counters into `*out`.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_session_counters(s: *const smpp_session, out: *mut smpp_counters) -> i32 {
    tri!(raw::check_output(out));
    let mut got = smpp_counters::default();
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        read(s, |inner| {
            let c = inner.session.counters();
            got = smpp_counters {
                pdus_received: c.pdus_received,
                pdus_sent: c.pdus_sent,
                unexpected_responses: c.unexpected_responses,
                malformed: c.malformed,
                throttled: c.throttled,
                part_retries: c.part_retries,
                refused_busy: c.refused_busy,
                response_timeouts: c.response_timeouts,
                oversized: c.oversized,
            };
            SMPP_OK
        })
    };
    if r != SMPP_OK {
        return r;
    }
    // SAFETY: checked non-null and aligned; writable by the caller's contract.
    status(unsafe { raw::output(out, got) })
}

/// Requests awaiting a response (or a retry after throttling).
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_outstanding(s: *const smpp_session) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { read(s, |inner| count(inner.session.outstanding())) }
}

/// Octets waiting in the transmit buffer.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_pending_transmit(s: *const smpp_session) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe { read(s, |inner| count(inner.session.pending_transmit())) }
}

/// Whether submissions are paused after throttling at `now_ms`: returns 1 and stores when they
/// resume in `*until_ms`, or returns 0 (and stores `SMPP_NO_TIMEOUT`).
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `until_ms` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_paused_until(s: *const smpp_session, now_ms: u64, until_ms: *mut u64) -> i32 {
    tri!(raw::check_output(until_ms));
    let mut at = None;
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        read(s, |inner| {
            at = inner.session.paused_until(Instant(now_ms));
            SMPP_OK
        })
    };
    if r != SMPP_OK {
        return r;
    }
    // SAFETY: checked non-null and aligned; writable by the caller's contract.
    tri!(unsafe { raw::output(until_ms, at.map_or(SMPP_NO_TIMEOUT, Instant::as_millis)) });
    i32::from(at.is_some())
}

/// Stores the number the next handle will carry in `*handle`.
///
/// # Safety
/// `s` as in `smpp_esme_init_`; `handle` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_next_handle(s: *const smpp_session, handle: *mut u32) -> i32 {
    tri!(raw::check_output(handle));
    let mut got = 0;
    // SAFETY: the caller's contract for `s`.
    let r = unsafe {
        read(s, |inner| {
            got = inner.session.next_handle().0;
            SMPP_OK
        })
    };
    if r != SMPP_OK {
        return r;
    }
    // SAFETY: checked non-null and aligned; writable by the caller's contract.
    status(unsafe { raw::output(handle, got) })
}

/// Sets the number the next handle carries: a new session after a reconnect starts where the
/// last one stopped, so handles stay unique across them.
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_set_next_handle(s: *mut smpp_session, handle: u32) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            inner.session.set_next_handle(session::Handle(handle));
            SMPP_OK
        })
    }
}

/// Sets the sequence number the next request uses (1..=0x7FFFFFFF; others are clamped).
///
/// # Safety
/// `s` as in `smpp_esme_init_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smpp_set_next_sequence_number(s: *mut smpp_session, sequence_number: u32) -> i32 {
    // SAFETY: the caller's contract for `s`.
    unsafe {
        call(s, |inner| {
            inner.session.set_next_sequence_number(sequence_number);
            SMPP_OK
        })
    }
}
