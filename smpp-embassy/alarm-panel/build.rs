//! defmt's linker script exists only when defmt is linked: pass it only with the `defmt` feature.
fn main() {
    if std::env::var_os("CARGO_FEATURE_DEFMT").is_some() {
        println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
    }
}
