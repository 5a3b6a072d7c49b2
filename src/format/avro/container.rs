//! The Avro object container file (OCF), written as a stream: what `consume --output avro`
//! puts on stdout.
//!
//! Owns: the header (magic, metadata with the schema and the `null` codec, sync marker) and
//! the block framing. Must not: decode or re-encode datums (they arrive encoded in the
//! file's schema), or hold more than one block of data in memory.

use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};

use super::AvroSchema;
use super::encode::{write_bytes, write_long};

/// The four bytes every Avro object container file starts with.
pub const MAGIC: &[u8; 4] = b"Obj\x01";

/// Data bytes after which a block is written out (Avro's writers default to 16-64 KiB).
const BLOCK_BYTES: usize = 64 * 1024;

/// An Avro object container file written in a stream: the header on [`new`], then a block
/// each time ~64 KiB of datums have been appended, and the last block on [`finish`].
/// Dropping the writer without `finish` loses the unwritten block.
///
/// [`new`]: ContainerWriter::new
/// [`finish`]: ContainerWriter::finish
pub struct ContainerWriter<W: Write> {
    out: W,
    sync: [u8; 16],
    block: Vec<u8>,
    count: u64,
}

impl<W: Write> ContainerWriter<W> {
    /// Writes the header: magic, metadata (`avro.schema` = the schema's text as given,
    /// `avro.codec` = `null`) and a random 16-byte sync marker.
    pub fn new(mut out: W, schema: &AvroSchema) -> io::Result<Self> {
        let sync = sync_marker();
        let mut header = Vec::with_capacity(64 + schema.text().len());
        header.extend_from_slice(MAGIC);
        write_long(&mut header, 2);
        write_bytes(&mut header, b"avro.schema");
        write_bytes(&mut header, schema.text().as_bytes());
        write_bytes(&mut header, b"avro.codec");
        write_bytes(&mut header, b"null");
        write_long(&mut header, 0);
        header.extend_from_slice(&sync);
        out.write_all(&header)?;
        Ok(ContainerWriter {
            out,
            sync,
            block: Vec::with_capacity(BLOCK_BYTES + BLOCK_BYTES / 4),
            count: 0,
        })
    }

    /// Appends one datum, already encoded in the file's schema (it is not checked).
    pub fn append(&mut self, datum: &[u8]) -> io::Result<()> {
        self.block.extend_from_slice(datum);
        self.count += 1;
        if self.block.len() >= BLOCK_BYTES {
            self.write_block()?;
        }
        Ok(())
    }

    /// Writes the last block (none when it is empty: a file with no records is a header
    /// alone), flushes, and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        if self.count > 0 {
            self.write_block()?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_block(&mut self) -> io::Result<()> {
        let mut head = Vec::with_capacity(20);
        write_long(&mut head, self.count as i64);
        write_long(&mut head, self.block.len() as i64);
        self.out.write_all(&head)?;
        self.out.write_all(&self.block)?;
        self.out.write_all(&self.sync)?;
        self.block.clear();
        self.count = 0;
        Ok(())
    }
}

/// 16 random bytes. The marker only has to be unlikely to occur in the data; std's
/// randomly keyed SipHash, fed the time and pid, gives that without a `rand` dependency.
fn sync_marker() -> [u8; 16] {
    let keys = std::collections::hash_map::RandomState::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut a = keys.build_hasher();
    a.write_u128(now);
    a.write_u32(std::process::id());
    let a = a.finish();
    let mut b = keys.build_hasher();
    b.write_u64(a);
    b.write_u128(now);
    let b = b.finish();
    let mut sync = [0u8; 16];
    sync[..8].copy_from_slice(&a.to_le_bytes());
    sync[8..].copy_from_slice(&b.to_le_bytes());
    sync
}
