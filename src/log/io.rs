//! The one seam every file operation of the storage layers goes through, so tests can make
//! any step fail: an I/O error, a torn write (part of the bytes land, then the "process"
//! dies), or a crash (this step and every later one fail, as if the process had been
//! killed). Faults are per thread, so parallel tests do not disturb each other, and cost one
//! thread-local read when none is installed.
//!
//! Nothing here decides policy (when to fsync, what to write): it only performs the
//! operation, or fails it as the installed [`FaultPlan`] says.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The kind of file operation, for fault plans and traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Opening or creating a file.
    Open,
    /// Writing bytes.
    Write,
    /// fsync / fdatasync of a file or directory.
    Sync,
    /// Changing a file's length.
    SetLen,
    /// Renaming a file.
    Rename,
    /// Removing a file or directory.
    Remove,
    /// Creating a directory.
    CreateDir,
}

/// What happens at the chosen step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The step fails with an I/O error; later steps work.
    Error,
    /// The step fails with ENOSPC ("No space left on device"); later steps work.
    NoSpace,
    /// The disk is full from this step on: it and every later write, fsync or directory
    /// creation fail with ENOSPC, while what frees or only renames space (truncating,
    /// removing, renaming, opening) still works, as on a real full disk.
    Full,
    /// A write lands only its first `n` bytes, then this and every later step fail.
    Torn(usize),
    /// This step and every later one fail without touching the disk.
    Crash,
}

/// Fails the `at`-th matching operation (0-based, counting only `ops` if given).
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Which step fails.
    pub at: usize,
    /// How it fails.
    pub fault: Fault,
    /// Count only these operations (all when empty).
    pub ops: Vec<Op>,
}

#[derive(Default)]
struct State {
    plan: Option<FaultPlan>,
    seen: usize,
    crashed: bool,
    full: bool,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Installs a fault plan for this thread (tests only).
pub fn install(plan: FaultPlan) {
    STATE.with(|s| {
        *s.borrow_mut() = State {
            plan: Some(plan),
            seen: 0,
            crashed: false,
            full: false,
        }
    });
}

/// Removes this thread's fault plan; returns how many matching operations were seen.
pub fn clear() -> usize {
    STATE.with(|s| std::mem::take(&mut *s.borrow_mut()).seen)
}

fn injected(op: Op, what: &str) -> io::Error {
    io::Error::other(format!("injected fault at {op:?} ({what})"))
}

/// ENOSPC, as the OS reports it (its message is the OS's own "No space left on device").
fn no_space() -> io::Error {
    io::Error::from_raw_os_error(libc::ENOSPC)
}

/// Operations a full disk refuses: they need new blocks.
fn needs_space(op: Op) -> bool {
    matches!(op, Op::Write | Op::Sync | Op::CreateDir)
}

/// Decides the fate of one operation: `Ok(None)` = go ahead, `Ok(Some(n))` = write only
/// `n` bytes then fail, `Err` = fail now.
fn check(op: Op) -> io::Result<Option<usize>> {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let Some(plan) = s.plan.clone() else {
            return Ok(None);
        };
        if s.crashed {
            return Err(injected(op, "after crash"));
        }
        if s.full && needs_space(op) {
            return Err(no_space());
        }
        if !plan.ops.is_empty() && !plan.ops.contains(&op) {
            return Ok(None);
        }
        let n = s.seen;
        s.seen += 1;
        if n != plan.at {
            return Ok(None);
        }
        match plan.fault {
            Fault::Error => Err(injected(op, "error")),
            Fault::NoSpace => Err(no_space()),
            Fault::Full => {
                s.full = true;
                if needs_space(op) {
                    Err(no_space())
                } else {
                    Ok(None)
                }
            }
            Fault::Crash => {
                s.crashed = true;
                Err(injected(op, "crash"))
            }
            Fault::Torn(k) => {
                s.crashed = true;
                if op == Op::Write {
                    Ok(Some(k))
                } else {
                    Err(injected(op, "crash"))
                }
            }
        }
    })
}

/// Opens a file inside the cluster with the given options, never through a symbolic link:
/// a link at `path` fails with `ELOOP` (O_NOFOLLOW), which [`super::io_err`] reports as
/// [`super::LogError::Symlink`]. A link would let a write land outside the cluster, in
/// whatever file it names.
pub fn open(path: &Path, opts: &OpenOptions) -> io::Result<File> {
    check(Op::Open)?;
    let mut opts = opts.clone();
    opts.custom_flags(libc::O_NOFOLLOW);
    opts.open(path)
}

/// Opens a file inside the cluster read-only, never through a symbolic link (see [`open`]).
/// Reads are not fault-injected: they cannot lose data.
pub fn open_read(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens a file the user named (`dump FILE`) read-only, following a symbolic link as any
/// reader of a typed path does. Never for files filka finds inside a cluster.
pub fn open_user_read(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Fails with `ELOOP` (reported as [`super::LogError::Symlink`]) when `path` itself is a
/// symbolic link; a missing path is fine. For folders, which O_NOFOLLOW cannot guard: a
/// replica or broker folder that is a link would take every file opened in it elsewhere.
pub fn check_not_symlink(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::from_raw_os_error(libc::ELOOP)),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// True for the error a symbolic link gives an open with O_NOFOLLOW (or
/// [`check_not_symlink`]).
pub fn is_symlink_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

/// Writes all of `buf` at the end of `file` (opened for append or positioned at its end).
pub fn append(file: &mut File, buf: &[u8]) -> io::Result<()> {
    match check(Op::Write)? {
        None => file.write_all(buf),
        Some(k) => {
            file.write_all(&buf[..k.min(buf.len())])?;
            Err(injected(Op::Write, "torn write"))
        }
    }
}

/// Writes all of `buf` at byte `pos` of `file`.
pub fn write_at(file: &File, buf: &[u8], pos: u64) -> io::Result<()> {
    match check(Op::Write)? {
        None => file.write_all_at(buf, pos),
        Some(k) => {
            file.write_all_at(&buf[..k.min(buf.len())], pos)?;
            Err(injected(Op::Write, "torn write"))
        }
    }
}

/// Reads exactly `buf.len()` bytes at `pos`.
pub fn read_exact_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<()> {
    file.read_exact_at(buf, pos)
}

/// Reads up to `buf.len()` bytes at `pos`, retrying short reads; returns bytes read.
pub fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], pos + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Reads a whole (small) file inside the cluster, never through a symbolic link.
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = open_read(path)?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
}

/// fdatasync: the file's bytes reach the disk.
pub fn sync(file: &File) -> io::Result<()> {
    check(Op::Sync)?;
    file.sync_data()
}

/// fsync of a directory, so renames and new files in it survive a power loss. Follows a
/// link: an fsync changes nothing, and the cluster's own folder may be one the user made.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    check(Op::Sync)?;
    File::open(dir)?.sync_all()
}

/// Sets a file's length (truncates or zero-extends).
pub fn set_len(file: &File, len: u64) -> io::Result<()> {
    check(Op::SetLen)?;
    file.set_len(len)
}

/// Renames a file, replacing the target atomically.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    check(Op::Rename)?;
    std::fs::rename(from, to)
}

/// Gives a file a second name (a hard link: both names hold the same data), counted as a
/// rename by the fault plan (it changes names only).
pub fn hard_link(from: &Path, to: &Path) -> io::Result<()> {
    check(Op::Rename)?;
    std::fs::hard_link(from, to)
}

/// Removes a file; a file that is already gone is not an error.
pub fn remove_file(path: &Path) -> io::Result<()> {
    check(Op::Remove)?;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// Removes a directory and everything in it.
pub fn remove_dir_all(path: &Path) -> io::Result<()> {
    check(Op::Remove)?;
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// Creates a directory and its parents.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    check(Op::CreateDir)?;
    std::fs::create_dir_all(path)
}

/// The temporary file [`write_atomic`] writes `path` through, beside it: `<name>.tmp`
/// (`cluster.json.tmp`, `00000000000000000042.snapshot.tmp`,
/// `recovery-point-offset-checkpoint.tmp`). The one place that names it.
pub fn temp_path(path: &Path) -> PathBuf {
    path.with_extension(match path.extension() {
        Some(e) => format!("{}.tmp", e.to_string_lossy()),
        None => "tmp".to_string(),
    })
}

/// Removes the temporary file a failed or killed [`write_atomic`] of `path` left behind, if
/// there is one; returns whether there was. Only for the writer of `path` (holding whatever
/// lock its writes take): another writer's temporary file is its file being written.
pub fn remove_temp(path: &Path) -> io::Result<bool> {
    let tmp = temp_path(path);
    match std::fs::symlink_metadata(&tmp) {
        Ok(m) if m.is_file() => remove_file(&tmp).map(|()| true),
        Ok(_) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// A failed [`write_atomic`], and how far it got.
#[derive(Debug)]
pub struct AtomicWriteError {
    /// What failed.
    pub source: io::Error,
    /// The rename was done, so the file holds the new contents: only the fsync of its folder
    /// failed (a power loss may still bring the old file back).
    pub replaced: bool,
}

impl From<AtomicWriteError> for io::Error {
    fn from(e: AtomicWriteError) -> io::Error {
        e.source
    }
}

/// Writes a whole file atomically: temp file, write, fsync, rename, fsync directory.
/// A crash at any step leaves either the old file or the new one, never a mix. A failure
/// before the rename removes the temp file ([`temp_path`]): a full disk is not left fuller
/// and nothing half-written stays beside the file (a writer killed meanwhile leaves it to
/// the next [`remove_temp`]).
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    Ok(replace(path, contents, true)?)
}

/// [`write_atomic`], saying whether the file was replaced when it fails (only the fsync of
/// the folder after the rename failed): for a caller whose next step depends on which file
/// a reader now finds.
pub fn write_atomic_reporting(path: &Path, contents: &[u8]) -> Result<(), AtomicWriteError> {
    replace(path, contents, true)
}

/// [`write_atomic`] without the fsyncs: a process that dies at any step leaves the old file
/// or the new one, but a power loss may leave an empty file. Only for files that can be made
/// again from what is durable elsewhere (a new replica's folder, remade from the metadata).
pub fn write_atomic_unsynced(path: &Path, contents: &[u8]) -> io::Result<()> {
    Ok(replace(path, contents, false)?)
}

fn replace(path: &Path, contents: &[u8], durable: bool) -> Result<(), AtomicWriteError> {
    let tmp = temp_path(path);
    let written = (|| {
        let mut f = open(
            &tmp,
            OpenOptions::new().write(true).create(true).truncate(true),
        )?;
        append(&mut f, contents)?;
        if durable {
            sync(&f)?;
        }
        drop(f);
        rename(&tmp, path)
    })();
    if let Err(source) = written {
        // Best effort: the error to report is the first one.
        let _ = remove_file(&tmp);
        return Err(AtomicWriteError {
            source,
            replaced: false,
        });
    }
    if durable && let Some(dir) = path.parent() {
        sync_dir(dir).map_err(|source| AtomicWriteError {
            source,
            replaced: true,
        })?;
    }
    Ok(())
}

/// The length of an open file.
pub fn len(file: &File) -> io::Result<u64> {
    Ok(file.metadata()?.len())
}

/// Positions a file at its end (for appends through [`append`]).
pub fn seek_end(file: &mut File) -> io::Result<u64> {
    file.seek(SeekFrom::End(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_write_lands_a_prefix_then_everything_fails() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        install(FaultPlan {
            at: 1,
            fault: Fault::Torn(3),
            ops: vec![Op::Write],
        });
        let mut f = open(&p, OpenOptions::new().create(true).append(true)).unwrap();
        append(&mut f, b"first").unwrap();
        assert!(append(&mut f, b"second").is_err());
        assert!(sync(&f).is_err(), "a crashed process cannot fsync");
        assert_eq!(clear(), 2);
        assert_eq!(std::fs::read(&p).unwrap(), b"firstsec");
    }

    #[test]
    fn atomic_write_keeps_old_contents_when_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("checkpoint");
        write_atomic(&p, b"old").unwrap();
        // Steps: open, write, fsync, rename (then fsync of the directory).
        for at in 0..4 {
            install(FaultPlan {
                at,
                fault: Fault::Crash,
                ops: vec![],
            });
            assert!(write_atomic(&p, b"new").is_err(), "step {at} must fail");
            clear();
            assert_eq!(std::fs::read(&p).unwrap(), b"old");
        }
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
    }

    /// Regression: a write that failed on a full disk left `<name>.tmp` behind.
    #[test]
    fn a_failed_atomic_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cluster.json");
        let tmp = dir.path().join("cluster.json.tmp");
        assert_eq!(temp_path(&p), tmp);
        write_atomic(&p, b"old").unwrap();
        // Steps: open, write, fsync, rename, fsync of the directory.
        for fault in [Fault::NoSpace, Fault::Full, Fault::Error] {
            for at in 0..5 {
                install(FaultPlan {
                    at,
                    fault,
                    ops: vec![],
                });
                let r = write_atomic_reporting(&p, b"new");
                clear();
                let e = r.expect_err("a step failed");
                assert!(!tmp.exists(), "{fault:?} at {at}");
                if fault != Fault::Error {
                    assert_eq!(e.source.raw_os_error(), Some(libc::ENOSPC));
                }
                let expect: &[u8] = if e.replaced { b"new" } else { b"old" };
                // A full disk still renames: only the fsync of the directory after fails.
                let replaced = at == 4 || (fault == Fault::Full && at == 3);
                assert_eq!(e.replaced, replaced, "{fault:?} at {at}");
                assert_eq!(std::fs::read(&p).unwrap(), expect, "{fault:?} at {at}");
                write_atomic(&p, b"old").unwrap();
            }
        }
        // A temp file a killed writer left is removed by its next writer's remove_temp.
        std::fs::write(&tmp, b"half").unwrap();
        assert!(remove_temp(&p).unwrap());
        assert!(!remove_temp(&p).unwrap());
        assert!(!tmp.exists());
    }
}
