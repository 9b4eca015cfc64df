//! Delivery into Maildir folders (`mail/<domain>/<local>/`, Maildir++ subfolders such as
//! `.Junk`), which Dovecot and other IMAP servers read as they are: the message is written
//! into `tmp/`, fsynced, and renamed into `new/`. Each recipient's copy has a name that stays
//! the same on every try, so a try after a crash never leaves a second copy.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Message, Outcome, Pending, Recipient, Transport};
use crate::error::Error;
use crate::files::{create_dir, sync_dir};

/// The mailbox directory of `user` (an address) under `root`.
pub fn mailbox(root: &Path, user: &str) -> PathBuf {
    let (local, domain) = user.rsplit_once('@').unwrap_or((user, "localhost"));
    root.join(path_part(domain)).join(path_part(local))
}

/// Maildir delivery under a mail root, as a [`Transport`].
#[derive(Debug, Clone)]
pub struct Maildir {
    root: PathBuf,
    hostname: String,
}

impl Maildir {
    /// Delivers into mailboxes under `root`; `hostname` goes into the unique file names.
    pub fn new(root: PathBuf, hostname: &str) -> Self {
        Self {
            root,
            hostname: hostname.replace(['/', ':'], "_"),
        }
    }

    /// The unique name of the copy of a message for the recipient at `index`: the same on
    /// every try, so that a try after a crash finds the copy an earlier try made.
    fn unique(&self, message: &Message, index: usize) -> String {
        format!(
            "{}.{}_{index}.{}",
            message.received, message.id, self.hostname
        )
    }

    /// Delivers to one recipient, blocking.
    fn deliver_one(&self, message: &Message, to: &Recipient) -> Outcome {
        let unique = self.unique(message, to.index);
        let dir = folder_dir(&self.root, &to.address, to.folder.as_deref());
        if to.retried && already_delivered(&dir, &unique) {
            return Outcome::Delivered(format!("already in {}", dir.display()));
        }
        let written = message
            .reader()
            .map_err(Error::io("cannot read", &message.path))
            .and_then(|input| deliver(&dir, input, &unique));
        match written {
            Ok(path) => Outcome::Delivered(format!("delivered to {}", path.display())),
            Err(error) => Outcome::Deferred(error.to_string()),
        }
    }
}

impl Transport for Maildir {
    fn deliver(
        &self,
        message: Arc<Message>,
        recipients: Vec<Recipient>,
    ) -> Pending<'_, Vec<Outcome>> {
        let this = self.clone();
        Box::pin(async move {
            let count = recipients.len();
            // File work stays off the async threads.
            tokio::task::spawn_blocking(move || {
                recipients
                    .iter()
                    .map(|to| this.deliver_one(&message, to))
                    .collect()
            })
            .await
            .unwrap_or_else(|error| {
                vec![Outcome::Deferred(format!("delivery stopped: {error}")); count]
            })
        })
    }
}

/// The Maildir of `user`, or of one of its folders (Maildir++: `.Junk`).
fn folder_dir(root: &Path, user: &str, folder: Option<&str>) -> PathBuf {
    let dir = mailbox(root, user);
    match folder {
        Some(folder) => dir.join(format!(".{}", path_part(folder))),
        None => dir,
    }
}

/// Whether a copy named `unique` is in `new/`, or was moved to `cur/` by a reader (which adds
/// `:2,` and flags to the name).
fn already_delivered(dir: &Path, unique: &str) -> bool {
    if dir.join("new").join(unique).exists() {
        return true;
    }
    let seen = format!("{unique}:");
    std::fs::read_dir(dir.join("cur")).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(&seen))
    })
}

/// Writes `input` into the Maildir `dir` under the name `unique`: into `tmp/`, synced, then
/// renamed into `new/`. A file of the same name in `tmp/` (a try cut short) is replaced.
/// Returns the new file.
///
/// # Errors
///
/// A directory or file cannot be made, written or synced.
pub fn deliver(dir: &Path, mut input: impl Read, unique: &str) -> Result<PathBuf, Error> {
    for sub in ["tmp", "new", "cur"] {
        create_dir(&dir.join(sub))?;
    }
    let temporary = dir.join("tmp").join(unique);
    let mut out = File::create(&temporary).map_err(Error::io("cannot create", &temporary))?;
    let copied = std::io::copy(&mut input, &mut out).and_then(|_| out.sync_all());
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::io("cannot write", &temporary)(error));
    }
    let delivered = dir.join("new").join(unique);
    std::fs::rename(&temporary, &delivered)
        .map_err(Error::io("cannot move into new/", &delivered))?;
    sync_dir(&dir.join("new"))?;
    Ok(delivered)
}

/// The longest header section searched for Authentication-Results fields to remove.
const MAX_HEADER: usize = 1024 * 1024;

/// Copies the header section of `input`, leaving out Authentication-Results fields whose
/// authserv-id is `host` (RFC 8601 §5: a receiver removes such fields it did not add). Leaves
/// `input` at the start of the body; a header section too long to search is copied as it is.
pub(crate) fn copy_header_without_results(
    input: &mut impl Read,
    out: &mut impl Write,
    host: &str,
) -> std::io::Result<()> {
    let mut header = Vec::new();
    let mut byte = [0_u8; 1];
    // Read up to the blank line that ends the header section.
    while !header.ends_with(b"\r\n\r\n") && header != b"\r\n" && header.len() < MAX_HEADER {
        if input.read(&mut byte)? == 0 {
            break;
        }
        header.push(byte[0]);
    }
    for field in mailroom_dkim::raw_header_fields(&header) {
        if !is_our_results(field, host) {
            out.write_all(field)?;
        }
    }
    Ok(())
}

fn is_our_results(field: &[u8], host: &str) -> bool {
    let Some(colon) = field.iter().position(|&b| b == b':') else {
        return false;
    };
    if !field[..colon]
        .trim_ascii()
        .eq_ignore_ascii_case(b"Authentication-Results")
    {
        return false;
    }
    let value = String::from_utf8_lossy(&field[colon + 1..]);
    mailroom_dmarc::authserv_id(&value).is_some_and(|id| id.eq_ignore_ascii_case(host))
}

/// A name that is safe as one path component: anything but letters, digits and `-_.+=` is
/// percent-encoded, and so is a leading dot.
fn path_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, byte) in text.bytes().enumerate() {
        let safe = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_' | b'+' | b'=')
            || (byte == b'.' && index > 0);
        if safe {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out.is_empty() { "%".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn our_results_are_stripped_and_others_kept() {
        let message = b"Authentication-Results: mx.example.org; spf=pass\r\n smtp.mailfrom=a@b\r\nAuthentication-Results: other.example; dkim=pass\r\nSubject: x\r\n\r\nAuthentication-Results: mx.example.org; body\r\n";
        let mut input = &message[..];
        let mut out = Vec::new();
        super::copy_header_without_results(&mut input, &mut out, "MX.example.org").unwrap();
        out.extend_from_slice(input);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Authentication-Results: other.example; dkim=pass\r\nSubject: x\r\n\r\nAuthentication-Results: mx.example.org; body\r\n"
        );
    }

    #[test]
    fn path_parts_cannot_climb_or_hide() {
        assert_eq!(super::path_part("alice"), "alice");
        assert_eq!(super::path_part("../etc"), "%2E.%2Fetc");
        assert_eq!(super::path_part(".hidden"), "%2Ehidden");
        assert_eq!(super::path_part("a/b"), "a%2Fb");
        assert_eq!(super::path_part(""), "%");
    }
}
