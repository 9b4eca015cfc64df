//! [`HickoryResolver`]: the production [`Resolver`] over hickory-resolver and tokio.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError as HickoryDnsError, NetError};

use crate::answer::{Answer, Lookup, Mx, Txt};
use crate::error::{DnsError, IoSource, MalformedAnswer, NameProblem};
use crate::name::{reverse_name, to_ascii};
use crate::resolver::Resolver;

/// The per-query timeout unless configured: long enough for a slow authoritative server, short
/// enough that an SMTP client waiting for its reply to MAIL FROM does not give up first.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Resolver`] that asks the network through hickory-resolver.
///
/// It keeps hickory's cache (answers, NXDOMAIN and NODATA are held for their TTL, so every SPF,
/// DKIM and DMARC check of a busy server does not hit the network), sends every name fully
/// qualified as A-labels, and retries a truncated UDP answer over TCP, which large SPF and DKIM
/// TXT records need. `/etc/hosts` is not consulted: mail authentication asks the DNS.
///
/// Clones share one cache. Lookups must run inside a tokio runtime.
///
/// ```no_run
/// use mailroom_dns::{HickoryResolver, Resolver};
/// # async fn run() -> Result<(), mailroom_dns::DnsError> {
/// let resolver = HickoryResolver::builder()?.timeout(std::time::Duration::from_secs(3)).build()?;
/// for mx in resolver.mx("example.org").await?.records() {
///     println!("{} {}", mx.preference, mx.exchange);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HickoryResolver {
    inner: Arc<TokioResolver>,
}

impl std::fmt::Debug for HickoryResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HickoryResolver")
            .field("options", self.inner.options())
            .finish_non_exhaustive()
    }
}

impl HickoryResolver {
    /// A resolver with the system's name servers and options (`/etc/resolv.conf`).
    ///
    /// # Errors
    ///
    /// [`DnsError::SystemConfig`] when the system configuration cannot be read or names no
    /// name server.
    pub fn from_system_conf() -> Result<Self, DnsError> {
        Self::builder()?.build()
    }

    /// A builder that starts from the system's configuration (`/etc/resolv.conf`).
    ///
    /// # Errors
    ///
    /// [`DnsError::SystemConfig`] when the system configuration cannot be read.
    pub fn builder() -> Result<HickoryResolverBuilder, DnsError> {
        let (config, options) =
            hickory_resolver::system_conf::read_system_conf().map_err(|error| {
                DnsError::SystemConfig {
                    source: net_error_source(error),
                }
            })?;
        Ok(HickoryResolverBuilder::new(config, options))
    }

    /// A builder that asks the given name servers, each over UDP and TCP on its port, in order.
    pub fn with_name_servers(
        servers: impl IntoIterator<Item = SocketAddr>,
    ) -> HickoryResolverBuilder {
        let name_servers = servers
            .into_iter()
            .map(|server| {
                let connection = |mut config: ConnectionConfig| {
                    config.port = server.port();
                    config
                };
                NameServerConfig::new(
                    server.ip(),
                    true,
                    vec![
                        connection(ConnectionConfig::udp()),
                        connection(ConnectionConfig::tcp()),
                    ],
                )
            })
            .collect();
        HickoryResolverBuilder::new(
            ResolverConfig::from_name_servers(name_servers),
            ResolverOpts::default(),
        )
    }

    async fn lookup<T>(
        &self,
        name: &str,
        record_type: RecordType,
        pick: impl Fn(&RData) -> Option<T>,
    ) -> Lookup<T> {
        self.lookup_with_ttl(name, record_type, pick).await.0
    }

    /// [`Self::lookup`] with the smallest TTL of the records, or the negative TTL the SOA gave
    /// for NODATA and NXDOMAIN (`None` when there was no SOA).
    async fn lookup_with_ttl<T>(
        &self,
        name: &str,
        record_type: RecordType,
        pick: impl Fn(&RData) -> Option<T>,
    ) -> (Lookup<T>, Option<u32>) {
        let ascii = match to_ascii(name) {
            Ok(ascii) => ascii,
            Err(error) => return (Err(error), None),
        };
        // A trailing dot makes the name fully qualified, so no search domain is tried.
        let Ok(fqdn) = Name::from_ascii(format!("{ascii}.")) else {
            let error = DnsError::InvalidName {
                name: name.to_owned(),
                problem: NameProblem::EmptyLabel,
            };
            return (Err(error), None);
        };
        match self.inner.lookup(fqdn, record_type).await {
            Ok(lookup) => {
                let mut ttl: Option<u32> = None;
                let mut records = Vec::new();
                for record in lookup.answers() {
                    if let Some(found) = pick(&record.data) {
                        ttl = Some(ttl.map_or(record.ttl, |t| t.min(record.ttl)));
                        records.push(found);
                    }
                }
                (Ok(Answer::from_records(records)), ttl)
            }
            Err(NetError::Dns(HickoryDnsError::NoRecordsFound(no_records)))
                if matches!(
                    no_records.response_code,
                    ResponseCode::NXDomain | ResponseCode::NoError
                ) =>
            {
                let ttl = no_records.negative_ttl;
                let answer = if no_records.response_code == ResponseCode::NXDomain {
                    Answer::NxDomain
                } else {
                    Answer::NoData
                };
                (Ok(answer), ttl)
            }
            Err(error) => (answer_from_error(ascii, error), None),
        }
    }
}

/// Sorts a hickory error into an answer (NXDOMAIN, NODATA) or one of our errors.
fn answer_from_error<T>(name: String, error: NetError) -> Lookup<T> {
    Err(match error {
        NetError::Dns(HickoryDnsError::NoRecordsFound(no_records)) => {
            match no_records.response_code {
                ResponseCode::NXDomain => return Ok(Answer::NxDomain),
                ResponseCode::NoError => return Ok(Answer::NoData),
                code => DnsError::ServerFailure {
                    name,
                    rcode: u16::from(code),
                },
            }
        }
        NetError::Dns(HickoryDnsError::ResponseCode(code)) => DnsError::ServerFailure {
            name,
            rcode: u16::from(code),
        },
        NetError::Timeout => DnsError::Timeout { name },
        NetError::Truncated => DnsError::Malformed {
            name,
            problem: MalformedAnswer::Truncated,
        },
        NetError::Proto(_) => DnsError::Malformed {
            name,
            problem: MalformedAnswer::Undecodable,
        },
        other => DnsError::Network {
            name,
            source: net_error_source(other),
        },
    })
}

fn net_error_source(error: NetError) -> IoSource {
    match error {
        NetError::Io(io) => IoSource::from(io),
        other => IoSource::from(io::Error::other(other)),
    }
}

/// The name a hickory record points at, in our form: ASCII, lower case, no trailing dot.
fn target(name: &Name) -> String {
    let mut text = name.to_ascii().to_ascii_lowercase();
    if text.ends_with('.') {
        text.pop();
    }
    text
}

impl Resolver for HickoryResolver {
    fn txt(&self, name: &str) -> impl Future<Output = Lookup<Txt>> + Send {
        self.lookup(name, RecordType::TXT, |data| match data {
            RData::TXT(txt) => Some(Txt::new(txt.txt_data.iter())),
            _ => None,
        })
    }

    fn txt_with_ttl(&self, name: &str) -> impl Future<Output = (Lookup<Txt>, Option<u32>)> + Send {
        self.lookup_with_ttl(name, RecordType::TXT, |data| match data {
            RData::TXT(txt) => Some(Txt::new(txt.txt_data.iter())),
            _ => None,
        })
    }

    fn a(&self, name: &str) -> impl Future<Output = Lookup<Ipv4Addr>> + Send {
        self.lookup(name, RecordType::A, |data| match data {
            RData::A(a) => Some(a.0),
            _ => None,
        })
    }

    fn aaaa(&self, name: &str) -> impl Future<Output = Lookup<Ipv6Addr>> + Send {
        self.lookup(name, RecordType::AAAA, |data| match data {
            RData::AAAA(aaaa) => Some(aaaa.0),
            _ => None,
        })
    }

    fn mx(&self, name: &str) -> impl Future<Output = Lookup<Mx>> + Send {
        self.lookup(name, RecordType::MX, |data| match data {
            RData::MX(mx) => Some(Mx {
                preference: mx.preference,
                exchange: target(&mx.exchange),
            }),
            _ => None,
        })
    }

    fn a_with_ttl(
        &self,
        name: &str,
    ) -> impl Future<Output = (Lookup<Ipv4Addr>, Option<u32>)> + Send {
        self.lookup_with_ttl(name, RecordType::A, |data| match data {
            RData::A(a) => Some(a.0),
            _ => None,
        })
    }

    fn aaaa_with_ttl(
        &self,
        name: &str,
    ) -> impl Future<Output = (Lookup<Ipv6Addr>, Option<u32>)> + Send {
        self.lookup_with_ttl(name, RecordType::AAAA, |data| match data {
            RData::AAAA(aaaa) => Some(aaaa.0),
            _ => None,
        })
    }

    fn mx_with_ttl(&self, name: &str) -> impl Future<Output = (Lookup<Mx>, Option<u32>)> + Send {
        self.lookup_with_ttl(name, RecordType::MX, |data| match data {
            RData::MX(mx) => Some(Mx {
                preference: mx.preference,
                exchange: target(&mx.exchange),
            }),
            _ => None,
        })
    }

    fn ptr(&self, ip: IpAddr) -> impl Future<Output = Lookup<String>> + Send {
        let name = reverse_name(ip);
        async move {
            self.lookup(&name, RecordType::PTR, |data| match data {
                RData::PTR(ptr) => Some(target(&ptr.0)),
                _ => None,
            })
            .await
        }
    }
}

/// Settings for a [`HickoryResolver`]: name servers, per-query timeout, attempts and cache size.
#[derive(Debug, Clone)]
pub struct HickoryResolverBuilder {
    config: ResolverConfig,
    options: ResolverOpts,
}

impl HickoryResolverBuilder {
    fn new(config: ResolverConfig, mut options: ResolverOpts) -> Self {
        options.use_hosts_file = ResolveHosts::Never;
        options.timeout = DEFAULT_QUERY_TIMEOUT;
        Self { config, options }
    }

    /// How long to wait for each query to each name server (default [`DEFAULT_QUERY_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    /// How many times to send a query to a name server that did not answer (hickory default 2).
    pub fn attempts(mut self, attempts: usize) -> Self {
        self.options.attempts = attempts;
        self
    }

    /// How many answers the cache holds; 0 turns the cache off.
    pub fn cache_size(mut self, entries: u64) -> Self {
        self.options.cache_size = entries;
        self
    }

    /// The most seconds a negative answer (NXDOMAIN, NODATA) is cached, whatever its SOA says.
    pub fn negative_max_ttl(mut self, ttl: Duration) -> Self {
        self.options.negative_max_ttl = Some(ttl);
        self
    }

    /// Builds the resolver.
    ///
    /// # Errors
    ///
    /// [`DnsError::SystemConfig`] when the configuration names no usable name server.
    pub fn build(self) -> Result<HickoryResolver, DnsError> {
        let resolver =
            TokioResolver::builder_with_config(self.config, TokioRuntimeProvider::default())
                .with_options(self.options)
                .build()
                .map_err(|error| DnsError::SystemConfig {
                    source: net_error_source(error),
                })?;
        Ok(HickoryResolver {
            inner: Arc::new(resolver),
        })
    }
}
