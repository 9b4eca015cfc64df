//! The one error type of the server: what went wrong, with which file, setting or address.

use std::io;
use std::path::PathBuf;

/// Why the server could not start or do something asked of it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is wrong.
    #[error("config: `{key}`: {problem}")]
    Config {
        /// The setting (`limits.max_recipients`) or environment variable.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The config file cannot be read.
    #[error("cannot read the config file {}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file or directory in the data directory cannot be used.
    #[error("{} {}", what, path.display())]
    Io {
        /// What was being done (`cannot write`, `cannot create`).
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A stored file in the data directory is damaged.
    #[error("{} is damaged: {problem}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// Another process holds the data directory.
    #[error(
        "the data directory is in use by process {holder} ({}); one server per data directory",
        path.display()
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The process ID written in it.
        holder: String,
    },
    /// Work handed to another thread stopped before it finished (it panicked, or the runtime
    /// is shutting down).
    #[error("{what} stopped: {problem}")]
    Stopped {
        /// The work.
        what: &'static str,
        /// Why, as far as is known.
        problem: String,
    },
    /// Text that should be an address (`local@domain`) is not one.
    #[error("`{0}` is not an address (local@domain)")]
    NotAnAddress(String),
    /// Text that should be a domain name is not one.
    #[error("`{0}` is not a domain name")]
    NotADomain(String),
    /// No user has this address.
    #[error("there is no user {0}")]
    NoSuchUser(String),
    /// No alias has this address.
    #[error("there is no alias {0}")]
    NoSuchAlias(String),
    /// A user is to be added whose address is already a user's.
    #[error("{0} exists; use `mailroom user passwd` to change its password")]
    UserExists(String),
    /// The address is taken by a user or an alias.
    #[error("{address} is {taken_by}")]
    AddressTaken {
        /// The address.
        address: String,
        /// What has it: `a user`, `an alias`.
        taken_by: &'static str,
    },
    /// An alias would deliver to an address that is neither a user nor an alias here.
    #[error("{0} is not a user or alias here (aliases deliver locally only)")]
    NotLocal(String),
    /// A catch-all was given other than one target.
    #[error("a catch-all has exactly one target")]
    CatchAllTargets,
    /// Another change holds the directory's lock file.
    #[error("{} is held by another change; remove it if no other mailroom command runs", path.display())]
    Busy {
        /// The lock file.
        path: PathBuf,
    },
    /// A password that cannot be used (empty, refused by SASLprep, typed differently twice,
    /// or not readable).
    #[error("{0}")]
    Password(String),
    /// The system gave no randomness.
    #[error("no randomness for {purpose}: {problem}")]
    NoRandomness {
        /// What it was for: `a key`, `a salt`.
        purpose: &'static str,
        /// The system's error.
        problem: String,
    },
    /// A key could not be made.
    #[error("cannot make an RSA key: {0}")]
    KeyGen(String),
    /// A file to import holds no key this server signs with.
    #[error("{} holds no key to sign with: {problem}", path.display())]
    NotAKey {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A key file exists where a new key would go; keys are never replaced.
    #[error("{} exists; keys are never replaced (choose another --selector)", path.display())]
    KeyExists {
        /// The file.
        path: PathBuf,
    },
    /// A key cannot sign under this name (`selector._domainkey.domain`).
    #[error("cannot sign as {name}: {problem}")]
    CannotSign {
        /// The name.
        name: String,
        /// Why.
        problem: String,
    },
}

impl Error {
    /// An I/O error with what was being done and the path.
    pub(crate) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { what, path, source }
    }
}
