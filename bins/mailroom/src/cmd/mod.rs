//! The subcommands, each a thin layer over mailroom-server.

pub(crate) mod directory;
pub(crate) mod dkim;
pub(crate) mod serve;

use std::process::ExitCode;

use mailroom_server::{Config, Error};

use crate::cli::Cli;

/// The configuration the command line and the environment give.
pub(crate) fn config(cli: &Cli) -> Result<Config, Error> {
    Config::load(cli.config.as_deref(), std::env::vars())
}

/// Prints an error with its causes and gives the failure exit code.
#[allow(clippy::print_stderr)] // the CLI reports to its user
pub(crate) fn fail(error: &dyn std::error::Error) -> ExitCode {
    let mut text = format!("mailroom: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("{text}");
    ExitCode::FAILURE
}
