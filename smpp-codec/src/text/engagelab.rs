//! EngageLab's template body: the JSON object its SMPP service expects in short_message, and
//! its service_type values (providers/engagelab-smpp.txt).

/// EngageLab's service_type values.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ServiceType {
    /// Notification (the default).
    #[default]
    Msg,
    /// Verification code: the body's `code` is used.
    Code,
    /// Marketing.
    Mrkt,
}

impl ServiceType {
    /// The value to put in service_type.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceType::Msg => "MSG",
            ServiceType::Code => "CODE",
            ServiceType::Mrkt => "MRKT",
        }
    }

    /// The service type named by `s` (exact, upper case).
    pub fn from_name(s: &[u8]) -> Option<ServiceType> {
        match s {
            b"MSG" => Some(ServiceType::Msg),
            b"CODE" => Some(ServiceType::Code),
            b"MRKT" => Some(ServiceType::Mrkt),
            _ => None,
        }
    }
}

/// `{"id":…,"language":…,"code":…,"params":{…}}`, written from borrowed strings.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TemplateBody<'a> {
    /// Template id.
    pub id: &'a str,
    /// Language; EngageLab's default is `"default"`.
    pub language: &'a str,
    /// Verification code (service_type CODE only); omitted when `None`.
    pub code: Option<&'a str>,
    /// Custom parameters, as string pairs, in order.
    pub params: &'a [(&'a str, &'a str)],
}

/// The output buffer is too small for the body (the text layer's one such error).
pub use super::BufferTooSmall;

/// Octets of `s` as a JSON string, quotes included.
fn string_len(s: &str) -> usize {
    2 + s.chars().map(|c| escape(c).map_or(c.len_utf8(), |e| e.len())).sum::<usize>()
}

/// The escape of `c`, when JSON needs one.
fn escape(c: char) -> Option<Escape> {
    let short = match c {
        '"' => b'"',
        '\\' => b'\\',
        '\n' => b'n',
        '\r' => b'r',
        '\t' => b't',
        '\u{08}' => b'b',
        '\u{0C}' => b'f',
        c if u32::from(c) < 0x20 => {
            let v = u32::from(c) as u8;
            let hex = |n: u8| b"0123456789abcdef".get(usize::from(n)).copied().unwrap_or(b'0');
            return Some(Escape { bytes: [b'\\', b'u', b'0', b'0', hex(v >> 4), hex(v & 15)], len: 6 });
        }
        _ => return None,
    };
    Some(Escape { bytes: [b'\\', short, 0, 0, 0, 0], len: 2 })
}

struct Escape {
    bytes: [u8; 6],
    len: usize,
}

impl Escape {
    fn len(&self) -> usize {
        self.len
    }
}

struct Out<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Out<'_> {
    fn raw(&mut self, b: &[u8]) {
        if let Some(d) = self.buf.get_mut(self.pos..self.pos + b.len()) {
            d.copy_from_slice(b);
        }
        self.pos += b.len();
    }

    fn string(&mut self, s: &str) {
        self.raw(b"\"");
        let mut utf8 = [0u8; 4];
        for c in s.chars() {
            match escape(c) {
                Some(e) => self.raw(e.bytes.get(..e.len).unwrap_or(&[])),
                None => self.raw(c.encode_utf8(&mut utf8).as_bytes()),
            }
        }
        self.raw(b"\"");
    }
}

impl TemplateBody<'_> {
    /// Exact octets [`write`](Self::write) produces.
    pub fn encoded_len(&self) -> usize {
        // {"id":X,"language":X,"params":{...}} plus ,"code":X
        let fixed = br#"{"id":,"language":,"params":{}}"#.len();
        let code = self.code.map_or(0, |c| br#","code":"#.len() + string_len(c));
        let params: usize = self.params.iter().map(|(k, v)| string_len(k) + 1 + string_len(v)).sum::<usize>()
            + self.params.len().saturating_sub(1);
        fixed + string_len(self.id) + string_len(self.language) + code + params
    }

    /// Writes the JSON (UTF-8) into `out` and returns the octets written. Send it with
    /// data_coding 8 after converting to UCS-2 (as EngageLab recommends), or as is with
    /// data_coding 0 where the SMSC accepts `{}`.
    ///
    /// # Errors
    /// [`BufferTooSmall`]; `out` is untouched then.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::text::engagelab::TemplateBody;
    /// let body = TemplateBody { id: "t1", language: "default", code: Some("1234"), params: &[("name", "Zoë \"Z\"")] };
    /// let mut out = [0u8; 128];
    /// let n = body.write(&mut out).unwrap();
    /// assert_eq!(core::str::from_utf8(&out[..n]).unwrap(),
    ///     r#"{"id":"t1","language":"default","code":"1234","params":{"name":"Zoë \"Z\""}}"#);
    /// ```
    pub fn write(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let needed = self.encoded_len();
        let buf = out.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
        let mut o = Out { buf, pos: 0 };
        o.raw(br#"{"id":"#);
        o.string(self.id);
        o.raw(br#","language":"#);
        o.string(self.language);
        if let Some(code) = self.code {
            o.raw(br#","code":"#);
            o.string(code);
        }
        o.raw(br#","params":{"#);
        for (i, (k, v)) in self.params.iter().enumerate() {
            if i > 0 {
                o.raw(b",");
            }
            o.string(k);
            o.raw(b":");
            o.string(v);
        }
        o.raw(b"}}");
        Ok(o.pos)
    }
}
