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
/// folders), under the unique name `unique`; with `strip` set, the message's own
/// Authentication-Results fields naming that host are left out. Returns the new file.
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
    strip: Option<&str>,
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
    let mut input =
        std::io::BufReader::new(File::open(message).map_err(Error::io("cannot read", message))?);
    let mut buffer = vec![0; 64 * 1024];
    out.write_all(prefix)
        .and_then(|()| match strip {
            Some(host) => copy_header_without_results(&mut input, &mut out, host),
            None => Ok(()),
        })
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
