//! The spool: a message is written to `spool/incoming/` as it arrives, and at the end of DATA
//! it is fsynced and moved into `spool/queue/` together with its envelope. Only then is it
//! acknowledged; a message whose envelope file exists survives any crash and is delivered
//! when the server starts again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::error::Error;
use crate::files::{create_dir, sync_dir, write_atomic};

/// A message accepted for delivery, as the queue keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queued {
    /// The queue ID, also in the `Received` field and the logs.
    pub id: String,
    /// When it was accepted, in seconds since the Unix epoch.
    pub received: u64,
    /// The envelope sender (empty for the null sender).
    pub from: String,
    /// Local mailboxes to deliver to.
    pub local: Vec<LocalDelivery>,
    /// Other recipients, for the relay host.
    pub remote: Vec<String>,
    /// Header fields to put above the message as received (Received, Authentication-Results,
    /// DKIM-Signature), each ending in CRLF.
    pub prefix: String,
    /// Remove the message's own Authentication-Results fields that claim this host's name
    /// (RFC 8601 §5), since this host did not write them.
    #[serde(default)]
    pub strip_our_results: bool,
}

/// One local delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalDelivery {
    /// The user whose mailbox receives it.
    pub user: String,
    /// A folder other than the inbox (`Junk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
}

/// The spool directories.
#[derive(Debug)]
pub struct Spool {
    incoming: PathBuf,
    queue: PathBuf,
}

impl Spool {
    /// The spool in `data_dir`, created if needed; leftovers of messages that were never
    /// acknowledged are removed.
    ///
    /// # Errors
    ///
    /// The directories cannot be created or read.
    pub fn open(data_dir: &Path) -> Result<Self, Error> {
        let spool = Self {
            incoming: data_dir.join("spool").join("incoming"),
            queue: data_dir.join("spool").join("queue"),
        };
        create_dir(&spool.incoming)?;
        create_dir(&spool.queue)?;
        for entry in std::fs::read_dir(&spool.incoming)
            .map_err(Error::io("cannot read", &spool.incoming))?
            .flatten()
        {
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(spool)
    }

    /// Starts receiving a message.
    ///
    /// # Errors
    ///
    /// The file cannot be created.
    pub async fn receive(&self, id: &str) -> Result<Incoming, Error> {
        let path = self.incoming.join(format!("{id}.eml"));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(Error::io("cannot create", &path))?;
        Ok(Incoming {
            path,
            file: tokio::io::BufWriter::with_capacity(64 * 1024, file),
        })
    }

    /// The messages in the queue, oldest first; a message file without its envelope (a crash
    /// between the two renames) is removed, as it was never acknowledged.
    ///
    /// # Errors
    ///
    /// The queue cannot be read, or an envelope file is damaged.
    pub fn queued(&self) -> Result<Vec<Queued>, Error> {
        let mut queued = Vec::new();
        let entries =
            std::fs::read_dir(&self.queue).map_err(Error::io("cannot read", &self.queue))?;
        for entry in entries.flatten() {
            let path = entry.path();
            match path.extension().and_then(|e| e.to_str()) {
                Some("toml") => {
                    let text =
                        std::fs::read_to_string(&path).map_err(Error::io("cannot read", &path))?;
                    let item: Queued = toml::from_str(&text).map_err(|error| Error::Damaged {
                        path: path.clone(),
                        problem: error.to_string(),
                    })?;
                    queued.push(item);
                }
                Some("eml") if !path.with_extension("toml").exists() => {
                    let _ = std::fs::remove_file(&path);
                }
                _ => {}
            }
        }
        queued.sort_by(|a, b| (a.received, &a.id).cmp(&(b.received, &b.id)));
        Ok(queued)
    }

    /// The message file of a queued message.
    pub fn message(&self, id: &str) -> PathBuf {
        self.queue.join(format!("{id}.eml"))
    }

    /// Keeps a changed envelope (after some deliveries were done).
    ///
    /// # Errors
    ///
    /// The file cannot be written.
    pub fn update(&self, queued: &Queued) -> Result<(), Error> {
        let text = toml::to_string(queued).map_err(|error| Error::Damaged {
            path: self.queue.join(&queued.id),
            problem: error.to_string(),
        })?;
        write_atomic(
            &self.queue.join(format!("{}.toml", queued.id)),
            text.as_bytes(),
            true,
        )
    }

    /// Removes a delivered message: the envelope first, so a crash leaves no envelope without
    /// its message.
    ///
    /// # Errors
    ///
    /// A file cannot be removed.
    pub fn remove(&self, id: &str) -> Result<(), Error> {
        let envelope = self.queue.join(format!("{id}.toml"));
        std::fs::remove_file(&envelope).map_err(Error::io("cannot remove", &envelope))?;
        let message = self.message(id);
        std::fs::remove_file(&message).map_err(Error::io("cannot remove", &message))?;
        sync_dir(&self.queue)
    }
}

/// A message being received.
#[derive(Debug)]
pub struct Incoming {
    path: PathBuf,
    file: tokio::io::BufWriter<tokio::fs::File>,
}

impl Incoming {
    /// Appends message data.
    ///
    /// # Errors
    ///
    /// The disk refuses it.
    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.file.write_all(chunk).await
    }

    /// Makes the message durable and queues it with its envelope: fsync, rename into the
    /// queue, then the envelope file (the commit), then fsync of the directory.
    ///
    /// # Errors
    ///
    /// Any step failing; the message is then not queued and must not be acknowledged.
    pub async fn commit(mut self, spool: &Spool, queued: &Queued) -> Result<(), Error> {
        self.file
            .flush()
            .await
            .map_err(Error::io("cannot write", &self.path))?;
        self.file
            .get_ref()
            .sync_all()
            .await
            .map_err(Error::io("cannot sync", &self.path))?;
        let target = spool.message(&queued.id);
        tokio::fs::rename(&self.path, &target)
            .await
            .map_err(Error::io("cannot move into the queue", &target))?;
        spool.update(queued)
    }

    /// Writes out what is buffered, so the file can be read (to sign it, say).
    ///
    /// # Errors
    ///
    /// The disk refuses it.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush().await
    }

    /// The file the message is being written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Throws the message away.
    pub async fn abandon(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}
