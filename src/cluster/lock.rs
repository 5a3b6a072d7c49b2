//! File locks: the only way filka processes coordinate (the SQLite model). Every lock is an
//! flock(2) on a file under `locks/` (or a member file of a group), taken through fs2 and
//! called by path so std's inherent `File::lock*` methods never shadow it (CRATES.md).
//!
//! Rules (DESIGN.md): one `File` per lock, held for the whole critical section; a lock file
//! is never opened twice in one process and never upgraded. Dropping a [`FileLock`]
//! releases it; so does the process dying, which is how a dead holder is detected.
//!
//! A lock file may be removed, but only by a holder ([`FileLock::remove`]: `topic delete`,
//! a dead group member's files). Whoever takes a lock therefore checks, once it has it,
//! that the path still names the file it locked, and starts over on the path if not:
//! otherwise a waiter would get the unlinked file while a newcomer locked a new one at the
//! same path, and both would think they held the lock.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An exclusive or shared lock held on a file until dropped.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock file could not be opened or locked.
    #[error("lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Another process held it for longer than we were willing to wait.
    #[error("lock {path} is held by another process (waited {waited:?})")]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
}

/// Opens (creating if needed) a lock file without locking it.
pub(crate) fn open_lock_file(path: &Path) -> Result<File, LockError> {
    let io = |source| LockError::Io {
        path: path.to_path_buf(),
        source,
    };
    let open = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    };
    let mut result = open();
    // The folder is created once; a producer takes a partition lock per batch, so the
    // common case must not pay a stat and a mkdir each time. The folder may also be
    // removed between our mkdir and open (`topic delete` removes the topic's lock folder):
    // try again a few times.
    for _ in 0..3 {
        match &result {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                result = open();
            }
            _ => break,
        }
    }
    result.map_err(|source| LockError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// True when `path` still names the file `file` has open (same device and inode).
fn still_at_path(file: &File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(m) => Ok(m.dev() == held.dev() && m.ino() == held.ino()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// How a lock is taken: blocking or not, exclusive or shared.
#[derive(Clone, Copy)]
enum Mode {
    Exclusive,
    Shared,
    TryExclusive,
}

/// Locks the file at `path` (first trying `reuse`, an open descriptor of it), and makes sure
/// the file locked is still the one at `path`, starting over when its holder removed it
/// meanwhile. `Ok(None)` when `mode` does not wait and someone holds it.
fn lock_at(path: &Path, mut reuse: Option<File>, mode: Mode) -> Result<Option<File>, LockError> {
    let io = |source| LockError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Each retry follows a removal by a holder, which happens once per topic deletion or
    // dead member: a few are plenty, and a bound keeps a pathological loop from spinning.
    for _ in 0..100 {
        let file = match reuse.take() {
            Some(f) => f,
            None => open_lock_file(path)?,
        };
        match mode {
            Mode::Exclusive => fs2::FileExt::lock_exclusive(&file).map_err(io)?,
            Mode::Shared => fs2::FileExt::lock_shared(&file).map_err(io)?,
            Mode::TryExclusive => match fs2::FileExt::try_lock_exclusive(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.raw_os_error() == fs2::lock_contended_error().raw_os_error() => {
                    return Ok(None);
                }
                Err(source) => return Err(io(source)),
            },
        }
        if still_at_path(&file, path).map_err(io)? {
            return Ok(Some(file));
        }
        let _ = fs2::FileExt::unlock(&file);
    }
    Err(io(std::io::Error::other(
        "the lock file keeps being removed while it is taken",
    )))
}

/// Takes an exclusive lock on `path` through `reuse` (a descriptor of it kept open between
/// critical sections, as a partition writer does) when given, reopening the path if that
/// file was removed since. Returns the locked file; unlock it with `fs2::FileExt::unlock`.
pub(crate) fn lock_exclusive_file(path: &Path, reuse: Option<File>) -> Result<File, LockError> {
    lock_at(path, reuse, Mode::Exclusive)?.ok_or_else(|| LockError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other("a blocking lock returned without the lock"),
    })
}

impl FileLock {
    /// Takes an exclusive lock, waiting as long as it takes.
    pub fn exclusive(path: &Path) -> Result<FileLock, LockError> {
        Ok(FileLock {
            file: lock_exclusive_file(path, None)?,
            path: path.to_path_buf(),
        })
    }

    /// Takes a shared lock, waiting as long as it takes.
    pub fn shared(path: &Path) -> Result<FileLock, LockError> {
        let file = lock_at(path, None, Mode::Shared)?.ok_or_else(|| LockError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("a blocking lock returned without the lock"),
        })?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Takes an exclusive lock if nobody holds it; `Ok(None)` when someone does.
    pub fn try_exclusive(path: &Path) -> Result<Option<FileLock>, LockError> {
        Ok(
            lock_at(path, None, Mode::TryExclusive)?.map(|file| FileLock {
                file,
                path: path.to_path_buf(),
            }),
        )
    }

    /// Takes an exclusive lock, polling until `timeout` has passed.
    pub fn exclusive_within(path: &Path, timeout: Duration) -> Result<FileLock, LockError> {
        let start = Instant::now();
        loop {
            if let Some(l) = Self::try_exclusive(path)? {
                return Ok(l);
            }
            if start.elapsed() >= timeout {
                return Err(LockError::Busy {
                    path: path.to_path_buf(),
                    waited: start.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The locked file (e.g. to keep a small state record in it).
    pub fn file(&self) -> &File {
        &self.file
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the lock file while holding it, then releases it. Whoever waits for it
    /// finds the path gone once it gets the lock, and starts over on a new file there.
    pub fn remove(self) -> Result<(), LockError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(LockError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file releases the flock anyway; unlock explicitly so the release does
        // not wait for other clones of the descriptor.
        let _ = fs2::FileExt::unlock(&self.file);
    }
}

/// True when nobody holds `path` locked (the holder is dead or never existed).
pub fn is_free(path: &Path) -> Result<bool, LockError> {
    Ok(FileLock::try_exclusive(path)?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_within_a_process_through_separate_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("locks/x.lock");
        let held = FileLock::exclusive(&p).unwrap();
        assert!(FileLock::try_exclusive(&p).unwrap().is_none());
        assert!(!is_free(&p).unwrap());
        drop(held);
        assert!(is_free(&p).unwrap());
        let e = FileLock::exclusive_within(&p, Duration::from_millis(1));
        assert!(e.is_ok());
    }

    /// A lock file removed by its holder must not leave two holders: the one that was
    /// waiting on the removed file and a newcomer that creates a new one at the path.
    #[test]
    fn a_lock_file_removed_by_its_holder_leaves_one_holder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("locks/partitions/t/0.lock");
        let held = FileLock::exclusive(&p).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                // Waits on the file `held` is about to remove.
                let waiter = FileLock::exclusive(&p).unwrap();
                tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(100));
                drop(waiter);
            });
            std::thread::sleep(Duration::from_millis(100));
            held.remove().unwrap();
            rx.recv().unwrap();
            // The waiter holds the lock now: nobody else may get it.
            assert!(FileLock::try_exclusive(&p).unwrap().is_none());
        });
        assert!(FileLock::try_exclusive(&p).unwrap().is_some());
    }
}
