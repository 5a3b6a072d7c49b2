//! The storage benchmark: append 1,000,000 records of 100 bytes, in batches of 1,000, to a
//! partition log without fsync, then read and decode them all back, and compare both with
//! the real `cat` copying the same bytes into a file in the same run (same machine, warm page
//! cache). Targets, as the ratio of cat's time to filka's: append >= 0.40, read >= 0.60.
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
//! What is timed:
//! - cat: `cat 00000000000000000000.log > copy`, the real binary, spawn to exit; it moves
//!   exactly the bytes of the uncompressed segment filka wrote. Spawning costs cat a few
//!   milliseconds, which flatters filka's ratios in small (`--quick`) runs: the targets are
//!   meant for the full size.
//! - append: opening the log, building every batch (`BatchBuilder`, no compression) and
//!   `PartitionLog::append` for each, closing the log. No fsync (Kafka's default).
//! - read: `LogReader::open`, `log_end_offset`, `cursor(0)`, `next_batch` to the end,
//!   `verify_crc`, `records_data`, and decoding every record, touching its key and value.

use std::fs::File;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
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
/// Targets: cat's time divided by filka's.
const APPEND_TARGET: f64 = 0.40;
const READ_TARGET: f64 = 0.60;
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

/// `cat src > dst` with the real cat; `dst` is removed first (untimed), as filka's log
/// directory is.
fn cat_once(src: &Path, dst: &Path) -> Result<Measure> {
    if dst.exists() {
        std::fs::remove_file(dst).with_context(|| format!("remove {}", dst.display()))?;
    }
    let out = File::create(dst).with_context(|| format!("create {}", dst.display()))?;
    let start = Instant::now();
    let status = Command::new("cat")
        .arg(src)
        .stdin(Stdio::null())
        .stdout(out)
        .status()
        .context("run cat")?;
    let best = start.elapsed();
    ensure!(status.success(), "cat exited with {status}");
    let bytes = std::fs::metadata(dst)
        .with_context(|| format!("stat {}", dst.display()))?
        .len();
    ensure!(
        bytes == std::fs::metadata(src)?.len(),
        "cat copied a short file"
    );
    Ok(Measure { best, bytes })
}

struct Row {
    phase: String,
    m: Measure,
    records: usize,
    /// cat's time / this row's time, and the target, for rows that have one.
    ratio: Option<f64>,
    target: Option<f64>,
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<14} {:>9} {:>13} {:>9} {:>10} {:>7} {:>7}",
        "phase", "seconds", "records/s", "MB/s", "cat/filka", "target", "result"
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
    let copy = root.join("copy.log");

    let values = make_values(s.records);
    // The raw bytes on disk first: the input a producer would read, and a page-cache warm-up.
    let raw = root.join("values.raw");
    std::fs::write(&raw, &values).with_context(|| format!("write {}", raw.display()))?;
    let values = std::fs::read(&raw).with_context(|| format!("read {}", raw.display()))?;

    // Other processes skew a run (two cores here): show the load so a noisy run is visible.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "filka storage bench: {} records x {VALUE_LEN} B in batches of {BATCH_RECORDS}, \
         no fsync, best of {}, in {} (load {})",
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
    // Rounds of append, read, cat, keeping each phase's best: interleaving gives the three
    // the same odds against whatever else the machine is doing.
    let segment = log_dir.join(SEGMENT);
    let (mut append, mut read, mut cat) = (None, None, None);
    for _ in 0..s.runs {
        let a = append_once(&log_dir, &values, Compression::None)?;
        let seg_len = std::fs::metadata(&segment)
            .with_context(|| format!("stat {}", segment.display()))?
            .len();
        ensure!(
            seg_len == a.bytes,
            "the log has more than one segment ({} bytes, first is {seg_len})",
            a.bytes
        );
        let r = read_once(&log_dir, s.records)?;
        let c = cat_once(&segment, &copy)?;
        keep_best(&mut append, a);
        keep_best(&mut read, r);
        keep_best(&mut cat, c);
    }
    let (append, read, cat) = match (append, read, cat) {
        (Some(a), Some(r), Some(c)) => (a, r, c),
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

    let ratio = |m: &Measure| cat.best.as_secs_f64() / m.best.as_secs_f64();
    let mut rows = vec![
        Row {
            phase: "cat".into(),
            m: cat,
            records: s.records,
            ratio: None,
            target: None,
        },
        Row {
            phase: "append".into(),
            m: append,
            records: s.records,
            ratio: Some(ratio(&append)),
            target: Some(APPEND_TARGET),
        },
        Row {
            phase: "read".into(),
            m: read,
            records: s.records,
            ratio: Some(ratio(&read)),
            target: Some(READ_TARGET),
        },
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
        rows.push(Row {
            phase: format!("append {}", codec.name()),
            m: same(a),
            records: s.records,
            ratio: Some(ratio(&a)),
            target: None,
        });
        rows.push(Row {
            phase: format!("read {}", codec.name()),
            m: same(r),
            records: s.records,
            ratio: Some(ratio(&r)),
            target: None,
        });
        std::fs::remove_dir_all(&dir).with_context(|| format!("remove {}", dir.display()))?;
    }

    print_table(&rows);
    if !sizes.is_empty() {
        println!(
            "codec rows are informative (no target); MB/s counts uncompressed bytes; \
             compressed segments: {}",
            sizes.join(", ")
        );
    }
    Ok(!failed)
}
