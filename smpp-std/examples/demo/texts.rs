//! The demo's three texts, shared by `examples/demo` and `smpp demo` so that both send the same.

/// A standard (GSM 03.38) text, a Unicode one with emoji, and a long one that needs several
/// parts, each with the name the demo prints beside it.
pub fn texts() -> [(&'static str, String); 3] {
    [
        ("standard", "Alarm panel 12: zone 3 (back door) opened at 02:14.".to_string()),
        ("unicode", "Alarma 🚨 panel 12: zona 3 abierta — ¿todo en orden? ✅".to_string()),
        ("long", "Alarm panel 12 daily report: all zones armed at 22:00, zone 3 opened at 02:14, siren sounded for 30 s, patrol dispatched at 02:16 and the zone was closed again at 02:31. Battery 87 %, mains power present, signal -71 dBm.".repeat(2)),
    ]
}
