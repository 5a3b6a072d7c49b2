//! Noticing Confluent-framed keys and values while mirroring, so the caller can tell the user
//! which schemas the target's Schema Registry needs. The bytes themselves are mirrored as
//! they are: framed values stay framed.
//!
//! A topic's keys (or values) count as framed when every non-null one starts with the magic
//! byte and a schema id ([`crate::format::confluent::split`]); one that does not (plain
//! text that happens to start with a zero byte is rare, but possible) clears the verdict.
//!
//! Owns: the per-topic verdict and the lookup of ids in the local registry. Must not: print.

use std::collections::BTreeSet;

use super::FramedSchema;
use crate::format::confluent;
use crate::format::registry::Registry;

/// What the keys or values of one topic looked like so far.
#[derive(Debug, Default, Clone)]
struct Verdict {
    ids: BTreeSet<u32>,
    /// The id seen last: framed topics mostly repeat one id, so the set is rarely touched.
    last: Option<u32>,
    unframed: bool,
}

impl Verdict {
    fn see(&mut self, bytes: Option<&[u8]>) {
        if self.unframed {
            return;
        }
        let Some(b) = bytes else { return };
        match confluent::split(b) {
            Some((id, _)) => {
                if self.last != Some(id) {
                    self.ids.insert(id);
                    self.last = Some(id);
                }
            }
            None => {
                self.unframed = true;
                self.ids.clear();
            }
        }
    }
}

/// Verdicts for the keys and values of one mirrored topic.
#[derive(Debug, Default)]
pub(super) struct Framing {
    key: Verdict,
    value: Verdict,
    /// Ids already handed out by [`Framing::new_schemas`].
    reported: BTreeSet<(bool, u32)>,
}

impl Framing {
    /// Looks at one record.
    pub(super) fn see(&mut self, key: Option<&[u8]>, value: Option<&[u8]>) {
        self.key.see(key);
        self.value.see(value);
    }

    /// The schema ids of framed keys and values of `topic`, with what `registry` holds for
    /// each.
    pub(super) fn schemas(&self, topic: &str, registry: Option<&Registry>) -> Vec<FramedSchema> {
        let mut out = Vec::new();
        for (part, v) in [("key", &self.key), ("value", &self.value)] {
            if v.unframed {
                continue;
            }
            for &id in &v.ids {
                let subjects = registry
                    .map(|r| {
                        r.subjects_of(id)
                            .into_iter()
                            .map(|(s, n)| (s.to_string(), n))
                            .collect()
                    })
                    .unwrap_or_default();
                let schema_type = registry
                    .and_then(|r| r.schema(id).ok())
                    .map(|s| s.schema_type.to_string());
                out.push(FramedSchema {
                    topic: topic.to_string(),
                    part,
                    id,
                    subjects,
                    schema_type,
                });
            }
        }
        out
    }

    /// [`Framing::schemas`] not returned by an earlier call, for reporting as they appear.
    pub(super) fn new_schemas(
        &mut self,
        topic: &str,
        registry: Option<&Registry>,
    ) -> Vec<FramedSchema> {
        let mut all = self.schemas(topic, registry);
        all.retain(|s| self.reported.insert((s.part == "key", s.id)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framed_values_report_their_ids() {
        let mut f = Framing::default();
        f.see(Some(b"plain key"), Some(&[0, 0, 0, 0, 7, 1, 2]));
        f.see(None, Some(&[0, 0, 0, 0, 7]));
        f.see(None, None);
        assert_eq!(f.new_schemas("t", None).len(), 1);
        f.see(None, Some(&[0, 0, 0, 0, 9, 42]));
        let s = f.schemas("t", None);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!((s[0].part, s[0].id), ("value", 7));
        assert_eq!((s[1].part, s[1].id), ("value", 9));
        assert!(s[0].subjects.is_empty() && s[0].schema_type.is_none());
        let fresh = f.new_schemas("t", None);
        assert_eq!(fresh.len(), 1, "only id 9 is new: {fresh:?}");
        assert_eq!(fresh[0].id, 9);
    }

    #[test]
    fn one_unframed_value_clears_the_topic() {
        let mut f = Framing::default();
        f.see(None, Some(&[0, 0, 0, 0, 7, 1]));
        f.see(None, Some(b"hello"));
        f.see(None, Some(&[0, 0, 0, 0, 8, 1]));
        assert!(f.schemas("t", None).is_empty());
    }
}
