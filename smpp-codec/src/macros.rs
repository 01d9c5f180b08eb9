//! The open-enum macro: named values of an integer field, and every other value kept as is.

/// Declares an open enumeration over an integer type, as a newtype with one associated
/// constant per named value.
///
/// Values off the wire that have no name are kept, never rejected. Being a plain integer
/// underneath, conversions are free and the constants can be used in `match` patterns. The
/// constants are SCREAMING_SNAKE_CASE like every constant of the crate (`CommandId::SUBMIT_SM`);
/// `name()` gives the specification's spelling.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ty {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal, $text:literal, $desc:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name($repr);

        impl $name {
            $(
                #[doc = $desc]
                $(#[$vmeta])*
                pub const $variant: $name = $name($value);
            )+

            /// The value for a raw number, named or not.
            pub const fn from_raw(raw: $repr) -> Self {
                $name(raw)
            }

            /// The value as it goes on the wire.
            pub const fn raw(self) -> $repr {
                self.0
            }

            /// The specification's name for the value, if it has one.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )+
                    _ => None,
                }
            }

            /// A one-line description of the value, if it has a name.
            pub const fn description(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($desc), )+
                    _ => None,
                }
            }

            /// Whether the value has a name here.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }
        }

        impl From<$repr> for $name {
            fn from(raw: $repr) -> Self {
                $name(raw)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}(0x{:X})", stringify!($name), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "0x{:X}", self.0),
                }
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name {
            fn format(&self, f: defmt::Formatter<'_>) {
                match self.name() {
                    Some(name) => defmt::write!(f, "{=str}", name),
                    None => defmt::write!(f, "{=u32:#x}", self.0 as u32),
                }
            }
        }
    };
}
