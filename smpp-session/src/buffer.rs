//! The receive and transmit buffers, both borrowed from the caller.
//!
//! The receive buffer holds a byte stream: frames are cut from its front as they are processed,
//! and the transport writes straight into its free tail. The transmit buffer is a byte queue of
//! encoded PDUs that the transport reads straight from.

use smpp_codec::{Frame, HEADER_LEN, frame_len};

/// Moves `buf[from..from + len]` down to `buf[to..]` (`to <= from`), in pieces that do not
/// overlap, so that only `memcpy` is linked: `copy_within` would bring in `memmove`, 1.5 KiB
/// on a Cortex-M.
pub(crate) fn move_down(buf: &mut [u8], from: usize, to: usize, len: usize) {
    let step = from.saturating_sub(to);
    if step == 0 || from + len > buf.len() {
        return;
    }
    let mut done = 0;
    while done < len {
        let n = step.min(len - done);
        let (low, high) = buf.split_at_mut(from + done);
        if let (Some(dst), Some(src)) = (low.get_mut(to + done..to + done + n), high.get(..n)) {
            dst.copy_from_slice(src);
        }
        done += n;
    }
}

/// What the front of the receive stream holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Front {
    /// Not a whole frame yet.
    Incomplete,
    /// A whole frame of this many octets.
    Complete(usize),
    /// A command_length that cannot be right: framing is lost.
    Invalid { length: u32, sequence_number: u32 },
    /// A frame within the configured maximum but longer than the buffer; its header is here.
    TooLarge(smpp_codec::Header),
}

/// Received octets not processed yet, from `start` to `end`; the first `held` of them are the
/// frame whose event the application is looking at.
#[derive(Debug)]
pub(crate) struct RxBuf<'b> {
    buf: &'b mut [u8],
    start: usize,
    end: usize,
    held: usize,
    /// Octets still to discard of a frame too large for the buffer.
    skip: usize,
}

impl<'b> RxBuf<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        RxBuf { buf, start: 0, end: 0, held: 0, skip: 0 }
    }

    /// Octets received and not processed (the held frame included).
    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    /// The free tail, after moving the unprocessed octets to the front when that makes room.
    pub(crate) fn free_tail(&mut self) -> &mut [u8] {
        if self.start > 0 {
            move_down(self.buf, self.start, 0, self.end - self.start);
            self.end -= self.start;
            self.start = 0;
        }
        self.buf.get_mut(self.end..).unwrap_or(&mut [])
    }

    /// The transport wrote `n` octets into [`free_tail`](Self::free_tail); more than it offered
    /// is clamped.
    pub(crate) fn commit(&mut self, n: usize) {
        let mut n = n.min(self.buf.len() - self.end);
        if self.skip > 0 {
            let d = n.min(self.skip);
            move_down(self.buf, self.end + d, self.end, n - d);
            self.skip -= d;
            n -= d;
        }
        self.end += n;
    }

    /// Copies as much of `data` as fits; returns how much.
    pub(crate) fn push(&mut self, data: &[u8]) -> usize {
        let tail = self.free_tail();
        let n = tail.len().min(data.len());
        if let (Some(dst), Some(src)) = (tail.get_mut(..n), data.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.commit(n);
        n
    }

    /// Drops every unprocessed octet.
    // Out of line: called from several places (measured smaller on a Cortex-M).
    #[inline(never)]
    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.held = 0;
        self.skip = 0;
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.start + self.held..self.end).unwrap_or(&[])
    }

    /// What the stream holds after the held frame. Frames longer than `max_command_length`
    /// lose the framing; frames longer than the buffer are skipped.
    pub(crate) fn front(&self, max_command_length: u32) -> Front {
        let pending = self.pending();
        // A frame is judged once its whole header is here, so that the answer to a bad one (its
        // sequence number) does not depend on how the octets were cut.
        if pending.len() < HEADER_LEN {
            return Front::Incomplete;
        }
        match frame_len(pending, max_command_length) {
            Ok(Frame::Complete(n)) => Front::Complete(n),
            Ok(Frame::Incomplete { needed }) if needed > self.buf.len() => match smpp_codec::Header::parse(pending) {
                Ok(header) => Front::TooLarge(header),
                Err(_) => Front::Incomplete,
            },
            Ok(Frame::Incomplete { .. }) => Front::Incomplete,
            Err(smpp_codec::Error::InvalidCommandLength { length }) => {
                let sequence_number =
                    pending.get(12..HEADER_LEN).and_then(|s| s.try_into().ok()).map_or(0, u32::from_be_bytes);
                Front::Invalid { length, sequence_number }
            }
            Err(_) => Front::Incomplete,
        }
    }

    /// The next frame, `len` octets as [`front`](Self::front) measured.
    pub(crate) fn next_frame(&self, len: usize) -> &[u8] {
        self.pending().get(..len).unwrap_or(&[])
    }

    /// Releases the held frame.
    pub(crate) fn release(&mut self) {
        self.start += self.held;
        self.held = 0;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// The next frame (`len` octets) becomes the held one; the previous held frame must have
    /// been released.
    pub(crate) fn hold(&mut self, len: usize) {
        self.release();
        self.held = len.min(self.end - self.start);
    }

    /// Discards the next frame, `len` octets of which may not have arrived yet.
    pub(crate) fn skip_oversized(&mut self, len: usize) {
        self.release();
        let here = (self.end - self.start).min(len);
        self.start += here;
        self.skip = len - here;
        self.release();
    }

    /// Discards the next frame (`len` octets) without holding it.
    pub(crate) fn skip(&mut self, len: usize) {
        self.release();
        self.start = (self.start + len).min(self.end);
        self.release();
    }

    /// The held frame, empty when none.
    pub(crate) fn held(&self) -> &[u8] {
        self.buf.get(self.start..self.start + self.held).unwrap_or(&[])
    }
}

/// A byte queue of encoded PDUs.
#[derive(Debug)]
pub(crate) struct TxBuf<'b> {
    buf: &'b mut [u8],
    start: usize,
    end: usize,
}

/// Where a [`TxBuf`] stood, to undo writes that must be all-or-nothing.
#[derive(Copy, Clone, Debug)]
pub(crate) struct TxMark(usize);

impl<'b> TxBuf<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        TxBuf { buf, start: 0, end: 0 }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    /// Octets a new PDU may take (after compaction).
    pub(crate) fn free(&self) -> usize {
        self.buf.len() - self.len()
    }

    /// Octets waiting to be sent.
    pub(crate) fn pending(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// `n` octets were sent.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Makes room for `len` octets and lets `write` fill them. Callers check
    /// [`free`](Self::free) first; `false` when the room is not there after all.
    #[inline(always)]
    pub(crate) fn push_with<E>(
        &mut self,
        len: usize,
        write: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<bool, E> {
        // The generic part is only the call of `write`: one copy of the rest serves every caller.
        let Some(dst) = self.room(len) else {
            return Ok(false);
        };
        let n = write(dst)?;
        self.wrote(n.min(len));
        Ok(true)
    }

    /// `len` octets at the end of the queue, compacting it first when they do not fit after it.
    fn room(&mut self, len: usize) -> Option<&mut [u8]> {
        if self.buf.len() - self.end < len {
            move_down(self.buf, self.start, 0, self.end - self.start);
            self.end -= self.start;
            self.start = 0;
        }
        self.buf.get_mut(self.end..self.end + len)
    }

    /// `n` octets were written into [`room`](Self::room).
    // Out of line: called from several places (measured smaller on a Cortex-M).
    #[inline(never)]
    fn wrote(&mut self, n: usize) {
        self.end += n;
    }

    /// Copies `bytes` in; `false` when they do not fit.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> bool {
        self.push_with(bytes.len(), |dst| {
            dst.copy_from_slice(bytes);
            Ok::<_, ()>(bytes.len())
        })
        .unwrap_or(false)
    }

    /// The end of the queue now. Valid until the next `consume` or compaction, so only within
    /// one command.
    pub(crate) fn mark(&mut self) -> TxMark {
        // Compact first so that no later push in the same command moves the octets.
        if self.start > 0 {
            move_down(self.buf, self.start, 0, self.end - self.start);
            self.end -= self.start;
            self.start = 0;
        }
        TxMark(self.end)
    }

    /// Drops everything written after `mark`.
    pub(crate) fn rollback(&mut self, mark: TxMark) {
        self.end = mark.0.clamp(self.start, self.end);
    }

    /// The octets written since `mark`.
    pub(crate) fn last_written_from(&self, mark: TxMark) -> &[u8] {
        self.buf.get(mark.0..self.end).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::move_down;

    #[test]
    fn move_down_handles_overlap_and_distance() {
        for (from, to, len) in [(3, 0, 10), (1, 0, 12), (5, 2, 8), (7, 0, 3), (4, 4, 5), (0, 0, 0)] {
            let mut buf: [u8; 13] = core::array::from_fn(|i| i as u8);
            let mut want = buf;
            want.copy_within(from..from + len, to);
            move_down(&mut buf, from, to, len);
            assert_eq!(buf, want, "{from} {to} {len}");
        }
    }
}
