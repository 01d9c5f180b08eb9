//! The provider a server imitates, as data: the binds it accepts, what it does with wrong
//! credentials, the commands it answers, the message ids it gives, what it checks in a
//! submission, and how and when it sends receipts. [`Profile::labsmobile`] and
//! [`Profile::engagelab`] follow the providers' pages (`shared/providers/`); any field can be
//! changed to imitate another SMSC.

use std::time::Duration;

use smpp_codec::{CommandId, CommandStatus, EsmClass};
use smpp_session::BindKind;

/// The form of the message ids the server gives.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdFormat {
    /// 13 lowercase hex characters, as LabsMobile's (`68090a534e551`).
    Hex13,
    /// Decimal digits.
    Decimal,
}

impl IdFormat {
    /// The id of the message numbered `n`.
    pub fn format(self, n: u64) -> String {
        match self {
            IdFormat::Hex13 => format!("{:013x}", n & 0x000F_FFFF_FFFF_FFFF),
            IdFormat::Decimal => n.to_string(),
        }
    }

    /// The number of an id this format wrote (`None` for anything else).
    pub fn parse(self, id: &[u8]) -> Option<u64> {
        let s = std::str::from_utf8(id).ok()?;
        match self {
            IdFormat::Hex13 if s.len() == 13 => u64::from_str_radix(s, 16).ok(),
            IdFormat::Hex13 => None,
            IdFormat::Decimal if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            IdFormat::Decimal => None,
        }
    }

    /// The first number: ids are unique across restarts of the server, because they start from
    /// the clock (LabsMobile's look like PHP `uniqid()`: seconds and microseconds in hex).
    pub(crate) fn first(self, since_epoch: Duration) -> u64 {
        match self {
            IdFormat::Hex13 => {
                (since_epoch.as_secs() << 20 | u64::from(since_epoch.subsec_micros())) & 0x000F_FFFF_FFFF_FFFF
            }
            IdFormat::Decimal => u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX / 2),
        }
    }
}

/// What the server does when a bind names no account or the wrong password.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BadCredentials {
    /// Answer the bind with this status (and close).
    Answer(CommandStatus),
    /// Close the connection without answering (EngageLab).
    Disconnect,
}

/// When a receipt is sent.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReceiptPolicy {
    /// As registered_delivery asks: 1 always, 2 on failure only, 3 on success only (SMPP 5.0),
    /// 0 never.
    AsRequested,
    /// For every accepted message, whatever registered_delivery says.
    Always,
}

/// Where a receipt is addressed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReceiptAddressing {
    /// From the handset (the submission's destination) to the submission's sender, as SMPP
    /// 3.4 Appendix B and LabsMobile do.
    Swapped,
    /// source_addr empty and destination_addr the submission's destination (EngageLab).
    ToDestination,
}

/// How receipts are written and when they come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptStyle {
    /// Which messages get one.
    pub policy: ReceiptPolicy,
    /// esm_class of the deliver_sm: 4 (SMSC delivery receipt) or 0 (EngageLab).
    pub esm_class: EsmClass,
    /// Whether the receipted_message_id and message_state TLVs go with the text.
    pub tlvs: bool,
    /// How the receipt is addressed.
    pub addressing: ReceiptAddressing,
    /// service_type of the deliver_sm.
    pub service_type: String,
    /// The text, with `{id}`, `{sub}`, `{dlvrd}`, `{submit_date}`, `{done_date}`, `{stat}`,
    /// `{err}` and `{text}` (the first 20 characters of the message) replaced.
    pub template: String,
    /// Report every state other than DELIVRD as UNDELIV (EngageLab documents only those two).
    pub failures_as_undeliv: bool,
    /// How long after a message is due for delivery its final state (and receipt) comes.
    pub delay: Duration,
}

/// What the server checks in a submit_sm before accepting it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SubmitRules {
    /// The service_type values accepted (an empty service_type always is: the default);
    /// `None` accepts any.
    pub service_types: Option<Vec<String>>,
    /// The text (short_message, or message_payload) must be a JSON object with a string `"id"`
    /// and, when present, `"params"` an object of strings (EngageLab's template body). The
    /// text is decoded by its data_coding; with data_coding 0, ASCII braces are accepted too.
    pub template_body: bool,
    /// The template ids known, when `template_body`; `None` accepts any id.
    pub templates: Option<Vec<String>>,
    /// The destination must be an international number (`+` optional, 6 to 15 digits).
    pub international_destination: bool,
}

/// The statuses the server answers with, by reason.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Statuses {
    /// A bind of a type the profile does not accept (in generic_nack or the bind_*_resp, by
    /// [`Profile::generic_nack`]).
    pub bind_type: CommandStatus,
    /// A request the profile does not support (likewise).
    pub unsupported: CommandStatus,
    /// A service_type outside [`SubmitRules::service_types`].
    pub service_type: CommandStatus,
    /// A destination that breaks [`SubmitRules::international_destination`].
    pub destination: CommandStatus,
    /// A text that is not a template body.
    pub body: CommandStatus,
    /// A template id outside [`SubmitRules::templates`].
    pub template: CommandStatus,
    /// The account's balance is spent.
    pub no_balance: CommandStatus,
}

/// A provider's behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Its name.
    pub name: String,
    /// The binds it accepts.
    pub binds: Vec<BindKind>,
    /// What it does with a bind whose credentials are wrong.
    pub bad_credentials: BadCredentials,
    /// The requests it answers besides bind, unbind, enquire_link and submit_sm (of
    /// query_sm and cancel_sm); others get [`Statuses::unsupported`].
    pub commands: Vec<CommandId>,
    /// Its message ids.
    pub ids: IdFormat,
    /// Its receipts.
    pub receipts: ReceiptStyle,
    /// Destinations matching this pattern (`*` any run, `?` any one character) are
    /// undeliverable: their receipt says UNDELIV.
    pub undeliverable: Option<String>,
    /// What a submission must satisfy.
    pub submit: SubmitRules,
    /// Close a bound session that sent no enquire_link for this long.
    pub require_enquire_link: Option<Duration>,
    /// Binds it does not accept and commands it does not support are answered generic_nack
    /// (EngageLab), rather than their own response with an error status.
    pub generic_nack: bool,
    /// Its statuses.
    pub statuses: Statuses,
}

impl Profile {
    /// LabsMobile: all three binds; a wrong password answered ESME_RINVPASWD; 13-hex-character
    /// ids; receipts as deliver_sm with esm_class 4, the text `id:… submit date:… done date:…
    /// stat:… err:…` and both TLVs, sent as registered_delivery asks 100 ms after the message is
    /// due; destinations ending in 0 undeliverable; no balance answered ESME_RUNKNOWNERR with
    /// no message_id. Its page lists bind_transmitter, unbind, submit_sm, deliver_sm and
    /// enquire_link as the fundamental PDUs; the simulator also answers query_sm and cancel_sm.
    pub fn labsmobile() -> Self {
        Profile {
            name: "labsmobile".into(),
            binds: vec![BindKind::Transmitter, BindKind::Receiver, BindKind::Transceiver],
            bad_credentials: BadCredentials::Answer(CommandStatus::INVALID_PASSWORD),
            commands: vec![CommandId::QUERY_SM, CommandId::CANCEL_SM],
            ids: IdFormat::Hex13,
            receipts: ReceiptStyle {
                policy: ReceiptPolicy::AsRequested,
                esm_class: EsmClass::DELIVERY_RECEIPT,
                tlvs: true,
                addressing: ReceiptAddressing::Swapped,
                service_type: String::new(),
                template: "id:{id} submit date:{submit_date} done date:{done_date} stat:{stat} err:{err}".into(),
                failures_as_undeliv: false,
                delay: Duration::from_millis(100),
            },
            undeliverable: Some("*0".into()),
            submit: SubmitRules::default(),
            require_enquire_link: None,
            generic_nack: false,
            statuses: Statuses {
                bind_type: CommandStatus::BIND_FAILED,
                unsupported: CommandStatus::INVALID_COMMAND_ID,
                service_type: CommandStatus::INVALID_SERVICE_TYPE,
                destination: CommandStatus::INVALID_DESTINATION_ADDRESS,
                body: CommandStatus::INVALID_PARAMETER,
                template: CommandStatus::SUBMIT_FAILED,
                no_balance: CommandStatus::UNKNOWN_ERROR,
            },
        }
    }

    /// EngageLab: bind_transceiver only (other binds refused with ESME_RINVCMDID, see
    /// [`Statuses::bind_type`]); wrong credentials close the connection without a response;
    /// only enquire_link, unbind, submit_sm and deliver_sm_resp are supported (others refused
    /// with ESME_RINVCMDID); service_type MSG, CODE or MRKT (else ESME_RINVPARAM); the
    /// destination an international number (else ESME_RINVPARAM); the text a JSON template
    /// body with an `"id"` (else ESME_RINVNUMMSGS); receipts for every message with esm_class
    /// 0, service_type MSG, addressed to the destination, stat DELIVRD or UNDELIV and both
    /// TLVs; a session without enquire_link for 40 s is closed. Message ids are decimal (the
    /// page does not give their form).
    pub fn engagelab() -> Self {
        Profile {
            name: "engagelab".into(),
            binds: vec![BindKind::Transceiver],
            bad_credentials: BadCredentials::Disconnect,
            commands: Vec::new(),
            ids: IdFormat::Decimal,
            receipts: ReceiptStyle {
                policy: ReceiptPolicy::Always,
                esm_class: EsmClass(0),
                tlvs: true,
                addressing: ReceiptAddressing::ToDestination,
                service_type: "MSG".into(),
                template: "id:{id} sub:001 dlvrd:{dlvrd} submit date:{submit_date} done date:{done_date} stat:{stat} err:{err} text:{text}".into(),
                failures_as_undeliv: true,
                delay: Duration::from_millis(100),
            },
            undeliverable: Some("*0".into()),
            submit: SubmitRules {
                service_types: Some(vec!["MSG".into(), "CODE".into(), "MRKT".into()]),
                template_body: true,
                templates: None,
                international_destination: true,
            },
            require_enquire_link: Some(Duration::from_secs(40)),
            generic_nack: true,
            statuses: Statuses {
                bind_type: CommandStatus::INVALID_COMMAND_ID,
                unsupported: CommandStatus::INVALID_COMMAND_ID,
                service_type: CommandStatus::INVALID_PARAMETER,
                destination: CommandStatus::INVALID_PARAMETER,
                body: CommandStatus::INVALID_NUMBER_OF_MESSAGES,
                template: CommandStatus::SUBMIT_FAILED,
                no_balance: CommandStatus::UNKNOWN_ERROR,
            },
        }
    }

    /// The profile called `name` (`labsmobile`, `engagelab`), for command lines.
    pub fn named(name: &str) -> Option<Profile> {
        match name.to_ascii_lowercase().as_str() {
            "labsmobile" => Some(Profile::labsmobile()),
            "engagelab" => Some(Profile::engagelab()),
            _ => None,
        }
    }

    /// Whether a bind of `kind` is accepted.
    pub fn accepts(&self, kind: BindKind) -> bool {
        self.binds.contains(&kind)
    }

    /// Whether request `id` is answered (rather than refused as unsupported).
    pub fn supports(&self, id: CommandId) -> bool {
        id == CommandId::SUBMIT_SM || self.commands.contains(&id)
    }

    /// Whether a message to `destination` is undeliverable.
    pub fn is_undeliverable(&self, destination: &str) -> bool {
        self.undeliverable.as_deref().is_some_and(|p| glob(p.as_bytes(), destination.as_bytes()))
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (also none)
/// and `?` for any one.
pub(crate) fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match (pattern.get(p), text.get(t)) {
            (Some(b'*'), _) => {
                star = Some((p, t));
                p += 1;
            }
            (Some(&c), Some(&x)) if c == b'?' || c == x => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the star take one more character and try again.
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_shell_globs() {
        assert!(glob(b"*0", b"34600000000"));
        assert!(!glob(b"*0", b"34600000001"));
        assert!(glob(b"+34*", b"+34600"));
        assert!(glob(b"346??", b"34612"));
        assert!(!glob(b"346??", b"346123"));
        assert!(glob(b"*", b""));
        assert!(glob(b"a*b*c", b"axxbyyc"));
        assert!(!glob(b"a*b*c", b"axxbyy"));
        assert!(glob(b"**0", b"10"));
    }

    #[test]
    fn ids_read_back_as_the_numbers_they_were_written_from() {
        for f in [IdFormat::Hex13, IdFormat::Decimal] {
            let n = f.first(Duration::from_millis(1_745_422_920_123));
            let id = f.format(n);
            assert_eq!(f.parse(id.as_bytes()), Some(n), "{id}");
        }
        let id = IdFormat::Hex13.format(IdFormat::Hex13.first(Duration::from_secs(1_745_422_920)));
        assert_eq!(id.len(), 13);
        assert!(id.starts_with("68090"), "{id}: the shape of LabsMobile's ids");
        assert_eq!(IdFormat::Hex13.parse(b"68090a534e551"), Some(0x0006_8090_a534_e551));
        assert_eq!(IdFormat::Hex13.parse(b"68090a534e55"), None);
        assert_eq!(IdFormat::Decimal.parse(b"12a"), None);
    }
}
