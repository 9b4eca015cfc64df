//! The TLS certificate: the configured files, or a self-signed pair generated once and kept
//! in the data directory (`tls/cert.pem`, `tls/key.pem`), so clients that pin it keep working
//! across restarts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::Config;
use crate::error::Error;
use crate::files::write_atomic;

/// The rustls configuration for every TLS listener.
///
/// # Errors
///
/// Unreadable or damaged PEM files, or a key that does not fit the certificate.
pub fn server_config(config: &Config) -> Result<Arc<rustls::ServerConfig>, Error> {
    let (cert_path, key_path) = match (&config.tls.certificate, &config.tls.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        _ => self_signed(config)?,
    };
    let chain = CertificateDer::pem_file_iter(&cert_path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| damaged(&cert_path, &error))?;
    if chain.is_empty() {
        return Err(Error::Damaged {
            path: cert_path,
            problem: "no certificate in the file".to_owned(),
        });
    }
    let key =
        PrivateKeyDer::from_pem_file(&key_path).map_err(|error| damaged(&key_path, &error))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
        .map(Arc::new)
        .map_err(|error| Error::Config {
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
