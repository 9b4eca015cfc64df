//! Group commit: one thread syncs the queue directory for every commit that asked before the
//! sync began, so concurrent sessions share one directory sync instead of paying one each.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use tokio::sync::oneshot;

use crate::error::Error;

/// A waiter: told when a sync that began after it asked has finished.
type Waiter = oneshot::Sender<Result<(), (io::ErrorKind, String)>>;

/// The handle of the syncing thread; the thread ends when the handle is dropped.
#[derive(Debug)]
pub(crate) struct GroupSync {
    requests: mpsc::Sender<Waiter>,
    syncs: Arc<AtomicU64>,
}

impl GroupSync {
    /// Starts the thread that syncs `dir`.
    pub(crate) fn start(dir: &Path) -> Result<Self, Error> {
        let handle = open_dir(dir).map_err(Error::io("cannot open", dir))?;
        let (requests, waiting) = mpsc::channel::<Waiter>();
        let syncs = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&syncs);
        std::thread::Builder::new()
            .name("mailroom-sync".to_owned())
            .spawn(move || {
                // Each turn takes every request made so far; they were all renamed before
                // asking, so one sync makes them all durable.
                while let Ok(first) = waiting.recv() {
                    let mut batch = vec![first];
                    batch.extend(waiting.try_iter());
                    let result = sync(&handle).map_err(|e| (e.kind(), e.to_string()));
                    counter.fetch_add(1, Ordering::Relaxed);
                    for waiter in batch {
                        let _ = waiter.send(result.clone());
                    }
                }
            })
            .map_err(Error::io("cannot start the sync thread for", dir))?;
        Ok(Self { requests, syncs })
    }

    /// Waits until a directory sync that began after this call has finished.
    pub(crate) async fn sync(&self) -> io::Result<()> {
        let (tell, told) = oneshot::channel();
        self.requests
            .send(tell)
            .map_err(|_| io::Error::other("the sync thread has stopped"))?;
        match told.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err((kind, text))) => Err(io::Error::new(kind, text)),
            Err(_) => Err(io::Error::other("the sync thread has stopped")),
        }
    }

    /// How many directory syncs were made so far.
    pub(crate) fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }
}

#[cfg(unix)]
fn open_dir(dir: &Path) -> io::Result<File> {
    File::open(dir)
}

#[cfg(unix)]
fn sync(dir: &File) -> io::Result<()> {
    dir.sync_all()
}

#[cfg(not(unix))]
fn open_dir(_: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn sync(_: &()) -> io::Result<()> {
    Ok(())
}
