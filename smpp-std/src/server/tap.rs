//! Finds the PDU boundaries in one direction of a byte stream, as the octets pass by in any
//! chunking, without holding up the session that reads them.
//!
//! The server uses it to log every PDU in both directions. Whole frames are lent to the caller;
//! a frame split across reads is copied until it is whole. Memory is bounded by the largest
//! `command_length` accepted; past a `command_length` that cannot be right the stream's framing
//! is lost and the tap stops (the session closes the connection then).

use smpp_codec::HEADER_LEN;

/// What the tap lends for each PDU.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Seen<'a> {
    /// The whole PDU.
    Frame(&'a [u8]),
}

/// The framing state of one direction.
#[derive(Debug)]
pub(crate) struct Tap {
    max: usize,
    /// Octets of the current frame seen so far (all of it, or its header only).
    partial: Vec<u8>,
    /// Length of the current frame, once known.
    length: Option<usize>,
    lost: bool,
}

impl Tap {
    /// A tap; frames longer than `max` lose the framing.
    pub(crate) fn new(max: usize) -> Self {
        Tap { max: max.max(HEADER_LEN), partial: Vec::new(), length: None, lost: false }
    }

    /// Passes `bytes` (the next octets of the stream) and calls `seen` for each PDU that ends
    /// in them.
    pub(crate) fn feed(&mut self, mut bytes: &[u8], seen: &mut impl FnMut(Seen<'_>)) {
        while !bytes.is_empty() && !self.lost {
            // Fast path: whole frames at the start of `bytes`, nothing kept from before.
            if self.partial.is_empty() {
                match frame_length(bytes, self.max) {
                    Some(Ok(len)) if len <= bytes.len() => {
                        let (frame, rest) = bytes.split_at(len);
                        self.lend(frame, seen);
                        bytes = rest;
                        continue;
                    }
                    Some(Err(())) => {
                        self.lost = true;
                        return;
                    }
                    _ => {}
                }
            }
            // Keep octets until the length, then the whole frame, is known.
            let want = self.length.unwrap_or(4);
            let n = want.saturating_sub(self.partial.len()).min(bytes.len());
            self.partial.extend_from_slice(bytes.get(..n).unwrap_or(&[]));
            bytes = bytes.get(n..).unwrap_or(&[]);
            if self.length.is_none() {
                match frame_length(&self.partial, self.max) {
                    Some(Ok(len)) => self.length = Some(len),
                    Some(Err(())) => {
                        self.lost = true;
                        return;
                    }
                    None => continue,
                }
            }
            let Some(len) = self.length else { continue };
            let kept = self.partial.len();
            if kept == len {
                let frame = std::mem::take(&mut self.partial);
                self.lend(&frame, seen);
                self.partial = frame;
                self.partial.clear();
                self.length = None;
            }
        }
    }

    fn lend(&self, frame: &[u8], seen: &mut impl FnMut(Seen<'_>)) {
        seen(Seen::Frame(frame));
    }
}

/// The frame length at the start of `bytes`: `None` until 4 octets are there, `Err` when it
/// cannot be right.
fn frame_length(bytes: &[u8], max: usize) -> Option<Result<usize, ()>> {
    let len = u32::from_be_bytes(*bytes.first_chunk::<4>()?) as usize;
    Some(if (HEADER_LEN..=max).contains(&len) { Ok(len) } else { Err(()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdu(id: u32, seq: u32, body: &[u8]) -> Vec<u8> {
        let mut v = ((HEADER_LEN + body.len()) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(&id.to_be_bytes());
        v.extend_from_slice(&[0; 4]);
        v.extend_from_slice(&seq.to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    fn run(stream: &[u8], chunk: usize) -> Vec<(u32, usize)> {
        let mut tap = Tap::new(1024);
        let mut out = Vec::new();
        for c in stream.chunks(chunk) {
            tap.feed(c, &mut |Seen::Frame(f)| {
                let seq = smpp_codec::Header::parse(f).map_or(0, |h| h.sequence_number);
                out.push((seq, f.len()));
            });
        }
        out
    }

    #[test]
    fn frames_are_found_in_any_chunking() {
        let mut stream = pdu(0x15, 1, &[]);
        stream.extend(pdu(4, 2, &[7; 40]));
        stream.extend(pdu(0x15, 3, &[]));
        for chunk in [1, 2, 3, 5, 16, 17, 100] {
            assert_eq!(run(&stream, chunk), [(1, 16), (2, 56), (3, 16)], "chunk {chunk}");
        }
    }

    #[test]
    fn an_impossible_length_stops_the_tap() {
        let mut stream = pdu(0x15, 1, &[]);
        stream.extend([0, 0, 0, 3, 0, 0, 0, 0x15]);
        stream.extend(pdu(0x15, 2, &[]));
        assert_eq!(run(&stream, 7), [(1, 16)]);
        let mut tap = Tap::new(64);
        let mut n = 0;
        tap.feed(&pdu(4, 1, &[0; 100]), &mut |_| n += 1);
        assert_eq!(n, 0, "longer than the maximum");
    }
}
