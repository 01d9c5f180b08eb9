//! An ESME firmware's use of SMPP (`esme_app.rs`) with no national language allowed: GSM 03.38
//! or UCS-2. What `measure.sh` holds to the target.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_halt as _;

#[path = "../esme_app.rs"]
mod esme_app;

#[entry]
fn main() -> ! {
    esme_app::run(&[])
}
