//! The server's settings: embedded defaults for a first try, a TOML file for production, and
//! `MAILROOM_...` environment variables over both, for containers. Everything is checked
//! before the server starts, and a problem names its key.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The server's host name: in greetings, `Received` fields and `Authentication-Results`.
    pub hostname: String,
    /// Where all state lives: spool, mailboxes, keys, TLS material, users.
    pub data_dir: PathBuf,
    /// Domains delivered here, besides the domains of the users in the directory.
    pub domains: Vec<String>,
    /// Networks that may relay without AUTH and whose mail is DKIM-signed.
    pub trusted_networks: Vec<Network>,
    /// What to listen on, and in which role.
    pub listeners: Vec<Listener>,
    /// The certificate and key; without them, a self-signed pair kept in the data directory.
    pub tls: TlsFiles,
    /// Limits on sessions and messages.
    pub limits: Limits,
    /// Policy switches.
    pub policy: Policy,
    /// How local mail is delivered.
    pub delivery: Delivery,
    /// The queue: how many deliveries at once, when to retry, when to give up.
    pub queue: QueueSettings,
    /// Answer DNS questions from this zone file instead of the network (for tests and
    /// offline setups).
    pub dns_zone: Option<PathBuf>,
}

/// The role of a listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Mail from the world for local users (port 25): no AUTH.
    Inbound,
    /// Authenticated submission after STARTTLS (port 587).
    Submission,
    /// Authenticated submission over implicit TLS (port 465).
    Submissions,
}

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// Its role.
    pub role: Role,
    /// The address and port.
    pub address: SocketAddr,
    /// Read the HAProxy PROXY protocol (v1 or v2) header first, for the real client address.
    #[serde(default)]
    pub proxy_protocol: bool,
}

/// Certificate and key files (PEM).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsFiles {
    /// The certificate chain.
    pub certificate: Option<PathBuf>,
    /// The private key.
    pub key: Option<PathBuf>,
}

/// Limits (RFC 5321 §4.5.3).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// The largest message, in octets.
    pub max_message_size: u64,
    /// Recipients per message.
    pub max_recipients: usize,
    /// Refused commands before a session is closed.
    pub max_errors: usize,
    /// Seconds to wait for a command.
    pub command_timeout_secs: u64,
    /// Seconds to wait for each block of message data.
    pub data_timeout_secs: u64,
}

/// Policy switches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The envelope sender and From of submitted mail must belong to the user.
    pub spoof_protection: bool,
    /// Refuse inbound mail that fails DMARC under `p=reject` (550 5.7.1).
    pub dmarc_reject: bool,
    /// Deliver inbound mail that fails DMARC under `p=quarantine` to the Junk folder.
    pub dmarc_quarantine: bool,
}

/// Local delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Delivery {
    /// `maildir` (under the data directory) or `lmtp`.
    pub mode: DeliveryMode,
    /// The LMTP server, for `mode = "lmtp"`.
    pub lmtp_address: Option<SocketAddr>,
    /// A smarthost that takes mail for other domains from authenticated users and trusted
    /// networks; without one, such recipients are refused.
    pub relay_host: Option<SocketAddr>,
}

/// The queue's settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSettings {
    /// Deliveries under way at once.
    pub deliveries: usize,
    /// Seconds before the first retry of a deferred recipient; each later wait doubles.
    pub retry_first_secs: u64,
    /// The longest wait between two tries, in seconds.
    pub retry_max_secs: u64,
    /// Seconds after which a message still not delivered is given up on.
    pub give_up_secs: u64,
}

impl Default for QueueSettings {
    fn default() -> Self {
        let schedule = crate::queue::Schedule::default();
        Self {
            deliveries: 20,
            retry_first_secs: schedule.first_retry.as_secs(),
            retry_max_secs: schedule.max_retry.as_secs(),
            give_up_secs: schedule.give_up.as_secs(),
        }
    }
}

impl QueueSettings {
    /// The retry plan these settings describe.
    pub fn schedule(&self) -> crate::queue::Schedule {
        crate::queue::Schedule {
            first_retry: Duration::from_secs(self.retry_first_secs),
            max_retry: Duration::from_secs(self.retry_max_secs),
            give_up: Duration::from_secs(self.give_up_secs),
        }
    }
}

/// Where local mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryMode {
    /// Maildir folders in the data directory.
    #[default]
    Maildir,
    /// An LMTP server such as Dovecot.
    Lmtp,
}

/// An IP network in CIDR notation, such as `192.0.2.0/24` or `::1/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// The network address.
    pub address: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl Network {
    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or network"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}` has a bad prefix length"))?,
        };
        Ok(Self { address, prefix })
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Default for Config {
    /// The embedded defaults: everything on 127.0.0.1 at unprivileged ports, state in
    /// `./mailroom-data`, the system's host name.
    fn default() -> Self {
        let listener = |role, port| Listener {
            role,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            proxy_protocol: false,
        };
        Self {
            hostname: system_hostname(),
            data_dir: PathBuf::from("mailroom-data"),
            domains: Vec::new(),
            trusted_networks: vec![
                Network {
                    address: IpAddr::from([127, 0, 0, 0]),
                    prefix: 8,
                },
                Network {
                    address: IpAddr::from([0_u16, 0, 0, 0, 0, 0, 0, 1]),
                    prefix: 128,
                },
            ],
            listeners: vec![
                listener(Role::Inbound, 2525),
                listener(Role::Submission, 2587),
                listener(Role::Submissions, 2465),
            ],
            tls: TlsFiles::default(),
            limits: Limits::default(),
            policy: Policy::default(),
            delivery: Delivery::default(),
            queue: QueueSettings::default(),
            dns_zone: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 25 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 20,
            command_timeout_secs: 300,
            data_timeout_secs: 180,
        }
    }
}

impl Limits {
    /// The command timeout.
    pub fn command_timeout(&self) -> Duration {
        Duration::from_secs(self.command_timeout_secs)
    }

    /// The data block timeout.
    pub fn data_timeout(&self) -> Duration {
        Duration::from_secs(self.data_timeout_secs)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            spoof_protection: true,
            dmarc_reject: true,
            dmarc_quarantine: true,
        }
    }
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            mode: DeliveryMode::Maildir,
            lmtp_address: None,
            relay_host: None,
        }
    }
}

/// The sections whose keys environment variables may set as `MAILROOM_<SECTION>_<KEY>`.
const SECTIONS: [&str; 5] = ["tls", "limits", "policy", "delivery", "queue"];

/// `MAILROOM_...` variables that are not settings: the log filter of `mailroom serve`, and
/// the test suite's switch that makes missing interoperability peers fail.
const NOT_SETTINGS: [&str; 2] = ["log", "require_peers"];

/// Top-level keys that hold lists, given in the environment as comma-separated text.
const LISTS: [&str; 2] = ["domains", "trusted_networks"];

impl Config {
    /// Reads the configuration: the defaults, then the file (if any), then `MAILROOM_...`
    /// variables from `env`, then the checks.
    ///
    /// # Errors
    ///
    /// [`Error::ConfigFile`] when the file cannot be read, [`Error::Config`] naming the key
    /// that is wrong.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, Error> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigFile {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str::<toml::Table>(&text).map_err(|error| Error::Config {
                    key: error_key(&error, &text),
                    problem: error.message().to_owned(),
                })?
            }
            None => toml::Table::new(),
        };
        for (name, value) in env {
            if let Some(key) = name.strip_prefix("MAILROOM_") {
                let key = key.to_ascii_lowercase();
                if !NOT_SETTINGS.contains(&key.as_str()) {
                    apply_env(&mut table, &key, &value)?;
                }
            }
        }
        // Reading the merged settings back from text gives errors a position, and so a key.
        let merged = toml::to_string(&table).map_err(|error| Error::Config {
            key: "(environment)".to_owned(),
            problem: error.to_string(),
        })?;
        let config: Self = toml::from_str(&merged).map_err(|error| Error::Config {
            key: error_key(&error, &merged),
            problem: error.message().to_owned(),
        })?;
        config.check()?;
        Ok(config)
    }

    /// The checks no type can make.
    fn check(&self) -> Result<(), Error> {
        let bad = |key: &str, problem: String| Error::Config {
            key: key.to_owned(),
            problem,
        };
        if self.hostname.is_empty() || self.hostname.contains(|c: char| c.is_whitespace()) {
            return Err(bad(
                "hostname",
                format!("`{}` is not a host name", self.hostname),
            ));
        }
        if self.listeners.is_empty() {
            return Err(bad(
                "listeners",
                "there must be at least one listener".to_owned(),
            ));
        }
        for (index, listener) in self.listeners.iter().enumerate() {
            if self.listeners[..index]
                .iter()
                .any(|other| other.address == listener.address)
            {
                return Err(bad(
                    "listeners",
                    format!("{} is listed twice", listener.address),
                ));
            }
        }
        if self.tls.certificate.is_some() != self.tls.key.is_some() {
            return Err(bad(
                "tls",
                "give both `certificate` and `key`, or neither".to_owned(),
            ));
        }
        let limits = &self.limits;
        for (key, value) in [
            ("limits.max_message_size", limits.max_message_size),
            ("limits.max_recipients", limits.max_recipients as u64),
            ("limits.max_errors", limits.max_errors as u64),
            ("limits.command_timeout_secs", limits.command_timeout_secs),
            ("limits.data_timeout_secs", limits.data_timeout_secs),
        ] {
            if value == 0 {
                return Err(bad(key, "must be more than 0".to_owned()));
            }
        }
        if self.queue.deliveries == 0 {
            return Err(bad("queue.deliveries", "must be more than 0".to_owned()));
        }
        if self.queue.retry_max_secs < self.queue.retry_first_secs {
            return Err(bad(
                "queue.retry_max_secs",
                "must be at least queue.retry_first_secs".to_owned(),
            ));
        }
        if self.delivery.mode == DeliveryMode::Lmtp && self.delivery.lmtp_address.is_none() {
            return Err(bad(
                "delivery.lmtp_address",
                "LMTP delivery needs the server's address".to_owned(),
            ));
        }
        for domain in &self.domains {
            if domain.is_empty() || !domain.contains('.') && domain != "localhost" {
                return Err(bad("domains", format!("`{domain}` is not a domain")));
            }
        }
        Ok(())
    }

    /// Whether `ip` is in a trusted network.
    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted_networks.iter().any(|net| net.contains(ip))
    }
}

/// Sets one key from an environment variable (`key` is the name after `MAILROOM_`, in lower
/// case).
fn apply_env(table: &mut toml::Table, key: &str, value: &str) -> Result<(), Error> {
    if key == "listeners" {
        table.insert(key.to_owned(), parse_listeners(value)?);
        return Ok(());
    }
    if LISTS.contains(&key) {
        let items = value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| toml::Value::String(item.to_owned()))
            .collect();
        table.insert(key.to_owned(), toml::Value::Array(items));
        return Ok(());
    }
    if ["hostname", "data_dir", "dns_zone"].contains(&key) {
        table.insert(key.to_owned(), toml::Value::String(value.to_owned()));
        return Ok(());
    }
    let section = SECTIONS
        .iter()
        .find(|section| key.starts_with(&format!("{section}_")));
    let Some(section) = section else {
        return Err(Error::Config {
            key: format!("MAILROOM_{}", key.to_ascii_uppercase()),
            problem: "no such setting".to_owned(),
        });
    };
    let field = &key[section.len() + 1..];
    let entry = table
        .entry((*section).to_owned())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(section_table) = entry else {
        return Err(Error::Config {
            key: (*section).to_owned(),
            problem: "must be a table".to_owned(),
        });
    };
    section_table.insert(field.to_owned(), scalar(value));
    Ok(())
}

/// An environment value as a TOML scalar: a number or boolean when it reads as one, else text.
fn scalar(value: &str) -> toml::Value {
    if let Ok(number) = value.parse::<i64>() {
        return toml::Value::Integer(number);
    }
    match value {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(value.to_owned()),
    }
}

/// `MAILROOM_LISTENERS=inbound=0.0.0.0:25,submission=0.0.0.0:587+proxy`.
fn parse_listeners(value: &str) -> Result<toml::Value, Error> {
    let bad = |problem: String| Error::Config {
        key: "MAILROOM_LISTENERS".to_owned(),
        problem,
    };
    let mut listeners = Vec::new();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (role, address) = item
            .split_once('=')
            .ok_or_else(|| bad(format!("`{item}` is not ROLE=ADDRESS:PORT")))?;
        let (address, proxy) = match address.strip_suffix("+proxy") {
            Some(address) => (address, true),
            None => (address, false),
        };
        let mut listener = toml::Table::new();
        listener.insert("role".to_owned(), toml::Value::String(role.to_owned()));
        listener.insert(
            "address".to_owned(),
            toml::Value::String(address.to_owned()),
        );
        listener.insert("proxy_protocol".to_owned(), toml::Value::Boolean(proxy));
        listeners.push(toml::Value::Table(listener));
    }
    Ok(toml::Value::Array(listeners))
}

/// The key a TOML error is at (`section.key`), from its position in the text.
fn error_key(error: &toml::de::Error, text: &str) -> String {
    let Some(span) = error.span() else {
        return "(top level)".to_owned();
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line.split('=').next().unwrap_or("").trim();
    let section = before[..line_start]
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map(|s| s.trim_matches(['[', ']']));
    match (section, key) {
        (_, key) if key.starts_with('[') => key.trim_matches(['[', ']']).to_owned(),
        (Some(section), "") => section.to_owned(),
        (Some(section), key) => format!("{section}.{key}"),
        (None, "") => "(top level)".to_owned(),
        (None, key) => key.to_owned(),
    }
}

/// The system's host name, or `localhost` when it has none.
fn system_hostname() -> String {
    gethostname::gethostname()
        .into_string()
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}
