//! `mailroom dkim keygen` and `mailroom dkim import`: signing keys for a domain, and the records
//! to publish.

use std::io::Write;
use std::process::ExitCode;

use mailroom_server::keys::{KeyKind, KeyStore, NewKey};

use super::{config, fail};
use crate::cli::{Cli, DkimCommand, KeyAlgorithm};

pub(crate) fn run(cli: &Cli, command: &DkimCommand) -> ExitCode {
    let config = match config(cli) {
        Ok(config) => config,
        Err(error) => return fail(&error),
    };
    let store = KeyStore::new(&config.data_dir);
    let (domain, keys) = match command {
        DkimCommand::Keygen {
            domain,
            selector,
            algorithm,
        } => {
            let kinds: &[KeyKind] = match algorithm {
                KeyAlgorithm::Rsa => &[KeyKind::Rsa],
                KeyAlgorithm::Ed25519 => &[KeyKind::Ed25519],
                KeyAlgorithm::Both => &[KeyKind::Rsa, KeyKind::Ed25519],
            };
            (domain, store.generate(domain, selector.as_deref(), kinds))
        }
        DkimCommand::Import {
            domain,
            file,
            selector,
        } => (
            domain,
            store.import(domain, selector, file).map(|key| vec![key]),
        ),
    };
    match keys {
        Ok(keys) => print_records(domain, &keys),
        Err(error) => fail(&error),
    }
}

/// Prints the records to publish, in zone-file form.
fn print_records(domain: &str, keys: &[NewKey]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "; publish these records; mail from {domain} is signed with every key from now on"
    );
    for key in keys {
        let _ = writeln!(out, "{}. IN TXT {}", key.name, key.record);
    }
    ExitCode::SUCCESS
}
