//! An alarm panel on a NUCLEO-F767ZI: when the alarm input rises (the blue user button, PC13,
//! stands in for a zone's contact), it sends an SMS to every number on its list through an SMPP
//! SMSC, waits for each delivery receipt, and sends again with back-off to the numbers whose
//! receipt does not say delivered. The SMPP link stays bound (enquire_link keeps it alive) and
//! comes back by itself after a network or SMSC outage.
//!
//! LEDs: green (LD1) while bound; blue (LD2) while an alarm is being delivered; red (LD3) when
//! the last alarm could not be delivered to every number.
#![no_std]
#![no_main]

#[cfg(any(
    all(feature = "smpp", any(feature = "baseline", feature = "codec-only", feature = "rusmpp")),
    all(feature = "baseline", any(feature = "codec-only", feature = "rusmpp")),
    all(feature = "codec-only", feature = "rusmpp"),
))]
compile_error!("pick one variant: smpp (the default), or baseline, codec-only or rusmpp with --no-default-features");
#[cfg(all(any(feature = "codec-only", feature = "rusmpp"), not(feature = "defmt")))]
compile_error!("the codec-only and rusmpp variants log what they decode: build them with the defmt feature");

#[macro_use]
mod fmt;

mod config;

#[cfg(feature = "smpp")]
mod alarm;
#[cfg(not(feature = "smpp"))]
mod baseline;
#[cfg(feature = "tls")]
mod tls;

#[cfg(feature = "defmt")]
use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_net::StackResources;
use embassy_stm32::eth::{Ethernet, GenericPhy, PacketQueue, Sma};
use embassy_stm32::exti::ExtiInput;
use embassy_stm32::gpio::{Level, Output, Pull, Speed};
use embassy_stm32::peripherals::{ETH, ETH_SMA};
use embassy_stm32::rcc::{
    AHBPrescaler, APBPrescaler, Hse, HseMode, Pll, PllMul, PllPDiv, PllPreDiv, PllSource, Sysclk,
};
use embassy_stm32::rng::Rng;
use embassy_stm32::time::Hertz;
use embassy_stm32::{bind_interrupts, eth, exti, interrupt, peripherals, rng};
use panic_probe as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    ETH => eth::InterruptHandler;
    RNG => rng::InterruptHandler<peripherals::RNG>;
    EXTI15_10 => exti::InterruptHandler<interrupt::typelevel::EXTI15_10>;
});

/// The on-chip Ethernet MAC with the board's LAN8742A PHY (RMII).
pub type Device = Ethernet<'static, ETH, GenericPhy<Sma<'static, ETH_SMA>>>;

/// The panel's outputs.
pub struct Leds {
    /// LD1, green: bound to the SMSC.
    pub bound: Output<'static>,
    /// LD2, blue: an alarm is being delivered.
    pub busy: Output<'static>,
    /// LD3, red: the last alarm did not reach every number.
    pub fault: Output<'static>,
}

/// 216 MHz from the 8 MHz the ST-LINK feeds to HSE; Ethernet needs at least 25 MHz of HCLK.
fn clocks() -> embassy_stm32::Config {
    let mut config = embassy_stm32::Config::default();
    config.rcc.hse = Some(Hse { freq: Hertz(8_000_000), mode: HseMode::Bypass });
    config.rcc.pll_src = PllSource::HSE;
    config.rcc.pll =
        Some(Pll { prediv: PllPreDiv::DIV4, mul: PllMul::MUL216, divp: Some(PllPDiv::DIV2), divq: None, divr: None });
    config.rcc.ahb_pre = AHBPrescaler::DIV1;
    config.rcc.apb1_pre = APBPrescaler::DIV4;
    config.rcc.apb2_pre = APBPrescaler::DIV2;
    config.rcc.sys = Sysclk::PLL1_P;
    config
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Device>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_stm32::init(clocks());
    info!("alarm panel starting");

    let mut rng = Rng::new(p.RNG, Irqs);
    let seed = u64::from(rng.next_u32()) << 32 | u64::from(rng.next_u32());

    static PACKETS: StaticCell<PacketQueue<4, 4>> = StaticCell::new();
    let device = Ethernet::new(
        PACKETS.init(PacketQueue::new()),
        p.ETH,
        Irqs,
        p.PA1,
        p.PA7,
        p.PC4,
        p.PC5,
        p.PG13,
        p.PB13,
        p.PG11,
        config::mac_address(),
        p.ETH_SMA,
        p.PA2,
        p.PC1,
    );
    static RESOURCES: StaticCell<StackResources<3>> = StaticCell::new();
    let net = embassy_net::Config::dhcpv4(Default::default());
    let (stack, runner) = embassy_net::new(device, net, RESOURCES.init(StackResources::new()), seed);
    spawner.spawn(unwrap!(net_task(runner)));

    let alarm = ExtiInput::new(p.PC13, p.EXTI13, Pull::Down, Irqs);
    let leds = Leds {
        bound: Output::new(p.PB0, Level::Low, Speed::Low),
        busy: Output::new(p.PB7, Level::Low, Speed::Low),
        fault: Output::new(p.PB14, Level::Low, Speed::Low),
    };

    #[cfg(all(feature = "smpp", not(feature = "tls")))]
    alarm::start(spawner, stack, alarm, leds, rng.next_u32());
    // The TLS handshakes take the TRNG.
    #[cfg(feature = "tls")]
    alarm::start(spawner, stack, alarm, leds, rng.next_u32(), rng);
    #[cfg(not(feature = "smpp"))]
    baseline::start(spawner, stack, alarm, leds);
}
