//! `mailroom user|alias|sender`: changes to the directory, which a running server picks up
//! without a restart.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use mailroom_server::Error;
use mailroom_server::directory::{FileStore, Store};

use super::{config, fail};
use crate::cli::{AliasCommand, Cli, SenderCommand, UserCommand};

fn store(cli: &Cli) -> Result<FileStore, Error> {
    Ok(FileStore::new(&config(cli)?.data_dir))
}

fn run(result: Result<String, Error>) -> ExitCode {
    match result {
        Ok(text) => {
            #[allow(clippy::print_stdout)] // the CLI's output
            if !text.is_empty() {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}

/// A new password: typed twice at a prompt, or one line of stdin when it is not a terminal.
fn read_password(address: &str) -> Result<String, Error> {
    let trouble =
        |error: std::io::Error| Error::Password(format!("cannot read the password: {error}"));
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password(format!("password for {address}: ")).map_err(trouble)?;
        let second = rpassword::prompt_password("again: ").map_err(trouble)?;
        if first != second {
            return Err(Error::Password("the passwords differ".to_owned()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(trouble)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

pub(crate) fn user(cli: &Cli, command: &UserCommand) -> ExitCode {
    run((|| {
        let store = store(cli)?;
        match command {
            UserCommand::Add { address } => {
                if store.load()?.user(address).is_some() {
                    return Err(Error::UserExists(address.clone()));
                }
                let password = read_password(address)?;
                store.update(&mut |d| d.set_user(address, &password))?;
                Ok(format!("added {address}"))
            }
            UserCommand::Passwd { address } => {
                if store.load()?.user(address).is_none() {
                    return Err(Error::NoSuchUser(address.clone()));
                }
                let password = read_password(address)?;
                store.update(&mut |d| d.set_user(address, &password))?;
                Ok(format!("changed the password of {address}"))
            }
            UserCommand::Del { address } => {
                store.update(&mut |d| d.remove_user(address))?;
                Ok(format!("removed {address}"))
            }
            UserCommand::List => Ok(store
                .load()?
                .users
                .iter()
                .map(|u| u.address.clone())
                .collect::<Vec<_>>()
                .join("\n")),
        }
    })())
}

pub(crate) fn alias(cli: &Cli, command: &AliasCommand) -> ExitCode {
    run((|| {
        let store = store(cli)?;
        match command {
            AliasCommand::Add { address, targets } => {
                store.update(&mut |d| d.add_alias(address, targets))?;
                Ok(format!("{address} -> {}", targets.join(", ")))
            }
            AliasCommand::Del { address } => {
                store.update(&mut |d| d.remove_alias(address))?;
                Ok(format!("removed {address}"))
            }
            AliasCommand::List => {
                let directory = store.load()?;
                let aliases = directory
                    .aliases
                    .iter()
                    .map(|a| format!("{} -> {}", a.address, a.targets.join(", ")));
                let catch_alls = directory
                    .catch_alls
                    .iter()
                    .map(|c| format!("@{} -> {}", c.domain, c.target));
                Ok(aliases.chain(catch_alls).collect::<Vec<_>>().join("\n"))
            }
        }
    })())
}

pub(crate) fn sender(cli: &Cli, command: &SenderCommand) -> ExitCode {
    run((|| {
        let store = store(cli)?;
        match command {
            SenderCommand::Allow { user, address } => {
                store.update(&mut |d| d.set_sender(user, address, true))?;
                Ok(format!("{user} may send as {address}"))
            }
            SenderCommand::Deny { user, address } => {
                store.update(&mut |d| d.set_sender(user, address, false))?;
                Ok(format!("{user} may no longer send as {address}"))
            }
            SenderCommand::List => Ok(store
                .load()?
                .senders
                .iter()
                .map(|g| format!("{} may send as {}", g.user, g.address))
                .collect::<Vec<_>>()
                .join("\n")),
        }
    })())
}
