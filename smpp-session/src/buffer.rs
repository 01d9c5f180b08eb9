//! The receive and transmit buffers, both borrowed from the caller.

use smpp_codec::{Frame, HEADER_LEN, Header, frame_len};

/// Accumulates one frame at a time.
#[derive(Debug)]
pub(crate) struct RxBuf<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> RxBuf<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        RxBuf { buf, len: 0 }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    pub(crate) fn header(&self) -> Option<Header> {
        Header::parse(self.buf.get(..self.len)?).ok()
    }

    /// The octets of the frame so far.
    pub(crate) fn frame(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Octets this frame needs in total, once the length is known.
    fn target(&self, max: u32) -> Result<usize, u32> {
        match frame_len(self.frame(), max) {
            Ok(Frame::Complete(n)) => Ok(n),
            Ok(Frame::Incomplete { needed }) => Ok(needed.max(if self.len < 4 { 4 } else { HEADER_LEN })),
            Err(smpp_codec::Error::InvalidCommandLength { length }) => Err(length),
            Err(_) => Err(0),
        }
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.len >= HEADER_LEN && matches!(frame_len(self.frame(), u32::MAX), Ok(Frame::Complete(n)) if n == self.len)
    }

    /// Copies from `data` no further than the end of the current frame. Returns the octets
    /// taken, or the bad command_length.
    pub(crate) fn fill(&mut self, data: &[u8], max: u32) -> Result<usize, u32> {
        let mut taken = 0;
        loop {
            let target = self.target(max)?.min(self.buf.len());
            if self.len >= target {
                return Ok(taken);
            }
            let want = target - self.len;
            let src = data.get(taken..).unwrap_or(&[]);
            let n = want.min(src.len());
            if n == 0 {
                return Ok(taken);
            }
            if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..self.len + n), src.get(..n)) {
                dst.copy_from_slice(src);
            }
            self.len += n;
            taken += n;
        }
    }
}

/// A byte queue of encoded PDUs.
#[derive(Debug)]
pub(crate) struct TxBuf<'b> {
    buf: &'b mut [u8],
    start: usize,
    end: usize,
}

impl<'b> TxBuf<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        TxBuf { buf, start: 0, end: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    /// Space for a new PDU (after compaction).
    pub(crate) fn free(&self) -> usize {
        self.buf.len() - self.len()
    }

    /// Makes room for `len` octets and lets `write` fill them; `write` returns how many it
    /// wrote, which must be `len`.
    pub(crate) fn push_with<E>(
        &mut self,
        len: usize,
        write: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<(), E> {
        if self.buf.len() - self.end < len {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let Some(dst) = self.buf.get_mut(self.end..self.end + len) else {
            // Callers check `free()` first; reaching here means a bug, so drop rather than panic.
            return Ok(());
        };
        let n = write(dst)?;
        self.end += n.min(len);
        Ok(())
    }

    pub(crate) fn drain_into(&mut self, out: &mut [u8]) -> usize {
        let n = self.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), self.buf.get(self.start..self.start + n)) {
            dst.copy_from_slice(src);
        }
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        n
    }
}
