//! The server's answers at each SMTP policy point, per listener role: who may relay, which
//! recipients exist, who may send as whom, and durable queueing before the 250.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use mailroom_mta_core::driver::{Handler, Peer};
use mailroom_mta_core::{
    Decision, Domain, Envelope, ForwardPath, MailParameters, RcptParameters, Reply, ReversePath,
};
use mailroom_sasl::{PlainCredentials, ScramCredentials};

use crate::config::{Config, Role};
use crate::directory::{Directory, Store};
use crate::error::Error;
use crate::keys::Keyring;
use crate::limiter::AuthLimiter;
use crate::queue::{Destination, Incoming, Queue, RecipientState, Record};
use crate::time::{rfc5322, unix_now};
use mailroom_dkim::Verifier;
use mailroom_dmarc::Cache as DmarcCache;
use mailroom_dmarc::{AuthenticationResults, Checker, Disposition, DmarcResult, Identifiers};
use mailroom_dns::AnyResolver;
use mailroom_spf::Cache as SpfCache;
use mailroom_spf::{Evaluator, Identity, SpfOutput};

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

/// How much of a message's header section is kept for the From check.
const MAX_HEADER: usize = 64 * 1024;

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
        if credentials
            .authzid
            .as_ref()
            .is_some_and(|authzid| !authzid.eq_ignore_ascii_case(&credentials.authcid))
        {
            return false;
        }
        let ip = session.peer.remote.ip();
        let limiter = &self.shared.auth_limiter;
        if !limiter.allows(ip, &credentials.authcid, Instant::now()) {
            tracing::warn!(client = %session.peer.remote, user = %credentials.authcid, "authentication refused: too many failures");
            return false;
        }
        let Some(directory) = self.shared.directory() else {
            return false;
        };
        let Some(user) = directory.user(&credentials.authcid).cloned() else {
            tracing::info!(client = %session.peer.remote, user = %credentials.authcid, "authentication failed: no such user");
            return false;
        };
        let password = credentials.password.clone();
        // Argon2 takes tens of milliseconds of CPU: keep it off the connection threads.
        let ok = tokio::task::spawn_blocking(move || user.password.verify(&password))
            .await
            .unwrap_or(false);
        if !ok {
            tracing::info!(client = %session.peer.remote, user = %credentials.authcid, "authentication failed: wrong password");
        }
        ok
    }

    async fn scram_credentials(
        &self,
        _session: &mut Session,
        username: &str,
    ) -> Option<ScramCredentials> {
        self.shared.directory()?.user(username)?.scram.credentials()
    }

    fn auth_failed(&self, session: &mut Session, mechanism: &str, username: &str) {
        // PLAIN and LOGIN failures were logged with their reason by check_password.
        if mechanism.starts_with("SCRAM") {
            tracing::info!(client = %session.peer.remote, user = %username, mechanism, "authentication failed: wrong proof");
        }
        self.shared
            .auth_limiter
            .failed(session.peer.remote.ip(), username, Instant::now());
    }

    fn authenticated(&self, session: &mut Session, mechanism: &str, username: &str) {
        tracing::info!(client = %session.peer.remote, user = %username, mechanism, "authenticated");
        self.shared.auth_limiter.succeeded(username);
        session.user = Some(username.to_ascii_lowercase());
    }

    async fn mail(
        &self,
        session: &mut Session,
        from: &ReversePath,
        _params: &MailParameters,
    ) -> Decision {
        let submission = matches!(self.role, Role::Submission | Role::Submissions);
        if submission && session.user.is_none() && !session.trusted {
            // RFC 4954 §6.
            return reply(530, (5, 7, 0), "authentication required");
        }
        if let (Some(user), Some(sender)) = (&session.user, address(from))
            && self.shared.config.policy.spoof_protection
        {
            let Some(directory) = self.shared.directory() else {
                return reply(
                    451,
                    (4, 3, 0),
                    "the directory is unavailable; try again later",
                );
            };
            if directory.may_send_as(user, &sender).is_none() {
                tracing::info!(client = %session.peer.remote, %user, from = %sender, "refused: sender does not belong to the user");
                return reply(553, (5, 7, 1), &not_yours(&sender, user));
            }
        }
        let spf = if self.role == Role::Inbound && session.user.is_none() && !session.trusted {
            Some(self.check_spf(session, from).await)
        } else {
            None
        };
        session.transaction = Some(Transaction {
            spf,
            id: queue_id(),
            from: from.clone(),
            local: Vec::new(),
            remote: Vec::new(),
            accepted: Vec::new(),
            incoming: None,
            header: Vec::new(),
            size: 0,
        });
        Decision::Accept
    }

    async fn rcpt(
        &self,
        session: &mut Session,
        to: &ForwardPath,
        _params: &RcptParameters,
    ) -> Decision {
        let Some(directory) = self.shared.directory() else {
            return reply(
                451,
                (4, 3, 0),
                "the directory is unavailable; try again later",
            );
        };
        let (local_part, domain) = match to {
            ForwardPath::Postmaster => {
                ("postmaster".to_owned(), self.shared.config.hostname.clone())
            }
            ForwardPath::Mailbox(mailbox) => (mailbox.local.clone(), mailbox.domain.to_string()),
        };
        let recipient = format!("{local_part}@{domain}").to_ascii_lowercase();
        // The open-relay tricks: the percent hack, bang paths, a quoted local part holding
        // an @, a trailing dot (RFC 2505 §2.6).
        if local_part.contains(['%', '!', '@']) || domain.ends_with('.') {
            return reply(
                550,
                (5, 7, 1),
                "this address form is not accepted (relaying tricks are refused)",
            );
        }
        let users = directory.resolve(&recipient);
        let Some(transaction) = session.transaction.as_mut() else {
            return reply(503, (5, 5, 1), "send MAIL first");
        };
        if !users.is_empty() {
            for user in users {
                if !transaction.local.contains(&user.address) {
                    transaction.local.push(user.address.clone());
                }
            }
            transaction.accepted.push(recipient);
            return Decision::Accept;
        }
        if self.shared.is_local_domain(&directory, &domain) {
            return reply(550, (5, 1, 1), &format!("<{recipient}>: no such user here"));
        }
        if session.user.is_none() && !session.trusted {
            return reply(550, (5, 7, 1), &format!("<{recipient}>: relaying denied"));
        }
        if self.shared.config.delivery.relay_host.is_none() {
            return reply(
                550,
                (5, 7, 1),
                &format!(
                    "<{recipient}>: this server does not deliver to other hosts (no delivery.relay_host)"
                ),
            );
        }
        transaction.remote.push(recipient.clone());
        transaction.accepted.push(recipient);
        Decision::Accept
    }

    async fn data(&self, session: &mut Session, chunk: &[u8]) -> io::Result<()> {
        let Some(transaction) = session.transaction.as_mut() else {
            return Err(io::Error::other("message data outside a transaction"));
        };
        if transaction.incoming.is_none() {
            let incoming = self
                .shared
                .queue
                .receive(&transaction.id)
                .await
                .map_err(|error| {
                    tracing::error!(queue_id = %transaction.id, %error, "cannot spool");
                    io::Error::other(error)
                })?;
            transaction.incoming = Some(incoming);
        }
        if transaction.header.len() < MAX_HEADER && end_of_header(&transaction.header).is_none() {
            let room = MAX_HEADER - transaction.header.len();
            transaction
                .header
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        transaction.size += chunk.len() as u64;
        match &mut transaction.incoming {
            Some(incoming) => incoming.write(chunk).await.inspect_err(|error| {
                tracing::error!(queue_id = %transaction.id, file = %incoming.path().display(), %error, "cannot write message data");
            }),
            None => Ok(()),
        }
    }

    async fn discard(&self, session: &mut Session) {
        if let Some(transaction) = session.transaction.take()
            && let Some(incoming) = transaction.incoming
        {
            incoming.abandon().await;
        }
    }

    async fn message(&self, session: &mut Session, _envelope: Envelope) -> Decision {
        let Some(mut transaction) = session.transaction.take() else {
            return reply(503, (5, 5, 1), "no transaction");
        };
        let mut incoming = match transaction.incoming.take() {
            Some(incoming) => incoming,
            // An empty message: still a message.
            None => match self.shared.queue.receive(&transaction.id).await {
                Ok(incoming) => incoming,
                Err(error) => {
                    tracing::error!(queue_id = %transaction.id, %error, "cannot spool");
                    return reply(
                        451,
                        (4, 3, 0),
                        "the message could not be stored; try again later",
                    );
                }
            },
        };
        if let Some(refusal) = self.check_from(session, &transaction) {
            incoming.abandon().await;
            return refusal;
        }
        let mut authentication = String::new();
        let mut folder = None;
        let mut checks = if session.user.is_some() {
            "none (authenticated)".to_owned()
        } else {
            "none (trusted network)".to_owned()
        };
        if let Some((spf, identity)) = &transaction.spf {
            match self
                .authenticate(session, &transaction, spf, *identity, &mut incoming)
                .await
            {
                Ok(Verdict::Deliver { header, summary }) => {
                    authentication = header;
                    checks = summary;
                }
                Ok(Verdict::Quarantine { header, summary }) => {
                    authentication = header;
                    checks = format!("{summary} folder=Junk");
                    folder = Some("Junk".to_owned());
                }
                Ok(Verdict::Reject(refusal)) => {
                    incoming.abandon().await;
                    return refusal;
                }
                Err(error) => {
                    tracing::error!(queue_id = %transaction.id, %error, "cannot check the message");
                    incoming.abandon().await;
                    return reply(
                        451,
                        (4, 3, 0),
                        "the message could not be checked; try again later",
                    );
                }
            }
        }
        let mut prefix = received_field(
            &self.shared.config.hostname,
            session,
            &transaction.id,
            &transaction.accepted,
        );
        prefix.push_str(&authentication);
        match self.sign(session, &transaction, &mut incoming).await {
            Ok(signatures) => prefix.push_str(&signatures),
            Err(error) => {
                tracing::error!(queue_id = %transaction.id, %error, "cannot sign");
                incoming.abandon().await;
                return reply(
                    451,
                    (4, 3, 0),
                    "the message could not be signed; try again later",
                );
            }
        }
        let local = transaction
            .local
            .into_iter()
            .map(|user| Destination::Local {
                user,
                folder: folder.clone(),
            });
        let remote = transaction
            .remote
            .into_iter()
            .map(|address| Destination::Remote { address });
        let queued = Record {
            version: crate::queue::record::VERSION,
            id: transaction.id.clone(),
            received: unix_now(),
            from: sender_text(&transaction.from),
            prefix,
            strip_our_results: transaction.spf.is_some(),
            eight_bit: incoming.is_eight_bit(),
            recipients: local.chain(remote).map(RecipientState::pending).collect(),
        };
        let id = queued.id.clone();
        let from = queued.from.clone();
        if let Err(error) = self.shared.queue.commit(incoming, queued).await {
            tracing::error!(queue_id = %id, %error, "cannot queue");
            return reply(
                451,
                (4, 3, 0),
                "the message could not be stored; try again later",
            );
        }
        tracing::info!(
            queue_id = %id,
            client = %session.peer.remote,
            helo = session.helo.as_ref().map_or("", |(h, _)| h.as_str()),
            user = session.user.as_deref().unwrap_or(""),
            %from,
            to = %transaction.accepted.join(","),
            size = transaction.size,
            %checks,
            reply = %format!("250 2.0.0 queued as {id}"),
            "queued"
        );
        reply(250, (2, 0, 0), &format!("queued as {id}"))
    }
}

/// What the checks of an inbound message decided.
enum Verdict {
    /// Deliver, with these header fields (Received-SPF, Authentication-Results).
    Deliver { header: String, summary: String },
    /// Deliver to the Junk folder (DMARC `p=quarantine`).
    Quarantine { header: String, summary: String },
    /// Refuse with this reply (DMARC `p=reject`).
    Reject(Decision),
}

impl MailHandler {
    /// SPF for the client and MAIL FROM (or the HELO name for the null sender, RFC 7208 §2.4).
    async fn check_spf(&self, session: &Session, from: &ReversePath) -> (SpfOutput, Identity) {
        let sender = sender_text(from);
        let helo = session.helo.as_ref().map_or("", |(h, _)| h.as_str());
        let identity = if sender.is_empty() {
            Identity::Helo
        } else {
            Identity::MailFrom
        };
        let out = Evaluator::new(&self.shared.resolver)
            .receiver(self.shared.config.hostname.as_str())
            .cache(&self.shared.spf_cache)
            .now(unix_now())
            .check_mail_from(session.peer.remote.ip(), helo, &sender)
            .await;
        tracing::info!(client = %session.peer.remote, from = %sender, spf = %out.result, domain = %out.domain, "SPF");
        (out, identity)
    }

    /// DKIM and DMARC on a complete inbound message, and the policy the From domain asks for;
    /// the header fields that record the results (RFC 7208 §9.1, RFC 8601).
    async fn authenticate(
        &self,
        session: &Session,
        transaction: &Transaction,
        spf: &SpfOutput,
        identity: Identity,
        incoming: &mut Incoming,
    ) -> Result<Verdict, Error> {
        incoming
            .flush()
            .await
            .map_err(Error::io("cannot write", incoming.path()))?;
        let message = tokio::fs::read(incoming.path())
            .await
            .map_err(Error::io("cannot read", incoming.path()))?;
        let resolver = &self.shared.resolver;
        let hostname = self.shared.config.hostname.as_str();
        let now = unix_now();
        let dkim = self
            .shared
            .dkim_verifier
            .verify(resolver, &message, now)
            .await;
        let dkim_pass = Identifiers::dkim_pass(&dkim);
        let identifiers = Identifiers {
            spf_pass: Identifiers::spf_pass(spf),
            dkim_pass: &dkim_pass,
        };
        let dmarc = Checker::new(resolver)
            .cache(&self.shared.dmarc_cache)
            .now(now)
            .check_message(&message, identifiers, pct_draw())
            .await;

        let sender = sender_text(&transaction.from);
        let helo = session.helo.as_ref().map_or("", |(h, _)| h.as_str());
        let results = AuthenticationResults::of_checks(hostname, spf, identity, &dkim, &dmarc);
        let header = format!(
            "{}\r\n{}\r\n",
            spf.received_spf(session.peer.remote.ip(), helo, &sender, hostname, identity),
            results.header()
        );
        let from_domain = dmarc.from_domain.clone().unwrap_or_default();
        let dkim_summary: Vec<String> = dkim
            .iter()
            .map(|r| format!("{}:{}", r.domain.as_deref().unwrap_or("?"), r.result))
            .collect();
        let summary = format!(
            "spf={} dkim={} dmarc={} from_domain={from_domain}",
            spf.result,
            if dkim_summary.is_empty() {
                "none".to_owned()
            } else {
                dkim_summary.join(",")
            },
            dmarc.output.result
        );
        let policy = &self.shared.config.policy;
        if dmarc.output.result == DmarcResult::Fail {
            match dmarc.output.disposition {
                Disposition::Reject if policy.dmarc_reject => {
                    let text = format!(
                        "rejected by the DMARC policy of {from_domain}: {}",
                        dmarc.output.reason()
                    );
                    tracing::info!(queue_id = %transaction.id, client = %session.peer.remote, from = %sender, checks = %summary, "refused: DMARC p=reject");
                    return Ok(Verdict::Reject(reply(550, (5, 7, 1), &text)));
                }
                Disposition::Quarantine if policy.dmarc_quarantine => {
                    return Ok(Verdict::Quarantine { header, summary });
                }
                _ => {}
            }
        }
        Ok(Verdict::Deliver { header, summary })
    }

    /// DKIM-signs mail from authenticated users and trusted networks with every key of its
    /// From domain (RFC 6376 §5), reading the spooled message; returns the DKIM-Signature
    /// fields, or nothing, saying in the log why a message leaves unsigned.
    async fn sign(
        &self,
        session: &Session,
        transaction: &Transaction,
        incoming: &mut Incoming,
    ) -> Result<String, Error> {
        let id = &transaction.id;
        if session.user.is_none() && !session.trusted {
            return Ok(String::new());
        }
        let Some(domain) = from_domain(&transaction.header) else {
            tracing::warn!(queue_id = %id, "unsigned: the message has no From domain");
            return Ok(String::new());
        };
        let Some(signers) = self.shared.keys.signers(&domain) else {
            // Worth a warning for one of our own domains; mail a trusted host relays for
            // someone else's domain is not ours to sign.
            let ours = self
                .shared
                .directory()
                .is_some_and(|directory| self.shared.is_local_domain(&directory, &domain));
            if ours {
                tracing::warn!(queue_id = %id, %domain, "unsigned: no DKIM key for the From domain (mailroom dkim keygen {domain})");
            } else {
                tracing::info!(queue_id = %id, %domain, "unsigned: the From domain is not one of ours and has no key here");
            }
            return Ok(String::new());
        };
        incoming
            .flush()
            .await
            .map_err(Error::io("cannot write", incoming.path()))?;
        let path = incoming.path().to_owned();
        let now = unix_now();
        let signed =
            tokio::task::spawn_blocking(move || -> Result<Vec<(String, String)>, Error> {
                let mut file =
                    std::fs::File::open(&path).map_err(Error::io("cannot read", &path))?;
                let mut streams: Vec<_> =
                    signers.iter().map(mailroom_dkim::Signer::stream).collect();
                let mut buffer = vec![0; 64 * 1024];
                loop {
                    let n = file
                        .read(&mut buffer)
                        .map_err(Error::io("cannot read", &path))?;
                    if n == 0 {
                        break;
                    }
                    for stream in &mut streams {
                        stream.update(&buffer[..n]);
                    }
                }
                streams
                    .into_iter()
                    .zip(signers.iter())
                    .map(|(stream, signer)| {
                        let field = stream.finish(now).map_err(|e| Error::Damaged {
                            path: path.clone(),
                            problem: format!("cannot DKIM-sign: {e}"),
                        })?;
                        Ok((field, format!("{:?}", signer.key().algorithm())))
                    })
                    .collect()
            })
            .await
            .map_err(|e| Error::Directory(format!("signing stopped: {e}")))??;
        let mut fields = String::new();
        for (field, algorithm) in signed {
            tracing::info!(queue_id = %id, %domain, %algorithm, "DKIM-signed");
            fields.push_str(&field);
        }
        Ok(fields)
    }

    /// Spoof protection at the end of DATA: each From address must belong to the user.
    fn check_from(&self, session: &Session, transaction: &Transaction) -> Option<Decision> {
        let user = session.user.as_ref()?;
        if !self.shared.config.policy.spoof_protection {
            return None;
        }
        let directory = self.shared.directory()?;
        let message = mail_parser::MessageParser::new().parse_headers(&transaction.header)?;
        let authors: Vec<String> = message
            .from()
            .map(|from| {
                from.iter()
                    .filter_map(|a| a.address.as_deref().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if authors.is_empty() {
            return Some(reply(550, (5, 6, 0), "the message has no From address"));
        }
        let foreign = authors
            .iter()
            .find(|author| directory.may_send_as(user, author).is_none())?;
        tracing::info!(client = %session.peer.remote, %user, from = %foreign, "refused: From does not belong to the user");
        Some(reply(
            553,
            (5, 7, 1),
            &not_yours(&format!("From: {foreign}"), user),
        ))
    }
}

fn not_yours(address: &str, user: &str) -> String {
    format!(
        "{address} does not belong to {user}: it is not the user's address or +tag form, an alias \
         or catch-all delivering to the user, or a sender grant"
    )
}

/// A number from 0 to 99 for DMARC's `pct=` sampling (RFC 7489 §6.3).
fn pct_draw() -> u8 {
    let mut byte = [0_u8; 1];
    for _ in 0..8 {
        if getrandom::fill(&mut byte).is_ok() && byte[0] < 200 {
            return byte[0] % 100;
        }
    }
    // No usable randomness: apply the policy, which is the safe side.
    0
}

/// The domain of the (first) From address of a header section.
fn from_domain(header: &[u8]) -> Option<String> {
    let message = mail_parser::MessageParser::new().parse_headers(header)?;
    let address = message.from()?.first()?.address.as_deref()?;
    let (_, domain) = address.rsplit_once('@')?;
    Some(domain.to_ascii_lowercase())
}

/// Where the header section ends (its blank line), if it has ended.
fn end_of_header(header: &[u8]) -> Option<usize> {
    memchr::memmem::find(header, b"\r\n\r\n")
}

/// The `Received` field (RFC 5321 §4.4), with the protocol names of RFC 3848.
fn received_field(hostname: &str, session: &Session, id: &str, recipients: &[String]) -> String {
    let (helo, extended) = session
        .helo
        .clone()
        .unwrap_or_else(|| ("unknown".to_owned(), false));
    let mut protocol = if extended { "ESMTP" } else { "SMTP" }.to_owned();
    if extended && session.tls {
        protocol.push('S');
    }
    if extended && session.user.is_some() {
        protocol.push('A');
    }
    let ip = session.peer.remote.ip();
    let mut field = format!(
        "Received: from {helo} ([{ip}])\r\n\tby {hostname} (Mailroom) with {protocol} id {id}"
    );
    // A single recipient is named; several are not, so they do not learn of each other.
    if let [only] = recipients {
        field.push_str(&format!("\r\n\tfor <{only}>"));
    }
    field.push_str(&format!(";\r\n\t{}\r\n", rfc5322(SystemTime::now())));
    field
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
