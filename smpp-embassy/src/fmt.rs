//! Logging shim: with the `defmt` feature the macros forward to defmt; without it their arguments
//! are only type-checked, never evaluated, so that no formatting code (nor any code computing
//! what would be logged) is linked and no variable used only for logging looks unused.
#![allow(unused_macros)]

#[cfg(feature = "defmt")]
macro_rules! debug {
    ($($t:tt)*) => { ::defmt::debug!($($t)*) };
}

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

#[cfg(not(feature = "defmt"))]
macro_rules! debug {
    ($s:literal $(, $x:expr)* $(,)?) => {{ if false { let _ = ($( & $x ),*); } }};
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
