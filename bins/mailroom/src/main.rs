//! `mailroom`: the mail server and its admin CLI.

#![forbid(unsafe_code)]

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match &cli.command {
        cli::Command::Serve => cmd::serve::run(&cli),
        cli::Command::User(command) => cmd::directory::user(&cli, command),
        cli::Command::Alias(command) => cmd::directory::alias(&cli, command),
        cli::Command::Sender(command) => cmd::directory::sender(&cli, command),
        cli::Command::Dkim(command) => cmd::dkim::run(&cli, command),
    }
}
