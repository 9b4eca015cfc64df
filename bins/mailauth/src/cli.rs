//! The command line: clap definitions only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use mailroom_dkim::Canonicalization;

/// Check mail authentication by hand: DNS lookups as SPF, DKIM and DMARC make them; DKIM keys,
/// signatures and verification; SPF checks; DMARC policies and reports; and all of them on one
/// message.
#[derive(Debug, Parser)]
#[command(name = "mailauth", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Look up a name as the mail checks do, telling NXDOMAIN, NODATA and failures apart.
    ///
    /// Exit status: 0 when records were found, 1 when the name has none of that type (NODATA)
    /// or does not exist (NXDOMAIN), 2 when the lookup failed or the input was invalid.
    Dns(DnsArgs),
    /// Make DKIM keys, sign messages and verify their signatures.
    #[command(subcommand)]
    Dkim(DkimCommand),
    /// Check SPF for a client, as a receiving server does.
    #[command(subcommand)]
    Spf(SpfCommand),
    /// Find DMARC policies and read aggregate reports.
    #[command(subcommand)]
    Dmarc(DmarcCommand),
    /// Check a message as a receiving server does: SPF for the client, every DKIM signature,
    /// and DMARC.
    ///
    /// Prints the Authentication-Results header and an explanation of each result. Exit status:
    /// 0 when DMARC passes, 1 for any other DMARC result, 2 on bad input.
    Verify(MessageCheckArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DmarcCommand {
    /// Show the DMARC policy in force for a domain and how it was found.
    ///
    /// Exit status: 0 when a policy was found, 1 when none applies, 2 when the lookup failed.
    Record(DmarcRecordArgs),
    /// Summarize an aggregate report: XML, gzip, zip, or the e-mail that carries one.
    ///
    /// Exit status: 0 when it was read, 2 when it could not be.
    Report(DmarcReportArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct DmarcRecordArgs {
    /// The domain (usually the From domain of a message).
    pub(crate) domain: String,
    #[command(flatten)]
    pub(crate) organizational: OrganizationalArgs,
    #[command(flatten)]
    pub(crate) source: DnsSource,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DmarcReportArgs {
    /// The report file.
    pub(crate) file: PathBuf,
}

/// How organizational domains are found.
#[derive(Debug, clap::Args)]
pub(crate) struct OrganizationalArgs {
    /// Use this Public Suffix List (public_suffix_list.dat) as RFC 7489 did, instead of the
    /// RFC 9989 DNS tree walk.
    #[arg(long, value_name = "FILE")]
    pub(crate) psl: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct MessageCheckArgs {
    /// The SMTP client's address.
    #[arg(long)]
    pub(crate) ip: std::net::IpAddr,
    /// The HELO/EHLO name.
    #[arg(long)]
    pub(crate) helo: String,
    /// The MAIL FROM address; empty for the null reverse-path (then the HELO name is checked).
    #[arg(long, default_value = "")]
    pub(crate) mail_from: String,
    /// The receiving host's name: the authserv-id of the header.
    #[arg(long, default_value = "mailauth.invalid")]
    pub(crate) receiver: String,
    /// Let DKIM signatures whose l= leaves part of the body unsigned pass.
    #[arg(long)]
    pub(crate) allow_partial_body: bool,
    #[command(flatten)]
    pub(crate) organizational: OrganizationalArgs,
    #[command(flatten)]
    pub(crate) source: DnsSource,
    /// The message; standard input when left out.
    pub(crate) file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SpfCommand {
    /// Evaluate the sender's SPF policy for a client address (RFC 7208 check_host()).
    ///
    /// Prints the result, the Received-SPF header and, with --trace, every query and term.
    /// Exit status: 0 for pass, 1 for any other result, 2 on bad input.
    Check(SpfCheckArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct SpfCheckArgs {
    /// The SMTP client's address.
    #[arg(long)]
    pub(crate) ip: std::net::IpAddr,
    /// The MAIL FROM address; empty for the null reverse-path (then the HELO name is checked).
    #[arg(long, default_value = "")]
    pub(crate) sender: String,
    /// The HELO/EHLO name.
    #[arg(long)]
    pub(crate) helo: String,
    /// Check the HELO identity instead of MAIL FROM.
    #[arg(long)]
    pub(crate) helo_only: bool,
    /// The receiving host's name, for the header.
    #[arg(long, default_value = "mailauth.invalid")]
    pub(crate) receiver: String,
    /// Print every query and term.
    #[arg(long)]
    pub(crate) trace: bool,
    #[command(flatten)]
    pub(crate) source: DnsSource,
}

/// Where DNS answers come from: a zone file, a chosen name server, or the system's resolver.
#[derive(Debug, clap::Args)]
pub(crate) struct DnsSource {
    /// Answer from this zone file (RFC 1035 master-file form) instead of the network.
    #[arg(long, value_name = "FILE")]
    pub(crate) zone: Option<PathBuf>,
    /// Ask this name server (IP or IP:PORT) instead of the system's.
    #[arg(long, value_name = "ADDR", conflicts_with = "zone", value_parser = parse_server)]
    pub(crate) server: Option<SocketAddr>,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub(crate) timeout: u64,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DnsArgs {
    /// The name to look up; for PTR, an IPv4 or IPv6 address.
    pub(crate) name: String,
    /// The record type.
    #[arg(value_enum, ignore_case = true)]
    pub(crate) record_type: RecordType,
    #[command(flatten)]
    pub(crate) source: DnsSource,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DkimCommand {
    /// Make a signing key: writes the private key (PKCS#8 PEM, mode 0600) and prints the TXT
    /// record to publish.
    Keygen(KeygenArgs),
    /// Sign a message (a file, or standard input) and print it with its DKIM-Signature on top.
    Sign(SignArgs),
    /// Verify every DKIM signature of a message (a file, or standard input).
    ///
    /// Prints one line per signature. Exit status: 0 when at least one signature passes, 1 when
    /// none does or there is none, 2 on bad input.
    Verify(VerifyArgs),
    /// Check the key record published for a selector as verifiers will read it, and, given the
    /// private key, that the record holds it.
    ///
    /// Prints what was found, and the record to publish when none is usable or it holds another
    /// key. Exit status: 0 when signatures will verify, 1 when something stops them, 2 on bad
    /// input.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The signing domain (d=).
    #[arg(long)]
    pub(crate) domain: String,
    /// The selector (s=) the key is published under.
    #[arg(long)]
    pub(crate) selector: String,
    /// The private key that signs, to compare with the published one: PEM or DER (PKCS#1 or
    /// PKCS#8), or an Ed25519 key in base64 as dkimpy and rspamd keep it.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) source: DnsSource,
}

#[derive(Debug, clap::Args)]
pub(crate) struct KeygenArgs {
    /// The signing domain (d=).
    #[arg(long)]
    pub(crate) domain: String,
    /// The selector (s=) the key is published under.
    #[arg(long)]
    pub(crate) selector: String,
    /// The key type.
    #[arg(long, value_enum, default_value = "ed25519")]
    pub(crate) algorithm: KeyAlgorithm,
    /// RSA key size in bits.
    #[arg(long, value_enum, default_value = "2048")]
    pub(crate) bits: RsaSize,
    /// Where to write the private key; an existing file is never replaced.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// RSA key sizes `keygen` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RsaSize {
    #[value(name = "2048")]
    Bits2048,
    #[value(name = "3072")]
    Bits3072,
    #[value(name = "4096")]
    Bits4096,
}

/// Key types `keygen` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyAlgorithm {
    Ed25519,
    Rsa,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SignArgs {
    /// The private key, RSA or Ed25519: PEM or DER (PKCS#1 or PKCS#8), or an Ed25519 key in
    /// base64 as dkimpy and rspamd keep it.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// The signing domain (d=).
    #[arg(long)]
    pub(crate) domain: String,
    /// The selector (s=).
    #[arg(long)]
    pub(crate) selector: String,
    /// Header and body canonicalization.
    #[arg(long, default_value = "relaxed/relaxed", value_parser = parse_canonicalization)]
    pub(crate) canonicalization: (Canonicalization, Canonicalization),
    /// Add x=, this many seconds after signing.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) expire_after: Option<u64>,
    /// The message; standard input when left out.
    pub(crate) file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) source: DnsSource,
    /// Let signatures whose l= leaves part of the body unsigned pass.
    #[arg(long)]
    pub(crate) allow_partial_body: bool,
    /// The message; standard input when left out.
    pub(crate) file: Option<PathBuf>,
}

fn parse_canonicalization(text: &str) -> Result<(Canonicalization, Canonicalization), String> {
    let one = |part: &str| match part {
        "simple" => Ok(Canonicalization::Simple),
        "relaxed" => Ok(Canonicalization::Relaxed),
        _ => Err(format!("`{part}` is not simple or relaxed")),
    };
    let (header, body) = text.split_once('/').unwrap_or((text, "simple"));
    Ok((one(header)?, one(body)?))
}

/// The record types the mail checks ask for; `exists` is SPF's A-record existence test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RecordType {
    A,
    Aaaa,
    Mx,
    Txt,
    Ptr,
    Exists,
}

fn parse_server(text: &str) -> Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .or_else(|_| {
            text.parse::<std::net::IpAddr>()
                .map(|ip| SocketAddr::new(ip, 53))
        })
        .map_err(|_| format!("`{text}` is not an IP address or IP:PORT"))
}
