//! Kafka's UUID (topic ids, directory ids, incarnation ids): 16 bytes, shown as 22
//! characters of URL-safe base64 without padding, as `org.apache.kafka.common.Uuid` does.

use base64::Engine;

/// A topic id: Kafka's 16-byte UUID, shown as 22 chars of URL-safe base64 without padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// Kafka's text form.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0)
    }
    /// Parses Kafka's text form.
    pub fn from_base64(s: &str) -> Option<Uuid> {
        let v = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim())
            .ok()?;
        Some(Uuid(v.try_into().ok()?))
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_base64())
    }
}
