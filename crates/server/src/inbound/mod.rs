//! The server's answers at each SMTP policy point, per listener role, one module each: AUTH
//! and its limits ([`auth`]), who may send as whom ([`sender`]), which recipients are taken
//! ([`recipient`]), the one pass over the message and its commit before the 250
//! ([`message`]), SPF/DKIM/DMARC ([`verdict`]) and the trace fields ([`trace`]). Inbound sees
//! the queue only through its handle.

mod auth;
mod message;
mod recipient;
mod sender;
mod trace;
mod verdict;

use std::io;
use std::sync::Arc;

use mailroom_mta_core::driver::{Handler, Peer};
use mailroom_mta_core::{
    Decision, Domain, Envelope, ForwardPath, MailParameters, RcptParameters, Reply, ReversePath,
};
use mailroom_sasl::{PlainCredentials, ScramCredentials};

use crate::config::{Config, Role};
use crate::directory::{Directory, Store};
use crate::keys::Keyring;
use crate::limiter::AuthLimiter;
use crate::queue::{Incoming, Queue};
use crate::time::unix_now;
use mailroom_dkim::Verifier;
use mailroom_dmarc::Cache as DmarcCache;
use mailroom_dns::AnyResolver;
use mailroom_spf::Cache as SpfCache;
use mailroom_spf::{Identity, SpfOutput};

/// What every connection of the server shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) directory: Arc<dyn Store>,
    pub(crate) queue: Queue,
    /// The DKIM keys, held parsed.
    pub(crate) keys: Arc<Keyring>,
    pub(crate) resolver: AnyResolver,
    pub(crate) auth_limiter: AuthLimiter,
    /// SPF records, answers and programs kept across checks for their TTLs.
    pub(crate) spf_cache: SpfCache,
    /// DMARC records kept across messages for their TTLs.
    pub(crate) dmarc_cache: DmarcCache,
    /// The DKIM verifier of every message, so each published key is parsed once.
    pub(crate) dkim_verifier: Verifier,
}

impl Shared {
    fn directory(&self) -> Option<Arc<Directory>> {
        match self.directory.load() {
            Ok(directory) => Some(directory),
            Err(error) => {
                tracing::error!(%error, "cannot read the directory");
                None
            }
        }
    }

    fn is_local_domain(&self, directory: &Directory, domain: &str) -> bool {
        domain.eq_ignore_ascii_case(&self.config.hostname)
            || self
                .config
                .domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
            || directory.has_domain(domain)
    }
}

/// The handler of one listener.
pub(crate) struct MailHandler {
    pub(crate) shared: Arc<Shared>,
    pub(crate) role: Role,
}

/// What the server knows about one connection.
pub(crate) struct Session {
    peer: Peer,
    trusted: bool,
    helo: Option<(String, bool)>,
    tls: bool,
    user: Option<String>,
    transaction: Option<Transaction>,
}

/// The mail transaction in progress.
struct Transaction {
    id: String,
    from: ReversePath,
    /// Local mailboxes (users) to deliver to, each once.
    local: Vec<String>,
    remote: Vec<String>,
    accepted: Vec<String>,
    incoming: Option<Incoming>,
    /// The start of the message, up to the end of its header section, for the From check.
    header: Vec<u8>,
    size: u64,
    /// SPF for mail from the world (not for authenticated or trusted clients), with the
    /// identity it checked.
    spf: Option<(SpfOutput, Identity)>,
}

fn reply(code: u16, enhanced: (u8, u16, u16), text: &str) -> Decision {
    Decision::Reply(Reply::coded(code, enhanced, text))
}

/// `local@domain` (lower case, as the directory compares it); `None` for the null sender.
fn address(path: &ReversePath) -> Option<String> {
    match path {
        ReversePath::Null => None,
        ReversePath::Mailbox(mailbox) => Some(mailbox.to_string().to_ascii_lowercase()),
    }
}

/// The envelope sender as text: `local@domain`, or empty for the null sender.
fn sender_text(path: &ReversePath) -> String {
    address(path).unwrap_or_default()
}

impl Handler for MailHandler {
    type Connection = Session;

    async fn connect(&self, peer: Peer) -> Result<Session, Reply> {
        let trusted = self.shared.config.is_trusted(peer.remote.ip());
        tracing::info!(client = %peer.remote, role = ?self.role, trusted, "connected");
        Ok(Session {
            peer,
            trusted,
            helo: None,
            tls: false,
            user: None,
            transaction: None,
        })
    }

    async fn ehlo(&self, session: &mut Session, domain: &Domain, extended: bool) -> Decision {
        session.helo = Some((domain.to_string(), extended));
        Decision::Accept
    }

    fn tls_established(&self, session: &mut Session) {
        session.tls = true;
    }

    async fn check_password(&self, session: &mut Session, credentials: &PlainCredentials) -> bool {
        self.password_matches(session, credentials).await
    }

    async fn scram_credentials(
        &self,
        _session: &mut Session,
        username: &str,
    ) -> Option<ScramCredentials> {
        self.shared.directory()?.user(username)?.scram.credentials()
    }

    fn auth_failed(&self, session: &mut Session, mechanism: &str, username: &str) {
        self.note_auth_failure(session, mechanism, username);
    }

    fn authenticated(&self, session: &mut Session, mechanism: &str, username: &str) {
        self.note_authenticated(session, mechanism, username);
    }

    async fn mail(
        &self,
        session: &mut Session,
        from: &ReversePath,
        _params: &MailParameters,
    ) -> Decision {
        self.on_mail(session, from).await
    }

    async fn rcpt(
        &self,
        session: &mut Session,
        to: &ForwardPath,
        _params: &RcptParameters,
    ) -> Decision {
        self.on_rcpt(session, to)
    }

    async fn data(&self, session: &mut Session, chunk: &[u8]) -> io::Result<()> {
        self.on_data(session, chunk).await
    }

    async fn discard(&self, session: &mut Session) {
        self.on_discard(session).await;
    }

    async fn message(&self, session: &mut Session, _envelope: Envelope) -> Decision {
        self.on_message(session).await
    }
}

/// A new queue ID: the time, a counter and random digits, so no two are the same even when
/// the system has no randomness to give.
fn queue_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut random = [0_u8; 4];
    let _ = getrandom::fill(&mut random);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) & 0xFFFF;
    format!(
        "{:X}{count:04X}{:08X}",
        unix_now(),
        u32::from_be_bytes(random)
    )
}
