//! `mailauth dkim keygen|sign|verify|check`: thin calls into mailroom-dkim.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use mailroom_dkim::keygen::{self, RsaBits};
use mailroom_dkim::published::{Finding, check_published_key};
use mailroom_dkim::{
    DkimResult, KeyRecord, PublicKey, Signer, SigningKey, Verifier, VerifyOptions,
};
use mailroom_dns::Txt;

use super::{fail, now, read_input, runtime, to_crlf};
use crate::cli::{CheckArgs, DkimCommand, KeyAlgorithm, KeygenArgs, RsaSize, SignArgs, VerifyArgs};

/// The longest character-string in a TXT record (RFC 1035 §3.3).
const TXT_STRING_LEN: usize = 255;

/// Runs a `dkim` subcommand.
pub(crate) fn run(command: &DkimCommand) -> ExitCode {
    let outcome = match command {
        DkimCommand::Keygen(args) => keygen(args).map(|()| ExitCode::SUCCESS),
        DkimCommand::Sign(args) => sign(args).map(|()| ExitCode::SUCCESS),
        DkimCommand::Verify(args) => verify(args),
        DkimCommand::Check(args) => check(args),
    };
    outcome.unwrap_or_else(|message| fail(&message))
}

fn keygen(args: &KeygenArgs) -> Result<(), String> {
    let generated = match args.algorithm {
        KeyAlgorithm::Ed25519 => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|error| format!("no randomness: {error}"))?;
            keygen::ed25519(seed)
        }
        KeyAlgorithm::Rsa => keygen::rsa(match args.bits {
            RsaSize::Bits2048 => RsaBits::Rsa2048,
            RsaSize::Bits3072 => RsaBits::Rsa3072,
            RsaSize::Bits4096 => RsaBits::Rsa4096,
        })
        .map_err(|error| error.to_string())?,
    };
    // Check the names before anything is written.
    let record = generated.key.dns_record();
    Signer::new(generated.key, args.domain.as_str(), args.selector.as_str())
        .map_err(|error| error.to_string())?;
    write_private(&args.out, &generated.pem)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "; the private key is in {}; publish this record:\n{}._domainkey.{}. IN TXT {}",
        args.out.display(),
        args.selector,
        args.domain,
        txt_strings(&record)
    )
    .map_err(|error| error.to_string())
}

/// A key record as the strings of a TXT record, each within the DNS limit.
fn txt_strings(record: &str) -> Txt {
    Txt::new(record.as_bytes().chunks(TXT_STRING_LEN))
}

/// Writes a new private key file, readable by its owner only; an existing file is kept.
fn write_private(path: &Path, pem: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::AlreadyExists => {
            format!("{} exists; a key is never replaced", path.display())
        }
        _ => format!("cannot create {}: {error}", path.display()),
    })?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Reads a private key file in any form `SigningKey::from_key_file` takes.
fn read_key(path: &Path) -> Result<SigningKey, String> {
    SigningKey::from_key_file(&read_input(Some(path))?)
        .map_err(|error| format!("{}: {error}", path.display()))
}

fn sign(args: &SignArgs) -> Result<(), String> {
    let key = read_key(&args.key)?;
    let input = read_input(args.file.as_deref())?;
    let (message, lf_only) = to_crlf(&input);
    let (header_canon, body_canon) = args.canonicalization;
    let mut signer = Signer::new(key, args.domain.as_str(), args.selector.as_str())
        .map_err(|error| error.to_string())?
        .canonicalization(header_canon, body_canon);
    if let Some(seconds) = args.expire_after {
        signer = signer.expire_after(seconds);
    }
    let header = signer
        .sign(&message, now())
        .map_err(|error| error.to_string())?;
    // Give the message back in the line ends it came in.
    let header = if lf_only {
        header.replace("\r\n", "\n")
    } else {
        header
    };
    let mut out = std::io::stdout().lock();
    out.write_all(header.as_bytes())
        .and_then(|()| out.write_all(&input))
        .map_err(|error| error.to_string())
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, String> {
    let (message, _) = to_crlf(&read_input(args.file.as_deref())?);
    let verifier =
        Verifier::new(VerifyOptions::default().allow_partial_body(args.allow_partial_body));
    let results = runtime()?.block_on(async {
        let resolver = super::resolver(&args.source)?;
        Ok::<_, String>(verifier.verify(&resolver, &message, now()).await)
    })?;
    let mut out = std::io::stdout().lock();
    if results.is_empty() {
        let _ = writeln!(out, "none: the message has no DKIM-Signature");
    }
    for result in &results {
        let algorithm = result
            .signature
            .as_ref()
            .map_or_else(|| "?".to_owned(), |s| s.algorithm.to_string());
        let _ = writeln!(
            out,
            "{} d={} s={} a={algorithm}: {}",
            result.result,
            result.domain.as_deref().unwrap_or("?"),
            result.selector.as_deref().unwrap_or("?"),
            result.reason()
        );
    }
    Ok(if results.iter().any(|r| r.result == DkimResult::Pass) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    let key = match &args.key {
        Some(path) => Some(read_key(path)?),
        None => None,
    };
    let check = runtime()?.block_on(async {
        let resolver = super::resolver(&args.source)?;
        check_published_key(&resolver, &args.domain, &args.selector, key.as_ref())
            .await
            .map_err(|error| error.to_string())
    })?;
    let mut out = std::io::stdout().lock();
    let _ = match &check.record {
        Some(record) => writeln!(out, "{}: {}", check.name, describe(record)),
        None => writeln!(out, "{}: no usable key record", check.name),
    };
    for finding in &check.findings {
        let level = if finding.is_problem() {
            "problem"
        } else {
            "warning"
        };
        let _ = writeln!(out, "{level}: {finding}");
    }
    let republish = check.findings.iter().any(|finding| {
        matches!(
            finding,
            Finding::NotPublished | Finding::Unusable(_) | Finding::OtherKey
        )
    });
    if let (Some(key), Some(path), true) = (&key, &args.key, republish) {
        let _ = writeln!(
            out,
            "; publish this record for the key in {}:\n{}. IN TXT {}",
            path.display(),
            check.name,
            txt_strings(&key.dns_record())
        );
    }
    Ok(if check.is_ok() {
        let _ = if key.is_some() {
            writeln!(out, "ok: signatures with this key will verify")
        } else {
            writeln!(out, "ok: verifiers can use this record")
        };
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What a key record publishes, in a few words.
fn describe(record: &KeyRecord) -> String {
    let key = match &record.key {
        PublicKey::Rsa { bits, .. } => format!("an RSA key of {bits} bits"),
        PublicKey::Ed25519(_) => "an Ed25519 key".to_owned(),
        _ => "a key".to_owned(),
    };
    format!("publishes {key}")
}
