//! The TLS certificate: the configured files, or a self-signed pair generated once and kept
//! in the data directory (`tls/cert.pem`, `tls/key.pem`), so clients that pin it keep working
//! across restarts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::config::Config;
use crate::error::Error;
use crate::files::write_atomic;

/// How often the certificate files are looked at for changes (a renewal by certbot, say).
const RELOAD_CHECK: Duration = Duration::from_secs(10);

/// The rustls configuration for every TLS listener. The certificate and key are read again
/// when their files change, so a renewed certificate is used without a restart.
///
/// # Errors
///
/// Unreadable or damaged PEM files, or a key that does not fit the certificate.
pub fn server_config(config: &Config) -> Result<Arc<rustls::ServerConfig>, Error> {
    server_config_checking_every(config, RELOAD_CHECK)
}

/// As [`server_config`], looking for changes every `interval`.
///
/// # Errors
///
/// As [`server_config`].
pub fn server_config_checking_every(
    config: &Config,
    interval: Duration,
) -> Result<Arc<rustls::ServerConfig>, Error> {
    let (cert, key) = match (&config.tls.certificate, &config.tls.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        _ => self_signed(config)?,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let resolver = ReloadingCert::new(cert, key, Arc::clone(&provider), interval)?;
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|builder| {
            builder
                .with_no_client_auth()
                .with_cert_resolver(Arc::new(resolver))
        })
        .map(Arc::new)
        .map_err(|error| Error::Config {
            key: "tls".to_owned(),
            problem: error.to_string(),
        })
}

/// The certificate in use, read again when its files change.
#[derive(Debug)]
struct ReloadingCert {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<rustls::crypto::CryptoProvider>,
    interval: Duration,
    current: RwLock<Current>,
}

#[derive(Debug)]
struct Current {
    key: Arc<CertifiedKey>,
    stamp: Option<(SystemTime, SystemTime)>,
    checked: Instant,
}

impl ReloadingCert {
    fn new(
        cert_path: PathBuf,
        key_path: PathBuf,
        provider: Arc<rustls::crypto::CryptoProvider>,
        interval: Duration,
    ) -> Result<Self, Error> {
        let stamp = stamp(&cert_path, &key_path);
        let key = Arc::new(load(&cert_path, &key_path, &provider)?);
        Ok(Self {
            cert_path,
            key_path,
            provider,
            interval,
            current: RwLock::new(Current {
                key,
                stamp,
                checked: Instant::now(),
            }),
        })
    }

    /// The key to use now, reloaded if the files changed since they were last read. A new
    /// pair that does not load (half written, mismatched) leaves the old one in use.
    fn key(&self) -> Arc<CertifiedKey> {
        {
            let current = self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if current.checked.elapsed() < self.interval {
                return Arc::clone(&current.key);
            }
        }
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current.checked = Instant::now();
        let stamp = stamp(&self.cert_path, &self.key_path);
        if stamp != current.stamp {
            match load(&self.cert_path, &self.key_path, &self.provider) {
                Ok(key) => {
                    tracing::info!(certificate = %self.cert_path.display(), "TLS certificate reloaded");
                    current.key = Arc::new(key);
                    current.stamp = stamp;
                }
                Err(error) => {
                    tracing::warn!(%error, "the changed TLS certificate does not load; keeping the old one");
                }
            }
        }
        Arc::clone(&current.key)
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.key())
    }
}

/// The modification times of the two files.
fn stamp(cert: &Path, key: &Path) -> Option<(SystemTime, SystemTime)> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    Some((modified(cert)?, modified(key)?))
}

/// Reads a certificate chain and its key.
fn load(
    cert_path: &Path,
    key_path: &Path,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<CertifiedKey, Error> {
    let chain = CertificateDer::pem_file_iter(cert_path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| damaged(cert_path, &error))?;
    if chain.is_empty() {
        return Err(Error::Damaged {
            path: cert_path.to_owned(),
            problem: "no certificate in the file".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|error| damaged(key_path, &error))?;
    CertifiedKey::from_der(chain, key, provider).map_err(|error| Error::Config {
        key: "tls".to_owned(),
        problem: format!(
            "{} and {}: {error}",
            cert_path.display(),
            key_path.display()
        ),
    })
}

fn damaged(path: &Path, error: &rustls::pki_types::pem::Error) -> Error {
    Error::Damaged {
        path: path.to_owned(),
        problem: error.to_string(),
    }
}

/// The kept self-signed pair, generated on first use for the host name and `localhost`.
fn self_signed(config: &Config) -> Result<(PathBuf, PathBuf), Error> {
    let dir = config.data_dir.join("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let names = vec![config.hostname.clone(), "localhost".to_owned()];
    let generated = rcgen::generate_simple_self_signed(names).map_err(|error| Error::Config {
        key: "tls".to_owned(),
        problem: format!("cannot generate a self-signed certificate: {error}"),
    })?;
    // The key first: a certificate without its key would be kept and never work.
    write_atomic(&key, generated.signing_key.serialize_pem().as_bytes(), true)?;
    write_atomic(&cert, generated.cert.pem().as_bytes(), false)?;
    Ok((cert, key))
}
