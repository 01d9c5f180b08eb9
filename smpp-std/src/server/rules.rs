//! The checks of [`SubmitRules`] on one submit_sm.

use serde_json::Value;
use smpp_codec::text::gsm7::Tables;
use smpp_codec::{CommandStatus, Ton};

use super::profile::{Profile, SubmitRules};
use crate::Addr;

/// What a rule found wrong: the status to answer and why, in words.
pub(crate) type Refusal = (CommandStatus, String);

/// Checks a submission against the profile's rules. `message` is the user data without UDH,
/// `tables` the GSM tables its UDH names.
pub(crate) fn check(
    profile: &Profile,
    service_type: &str,
    dest: &Addr,
    data_coding: u8,
    message: &[u8],
    tables: Tables,
) -> Result<(), Refusal> {
    let rules: &SubmitRules = &profile.submit;
    let st = &profile.statuses;
    if let Some(allowed) = &rules.service_types {
        if !service_type.is_empty() && !allowed.iter().any(|a| a == service_type) {
            return Err((st.service_type, format!("service_type {service_type:?} is not one of {allowed:?}")));
        }
    }
    if rules.international_destination && !is_international(dest) {
        return Err((st.destination, format!("destination {:?} is not an international number", dest.addr)));
    }
    if rules.template_body {
        let id = template_id(message, data_coding, tables).map_err(|why| (st.body, why))?;
        if let Some(known) = &rules.templates {
            if !known.contains(&id) {
                return Err((st.template, format!("template {id:?} is unknown")));
            }
        }
    }
    Ok(())
}

/// `+` (optional) and 6 to 15 digits, with a type of number that can be international.
fn is_international(a: &Addr) -> bool {
    let digits = a.addr.strip_prefix('+').unwrap_or(&a.addr);
    (6..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(a.ton, Ton::UNKNOWN | Ton::INTERNATIONAL)
}

/// The template id of an EngageLab body: a JSON object with a string `id`, and when present a
/// string `language` and `code` and `params` an object of strings.
fn template_id(message: &[u8], data_coding: u8, tables: Tables) -> Result<String, String> {
    let decoded = crate::text::decode(message, data_coding, tables);
    let value: Value = match serde_json::from_str(&decoded) {
        Ok(v) => v,
        // "If direct sending of {} is supported, default encoding (0x00) can be used": braces
        // as ASCII octets, which GSM 03.38 reads as other letters.
        Err(e) => match (data_coding, std::str::from_utf8(message)) {
            (0, Ok(ascii)) => serde_json::from_str(ascii).map_err(|_| format!("the text is not JSON: {e}"))?,
            _ => return Err(format!("the text is not JSON: {e}")),
        },
    };
    let Value::Object(body) = value else { return Err("the text is not a JSON object".into()) };
    let id = match body.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(_) => return Err("\"id\" is not a non-empty string".into()),
        None => return Err("the body has no \"id\"".into()),
    };
    for key in ["language", "code"] {
        if body.get(key).is_some_and(|v| !v.is_string()) {
            return Err(format!("{key:?} is not a string"));
        }
    }
    match body.get("params") {
        None => {}
        Some(Value::Object(p)) if p.values().all(Value::is_string) => {}
        Some(_) => return Err("\"params\" is not an object of strings".into()),
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ucs2(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    fn engagelab(service_type: &str, dest: &str, dc: u8, msg: &[u8]) -> Result<(), CommandStatus> {
        let dest = Addr::number(dest).unwrap();
        check(&Profile::engagelab(), service_type, &dest, dc, msg, Tables::DEFAULT).map_err(|(s, _)| s)
    }

    #[test]
    fn engagelab_bodies_are_checked_by_data_coding() {
        let body = r#"{"id":"t1","language":"default","params":{"name":"Zoë 😀"}}"#;
        assert_eq!(engagelab("MSG", "+6598765432", 8, &ucs2(body)), Ok(()));
        assert_eq!(engagelab("", "+6598765432", 8, &ucs2(body)), Ok(()), "empty is the default, MSG");
        assert_eq!(engagelab("CODE", "+6598765432", 1, br#"{"id":"otp","code":"1234"}"#), Ok(()));
        assert_eq!(engagelab("MRKT", "+6598765432", 0, br#"{"id":"t1"}"#), Ok(()), "ASCII braces with 0");
        // GSM 03.38 with the braces escaped.
        let gsm = [0x1B, 0x28, b'"', b'i', b'd', b'"', b':', b'"', b'x', b'"', 0x1B, 0x29];
        assert_eq!(engagelab("MSG", "+6598765432", 0, &gsm), Ok(()));
    }

    #[test]
    fn engagelab_refusals_name_the_status_its_page_gives() {
        let ok = br#"{"id":"t1"}"#;
        assert_eq!(engagelab("SMS", "+6598765432", 1, ok), Err(CommandStatus::INVALID_PARAMETER));
        assert_eq!(engagelab("MSG", "98765", 1, ok), Err(CommandStatus::INVALID_PARAMETER));
        let e = |m: &[u8]| engagelab("MSG", "+6598765432", 1, m);
        assert_eq!(e(b"hello"), Err(CommandStatus::INVALID_NUMBER_OF_MESSAGES));
        assert_eq!(e(br#"{"language":"default"}"#), Err(CommandStatus::INVALID_NUMBER_OF_MESSAGES));
        assert_eq!(e(br#"{"id":7}"#), Err(CommandStatus::INVALID_NUMBER_OF_MESSAGES));
        assert_eq!(e(br#"["id"]"#), Err(CommandStatus::INVALID_NUMBER_OF_MESSAGES));
        assert_eq!(e(br#"{"id":"t","params":{"a":1}}"#), Err(CommandStatus::INVALID_NUMBER_OF_MESSAGES));
        assert_eq!(
            engagelab("MSG", "+6598765432", 8, &ucs2(r#"{"id":"t1""#)),
            Err(CommandStatus::INVALID_NUMBER_OF_MESSAGES)
        );
        let mut p = Profile::engagelab();
        p.submit.templates = Some(vec!["known".into()]);
        let dest = Addr::number("+6598765432").unwrap();
        let r = check(&p, "MSG", &dest, 1, ok, Tables::DEFAULT).map_err(|(s, _)| s);
        assert_eq!(r, Err(CommandStatus::SUBMIT_FAILED));
    }

    #[test]
    fn labsmobile_checks_nothing_of_the_text() {
        let dest = Addr::number("600").unwrap();
        assert_eq!(check(&Profile::labsmobile(), "XYZ", &dest, 0, b"hi", Tables::DEFAULT), Ok(()));
    }
}
