//! A directory for one test's files, removed afterwards.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// An empty directory under the system temp directory, removed with its contents when dropped,
/// also when the test panics. Its name holds `name`, the process id and a counter, so tests
/// running at once in one binary, or in several, never share one.
///
/// ```
/// let dir = mailroom_testkit::TempDir::new("example");
/// let zone = dir.file("example.zone", "example.org. A 192.0.2.1\n");
/// assert!(zone.starts_with(dir.path()));
/// let path = dir.path().to_path_buf();
/// drop(dir);
/// assert!(!path.exists());
/// ```
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates the directory; `name` says which test it belongs to.
    ///
    /// # Panics
    ///
    /// When the directory cannot be created.
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("mailroom-{name}-{}-{n}", std::process::id()));
        // Left over from an earlier process with the same id, killed before it could clean up.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp directory");
        Self { path }
    }

    /// Where the directory is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a file in the directory with this text, and returns its path.
    ///
    /// # Panics
    ///
    /// When the file cannot be written.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::write(&path, text).expect("write a file in the temp directory");
        path
    }
}

impl TempDir {
    /// Reads the text of a file in the directory, such as one a peer wrote.
    ///
    /// # Panics
    ///
    /// When the file cannot be read as UTF-8 text.
    pub fn read(&self, name: &str) -> String {
        let path = self.path.join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
