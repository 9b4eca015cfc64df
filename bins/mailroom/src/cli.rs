//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Mailroom: SMTP, DKIM, SPF and DMARC in one mail server with one data directory.
#[derive(Debug, Parser)]
#[command(name = "mailroom", version, about)]
pub(crate) struct Cli {
    /// The TOML config file; without one, the embedded defaults and MAILROOM_... variables.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Runs the server. Without --config: listeners on 127.0.0.1 at ports 2525 (inbound),
    /// 2587 (submission) and 2465 (submissions), data in ./mailroom-data.
    Serve,
    /// Users: their addresses are their logins. Passwords come from a prompt, or from stdin
    /// when it is not a terminal; never from the command line.
    #[command(subcommand)]
    User(UserCommand),
    /// Aliases (one address to several users) and catch-alls (`@domain`).
    #[command(subcommand)]
    Alias(AliasCommand),
    /// Addresses a user may send as, besides its own, its `+tag` forms and its aliases.
    #[command(subcommand)]
    Sender(SenderCommand),
    /// DKIM signing keys, kept in the data directory; every key of a domain signs its mail.
    #[command(subcommand)]
    Dkim(DkimCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DkimCommand {
    /// Makes signing keys for a domain (RSA 2048 and Ed25519 by default) and prints the DNS
    /// records to publish. Existing keys are never replaced.
    Keygen {
        /// The domain, e.g. example.org.
        domain: String,
        /// The selector (default: year and month, e.g. 202611r and 202611e).
        #[arg(long)]
        selector: Option<String>,
        /// Which keys to make.
        #[arg(long, value_enum, default_value = "both")]
        algorithm: KeyAlgorithm,
    },
    /// Takes in a signing key another tool made, as it is (opendkim-genkey's .private file,
    /// rspamd's or dkimpy's Ed25519 key, any PEM or DER key), and prints the record that must
    /// be published for it. Existing keys are never replaced.
    Import {
        /// The domain, e.g. example.org.
        domain: String,
        /// The key file.
        file: PathBuf,
        /// The selector the key is published under (opendkim-genkey names its files after it).
        #[arg(long)]
        selector: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum KeyAlgorithm {
    /// RSA 2048 bits.
    Rsa,
    /// Ed25519.
    Ed25519,
    /// One of each.
    Both,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Adds a user.
    Add {
        /// The address, e.g. alice@example.org.
        address: String,
    },
    /// Removes a user (its mailbox stays in the data directory).
    Del {
        /// The address.
        address: String,
    },
    /// Sets a user's password.
    Passwd {
        /// The address.
        address: String,
    },
    /// Lists the users.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AliasCommand {
    /// Adds targets to an alias, creating it; `@domain` makes a catch-all (one target).
    Add {
        /// The alias address, or `@domain`.
        address: String,
        /// Users or aliases it delivers to.
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Removes an alias or catch-all.
    Del {
        /// The alias address, or `@domain`.
        address: String,
    },
    /// Lists aliases and catch-alls.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SenderCommand {
    /// Lets USER send as ADDRESS (or as any address of a domain: `@domain`).
    Allow {
        /// The user.
        user: String,
        /// The address or `@domain`.
        address: String,
    },
    /// Takes that back.
    Deny {
        /// The user.
        user: String,
        /// The address or `@domain`.
        address: String,
    },
    /// Lists sender grants.
    List,
}
