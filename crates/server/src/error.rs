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
    /// A directory change cannot be made (an unknown user, an address in use).
    #[error("{0}")]
    Directory(String),
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
