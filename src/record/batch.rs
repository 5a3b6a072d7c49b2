//! RecordBatch magic v2 and Record v2, byte for byte as Kafka lays them out
//! (kafka-format.md §2-3): a zero-copy reader that validates everything it touches and a
//! builder that writes exactly what Kafka's `MemoryRecordsBuilder` writes.
//!
//! Nothing here does I/O. Every length read from the bytes is checked against the bytes
//! that remain before it is used, so no input can make this code panic or allocate beyond
//! the caps below.

use super::compression::{self, Compression};
// The writing side lives in `builder`; re-exported here so `record::batch::*` names both.
pub use super::builder::{BatchBuilder, BatchOptions, HeaderRef};
use super::varint::{self, VarintError};

/// The only magic value filka writes and reads.
pub const MAGIC: i8 = 2;
/// Bytes before `length` ends: baseOffset (8) + length (4).
pub const LOG_OVERHEAD: usize = 12;
/// Size of the fixed v2 batch header; also the smallest possible batch (no records).
pub const BATCH_HEADER_LEN: usize = 61;
/// Bytes needed to learn a batch's size and magic: up to and including the magic byte.
pub const BATCH_PREFIX_LEN: usize = 17;
/// Kafka's default `max.message.bytes` (1 MiB + 12): the largest batch a producer may send.
pub const DEFAULT_MAX_BATCH_BYTES: usize = 1_048_588;
/// The largest batch filka will read at all. Larger length fields are corrupt.
pub const MAX_BATCH_BYTES: usize = 16 << 20;
/// The most a compressed records section may decompress to.
pub const MAX_DECOMPRESSED_BYTES: usize = 32 << 20;
/// The smallest possible record: length, attributes, deltas, key/value lengths, headers.
const MIN_RECORD_LEN: usize = 7;

// Field positions inside a batch (kafka-format.md §2).
pub(crate) const POS_LENGTH: usize = 8;
pub(crate) const POS_LEADER_EPOCH: usize = 12;
pub(crate) const POS_MAGIC: usize = 16;
pub(crate) const POS_CRC: usize = 17;
pub(crate) const POS_ATTRIBUTES: usize = 21;
pub(crate) const POS_LAST_OFFSET_DELTA: usize = 23;
pub(crate) const POS_BASE_TIMESTAMP: usize = 27;
pub(crate) const POS_MAX_TIMESTAMP: usize = 35;
pub(crate) const POS_PRODUCER_ID: usize = 43;
pub(crate) const POS_PRODUCER_EPOCH: usize = 51;
pub(crate) const POS_BASE_SEQUENCE: usize = 53;
pub(crate) const POS_RECORDS_COUNT: usize = 57;

const ATTR_COMPRESSION_MASK: i16 = 0x07;
pub(crate) const ATTR_LOG_APPEND_TIME: i16 = 0x08;
pub(crate) const ATTR_TRANSACTIONAL: i16 = 0x10;
pub(crate) const ATTR_CONTROL: i16 = 0x20;
const ATTR_DELETE_HORIZON: i16 = 0x40;

/// How a batch's timestamps were set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampType {
    /// Set by the producer (or taken from the input).
    #[default]
    CreateTime,
    /// Set by the broker when it appended the batch.
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's label, as kafka-dump-log prints it.
    pub fn name(self) -> &'static str {
        match self {
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A batch's attributes field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attributes(pub i16);

impl Attributes {
    /// The codec, or `None` for the invalid ids 5-7.
    pub fn compression(self) -> Option<Compression> {
        Compression::from_id((self.0 & ATTR_COMPRESSION_MASK) as u8)
    }
    /// CreateTime or LogAppendTime (bit 3).
    pub fn timestamp_type(self) -> TimestampType {
        if self.0 & ATTR_LOG_APPEND_TIME != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }
    /// Part of a transaction (bit 4).
    pub fn is_transactional(self) -> bool {
        self.0 & ATTR_TRANSACTIONAL != 0
    }
    /// A control batch, e.g. a transaction marker (bit 5).
    pub fn is_control(self) -> bool {
        self.0 & ATTR_CONTROL != 0
    }
    /// `baseTimestamp` holds the log cleaner's delete horizon (bit 6).
    pub fn has_delete_horizon(self) -> bool {
        self.0 & ATTR_DELETE_HORIZON != 0
    }
}

/// What is wrong with a batch. Carried by [`CorruptBatch`], which says where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Corruption {
    /// Fewer bytes than the v2 header, or than the length field promises.
    #[error("batch is {have} bytes, needs at least {need}")]
    TooShort {
        /// Bytes present.
        have: usize,
        /// Bytes needed.
        need: usize,
    },
    /// The length field is negative, below the header size or above the cap.
    #[error("length field {length} is outside {min}..={max}")]
    BadLength {
        /// The field's value.
        length: i64,
        /// Smallest valid value.
        min: usize,
        /// Largest valid value.
        max: usize,
    },
    /// Magic other than 2.
    #[error("magic {0} is not supported (only record batch v2)")]
    BadMagic(i8),
    /// The stored CRC-32C does not match the bytes.
    #[error("CRC mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    BadCrc {
        /// The CRC in the header.
        stored: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// Compression id 5-7.
    #[error("unknown compression codec id {0}")]
    BadCodec(u8),
    /// The compressed records section did not decode.
    #[error("{0}")]
    Codec(String),
    /// The record count is negative or could not fit the bytes.
    #[error("record count {count} does not fit {bytes} bytes of records")]
    BadCount {
        /// The count field.
        count: i32,
        /// Size of the records section.
        bytes: usize,
    },
    /// lastOffsetDelta is negative or inconsistent with the records.
    #[error("last offset delta {0} is invalid")]
    BadLastOffsetDelta(i32),
    /// More records than the offsets the batch spans: each record has an offset of its
    /// own between the base and the last offset (fewer is fine: compaction removes some).
    #[error(
        "record count {count} is more than the {} offsets the batch spans (last offset \
         delta {last_offset_delta})",
        i64::from(*last_offset_delta) + 1
    )]
    CountPastOffsets {
        /// The count field.
        count: i32,
        /// The lastOffsetDelta field.
        last_offset_delta: i32,
    },
    /// A record inside the batch is malformed.
    #[error("record {index} at byte {at} of the records section: {reason}")]
    BadRecord {
        /// Record index in the batch.
        index: i32,
        /// Byte position in the (decompressed) records section.
        at: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// Bytes remain after the declared number of records.
    #[error("{0} bytes remain after the last declared record")]
    TrailingBytes(usize),
}

/// A corrupt batch: where it starts, its base offset (as read, possibly garbage) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt record batch at byte {position} (base offset {base_offset}): {kind}")]
pub struct CorruptBatch {
    /// Byte position of the batch start, in whatever the caller read it from.
    pub position: u64,
    /// The base offset field, as read.
    pub base_offset: i64,
    /// What is wrong.
    pub kind: Corruption,
}

#[inline]
fn be_i16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}
#[inline]
fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
#[inline]
fn be_i64(b: &[u8], at: usize) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    i64::from_be_bytes(a)
}

/// The first 17 bytes of a batch: enough to know how long it is and which magic it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPrefix {
    /// Offset of the first record.
    pub base_offset: i64,
    /// The length field (batch size - 12).
    pub length: i32,
    /// The partition leader epoch field.
    pub partition_leader_epoch: i32,
    /// The magic byte.
    pub magic: i8,
}

impl BatchPrefix {
    /// Reads the prefix; `None` when fewer than 17 bytes are given.
    pub fn read(buf: &[u8]) -> Option<BatchPrefix> {
        if buf.len() < BATCH_PREFIX_LEN {
            return None;
        }
        Some(BatchPrefix {
            base_offset: be_i64(buf, 0),
            length: be_i32(buf, POS_LENGTH),
            partition_leader_epoch: be_i32(buf, POS_LEADER_EPOCH),
            magic: buf[POS_MAGIC] as i8,
        })
    }

    /// The whole batch size in bytes when the length field is within `[61, cap]`.
    pub fn batch_size(&self, cap: usize) -> Result<usize, Corruption> {
        let size = i64::from(self.length) + LOG_OVERHEAD as i64;
        // `cap as i64` would turn usize::MAX into -1; `cap - 12` would underflow below 12.
        if size < BATCH_HEADER_LEN as i64 || size > i64::try_from(cap).unwrap_or(i64::MAX) {
            return Err(Corruption::BadLength {
                length: i64::from(self.length),
                min: BATCH_HEADER_LEN - LOG_OVERHEAD,
                max: cap.saturating_sub(LOG_OVERHEAD),
            });
        }
        Ok(size as usize)
    }
}

/// Every field of a v2 batch header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Bytes after the length field.
    pub length: i32,
    /// Leader epoch stamped by the broker (outside the CRC).
    pub partition_leader_epoch: i32,
    /// Always 2 here.
    pub magic: i8,
    /// CRC-32C of attributes..end, as stored.
    pub crc: u32,
    /// Codec, timestamp type, transactional, control.
    pub attributes: Attributes,
    /// Offset delta of the last record.
    pub last_offset_delta: i32,
    /// Timestamp of the first record (or the delete horizon).
    pub base_timestamp: i64,
    /// Largest record timestamp, or the append time for LogAppendTime.
    pub max_timestamp: i64,
    /// Idempotent producer id, -1 if none.
    pub producer_id: i64,
    /// Producer epoch, -1 if none.
    pub producer_epoch: i16,
    /// Sequence of the first record, -1 if none.
    pub base_sequence: i32,
    /// Number of records.
    pub records_count: i32,
}

impl BatchHeader {
    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset
            .saturating_add(i64::from(self.last_offset_delta))
    }
    /// Offset after the last record.
    pub fn next_offset(&self) -> i64 {
        self.last_offset().saturating_add(1)
    }
    /// Whole batch size in bytes.
    pub fn size(&self) -> usize {
        self.length as usize + LOG_OVERHEAD
    }
    /// Sequence of the last record (wrapping at i32::MAX as Kafka does), -1 if none.
    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence < 0 {
            return -1;
        }
        let last = i64::from(self.base_sequence) + i64::from(self.last_offset_delta);
        if last > i64::from(i32::MAX) {
            (last - i64::from(i32::MAX) - 1) as i32
        } else {
            last as i32
        }
    }
}

/// Parses the 61-byte header at the start of `buf` without needing the records after it:
/// what a scan that only wants headers (producer-state replay) reads. Checks everything
/// [`BatchRef::parse`] checks except that the whole batch is present.
pub fn parse_header(buf: &[u8], position: u64, cap: usize) -> Result<BatchHeader, CorruptBatch> {
    let fail = |base_offset, kind| CorruptBatch {
        position,
        base_offset,
        kind,
    };
    let Some(prefix) = BatchPrefix::read(buf) else {
        return Err(fail(
            -1,
            Corruption::TooShort {
                have: buf.len(),
                need: BATCH_PREFIX_LEN,
            },
        ));
    };
    let base = prefix.base_offset;
    if prefix.magic != MAGIC {
        return Err(fail(base, Corruption::BadMagic(prefix.magic)));
    }
    let size = prefix.batch_size(cap).map_err(|k| fail(base, k))?;
    if buf.len() < BATCH_HEADER_LEN {
        // The whole batch is what is missing; say so as `BatchRef::parse` always did.
        return Err(fail(
            base,
            Corruption::TooShort {
                have: buf.len(),
                need: size,
            },
        ));
    }
    let bytes = &buf[..BATCH_HEADER_LEN];
    let header = BatchHeader {
        base_offset: base,
        length: prefix.length,
        partition_leader_epoch: prefix.partition_leader_epoch,
        magic: prefix.magic,
        crc: be_i32(bytes, POS_CRC) as u32,
        attributes: Attributes(be_i16(bytes, POS_ATTRIBUTES)),
        last_offset_delta: be_i32(bytes, POS_LAST_OFFSET_DELTA),
        base_timestamp: be_i64(bytes, POS_BASE_TIMESTAMP),
        max_timestamp: be_i64(bytes, POS_MAX_TIMESTAMP),
        producer_id: be_i64(bytes, POS_PRODUCER_ID),
        producer_epoch: be_i16(bytes, POS_PRODUCER_EPOCH),
        base_sequence: be_i32(bytes, POS_BASE_SEQUENCE),
        records_count: be_i32(bytes, POS_RECORDS_COUNT),
    };
    if header.attributes.compression().is_none() {
        return Err(fail(
            base,
            Corruption::BadCodec((header.attributes.0 & ATTR_COMPRESSION_MASK) as u8),
        ));
    }
    if header.records_count < 0 {
        return Err(fail(
            base,
            Corruption::BadCount {
                count: header.records_count,
                bytes: size - BATCH_HEADER_LEN,
            },
        ));
    }
    if header.last_offset_delta < 0 {
        return Err(fail(
            base,
            Corruption::BadLastOffsetDelta(header.last_offset_delta),
        ));
    }
    if i64::from(header.records_count) > i64::from(header.last_offset_delta) + 1 {
        return Err(fail(
            base,
            Corruption::CountPastOffsets {
                count: header.records_count,
                last_offset_delta: header.last_offset_delta,
            },
        ));
    }
    Ok(header)
}

/// One complete batch, borrowed from the bytes it was read from, with its header parsed
/// and its framing checked. The CRC is checked by [`BatchRef::verify_crc`], the records by
/// iterating them.
#[derive(Debug, Clone, Copy)]
pub struct BatchRef<'a> {
    header: BatchHeader,
    bytes: &'a [u8],
    position: u64,
}

impl<'a> BatchRef<'a> {
    /// Parses the batch at the start of `buf`, which may hold more bytes after it.
    /// `position` is where `buf` starts in its file (for error messages only).
    /// Checks: the length field within `[61, cap]`, all of it present, magic 2, a known codec,
    /// a record count that is not negative and no more than the offsets the batch spans, a
    /// last offset delta that is not negative.
    pub fn parse(buf: &'a [u8], position: u64, cap: usize) -> Result<BatchRef<'a>, CorruptBatch> {
        let header = parse_header(buf, position, cap)?;
        let size = header.size();
        if buf.len() < size {
            return Err(CorruptBatch {
                position,
                base_offset: header.base_offset,
                kind: Corruption::TooShort {
                    have: buf.len(),
                    need: size,
                },
            });
        }
        Ok(BatchRef {
            header,
            bytes: &buf[..size],
            position,
        })
    }

    /// The parsed header.
    pub fn header(&self) -> &BatchHeader {
        &self.header
    }
    /// The batch's bytes, exactly `header().size()` of them.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Where the batch starts in its file.
    pub fn position(&self) -> u64 {
        self.position
    }
    /// The codec (known valid after `parse`).
    pub fn compression(&self) -> Compression {
        self.header.attributes.compression().unwrap_or_default()
    }

    /// CRC-32C over attributes..end, as Kafka computes it.
    pub fn computed_crc(&self) -> u32 {
        crc32c::crc32c(&self.bytes[POS_ATTRIBUTES..])
    }

    /// Checks the stored CRC against the bytes.
    pub fn verify_crc(&self) -> Result<(), CorruptBatch> {
        let computed = self.computed_crc();
        if computed != self.header.crc {
            return Err(self.corrupt(Corruption::BadCrc {
                stored: self.header.crc,
                computed,
            }));
        }
        Ok(())
    }

    fn corrupt(&self, kind: Corruption) -> CorruptBatch {
        CorruptBatch {
            position: self.position,
            base_offset: self.header.base_offset,
            kind,
        }
    }

    /// The records section, decompressed when the batch is compressed.
    pub fn records_data(&self) -> Result<std::borrow::Cow<'a, [u8]>, CorruptBatch> {
        let raw = &self.bytes[BATCH_HEADER_LEN..];
        match self.compression() {
            Compression::None => Ok(std::borrow::Cow::Borrowed(raw)),
            codec => compression::decompress(codec, raw, MAX_DECOMPRESSED_BYTES)
                .map(std::borrow::Cow::Owned)
                .map_err(|e| self.corrupt(Corruption::Codec(e.to_string()))),
        }
    }

    /// Iterates the records in `data`, which must be this batch's [`records_data`].
    ///
    /// [`records_data`]: BatchRef::records_data
    pub fn records<'d>(&self, data: &'d [u8]) -> Result<RecordIter<'d>, CorruptBatch> {
        let count = self.header.records_count;
        if (count as usize).saturating_mul(MIN_RECORD_LEN) > data.len() {
            return Err(self.corrupt(Corruption::BadCount {
                count,
                bytes: data.len(),
            }));
        }
        Ok(RecordIter {
            data,
            pos: 0,
            index: 0,
            count,
            header: self.header,
            batch_position: self.position,
            failed: false,
            previous_delta: -1,
        })
    }

    /// Decodes and validates every record (CRC included), returning owned copies.
    /// Convenient for tests and small batches; hot paths iterate [`BatchRef::records`].
    pub fn to_records(&self) -> Result<Vec<Record>, CorruptBatch> {
        self.verify_crc()?;
        let data = self.records_data()?;
        self.records(&data)?
            .map(|r| r.map(|r| r.to_owned()))
            .collect()
    }
}

/// Splits a buffer of back-to-back batches. Stops at the first error, which it yields.
pub struct BatchIter<'a> {
    buf: &'a [u8],
    pos: usize,
    start: u64,
    cap: usize,
    done: bool,
}

impl<'a> BatchIter<'a> {
    /// Iterates the batches in `buf`; `start` is the file position of `buf[0]`.
    pub fn new(buf: &'a [u8], start: u64, cap: usize) -> Self {
        BatchIter {
            buf,
            pos: 0,
            start,
            cap,
            done: false,
        }
    }
    /// Bytes consumed by the batches yielded so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for BatchIter<'a> {
    type Item = Result<BatchRef<'a>, CorruptBatch>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.buf.len() {
            return None;
        }
        match BatchRef::parse(
            &self.buf[self.pos..],
            self.start + self.pos as u64,
            self.cap,
        ) {
            Ok(b) => {
                self.pos += b.bytes().len();
                Some(Ok(b))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// One record, borrowed from its batch's records section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    /// Absolute offset.
    pub offset: i64,
    /// Timestamp (the batch's max timestamp under LogAppendTime).
    pub timestamp: i64,
    /// Record attributes byte (unused by Kafka, always 0).
    pub attributes: i8,
    /// Key, `None` when null.
    pub key: Option<&'a [u8]>,
    /// Value, `None` when null (a tombstone).
    pub value: Option<&'a [u8]>,
    /// Sequence number (base sequence + offset delta), -1 when not idempotent.
    pub sequence: i32,
    headers: &'a [u8],
    header_count: u32,
}

impl<'a> RecordRef<'a> {
    /// Number of headers.
    pub fn header_count(&self) -> usize {
        self.header_count as usize
    }
    /// The headers in order: (key, value) with `None` for a null value. Already validated.
    pub fn headers(&self) -> HeaderIter<'a> {
        HeaderIter {
            buf: self.headers,
            left: self.header_count,
        }
    }
    /// An owned copy.
    pub fn to_owned(&self) -> Record {
        Record {
            offset: self.offset,
            timestamp: self.timestamp,
            key: self.key.map(<[u8]>::to_vec),
            value: self.value.map(<[u8]>::to_vec),
            headers: self
                .headers()
                .map(|(k, v)| Header {
                    key: k.to_vec(),
                    value: v.map(<[u8]>::to_vec),
                })
                .collect(),
        }
    }
}

/// Iterates a record's headers; yields nothing more if the bytes turn out short (they were
/// validated when the record was decoded, so that does not happen).
#[derive(Debug, Clone)]
pub struct HeaderIter<'a> {
    buf: &'a [u8],
    left: u32,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = (&'a [u8], Option<&'a [u8]>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut cur = Cursor {
            buf: self.buf,
            pos: 0,
        };
        let key = cur.bytes().ok()??;
        let value = cur.bytes().ok()?;
        self.buf = &self.buf[cur.pos..];
        Some((key, value))
    }
}

/// An owned header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Header key (UTF-8 in Kafka, kept as bytes).
    pub key: Vec<u8>,
    /// Header value, `None` when null.
    pub value: Option<Vec<u8>>,
}

/// An owned record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Absolute offset.
    pub offset: i64,
    /// Timestamp in ms.
    pub timestamp: i64,
    /// Key, `None` when null.
    pub key: Option<Vec<u8>>,
    /// Value, `None` when null.
    pub value: Option<Vec<u8>>,
    /// Headers in order.
    pub headers: Vec<Header>,
}

/// A bounds-checked reader over a record body.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

// The cursor's methods run several times per record on every read: `#[inline]` lets them
// fold into `RecordIter::next`, where they were separate calls and a tenth of a read's time.
impl<'a> Cursor<'a> {
    #[inline(always)]
    fn varint(&mut self) -> Result<i32, VarintError> {
        let (v, n) = varint::read_varint(&self.buf[self.pos..])?;
        self.pos += n;
        Ok(v)
    }
    #[inline(always)]
    fn varlong(&mut self) -> Result<i64, VarintError> {
        let (v, n) = varint::read_varlong(&self.buf[self.pos..])?;
        self.pos += n;
        Ok(v)
    }
    /// A varint length then that many bytes; -1 is null. Other negatives and lengths past
    /// the end are errors (reported as `Truncated`).
    #[inline(always)]
    fn bytes(&mut self) -> Result<Option<&'a [u8]>, VarintError> {
        let len = self.varint()?;
        if len == -1 {
            return Ok(None);
        }
        if len < 0 || len as usize > self.buf.len() - self.pos {
            return Err(VarintError::Truncated);
        }
        let out = &self.buf[self.pos..self.pos + len as usize];
        self.pos += len as usize;
        Ok(Some(out))
    }
}

/// Iterates and validates the records of one batch. After the first error it yields nothing.
pub struct RecordIter<'a> {
    data: &'a [u8],
    pos: usize,
    index: i32,
    count: i32,
    header: BatchHeader,
    batch_position: u64,
    failed: bool,
    /// The offset delta of the record before (-1 before the first): deltas increase.
    previous_delta: i32,
}

impl<'a> RecordIter<'a> {
    fn fail(&mut self, at: usize, reason: &'static str) -> CorruptBatch {
        self.failed = true;
        CorruptBatch {
            position: self.batch_position,
            base_offset: self.header.base_offset,
            kind: Corruption::BadRecord {
                index: self.index,
                at,
                reason,
            },
        }
    }

    #[inline]
    fn decode_one(&mut self) -> Result<RecordRef<'a>, CorruptBatch> {
        let start = self.pos;
        let rest = &self.data[start..];
        let (len, n) =
            varint::read_varint(rest).map_err(|_| self.fail(start, "bad length varint"))?;
        if len < 0 || len as usize > rest.len() - n {
            return Err(self.fail(start, "length runs past the end of the batch"));
        }
        let body = &rest[n..n + len as usize];
        let mut c = Cursor { buf: body, pos: 0 };
        let bad = "field runs past the record's length";
        let Some(&attributes) = body.first() else {
            return Err(self.fail(start, bad));
        };
        c.pos = 1;
        let ts_delta = c.varlong().map_err(|_| self.fail(start, bad))?;
        let offset_delta = c.varint().map_err(|_| self.fail(start, bad))?;
        let key = c.bytes().map_err(|_| self.fail(start, "bad key length"))?;
        let value = c
            .bytes()
            .map_err(|_| self.fail(start, "bad value length"))?;
        let header_count = c.varint().map_err(|_| self.fail(start, bad))?;
        // Each header takes at least 2 bytes (two length varints).
        if header_count < 0 || header_count as usize > (body.len() - c.pos) / 2 {
            return Err(self.fail(start, "header count does not fit the record"));
        }
        let headers_start = c.pos;
        for _ in 0..header_count {
            match c.bytes() {
                Ok(Some(_)) => {}
                _ => return Err(self.fail(start, "bad header key")),
            }
            c.bytes()
                .map_err(|_| self.fail(start, "bad header value"))?;
        }
        if c.pos != body.len() {
            return Err(self.fail(start, "record length does not match its fields"));
        }
        if offset_delta < 0 {
            return Err(self.fail(start, "negative offset delta"));
        }
        // Each record has an offset of its own, in order, within the batch's range (the
        // header says where the batch ends; readers move on from there).
        if offset_delta <= self.previous_delta || offset_delta > self.header.last_offset_delta {
            return Err(self.fail(
                start,
                "offset delta out of order or past the batch's last offset delta",
            ));
        }
        self.previous_delta = offset_delta;
        self.pos = start + n + len as usize;
        let h = &self.header;
        let timestamp = match h.attributes.timestamp_type() {
            TimestampType::LogAppendTime => h.max_timestamp,
            TimestampType::CreateTime => h.base_timestamp.wrapping_add(ts_delta),
        };
        let sequence = if h.base_sequence < 0 {
            -1
        } else {
            ((i64::from(h.base_sequence) + i64::from(offset_delta)) % (i64::from(i32::MAX) + 1))
                as i32
        };
        Ok(RecordRef {
            offset: h.base_offset.wrapping_add(i64::from(offset_delta)),
            timestamp,
            attributes: attributes as i8,
            key,
            value,
            sequence,
            headers: &body[headers_start..],
            header_count: header_count as u32,
        })
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = Result<RecordRef<'a>, CorruptBatch>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.index >= self.count {
            if self.pos != self.data.len() {
                self.failed = true;
                return Some(Err(CorruptBatch {
                    position: self.batch_position,
                    base_offset: self.header.base_offset,
                    kind: Corruption::TrailingBytes(self.data.len() - self.pos),
                }));
            }
            return None;
        }
        let r = self.decode_one();
        self.index += 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.count - self.index).max(0) as usize;
        (0, Some(left + 1))
    }
}

/// Overwrites a complete batch's base offset (outside the CRC, as a broker does).
pub fn set_base_offset(batch: &mut [u8], base_offset: i64) {
    if batch.len() >= 8 {
        batch[..8].copy_from_slice(&base_offset.to_be_bytes());
    }
}

/// Overwrites a complete batch's partition leader epoch (outside the CRC).
pub fn set_partition_leader_epoch(batch: &mut [u8], epoch: i32) {
    if batch.len() >= POS_MAGIC {
        batch[POS_LEADER_EPOCH..POS_MAGIC].copy_from_slice(&epoch.to_be_bytes());
    }
}

/// Marks a complete batch LogAppendTime with `now` as its max timestamp and recomputes the
/// CRC, as Kafka's broker does for topics with `message.timestamp.type=LogAppendTime`.
pub fn set_log_append_time(batch: &mut [u8], now: i64) {
    if batch.len() < BATCH_HEADER_LEN {
        return;
    }
    let attrs = be_i16(batch, POS_ATTRIBUTES) | ATTR_LOG_APPEND_TIME;
    batch[POS_ATTRIBUTES..POS_ATTRIBUTES + 2].copy_from_slice(&attrs.to_be_bytes());
    batch[POS_MAX_TIMESTAMP..POS_MAX_TIMESTAMP + 8].copy_from_slice(&now.to_be_bytes());
    let crc = crc32c::crc32c(&batch[POS_ATTRIBUTES..]);
    batch[POS_CRC..POS_CRC + 4].copy_from_slice(&crc.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS0: i64 = 1_700_000_000_000;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// kafka-format.md §9.2: the two-record batch, identical to Kafka's MemoryRecordsBuilder.
    pub(crate) fn example_batch() -> Vec<u8> {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(TS0, Some(b"k1"), Some(b"v1"), &[(b"hk", Some(b"hv"))]);
        b.append(TS0 + 5, None, Some(b"hello"), &[]);
        b.build(0, 0).unwrap()
    }

    #[test]
    fn crc32c_check_values() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c::crc32c(b"Some String"), 608_512_271);
        assert_eq!(crc32c::crc32c(b""), 0);
        assert_eq!(crc32c::crc32c(b"a"), 0xC1D0_4330);
        assert_eq!(crc32c::crc32c(&[0; 4]), 0x4867_4BC7);
    }

    #[test]
    fn example_batch_is_byte_exact() {
        let want = unhex(
            "00000000000000000000004e0000000002b2fc9e1a0000000000010000018bcfe568000000018bcfe56805
             ffffffffffffffffffffffffffff00000002
             20000000046b310476310204686b046876
             16000a02010a68656c6c6f00",
        );
        assert_eq!(example_batch(), want);
        let b = BatchRef::parse(&want, 0, MAX_BATCH_BYTES).unwrap();
        b.verify_crc().unwrap();
        assert_eq!(b.header().crc, 3_002_899_994);
        assert_eq!(b.header().last_offset(), 1);
        let recs = b.to_records().unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].key.as_deref(), Some(&b"k1"[..]));
        assert_eq!(
            recs[0].headers,
            vec![Header {
                key: b"hk".to_vec(),
                value: Some(b"hv".to_vec())
            }]
        );
        assert_eq!(recs[1].offset, 1);
        assert_eq!(recs[1].timestamp, TS0 + 5);
        assert_eq!(recs[1].key, None);
    }

    #[test]
    fn restamping_keeps_the_crc_valid() {
        let mut b = example_batch();
        set_base_offset(&mut b, 1234);
        set_partition_leader_epoch(&mut b, 7);
        let r = BatchRef::parse(&b, 0, MAX_BATCH_BYTES).unwrap();
        r.verify_crc().unwrap();
        assert_eq!(r.header().base_offset, 1234);
        assert_eq!(r.header().partition_leader_epoch, 7);
        set_log_append_time(&mut b, TS0 + 99);
        let r = BatchRef::parse(&b, 0, MAX_BATCH_BYTES).unwrap();
        r.verify_crc().unwrap();
        let recs = r.to_records().unwrap();
        assert!(recs.iter().all(|x| x.timestamp == TS0 + 99));
    }

    #[test]
    fn corruption_is_detected() {
        let good = example_batch();
        let mut bad = good.clone();
        bad[70] ^= 1;
        let r = BatchRef::parse(&bad, 5, MAX_BATCH_BYTES).unwrap();
        let e = r.verify_crc().unwrap_err();
        assert!(matches!(e.kind, Corruption::BadCrc { .. }));
        assert_eq!(e.position, 5);
        let e = BatchRef::parse(&good[..60], 0, MAX_BATCH_BYTES).unwrap_err();
        assert!(matches!(e.kind, Corruption::TooShort { .. }));
        let mut huge = good.clone();
        huge[8..12].copy_from_slice(&0x7fff_ffffi32.to_be_bytes());
        let e = BatchRef::parse(&huge, 0, MAX_BATCH_BYTES).unwrap_err();
        assert!(matches!(e.kind, Corruption::BadLength { .. }));
        let mut neg = good.clone();
        neg[8..12].copy_from_slice(&(-5i32).to_be_bytes());
        assert!(BatchRef::parse(&neg, 0, MAX_BATCH_BYTES).is_err());
    }

    /// Regression: a cap below 12 made `batch_size` underflow (`cap - 12`, a panic in debug
    /// builds), and a cap of usize::MAX became -1 (`cap as i64`) and refused every batch.
    #[test]
    fn any_cap_is_handled() {
        let b = example_batch();
        for cap in 0..BATCH_HEADER_LEN {
            let e = BatchRef::parse(&b, 0, cap).unwrap_err();
            assert!(matches!(e.kind, Corruption::BadLength { .. }));
        }
        assert!(BatchRef::parse(&b, 0, BATCH_HEADER_LEN).is_err());
        BatchRef::parse(&b, 0, b.len()).unwrap();
        BatchRef::parse(&b, 0, usize::MAX).unwrap();
    }

    #[test]
    fn hostile_counts_are_refused_without_allocating() {
        let mut b = example_batch();
        b[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
        let crc = crc32c::crc32c(&b[21..]);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        // More records than offsets: refused with the header.
        assert!(matches!(
            BatchRef::parse(&b, 0, MAX_BATCH_BYTES).unwrap_err().kind,
            Corruption::CountPastOffsets { .. }
        ));
        // A span wide enough for the count: refused by the bytes the records need.
        b[23..27].copy_from_slice(&i32::MAX.to_be_bytes());
        let crc = crc32c::crc32c(&b[21..]);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        let r = BatchRef::parse(&b, 0, MAX_BATCH_BYTES).unwrap();
        let data = r.records_data().unwrap();
        assert!(matches!(
            r.records(&data).err().unwrap().kind,
            Corruption::BadCount { .. }
        ));
    }
}
