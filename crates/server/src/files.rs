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
