//! The four codecs Kafka compresses a batch's records section with, in the stream formats
//! Kafka's Java client reads and writes (kafka-format.md §2.2): gzip (RFC 1952), snappy in
//! xerial framing (raw snappy also read, as librdkafka writes it), LZ4 frame with 64 KiB
//! independent blocks, and plain zstd frames. Decompression is always capped: a bomb is
//! refused instead of filling memory.

use std::io::{self, Read, Write};

/// A batch's compression codec (attributes bits 0-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// No compression (0).
    #[default]
    None,
    /// gzip (1).
    Gzip,
    /// snappy, xerial framing (2).
    Snappy,
    /// LZ4 frame format (3).
    Lz4,
    /// zstd (4).
    Zstd,
}

impl Compression {
    /// Every codec, in attribute order.
    pub const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ];

    /// The codec for attribute bits 0-2, or `None` for the invalid ids 5-7.
    pub fn from_id(id: u8) -> Option<Compression> {
        Some(match id {
            0 => Compression::None,
            1 => Compression::Gzip,
            2 => Compression::Snappy,
            3 => Compression::Lz4,
            4 => Compression::Zstd,
            _ => return None,
        })
    }

    /// The attribute bits for this codec.
    pub fn id(self) -> u8 {
        match self {
            Compression::None => 0,
            Compression::Gzip => 1,
            Compression::Snappy => 2,
            Compression::Lz4 => 3,
            Compression::Zstd => 4,
        }
    }

    /// Kafka's name (`compresscodec` in kafka-dump-log, `compression.type` values).
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }

    /// Parses Kafka's name for a codec.
    pub fn from_name(name: &str) -> Option<Compression> {
        Compression::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a records section could not be compressed or decompressed.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The decompressed data would exceed the cap.
    #[error("{codec} data decompresses to more than {cap} bytes (a compression bomb?)")]
    TooLarge {
        /// The codec.
        codec: Compression,
        /// The cap in bytes.
        cap: usize,
    },
    /// The encoder failed: no batch is written rather than one with a wrong records
    /// section.
    #[error("{codec} compression failed: {reason}")]
    Encode {
        /// The codec.
        codec: Compression,
        /// What the encoder said.
        reason: String,
    },
    /// The compressed stream is malformed.
    #[error("{codec} data is corrupt: {reason}")]
    Corrupt {
        /// The codec.
        codec: Compression,
        /// What the decoder said.
        reason: String,
    },
}

/// Largest zstd window accepted (2^25 = 32 MiB, the decompressed-size cap).
const ZSTD_WINDOW_LOG_MAX: u32 = 25;

/// xerial snappy-java stream header: magic, version 1, compatible version 1.
const XERIAL_HEADER: [u8; 16] = [
    0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1,
];
/// snappy-java compresses 32 KiB of input per block.
const XERIAL_BLOCK: usize = 32 * 1024;

/// Compresses `data` with `codec` (identity for `None`). An encoder that fails is an
/// error, never a shorter or empty records section.
pub fn compress(codec: Compression, data: &[u8]) -> Result<Vec<u8>, CodecError> {
    compress_to(codec, data, Vec::with_capacity(data.len() / 2 + 64)).map_err(|e| {
        CodecError::Encode {
            codec,
            reason: e.to_string(),
        }
    })
}

/// Compresses `data` with `codec` into `out`, returning it. Generic over the writer so tests
/// can make the sink fail (into a `Vec` only the encoders themselves can fail: zstd's
/// context allocation, a snappy block over its size limit).
fn compress_to<W: Write>(codec: Compression, data: &[u8], mut out: W) -> io::Result<W> {
    match codec {
        Compression::None => {
            out.write_all(data)?;
            Ok(out)
        }
        Compression::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            enc.write_all(data)?;
            enc.finish()
        }
        Compression::Snappy => {
            out.write_all(&XERIAL_HEADER)?;
            let mut enc = snap::raw::Encoder::new();
            let mut buf = vec![0u8; snap::raw::max_compress_len(XERIAL_BLOCK)];
            for block in data.chunks(XERIAL_BLOCK) {
                let n = enc.compress(block, &mut buf).map_err(io::Error::other)?;
                let len = u32::try_from(n).map_err(io::Error::other)?;
                out.write_all(&len.to_be_bytes())?;
                out.write_all(&buf[..n])?;
            }
            Ok(out)
        }
        Compression::Lz4 => {
            let info = lz4_flex::frame::FrameInfo::new()
                .block_size(lz4_flex::frame::BlockSize::Max64KB)
                .block_mode(lz4_flex::frame::BlockMode::Independent);
            let mut enc = lz4_flex::frame::FrameEncoder::with_frame_info(info, out);
            enc.write_all(data)?;
            enc.finish().map_err(io::Error::other)
        }
        Compression::Zstd => {
            let mut enc = zstd::stream::write::Encoder::new(out, 3)?;
            enc.write_all(data)?;
            enc.finish()
        }
    }
}

/// Decompresses a records section, refusing output larger than `cap` bytes.
pub fn decompress(codec: Compression, data: &[u8], cap: usize) -> Result<Vec<u8>, CodecError> {
    let corrupt = |reason: String| CodecError::Corrupt { codec, reason };
    match codec {
        Compression::None => {
            if data.len() > cap {
                return Err(CodecError::TooLarge { codec, cap });
            }
            Ok(data.to_vec())
        }
        Compression::Gzip => read_capped(codec, flate2::read::GzDecoder::new(data), cap),
        Compression::Lz4 => read_capped(codec, lz4_flex::frame::FrameDecoder::new(data), cap),
        Compression::Zstd => {
            let mut dec =
                zstd::stream::read::Decoder::new(data).map_err(|e| corrupt(e.to_string()))?;
            // libzstd allocates the window the frame header declares before any output: cap
            // it (32 MiB) so a hostile header cannot make us allocate 2 GiB.
            dec.window_log_max(ZSTD_WINDOW_LOG_MAX)
                .map_err(|e| corrupt(e.to_string()))?;
            read_capped(codec, dec, cap)
        }
        Compression::Snappy => {
            if data.starts_with(&XERIAL_HEADER[..8]) {
                decompress_xerial(data, cap)
            } else {
                let mut out = Vec::new();
                snappy_raw(data, cap, &mut out)?;
                Ok(out)
            }
        }
    }
}

/// Reads a decoder to the end, failing once more than `cap` bytes come out.
fn read_capped(codec: Compression, r: impl Read, cap: usize) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    r.take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| CodecError::Corrupt {
            codec,
            reason: e.to_string(),
        })?;
    if out.len() > cap {
        return Err(CodecError::TooLarge { codec, cap });
    }
    Ok(out)
}

/// Decodes one raw snappy block, appending to `out`, keeping `out` under `cap`.
fn snappy_raw(block: &[u8], cap: usize, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let codec = Compression::Snappy;
    let n = snap::raw::decompress_len(block).map_err(|e| CodecError::Corrupt {
        codec,
        reason: e.to_string(),
    })?;
    if out.len().saturating_add(n) > cap {
        return Err(CodecError::TooLarge { codec, cap });
    }
    let start = out.len();
    out.resize(start + n, 0);
    snap::raw::Decoder::new()
        .decompress(block, &mut out[start..])
        .map_err(|e| CodecError::Corrupt {
            codec,
            reason: e.to_string(),
        })?;
    Ok(())
}

/// Decodes snappy-java's framing: the 16-byte header, then (BE32 length, raw block)*.
fn decompress_xerial(data: &[u8], cap: usize) -> Result<Vec<u8>, CodecError> {
    let codec = Compression::Snappy;
    let corrupt = |reason: &str| CodecError::Corrupt {
        codec,
        reason: reason.to_string(),
    };
    if data.len() < XERIAL_HEADER.len() {
        return Err(corrupt("xerial header is cut short"));
    }
    let mut rest = &data[XERIAL_HEADER.len()..];
    let mut out = Vec::new();
    while !rest.is_empty() {
        let Some((len_bytes, tail)) = rest.split_first_chunk::<4>() else {
            return Err(corrupt("xerial block length is cut short"));
        };
        let len = u32::from_be_bytes(*len_bytes) as usize;
        if len > tail.len() {
            return Err(corrupt("xerial block runs past the end of the data"));
        }
        snappy_raw(&tail[..len], cap, &mut out)?;
        rest = &tail[len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_codec_round_trips() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for codec in Compression::ALL {
            let packed = compress(codec, &data).unwrap();
            assert_eq!(
                decompress(codec, &packed, 1 << 24).unwrap(),
                data,
                "{codec}"
            );
            assert_eq!(
                decompress(codec, &compress(codec, b"").unwrap(), 16).unwrap(),
                b""
            );
        }
    }

    #[test]
    fn bombs_are_refused() {
        let zeros = vec![0u8; 4 << 20];
        for codec in Compression::ALL {
            let packed = compress(codec, &zeros).unwrap();
            match decompress(codec, &packed, 1 << 20) {
                Err(CodecError::TooLarge { cap, .. }) => assert_eq!(cap, 1 << 20),
                other => panic!("{codec}: {other:?}"),
            }
        }
    }

    #[test]
    fn xerial_framing_is_kafkas() {
        let packed = compress(Compression::Snappy, b"hello hello hello").unwrap();
        assert_eq!(&packed[..16], &XERIAL_HEADER);
        // librdkafka writes bare raw snappy: read it too.
        let raw = snap::raw::Encoder::new()
            .compress_vec(b"raw block")
            .unwrap();
        assert_eq!(
            decompress(Compression::Snappy, &raw, 100).unwrap(),
            b"raw block"
        );
    }

    #[test]
    fn lz4_frames_use_64k_independent_blocks() {
        let packed = compress(Compression::Lz4, b"abc").unwrap();
        assert_eq!(&packed[..4], &[0x04, 0x22, 0x4d, 0x18]);
        // FLG: version 01, block independence set; BD: block max size 64 KiB (4).
        assert_eq!(packed[4] & 0xe0, 0x60);
        assert_eq!((packed[5] >> 4) & 0x7, 4);
    }

    /// A sink that takes `room` bytes, then fails every write.
    struct FailingSink {
        room: usize,
    }

    impl Write for FailingSink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Regression: every encoder's failure became an empty (or short) records section
    /// (`unwrap_or_default`, ignored writes), so a batch claiming N records held none.
    /// Whatever step fails, the error comes back.
    #[test]
    fn a_failing_encoder_is_an_error_not_empty_output() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for codec in Compression::ALL {
            for room in [0, 10, 100, 5_000] {
                let r = compress_to(codec, &data, FailingSink { room });
                assert!(r.is_err(), "{codec} with room for {room} bytes");
            }
        }
        // What compress() makes of it: a typed error naming the codec and the cause.
        let e = CodecError::Encode {
            codec: Compression::Zstd,
            reason: "disk on fire".into(),
        };
        assert_eq!(e.to_string(), "zstd compression failed: disk on fire");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for codec in Compression::ALL {
            for junk in [
                &b""[..],
                b"\x00",
                b"\x1f\x8b\x08garbage",
                &XERIAL_HEADER,
                b"\x04\x22\x4d\x18\xff",
            ] {
                let _ = decompress(codec, junk, 1 << 16);
            }
        }
    }
}
