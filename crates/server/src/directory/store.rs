//! Where the directory is kept.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::Directory;
use crate::error::Error;
use crate::files::{create_dir, write_atomic};

/// A place the directory is kept: a file here, a shared database later.
pub trait Store: Send + Sync {
    /// The directory as it is now (cheap when nothing changed).
    ///
    /// # Errors
    ///
    /// The store cannot be read or is damaged.
    fn load(&self) -> Result<Arc<Directory>, Error>;

    /// Makes a change, so that changes made at the same time by others are not lost.
    ///
    /// # Errors
    ///
    /// The change's own error, or the store cannot be written.
    fn update(
        &self,
        change: &mut dyn FnMut(&mut Directory) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// The directory as one TOML file (`directory.toml` in the data directory), readable by its
/// owner only, replaced atomically by each change; a lock file keeps two changes from
/// overwriting each other. A running server reads it again when its modification time or
/// size changes, so CLI changes take effect without a restart.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    cached: Mutex<Option<(Stamp, Arc<Directory>)>>,
}

/// What tells a changed file: its modification time and size.
type Stamp = (SystemTime, u64);

/// How long a lock file may stand before it is taken to be left over from a crash.
const STALE_LOCK: Duration = Duration::from_secs(30);

impl FileStore {
    /// The directory file in `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("directory.toml"),
            cached: Mutex::new(None),
        }
    }

    fn read(&self) -> Result<Directory, Error> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str(&text).map_err(|error| Error::Damaged {
                path: self.path.clone(),
                problem: error.to_string(),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Directory::default()),
            Err(error) => Err(Error::Io {
                what: "cannot read",
                path: self.path.clone(),
                source: error,
            }),
        }
    }

    fn stamp(&self) -> Option<Stamp> {
        let metadata = std::fs::metadata(&self.path).ok()?;
        Some((metadata.modified().ok()?, metadata.len()))
    }

    fn lock(&self) -> Result<LockFile, Error> {
        let path = self.path.with_extension("lock");
        if let Some(dir) = path.parent() {
            create_dir(dir)?;
        }
        for _ in 0..100 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(LockFile(path)),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if stale {
                        let _ = std::fs::remove_file(&path);
                    } else {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
                Err(error) => return Err(Error::io("cannot create", &path)(error)),
            }
        }
        Err(Error::Busy { path })
    }
}

/// Removes the lock file when the change is done.
struct LockFile(PathBuf);

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Store for FileStore {
    fn load(&self) -> Result<Arc<Directory>, Error> {
        let stamp = self.stamp();
        let mut cached = self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Some(stamp), Some((seen, directory))) = (stamp, cached.as_ref())
            && stamp == *seen
        {
            return Ok(Arc::clone(directory));
        }
        let directory = Arc::new(self.read()?);
        if let Some(stamp) = stamp {
            *cached = Some((stamp, Arc::clone(&directory)));
        }
        Ok(directory)
    }

    fn update(
        &self,
        change: &mut dyn FnMut(&mut Directory) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let _lock = self.lock()?;
        let mut directory = self.read()?;
        change(&mut directory)?;
        let text = toml::to_string(&directory).map_err(|error| Error::Damaged {
            path: self.path.clone(),
            problem: error.to_string(),
        })?;
        write_atomic(&self.path, text.as_bytes(), true)
    }
}
