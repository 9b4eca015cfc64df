//! The queue's record of one message: its envelope and, for each recipient, where it stands.
//! The record is versioned so that a queue written by an older server is read and migrated.

use serde::{Deserialize, Serialize};

/// The version of the record written by this server.
pub const VERSION: u32 = 2;

/// A message accepted for delivery, as the queue keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The record's format (see [`VERSION`]).
    pub version: u32,
    /// The queue ID, also in the `Received` field and the logs.
    pub id: String,
    /// When it was accepted, in seconds since the Unix epoch.
    pub received: u64,
    /// The envelope sender (empty for the null sender).
    pub from: String,
    /// Header fields to put above the message as received (Received, Authentication-Results,
    /// DKIM-Signature), each ending in CRLF.
    pub prefix: String,
    /// Remove the message's own Authentication-Results fields that claim this host's name
    /// (RFC 8601 §5), since this host did not write them.
    #[serde(default)]
    pub strip_our_results: bool,
    /// Whether the message has octets above 127 (for BODY=8BITMIME when it is sent on).
    #[serde(default)]
    pub eight_bit: bool,
    /// Every recipient, in the order they were accepted; delivered ones stay, marked.
    pub recipients: Vec<RecipientState>,
}

/// Where a recipient goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Destination {
    /// A local mailbox.
    Local {
        /// The user whose mailbox receives it.
        user: String,
        /// A folder other than the inbox (`Junk`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        folder: Option<String>,
    },
    /// Another domain's address, for the relay host.
    Remote {
        /// The address.
        address: String,
    },
}

impl Destination {
    /// The address or user, for logs.
    pub fn name(&self) -> &str {
        match self {
            Self::Local { user, .. } => user,
            Self::Remote { address } => address,
        }
    }
}

/// How far a recipient's delivery has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Not tried yet.
    Pending,
    /// Tried and refused for now; tried again at `next_attempt`.
    Deferred,
    /// Taken by the mailbox or the next host: done.
    Delivered,
    /// Refused for good, or given up on: done (a bounce is owed).
    Failed,
}

impl State {
    /// Whether nothing more is to be done for the recipient.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed)
    }
}

/// One recipient of a queued message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientState {
    /// Where it goes.
    pub to: Destination,
    /// How far it has come.
    pub state: State,
    /// Attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// When to try next, in seconds since the Unix epoch (0: at once).
    #[serde(default)]
    pub next_attempt: u64,
    /// The last answer for it (an SMTP reply, or what went wrong).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reply: Option<String>,
}

impl RecipientState {
    /// A recipient not tried yet.
    pub fn pending(to: Destination) -> Self {
        Self {
            to,
            state: State::Pending,
            attempts: 0,
            next_attempt: 0,
            last_reply: None,
        }
    }
}

impl Record {
    /// Whether every recipient is done with.
    pub fn is_finished(&self) -> bool {
        self.recipients.iter().all(|r| r.state.is_final())
    }

    /// The earliest time a recipient still open is due, if any is.
    pub fn next_due(&self) -> Option<u64> {
        self.recipients
            .iter()
            .filter(|r| !r.state.is_final())
            .map(|r| r.next_attempt)
            .min()
    }

    /// Reads a record in this version's form or an older one's.
    ///
    /// # Errors
    ///
    /// The text is not a record of any known version; the message names the problem.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let version = toml::from_str::<Versioned>(text)
            .map(|v| v.version)
            .unwrap_or(1);
        match version {
            VERSION => toml::from_str(text).map_err(|e| e.to_string()),
            1 => toml::from_str::<RecordV1>(text)
                .map(RecordV1::migrate)
                .map_err(|e| e.to_string()),
            other => Err(format!(
                "record version {other} is newer than this server knows ({VERSION})"
            )),
        }
    }

    /// The record as stored.
    pub fn to_toml(&self) -> String {
        // A record of strings, numbers and lists always serializes.
        toml::to_string(self).unwrap_or_default()
    }
}

/// Just the version, to pick the reader.
#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

/// The envelope file of servers before per-recipient records (`ID.toml` beside `ID.eml`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordV1 {
    id: String,
    received: u64,
    from: String,
    local: Vec<LocalV1>,
    remote: Vec<String>,
    prefix: String,
    #[serde(default)]
    strip_our_results: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalV1 {
    user: String,
    #[serde(default)]
    folder: Option<String>,
}

impl RecordV1 {
    /// A version 1 envelope listed only the recipients still to deliver.
    fn migrate(self) -> Record {
        let local = self.local.into_iter().map(|l| Destination::Local {
            user: l.user,
            folder: l.folder,
        });
        let remote = self
            .remote
            .into_iter()
            .map(|address| Destination::Remote { address });
        Record {
            version: VERSION,
            id: self.id,
            received: self.received,
            from: self.from,
            prefix: self.prefix,
            strip_our_results: self.strip_our_results,
            // Not recorded then: say 8-bit, which is never wrong to declare.
            eight_bit: true,
            recipients: local.chain(remote).map(RecipientState::pending).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            version: VERSION,
            id: "Q1".to_owned(),
            received: 1_700_000_000,
            from: "a@example.net".to_owned(),
            prefix: "Received: x\r\n".to_owned(),
            strip_our_results: true,
            eight_bit: false,
            recipients: vec![
                RecipientState::pending(Destination::Local {
                    user: "alice@example.org".to_owned(),
                    folder: Some("Junk".to_owned()),
                }),
                RecipientState {
                    state: State::Deferred,
                    attempts: 2,
                    next_attempt: 1_700_000_600,
                    last_reply: Some("451 4.3.0 later".to_owned()),
                    ..RecipientState::pending(Destination::Remote {
                        address: "b@example.com".to_owned(),
                    })
                },
            ],
        }
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let record = record();
        assert_eq!(Record::from_toml(&record.to_toml()), Ok(record));
    }

    #[test]
    fn a_version_1_envelope_is_migrated_with_every_recipient_pending() {
        let text = r#"
id = "Q1"
received = 1700000000
from = "a@example.net"
local = [{ user = "alice@example.org", folder = "Junk" }, { user = "bob@example.org" }]
remote = ["b@example.com"]
prefix = "Received: x\r\n"
strip_our_results = true
"#;
        let migrated = Record::from_toml(text).unwrap();
        let names: Vec<&str> = migrated.recipients.iter().map(|r| r.to.name()).collect();
        assert_eq!(
            names,
            ["alice@example.org", "bob@example.org", "b@example.com"]
        );
        assert!(
            migrated
                .recipients
                .iter()
                .all(|r| r.state == State::Pending)
        );
        assert_eq!(migrated.version, VERSION);
        assert_eq!(migrated.recipients[0], record().recipients[0]);
    }

    #[test]
    fn unknown_fields_and_versions_are_refused_by_name() {
        let mut text = record().to_toml();
        text.push_str("colour = \"blue\"\n");
        assert!(Record::from_toml(&text).unwrap_err().contains("colour"));
        let newer = record().to_toml().replace("version = 2", "version = 9");
        assert!(Record::from_toml(&newer).unwrap_err().contains("version 9"));
        assert!(Record::from_toml("\u{0}\u{1}garbage").is_err());
    }

    #[test]
    fn the_next_due_time_is_the_earliest_open_recipient() {
        let mut record = record();
        assert_eq!(record.next_due(), Some(0));
        record.recipients[0].state = State::Delivered;
        assert_eq!(record.next_due(), Some(1_700_000_600));
        record.recipients[1].state = State::Failed;
        assert_eq!(record.next_due(), None);
        assert!(record.is_finished());
    }
}
