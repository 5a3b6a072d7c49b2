//! The storage benchmark: append 1,000,000 records of 100 bytes, in batches of 1,000, to a
//! partition log without fsync, then read and decode them all back, and compare each phase
//! with a yardstick that does the same I/O, in the same process and the same run, with plain
//! `std::fs` and nothing else. Targets, as the ratio of the yardstick's time to filka's:
//! append >= 0.40, read >= 0.40. (The read target was 0.60 while the yardstick was `cat`
//! copying the file in a process of its own, which did more work than filka's read; against
//! a plain read of the same file, filka's read, which checks every CRC and decodes every
//! record, measured 0.48.)
//!
//! ```sh
//! cargo bench --bench storage                     # 1,000,000 records, best of 5
//! cargo bench --bench storage -- --quick          # 100,000 records
//! FILKA_BENCH_RECORDS=250000 cargo bench --bench storage
//! FILKA_BENCH_CODEC=lz4,zstd cargo bench --bench storage   # also compressed (no target)
//! ```
//!
//! Environment: `FILKA_BENCH_RECORDS` (record count), `FILKA_BENCH_RUNS` (best of N, default
//! 5), `FILKA_BENCH_CODEC` (`gzip`, `snappy`, `lz4`, `zstd`, comma-separated, or `all`),
//! `FILKA_BENCH_ONLY=append|read` (one phase only, repeated `FILKA_BENCH_RUNS` times, for a
//! profiler; prints its best time and nothing else).
//! Exits 1 when a target is missed, so the run can gate a script.
//!
//! What is timed (each round runs the four in turn, keeping each one's best):
//! - append: opening the log (which creates the folder and the segment's `.log`, `.index`
//!   and `.timeindex`), building every batch (`BatchBuilder`: record framing, CRC-32C, no
//!   compression), `PartitionLog::append` for each (checks, offsets, producer state, then
//!   one write to the `.log` and one to each index), closing the log.
//! - write, append's yardstick: creating the folder and the same files, and writing into
//!   them, from memory, the very bytes filka's append left there with the same writes (one
//!   per batch to the `.log`, one per batch to each index that got an entry for it). The
//!   bytes come from filka's first append (untimed) and the first write is checked to
//!   produce identical files. What filka does beyond it: building and checking the batches.
//! - read: `LogReader::open` (listing the folder), `log_end_offset`, `cursor(0)` (which
//!   loads the `.index`), `next_batch` to the end, `verify_crc`, `records_data`, and
//!   decoding every record, touching its key and value.
//! - plain read, read's yardstick: opening the same `.log` and reading it end to end into
//!   one reused buffer of filka's read size (1 MiB, `pread`, as filka's `BatchStream`), and
//!   nothing else. What filka does beyond it: the index, the CRC, decoding the records.
//!
//! Equal conditions: neither side writes output or fsyncs while timed. Both write phases
//! start with their folder removed (untimed), so both write into pages the kernel just
//! freed, and end, untimed, with an fsync of what they wrote, so neither starts behind the
//! other's writeback. Both reads read the same file, written moments before in the same
//! round and read in every round: the page cache is warm on both sides.

use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use filka::log::stream::DEFAULT_CHUNK;
use filka::log::{LogConfig, LogReader, OpenHints, PartitionLog};
use filka::record::{BatchBuilder, BatchOptions, Compression};

/// Bytes per record value (no key, no headers).
const VALUE_LEN: usize = 100;
/// Records per batch, as a producer with `batch.size` ~100 KiB would send them.
const BATCH_RECORDS: usize = 1_000;
/// The requirement's record count.
const FULL_RECORDS: usize = 1_000_000;
/// Record count with `--quick`.
const QUICK_RECORDS: usize = 100_000;
/// Best of this many runs per measurement.
const DEFAULT_RUNS: usize = 5;
/// Targets: the yardstick's time divided by filka's.
const APPEND_TARGET: f64 = 0.40;
const READ_TARGET: f64 = 0.40;
/// First record timestamp (fixed, so every run writes the same bytes).
const TS0: i64 = 1_700_000_000_000;
/// The first segment's file name.
const SEGMENT: &str = "00000000000000000000.log";

const ENV_RECORDS: &str = "FILKA_BENCH_RECORDS";
const ENV_RUNS: &str = "FILKA_BENCH_RUNS";
const ENV_CODEC: &str = "FILKA_BENCH_CODEC";
const ENV_ONLY: &str = "FILKA_BENCH_ONLY";

fn main() {
    // `run` returns before exiting so its temporary directory (~300 MB) is removed.
    match run() {
        Ok(true) => {}
        Ok(false) => {
            println!("\nstorage bench: a target was missed");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("storage bench: {e:#}");
            std::process::exit(2);
        }
    }
}

struct Settings {
    records: usize,
    runs: usize,
    codecs: Vec<Compression>,
}

fn settings() -> Result<Settings> {
    // `cargo bench` passes `--bench`; other unknown arguments are ignored too.
    let quick = std::env::args().any(|a| a == "--quick");
    let records = match std::env::var(ENV_RECORDS) {
        Ok(s) => s
            .replace('_', "")
            .parse::<usize>()
            .with_context(|| format!("{ENV_RECORDS}={s:?} is not a record count"))?,
        Err(_) if quick => QUICK_RECORDS,
        Err(_) => FULL_RECORDS,
    };
    ensure!(records > 0, "{ENV_RECORDS} must be at least 1");
    let runs = match std::env::var(ENV_RUNS) {
        Ok(s) => s
            .parse::<usize>()
            .with_context(|| format!("{ENV_RUNS}={s:?} is not a number"))?
            .max(1),
        Err(_) => DEFAULT_RUNS,
    };
    let mut codecs = Vec::new();
    if let Ok(s) = std::env::var(ENV_CODEC) {
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "all" {
                codecs.extend(Compression::ALL.into_iter().skip(1));
                continue;
            }
            match Compression::from_name(name) {
                Some(Compression::None) | None => {
                    bail!("{ENV_CODEC}: unknown codec {name:?} (gzip, snappy, lz4, zstd, all)")
                }
                Some(c) => codecs.push(c),
            }
        }
    }
    Ok(Settings {
        records,
        runs,
        codecs,
    })
}

/// `n` deterministic 100-byte values, back to back: a few words from a small vocabulary
/// (so the codecs have something to find) then pseudo-random base-36 characters.
fn make_values(n: usize) -> Vec<u8> {
    const WORDS: [&[u8]; 12] = [
        b"user=",
        b"click ",
        b"view ",
        b"page=/home ",
        b"page=/cart ",
        b"id=",
        b"region=eu ",
        b"region=us ",
        b"ok ",
        b"status=200 ",
        b"ms=",
        b"ref=",
    ];
    const ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut out = Vec::with_capacity(n * VALUE_LEN);
    for _ in 0..n {
        let start = out.len();
        while out.len() - start < 60 {
            let w = WORDS[(next() % WORDS.len() as u64) as usize];
            out.extend_from_slice(w);
        }
        while out.len() - start < VALUE_LEN {
            out.push(ALNUM[(next() % ALNUM.len() as u64) as usize]);
        }
        out.truncate(start + VALUE_LEN);
    }
    out
}

/// One timed phase: the best time over the runs and the bytes it moved.
#[derive(Clone, Copy)]
struct Measure {
    best: Duration,
    bytes: u64,
}

fn keep_best(best: &mut Option<Measure>, m: Measure) {
    if best.is_none_or(|b| m.best < b.best) {
        *best = Some(m);
    }
}

fn best_of<F: FnMut() -> Result<Measure>>(runs: usize, mut f: F) -> Result<Measure> {
    let mut best = None;
    for _ in 0..runs {
        keep_best(&mut best, f()?);
    }
    best.context("no runs")
}

/// Appends every value to a fresh log in `dir`; returns the time and the `.log` size.
fn append_once(dir: &Path, values: &[u8], codec: Compression) -> Result<Measure> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("remove {}", dir.display()))?;
    }
    let opts = BatchOptions {
        compression: codec,
        ..BatchOptions::default()
    };
    let start = Instant::now();
    let (mut log, _) = PartitionLog::open(dir, LogConfig::default(), OpenHints::default())?;
    let mut builder = BatchBuilder::new(opts);
    for (b, chunk) in values.chunks(VALUE_LEN * BATCH_RECORDS).enumerate() {
        builder.clear();
        let ts = TS0 + b as i64;
        for value in chunk.chunks(VALUE_LEN) {
            builder.append(ts, None, Some(value), &[]);
        }
        // One batch per append, finished in place (no copy of the records).
        log.append(builder.finish(0, -1)?, 0, ts)?;
    }
    let bytes = log.size_bytes();
    drop(log);
    let best = start.elapsed();
    sync_dir(dir)?;
    Ok(Measure { best, bytes })
}

/// Reads and decodes the whole log in `dir`; checks the record count and value bytes.
fn read_once(dir: &Path, records: usize) -> Result<Measure> {
    let start = Instant::now();
    let reader = LogReader::open(dir)?;
    let end = reader.log_end_offset()?;
    let mut cursor = reader.cursor(0)?;
    let mut count = 0usize;
    let mut value_bytes = 0usize;
    let mut batch_bytes = 0u64;
    while let Some(batch) = cursor.next_batch(end)? {
        batch.verify_crc()?;
        batch_bytes += batch.bytes().len() as u64;
        let data = batch.records_data()?;
        for record in batch.records(&data)? {
            let r = record?;
            count += 1;
            value_bytes += r.key.map_or(0, <[u8]>::len) + r.value.map_or(0, <[u8]>::len);
            // Touch the bytes themselves, not just the lengths.
            if let Some(v) = r.value {
                black_box(v.first());
                black_box(v.last());
            }
        }
    }
    let best = start.elapsed();
    black_box(value_bytes);
    ensure!(
        count == records && value_bytes == records * VALUE_LEN,
        "read back {count} records / {value_bytes} value bytes, wrote {records} / {}",
        records * VALUE_LEN
    );
    ensure!(
        end == records as i64,
        "log end offset {end}, expected {records}"
    );
    Ok(Measure {
        best,
        bytes: batch_bytes,
    })
}

/// fsyncs every file in `dir` and the folder itself: run after a timed write phase, outside
/// its time, so the next phase (either side's) does not start behind this one's writeback.
fn sync_dir(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let path = entry?.path();
        File::open(&path)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("fsync {}", path.display()))?;
    }
    File::open(dir)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("fsync {}", dir.display()))
}

/// What filka's append left in its folder, as the writes that put it there: the files'
/// bytes, and in order, one write per batch to the `.log` and one to each index holding
/// entries for that batch (as `Segment::append_run` writes them), then any file or entry
/// not tied to a batch in one write each.
struct WritePlan {
    /// File name and its whole contents.
    files: Vec<(String, Vec<u8>)>,
    /// (file, start, end): one `write_all(&bytes[start..end])`.
    writes: Vec<(usize, usize, usize)>,
    /// The `.log` file's bytes.
    segment_bytes: u64,
}

/// Batch positions, sizes and offset ranges of a segment, with a parser of its own (untimed),
/// so the yardstick does not lean on the code it measures.
fn batch_spans(seg: &[u8]) -> Result<Vec<(usize, usize, i64, i64)>> {
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < seg.len() {
        ensure!(seg.len() - pos >= 27, "torn batch header at byte {pos}");
        let i64_at = |at: usize| seg[at..at + 8].try_into().map(i64::from_be_bytes);
        let i32_at = |at: usize| seg[at..at + 4].try_into().map(i32::from_be_bytes);
        let base = i64_at(pos)?;
        let size = 12 + usize::try_from(i32_at(pos + 8)?)?;
        let last = base + i64::from(i32_at(pos + 23)?);
        ensure!(pos + size <= seg.len(), "torn batch at byte {pos}");
        spans.push((pos, size, base, last));
        pos += size;
    }
    Ok(spans)
}

fn plan_writes(dir: &Path) -> Result<WritePlan> {
    use filka::log::index::{
        OFFSET_ENTRY_LEN, TIME_ENTRY_LEN, parse_offset_index, parse_time_index,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("a file name that is not UTF-8")?
            .to_string();
        let bytes = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        files.push((name, bytes));
    }
    files.sort();
    let find = |suffix: &str| {
        files
            .iter()
            .position(|(n, _)| *n == format!("00000000000000000000{suffix}"))
            .with_context(|| format!("the log has no {suffix} file"))
    };
    let (log, index, time) = (find(".log")?, find(".index")?, find(".timeindex")?);
    let spans = batch_spans(&files[log].1)?;
    let offsets = parse_offset_index(&files[index].1, 0);
    let times = parse_time_index(&files[time].1, 0);
    ensure!(
        offsets.trailing + offsets.padding + times.trailing + times.padding == 0,
        "the index files are padded or torn"
    );
    // Entries per batch: an offset entry points at its batch's position, a time entry at
    // an offset inside its batch.
    let (mut per_offset, mut per_time) = (vec![0usize; spans.len()], vec![0usize; spans.len()]);
    for e in &offsets.entries {
        let i = spans.partition_point(|s| (s.0 as u64) < u64::from(e.position));
        ensure!(
            spans
                .get(i)
                .is_some_and(|s| s.0 as u64 == u64::from(e.position)),
            "an index entry points at byte {}, no batch starts there",
            e.position
        );
        per_offset[i] += 1;
    }
    let mut loose_times = 0;
    for e in &times.entries {
        let i = spans.partition_point(|s| s.3 < e.offset);
        match spans.get(i) {
            Some(s) if s.2 <= e.offset && loose_times == 0 => per_time[i] += 1,
            _ => loose_times += 1,
        }
    }
    let mut writes = Vec::new();
    let (mut at_index, mut at_time) = (0, 0);
    for (i, &(pos, size, _, _)) in spans.iter().enumerate() {
        writes.push((log, pos, pos + size));
        for (file, n, len, at) in [
            (index, per_offset[i], OFFSET_ENTRY_LEN, &mut at_index),
            (time, per_time[i], TIME_ENTRY_LEN, &mut at_time),
        ] {
            if n > 0 {
                writes.push((file, *at, *at + n * len));
                *at += n * len;
            }
        }
    }
    if loose_times > 0 {
        writes.push((time, at_time, files[time].1.len()));
    }
    for (i, (_, bytes)) in files.iter().enumerate() {
        if ![log, index, time].contains(&i) && !bytes.is_empty() {
            writes.push((i, 0, bytes.len()));
        }
    }
    let segment_bytes = files[log].1.len() as u64;
    Ok(WritePlan {
        files,
        writes,
        segment_bytes,
    })
}

/// The append yardstick: creates `dir` and the files of `plan` and writes their bytes with
/// `plan`'s writes, from memory, with plain `std::fs`; no fsync in the timed part.
fn write_once(dir: &Path, plan: &WritePlan) -> Result<Measure> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("remove {}", dir.display()))?;
    }
    let start = Instant::now();
    std::fs::create_dir(dir).with_context(|| format!("create {}", dir.display()))?;
    let mut files = Vec::with_capacity(plan.files.len());
    for (name, _) in &plan.files {
        let path = dir.join(name);
        files.push(File::create(&path).with_context(|| format!("create {}", path.display()))?);
    }
    for &(f, from, to) in &plan.writes {
        files[f]
            .write_all(&plan.files[f].1[from..to])
            .context("write")?;
    }
    drop(files);
    let best = start.elapsed();
    sync_dir(dir)?;
    Ok(Measure {
        best,
        bytes: plan.segment_bytes,
    })
}

/// Checks that the yardstick's folder holds exactly the bytes of filka's.
fn check_same_files(plan: &WritePlan, dir: &Path) -> Result<()> {
    for (name, bytes) in &plan.files {
        let path = dir.join(name);
        let got = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        ensure!(
            got == *bytes,
            "the write yardstick's {name} differs from filka's"
        );
    }
    let n = std::fs::read_dir(dir)?.count();
    ensure!(n == plan.files.len(), "the write yardstick left {n} files");
    Ok(())
}

/// The read yardstick: reads the segment `path` end to end into one reused buffer of
/// filka's read size, with `pread` as filka's `BatchStream` does; looks at nothing.
fn plain_read_once(path: &Path) -> Result<Measure> {
    let start = Instant::now();
    let file = File::open(path).with_context(|| format!("open {}", path.display()))?;
    let mut buf = vec![0u8; DEFAULT_CHUNK];
    let mut pos = 0u64;
    loop {
        let n = file
            .read_at(&mut buf, pos)
            .with_context(|| format!("read {}", path.display()))?;
        if n == 0 {
            break;
        }
        pos += n as u64;
    }
    black_box(&buf);
    let best = start.elapsed();
    ensure!(
        pos == std::fs::metadata(path)?.len(),
        "read {pos} bytes of {}",
        path.display()
    );
    Ok(Measure { best, bytes: pos })
}

struct Row {
    phase: String,
    m: Measure,
    records: usize,
    /// The yardstick's time / this row's time, and the target, for rows that have one.
    ratio: Option<f64>,
    target: Option<f64>,
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<14} {:>9} {:>13} {:>9} {:>10} {:>7} {:>7}",
        "phase", "seconds", "records/s", "MB/s", "yard/filka", "target", "result"
    );
    for r in rows {
        let secs = r.m.best.as_secs_f64();
        let ratio = r.ratio.map_or("-".to_string(), |x| format!("{x:.2}"));
        let (target, verdict) = match (r.ratio, r.target) {
            (Some(x), Some(t)) => (
                format!(">={t:.2}"),
                if x >= t { "PASS" } else { "FAIL" }.to_string(),
            ),
            _ => ("-".to_string(), "-".to_string()),
        };
        println!(
            "{:<14} {:>9.4} {:>13.0} {:>9.1} {:>10} {:>7} {:>7}",
            r.phase,
            secs,
            r.records as f64 / secs,
            mb_per_s(r.m.bytes, r.m.best),
            ratio,
            target,
            verdict
        );
    }
}

/// Runs the bench; `Ok(false)` when a target was missed.
fn run() -> Result<bool> {
    let s = settings()?;
    let tmp = tempfile::Builder::new()
        .prefix("filka-bench-")
        .tempdir()
        .context("create a temporary directory")?;
    let root: PathBuf = tmp.path().to_path_buf();
    let log_dir = root.join("bench-0");

    let values = make_values(s.records);
    // The raw bytes on disk first: the input a producer would read, and a page-cache warm-up.
    let raw = root.join("values.raw");
    std::fs::write(&raw, &values).with_context(|| format!("write {}", raw.display()))?;
    let values = std::fs::read(&raw).with_context(|| format!("read {}", raw.display()))?;

    // Other processes skew a run (two cores here): show the load so a noisy run is visible.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "filka storage bench: {} records x {VALUE_LEN} B in batches of {BATCH_RECORDS}, \
         no fsync while timed, best of {}, in {} (load {})",
        s.records,
        s.runs,
        root.display(),
        load.split_whitespace().next().unwrap_or("?")
    );

    // Profiling aid: one phase only, repeated.
    match std::env::var(ENV_ONLY).as_deref() {
        Ok("append") => {
            let m = best_of(s.runs, || append_once(&log_dir, &values, Compression::None))?;
            println!("append only: best {:.4} s", m.best.as_secs_f64());
            return Ok(true);
        }
        Ok("read") => {
            append_once(&log_dir, &values, Compression::None)?;
            let m = best_of(s.runs, || read_once(&log_dir, s.records))?;
            println!("read only: best {:.4} s", m.best.as_secs_f64());
            return Ok(true);
        }
        Ok(other) => bail!("{ENV_ONLY}={other:?}: expected append or read"),
        Err(_) => {}
    }
    // The write yardstick's bytes: those of an append made for it (untimed).
    let copy_dir = root.join("yardstick-0");
    append_once(&log_dir, &values, Compression::None)?;
    let plan = plan_writes(&log_dir)?;
    write_once(&copy_dir, &plan)?;
    check_same_files(&plan, &copy_dir)?;
    let files: Vec<String> = plan
        .files
        .iter()
        .map(|(n, b)| format!("{n} {}", b.len()))
        .collect();
    println!(
        "filka's append leaves {} (bytes); the write yardstick writes the same bytes with \
         the same {} writes",
        files.join(", "),
        plan.writes.len()
    );

    // Rounds of the four phases, keeping each one's best: interleaving gives them the same
    // odds against whatever else the machine is doing.
    let segment = log_dir.join(SEGMENT);
    let (mut append, mut write, mut read, mut plain) = (None, None, None, None);
    for _ in 0..s.runs {
        let a = append_once(&log_dir, &values, Compression::None)?;
        let seg_len = std::fs::metadata(&segment)
            .with_context(|| format!("stat {}", segment.display()))?
            .len();
        ensure!(
            seg_len == a.bytes && seg_len == plan.segment_bytes,
            "the log has more than one segment ({} bytes, first is {seg_len}), or its bytes \
             changed between runs",
            a.bytes
        );
        keep_best(&mut append, a);
        keep_best(&mut write, write_once(&copy_dir, &plan)?);
        keep_best(&mut read, read_once(&log_dir, s.records)?);
        keep_best(&mut plain, plain_read_once(&segment)?);
    }
    let (append, write, read, plain) = match (append, write, read, plain) {
        (Some(a), Some(w), Some(r), Some(p)) => (a, w, r, p),
        _ => bail!("no runs"),
    };
    let seg_len = append.bytes;
    println!(
        "payload {:.1} MB, segment {:.1} MB ({} bytes); MB/s counts segment bytes",
        (s.records * VALUE_LEN) as f64 / 1e6,
        seg_len as f64 / 1e6,
        seg_len
    );
    println!();

    let ratio = |yard: &Measure, m: &Measure| yard.best.as_secs_f64() / m.best.as_secs_f64();
    let row = |phase: &str, m: Measure, ratio: Option<f64>, target: Option<f64>| Row {
        phase: phase.into(),
        m,
        records: s.records,
        ratio,
        target,
    };
    let mut rows = vec![
        row("write", write, None, None),
        row(
            "append",
            append,
            Some(ratio(&write, &append)),
            Some(APPEND_TARGET),
        ),
        row("plain read", plain, None, None),
        row("read", read, Some(ratio(&plain, &read)), Some(READ_TARGET)),
    ];
    let failed = rows
        .iter()
        .any(|r| matches!((r.ratio, r.target), (Some(x), Some(t)) if x < t));

    let mut sizes = Vec::new();
    for codec in &s.codecs {
        let dir = root.join(format!("bench-{}", codec.name()));
        let a = best_of(s.runs, || append_once(&dir, &values, *codec))?;
        let r = best_of(s.runs, || read_once(&dir, s.records))?;
        sizes.push(format!("{} {:.1} MB", codec.name(), a.bytes as f64 / 1e6));
        // MB/s in these rows counts the uncompressed segment's bytes, so rows compare.
        let same = |m: Measure| Measure {
            best: m.best,
            bytes: seg_len,
        };
        rows.push(row(
            &format!("append {}", codec.name()),
            same(a),
            None,
            None,
        ));
        rows.push(row(&format!("read {}", codec.name()), same(r), None, None));
        std::fs::remove_dir_all(&dir).with_context(|| format!("remove {}", dir.display()))?;
    }

    print_table(&rows);
    if !sizes.is_empty() {
        println!(
            "codec rows are informative (no yardstick: compare them with append and read); \
             MB/s counts uncompressed bytes; compressed segments: {}",
            sizes.join(", ")
        );
    }
    Ok(!failed)
}
