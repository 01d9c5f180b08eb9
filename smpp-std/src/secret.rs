//! A password that never shows in `Debug`, `Display` or logs.

use std::fmt;

/// A secret string (an SMPP password). Its `Debug` and `Display` print `***`; read it with
/// [`Password::expose`] where it goes on the wire.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(s: impl Into<String>) -> Self {
        Password(s.into())
    }

    /// The password itself, for the bind PDU.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_prints() {
        let p = Password::new("hunter2");
        assert_eq!(format!("{p:?} {p} {:?}", Some(&p)), "Password(***) *** Some(Password(***))");
        assert_eq!(p.expose(), "hunter2");
    }
}
