//! `mailroom`: the mail server and its admin CLI (serve, user, alias, dkim, dns, queue).
//!
//! The server assembles the protocol crates; its subcommands arrive with the server issue.
//! Until then this binary answers `--help` and `--version` only.

#![forbid(unsafe_code)]

use clap::Parser;

/// Mailroom: SMTP, DKIM, SPF and DMARC in one mail server with one data directory.
#[derive(Debug, Parser)]
#[command(name = "mailroom", version, about)]
struct Cli {}

fn main() {
    Cli::parse();
}
