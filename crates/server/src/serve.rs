//! Running the server: the listeners with their roles, the delivery worker, and a graceful
//! stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use mailroom_mta_core::driver::Server;
use mailroom_mta_core::{ServerConfig, TlsMode};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use mailroom_dns::{AnyResolver, HickoryResolver, Zone};

use crate::config::{Config, DeliveryMode, Role};
use crate::delivery::{Maildir, SmtpHost, Transport};
use crate::directory::FileStore;
use crate::error::Error;
use crate::files::{DataDirLock, lock_data_dir};
use crate::inbound::{MailHandler, Shared};
use crate::keys::{KeyStore, Keyring};
use crate::limiter::AuthLimiter;
use crate::queue::{Queue, Transports, Worker};
use crate::tls;

/// A server whose listeners are bound, ready to run.
///
/// ```no_run
/// use mailroom_server::{Config, Mailserver};
///
/// # async fn run() -> Result<(), mailroom_server::Error> {
/// let config = Config::load(None, std::env::vars())?; // the defaults and MAILROOM_...
/// let server = Mailserver::bind(config).await?;
/// for (role, address) in server.addresses() {
///     println!("{role:?} on {address}");
/// }
/// server.run(async { let _ = tokio::signal::ctrl_c().await; }).await
/// # }
/// ```
pub struct Mailserver {
    shared: Arc<Shared>,
    listeners: Vec<(Role, TcpListener, bool)>,
    tls: Arc<rustls::ServerConfig>,
    worker: Worker,
    _lock: DataDirLock,
}

impl std::fmt::Debug for Mailserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailserver")
            .field("listening", &self.addresses())
            .finish_non_exhaustive()
    }
}

/// The SASL mechanisms offered on the submission listeners.
const MECHANISMS: [&str; 3] = ["PLAIN", "LOGIN", "SCRAM-SHA-256"];

impl Mailserver {
    /// Locks the data directory, opens it (recovering the queue, TLS material) and binds
    /// every listener, so that any problem shows before the server runs.
    ///
    /// # Errors
    ///
    /// A setting the server cannot serve, a data directory in use by another server or
    /// unusable, a bad certificate, or an address that cannot be bound.
    pub async fn bind(config: Config) -> Result<Self, Error> {
        let lock = lock_data_dir(&config.data_dir)?;
        let (queue, recovery) = Queue::open(&config.data_dir)?;
        tracing::info!(
            queued = queue.len(),
            quarantined = recovery.quarantined.len(),
            migrated = recovery.migrated,
            removed = recovery.removed,
            "queue recovered"
        );
        let tls = tls::server_config(&config)?;
        let mut listeners = Vec::new();
        for listener in &config.listeners {
            let bound = TcpListener::bind(listener.address)
                .await
                .map_err(Error::io("cannot listen on", listener.address.to_string()))?;
            listeners.push((listener.role, bound, listener.proxy_protocol));
        }
        let worker = queue.worker(
            transports(&config),
            config.queue.schedule(),
            config.queue.deliveries,
        );
        let directory = Arc::new(FileStore::new(&config.data_dir));
        let resolver = resolver(&config)?;
        Ok(Self {
            shared: Arc::new(Shared {
                resolver,
                auth_limiter: AuthLimiter::default(),
                spf_cache: mailroom_spf::Cache::default(),
                dmarc_cache: mailroom_dmarc::Cache::default(),
                dkim_verifier: mailroom_dkim::Verifier::default(),
                keys: Arc::new(Keyring::load(KeyStore::new(&config.data_dir))),
                config,
                directory,
                queue,
            }),
            listeners,
            tls,
            worker,
            _lock: lock,
        })
    }

    /// The bound addresses with their roles.
    pub fn addresses(&self) -> Vec<(Role, SocketAddr)> {
        self.listeners
            .iter()
            .filter_map(|(role, listener, _)| Some((*role, listener.local_addr().ok()?)))
            .collect()
    }

    /// Serves until `shutdown` completes, then lets sessions finish and stops delivery.
    ///
    /// # Errors
    ///
    /// A listener failing.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (stop, stopping) = watch::channel(false);
        let worker = tokio::spawn(self.worker.run(stopping.clone()));
        let keys = tokio::spawn(watch_keys(Arc::clone(&self.shared.keys), stopping.clone()));
        let mut servers = JoinSet::new();
        for (role, listener, proxy_protocol) in self.listeners {
            let config = session_config(&self.shared.config, role);
            let handler = MailHandler {
                shared: Arc::clone(&self.shared),
                role,
            };
            let server = Server::new(config, handler)
                .with_tls(Arc::clone(&self.tls))
                .with_proxy_protocol(proxy_protocol);
            let mut stopping = stopping.clone();
            let address = listener.local_addr().ok();
            servers.spawn(async move {
                let stopped = async move {
                    let _ = stopping.wait_for(|stop| *stop).await;
                };
                (address, server.serve(listener, stopped).await)
            });
        }
        shutdown.await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
        let mut result = Ok(());
        while let Some(joined) = servers.join_next().await {
            if let Ok((address, Err(error))) = joined {
                let address = address.map_or_else(String::new, |a| a.to_string());
                result = Err(Error::io("listener failed:", address)(error));
            }
        }
        let _ = worker.await;
        let _ = keys.await;
        result
    }
}

/// Looks at the DKIM key folder every second, so new, changed and removed keys take effect
/// without a restart.
async fn watch_keys(keys: Arc<Keyring>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
        let keys = Arc::clone(&keys);
        let _ = tokio::task::spawn_blocking(move || keys.refresh()).await;
    }
}

/// The ways out: Maildir or LMTP for local mailboxes, the relay host for other domains.
fn transports(config: &Config) -> Transports {
    let hostname = config.hostname.as_str();
    let local: Arc<dyn Transport> = match (config.delivery.mode, config.delivery.lmtp_address) {
        (DeliveryMode::Lmtp, Some(address)) => Arc::new(SmtpHost::lmtp(address, hostname)),
        _ => Arc::new(Maildir::new(config.data_dir.join("mail"), hostname)),
    };
    Transports {
        local,
        relay: config
            .delivery
            .relay_host
            .map(|address| Arc::new(SmtpHost::relay(address, hostname)) as Arc<dyn Transport>),
        hostname: hostname.to_owned(),
    }
}

/// The DNS answers: the configured zone file, or the network.
fn resolver(config: &Config) -> Result<AnyResolver, Error> {
    if let Some(path) = &config.dns_zone {
        let text = std::fs::read_to_string(path).map_err(Error::io("cannot read", path))?;
        return Zone::from_text(&text)
            .map(AnyResolver::Zone)
            .map_err(|error| Error::Config {
                key: "dns_zone".to_owned(),
                problem: format!("{}: {error}", path.display()),
            });
    }
    HickoryResolver::builder()
        .and_then(mailroom_dns::HickoryResolverBuilder::build)
        .map(AnyResolver::Network)
        .map_err(|error| Error::Config {
            key: "(system DNS)".to_owned(),
            problem: format!("no usable resolver: {error}"),
        })
}

/// The SMTP session settings of a listener.
fn session_config(config: &Config, role: Role) -> ServerConfig {
    let mut session = ServerConfig::new(config.hostname.clone());
    session.max_message_size = config.limits.max_message_size;
    session.max_recipients = config.limits.max_recipients;
    session.max_errors = config.limits.max_errors;
    session.command_timeout = config.limits.command_timeout();
    session.data_timeout = config.limits.data_timeout();
    match role {
        // No AUTH on port 25.
        Role::Inbound => session.tls = TlsMode::StartTls,
        Role::Submission => {
            session.tls = TlsMode::StartTls;
            session.auth_mechanisms = MECHANISMS.map(str::to_owned).to_vec();
        }
        Role::Submissions => {
            session.tls = TlsMode::Implicit;
            session.auth_mechanisms = MECHANISMS.map(str::to_owned).to_vec();
        }
    }
    session
}
