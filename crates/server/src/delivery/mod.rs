//! Handing a message to its recipients' next stop, with an outcome per recipient: Maildir
//! folders, an LMTP server, or a relay host (smarthost). The queue decides what to do with the
//! outcomes; nothing here knows of the queue or of inbound sessions.

pub mod maildir;
mod smtp;

use std::future::Future;
use std::io::{self, Read, Seek};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

pub use maildir::Maildir;
pub use smtp::SmtpHost;

/// A message to deliver, as it lies in the queue.
#[derive(Debug, Clone)]
pub struct Message {
    /// The queue ID, for logs and unique names.
    pub id: String,
    /// When it was received, in seconds since the Unix epoch.
    pub received: u64,
    /// The envelope sender; empty for the null sender.
    pub from: String,
    /// Header fields written above the message (Received, Authentication-Results, ...).
    pub prefix: String,
    /// The file holding the message.
    pub path: PathBuf,
    /// How many octets at the start of the file are the message.
    pub len: u64,
    /// Leave out the message's own Authentication-Results fields claiming this host name.
    pub strip_results_of: Option<String>,
    /// Whether the message has octets above 127.
    pub eight_bit: bool,
}

impl Message {
    /// The message's octets as they leave: the prefix, then the message (stripped as asked).
    ///
    /// # Errors
    ///
    /// The file cannot be read.
    pub fn reader(&self) -> io::Result<impl Read + use<>> {
        let (head, offset) = self.head()?;
        let mut file = std::fs::File::open(&self.path)?;
        file.seek(io::SeekFrom::Start(offset))?;
        let rest = io::BufReader::with_capacity(64 * 1024, file).take(self.len - offset);
        Ok(io::Cursor::new(head).chain(rest))
    }

    /// The start of the message as it leaves (the prefix, then the header section stripped
    /// as asked), and where in the file the rest begins. Blocking.
    ///
    /// # Errors
    ///
    /// The file cannot be read.
    pub fn head(&self) -> io::Result<(Vec<u8>, u64)> {
        let mut head = self.prefix.as_bytes().to_vec();
        let Some(host) = &self.strip_results_of else {
            return Ok((head, 0));
        };
        let file = std::fs::File::open(&self.path)?;
        let mut input = Counting {
            inner: io::BufReader::new(file).take(self.len),
            read: 0,
        };
        maildir::copy_header_without_results(&mut input, &mut head, host)?;
        Ok((head, input.read))
    }
}

/// A reader that counts what was read through it.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// One recipient of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address (for Maildir and LMTP: the local user's).
    pub address: String,
    /// A folder other than the inbox, where the transport has folders.
    pub folder: Option<String>,
    /// The recipient's place in the message's record: stable across tries, so a retry can
    /// tell a copy it already made.
    pub index: usize,
    /// Whether this message may have been tried for it before (an earlier try, or a restart).
    pub retried: bool,
}

/// What became of one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Taken: the mailbox has it, or the next server said 2xx.
    Delivered(String),
    /// Not now (4xx, a connection that failed, a full disk): try again later.
    Deferred(String),
    /// Never (5xx): a bounce is owed.
    Failed(String),
}

/// A boxed future, so transports can be chosen at run time.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A way to deliver: hands `message` to `recipients` and says, in their order, what became of
/// each.
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Delivers; the outcomes come in the order of `recipients`, one each.
    fn deliver(
        &self,
        message: Arc<Message>,
        recipients: Vec<Recipient>,
    ) -> Pending<'_, Vec<Outcome>>;
}
