//! Where the local schema registry keeps its state in the cluster directory:
//! `schemas/registry.json`, replaced whole and atomically by writers holding
//! `locks/schemas.lock`; readers take no lock (a rename never shows half a file).
//!
//! Owns: the file, its lock and the atomic replace. Must not: know what the bytes mean (the
//! registry's model is format/registry.rs, which is handed this storage by the command).

use std::io;
use std::path::{Path, PathBuf};

use super::layout::Layout;
use super::lock::FileLock;

/// The registry's file of one cluster.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    file: PathBuf,
    lock: PathBuf,
}

impl SchemaFile {
    /// The registry file of the cluster at `layout` (it need not exist yet).
    pub fn new(layout: &Layout) -> SchemaFile {
        SchemaFile {
            file: layout.schema_registry(),
            lock: layout.schema_registry_lock(),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The file's bytes; `None` when there is no file yet.
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(&self.file) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Holding the writers' lock: reads the file, calls `change` with its bytes and, when it
    /// returns new bytes, replaces the file with them atomically (fsynced).
    pub fn update<E: From<io::Error>>(
        &self,
        mut change: impl FnMut(Option<Vec<u8>>) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<(), E> {
        let _lock = FileLock::exclusive(&self.lock).map_err(io::Error::other)?;
        // A temp file left by a writer killed mid-write goes even when nothing is written
        // (best effort: the next writer tries again).
        let _ = crate::log::io::remove_temp(&self.file);
        let Some(new) = change(self.read()?)? else {
            return Ok(());
        };
        if let Some(dir) = self.file.parent() {
            crate::log::io::create_dir_all(dir)?;
        }
        crate::log::io::write_atomic(&self.file, &new)?;
        Ok(())
    }

    /// Removes the temp file a failed or killed write left beside the file, under the
    /// writers' lock (taken only when there is one: the common case costs one `stat`).
    /// Returns whether there was one.
    pub fn remove_leftover(&self) -> io::Result<bool> {
        if !crate::log::io::temp_path(&self.file).exists() {
            return Ok(false);
        }
        let _lock = FileLock::exclusive(&self.lock).map_err(io::Error::other)?;
        crate::log::io::remove_temp(&self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_replace_the_file_and_no_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let f = SchemaFile::new(&Layout::new(dir.path()));
        assert_eq!(f.read().unwrap(), None);
        f.update(|old| {
            assert_eq!(old, None);
            Ok::<_, io::Error>(Some(b"{}\n".to_vec()))
        })
        .unwrap();
        assert_eq!(f.read().unwrap().as_deref(), Some(&b"{}\n"[..]));
        f.update(|old| {
            assert_eq!(old.as_deref(), Some(&b"{}\n"[..]));
            Ok::<_, io::Error>(None)
        })
        .unwrap();
        assert_eq!(f.read().unwrap().as_deref(), Some(&b"{}\n"[..]));
        assert!(dir.path().join("locks/schemas.lock").exists());
    }
}
