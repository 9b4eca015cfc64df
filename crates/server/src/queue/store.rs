//! The queue on disk, and the commit protocol that makes an acknowledged message survive any
//! crash.
//!
//! # Layout
//!
//! ```text
//! spool/incoming/ID       a message being received (never acknowledged)
//! spool/queue/ID.msg      a committed message: its data, then its record, then a trailer
//! spool/queue/ID.state    the record as delivery changed it (only once a try left work)
//! spool/quarantine/       damaged or unknown entries, moved aside with a log line
//! spool/spare/            files of delivered messages, emptied and reused for new ones
//! ```
//!
//! # Commit
//!
//! The data is written to `incoming/ID` as it arrives. At the end of DATA the record and a
//! trailer (lengths and a checksum) are appended, the file's data is synced, it is renamed to
//! `queue/ID.msg`, and the queue directory is synced; only then is the message acknowledged.
//! One directory sync covers every rename made before it began, so concurrent sessions share
//! it (group commit): one new file and one data sync per message.
//!
//! # The states a crash can leave, and what start-up does with each
//!
//! | on disk | meaning | recovery |
//! |---|---|---|
//! | `incoming/ID` | not acknowledged | removed |
//! | `queue/ID.msg`, trailer whole | committed, nothing delivered yet | queued |
//! | `queue/ID.msg` + `ID.state` | committed, some recipients done | queued as the state says |
//! | `queue/ID.msg` + `ID.state`, all done | delivered, not removed yet | removed ([`super::Queue::open`]) |
//! | `queue/.ID.state.*.tmp` | a state update cut short; the old state stands | removed |
//! | `queue/ID.state` alone | delivered: the message went first | removed |
//! | `queue/ID.msg` damaged, or its state | cannot be read safely | quarantined |
//! | `queue/ID.toml` + `ID.eml` | a queue of an older server | migrated to `ID.msg` |
//! | anything else | not ours | quarantined |
//! | `spare/*` | a delivered message's old file | kept to be emptied and reused |
//!
//! Nothing reads the queue directory while the server runs: the delivery index is filled once
//! from it at start-up and then from commits, so no reader sees a half-committed message.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::AsyncWriteExt;

use super::group_sync::GroupSync;
use super::record::Record;
use crate::error::Error;
use crate::files::{create_dir, sync_dir, write_atomic};

/// The trailer's first and last octets.
const MAGIC: &[u8; 4] = b"MRQ2";
const END: &[u8; 4] = b"END\n";
/// Magic, data length, record length, checksum, end.
const TRAILER: usize = 4 + 8 + 8 + 8 + 4;

/// The queue's files.
#[derive(Debug)]
pub struct Store {
    incoming: PathBuf,
    queue: PathBuf,
    quarantine: PathBuf,
    sync: GroupSync,
    /// Files of delivered messages kept to receive new ones in: reusing a file spares the file
    /// system an inode freed and another allocated per message.
    spare: Spare,
}

/// The folder of spare files and their names.
#[derive(Debug)]
struct Spare {
    dir: PathBuf,
    files: Mutex<Vec<PathBuf>>,
    named: AtomicU64,
}

/// The most spare files kept.
const MAX_SPARE: usize = 256;

/// A committed message as recovery found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Its record.
    pub record: Record,
    /// How many octets of the file are the message (the rest is the record).
    pub data_len: u64,
}

/// What start-up found in the queue.
#[derive(Debug, Default)]
pub struct Recovery {
    /// The messages to deliver, oldest first.
    pub queued: Vec<Stored>,
    /// Entries moved to the quarantine folder.
    pub quarantined: Vec<PathBuf>,
    /// Messages taken over from an older server's queue.
    pub migrated: usize,
    /// Leftovers removed: unacknowledged messages, cut-short updates, finished states.
    pub removed: usize,
}

impl Store {
    /// Opens the queue in `data_dir` and recovers from whatever a crash left (see the module
    /// documentation). Damaged entries are quarantined and logged; they never stop the rest.
    ///
    /// # Errors
    ///
    /// The directories cannot be created or read.
    pub fn open(data_dir: &Path) -> Result<(Self, Recovery), Error> {
        let spool = data_dir.join("spool");
        let incoming = spool.join("incoming");
        let queue = spool.join("queue");
        let quarantine = spool.join("quarantine");
        let spare = spool.join("spare");
        for dir in [&incoming, &queue, &quarantine, &spare] {
            create_dir(dir)?;
        }
        // Spare files hold nothing of value: each is emptied before it is used again.
        let mut files = list(&spare)?;
        for extra in files.split_off(files.len().min(MAX_SPARE)) {
            remove_any(&extra);
        }
        let store = Self {
            sync: GroupSync::start(&queue)?,
            incoming,
            queue,
            quarantine,
            spare: Spare {
                named: AtomicU64::new(0),
                files: Mutex::new(files),
                dir: spare,
            },
        };
        let recovery = store.recover()?;
        Ok((store, recovery))
    }

    /// How many directory syncs commits have made.
    pub fn directory_syncs(&self) -> u64 {
        self.sync.syncs()
    }

    /// Where a committed message is.
    pub fn message_path(&self, id: &str) -> PathBuf {
        self.queue.join(format!("{id}.msg"))
    }

    fn state_path(&self, id: &str) -> PathBuf {
        self.queue.join(format!("{id}.state"))
    }

    /// Starts receiving a message with the queue ID `id`.
    ///
    /// # Errors
    ///
    /// The file cannot be created.
    pub async fn receive(&self, id: &str) -> Result<Incoming, Error> {
        let path = self.incoming.join(id);
        let spare = self
            .spare
            .files
            .lock()
            .ok()
            .and_then(|mut files| files.pop());
        let reused = match spare {
            Some(spare) => tokio::fs::rename(&spare, &path).await.is_ok(),
            None => false,
        };
        let mut options = tokio::fs::OpenOptions::new();
        if reused {
            options.write(true).truncate(true);
        } else {
            options.write(true).create_new(true);
        }
        #[cfg(unix)]
        options.mode(0o600);
        let file = options
            .open(&path)
            .await
            .map_err(Error::io("cannot create", &path))?;
        Ok(Incoming {
            file: tokio::io::BufWriter::with_capacity(64 * 1024, file),
            path,
            len: 0,
            eight_bit: false,
        })
    }

    /// Keeps a record changed by delivery, atomically: the old or the new one survives a crash.
    ///
    /// # Errors
    ///
    /// The file cannot be written.
    pub fn update(&self, record: &Record) -> Result<(), Error> {
        write_atomic(
            &self.state_path(&record.id),
            record.to_toml().as_bytes(),
            true,
        )
    }

    /// Removes a message that is done with: the message first, so a crash in between leaves
    /// only a state file, which recovery knows to be finished.
    ///
    /// # Errors
    ///
    /// The message file cannot be removed.
    pub fn remove(&self, id: &str) -> Result<(), Error> {
        let message = self.message_path(id);
        if !self.keep_spare(&message) {
            std::fs::remove_file(&message).map_err(Error::io("cannot remove", &message))?;
        }
        let state = self.state_path(id);
        match std::fs::remove_file(&state) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                Err(Error::io("cannot remove", &state)(error))
            }
            _ => Ok(()),
        }
    }

    /// Moves a finished message's file to the spare files, if there is room; false if not.
    fn keep_spare(&self, message: &Path) -> bool {
        let Ok(mut files) = self.spare.files.lock() else {
            return false;
        };
        if files.len() >= MAX_SPARE {
            return false;
        }
        let n = self.spare.named.fetch_add(1, Ordering::Relaxed);
        let spare = self.spare.dir.join(format!("{}.{n}", std::process::id()));
        if std::fs::rename(message, &spare).is_err() {
            return false;
        }
        files.push(spare);
        true
    }

    fn recover(&self) -> Result<Recovery, Error> {
        let mut recovery = Recovery::default();
        for path in list(&self.incoming)? {
            remove_any(&path);
            recovery.removed += 1;
        }
        let mut names = list(&self.queue)?;
        names.sort();
        for path in &names {
            let name = file_name(path);
            let is_file = path.symlink_metadata().is_ok_and(|m| m.is_file());
            if !is_file {
                self.quarantine(path, "not a queue file", &mut recovery);
            } else if name.starts_with('.') && name.ends_with(".tmp") {
                remove_any(path);
                recovery.removed += 1;
            } else if let Some(id) = name.strip_suffix(".msg") {
                self.recover_message(id, path, &mut recovery);
            } else if let Some(id) = name.strip_suffix(".state") {
                if !self.message_path(id).exists() {
                    remove_any(path);
                    recovery.removed += 1;
                }
            } else if let Some(id) = name.strip_suffix(".toml") {
                self.migrate(id, path, &mut recovery);
            } else if let Some(id) = name.strip_suffix(".eml") {
                // An older server wrote the envelope after the data; data without it was
                // never acknowledged, but it is kept aside rather than thrown away.
                if !self.queue.join(format!("{id}.toml")).exists() {
                    self.quarantine(path, "message data without an envelope", &mut recovery);
                }
            } else {
                self.quarantine(path, "not a queue file", &mut recovery);
            }
        }
        recovery.queued.sort_by(|a, b| {
            (a.record.received, &a.record.id).cmp(&(b.record.received, &b.record.id))
        });
        Ok(recovery)
    }

    fn recover_message(&self, id: &str, path: &Path, recovery: &mut Recovery) {
        let stored = match read_committed(path) {
            Ok(stored) => stored,
            Err(problem) => return self.quarantine(path, &problem, recovery),
        };
        if stored.record.id != id {
            let problem = format!("its record is for {}", stored.record.id);
            return self.quarantine(path, &problem, recovery);
        }
        let state = self.state_path(id);
        let record = match std::fs::read_to_string(&state) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => stored.record,
            Err(error) => {
                // Unreadable now, perhaps readable later: leave it for the next start.
                tracing::error!(file = %state.display(), %error, "cannot read a queue state; the message waits");
                return;
            }
            Ok(text) => match Record::from_toml(&text) {
                Ok(record) if record.id == id => record,
                Ok(record) => {
                    let problem = format!("its record is for {}", record.id);
                    self.quarantine(&state, &problem, recovery);
                    return self.quarantine(path, "its state file is damaged", recovery);
                }
                Err(problem) => {
                    self.quarantine(&state, &problem, recovery);
                    return self.quarantine(path, "its state file is damaged", recovery);
                }
            },
        };
        recovery.queued.push(Stored {
            record,
            data_len: stored.data_len,
        });
    }

    /// Takes over `ID.toml` + `ID.eml` of an older server as `ID.msg`; the old pair goes only
    /// once the new file is durable.
    fn migrate(&self, id: &str, envelope: &Path, recovery: &mut Recovery) {
        let data = self.queue.join(format!("{id}.eml"));
        let target = self.message_path(id);
        if target.exists() {
            // Migrated before a crash cut the clean-up short.
            remove_any(envelope);
            remove_any(&data);
            return;
        }
        let record = match std::fs::read_to_string(envelope)
            .map_err(|e| e.to_string())
            .and_then(|text| Record::from_toml(&text))
        {
            Ok(record) if record.id == id => record,
            Ok(record) => {
                let problem = format!("its record is for {}", record.id);
                return self.quarantine(envelope, &problem, recovery);
            }
            Err(problem) => return self.quarantine(envelope, &problem, recovery),
        };
        if !data.exists() {
            return self.quarantine(envelope, "an envelope whose message is missing", recovery);
        }
        let written = (|| -> Result<u64, Error> {
            let temporary = self.incoming.join(id);
            let mut out = create_private(&temporary)?;
            let mut input = File::open(&data).map_err(Error::io("cannot read", &data))?;
            let data_len =
                io::copy(&mut input, &mut out).map_err(Error::io("cannot write", &temporary))?;
            append_record(&mut out, data_len, &record)
                .and_then(|()| out.sync_data())
                .map_err(Error::io("cannot write", &temporary))?;
            std::fs::rename(&temporary, &target).map_err(Error::io("cannot move", &target))?;
            sync_dir(&self.queue)?;
            Ok(data_len)
        })();
        match written {
            Ok(data_len) => {
                remove_any(envelope);
                remove_any(&data);
                recovery.migrated += 1;
                recovery.queued.push(Stored { record, data_len });
            }
            Err(error) => {
                tracing::error!(queue_id = id, %error, "cannot migrate a queued message; it waits");
            }
        }
    }

    /// Moves a damaged or unknown entry aside, with a log line naming it.
    fn quarantine(&self, path: &Path, problem: &str, recovery: &mut Recovery) {
        let name = file_name(path);
        let mut target = self.quarantine.join(&name);
        let mut n = 1;
        while target.symlink_metadata().is_ok() {
            target = self.quarantine.join(format!("{name}.{n}"));
            n += 1;
        }
        match std::fs::rename(path, &target) {
            Ok(()) => {
                tracing::error!(file = %path.display(), quarantined = %target.display(), %problem, "damaged queue entry moved aside; the rest of the queue is delivered");
                recovery.quarantined.push(target);
            }
            Err(error) => {
                tracing::error!(file = %path.display(), %problem, %error, "damaged queue entry cannot be moved aside; it is skipped");
            }
        }
    }
}

/// Reads the record of a committed message file and checks its trailer, reading only the
/// file's end.
///
/// # Errors
///
/// What is wrong with the file, in words.
pub fn read_committed(path: &Path) -> Result<Stored, String> {
    let unreadable = |e: io::Error| format!("cannot be read: {e}");
    let mut file = File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let mut trailer = [0_u8; TRAILER];
    if len >= TRAILER as u64 {
        file.seek(SeekFrom::Start(len - TRAILER as u64))
            .and_then(|_| file.read_exact(&mut trailer))
            .map_err(unreadable)?;
    }
    let (data_len, record_len, checksum) = check_trailer(&trailer, len)?;
    let mut record = vec![0; usize::try_from(record_len).map_err(|_| "its record is too long")?];
    file.seek(SeekFrom::Start(data_len))
        .and_then(|_| file.read_exact(&mut record))
        .map_err(unreadable)?;
    Ok(Stored {
        record: check_record(&record, checksum)?,
        data_len,
    })
}

/// [`read_committed`] for a whole committed file held in memory.
///
/// # Errors
///
/// What is wrong with it, in words.
pub fn parse_committed(file: &[u8]) -> Result<Stored, String> {
    let len = file.len() as u64;
    let trailer = file
        .last_chunk::<TRAILER>()
        .copied()
        .unwrap_or([0; TRAILER]);
    let (data_len, record_len, checksum) = check_trailer(&trailer, len)?;
    // The trailer's lengths add up to the file's, so both fit in it.
    let start = usize::try_from(data_len).map_err(|_| "its data is too long")?;
    let end = start + usize::try_from(record_len).map_err(|_| "its record is too long")?;
    let record = file.get(start..end).ok_or("its trailer does not fit it")?;
    Ok(Stored {
        record: check_record(record, checksum)?,
        data_len,
    })
}

/// The data length, record length and checksum of the trailer of a file of `len` octets.
fn check_trailer(trailer: &[u8; TRAILER], len: u64) -> Result<(u64, u64, u64), String> {
    if len < TRAILER as u64 {
        return Err(format!("it is too short to be committed ({len} octets)"));
    }
    let (data_len, record_len, checksum) =
        parse_trailer(trailer).ok_or("it has no commit trailer (cut short, or not ours)")?;
    if data_len
        .checked_add(record_len)
        .and_then(|n| n.checked_add(TRAILER as u64))
        != Some(len)
    {
        return Err(format!(
            "its trailer says {data_len} + {record_len} octets, but the file has {len}"
        ));
    }
    Ok((data_len, record_len, checksum))
}

/// The record of a committed file, checked against the trailer's checksum.
fn check_record(record: &[u8], checksum: u64) -> Result<Record, String> {
    if fnv1a(record) != checksum {
        return Err("its record does not match its checksum".to_owned());
    }
    let text = std::str::from_utf8(record).map_err(|_| "its record is not UTF-8")?;
    Record::from_toml(text)
}

/// A committed file's octets: the message, then its record and trailer (for tests and tools;
/// the queue appends the record to the file the message was received into).
pub fn committed_file(message: &[u8], record: &Record) -> Vec<u8> {
    let mut file = message.to_vec();
    // Writing to memory cannot fail.
    let _ = append_record(&mut file, message.len() as u64, record);
    file
}

/// A message being received.
#[derive(Debug)]
pub struct Incoming {
    path: PathBuf,
    file: tokio::io::BufWriter<tokio::fs::File>,
    len: u64,
    eight_bit: bool,
}

impl Incoming {
    /// Appends message data.
    ///
    /// # Errors
    ///
    /// The disk refuses it.
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk).await?;
        self.len += chunk.len() as u64;
        self.eight_bit |= !chunk.is_ascii();
        Ok(())
    }

    /// Whether the message so far has octets above 127.
    pub fn is_eight_bit(&self) -> bool {
        self.eight_bit
    }

    /// The file the message is being written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes out what is buffered, so the file can be read (to check it, say).
    ///
    /// # Errors
    ///
    /// The disk refuses it.
    pub async fn flush(&mut self) -> io::Result<()> {
        self.file.flush().await
    }

    /// Makes the message durable and queues it with `record`: the record and trailer are
    /// appended, the data synced, the file renamed into the queue, and the queue directory
    /// synced together with other commits. When this returns `Ok`, the message may be
    /// acknowledged; on an error it is not queued.
    ///
    /// # Errors
    ///
    /// Any step failing, with the file and what was being done.
    pub async fn commit(mut self, store: &Store, record: &Record) -> Result<u64, Error> {
        self.file
            .flush()
            .await
            .map_err(Error::io("cannot write", &self.path))?;
        let mut file = self.file.into_inner().into_std().await;
        let data_len = self.len;
        let path = self.path;
        let target = store.message_path(&record.id);
        let tail = record_tail(data_len, record);
        tokio::task::spawn_blocking(move || -> Result<(), Error> {
            let done = file.write_all(&tail).and_then(|()| file.sync_data());
            if let Err(error) = done {
                let _ = std::fs::remove_file(&path);
                return Err(Error::io("cannot write", &path)(error));
            }
            std::fs::rename(&path, &target).map_err(|error| {
                let _ = std::fs::remove_file(&path);
                Error::io("cannot move into the queue", &target)(error)
            })
        })
        .await
        .map_err(|e| Error::io("cannot commit", store.queue.clone())(io::Error::other(e)))??;
        store
            .sync
            .sync()
            .await
            .map_err(Error::io("cannot sync", store.queue.clone()))?;
        Ok(data_len)
    }

    /// Throws the message away.
    pub async fn abandon(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}

/// Appends the record and the trailer after `data_len` octets of message data.
fn append_record(out: &mut impl Write, data_len: u64, record: &Record) -> io::Result<()> {
    out.write_all(&record_tail(data_len, record))
}

/// The octets that follow `data_len` octets of message data: the record, then the trailer.
fn record_tail(data_len: u64, record: &Record) -> Vec<u8> {
    let text = record.to_toml();
    let mut tail = Vec::with_capacity(text.len() + TRAILER);
    tail.extend_from_slice(text.as_bytes());
    tail.extend_from_slice(MAGIC);
    tail.extend_from_slice(&data_len.to_le_bytes());
    tail.extend_from_slice(&(text.len() as u64).to_le_bytes());
    tail.extend_from_slice(&fnv1a(text.as_bytes()).to_le_bytes());
    tail.extend_from_slice(END);
    tail
}

/// The data length, record length and checksum of a trailer.
fn parse_trailer(trailer: &[u8; TRAILER]) -> Option<(u64, u64, u64)> {
    let (magic, rest) = trailer.split_first_chunk::<4>()?;
    let (data_len, rest) = rest.split_first_chunk::<8>()?;
    let (record_len, rest) = rest.split_first_chunk::<8>()?;
    let (checksum, end) = rest.split_first_chunk::<8>()?;
    (magic == MAGIC && end == END).then(|| {
        (
            u64::from_le_bytes(*data_len),
            u64::from_le_bytes(*record_len),
            u64::from_le_bytes(*checksum),
        )
    })
}

/// FNV-1a, 64 bits: enough to tell a record that was cut or scribbled on.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn create_private(path: &Path) -> Result<File, Error> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).map_err(Error::io("cannot create", path))
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    Ok(std::fs::read_dir(dir)
        .map_err(Error::io("cannot read", dir))?
        .flatten()
        .map(|entry| entry.path())
        .collect())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn remove_any(path: &Path) {
    if let Err(error) = std::fs::remove_file(path)
        && error.kind() != io::ErrorKind::NotFound
    {
        tracing::warn!(file = %path.display(), %error, "cannot remove a queue leftover");
    }
}
