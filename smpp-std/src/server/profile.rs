//! The provider a server imitates, as data: what it accepts, the ids it gives, the receipts it
//! sends.

use std::time::Duration;

use smpp_session::BindKind;

/// The form of the message ids the server gives.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdFormat {
    /// 13 lowercase hex characters (LabsMobile: `68090a534e551`).
    Hex13,
    /// Decimal digits.
    Decimal,
}

/// How receipts are sent.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ReceiptStyle {
    /// esm_class of the deliver_sm (4: receipt; EngageLab uses 0).
    pub esm_class: u8,
    /// Whether receipted_message_id and message_state TLVs go with the text.
    pub tlvs: bool,
}

/// A provider's behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Its name.
    pub name: &'static str,
    /// The binds it accepts.
    pub binds: Vec<BindKind>,
    /// Its message ids.
    pub ids: IdFormat,
    /// Its receipts.
    pub receipt: ReceiptStyle,
    /// How long after the submission a receipt comes.
    pub receipt_delay: Duration,
    /// Destinations ending with this are undeliverable (the receipt says UNDELIV).
    pub undeliverable_suffix: Option<String>,
}

impl Profile {
    /// LabsMobile: all three binds, 13-hex-character ids, receipts with esm_class 4 and both
    /// TLVs; destinations ending in 0 are undeliverable.
    pub fn labsmobile() -> Self {
        Profile {
            name: "labsmobile",
            binds: vec![BindKind::Transmitter, BindKind::Receiver, BindKind::Transceiver],
            ids: IdFormat::Hex13,
            receipt: ReceiptStyle { esm_class: 4, tlvs: true },
            receipt_delay: Duration::from_millis(100),
            undeliverable_suffix: Some("0".into()),
        }
    }

    /// Whether a bind of `kind` is accepted.
    pub fn accepts(&self, kind: BindKind) -> bool {
        self.binds.contains(&kind)
    }

    /// The id of the `n`-th accepted message.
    pub fn id(&self, n: u64) -> String {
        match self.ids {
            IdFormat::Hex13 => format!("{:013x}", n & 0xF_FFFF_FFFF_FFFF),
            IdFormat::Decimal => n.to_string(),
        }
    }
}
