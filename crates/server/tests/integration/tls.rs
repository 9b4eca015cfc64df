//! The TLS certificate: generated once and kept, or read from files and read again when they
//! change.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mailroom_server::Config;
use mailroom_server::tls::{server_config, server_config_checking_every};
use rustls::pki_types::CertificateDer;

use crate::TempDir;

/// The certificate a client sees in a handshake with this configuration.
fn served_certificate(
    server: Arc<rustls::ServerConfig>,
    trusted: &[CertificateDer<'static>],
) -> Vec<u8> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in trusted {
        roots.add(cert.clone()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut server = rustls::ServerConnection::new(server).unwrap();
    let mut client =
        rustls::ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap()).unwrap();
    for _ in 0..10 {
        let mut bytes = Vec::new();
        client.write_tls(&mut bytes).unwrap();
        server.read_tls(&mut bytes.as_slice()).unwrap();
        server.process_new_packets().unwrap();
        bytes.clear();
        server.write_tls(&mut bytes).unwrap();
        client.read_tls(&mut bytes.as_slice()).unwrap();
        client.process_new_packets().unwrap();
        if !client.is_handshaking() && !server.is_handshaking() {
            break;
        }
    }
    client.peer_certificates().unwrap()[0].to_vec()
}

fn certificate() -> (CertificateDer<'static>, String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    (
        made.cert.der().clone(),
        made.cert.pem(),
        made.signing_key.serialize_pem(),
    )
}

#[test]
fn a_self_signed_certificate_is_made_once_and_kept() {
    let dir = TempDir::new("tls-self-signed");
    let mut config = Config::load(None, Vec::new()).unwrap();
    config.data_dir = dir.path().to_path_buf();
    server_config(&config).unwrap();
    let first = std::fs::read(dir.path().join("tls/cert.pem")).unwrap();
    server_config(&config).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("tls/cert.pem")).unwrap(),
        first,
        "kept, not replaced"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("tls/key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_renewed_certificate_is_served_without_a_restart() {
    let dir = TempDir::new("tls-reload");
    let (der_a, cert_a, key_a) = certificate();
    let (der_b, cert_b, key_b) = certificate();
    let cert = dir.file("cert.pem", &cert_a);
    let key = dir.file("key.pem", &key_a);
    let mut config = Config::load(None, Vec::new()).unwrap();
    config.data_dir = dir.path().join("data");
    config.tls.certificate = Some(cert.clone());
    config.tls.key = Some(key.clone());
    let server = server_config_checking_every(&config, Duration::ZERO).unwrap();
    let trusted = [der_a.clone(), der_b.clone()];
    assert_eq!(
        served_certificate(Arc::clone(&server), &trusted),
        der_a.to_vec()
    );

    // The renewal writes both files; their times change.
    std::fs::write(&cert, &cert_b).unwrap();
    std::fs::write(&key, &key_b).unwrap();
    let later = SystemTime::now() + Duration::from_secs(2);
    for path in [&cert, &key] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    assert_eq!(
        served_certificate(Arc::clone(&server), &trusted),
        der_b.to_vec()
    );

    // A half-written file is not used: the last good pair stays.
    std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\ngarbage").unwrap();
    let later = SystemTime::now() + Duration::from_secs(4);
    std::fs::File::options()
        .write(true)
        .open(&cert)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(served_certificate(server, &trusted), der_b.to_vec());
}
