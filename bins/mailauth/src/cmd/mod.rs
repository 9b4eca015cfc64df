//! One module per subcommand, and what they share: where DNS answers come from, reading input,
//! and reporting failure.

pub(crate) mod dkim;
pub(crate) mod dmarc;
pub(crate) mod dmarc_report;
pub(crate) mod dns;
pub(crate) mod spf;
pub(crate) mod verify;

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

use mailroom_dns::{AnyResolver, DnsError, HickoryResolver, Zone};

use crate::cli::DnsSource;

/// The resolver a command asks, as `source` describes it: a zone file, or the network. Must be
/// called inside the tokio runtime.
pub(crate) fn resolver(source: &DnsSource) -> Result<AnyResolver, String> {
    if let Some(path) = &source.zone {
        let text = read_text(path)?;
        return Zone::from_text(&text)
            .map(AnyResolver::Zone)
            .map_err(|error| format!("{}: {error}", path.display()));
    }
    let builder = match source.server {
        Some(server) => Ok(HickoryResolver::with_name_servers([server])),
        None => HickoryResolver::builder(),
    };
    builder
        .and_then(|builder| builder.timeout(Duration::from_secs(source.timeout)).build())
        .map(AnyResolver::Network)
        .map_err(|error| describe(&error))
}

/// A single-threaded tokio runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))
}

/// A DNS error with its causes and what it means for the mail checks.
pub(crate) fn describe(error: &DnsError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    if error.is_temporary() {
        text.push_str(" (temporary: SPF, DKIM and DMARC would report temperror)");
    }
    text
}

/// Reads a text file, with the path in the error.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))
}

/// Reads a file, or standard input when there is none.
pub(crate) fn read_input(file: Option<&Path>) -> Result<Vec<u8>, String> {
    match file {
        Some(path) => {
            std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
        }
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|error| format!("cannot read standard input: {error}"))?;
            Ok(bytes)
        }
    }
}

/// Prints the message on standard error and returns exit status 2.
pub(crate) fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "mailauth: {message}");
    ExitCode::from(2)
}

/// The message with CRLF line ends, as DKIM works on them, and whether it came with bare LFs.
pub(crate) fn to_crlf(input: &[u8]) -> (Vec<u8>, bool) {
    let bare_lf = input
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || input[i - 1] != b'\r'));
    if !bare_lf {
        return (input.to_vec(), false);
    }
    let mut out = Vec::with_capacity(input.len() + input.len() / 20);
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' && (i == 0 || input[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    (out, true)
}

/// Seconds since the Unix epoch, from the system clock.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The Public Suffix List asked for with `--psl`, if any.
pub(crate) fn public_suffix_list(
    args: &crate::cli::OrganizationalArgs,
) -> Result<Option<mailroom_dmarc::PublicSuffixList>, String> {
    args.psl
        .as_deref()
        .map(|path| {
            mailroom_dmarc::PublicSuffixList::from_text(&read_text(path)?)
                .map_err(|error| format!("{}: {error}", path.display()))
        })
        .transpose()
}
