//! Writing files so that a crash leaves either the old content or the new, never a mix:
//! write a temporary file beside the target, fsync it, rename it over the target, fsync the
//! directory.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::Error;

/// Replaces `path` with `bytes` atomically and durably. `private` files (keys, password
/// hashes) are created readable by the owner only.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    create_dir(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(if private { 0o600 } else { 0o644 });
    let mut file = options
        .open(&temporary)
        .map_err(Error::io("cannot create", &temporary))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(Error::io("cannot write", &temporary))?;
    fs::rename(&temporary, path).map_err(Error::io("cannot rename into place", path))?;
    sync_dir(dir)
}

/// Creates a directory and its parents.
pub(crate) fn create_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(Error::io("cannot create", dir))
}

/// Makes a rename or a new file in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io("cannot sync", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The lock a running server holds on its data directory, so a second server on the same
/// directory refuses to start instead of sharing its queue. Released when dropped, or by the
/// system when the process ends, however it ends.
#[derive(Debug)]
pub(crate) struct DataDirLock {
    _file: File,
}

/// Locks `data_dir` for this process, writing its ID into the lock file.
///
/// # Errors
///
/// [`Error::Locked`] naming the process that holds it, or the lock file cannot be made.
pub(crate) fn lock_data_dir(data_dir: &Path) -> Result<DataDirLock, Error> {
    create_dir(data_dir)?;
    let path = data_dir.join("mailroom.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(Error::io("cannot create", &path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path).unwrap_or_default();
            return Err(Error::Locked {
                path,
                holder: holder.trim().to_owned(),
            });
        }
        Err(fs::TryLockError::Error(error)) => return Err(Error::io("cannot lock", &path)(error)),
    }
    file.set_len(0)
        .and_then(|()| file.write_all(format!("{}\n", std::process::id()).as_bytes()))
        .map_err(Error::io("cannot write", &path))?;
    Ok(DataDirLock { _file: file })
}
