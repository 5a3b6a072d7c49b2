//! Writing record batches: [`BatchBuilder`] encodes records exactly as Kafka's
//! `MemoryRecordsBuilder` does (offset deltas 0..n-1, timestamp deltas from the first record,
//! CRC-32C over attributes..end), with [`BatchOptions`] for codec, timestamp type, producer
//! identity and flags. Reading is in [`super::batch`].

use super::batch::{
    ATTR_CONTROL, ATTR_LOG_APPEND_TIME, ATTR_TRANSACTIONAL, BATCH_HEADER_LEN, LOG_OVERHEAD, MAGIC,
    POS_ATTRIBUTES, POS_BASE_SEQUENCE, POS_BASE_TIMESTAMP, POS_CRC, POS_LAST_OFFSET_DELTA,
    POS_LEADER_EPOCH, POS_LENGTH, POS_MAGIC, POS_MAX_TIMESTAMP, POS_PRODUCER_EPOCH,
    POS_PRODUCER_ID, POS_RECORDS_COUNT, TimestampType,
};
use super::compression::{self, CodecError, Compression};
use super::varint;

/// A header to write: key and optional value.
pub type HeaderRef<'a> = (&'a [u8], Option<&'a [u8]>);

/// How a batch is written: codec, timestamp type, producer identity, flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    /// Codec for the records section.
    pub compression: Compression,
    /// Timestamp type.
    pub timestamp_type: TimestampType,
    /// Idempotent producer id, -1 if none.
    pub producer_id: i64,
    /// Producer epoch, -1 if none.
    pub producer_epoch: i16,
    /// Sequence of the first record, -1 if none.
    pub base_sequence: i32,
    /// Part of a transaction.
    pub transactional: bool,
    /// A control batch.
    pub control: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            compression: Compression::None,
            timestamp_type: TimestampType::CreateTime,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            transactional: false,
            control: false,
        }
    }
}

impl BatchOptions {
    fn attributes(&self) -> i16 {
        let mut a = i16::from(self.compression.id());
        if self.timestamp_type == TimestampType::LogAppendTime {
            a |= ATTR_LOG_APPEND_TIME;
        }
        if self.transactional {
            a |= ATTR_TRANSACTIONAL;
        }
        if self.control {
            a |= ATTR_CONTROL;
        }
        a
    }
}

/// Builds batches the way Kafka's `MemoryRecordsBuilder` does: offset deltas 0..n-1,
/// timestamp deltas from the first record, CRC over attributes..end.
///
/// Records are encoded straight after room for the 61-byte header. [`BatchBuilder::seal`]
/// finishes the open batch in place and opens the next one after it in the same buffer,
/// so a producer's request of several batches is built without copying records.
#[derive(Debug, Clone)]
pub struct BatchBuilder {
    opts: BatchOptions,
    /// Sealed batches, then the open batch: `BATCH_HEADER_LEN` reserved bytes and its
    /// encoded records.
    buf: Vec<u8>,
    /// Where the open batch starts (= bytes of sealed batches).
    start: usize,
    count: i32,
    base_timestamp: i64,
    max_timestamp: i64,
}

impl BatchBuilder {
    /// An empty builder.
    pub fn new(opts: BatchOptions) -> Self {
        BatchBuilder {
            opts,
            buf: vec![0; BATCH_HEADER_LEN],
            start: 0,
            count: 0,
            base_timestamp: -1,
            max_timestamp: -1,
        }
    }

    /// The options this builder writes with.
    pub fn options(&self) -> &BatchOptions {
        &self.opts
    }

    /// Number of records in the open batch.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when the open batch has no record.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Size of the open batch if finished uncompressed now.
    pub fn uncompressed_size(&self) -> usize {
        self.buf.len() - self.start
    }

    fn records(&self) -> &[u8] {
        &self.buf[self.start + BATCH_HEADER_LEN..]
    }

    /// The timestamp delta and body size of a record appended now.
    fn measure(
        &self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[HeaderRef<'_>],
    ) -> (i64, usize) {
        let base = if self.count == 0 {
            timestamp
        } else {
            self.base_timestamp
        };
        let ts_delta = timestamp.wrapping_sub(base);
        (
            ts_delta,
            record_body_size(ts_delta, self.count, key, value, headers),
        )
    }

    /// Size one more record would add (uncompressed).
    pub fn record_size(
        &self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[HeaderRef<'_>],
    ) -> usize {
        let (_, body) = self.measure(timestamp, key, value, headers);
        varint::varint_size(body as i32) + body
    }

    /// Appends a record; its offset delta is the number of records before it.
    pub fn append(
        &mut self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[HeaderRef<'_>],
    ) {
        let (ts_delta, body) = self.measure(timestamp, key, value, headers);
        self.push(timestamp, ts_delta, body, key, value, headers);
    }

    /// Appends a record unless the builder already holds records and the batch would grow
    /// past `limit` bytes (uncompressed); returns whether it was appended. Measures the
    /// record once, for producers filling batches up to `batch.size`.
    pub fn try_append(
        &mut self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[HeaderRef<'_>],
        limit: usize,
    ) -> bool {
        let (ts_delta, body) = self.measure(timestamp, key, value, headers);
        let size = varint::varint_size(body as i32) + body;
        if self.count > 0 && self.uncompressed_size() + size > limit {
            return false;
        }
        self.push(timestamp, ts_delta, body, key, value, headers);
        true
    }

    fn push(
        &mut self,
        timestamp: i64,
        ts_delta: i64,
        body: usize,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[HeaderRef<'_>],
    ) {
        if self.count == 0 {
            self.base_timestamp = timestamp;
        }
        self.max_timestamp = self.max_timestamp.max(timestamp);
        let out = &mut self.buf;
        out.reserve(body + 5);
        varint::write_varint(out, body as i32);
        out.push(0); // record attributes: unused
        varint::write_varlong(out, ts_delta);
        varint::write_varint(out, self.count);
        write_bytes(out, key);
        write_bytes(out, value);
        varint::write_varint(out, headers.len() as i32);
        for (k, v) in headers {
            write_bytes(out, Some(k));
            write_bytes(out, *v);
        }
        self.count += 1;
    }

    /// Fills the 61-byte header of `batch` (whose records follow it) and its CRC.
    fn write_header(&self, batch: &mut [u8], base_offset: i64, partition_leader_epoch: i32) {
        let length = (batch.len() - LOG_OVERHEAD) as i32;
        let h = &mut batch[..BATCH_HEADER_LEN];
        h[..8].copy_from_slice(&base_offset.to_be_bytes());
        h[POS_LENGTH..POS_LENGTH + 4].copy_from_slice(&length.to_be_bytes());
        h[POS_LEADER_EPOCH..POS_MAGIC].copy_from_slice(&partition_leader_epoch.to_be_bytes());
        h[POS_MAGIC] = MAGIC as u8;
        h[POS_ATTRIBUTES..POS_LAST_OFFSET_DELTA]
            .copy_from_slice(&self.opts.attributes().to_be_bytes());
        h[POS_LAST_OFFSET_DELTA..POS_BASE_TIMESTAMP]
            .copy_from_slice(&(self.count - 1).max(0).to_be_bytes());
        h[POS_BASE_TIMESTAMP..POS_MAX_TIMESTAMP]
            .copy_from_slice(&self.base_timestamp.to_be_bytes());
        h[POS_MAX_TIMESTAMP..POS_PRODUCER_ID].copy_from_slice(&self.max_timestamp.to_be_bytes());
        h[POS_PRODUCER_ID..POS_PRODUCER_EPOCH]
            .copy_from_slice(&self.opts.producer_id.to_be_bytes());
        h[POS_PRODUCER_EPOCH..POS_BASE_SEQUENCE]
            .copy_from_slice(&self.opts.producer_epoch.to_be_bytes());
        h[POS_BASE_SEQUENCE..POS_RECORDS_COUNT]
            .copy_from_slice(&self.opts.base_sequence.to_be_bytes());
        h[POS_RECORDS_COUNT..BATCH_HEADER_LEN].copy_from_slice(&self.count.to_be_bytes());
        let crc = crc32c::crc32c(&batch[POS_ATTRIBUTES..]);
        batch[POS_CRC..POS_CRC + 4].copy_from_slice(&crc.to_be_bytes());
    }

    /// Sets the producer identity the next sealed batch carries: producer id, epoch, base
    /// sequence and the transactional flag (an idempotent producer's sequence changes from
    /// batch to batch).
    pub fn set_producer(
        &mut self,
        producer_id: i64,
        producer_epoch: i16,
        base_sequence: i32,
        transactional: bool,
    ) {
        self.opts.producer_id = producer_id;
        self.opts.producer_epoch = producer_epoch;
        self.opts.base_sequence = base_sequence;
        self.opts.transactional = transactional;
    }

    /// Finishes the open batch in place (header, compression, CRC) and opens the next one
    /// after it. Does nothing when the open batch is empty. When the codec fails the open
    /// batch stays as it was (its records unsent) and the error comes back.
    pub fn seal(
        &mut self,
        base_offset: i64,
        partition_leader_epoch: i32,
    ) -> Result<(), CodecError> {
        if self.count == 0 {
            return Ok(());
        }
        let start = self.start;
        if self.opts.compression != Compression::None {
            let packed = compression::compress(self.opts.compression, self.records())?;
            self.buf.truncate(start + BATCH_HEADER_LEN);
            self.buf.extend_from_slice(&packed);
        }
        let mut buf = std::mem::take(&mut self.buf);
        self.write_header(&mut buf[start..], base_offset, partition_leader_epoch);
        self.buf = buf;
        self.start = self.buf.len();
        self.buf.resize(self.start + BATCH_HEADER_LEN, 0);
        self.count = 0;
        self.base_timestamp = -1;
        self.max_timestamp = -1;
        Ok(())
    }

    /// The sealed batches, back to back (mutable: appending stamps offsets into them).
    pub fn sealed(&mut self) -> &mut [u8] {
        &mut self.buf[..self.start]
    }

    /// Drops the sealed batches, keeping the open one.
    pub fn clear_sealed(&mut self) {
        self.buf.drain(..self.start);
        self.start = 0;
    }

    /// Seals the open batch and returns every sealed batch (for a single batch: it).
    pub fn finish(
        &mut self,
        base_offset: i64,
        partition_leader_epoch: i32,
    ) -> Result<&mut [u8], CodecError> {
        self.seal(base_offset, partition_leader_epoch)?;
        Ok(self.sealed())
    }

    /// Writes the open batch, finished, to the end of `out` (the builder is unchanged).
    /// When the codec fails, `out` is left as it was.
    pub fn build_into(
        &self,
        out: &mut Vec<u8>,
        base_offset: i64,
        partition_leader_epoch: i32,
    ) -> Result<(), CodecError> {
        let packed = match self.opts.compression {
            Compression::None => None,
            codec => Some(compression::compress(codec, self.records())?),
        };
        let start = out.len();
        out.resize(start + BATCH_HEADER_LEN, 0);
        out.extend_from_slice(packed.as_deref().unwrap_or(self.records()));
        self.write_header(&mut out[start..], base_offset, partition_leader_epoch);
        Ok(())
    }

    /// The open batch, finished, as a new buffer.
    pub fn build(
        &self,
        base_offset: i64,
        partition_leader_epoch: i32,
    ) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::with_capacity(self.uncompressed_size());
        self.build_into(&mut out, base_offset, partition_leader_epoch)?;
        Ok(out)
    }

    /// Empties the builder (sealed and open batches) for reuse, keeping its buffer.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.buf.resize(BATCH_HEADER_LEN, 0);
        self.start = 0;
        self.count = 0;
        self.base_timestamp = -1;
        self.max_timestamp = -1;
    }
}

/// Appends a record's key or value: its varint length (-1 for null), then its bytes.
pub(crate) fn write_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => varint::write_varint(out, -1),
        Some(b) => {
            varint::write_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// The bytes [`write_bytes`] appends for `b`.
pub(crate) fn bytes_size(b: Option<&[u8]>) -> usize {
    match b {
        None => 1,
        Some(b) => varint::varint_size(b.len() as i32) + b.len(),
    }
}

fn record_body_size(
    ts_delta: i64,
    offset_delta: i32,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[HeaderRef<'_>],
) -> usize {
    1 + varint::varlong_size(ts_delta)
        + varint::varint_size(offset_delta)
        + bytes_size(key)
        + bytes_size(value)
        + varint::varint_size(headers.len() as i32)
        + headers
            .iter()
            .map(|(k, v)| bytes_size(Some(k)) + bytes_size(*v))
            .sum::<usize>()
}
