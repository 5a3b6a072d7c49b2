//! Kafka's message wire primitives, the encoding its generated `*Data` classes use for
//! requests, metadata records and KRaft control records: big-endian fixed-width integers,
//! 16-byte uuids, and for variable-length fields two encodings chosen by the message version:
//!
//! - non-flexible versions: a string is an int16 length (-1 = null) then UTF-8 bytes, an
//!   array an int32 count (-1 = null) then its elements;
//! - flexible versions: "compact" lengths, an unsigned varint of length + 1 (0 = null), and
//!   every struct ends with its tagged fields: an unsigned varint count, then per field an
//!   unsigned varint tag, an unsigned varint size and the field's bytes, in ascending tag
//!   order. A field is written as a tagged field only when it differs from its default, so
//!   older readers skip what they do not know.
//!
//! [`Reader`] checks every length against the bytes left and Kafka's caps before it
//! allocates, so hostile bytes give a [`MessageError`], never a panic. Tagged fields a message
//! does not know are kept ([`RawTaggedField`]) and written back in place, so a decode/encode
//! round trip of Kafka's bytes is byte-identical. [`ToJson`] renders messages as Kafka's
//! generated `*JsonConverter` classes do (field order, number forms, Jackson's escapes).
//!
//! Pure functions on bytes: no I/O, no knowledge of which message is which (see
//! [`super::records`] and [`super::control`]).

use std::fmt::Write as _;

pub use crate::record::uuid::Uuid;
use crate::record::varint;

/// Kafka's cap on a collection's element count (`MessageUtil.MAX_ARRAY_LENGTH`).
pub const MAX_ARRAY_LENGTH: usize = 1_000_000;
/// Kafka's cap on the number of tagged fields of one struct (`MAX_TAGGED_FIELD_COUNT`).
pub const MAX_TAGGED_FIELD_COUNT: usize = 10_000;
/// The longest string a message holds, in UTF-8 bytes (an int16 length).
pub const MAX_STRING_LENGTH: usize = 0x7fff;

/// The all-zero uuid, Kafka's `Uuid.ZERO_UUID` (the default of every uuid field).
pub const ZERO_UUID: Uuid = Uuid([0; 16]);

/// Why bytes are not a valid message, or a message cannot be written at a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The bytes end inside a field.
    #[error("{what} at byte {pos} needs {need} byte(s), {left} left")]
    Truncated {
        /// The field or primitive being read.
        what: &'static str,
        /// Where it starts.
        pos: usize,
        /// Bytes it needs.
        need: usize,
        /// Bytes that are left.
        left: usize,
    },
    /// An unsigned varint of more than 5 bytes or 32 bits.
    #[error("unsigned varint at byte {pos} is longer than 32 bits")]
    BadVarint {
        /// Where it starts.
        pos: usize,
    },
    /// A null where the field is not nullable at this version.
    #[error("non-nullable field {field} was serialized as null (byte {pos})")]
    NullNotAllowed {
        /// The field (Kafka's camelCase name).
        field: &'static str,
        /// Where its length is.
        pos: usize,
    },
    /// A string length beyond 32767 bytes.
    #[error("string field {field} had invalid length {len} (byte {pos})")]
    StringTooLong {
        /// The field.
        field: &'static str,
        /// The length read or to write.
        len: usize,
        /// Where its length is (0 when writing).
        pos: usize,
    },
    /// A string that is not UTF-8.
    #[error("string field {field} at byte {pos} is not UTF-8")]
    BadUtf8 {
        /// The field.
        field: &'static str,
        /// Where its bytes start.
        pos: usize,
    },
    /// A collection longer than the bytes left could hold, or than Kafka's cap.
    #[error(
        "field {field} at byte {pos} is a collection of {len} element(s), but only {left} byte(s) \
         are left (and at most {MAX_ARRAY_LENGTH} are allowed)"
    )]
    ArrayTooLong {
        /// The field.
        field: &'static str,
        /// The count read.
        len: usize,
        /// Where the count is.
        pos: usize,
        /// Bytes left after the count.
        left: usize,
    },
    /// More tagged fields than the bytes left could hold, or than Kafka's cap.
    #[error(
        "{count} tagged field(s) at byte {pos}, but only {left} byte(s) are left (and at most \
         {MAX_TAGGED_FIELD_COUNT} are allowed)"
    )]
    TooManyTaggedFields {
        /// The count read.
        count: usize,
        /// Where the count is.
        pos: usize,
        /// Bytes left after the count.
        left: usize,
    },
    /// A tag that belongs to a field the message has only at other versions (Kafka refuses it
    /// too).
    #[error("Tag {tag} is not valid for version {version} (byte {pos})")]
    TagNotValid {
        /// The tag.
        tag: u32,
        /// The version being read.
        version: i16,
        /// Where the tag is.
        pos: usize,
    },
    /// A known tagged field whose declared size is not the size of its value.
    #[error("tagged field {tag} at byte {pos} declares {size} byte(s) but its value takes {used}")]
    TaggedFieldSize {
        /// The tag.
        tag: u32,
        /// Where the field's value starts.
        pos: usize,
        /// The declared size.
        size: usize,
        /// The bytes its value took.
        used: usize,
    },
    /// Bytes after the end of a message.
    #[error("{left} byte(s) of garbage after {what} (byte {pos})")]
    Trailing {
        /// The message.
        what: &'static str,
        /// Where the garbage starts.
        pos: usize,
        /// How many bytes.
        left: usize,
    },
    /// A version the message does not have.
    #[error("{message} has no version {version} (it has 0 to {max})")]
    UnsupportedVersion {
        /// Kafka's class name of the message.
        message: &'static str,
        /// The version asked for.
        version: i16,
        /// Its highest version.
        max: i16,
    },
    /// A field that the version does not have holds a value other than its default: writing
    /// would lose it (Kafka's UnsupportedVersionException with the same words).
    #[error("Attempted to write a non-default {field} at version {version}")]
    NonDefault {
        /// The field.
        field: &'static str,
        /// The version.
        version: i16,
    },
    /// A metadata record frame (`MetadataRecordSerde`) with a frame version other than 1, or
    /// a type or version above 32767.
    #[error(
        "metadata record {what} {value} is not supported (frame version 1, type and version at most 32767)"
    )]
    BadFrame {
        /// "frame version", "type" or "version".
        what: &'static str,
        /// The value read.
        value: u32,
    },
    /// Unknown tagged fields out of ascending order, or reusing a tag the message knows.
    #[error("unknown tagged field {tag} is not above tag {prev} and the message's own tags")]
    BadUnknownTags {
        /// The offending tag.
        tag: u32,
        /// The tag before it.
        prev: u32,
    },
}

impl MessageError {
    /// The error with its byte positions moved by `by` (a message read from bytes that start
    /// `by` bytes into a larger value).
    pub fn shifted(mut self, by: usize) -> MessageError {
        match &mut self {
            MessageError::Truncated { pos, .. }
            | MessageError::BadVarint { pos }
            | MessageError::NullNotAllowed { pos, .. }
            | MessageError::StringTooLong { pos, .. }
            | MessageError::BadUtf8 { pos, .. }
            | MessageError::ArrayTooLong { pos, .. }
            | MessageError::TooManyTaggedFields { pos, .. }
            | MessageError::TagNotValid { pos, .. }
            | MessageError::TaggedFieldSize { pos, .. }
            | MessageError::Trailing { pos, .. } => *pos += by,
            MessageError::UnsupportedVersion { .. }
            | MessageError::NonDefault { .. }
            | MessageError::BadFrame { .. }
            | MessageError::BadUnknownTags { .. } => {}
        }
        self
    }
}

/// A tagged field a message does not know: kept as bytes, written back at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTaggedField {
    /// The tag.
    pub tag: u32,
    /// The field's bytes (without tag and size).
    pub data: Vec<u8>,
}

/// A bounds-checked cursor over a message's bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Added to positions in errors: a sub-reader reports positions in the whole message.
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// The position in the bytes given to [`Reader::new`].
    pub fn position(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Fails unless every byte was read (`what` names the message).
    pub fn finish(&self, what: &'static str) -> Result<(), MessageError> {
        match self.remaining() {
            0 => Ok(()),
            left => Err(MessageError::Trailing {
                what,
                pos: self.position(),
                left,
            }),
        }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], MessageError> {
        if n > self.remaining() {
            return Err(MessageError::Truncated {
                what,
                pos: self.position(),
                need: n,
                left: self.remaining(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], MessageError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N, what)?);
        Ok(a)
    }

    /// An int8.
    pub fn i8(&mut self) -> Result<i8, MessageError> {
        Ok(i8::from_be_bytes(self.array("int8")?))
    }

    /// An int16.
    pub fn i16(&mut self) -> Result<i16, MessageError> {
        Ok(i16::from_be_bytes(self.array("int16")?))
    }

    /// A uint16.
    pub fn u16(&mut self) -> Result<u16, MessageError> {
        Ok(u16::from_be_bytes(self.array("uint16")?))
    }

    /// An int32.
    pub fn i32(&mut self) -> Result<i32, MessageError> {
        Ok(i32::from_be_bytes(self.array("int32")?))
    }

    /// An int64.
    pub fn i64(&mut self) -> Result<i64, MessageError> {
        Ok(i64::from_be_bytes(self.array("int64")?))
    }

    /// A bool: one byte, anything but 0 is true (as Kafka reads it).
    pub fn bool(&mut self) -> Result<bool, MessageError> {
        Ok(self.array::<1>("bool")?[0] != 0)
    }

    /// A uuid: 16 bytes (Kafka's most then least significant long).
    pub fn uuid(&mut self) -> Result<Uuid, MessageError> {
        Ok(Uuid(self.array("uuid")?))
    }

    /// An unsigned varint (at most 5 bytes, 32 bits).
    pub fn unsigned_varint(&mut self) -> Result<u32, MessageError> {
        let pos = self.position();
        match varint::read_unsigned_varint(&self.buf[self.pos..]) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(varint::VarintError::Truncated) => Err(MessageError::Truncated {
                what: "unsigned varint",
                pos,
                need: self.remaining() + 1,
                left: self.remaining(),
            }),
            Err(varint::VarintError::TooLong) => Err(MessageError::BadVarint { pos }),
        }
    }

    /// A length: compact (unsigned varint of length + 1) in flexible versions, else an int16
    /// (strings) or int32 (arrays). `None` is null.
    fn length(&mut self, flexible: bool, short: bool) -> Result<Option<usize>, MessageError> {
        let n: i64 = if flexible {
            i64::from(self.unsigned_varint()?) - 1
        } else if short {
            i64::from(self.i16()?)
        } else {
            i64::from(self.i32()?)
        };
        // Kafka treats every negative length as null.
        Ok(usize::try_from(n).ok())
    }

    /// A nullable string of field `field`.
    pub fn nullable_string(
        &mut self,
        flexible: bool,
        field: &'static str,
    ) -> Result<Option<String>, MessageError> {
        let pos = self.position();
        let Some(len) = self.length(flexible, true)? else {
            return Ok(None);
        };
        if len > MAX_STRING_LENGTH {
            return Err(MessageError::StringTooLong { field, len, pos });
        }
        let start = self.position();
        let bytes = self.bytes(len, field)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Some(s.to_string())),
            Err(_) => Err(MessageError::BadUtf8 { field, pos: start }),
        }
    }

    /// A non-nullable string of field `field`.
    pub fn string(&mut self, flexible: bool, field: &'static str) -> Result<String, MessageError> {
        let pos = self.position();
        self.nullable_string(flexible, field)?
            .ok_or(MessageError::NullNotAllowed { field, pos })
    }

    /// A nullable array of field `field`, each element read by `element`.
    pub fn nullable_array<T>(
        &mut self,
        flexible: bool,
        field: &'static str,
        mut element: impl FnMut(&mut Reader<'a>) -> Result<T, MessageError>,
    ) -> Result<Option<Vec<T>>, MessageError> {
        let pos = self.position();
        let Some(len) = self.length(flexible, false)? else {
            return Ok(None);
        };
        // Every element takes at least one byte: a count beyond the bytes left is a lie, and
        // checking it first bounds the allocation below.
        if len > self.remaining() || len > MAX_ARRAY_LENGTH {
            return Err(MessageError::ArrayTooLong {
                field,
                len,
                pos,
                left: self.remaining(),
            });
        }
        let mut v = Vec::with_capacity(len);
        for _ in 0..len {
            v.push(element(self)?);
        }
        Ok(Some(v))
    }

    /// A non-nullable array of field `field`.
    pub fn array_of<T>(
        &mut self,
        flexible: bool,
        field: &'static str,
        element: impl FnMut(&mut Reader<'a>) -> Result<T, MessageError>,
    ) -> Result<Vec<T>, MessageError> {
        let pos = self.position();
        self.nullable_array(flexible, field, element)?
            .ok_or(MessageError::NullNotAllowed { field, pos })
    }

    /// A struct's tagged fields section. `known(tag, field_reader)` reads a tag the message
    /// knows from a reader of exactly the field's bytes and returns `Ok(true)`; `Ok(false)`
    /// keeps the field as unknown. A known field must use all its declared bytes.
    pub fn tagged_fields(
        &mut self,
        mut known: impl FnMut(u32, &mut Reader<'a>) -> Result<bool, MessageError>,
    ) -> Result<Vec<RawTaggedField>, MessageError> {
        let pos = self.position();
        let count = self.unsigned_varint()? as usize;
        if count > self.remaining() || count > MAX_TAGGED_FIELD_COUNT {
            return Err(MessageError::TooManyTaggedFields {
                count,
                pos,
                left: self.remaining(),
            });
        }
        let mut unknown = Vec::new();
        for _ in 0..count {
            let tag_pos = self.position();
            let tag = self.unsigned_varint()?;
            let size = self.unsigned_varint()? as usize;
            let start = self.position();
            let data = self.bytes(size, "tagged field")?;
            let mut sub = Reader {
                buf: data,
                pos: 0,
                base: start,
            };
            let taken = known(tag, &mut sub).map_err(|e| match e {
                MessageError::TagNotValid { tag, version, .. } => MessageError::TagNotValid {
                    tag,
                    version,
                    pos: tag_pos,
                },
                e => e,
            })?;
            if !taken {
                unknown.push(RawTaggedField {
                    tag,
                    data: data.to_vec(),
                });
            } else if sub.remaining() != 0 {
                return Err(MessageError::TaggedFieldSize {
                    tag,
                    pos: start,
                    size,
                    used: sub.pos,
                });
            }
        }
        Ok(unknown)
    }
}

/// Builds a message's bytes.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Writer {
        Writer::default()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// An int8.
    pub fn i8(&mut self, v: i8) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// An int16.
    pub fn i16(&mut self, v: i16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// A uint16.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// An int32.
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// An int64.
    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// A bool (1 or 0).
    pub fn bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    /// A uuid.
    pub fn uuid(&mut self, v: &Uuid) {
        self.buf.extend_from_slice(&v.0);
    }

    /// An unsigned varint.
    pub fn unsigned_varint(&mut self, v: u32) {
        varint::write_unsigned_varint(&mut self.buf, v);
    }

    fn length(&mut self, flexible: bool, short: bool, len: Option<usize>) {
        match (flexible, len) {
            // Lengths were checked against their caps by the callers.
            (true, Some(n)) => self.unsigned_varint(n as u32 + 1),
            (true, None) => self.unsigned_varint(0),
            (false, Some(n)) if short => self.i16(n as i16),
            (false, None) if short => self.i16(-1),
            (false, Some(n)) => self.i32(n as i32),
            (false, None) => self.i32(-1),
        }
    }

    /// A nullable string (at most [`MAX_STRING_LENGTH`] bytes).
    pub fn nullable_string(
        &mut self,
        flexible: bool,
        field: &'static str,
        s: Option<&str>,
    ) -> Result<(), MessageError> {
        if let Some(s) = s
            && s.len() > MAX_STRING_LENGTH
        {
            return Err(MessageError::StringTooLong {
                field,
                len: s.len(),
                pos: 0,
            });
        }
        self.length(flexible, true, s.map(str::len));
        if let Some(s) = s {
            self.bytes(s.as_bytes());
        }
        Ok(())
    }

    /// A non-nullable string.
    pub fn string(
        &mut self,
        flexible: bool,
        field: &'static str,
        s: &str,
    ) -> Result<(), MessageError> {
        self.nullable_string(flexible, field, Some(s))
    }

    /// A nullable array, each element written by `element`.
    pub fn nullable_array<T>(
        &mut self,
        flexible: bool,
        field: &'static str,
        v: Option<&[T]>,
        mut element: impl FnMut(&mut Writer, &T) -> Result<(), MessageError>,
    ) -> Result<(), MessageError> {
        if let Some(v) = v
            && v.len() > MAX_ARRAY_LENGTH
        {
            return Err(MessageError::ArrayTooLong {
                field,
                len: v.len(),
                pos: 0,
                left: 0,
            });
        }
        self.length(flexible, false, v.map(<[T]>::len));
        for e in v.unwrap_or_default() {
            element(self, e)?;
        }
        Ok(())
    }

    /// A non-nullable array.
    pub fn array_of<T>(
        &mut self,
        flexible: bool,
        field: &'static str,
        v: &[T],
        element: impl FnMut(&mut Writer, &T) -> Result<(), MessageError>,
    ) -> Result<(), MessageError> {
        self.nullable_array(flexible, field, Some(v), element)
    }
}

/// The tagged fields of one struct being written: add the known fields that differ from their
/// defaults in ascending tag order, then [`TaggedFields::write`] merges in the unknown ones
/// by tag, as Kafka's `RawTaggedFieldWriter` does.
#[derive(Debug, Default)]
pub struct TaggedFields {
    known: Vec<(u32, Vec<u8>)>,
}

impl TaggedFields {
    /// No fields yet.
    pub fn new() -> TaggedFields {
        TaggedFields::default()
    }

    /// Adds known field `tag` (tags must be added in ascending order), its bytes written by
    /// `value` (always in the flexible encoding).
    pub fn add(
        &mut self,
        tag: u32,
        value: impl FnOnce(&mut Writer) -> Result<(), MessageError>,
    ) -> Result<(), MessageError> {
        let mut w = Writer::new();
        value(&mut w)?;
        debug_assert!(self.known.last().is_none_or(|(t, _)| *t < tag));
        self.known.push((tag, w.into_bytes()));
        Ok(())
    }

    /// Writes the section: the count, then known and `unknown` fields in tag order.
    /// `own_tags` are all the tags the struct defines at any version: an unknown field may not
    /// use one, and unknown fields must be in ascending order (Kafka refuses both too).
    pub fn write(
        self,
        w: &mut Writer,
        unknown: &[RawTaggedField],
        own_tags: &[u32],
    ) -> Result<(), MessageError> {
        let mut prev: Option<u32> = None;
        for f in unknown {
            if prev.is_some_and(|p| f.tag <= p) || own_tags.contains(&f.tag) {
                return Err(MessageError::BadUnknownTags {
                    tag: f.tag,
                    prev: prev.unwrap_or(0),
                });
            }
            prev = Some(f.tag);
        }
        w.unsigned_varint((self.known.len() + unknown.len()) as u32);
        let mut rest = unknown.iter().peekable();
        let field = |w: &mut Writer, tag: u32, data: &[u8]| {
            w.unsigned_varint(tag);
            w.unsigned_varint(data.len() as u32);
            w.bytes(data);
        };
        for (tag, data) in &self.known {
            while let Some(u) = rest.next_if(|u| u.tag < *tag) {
                field(w, u.tag, &u.data);
            }
            field(w, *tag, data);
        }
        for u in rest {
            field(w, u.tag, &u.data);
        }
        Ok(())
    }
}

/// Fails with [`MessageError::NonDefault`] when a field the version lacks is not `default`.
pub fn absent<T: PartialEq + ?Sized>(
    field: &'static str,
    value: &T,
    default: &T,
    version: i16,
) -> Result<(), MessageError> {
    if value == default {
        Ok(())
    } else {
        Err(MessageError::NonDefault { field, version })
    }
}

/// A message with a versioned schema: a struct of one of Kafka's JSON message specs.
pub trait Message: Sized {
    /// Kafka's name of the message (its spec's `name`).
    const NAME: &'static str;
    /// The highest version (all start at 0).
    const MAX_VERSION: i16;

    /// Reads the message's fields at `version` (already checked).
    fn read(r: &mut Reader<'_>, version: i16) -> Result<Self, MessageError>;

    /// Writes the message's fields at `version` (already checked).
    fn write(&self, w: &mut Writer, version: i16) -> Result<(), MessageError>;

    /// Appends the message as Kafka's `*JsonConverter.write(message, version)` renders it.
    fn write_json(&self, out: &mut String, version: i16);

    /// Fails unless the message has `version`.
    fn check_version(version: i16) -> Result<(), MessageError> {
        if (0..=Self::MAX_VERSION).contains(&version) {
            Ok(())
        } else {
            Err(MessageError::UnsupportedVersion {
                message: Self::NAME,
                version,
                max: Self::MAX_VERSION,
            })
        }
    }

    /// Decodes `bytes`, all of them, as the message at `version`.
    fn decode(bytes: &[u8], version: i16) -> Result<Self, MessageError> {
        Self::check_version(version)?;
        let mut r = Reader::new(bytes);
        let m = Self::read(&mut r, version)?;
        r.finish(Self::NAME)?;
        Ok(m)
    }

    /// Encodes the message at `version`.
    fn encode(&self, version: i16) -> Result<Vec<u8>, MessageError> {
        Self::check_version(version)?;
        let mut w = Writer::new();
        self.write(&mut w, version)?;
        Ok(w.into_bytes())
    }

    /// The message as Kafka's JSON converter prints it at `version` (fields the version lacks
    /// are left out; they hold their defaults after a decode).
    fn to_json(&self, version: i16) -> String {
        let mut s = String::new();
        self.write_json(&mut s, version);
        s
    }
}

/// A value Kafka's JSON converters render: numbers as Jackson's int/short/long nodes, uuids
/// as their base64url text, null for a null string or array.
pub trait ToJson {
    /// Appends the JSON of `self`; `version` is the message version (it decides which fields
    /// a struct has).
    fn write_json(&self, out: &mut String, version: i16);
}

macro_rules! json_number {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String, _version: i16) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
json_number!(i8, i16, i32, i64, u16);

impl ToJson for bool {
    fn write_json(&self, out: &mut String, _version: i16) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String, _version: i16) {
        json_string(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String, version: i16) {
        self.as_str().write_json(out, version);
    }
}

impl ToJson for Uuid {
    fn write_json(&self, out: &mut String, _version: i16) {
        json_string(out, &self.to_base64());
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String, version: i16) {
        match self {
            Some(v) => v.write_json(out, version),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String, version: i16) {
        out.push('[');
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            e.write_json(out, version);
        }
        out.push(']');
    }
}

/// Appends `s` as a JSON string, escaped as Jackson escapes it: `"` and `\`, the short forms
/// `\b \t \n \f \r`, other control characters as `\u00XX` with upper-case hex, everything
/// else (non-ASCII included) as is.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a JSON object field by field, in the order given (Kafka's is the spec's order).
pub struct JsonObject<'a> {
    out: &'a mut String,
    version: i16,
    first: bool,
}

impl<'a> JsonObject<'a> {
    /// Opens an object; `version` is passed on to the fields.
    pub fn new(out: &'a mut String, version: i16) -> JsonObject<'a> {
        out.push('{');
        JsonObject {
            out,
            version,
            first: true,
        }
    }

    /// Adds field `name` with `value`.
    pub fn field<T: ToJson + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        json_string(self.out, name);
        self.out.push(':');
        value.write_json(self.out, self.version);
        self
    }

    /// Adds field `name` when `present` (a tagged field that differs from its default).
    pub fn field_if<T: ToJson + ?Sized>(
        &mut self,
        present: bool,
        name: &str,
        value: &T,
    ) -> &mut Self {
        if present {
            self.field(name, value);
        }
        self
    }

    /// Closes the object.
    pub fn end(&mut self) {
        self.out.push('}');
    }
}

/// Lower-case hex of `bytes` (for tests and error reports).
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests;
