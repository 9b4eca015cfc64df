//! `mailroom dkim keygen`: signing keys for a domain, and the records to publish.

use std::io::Write;
use std::process::ExitCode;

use mailroom_server::dkim_keys::{KeyKind, KeyStore};

use super::{config, fail};
use crate::cli::{Cli, DkimCommand, KeyAlgorithm};

pub(crate) fn run(cli: &Cli, command: &DkimCommand) -> ExitCode {
    let DkimCommand::Keygen {
        domain,
        selector,
        algorithm,
    } = command;
    let config = match config(cli) {
        Ok(config) => config,
        Err(error) => return fail(&error),
    };
    let kinds: &[KeyKind] = match algorithm {
        KeyAlgorithm::Rsa => &[KeyKind::Rsa],
        KeyAlgorithm::Ed25519 => &[KeyKind::Ed25519],
        KeyAlgorithm::Both => &[KeyKind::Rsa, KeyKind::Ed25519],
    };
    let made = match KeyStore::new(&config.data_dir).generate(domain, selector.as_deref(), kinds) {
        Ok(made) => made,
        Err(error) => return fail(&error),
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "; publish these records; mail from {domain} is signed with every key from now on"
    );
    for key in made {
        let _ = writeln!(out, "{}. IN TXT {}", key.name, key.record);
    }
    ExitCode::SUCCESS
}
