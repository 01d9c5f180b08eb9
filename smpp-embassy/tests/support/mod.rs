//! Host test support: an embassy executor per test on its own thread, embassy-net stacks, the
//! test SMSC listening on them, and the ESME runner.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod scenarios;
pub mod smsc;

use std::boxed::Box;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use embassy_executor::Spawner;
use embassy_executor::raw::TaskStorage;
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Ipv4Address, Ipv4Cidr, Stack, StackResources, StaticConfigV4};
use embassy_net_driver_channel as ch;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use smpp_embassy::{Buffers, Config, Remote, RunError, Runner, TcpConnector};

use scenarios::{IDS, MO, TEXT, TICKETS, TestClient, TestState, WINDOW};
use smsc::{Behaviour, Ended, Shared};

/// Leaks `v`: everything a task borrows lives as long as the test process.
pub fn leak<T>(v: T) -> &'static mut T {
    Box::leak(Box::new(v))
}

/// Spawns any `'static` future as a task (no `#[task]` pool to size).
pub fn spawn<F: Future<Output = ()> + 'static>(spawner: Spawner, f: F) {
    let storage: &'static TaskStorage<F> = leak(TaskStorage::new());
    spawner.spawn(storage.spawn(|| f).expect("a fresh task storage"));
}

/// One test at a time: they run on real time, and two cores are shared.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `main` on a fresh embassy executor (platform-std) on its own thread until it completes;
/// fails the test if it panics or takes longer than `limit`.
pub fn run<F, Fut>(limit: Duration, main: F)
where
    F: FnOnce(Spawner) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let done = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&done);
    let thread = std::thread::spawn(move || {
        let executor = leak(embassy_executor::Executor::new());
        let finished = Arc::clone(&flag);
        executor.run_until(
            move |spawner| {
                spawn(spawner, async move {
                    main(spawner).await;
                    finished.store(true, Ordering::SeqCst);
                })
            },
            move || flag.load(Ordering::SeqCst),
        );
    });
    let start = std::time::Instant::now();
    while !thread.is_finished() {
        assert!(start.elapsed() < limit, "the scenario did not finish within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
    assert!(done.load(Ordering::SeqCst));
}

pub const MTU: usize = 1514;
pub const SMSC_PORT: u16 = 2775;

/// An embassy-net stack with a static address, its runner spawned.
pub fn stack<D: embassy_net::driver::Driver + 'static>(
    spawner: Spawner,
    device: D,
    addr: [u8; 4],
    seed: u64,
) -> Stack<'static> {
    let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(addr[0], addr[1], addr[2], addr[3]), 24),
        gateway: None,
        dns_servers: heapless::Vec::new(),
    });
    let (stack, mut runner) = embassy_net::new(device, config, leak(StackResources::<4>::new()), seed);
    spawn(spawner, async move { runner.run().await });
    stack
}

/// Two stacks joined by a virtual cable (embassy-net-driver-channel): 10.0.0.1 for the SMSC,
/// 10.0.0.2 for the ESME.
pub fn cable(spawner: Spawner) -> (Stack<'static>, Stack<'static>) {
    let (runner_a, dev_a) =
        ch::new(leak(ch::State::<MTU, 4, 4>::new()), ch::driver::HardwareAddress::Ethernet([2, 0, 0, 0, 0, 1]));
    let (runner_b, dev_b) =
        ch::new(leak(ch::State::<MTU, 4, 4>::new()), ch::driver::HardwareAddress::Ethernet([2, 0, 0, 0, 0, 2]));
    let (state_a, rx_a, tx_a) = runner_a.split();
    let (state_b, rx_b, tx_b) = runner_b.split();
    state_a.set_link_state(ch::driver::LinkState::Up);
    state_b.set_link_state(ch::driver::LinkState::Up);
    spawn(spawner, wire(tx_a, rx_b));
    spawn(spawner, wire(tx_b, rx_a));
    (stack(spawner, dev_a, [10, 0, 0, 1], 1), stack(spawner, dev_b, [10, 0, 0, 2], 2))
}

/// Moves frames one way along the cable.
async fn wire(mut from: ch::TxRunner<'static, MTU>, mut to: ch::RxRunner<'static, MTU>) {
    loop {
        let frame = from.tx_buf().await;
        let len = frame.len();
        let buf = to.rx_buf().await;
        buf[..len].copy_from_slice(frame);
        to.rx_done(len);
        from.tx_done();
    }
}

/// The test SMSC on an embassy-net stack: one connection at a time on port 2775.
pub async fn listen(stack: Stack<'static>, behaviour: Behaviour, shared: &'static Shared) {
    let mut rx = [0u8; 2048];
    let mut tx = [0u8; 2048];
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        if socket.accept(SMSC_PORT).await.is_err() {
            continue;
        }
        match smsc::serve(&mut socket, &behaviour, shared).await {
            Ended::Close => socket.close(),
            Ended::Abort => socket.abort(),
        }
        let _ = embassy_time::with_timeout(embassy_time::Duration::from_secs(1), socket.flush()).await;
    }
}

pub type TestRunner = Runner<'static, CriticalSectionRawMutex, TcpConnector<'static>, WINDOW, TICKETS, TEXT, IDS, MO>;

/// How the runner's `run` ended.
pub type RunResult = Signal<CriticalSectionRawMutex, Result<(), RunError>>;

/// The runner over `stack` to the SMSC at `smsc`, spawned; returns the application's handle and
/// where `run`'s result lands.
pub fn esme(
    spawner: Spawner,
    stack: Stack<'static>,
    smsc: [u8; 4],
    config: Config<'static>,
) -> (TestClient, &'static RunResult) {
    start(spawner, stack, smsc, config, None)
}

/// [`esme`] with a part store for the session.
#[allow(dead_code)]
pub fn esme_with_part_store(
    spawner: Spawner,
    stack: Stack<'static>,
    smsc: [u8; 4],
    config: Config<'static>,
    store: &'static mut [u8],
) -> (TestClient, &'static RunResult) {
    start(spawner, stack, smsc, config, Some(store))
}

fn start(
    spawner: Spawner,
    stack: Stack<'static>,
    smsc: [u8; 4],
    config: Config<'static>,
    part_store: Option<&'static mut [u8]>,
) -> (TestClient, &'static RunResult) {
    let state: &'static TestState = leak(TestState::new());
    let remote = IpEndpoint::new(Ipv4Address::new(smsc[0], smsc[1], smsc[2], smsc[3]).into(), SMSC_PORT);
    let connector = TcpConnector::new(stack, Remote::Addr(remote), leak([0u8; 2048]), leak([0u8; 2048]));
    let buffers = Buffers { rx: leak([0u8; 1024]), tx: leak([0u8; 1536]) };
    let (client, mut runner): (TestClient, TestRunner) = smpp_embassy::new(state, connector, config, buffers);
    if let Some(store) = part_store {
        runner = runner.with_part_store(store);
    }
    let result: &'static RunResult = leak(Signal::new());
    spawn(spawner, async move { result.signal(runner.run().await) });
    (client, result)
}
