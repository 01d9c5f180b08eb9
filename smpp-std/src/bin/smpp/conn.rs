//! The connection flags every command that binds shares: where, who, the password (never from
//! argv), TLS, keepalive; and the client they make.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use smpp_session::{BindKind, Keepalive};
use smpp_std::{Client, ClientConfig, Error, Password};

use crate::{Failed, shown};

/// The window the tool's client is built with; `--window` chooses less.
pub const WINDOW: usize = 64;

/// The client the tool uses.
pub type SmppClient = Client<WINDOW>;

/// Where to connect and how to bind.
#[derive(Args, Debug, Clone)]
pub struct ConnArgs {
    /// SMSC host name or address.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// SMSC port.
    #[arg(long, default_value_t = 2775)]
    pub port: u16,
    /// Account (system_id).
    #[arg(long, value_name = "ID")]
    pub system_id: String,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Refused: a password on the command line shows in `ps` and in the shell's history.
    #[arg(long, hide = true, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// system_type of the bind.
    #[arg(long, value_name = "T", default_value = "")]
    pub system_type: String,
    /// Send enquire_link every this many seconds, busy or not (EngageLab asks for 30); by
    /// default one goes after 30 s without traffic.
    #[arg(long, value_name = "SECONDS")]
    pub enquire_link_interval: Option<u64>,
    /// Seconds to wait for the connection, the bind and each response.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// Speak SMPP over TLS (the server's certificate is checked; there is no plaintext
    /// fallback).
    #[arg(long)]
    pub tls: bool,
    /// With --tls: trust the CA certificates in this PEM file instead of the system's.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub ca_file: Option<PathBuf>,
    /// With --tls: present this client certificate chain (PEM).
    #[arg(long, value_name = "FILE", requires_all = ["tls", "client_key"])]
    pub client_cert: Option<PathBuf>,
    /// With --tls: the key of --client-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// With --tls: the name the server's certificate must carry, when not --host.
    #[arg(long, value_name = "NAME", requires = "tls")]
    pub server_name: Option<String>,
    /// With --tls: do not check the server's certificate at all. Only for tests.
    #[arg(long, requires = "tls")]
    pub insecure: bool,
}

impl ConnArgs {
    /// `host:port`, for messages.
    pub fn target(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The password, from the environment, a file, or a prompt on the terminal.
    ///
    /// # Errors
    /// When none of them gives one; the message never holds the password.
    pub fn password(&self) -> Result<Password, Failed> {
        if self.password.is_some() {
            return Err(Failed(
                "--password is not taken on the command line (it would show in ps and the shell history): \
                 use --password-env VAR, --password-file FILE, or type it at the prompt"
                    .into(),
            ));
        }
        if let Some(var) = &self.password_env {
            return match std::env::var(var) {
                Ok(p) if !p.is_empty() => Ok(Password::new(p)),
                Ok(_) => Err(Failed(format!("the environment variable {var} is empty"))),
                Err(std::env::VarError::NotPresent) => {
                    Err(Failed(format!("the environment variable {var} is not set")))
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    Err(Failed(format!("the environment variable {var} is not valid UTF-8")))
                }
            };
        }
        if let Some(file) = &self.password_file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failed(format!("cannot read the password file {}: {e}", shown(file))))?;
            let line = text.lines().next().unwrap_or("");
            if line.is_empty() {
                return Err(Failed(format!("the password file {} is empty", shown(file))));
            }
            return Ok(Password::new(line));
        }
        if std::io::stdin().is_terminal() {
            let prompt = format!("Password for {} at {}: ", self.system_id, self.target());
            let p = rpassword::prompt_password(prompt).map_err(|e| Failed(format!("cannot read the password: {e}")))?;
            return Ok(Password::new(p));
        }
        Err(Failed(
            "no password: give --password-env VAR or --password-file FILE (or run in a terminal to be asked)".into(),
        ))
    }

    /// The client configuration for a bind of `kind`.
    pub fn config(&self, kind: BindKind) -> Result<ClientConfig, Failed> {
        let mut config = ClientConfig::new(self.system_id.clone(), self.password()?);
        config.system_type = self.system_type.clone();
        config.bind = kind;
        let t = Duration::from_secs(self.timeout.max(1));
        config.connect_timeout = t;
        let t = smpp_std::clock::from_std(t);
        config.session.bind_timeout = t;
        config.session.response_timeout = t;
        config.session.unbind_timeout = t.min(smpp_session::Duration::from_secs(5));
        if let Some(s) = self.enquire_link_interval {
            if s == 0 {
                return Err(Failed("--enquire-link-interval must be at least 1 second".into()));
            }
            config.session.keepalive = Keepalive::Every(smpp_session::Duration::from_secs(s));
        }
        Ok(config)
    }

    /// Connects and binds.
    ///
    /// # Errors
    /// One line saying why (unreachable, TLS, bind refused, ...).
    pub fn connect(&self, config: ClientConfig) -> Result<SmppClient, Failed> {
        let result =
            if self.tls { self.connect_tls(config) } else { Client::connect((self.host.as_str(), self.port), config) };
        result.map_err(|e| self.explain(&e))
    }

    #[cfg(feature = "tls")]
    fn connect_tls(&self, config: ClientConfig) -> Result<SmppClient, Error> {
        if self.insecure {
            eprintln!(
                "smpp: WARNING: --insecure: the server's certificate is NOT checked. Anyone on the path can \
                 pose as the SMSC and read the password and every message. Never use it against a real SMSC."
            );
        }
        let options = smpp_std::tls::TlsOptions {
            ca_file: self.ca_file.clone(),
            client_cert: self.client_cert.clone().zip(self.client_key.clone()),
            server_name: self.server_name.clone(),
            insecure: self.insecure,
        };
        Client::connect_tls(&self.host, self.port, &options, config)
    }

    #[cfg(not(feature = "tls"))]
    fn connect_tls(&self, _config: ClientConfig) -> Result<SmppClient, Error> {
        Err(Error::Config("this smpp was built without TLS (the `tls` feature)".into()))
    }

    fn explain(&self, e: &Error) -> Failed {
        let target = self.target();
        Failed(match e {
            Error::Connect(io) => format!("cannot connect to {target}: {io}"),
            Error::BindRefused(_) | Error::BindFailed(_) => format!("{target} as {}: {e}", self.system_id),
            other => format!("{target}: {other}"),
        })
    }
}
