//! Every dereference of a pointer that C hands in. The rest of the crate sees only references
//! and slices made here, each under the contract written in `smpp.h` and restated in the
//! `# Safety` section of the function that relies on it.

use core::ffi::c_char;
use core::mem::{align_of, offset_of, size_of};
use core::ptr;
use core::slice;

use crate::abi::*;
use crate::convert::{BindFields, SmFields};
use session::Session;

use crate::inner::{Head, Inner, MAGIC_DEAD, MAGIC_LIVE, MAGIC_POISONED, W};

/// The longest C string read: no SMPP C-Octet String field holds more than 65 octets, so a
/// string without a NUL this far is a mistake, reported instead of read on.
const MAX_CSTR: usize = 256;

/// Checks that `p` holds a live session.
///
/// # Safety
/// As [`live`].
unsafe fn check(p: *mut Inner) -> Result<(), i32> {
    if p.is_null() {
        return Err(SMPP_ERR_NULL_POINTER);
    }
    if !p.is_aligned() {
        return Err(SMPP_ERR_STORAGE_MISALIGNED);
    }
    // SAFETY: `p` is non-null and aligned, and the storage is large enough for an `Inner`
    // (the caller's contract), so its `magic` field is in bounds and aligned; it is read
    // through a raw pointer, creating no reference to an `Inner` that may not be there.
    match unsafe { magic_of(p).read() } {
        MAGIC_LIVE => Ok(()),
        MAGIC_POISONED => Err(SMPP_ERR_PANIC),
        _ => Err(SMPP_ERR_NOT_INITIALIZED),
    }
}

/// The live session in `s`, borrowed for the call.
///
/// # Safety
/// `s` is NULL, or points to storage that `smpp_esme_init_` or `smpp_smsc_init_` initialized
/// (or that is zeroed, or was deinitialized), at least `size_of::<Inner>()` octets long, and no
/// other call uses it meanwhile. The magic number catches zeroed and deinitialized storage; storage never
/// initialized at all is outside the contract.
pub(crate) unsafe fn live<'a>(s: *mut smpp_session) -> Result<&'a mut Inner, i32> {
    let p = s.cast::<Inner>();
    // SAFETY: forwarded to the caller.
    unsafe { check(p) }?;
    // SAFETY: the magic says `init` wrote a whole `Inner` here (it writes the magic last) and
    // `deinit` has not run since (it clears the magic); no other reference to it exists during
    // this call (one call at a time, no callbacks into C).
    Ok(unsafe { &mut *p })
}

/// [`live`] for the getters, which only read.
///
/// # Safety
/// As [`live`].
pub(crate) unsafe fn live_ref<'a>(s: *const smpp_session) -> Result<&'a Inner, i32> {
    let p = s.cast::<Inner>().cast_mut();
    // SAFETY: forwarded to the caller.
    unsafe { check(p) }?;
    // SAFETY: as in `live`; the reference is shared and only read through.
    Ok(unsafe { &*p })
}

/// Where the `magic` field of the `Inner` at `p` is (computed without dereferencing `p`).
fn magic_of(p: *mut Inner) -> *mut u32 {
    p.cast::<u8>().wrapping_add(offset_of!(Inner, head.magic)).cast::<u32>()
}

/// Marks the session in `s` unusable after a caught panic.
///
/// # Safety
/// `s` passed [`live`] in this call, and the borrow it gave has ended.
pub(crate) unsafe fn poison(s: *mut smpp_session) {
    // SAFETY: `s` points to a live, aligned `Inner` (it passed `live`) that nothing borrows
    // now; only its `magic` is written.
    unsafe { magic_of(s.cast::<Inner>()).write(MAGIC_POISONED) };
}

/// Ends the session in `s` (checked by [`live`] first).
///
/// # Safety
/// `s` passed [`live`] in this call, and the borrow it gave has ended.
pub(crate) unsafe fn destroy(s: *mut smpp_session) {
    let p = s.cast::<Inner>();
    // SAFETY: `p` holds a live `Inner` that nothing borrows; after this it is never read as an
    // `Inner` again until `init` writes a new one, because the magic below says it is dead.
    unsafe { ptr::drop_in_place(p) };
    // SAFETY: the storage is still there and aligned; only the `magic` field is written.
    unsafe { magic_of(p).write(MAGIC_DEAD) };
}

/// Writes a new session into the caller's storage: the session, then the head with the magic
/// that makes it live. Two writes rather than one of a whole `Inner` built on the stack: the
/// session is moved once, from its constructor's result, which keeps init's stack near one
/// session instead of two.
///
/// # Safety
/// `s` is non-null, aligned for `Inner`, and valid for writes of `size_of::<Inner>()` octets
/// (checked against the size the caller declared), and no call uses it meanwhile.
pub(crate) unsafe fn install(s: *mut smpp_session, session: Session<'static, W>, head: Head) {
    let at = |offset: usize| s.cast::<u8>().wrapping_add(offset);
    let session_at = at(offset_of!(Inner, session)).cast::<Session<'static, W>>();
    let head_at = at(offset_of!(Inner, head)).cast::<Head>();
    // SAFETY: the field lies inside the storage and is aligned (the storage is aligned for
    // `Inner`); whatever was there is overwritten without being read or dropped (a previous
    // session holds nothing that needs dropping: only borrows).
    unsafe { session_at.write(session) };
    // SAFETY: as above, for the other field; written last, its magic makes the session live.
    unsafe { head_at.write(head) };
}

/// A caller's buffer, lent to the session from init to deinit.
///
/// `'static` stands for "until `smpp_session_deinit`": the slice is stored only inside the
/// session, which lives in the caller's storage and is destroyed by deinit; it never escapes
/// to anything that could outlive the session.
///
/// # Safety
/// `ptr` is NULL, or points to `len` octets that are writable, stay valid and are not read or
/// written by anyone but the session until `smpp_session_deinit` (the `smpp_buffers` contract),
/// and overlap no other buffer or the storage (checked by the caller with [`disjoint`]).
pub(crate) unsafe fn lend(ptr: *mut u8, len: usize) -> Result<&'static mut [u8], i32> {
    if ptr.is_null() {
        return Err(SMPP_ERR_NULL_POINTER);
    }
    if len > isize::MAX as usize {
        return Err(SMPP_ERR_BAD_ARGUMENT);
    }
    // SAFETY: non-null, at most isize::MAX octets, and exclusively the session's for as long
    // as the session exists (the contract above).
    Ok(unsafe { slice::from_raw_parts_mut(ptr, len) })
}

/// Whether the address ranges `(start, len)` are pairwise disjoint (empty ones never overlap).
pub(crate) fn disjoint(ranges: &[(usize, usize)]) -> bool {
    ranges.iter().enumerate().all(|(i, &(a, alen))| {
        ranges
            .iter()
            .skip(i + 1)
            .all(|&(b, blen)| alen == 0 || blen == 0 || a.saturating_add(alen) <= b || b.saturating_add(blen) <= a)
    })
}

/// Octets the caller lends for one call.
///
/// # Safety
/// `ptr` is NULL with `len` 0, or points to `len` readable octets that nothing writes during
/// the call.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], i32> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(SMPP_ERR_NULL_POINTER);
    }
    if len > isize::MAX as usize {
        return Err(SMPP_ERR_BAD_ARGUMENT);
    }
    // SAFETY: non-null, readable for `len` octets and unchanged during the call (contract).
    Ok(unsafe { slice::from_raw_parts(ptr, len) })
}

/// Writable octets the caller lends for one call.
///
/// # Safety
/// `ptr` is NULL with `len` 0, or points to `len` writable octets that nothing else reads or
/// writes during the call.
pub(crate) unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], i32> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(SMPP_ERR_NULL_POINTER);
    }
    if len > isize::MAX as usize {
        return Err(SMPP_ERR_BAD_ARGUMENT);
    }
    // SAFETY: non-null, writable for `len` octets and exclusively ours during the call.
    Ok(unsafe { slice::from_raw_parts_mut(ptr, len) })
}

/// The octets of a NUL-terminated C string, without the NUL; NULL is the empty string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that nothing writes during the call.
pub(crate) unsafe fn cstr<'a>(p: *const c_char) -> Result<&'a [u8], i32> {
    if p.is_null() {
        return Ok(&[]);
    }
    let p = p.cast::<u8>();
    let mut len = 0;
    loop {
        if len > MAX_CSTR {
            return Err(SMPP_ERR_BAD_ARGUMENT);
        }
        // SAFETY: every octet before the NUL and the NUL itself are readable (contract), and
        // the loop stops at the first NUL.
        if unsafe { p.wrapping_add(len).read() } == 0 {
            break;
        }
        len += 1;
    }
    // SAFETY: the `len` octets before the NUL were just read one by one: they are readable,
    // and unchanged during the call (contract).
    Ok(unsafe { slice::from_raw_parts(p, len) })
}

/// A struct the caller passes by pointer; NULL gives `None`.
///
/// # Safety
/// `p` is NULL or points to an initialized `T` that nothing writes during the call.
pub(crate) unsafe fn input<'a, T>(p: *const T) -> Result<Option<&'a T>, i32> {
    if !p.is_aligned() {
        return Err(SMPP_ERR_BAD_ARGUMENT);
    }
    // SAFETY: NULL or an aligned pointer to an initialized `T` (contract; every field of the
    // C structs read this way is an integer or a pointer, valid for any bit pattern).
    Ok(unsafe { p.as_ref() })
}

/// Stores `value` through an out-pointer.
///
/// # Safety
/// `p` is NULL or points to writable memory for a `T` that nothing else uses during the call.
pub(crate) unsafe fn output<T>(p: *mut T, value: T) -> Result<(), i32> {
    if p.is_null() {
        return Err(SMPP_ERR_NULL_POINTER);
    }
    if !p.is_aligned() {
        return Err(SMPP_ERR_BAD_ARGUMENT);
    }
    // SAFETY: non-null, aligned, writable (contract); `T` is plain data, so nothing there
    // needed dropping.
    unsafe { p.write(value) };
    Ok(())
}

/// Checks an out-pointer before the call that fills it may consume anything.
pub(crate) fn check_output<T>(p: *mut T) -> Result<(), i32> {
    if p.is_null() {
        Err(SMPP_ERR_NULL_POINTER)
    } else if !p.is_aligned() {
        Err(SMPP_ERR_BAD_ARGUMENT)
    } else {
        Ok(())
    }
}

/// The fields of a message, read from the pointers in `sm`.
///
/// # Safety
/// Every string pointer in `sm` is NULL or NUL-terminated, and `short_message` and `tlvs` are
/// NULL with a length of 0 or readable for their lengths; nothing writes them during the call.
pub(crate) unsafe fn sm_fields<'a>(sm: &'a smpp_sm) -> Result<SmFields<'a>, i32> {
    Ok(SmFields {
        raw: *sm,
        // SAFETY: each of these is a string of `sm` (contract).
        service_type: unsafe { cstr(sm.service_type) }?,
        // SAFETY: as above.
        source_addr: unsafe { cstr(sm.source_addr) }?,
        // SAFETY: as above.
        dest_addr: unsafe { cstr(sm.dest_addr) }?,
        // SAFETY: as above.
        schedule_delivery_time: unsafe { cstr(sm.schedule_delivery_time) }?,
        // SAFETY: as above.
        validity_period: unsafe { cstr(sm.validity_period) }?,
        // SAFETY: the user data and its length (contract).
        short_message: unsafe { bytes(sm.short_message, sm.short_message_len) }?,
        // SAFETY: the encoded TLVs and their length (contract).
        tlvs: unsafe { bytes(sm.tlvs, sm.tlvs_len) }?,
    })
}

/// The fields of a bind, read from the pointers in `p`.
///
/// # Safety
/// Every string pointer in `p` is NULL or NUL-terminated; nothing writes them during the call.
pub(crate) unsafe fn bind_fields<'a>(p: &'a smpp_bind_params) -> Result<BindFields<'a>, i32> {
    Ok(BindFields {
        // SAFETY: each of these is a string of `p` (contract).
        system_id: unsafe { cstr(p.system_id) }?,
        // SAFETY: as above.
        password: unsafe { cstr(p.password) }?,
        // SAFETY: as above.
        system_type: unsafe { cstr(p.system_type) }?,
        interface_version: p.interface_version,
        addr_ton: p.addr_ton,
        addr_npi: p.addr_npi,
        // SAFETY: as above.
        address_range: unsafe { cstr(p.address_range) }?,
    })
}

/// Checks an optional out-pointer: NULL is fine, misaligned is not.
pub(crate) fn check_output_or_null<T>(p: *mut T) -> Result<(), i32> {
    if p.is_null() { Ok(()) } else { check_output(p) }
}

/// The session's storage needs.
pub(crate) const fn session_size() -> usize {
    size_of::<Inner>()
}

/// The session's alignment needs.
pub(crate) const fn session_align() -> usize {
    align_of::<Inner>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_that_touch_are_disjoint_and_ranges_that_share_an_octet_are_not() {
        assert!(disjoint(&[(0, 10), (10, 10), (20, 5)]));
        assert!(!disjoint(&[(0, 10), (9, 10)]));
        assert!(!disjoint(&[(100, 10), (0, 5), (105, 1)]));
        assert!(disjoint(&[(0, 0), (0, 10)]), "an empty range overlaps nothing");
    }

    #[test]
    fn c_strings_stop_at_the_nul_and_a_missing_one_is_reported() {
        // SAFETY: a NUL-terminated literal.
        assert_eq!(unsafe { cstr(c"abc".as_ptr()) }, Ok(&b"abc"[..]));
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { cstr(ptr::null()) }, Ok(&b""[..]));
        let long = [b'x'; MAX_CSTR + 8];
        let mut terminated = [0u8; MAX_CSTR + 9];
        terminated[..long.len()].copy_from_slice(&long);
        // SAFETY: `terminated` has a NUL at its end, past the limit.
        assert_eq!(unsafe { cstr(terminated.as_ptr().cast()) }, Err(SMPP_ERR_BAD_ARGUMENT));
    }
}
