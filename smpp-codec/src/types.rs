//! Field value types: TON, NPI, esm_class, registered_delivery, priority, data_coding,
//! message_state (SMPP-REFERENCE §6).

use crate::COctetStr;

open_enum! {
    /// Type of number (`*_ton`, §6.1).
    pub enum Ton: u8 {
        UNKNOWN = 0, "Unknown", "Unknown type of number.";
        INTERNATIONAL = 1, "International", "International number (E.164, no '+').";
        NATIONAL = 2, "National", "National number.";
        NETWORK_SPECIFIC = 3, "Network specific", "Network-specific number, e.g. a short code.";
        SUBSCRIBER_NUMBER = 4, "Subscriber number", "Subscriber number.";
        ALPHANUMERIC = 5, "Alphanumeric", "Alphanumeric sender id.";
        ABBREVIATED = 6, "Abbreviated", "Abbreviated number.";
    }
}

open_enum! {
    /// Numbering plan indicator (`*_npi`, §6.2).
    pub enum Npi: u8 {
        UNKNOWN = 0, "Unknown", "Unknown numbering plan.";
        ISDN = 1, "ISDN (E.163/E.164)", "ISDN telephone numbering plan.";
        DATA = 3, "Data (X.121)", "Data numbering plan.";
        TELEX = 4, "Telex (F.69)", "Telex numbering plan.";
        LAND_MOBILE = 6, "Land mobile (E.212)", "Land mobile numbering plan.";
        NATIONAL = 8, "National", "National numbering plan.";
        PRIVATE = 9, "Private", "Private numbering plan.";
        ERMES = 10, "ERMES", "ERMES numbering plan.";
        INTERNET = 14, "Internet (IP)", "Internet (IP) addressing.";
        WAP_CLIENT_ID = 18, "WAP client id", "WAP client id.";
    }
}

impl Default for Ton {
    fn default() -> Self {
        Ton::UNKNOWN
    }
}

impl Default for Npi {
    fn default() -> Self {
        Npi::UNKNOWN
    }
}

/// An SME address: TON, NPI and the address digits or name.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Address<'a> {
    /// Type of number.
    pub ton: Ton,
    /// Numbering plan.
    pub npi: Npi,
    /// The address itself (digits without '+', or an alphanumeric name).
    pub addr: COctetStr<'a>,
}

impl<'a> Address<'a> {
    /// An address from its parts.
    pub fn new(ton: Ton, npi: Npi, addr: impl Into<COctetStr<'a>>) -> Self {
        Address { ton, npi, addr: addr.into() }
    }

    /// An international E.164 number (TON 1, NPI 1), digits without '+'.
    pub fn international(digits: &'a str) -> Self {
        Address::new(Ton::INTERNATIONAL, Npi::ISDN, digits)
    }

    /// An alphanumeric sender id (TON 5, NPI 0).
    pub fn alphanumeric(name: &'a str) -> Self {
        Address::new(Ton::ALPHANUMERIC, Npi::UNKNOWN, name)
    }
}

/// Messaging mode, bits 1–0 of `esm_class` (ESME → SMSC).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessagingMode {
    /// SMSC default mode (normally store and forward).
    Default,
    /// Datagram mode.
    Datagram,
    /// Forward (transaction) mode.
    Forward,
    /// Store and forward.
    StoreAndForward,
}

/// Message type, bits 5–2 of `esm_class`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessageType {
    /// A normal message.
    Normal,
    /// SMSC delivery receipt (0x04).
    SmscDeliveryReceipt,
    /// SME delivery acknowledgement (0x08).
    SmeDeliveryAck,
    /// SME manual/user acknowledgement (0x10).
    SmeManualAck,
    /// Conversation abort (0x18, Korean CDMA).
    ConversationAbort,
    /// Intermediate delivery notification (0x20).
    IntermediateNotification,
    /// A reserved value of the four bits.
    Reserved(u8),
}

/// The `esm_class` octet (§6.3), read field by field (never compare whole bytes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EsmClass(pub u8);

impl EsmClass {
    /// UDHI alone: the short message starts with a user data header.
    pub const UDHI: EsmClass = EsmClass(0x40);
    /// The reply path bit alone.
    pub const REPLY_PATH: EsmClass = EsmClass(0x80);
    /// Message type "SMSC delivery receipt", default mode.
    pub const DELIVERY_RECEIPT: EsmClass = EsmClass(0x04);
    /// Message type "intermediate delivery notification", default mode.
    pub const INTERMEDIATE_NOTIFICATION: EsmClass = EsmClass(0x20);

    /// Bits 1–0.
    pub const fn messaging_mode(self) -> MessagingMode {
        match self.0 & 0x03 {
            0 => MessagingMode::Default,
            1 => MessagingMode::Datagram,
            2 => MessagingMode::Forward,
            _ => MessagingMode::StoreAndForward,
        }
    }

    /// Bits 5–2.
    pub const fn message_type(self) -> MessageType {
        match (self.0 >> 2) & 0x0F {
            0 => MessageType::Normal,
            1 => MessageType::SmscDeliveryReceipt,
            2 => MessageType::SmeDeliveryAck,
            4 => MessageType::SmeManualAck,
            6 => MessageType::ConversationAbort,
            8 => MessageType::IntermediateNotification,
            other => MessageType::Reserved(other),
        }
    }

    /// Whether a user data header starts the short message.
    pub const fn udhi(self) -> bool {
        self.0 & Self::UDHI.0 != 0
    }

    /// Whether the reply path bit is set.
    pub const fn reply_path(self) -> bool {
        self.0 & Self::REPLY_PATH.0 != 0
    }

    /// Whether this is an SMSC delivery receipt or an intermediate notification.
    pub const fn is_receipt(self) -> bool {
        matches!(self.message_type(), MessageType::SmscDeliveryReceipt | MessageType::IntermediateNotification)
    }

    /// The same value with UDHI set or cleared.
    #[must_use]
    pub const fn with_udhi(self, on: bool) -> Self {
        if on { EsmClass(self.0 | Self::UDHI.0) } else { EsmClass(self.0 & !Self::UDHI.0) }
    }
}

/// What SMSC delivery receipt is requested, bits 1–0 of `registered_delivery`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReceiptRequest {
    /// No receipt.
    None,
    /// On success or failure.
    Always,
    /// On failure only.
    OnFailure,
    /// On success only (5.0; reserved in 3.4).
    OnSuccess,
}

/// The `registered_delivery` octet (§6.4).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RegisteredDelivery(pub u8);

impl RegisteredDelivery {
    /// No receipt, no acknowledgement.
    pub const NONE: RegisteredDelivery = RegisteredDelivery(0);
    /// A receipt on success or failure (what most applications want).
    pub const RECEIPT: RegisteredDelivery = RegisteredDelivery(1);

    /// Bits 1–0.
    pub const fn receipt(self) -> ReceiptRequest {
        match self.0 & 0x03 {
            0 => ReceiptRequest::None,
            1 => ReceiptRequest::Always,
            2 => ReceiptRequest::OnFailure,
            _ => ReceiptRequest::OnSuccess,
        }
    }

    /// Bits 3–2: SME originated acknowledgement (0 none, 1 delivery, 2 manual/user, 3 both).
    pub const fn sme_ack(self) -> u8 {
        (self.0 >> 2) & 0x03
    }

    /// Bit 4: intermediate notification requested.
    pub const fn intermediate_notification(self) -> bool {
        self.0 & 0x10 != 0
    }
}

/// The `data_coding` octet (§6.6).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DataCoding(pub u8);

/// The alphabet a `data_coding` value selects, as far as the text layer is concerned.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Alphabet {
    /// SMSC default alphabet, usually GSM 03.38 (0x00, and GSM7 message-class values).
    Default,
    /// IA5 / ASCII (0x01).
    Ia5,
    /// Latin-1 (0x03).
    Latin1,
    /// 8-bit binary (0x02, 0x04, 8-bit message-class values).
    Binary,
    /// UCS-2 / UTF-16BE (0x08).
    Ucs2,
    /// Anything else (JIS, Cyrillic, Hebrew, ...): passed through untouched.
    Other,
}

impl DataCoding {
    /// SMSC default alphabet (usually GSM 03.38).
    pub const DEFAULT: DataCoding = DataCoding(0x00);
    /// IA5 / ASCII.
    pub const IA5: DataCoding = DataCoding(0x01);
    /// 8-bit binary (0x02).
    pub const BINARY: DataCoding = DataCoding(0x02);
    /// Latin-1.
    pub const LATIN1: DataCoding = DataCoding(0x03);
    /// 8-bit binary (0x04, the GSM DCS value).
    pub const BINARY_GSM: DataCoding = DataCoding(0x04);
    /// UCS-2 / UTF-16BE.
    pub const UCS2: DataCoding = DataCoding(0x08);

    /// The alphabet this value selects.
    pub const fn alphabet(self) -> Alphabet {
        match self.0 {
            0x00 => Alphabet::Default,
            0x01 => Alphabet::Ia5,
            0x02 | 0x04 => Alphabet::Binary,
            0x03 => Alphabet::Latin1,
            0x08 => Alphabet::Ucs2,
            // GSM TP-DCS values seen in the wild: general data coding without compression.
            0x10..=0x1F => match self.0 & 0x0C {
                0x00 => Alphabet::Default,
                0x04 => Alphabet::Binary,
                0x08 => Alphabet::Ucs2,
                _ => Alphabet::Other,
            },
            0xF0..=0xFF => {
                if self.0 & 0x04 == 0 {
                    Alphabet::Default
                } else {
                    Alphabet::Binary
                }
            }
            _ => Alphabet::Other,
        }
    }

    /// The GSM message class (0–3) for 0xF0–0xFF and 0x10–0x1F values.
    pub const fn message_class(self) -> Option<u8> {
        match self.0 {
            0x10..=0x1F | 0xF0..=0xFF => Some(self.0 & 0x03),
            _ => None,
        }
    }
}

/// `priority_flag` (§6.5): 0 (lowest) to 3; other values are reserved.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Priority(pub u8);

impl Priority {
    /// Whether the value is one the specification defines (0–3).
    pub const fn is_valid(self) -> bool {
        self.0 <= 3
    }
}

open_enum! {
    /// Message state (message_state TLV, query_sm_resp; §6.7).
    pub enum MessageState: u8 {
        SCHEDULED = 0, "SCHEDULED", "Scheduled for later delivery (5.0).";
        ENROUTE = 1, "ENROUTE", "In transit.";
        DELIVERED = 2, "DELIVRD", "Delivered to the destination.";
        EXPIRED = 3, "EXPIRED", "Validity period expired.";
        DELETED = 4, "DELETED", "Deleted.";
        UNDELIVERABLE = 5, "UNDELIV", "Undeliverable.";
        ACCEPTED = 6, "ACCEPTD", "Accepted (read manually on behalf of the subscriber).";
        UNKNOWN = 7, "UNKNOWN", "State unknown.";
        REJECTED = 8, "REJECTD", "Rejected.";
        SKIPPED = 9, "SKIPPED", "Skipped (5.0).";
    }
}

impl MessageState {
    /// Whether the state is final (no further receipts expected).
    pub const fn is_final(self) -> bool {
        !matches!(self.raw(), 0 | 1)
    }
}

impl Default for MessageState {
    fn default() -> Self {
        MessageState::SCHEDULED
    }
}

/// `interface_version` values.
pub mod interface_version {
    /// SMPP 3.3 or older is anything up to 0x33.
    pub const V33: u8 = 0x33;
    /// SMPP 3.4.
    pub const V34: u8 = 0x34;
    /// SMPP 5.0.
    pub const V50: u8 = 0x50;
}
