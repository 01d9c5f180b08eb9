//! The open-enum macro: named values plus `Other(raw)` for everything else.

/// Declares an open enumeration over an integer type.
///
/// Values off the wire that have no name are kept in `Other(raw)`, never rejected. Equality and
/// hashing go through the raw value, so `Other(0x34)` equals the named variant for 0x34.
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
        #[derive(Copy, Clone, Debug, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        $vis enum $name {
            $(
                #[doc = $desc]
                $(#[$vmeta])*
                $variant,
            )+
            /// A value without a name here, kept as it came off the wire.
            Other($repr),
        }

        impl $name {
            /// Maps a raw value to its variant (`Other` when it has no name).
            pub const fn from_raw(raw: $repr) -> Self {
                match raw {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }

            /// The value as it goes on the wire.
            pub const fn raw(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(raw) => raw,
                }
            }

            /// The specification's name for the value, if it has one.
            pub const fn name(self) -> Option<&'static str> {
                match Self::from_raw(self.raw()) {
                    $( Self::$variant => Some($text), )+
                    Self::Other(_) => None,
                }
            }

            /// A one-line description of the value, if it has a name.
            pub const fn description(self) -> Option<&'static str> {
                match Self::from_raw(self.raw()) {
                    $( Self::$variant => Some($desc), )+
                    Self::Other(_) => None,
                }
            }

            /// Whether the value has a name here.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }
        }

        impl From<$repr> for $name {
            fn from(raw: $repr) -> Self {
                Self::from_raw(raw)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.raw()
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.raw() == other.raw()
            }
        }

        impl core::hash::Hash for $name {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                self.raw().hash(state)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "0x{:X}", self.raw()),
                }
            }
        }
    };
}
