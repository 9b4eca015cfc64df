//! `mailauth`: try the Mailroom libraries by hand. Each subcommand is a thin call into a library.

#![forbid(unsafe_code)]

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Dns(args) => cmd::dns::run(&args),
        cli::Command::Dkim(command) => cmd::dkim::run(&command),
        cli::Command::Spf(command) => cmd::spf::run(&command),
        cli::Command::Dmarc(command) => cmd::dmarc::run(&command),
        cli::Command::Verify(args) => cmd::verify::run(&args),
    }
}
