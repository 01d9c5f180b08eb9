//! An in-memory duplex connection between the runner (the ESME end) and the test SMSC, through
//! two embassy-sync pipes. Each connection has a generation: an end from an earlier connection
//! reads end-of-stream and fails to write, as a closed socket would.

use core::cell::Cell;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embassy_sync::signal::Signal;
use embedded_io_async::{ErrorKind, ErrorType, Read, Write};

type Cs = CriticalSectionRawMutex;

/// Octets in flight each way.
const PIPE: usize = 512;

/// The cable between the two ends.
pub struct Wire {
    to_smsc: Pipe<Cs, PIPE>,
    to_esme: Pipe<Cs, PIPE>,
    /// (generation, open)
    state: Mutex<Cs, Cell<(u32, bool)>>,
    esme_closed: Signal<Cs, ()>,
    smsc_closed: Signal<Cs, ()>,
    connected: Signal<Cs, u32>,
}

impl Default for Wire {
    fn default() -> Self {
        Self::new()
    }
}

impl Wire {
    pub const fn new() -> Self {
        Wire {
            to_smsc: Pipe::new(),
            to_esme: Pipe::new(),
            state: Mutex::new(Cell::new((0, false))),
            esme_closed: Signal::new(),
            smsc_closed: Signal::new(),
            connected: Signal::new(),
        }
    }

    fn open(&self) -> u32 {
        self.to_smsc.clear();
        self.to_esme.clear();
        self.esme_closed.reset();
        self.smsc_closed.reset();
        let generation = self.state.lock(|s| {
            let g = s.get().0.wrapping_add(1);
            s.set((g, true));
            g
        });
        self.connected.signal(generation);
        generation
    }

    fn is_open(&self, generation: u32) -> bool {
        self.state.lock(|s| s.get() == (generation, true))
    }

    fn close(&self, generation: u32) {
        let closed = self.state.lock(|s| {
            let (g, open) = s.get();
            let now = g == generation && open;
            if now {
                s.set((g, false));
            }
            now
        });
        if closed {
            self.esme_closed.signal(());
            self.smsc_closed.signal(());
        }
    }

    /// The SMSC's side of the next connection.
    pub async fn accept(&self) -> End<'_> {
        let generation = self.connected.wait().await;
        End { wire: self, generation, esme: false }
    }

    /// The connector the runner uses.
    pub fn connector(&self) -> Connector<'_> {
        Connector(self)
    }
}

/// One end of one connection. Dropping it closes the connection.
pub struct End<'w> {
    wire: &'w Wire,
    generation: u32,
    esme: bool,
}

impl End<'_> {
    fn incoming(&self) -> &Pipe<Cs, PIPE> {
        match self.esme {
            true => &self.wire.to_esme,
            false => &self.wire.to_smsc,
        }
    }

    fn outgoing(&self) -> &Pipe<Cs, PIPE> {
        match self.esme {
            true => &self.wire.to_smsc,
            false => &self.wire.to_esme,
        }
    }

    fn closed(&self) -> &Signal<Cs, ()> {
        match self.esme {
            true => &self.wire.esme_closed,
            false => &self.wire.smsc_closed,
        }
    }

    /// Closes the connection (both ends see it).
    pub fn close(&self) {
        self.wire.close(self.generation);
    }
}

impl Drop for End<'_> {
    fn drop(&mut self) {
        self.close();
    }
}

impl ErrorType for End<'_> {
    type Error = ErrorKind;
}

impl Read for End<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        loop {
            if !self.wire.is_open(self.generation) {
                return Ok(0);
            }
            if let Ok(n) = self.incoming().try_read(buf) {
                return Ok(n);
            }
            // Cancel-safe: the pipe's read takes octets only when it completes.
            match select(self.incoming().read(buf), self.closed().wait()).await {
                Either::First(n) if self.wire.is_open(self.generation) => return Ok(n),
                _ => {}
            }
        }
    }
}

impl Write for End<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if !self.wire.is_open(self.generation) {
            return Err(ErrorKind::BrokenPipe);
        }
        match select(self.outgoing().write(buf), self.closed().wait()).await {
            Either::First(n) if self.wire.is_open(self.generation) => Ok(n),
            _ => Err(ErrorKind::BrokenPipe),
        }
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        match self.wire.is_open(self.generation) {
            true => Ok(()),
            false => Err(ErrorKind::BrokenPipe),
        }
    }
}

/// Opens connections on the wire for the runner.
pub struct Connector<'w>(&'w Wire);

impl smpp_embassy::Connect for Connector<'_> {
    type Error = ErrorKind;
    type Connection<'c>
        = End<'c>
    where
        Self: 'c;

    async fn connect(&mut self) -> Result<End<'_>, ErrorKind> {
        let generation = self.0.open();
        Ok(End { wire: self.0, generation, esme: true })
    }
}
