//! A test-only way to run the log cleaner on a partition folder, for
//! `benches/compaction_bench.py` until `filka clean` drives [`filka::log::cleaner`] itself
//! (not a user command: no cluster, no lock, no help text).
//!
//! ```text
//! cargo run --release --example compact -- generate DIR --records N --keys K [--value-bytes B] [--segment-bytes S]
//! cargo run --release --example compact -- clean DIR [--dedupe-buffer-bytes B] [--segment-bytes S]
//! ```
//!
//! `generate` writes N records (keys `key-<i mod K>` in order, values of B bytes) in batches
//! of 100 into a new log at DIR (a folder named `topic-partition`), rolls its last segment
//! so all of it is cleanable, and closes it. `clean` opens the log and cleans it from its
//! start, then prints one line of figures: rounds, records read and kept, bytes read and
//! written, the offset map's use.

use std::path::PathBuf;

use filka::log::cleaner::{self, CleanConfig};
use filka::log::{LogConfig, OpenHints, PartitionLog};
use filka::record::{BatchBuilder, BatchOptions};

const TS: i64 = 1_700_000_000_000;

fn main() {
    if let Err(e) = run() {
        eprintln!("compact: {e}");
        std::process::exit(2);
    }
}

fn num(v: Option<String>, what: &str) -> Result<u64, String> {
    v.ok_or(format!("{what} needs a value"))?
        .replace('_', "")
        .parse()
        .map_err(|e| format!("{what}: {e}"))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().ok_or("usage: compact generate|clean DIR ...")?;
    let dir = PathBuf::from(args.next().ok_or("a partition folder is needed")?);
    let (mut records, mut keys, mut value_bytes) = (1_000_000u64, 10_000u64, 100u64);
    let mut segment_bytes = 64u64 << 20;
    let mut clean_cfg = CleanConfig::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--records" => records = num(args.next(), &a)?,
            "--keys" => keys = num(args.next(), &a)?.max(1),
            "--value-bytes" => value_bytes = num(args.next(), &a)?,
            "--segment-bytes" => segment_bytes = num(args.next(), &a)?,
            "--dedupe-buffer-bytes" => {
                clean_cfg.dedupe_buffer_bytes = num(args.next(), &a)? as usize
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let cfg = LogConfig {
        segment_bytes,
        ..LogConfig::default()
    };
    let hints = OpenHints {
        trusted_tail: true,
        ..OpenHints::default()
    };
    let (mut log, _) = PartitionLog::open(&dir, cfg, hints).map_err(|e| e.to_string())?;
    match cmd.as_str() {
        "generate" => {
            let value = vec![b'v'; value_bytes as usize];
            let mut b = BatchBuilder::new(BatchOptions::default());
            let mut i = 0u64;
            while i < records {
                let n = 100.min(records - i);
                for j in 0..n {
                    let key = format!("key-{:08}", (i + j) % keys);
                    b.append(TS, Some(key.as_bytes()), Some(&value), &[]);
                }
                let mut batch = b.build(0, 0).map_err(|e| e.to_string())?;
                b.clear();
                log.append_built(&mut batch, 0, TS)
                    .map_err(|e| e.to_string())?;
                i += n;
            }
            let leo = log.log_end_offset();
            log.roll(leo).map_err(|e| e.to_string())?;
            log.flush().map_err(|e| e.to_string())?;
            log.close().map_err(|e| e.to_string())?;
        }
        "clean" => {
            let leo = log.log_end_offset();
            let r = cleaner::clean_from(&mut log, &clean_cfg, None, leo, TS)
                .map_err(|e| e.to_string())?;
            println!(
                "rounds {} records_read {} records_kept {} bytes_read {} bytes_written {} map_use {:.3} end_offset {}",
                r.rounds,
                r.records_read,
                r.records_kept,
                r.bytes_read,
                r.bytes_written,
                r.map_utilization,
                r.end_offset
            );
        }
        other => return Err(format!("unknown command {other}")),
    }
    Ok(())
}
