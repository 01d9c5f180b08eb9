//! Logging: with the `defmt` feature the macros are defmt's; without it their arguments are only
//! type-checked, never evaluated (nothing is computed, formatted or sent), and `unwrap!` panics
//! without a message.
#![allow(unused_macros)]

#[cfg(feature = "defmt")]
macro_rules! info {
    ($($t:tt)*) => { ::defmt::info!($($t)*) };
}

#[cfg(feature = "defmt")]
macro_rules! warn {
    ($($t:tt)*) => { ::defmt::warn!($($t)*) };
}

#[cfg(feature = "defmt")]
macro_rules! error {
    ($($t:tt)*) => { ::defmt::error!($($t)*) };
}

#[cfg(feature = "defmt")]
macro_rules! unwrap {
    ($($t:tt)*) => { ::defmt::unwrap!($($t)*) };
}

#[cfg(not(feature = "defmt"))]
macro_rules! info {
    ($s:literal $(, $x:expr)* $(,)?) => {{ if false { let _ = ($( & $x ),*); } }};
}

#[cfg(not(feature = "defmt"))]
macro_rules! warn {
    ($s:literal $(, $x:expr)* $(,)?) => {{ if false { let _ = ($( & $x ),*); } }};
}

#[cfg(not(feature = "defmt"))]
macro_rules! error {
    ($s:literal $(, $x:expr)* $(,)?) => {{ if false { let _ = ($( & $x ),*); } }};
}

#[cfg(not(feature = "defmt"))]
macro_rules! unwrap {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(_) => ::core::panic!("unwrap failed"),
        }
    };
}
