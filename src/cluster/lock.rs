//! File locks: the only way filka processes coordinate (the SQLite model). Every lock is an
//! flock(2) on a file under `locks/` (or a member file of a group), taken through fs2 and
//! called by path so std's inherent `File::lock*` methods never shadow it (CRATES.md).
//!
//! Rules (DESIGN.md): one `File` per lock, held for the whole critical section; a lock file
//! is never opened twice in one process and never upgraded. Dropping a [`FileLock`]
//! releases it; so does the process dying, which is how a dead holder is detected.

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
    match open() {
        // The folder is created once; a producer takes a partition lock per batch, so the
        // common case must not pay a stat and a mkdir each time.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            open()
        }
        r => r,
    }
    .map_err(|source| LockError::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl FileLock {
    /// Takes an exclusive lock, waiting as long as it takes.
    pub fn exclusive(path: &Path) -> Result<FileLock, LockError> {
        let file = open_lock_file(path)?;
        fs2::FileExt::lock_exclusive(&file).map_err(|source| LockError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Takes a shared lock, waiting as long as it takes.
    pub fn shared(path: &Path) -> Result<FileLock, LockError> {
        let file = open_lock_file(path)?;
        fs2::FileExt::lock_shared(&file).map_err(|source| LockError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Takes an exclusive lock if nobody holds it; `Ok(None)` when someone does.
    pub fn try_exclusive(path: &Path) -> Result<Option<FileLock>, LockError> {
        let file = open_lock_file(path)?;
        match fs2::FileExt::try_lock_exclusive(&file) {
            Ok(()) => Ok(Some(FileLock {
                file,
                path: path.to_path_buf(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.raw_os_error() == fs2::lock_contended_error().raw_os_error() => Ok(None),
            Err(source) => Err(LockError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
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
}
