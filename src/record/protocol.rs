//! Kafka's protocol primitive types, as coordinator records (`__consumer_offsets`,
//! `__transaction_state`) lay them out: big-endian integers, non-flexible strings (i16
//! length), compact strings and arrays of flexible versions (unsigned varint length + 1),
//! and tagged-field sections.
//!
//! Owns: bounds-checked reading ([`Reader`]) and writing of those primitives. Must not: know
//! any record schema. Every length is checked against the bytes remaining, so no input
//! panics or allocates beyond its own size.

/// Why bytes could not be read: what and at which byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {position}")]
pub struct ProtocolError {
    /// What was wrong.
    pub what: String,
    /// Byte position in the buffer.
    pub position: usize,
}

/// A bounds-checked big-endian reader over one buffer.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// The position of the next byte.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn fail<T>(&self, what: impl Into<String>) -> Result<T, ProtocolError> {
        Err(ProtocolError {
            what: what.into(),
            position: self.pos,
        })
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        match self.pos.checked_add(n).filter(|&e| e <= self.buf.len()) {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => self.fail(format!("{n} bytes wanted, {} left", self.remaining())),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// An i8.
    pub fn i8(&mut self) -> Result<i8, ProtocolError> {
        Ok(i8::from_be_bytes(self.array()?))
    }
    /// An i16.
    pub fn i16(&mut self) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    /// An i32.
    pub fn i32(&mut self) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    /// An i64.
    pub fn i64(&mut self) -> Result<i64, ProtocolError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// An unsigned varint (at most 5 bytes, as Kafka's `ByteUtils.readUnsignedVarint`).
    pub fn unsigned_varint(&mut self) -> Result<u32, ProtocolError> {
        let mut v: u32 = 0;
        for shift in (0..35).step_by(7) {
            let [b] = self.array::<1>()?;
            v |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.fail("unsigned varint longer than 5 bytes")
    }

    /// A non-flexible string (i16 length; -1 is refused here: see [`Reader::nullable_string`]).
    pub fn string(&mut self) -> Result<String, ProtocolError> {
        match self.nullable_string()? {
            Some(s) => Ok(s),
            None => self.fail("null string"),
        }
    }

    /// A non-flexible nullable string.
    pub fn nullable_string(&mut self) -> Result<Option<String>, ProtocolError> {
        let len = self.i16()?;
        if len < 0 {
            return Ok(None);
        }
        self.utf8(len as usize).map(Some)
    }

    /// A compact (flexible-version) string: unsigned varint length + 1, 0 for null (refused).
    pub fn compact_string(&mut self) -> Result<String, ProtocolError> {
        let n = self.unsigned_varint()?;
        match n.checked_sub(1) {
            Some(len) => self.utf8(len as usize),
            None => self.fail("null compact string"),
        }
    }

    fn utf8(&mut self, len: usize) -> Result<String, ProtocolError> {
        let at = self.pos;
        let b = self.take(len)?;
        String::from_utf8(b.to_vec()).map_err(|_| ProtocolError {
            what: "string is not UTF-8".into(),
            position: at,
        })
    }

    /// A non-flexible array's length (i32; -1 is null), checked against the bytes left
    /// given the smallest size of one element, so a hostile count cannot allocate.
    pub fn array_len(&mut self, min_element: usize) -> Result<Option<usize>, ProtocolError> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(None);
        }
        self.fitting(n as usize, min_element).map(Some)
    }

    /// `n` elements of at least `min_element` bytes, if they fit in what is left.
    fn fitting(&self, n: usize, min_element: usize) -> Result<usize, ProtocolError> {
        if n.saturating_mul(min_element.max(1)) > self.remaining() {
            return self.fail(format!(
                "array of {n} elements does not fit in {} bytes",
                self.remaining()
            ));
        }
        Ok(n)
    }

    /// A compact array's length (unsigned varint length + 1, 0 for null).
    pub fn compact_array_len(
        &mut self,
        min_element: usize,
    ) -> Result<Option<usize>, ProtocolError> {
        let n = self.unsigned_varint()?;
        match n.checked_sub(1) {
            Some(n) => self.fitting(n as usize, min_element).map(Some),
            None => Ok(None),
        }
    }

    /// Skips a tagged-field section (count, then tag, size, bytes for each).
    pub fn skip_tagged_fields(&mut self) -> Result<(), ProtocolError> {
        let count = self.unsigned_varint()?;
        for _ in 0..count {
            self.unsigned_varint()?;
            let size = self.unsigned_varint()?;
            self.take(size as usize)?;
        }
        Ok(())
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), ProtocolError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            self.fail(format!("{} bytes left over", self.remaining()))
        }
    }
}

/// Appends a non-flexible string (i16 length). Longer strings are cut at a char boundary:
/// names are validated far below that size.
pub fn put_string(out: &mut Vec<u8>, s: &str) {
    let mut end = s.len().min(i16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as i16).to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_is_given_and_refuses_the_rest() {
        let mut out = vec![0x01];
        out.extend_from_slice(&7i16.to_be_bytes());
        put_string(&mut out, "héllo");
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out.extend_from_slice(&2i32.to_be_bytes());
        out.extend_from_slice(&[0x96, 0x01]); // varint 150
        let mut r = Reader::new(&out);
        assert_eq!(r.i8().unwrap(), 1);
        assert_eq!(r.i16().unwrap(), 7);
        assert_eq!(r.string().unwrap(), "héllo");
        assert_eq!(r.nullable_string().unwrap(), None);
        // Two elements of one byte each fit in the two bytes left.
        assert_eq!(r.array_len(1).unwrap(), Some(2));
        assert_eq!(r.unsigned_varint().unwrap(), 150);
        r.finish().unwrap();
    }

    #[test]
    fn hostile_lengths_are_refused() {
        let mut r = Reader::new(&[0x7f, 0xff, 0xff, 0xff]);
        assert!(r.array_len(1).is_err());
        let mut r = Reader::new(&[0x00, 0x10, b'a']);
        assert!(r.string().is_err());
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(r.unsigned_varint().is_err());
        let mut r = Reader::new(&[0x00, 0x02, 0xff, 0xfe]);
        assert!(r.string().unwrap_err().what.contains("UTF-8"));
        assert!(Reader::new(&[1]).finish().is_err());
    }
}
