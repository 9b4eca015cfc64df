//! Test support shared by the Mailroom crates: where the published suites are, and loaders for
//! their files. Not published; used as a dev-dependency.
//!
//! The suites live in `shared/testdata` beside the repository (see its `SOURCES.md`); a
//! byte-exact copy is kept in the repository's `testdata/` so a checkout anywhere can run them.
//! Set `MAILROOM_TESTDATA` to use another place. Loaders panic with the file and line on bad
//! data: they run in tests, where a panic is the report.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
// Loaders run only in tests, where a panic naming the file is the right report.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod dkim;
pub mod dmarc;
mod peers;
pub mod spf;
mod temp_dir;

pub use peers::{peer_available, run_with_input};
pub use temp_dir::TempDir;

use std::path::{Path, PathBuf};

/// The folder of published test data: `$MAILROOM_TESTDATA`, else the first `shared/testdata`
/// beside this crate's ancestors (the project's shared folder), else the repository's own copy
/// in `testdata/`.
///
/// # Panics
///
/// When no such folder exists: the suites are part of the test, not optional.
pub fn testdata_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MAILROOM_TESTDATA") {
        return PathBuf::from(dir);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = here
        .ancestors()
        .map(|dir| dir.join("shared").join("testdata"));
    let vendored = here.ancestors().map(|dir| dir.join("testdata"));
    shared
        .chain(vendored)
        .find(|dir| dir.join("SOURCES.md").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no shared/testdata or testdata/ above {}; set MAILROOM_TESTDATA",
                here.display()
            )
        })
}

/// Reads a file under [`testdata_dir`].
///
/// # Panics
///
/// When the file cannot be read.
pub fn read(relative: &str) -> Vec<u8> {
    let path = testdata_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a text file under [`testdata_dir`].
///
/// # Panics
///
/// When the file cannot be read or is not UTF-8.
pub fn read_text(relative: &str) -> String {
    String::from_utf8(read(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The files of a folder under [`testdata_dir`] whose names end with `suffix`, sorted.
///
/// # Panics
///
/// When the folder cannot be read.
pub fn files(relative_dir: &str, suffix: &str) -> Vec<String> {
    let dir = testdata_dir().join(relative_dir);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(suffix))
        .collect();
    names.sort();
    names
}

/// Turns LF line ends into CRLF, leaving existing CRLFs alone: the mail files are stored with
/// LF, and DKIM works on the CRLF form SMTP delivers (SOURCES.md).
pub fn lf_to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut previous = 0u8;
    for &byte in bytes {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn crlf() {
        assert_eq!(super::lf_to_crlf(b"a\nb\r\nc\n"), b"a\r\nb\r\nc\r\n");
    }
}

/// A [`Zone`](mailroom_dns::Zone) that counts the questions it is asked, for tests of caches:
/// what is kept must not be asked again.
#[derive(Debug)]
pub struct CountingZone {
    zone: mailroom_dns::Zone,
    queries: std::sync::atomic::AtomicUsize,
}

impl CountingZone {
    /// Counts the questions asked of `zone`.
    pub fn new(zone: mailroom_dns::Zone) -> Self {
        Self {
            zone,
            queries: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The questions asked since the last call.
    pub fn take_count(&self) -> usize {
        self.queries.swap(0, std::sync::atomic::Ordering::Relaxed)
    }

    fn count(&self) -> &mailroom_dns::Zone {
        self.queries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.zone
    }
}

impl mailroom_dns::Resolver for CountingZone {
    async fn txt(&self, name: &str) -> mailroom_dns::Lookup<mailroom_dns::Txt> {
        self.count().txt(name).await
    }
    async fn txt_with_ttl(
        &self,
        name: &str,
    ) -> (mailroom_dns::Lookup<mailroom_dns::Txt>, Option<u32>) {
        self.count().txt_with_ttl(name).await
    }
    async fn a(&self, name: &str) -> mailroom_dns::Lookup<std::net::Ipv4Addr> {
        self.count().a(name).await
    }
    async fn a_with_ttl(
        &self,
        name: &str,
    ) -> (mailroom_dns::Lookup<std::net::Ipv4Addr>, Option<u32>) {
        self.count().a_with_ttl(name).await
    }
    async fn aaaa(&self, name: &str) -> mailroom_dns::Lookup<std::net::Ipv6Addr> {
        self.count().aaaa(name).await
    }
    async fn aaaa_with_ttl(
        &self,
        name: &str,
    ) -> (mailroom_dns::Lookup<std::net::Ipv6Addr>, Option<u32>) {
        self.count().aaaa_with_ttl(name).await
    }
    async fn mx(&self, name: &str) -> mailroom_dns::Lookup<mailroom_dns::Mx> {
        self.count().mx(name).await
    }
    async fn mx_with_ttl(
        &self,
        name: &str,
    ) -> (mailroom_dns::Lookup<mailroom_dns::Mx>, Option<u32>) {
        self.count().mx_with_ttl(name).await
    }
    async fn ptr(&self, ip: std::net::IpAddr) -> mailroom_dns::Lookup<String> {
        self.count().ptr(ip).await
    }
}
