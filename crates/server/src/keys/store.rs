//! DKIM signing keys in the data directory: `dkim/<domain>/<selector>.pem`, mode 0600. Every
//! key of a domain is active: a message from that domain is signed with each (RSA and Ed25519
//! together, or two selectors during a rotation). Keys are made here or imported from the files
//! of other tools, once, and never replaced.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use mailroom_dkim::keygen::{self, GeneratedKey, RsaBits};
use mailroom_dkim::{Signer, SigningKey};
use mailroom_dns::Txt;

use crate::error::Error;
use crate::files::{create_dir, write_atomic};

/// The longest character-string in a TXT record (RFC 1035 §3.3).
const TXT_STRING_LEN: usize = 255;

/// Which keys `generate` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA 2048 bits (RFC 8301), which every verifier knows.
    Rsa,
    /// Ed25519 (RFC 8463).
    Ed25519,
}

/// A key that was made, with the record to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// The selector.
    pub selector: String,
    /// The name to publish at: `<selector>._domainkey.<domain>`.
    pub name: String,
    /// The TXT record, as zone-file strings.
    pub record: String,
}

/// A domain's key files as last seen: name, modification time, size.
pub type Stamp = Vec<(String, Option<SystemTime>, u64)>;

/// The keys under a data directory.
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
}

impl KeyStore {
    /// The key store of `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("dkim"),
        }
    }

    /// Makes keys for `domain`, named `<year><month>r` (RSA) and `<year><month>e` (Ed25519)
    /// unless `selector` is given (then with `-rsa` or `-ed25519` after it when both kinds
    /// are made).
    ///
    /// # Errors
    ///
    /// A bad domain or selector, a key file that already exists, or one that cannot be written.
    pub fn generate(
        &self,
        domain: &str,
        selector: Option<&str>,
        kinds: &[KeyKind],
    ) -> Result<Vec<NewKey>, Error> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let month = crate::time::year_month(SystemTime::now());
        // Every name is chosen and checked before any key is made, so nothing is half done.
        let mut planned = Vec::new();
        for kind in kinds {
            let suffix = match kind {
                KeyKind::Rsa => "r",
                KeyKind::Ed25519 => "e",
            };
            let selector = match selector {
                Some(selector) if kinds.len() == 1 => selector.to_owned(),
                Some(selector) => format!(
                    "{selector}-{}",
                    if *kind == KeyKind::Rsa {
                        "rsa"
                    } else {
                        "ed25519"
                    }
                ),
                None => format!("{month}{suffix}"),
            };
            let path = self.free_path(&domain, &selector)?;
            planned.push((*kind, selector, path));
        }
        let mut made = Vec::new();
        for (kind, selector, path) in planned {
            let generated = match kind {
                KeyKind::Rsa => {
                    keygen::rsa(RsaBits::Rsa2048).map_err(|e| Error::KeyGen(e.to_string()))?
                }
                KeyKind::Ed25519 => {
                    let mut seed = [0_u8; 32];
                    getrandom::fill(&mut seed).map_err(|e| Error::NoRandomness {
                        purpose: "a key",
                        problem: e.to_string(),
                    })?;
                    keygen::ed25519(seed)
                }
            };
            made.push(self.store(&domain, &selector, generated, &path)?);
        }
        Ok(made)
    }

    /// Takes in the key `file` of another tool (opendkim-genkey's `<selector>.private`, rspamd's
    /// or dkimpy's Ed25519 key, any form [`SigningKey::from_key_file`] reads) as the key of
    /// `selector` for `domain`, stored as PKCS#8 PEM like the keys made here. The key stays the
    /// same, so the record already published for it stays right; the one returned is what it
    /// must say.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or holds no usable key, a bad domain or selector, a key
    /// already stored under that selector, or one that cannot be written.
    pub fn import(&self, domain: &str, selector: &str, file: &Path) -> Result<NewKey, Error> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let path = self.free_path(&domain, selector)?;
        let contents = std::fs::read(file).map_err(Error::io("cannot read", file))?;
        let imported = keygen::import(&contents).map_err(|e| Error::NotAKey {
            path: file.to_owned(),
            problem: e.to_string(),
        })?;
        self.store(&domain, selector, imported, &path)
    }

    /// The file for a new key of `selector` for `domain`, which must not exist yet: keys are
    /// never replaced.
    fn free_path(&self, domain: &str, selector: &str) -> Result<PathBuf, Error> {
        let path = self
            .dir
            .join(path_name(domain)?)
            .join(format!("{selector}.pem"));
        if path.exists() {
            return Err(Error::KeyExists { path });
        }
        Ok(path)
    }

    /// Checks that a key can sign as `selector` for `domain`, then writes it to `path` (mode
    /// 0600): the names are checked as a signer would check them, before anything is written.
    fn store(
        &self,
        domain: &str,
        selector: &str,
        key: GeneratedKey,
        path: &Path,
    ) -> Result<NewKey, Error> {
        let record = key.key.dns_record();
        Signer::new(key.key, domain, selector).map_err(|e| Error::CannotSign {
            name: format!("{selector}._domainkey.{domain}"),
            problem: e.to_string(),
        })?;
        create_dir(path.parent().unwrap_or(&self.dir))?;
        write_atomic(path, key.pem.as_bytes(), true)?;
        Ok(NewKey {
            name: format!("{selector}._domainkey.{domain}"),
            selector: selector.to_owned(),
            record: Txt::new(record.as_bytes().chunks(TXT_STRING_LEN)).to_string(),
        })
    }

    /// The domains with a key folder, and each folder's key files with their modification
    /// times and sizes (what tells a change).
    ///
    /// # Errors
    ///
    /// The key folder cannot be read.
    pub fn stamps(&self) -> Result<Vec<(String, Stamp)>, Error> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(Error::io("cannot read", &self.dir)(error)),
        };
        let mut domains = Vec::new();
        for entry in entries.flatten() {
            let Ok(domain) = entry.file_name().into_string() else {
                continue;
            };
            if path_name(&domain).is_err() || !entry.path().is_dir() {
                continue;
            }
            let mut files: Stamp = std::fs::read_dir(entry.path())
                .map_err(Error::io("cannot read", entry.path()))?
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "pem"))
                .map(|e| {
                    let meta = e.metadata().ok();
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        meta.as_ref().and_then(|m| m.modified().ok()),
                        meta.map_or(0, |m| m.len()),
                    )
                })
                .collect();
            files.sort();
            domains.push((domain, files));
        }
        domains.sort();
        Ok(domains)
    }

    /// A signer for each key of `domain`, in selector order; none when it has no keys.
    ///
    /// # Errors
    ///
    /// A key file that cannot be read or is not a key.
    pub fn signers(&self, domain: &str) -> Result<Vec<Signer>, Error> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let Ok(name) = path_name(&domain) else {
            return Ok(Vec::new());
        };
        let dir = self.dir.join(name);
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "pem"))
                .collect(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(Error::io("cannot read", &dir)(error)),
        };
        paths.sort();
        let mut signers = Vec::new();
        for path in paths {
            let selector = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let pem = std::fs::read_to_string(&path).map_err(Error::io("cannot read", &path))?;
            let damaged = |problem: String| Error::Damaged {
                path: path.clone(),
                problem,
            };
            let key = SigningKey::from_pem(&pem).map_err(|e| damaged(e.to_string()))?;
            signers.push(
                Signer::new(key, domain.as_str(), selector).map_err(|e| damaged(e.to_string()))?,
            );
        }
        Ok(signers)
    }
}

/// A domain as a directory name: letters, digits, dots and hyphens only, no leading dot.
fn path_name(domain: &str) -> Result<&str, Error> {
    let fine = !domain.is_empty()
        && !domain.starts_with('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if fine {
        Ok(domain)
    } else {
        Err(Error::NotADomain(domain.to_owned()))
    }
}
