//! [`Zone`]: an in-memory DNS for tests and tools, built in code or loaded from master-file text.

mod parse;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::future::{Future, ready};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::answer::{Answer, Lookup, Mx, Txt};
use crate::error::{DnsError, MalformedAnswer, ZoneProblem};
use crate::name::{reverse_name, to_ascii, to_ascii_cow};
use crate::resolver::Resolver;

/// How many CNAME records a lookup follows before it gives up, as a resolver answering SERVFAIL
/// would. Real resolvers allow about this many (BIND: 16, Unbound: 11); mail chains are short.
pub const MAX_CNAME_CHAIN: usize = 8;

/// The TTL of records added without one, in seconds.
pub const DEFAULT_TTL: u32 = 3600;

/// The data of one record a [`Zone`] can hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// A mail exchanger.
    Mx(Mx),
    /// Text: SPF, DKIM keys, DMARC policies.
    Txt(Txt),
    /// The host name of an address (stored under its `in-addr.arpa` or `ip6.arpa` name).
    Ptr(String),
    /// An alias: lookups of any type continue at the target.
    Cname(String),
}

impl RecordData {
    /// The record type's mnemonic: `A`, `AAAA`, `MX`, `TXT`, `PTR` or `CNAME`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::A(_) => "A",
            Self::Aaaa(_) => "AAAA",
            Self::Mx(_) => "MX",
            Self::Txt(_) => "TXT",
            Self::Ptr(_) => "PTR",
            Self::Cname(_) => "CNAME",
        }
    }

    /// The same data with any name in it made ASCII and lower case, as the zone stores it.
    fn normalized(self) -> Result<Self, DnsError> {
        Ok(match self {
            Self::Mx(Mx {
                preference,
                exchange,
            }) => Self::Mx(Mx {
                preference,
                exchange: if exchange.is_empty() || exchange == "." {
                    String::new()
                } else {
                    to_ascii(&exchange)?
                },
            }),
            Self::Ptr(target) => Self::Ptr(to_ascii(&target)?),
            Self::Cname(target) => Self::Cname(to_ascii(&target)?),
            other => other,
        })
    }
}

impl fmt::Display for RecordData {
    /// Writes the record data as it appears in a master file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::A(ip) => write!(f, "{ip}"),
            Self::Aaaa(ip) => write!(f, "{ip}"),
            Self::Mx(mx) if mx.is_null() => write!(f, "{} .", mx.preference),
            Self::Mx(mx) => write!(f, "{} {}.", mx.preference, MasterName(&mx.exchange)),
            Self::Txt(txt) => write!(f, "{txt}"),
            Self::Ptr(name) | Self::Cname(name) => write!(f, "{}.", MasterName(name)),
        }
    }
}

/// One record of a zone, as [`Zone::records`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneRecord<'a> {
    /// The owner name: ASCII, lower case, no trailing dot.
    pub name: &'a str,
    /// Time to live in seconds (kept for display; the zone has no clock).
    pub ttl: u32,
    /// The data, or `None` for a `TIMEOUT` marker.
    pub data: Option<&'a RecordData>,
}

/// An in-memory DNS: the [`Resolver`] for tests, examples and offline tools.
///
/// A name with no records is NXDOMAIN; a name that has records, but none of the asked type, is
/// NODATA; a CNAME is followed (at most [`MAX_CNAME_CHAIN`] times). A name marked with
/// [`Zone::insert_timeout`] (or the `TIMEOUT` pseudo-type in text) makes every lookup that its
/// own records cannot answer a [`DnsError::Timeout`]. Names are compared case-insensitively,
/// with or without the trailing dot, and internationalized names as A-labels. There are no
/// wildcards and no empty non-terminals: only names given records exist.
///
/// Zone text uses the master-file form of RFC 1035 §5, so records can be pasted from a DNS
/// provider or from `opendkim-genkey`. Every name is absolute, with or without its trailing dot:
///
/// ```
/// use mailroom_dns::{Answer, DnsError, Resolver, Zone};
/// use futures::executor::block_on;
///
/// let zone = Zone::from_text(r#"
///     example.org.        300 IN MX    10 mx.example.org.
///     mx.example.org.         IN A     192.0.2.25
///     mail._domainkey.example.org. IN TXT ( "v=DKIM1; k=ed25519; "
///                                           "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" )
///     slow.example.org.   TIMEOUT     ; every lookup of this name times out
/// "#)?;
/// let mx = block_on(zone.mx("example.org"))?.into_records();
/// assert_eq!(mx[0].exchange, "mx.example.org");
/// let key = block_on(zone.txt("mail._domainkey.example.org"))?;
/// assert!(key.records()[0].concat().starts_with(b"v=DKIM1; k=ed25519; p="));
/// assert!(matches!(block_on(zone.txt("slow.example.org")), Err(DnsError::Timeout { .. })));
/// # Ok::<(), DnsError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    nodes: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Node {
    records: Vec<(u32, RecordData)>,
    timeout: bool,
}

impl Node {
    fn cname_with_ttl(&self) -> Option<(u32, &str)> {
        self.records.iter().find_map(|(ttl, data)| match data {
            RecordData::Cname(target) => Some((*ttl, target.as_str())),
            _ => None,
        })
    }
}

impl Zone {
    /// An empty zone: every name is NXDOMAIN.
    pub fn new() -> Self {
        Self::default()
    }

    /// A zone loaded from master-file text; see [`Zone::add_text`] for the form.
    ///
    /// # Errors
    ///
    /// [`DnsError::ZoneSyntax`] naming the line of the first problem, or
    /// [`DnsError::ZoneConflict`] for a CNAME beside other records.
    pub fn from_text(text: &str) -> Result<Self, DnsError> {
        let mut zone = Self::new();
        zone.add_text(text)?;
        Ok(zone)
    }

    /// Adds the records in master-file text (RFC 1035 §5): one record per line as
    /// `<name> [<ttl>] [IN] <type> <rdata>`, with the TTL and class in either order.
    ///
    /// - Types: `A`, `AAAA`, `MX <preference> <exchange>`, `TXT` with one or more strings
    ///   (quoted, with `\"`, `\\` and `\DDD` escapes, or bare words), `PTR`, `CNAME`, and the
    ///   pseudo-type `TIMEOUT` with no data.
    /// - `;` starts a comment; blank lines are ignored; parentheses continue a record over lines;
    ///   a line starting with a blank and then a TTL, class or type reuses the previous owner
    ///   name (other indented lines name their owner, so indented text in code reads as expected); `$TTL` sets the default TTL.
    /// - TTLs are seconds or BIND-style units (`1h30m`, `1d`, `1w`).
    /// - `$ORIGIN <name>` sets the origin: after it, `@` is the origin and a name without a
    ///   final dot is relative to it, so a record written for a zone file, such as the
    ///   `sel._domainkey IN TXT (...)` that `opendkim-genkey` writes, can be pasted in as it is.
    ///   Before any `$ORIGIN`, every name is absolute, with or without the final dot.
    ///
    /// On error nothing from `text` is added.
    ///
    /// # Errors
    ///
    /// [`DnsError::ZoneSyntax`] naming the line of the first problem, or
    /// [`DnsError::ZoneConflict`] for a CNAME beside other records.
    pub fn add_text(&mut self, text: &str) -> Result<(), DnsError> {
        let parsed = parse::records(text)?;
        let mut staged = self.clone();
        for record in parsed {
            let added = match record.data {
                Some(data) => staged.insert_with_ttl(&record.name, record.ttl, data),
                None => staged.insert_timeout(&record.name),
            };
            added.map_err(|error| match error {
                DnsError::ZoneConflict { problem, .. } => DnsError::ZoneSyntax {
                    line: record.line,
                    problem,
                    text: record.name.clone(),
                },
                other => other,
            })?;
        }
        *self = staged;
        Ok(())
    }

    /// Adds one record with the [`DEFAULT_TTL`]. Adding a record that is already there changes
    /// nothing (a record set holds no duplicates).
    ///
    /// ```
    /// use mailroom_dns::{RecordData, Txt, Zone};
    /// let mut zone = Zone::new();
    /// zone.insert("example.org", RecordData::A("192.0.2.1".parse()?))?;
    /// zone.insert("example.org", RecordData::Txt(Txt::new(["v=spf1 a -all"])))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DnsError::InvalidName`] for a bad owner or target name, and
    /// [`DnsError::ZoneConflict`] for a CNAME beside other records (RFC 1034 §3.6.2).
    pub fn insert(&mut self, name: &str, data: RecordData) -> Result<(), DnsError> {
        self.insert_with_ttl(name, DEFAULT_TTL, data)
    }

    /// Adds one record with the given TTL in seconds; otherwise as [`Zone::insert`].
    ///
    /// # Errors
    ///
    /// As [`Zone::insert`].
    pub fn insert_with_ttl(
        &mut self,
        name: &str,
        ttl: u32,
        data: RecordData,
    ) -> Result<(), DnsError> {
        let owner = to_ascii(name)?;
        let data = data.normalized()?;
        let is_cname = matches!(data, RecordData::Cname(_));
        // RFC 1034 §3.6.2: a CNAME is the only record at its name (and there is only one).
        let conflict = self.nodes.get(&owner).is_some_and(|node| {
            node.records.iter().any(|(_, existing)| {
                *existing != data && (is_cname || matches!(existing, RecordData::Cname(_)))
            })
        });
        if conflict {
            return Err(DnsError::ZoneConflict {
                name: owner,
                record_type: data.type_name(),
                problem: ZoneProblem::CnameAndOtherData,
            });
        }
        let node = self.nodes.entry(owner).or_default();
        if !node.records.iter().any(|(_, d)| *d == data) {
            node.records.push((ttl, data));
        }
        Ok(())
    }

    /// Marks `name` so that every lookup its own records cannot answer is a timeout: the
    /// `TIMEOUT` pseudo-type of zone text, and of the openspf test suite.
    ///
    /// # Errors
    ///
    /// [`DnsError::InvalidName`] for a bad name.
    pub fn insert_timeout(&mut self, name: &str) -> Result<(), DnsError> {
        self.nodes.entry(to_ascii(name)?).or_default().timeout = true;
        Ok(())
    }

    /// Every record, by owner name in sorted order, then in the order added; a `TIMEOUT`
    /// marker comes last for its name, as a record without data.
    pub fn records(&self) -> impl Iterator<Item = ZoneRecord<'_>> {
        self.nodes.iter().flat_map(|(name, node)| {
            let records = node.records.iter().map(move |(ttl, data)| ZoneRecord {
                name,
                ttl: *ttl,
                data: Some(data),
            });
            let timeout = node.timeout.then_some(ZoneRecord {
                name,
                ttl: 0,
                data: None,
            });
            records.chain(timeout)
        })
    }

    /// Answers a lookup of `name` with the records `pick` selects, following CNAMEs.
    fn lookup<T>(&self, name: &str, pick: impl Fn(&RecordData) -> Option<T>) -> Lookup<T> {
        self.lookup_with_ttl(name, pick).0
    }

    /// [`Zone::lookup`] with the smallest TTL of the records (and of the CNAMEs followed), or
    /// [`DEFAULT_TTL`] for a NODATA or NXDOMAIN answer (a zone here has no SOA).
    fn lookup_with_ttl<T>(
        &self,
        name: &str,
        pick: impl Fn(&RecordData) -> Option<T>,
    ) -> (Lookup<T>, Option<u32>) {
        let mut current = match to_ascii_cow(name) {
            Ok(current) => current,
            Err(error) => return (Err(error), None),
        };
        let mut ttl = DEFAULT_TTL;
        for _ in 0..=MAX_CNAME_CHAIN {
            let Some(node) = self.nodes.get(current.as_ref()) else {
                return (Ok(Answer::NxDomain), Some(ttl));
            };
            let mut found = Vec::new();
            for (record_ttl, data) in &node.records {
                if let Some(record) = pick(data) {
                    ttl = ttl.min(*record_ttl);
                    found.push(record);
                }
            }
            if !found.is_empty() {
                return (Ok(Answer::Records(found)), Some(ttl));
            }
            if let Some((cname_ttl, target)) = node.cname_with_ttl() {
                ttl = ttl.min(cname_ttl);
                current = Cow::Owned(target.to_owned());
                continue;
            }
            if node.timeout {
                let error = DnsError::Timeout {
                    name: current.into_owned(),
                };
                return (Err(error), None);
            }
            return (Ok(Answer::NoData), Some(ttl));
        }
        let error = DnsError::Malformed {
            name: name.to_owned(),
            problem: MalformedAnswer::CnameChain,
        };
        (Err(error), None)
    }
}

impl fmt::Display for Zone {
    /// Writes the zone as master-file text that [`Zone::from_text`] reads back to an equal zone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for record in self.records() {
            match record.data {
                Some(data) => writeln!(
                    f,
                    "{}. {} IN {} {data}",
                    MasterName(record.name),
                    record.ttl,
                    data.type_name()
                )?,
                None => writeln!(f, "{}. TIMEOUT", MasterName(record.name))?,
            }
        }
        Ok(())
    }
}

/// A stored name written for a master file: octets that would end or change a token escaped.
struct MasterName<'a>(&'a str);

impl fmt::Display for MasterName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.bytes().enumerate() {
            match byte {
                b'\\' | b'"' | b';' | b'(' | b')' => write!(f, "\\{}", char::from(byte))?,
                // A leading `$` would read as a directive.
                b'$' if i == 0 => f.write_str("\\$")?,
                0x21..=0x7e => write!(f, "{}", char::from(byte))?,
                _ => write!(f, "\\{byte:03}")?,
            }
        }
        Ok(())
    }
}

impl Resolver for Zone {
    fn txt(&self, name: &str) -> impl Future<Output = Lookup<Txt>> + Send {
        ready(self.lookup(name, |data| match data {
            RecordData::Txt(txt) => Some(txt.clone()),
            _ => None,
        }))
    }

    fn txt_with_ttl(&self, name: &str) -> impl Future<Output = (Lookup<Txt>, Option<u32>)> + Send {
        ready(self.lookup_with_ttl(name, |data| match data {
            RecordData::Txt(txt) => Some(txt.clone()),
            _ => None,
        }))
    }

    fn a(&self, name: &str) -> impl Future<Output = Lookup<Ipv4Addr>> + Send {
        ready(self.lookup(name, |data| match data {
            RecordData::A(ip) => Some(*ip),
            _ => None,
        }))
    }

    fn aaaa(&self, name: &str) -> impl Future<Output = Lookup<Ipv6Addr>> + Send {
        ready(self.lookup(name, |data| match data {
            RecordData::Aaaa(ip) => Some(*ip),
            _ => None,
        }))
    }

    fn mx(&self, name: &str) -> impl Future<Output = Lookup<Mx>> + Send {
        ready(self.lookup(name, |data| match data {
            RecordData::Mx(mx) => Some(mx.clone()),
            _ => None,
        }))
    }

    fn a_with_ttl(
        &self,
        name: &str,
    ) -> impl Future<Output = (Lookup<Ipv4Addr>, Option<u32>)> + Send {
        ready(self.lookup_with_ttl(name, |data| match data {
            RecordData::A(ip) => Some(*ip),
            _ => None,
        }))
    }

    fn aaaa_with_ttl(
        &self,
        name: &str,
    ) -> impl Future<Output = (Lookup<Ipv6Addr>, Option<u32>)> + Send {
        ready(self.lookup_with_ttl(name, |data| match data {
            RecordData::Aaaa(ip) => Some(*ip),
            _ => None,
        }))
    }

    fn mx_with_ttl(&self, name: &str) -> impl Future<Output = (Lookup<Mx>, Option<u32>)> + Send {
        ready(self.lookup_with_ttl(name, |data| match data {
            RecordData::Mx(mx) => Some(mx.clone()),
            _ => None,
        }))
    }

    fn ptr(&self, ip: IpAddr) -> impl Future<Output = Lookup<String>> + Send {
        ready(self.lookup(&reverse_name(ip), |data| match data {
            RecordData::Ptr(name) => Some(name.clone()),
            _ => None,
        }))
    }
}
