//! The server every client is measured against: our SMSC simulator in its own process.

use std::io::Read;

use smpp_std::server::{Profile, Server, ServerConfig};

/// The LabsMobile profile as shipped, except that a message's state becomes final (and the
/// store may forget it) 10 ms after it is accepted instead of 100 ms: the store's default
/// 100 000 messages would otherwise all be pending at a million messages a second, and a
/// store full of pending messages answers ESME_RMSGQFUL. No client asks for receipts.
pub fn config() -> ServerConfig {
    let mut profile = Profile::labsmobile();
    profile.receipts.delay = std::time::Duration::from_millis(10);
    ServerConfig::new(crate::SYSTEM_ID, crate::PASSWORD, profile)
}

/// Serves on a free loopback port until standard input closes; prints `LISTENING addr` first.
pub fn serve() -> Result<(), String> {
    let mut server = Server::start("127.0.0.1:0", config()).map_err(|e| format!("server: {e}"))?;
    println!("LISTENING {}", server.local_addr());
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    server.stop();
    Ok(())
}
