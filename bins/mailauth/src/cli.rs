//! The command line: clap definitions only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Check mail authentication by hand: DNS lookups as SPF, DKIM and DMARC make them.
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
}

#[derive(Debug, clap::Args)]
pub(crate) struct DnsArgs {
    /// The name to look up; for PTR, an IPv4 or IPv6 address.
    pub(crate) name: String,
    /// The record type.
    #[arg(value_enum, ignore_case = true)]
    pub(crate) record_type: RecordType,
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
