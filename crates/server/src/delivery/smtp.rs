//! Delivery to one SMTP or LMTP server (a relay host, or an LMTP server such as Dovecot's),
//! keeping connections open between messages: the next message to the same server goes over
//! a connection already set up (a new transaction on it), not a new one.

use std::io::{self, SeekFrom};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailroom_mta_core::driver::Client;
use mailroom_mta_core::{
    ClientConfig, Delivery, Envelope, ForwardPath, Mailbox, MessageInfo, Reply, ReversePath,
};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{Message, Outcome, Pending, Recipient, Transport};

/// How long an idle connection is kept for the next message.
const KEEP_IDLE: Duration = Duration::from_secs(5);
/// The most idle connections kept.
const MAX_IDLE: usize = 64;

/// One server that takes mail over SMTP or LMTP (RFC 2033).
#[derive(Debug)]
pub struct SmtpHost {
    target: SocketAddr,
    hostname: String,
    lmtp: bool,
    idle: Mutex<Vec<(Instant, Client)>>,
}

impl SmtpHost {
    /// A relay host (SMTP) at `target`, greeted as `hostname`.
    pub fn relay(target: SocketAddr, hostname: &str) -> Self {
        Self::new(target, hostname, false)
    }

    /// An LMTP server at `target`.
    pub fn lmtp(target: SocketAddr, hostname: &str) -> Self {
        Self::new(target, hostname, true)
    }

    fn new(target: SocketAddr, hostname: &str, lmtp: bool) -> Self {
        Self {
            target,
            hostname: hostname.to_owned(),
            lmtp,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn name(&self) -> &'static str {
        if self.lmtp {
            "the LMTP server"
        } else {
            "the relay host"
        }
    }

    /// A connection kept from an earlier message, if one is fresh enough.
    fn take_idle(&self) -> Option<Client> {
        let mut idle = self.idle.lock().ok()?;
        let now = Instant::now();
        idle.retain(|(since, _)| now.duration_since(*since) < KEEP_IDLE);
        idle.pop().map(|(_, client)| client)
    }

    fn keep(&self, client: Client) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push((Instant::now(), client));
        }
    }

    async fn connect(&self) -> io::Result<Client> {
        let config = ClientConfig {
            lmtp: self.lmtp,
            ..ClientConfig::new(self.hostname.clone())
        };
        Client::connect(self.target, config, None).await
    }

    /// Sends over a kept connection, or a new one; a kept connection that turns out dead
    /// (the server ended the session while it was idle) is replaced by a new one once. The
    /// message is read from its file in pieces.
    async fn send(&self, envelope: Envelope, message: &Message) -> io::Result<Vec<Reply>> {
        let (head, offset) = if message.strip_results_of.is_some() {
            let message = message.clone();
            tokio::task::spawn_blocking(move || message.head())
                .await
                .map_err(io::Error::other)??
        } else {
            (message.prefix.as_bytes().to_vec(), 0)
        };
        let info = MessageInfo {
            size: head.len() as u64 + message.len.saturating_sub(offset),
            eight_bit: message.eight_bit,
        };
        let open = || async {
            let mut file = tokio::fs::File::open(&message.path).await?;
            file.seek(SeekFrom::Start(offset)).await?;
            Ok::<_, io::Error>(io::Cursor::new(head.clone()).chain(file.take(message.len - offset)))
        };
        if let Some(mut client) = self.take_idle() {
            // A session the server ended while it was idle fails before any message data
            // was taken, so trying again on a new connection sends nothing twice.
            if let Ok(delivery) = client
                .send_from(envelope.clone(), info, open().await?)
                .await
                && client.failure().is_none()
            {
                self.keep(client);
                return Ok(replies(delivery));
            }
        }
        let mut client = self.connect().await?;
        let delivery = client.send_from(envelope, info, open().await?).await?;
        if client.failure().is_none() {
            self.keep(client);
        }
        Ok(replies(delivery))
    }
}

fn replies(delivery: Delivery) -> Vec<Reply> {
    delivery.recipients.into_iter().map(|(_, r)| r).collect()
}

impl Transport for SmtpHost {
    fn deliver(
        &self,
        message: Arc<Message>,
        recipients: Vec<Recipient>,
    ) -> Pending<'_, Vec<Outcome>> {
        Box::pin(async move {
            let count = recipients.len();
            // Addresses that do not parse are refused for good, the rest sent.
            let mut outcomes: Vec<Option<Outcome>> = vec![None; count];
            let mut sent = Vec::new();
            let mut envelope = Envelope {
                from: Mailbox::parse(&message.from, true)
                    .map_or(ReversePath::Null, ReversePath::Mailbox),
                params: Default::default(),
                recipients: Vec::new(),
                size: 0,
            };
            for (index, to) in recipients.iter().enumerate() {
                match Mailbox::parse(&to.address, true) {
                    Ok(mailbox) => {
                        sent.push(index);
                        envelope.recipients.push(mailroom_mta_core::Recipient {
                            to: ForwardPath::Mailbox(mailbox),
                            params: Default::default(),
                        });
                    }
                    Err(error) => {
                        outcomes[index] =
                            Some(Outcome::Failed(format!("550 5.1.3 bad address: {error}")));
                    }
                }
            }
            if !sent.is_empty() {
                match self.send(envelope, &message).await {
                    Ok(replies) => {
                        for (index, reply) in sent.iter().zip(replies) {
                            let text = reply.to_string().trim_end().to_owned();
                            outcomes[*index] = Some(if reply.is_positive() {
                                Outcome::Delivered(text)
                            } else if reply.is_transient() {
                                Outcome::Deferred(text)
                            } else {
                                Outcome::Failed(text)
                            });
                        }
                    }
                    Err(error) => {
                        let why =
                            format!("{} {} cannot be reached: {error}", self.name(), self.target);
                        for index in sent {
                            outcomes[index] = Some(Outcome::Deferred(why.clone()));
                        }
                    }
                }
            }
            outcomes
                .into_iter()
                .map(|o| o.unwrap_or_else(|| Outcome::Deferred("no reply".to_owned())))
                .collect()
        })
    }
}
