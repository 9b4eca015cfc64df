//! Delivery into Maildir folders (`mail/<domain>/<local>/`, Maildir++ subfolders such as
//! `.Junk`), which Dovecot and other IMAP servers read as they are: the message is written
//! into `tmp/`, fsynced, and renamed into `new/`.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files::{create_dir, sync_dir};

/// The mailbox directory of `user` (an address) under `root`.
pub fn mailbox(root: &Path, user: &str) -> PathBuf {
    let (local, domain) = user.rsplit_once('@').unwrap_or((user, "localhost"));
    root.join(path_part(domain)).join(path_part(local))
}

/// Delivers `prefix` followed by the message file into `user`'s mailbox (or one of its
/// folders), under the unique name `unique`. Returns the new file.
///
/// # Errors
///
/// A directory or file cannot be made, written or synced.
pub fn deliver(
    root: &Path,
    user: &str,
    folder: Option<&str>,
    prefix: &[u8],
    message: &Path,
    unique: &str,
) -> Result<PathBuf, Error> {
    let mut dir = mailbox(root, user);
    if let Some(folder) = folder {
        dir = dir.join(format!(".{}", path_part(folder)));
    }
    for sub in ["tmp", "new", "cur"] {
        create_dir(&dir.join(sub))?;
    }
    let temporary = dir.join("tmp").join(unique);
    let mut out = File::create(&temporary).map_err(Error::io("cannot create", &temporary))?;
    let mut input = File::open(message).map_err(Error::io("cannot read", message))?;
    let mut buffer = vec![0; 64 * 1024];
    out.write_all(prefix)
        .and_then(|()| {
            loop {
                let n = input.read(&mut buffer)?;
                if n == 0 {
                    break out.sync_all();
                }
                out.write_all(&buffer[..n])?;
            }
        })
        .map_err(Error::io("cannot write", &temporary))?;
    let delivered = dir.join("new").join(unique);
    std::fs::rename(&temporary, &delivered)
        .map_err(Error::io("cannot move into new/", &delivered))?;
    sync_dir(&dir.join("new"))?;
    Ok(delivered)
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
    fn path_parts_cannot_climb_or_hide() {
        assert_eq!(super::path_part("alice"), "alice");
        assert_eq!(super::path_part("../etc"), "%2E.%2Fetc");
        assert_eq!(super::path_part(".hidden"), "%2Ehidden");
        assert_eq!(super::path_part("a/b"), "a%2Fb");
        assert_eq!(super::path_part(""), "%");
    }
}
