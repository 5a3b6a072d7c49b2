//! KRaft's metadata log in the walk: which files are its segments and its snapshots (by
//! name, as Kafka names them), the metadata records of their data batches (decoded by
//! [`crate::record::kraft::records`]), and the framing of a snapshot: a SnapshotHeader control
//! record first, a SnapshotFooter last, as Kafka's snapshot writer frames them and its
//! reader expects them.
//!
//! Must not: print anything or decide how records are shown.

use std::path::Path;

use crate::record::kraft::control::ControlRecord;
use crate::record::kraft::records::ApiMessageAndVersion;

use super::super::names;
use super::{Control, FileKind, MetadataValue};

/// The kind of `<end offset>-<epoch>.checkpoint` from its stem, `None` when the stem is not
/// two numbers joined by `-` (Kafka writes 20 and 10 digits; any count is read).
pub(super) fn snapshot_kind(stem: &str) -> Option<FileKind> {
    let (offset, epoch) = stem.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(offset) || !digits(epoch) {
        return None;
    }
    Some(FileKind::KraftSnapshot {
        end_offset: offset.parse().ok()?,
        epoch: epoch.parse().ok()?,
    })
}

/// Whether `path` is in a folder named `__cluster_metadata-0` (a relative name is taken
/// from the working directory; links are not followed: the folder is the one named).
pub(super) fn in_metadata_log_dir(path: &Path) -> bool {
    let is_metadata = |p: &Path| {
        p.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == names::METADATA_LOG_DIR)
    };
    is_metadata(path) || std::path::absolute(path).is_ok_and(|p| is_metadata(&p))
}

/// A data record's value read as Kafka's `MetadataRecordSerde` reads it.
pub(super) fn metadata_value(value: Option<&[u8]>) -> MetadataValue {
    match value {
        None => {
            MetadataValue::Invalid("a metadata record must have a value, this one is null".into())
        }
        Some(v) => match ApiMessageAndVersion::decode(v) {
            Ok(m) => MetadataValue::Record(Box::new(m)),
            Err(e) => MetadataValue::Invalid(e.to_string()),
        },
    }
}

/// The framing rules of a KRaft snapshot, record by record: a SnapshotHeader first, a
/// SnapshotFooter last, neither anywhere else.
#[derive(Debug, Default)]
pub(super) struct SnapshotFraming {
    records: u64,
    footer: Option<i64>,
}

impl SnapshotFraming {
    /// Takes the next record (its offset, and what it says when it is a control record):
    /// what is wrong with it, if anything.
    pub(super) fn feed(&mut self, offset: i64, control: Option<&Control>) -> Option<String> {
        let first = self.records == 0;
        self.records += 1;
        let (header, footer) = match control {
            Some(Control::Kraft(ControlRecord::SnapshotHeader(_))) => (true, false),
            Some(Control::Kraft(ControlRecord::SnapshotFooter(_))) => (false, true),
            _ => (false, false),
        };
        if let Some(at) = self.footer {
            return Some(format!(
                "the record at offset {offset} follows the snapshot's SnapshotFooter (offset \
                 {at}), which must be its last record"
            ));
        }
        if footer {
            self.footer = Some(offset);
        }
        match (first, header) {
            (true, false) => Some(format!(
                "the snapshot does not start with a SnapshotHeader control record: its first \
                 record (offset {offset}) is {}",
                describe(control)
            )),
            (false, true) => Some(format!(
                "a second SnapshotHeader at offset {offset}: only the snapshot's first record \
                 is one"
            )),
            _ => None,
        }
    }

    /// What is wrong at the end of the snapshot, if anything.
    pub(super) fn finish(&self) -> Option<String> {
        if self.records == 0 {
            Some(
                "the snapshot has no records: a KRaft snapshot starts with a SnapshotHeader \
                 control record and ends with a SnapshotFooter"
                    .into(),
            )
        } else if self.footer.is_none() {
            Some(
                "the snapshot does not end with a SnapshotFooter control record: it is \
                 incomplete"
                    .into(),
            )
        } else {
            None
        }
    }
}

/// What a record is, for the framing messages.
fn describe(control: Option<&Control>) -> String {
    match control {
        None => "a data record".into(),
        Some(Control::Kraft(r)) => format!("a {} control record", r.control_type().name()),
        Some(Control::EndTxn(m)) => format!("a {} marker", m.kind.name()),
        Some(Control::Other(t)) => format!("a control record of unknown type {t}"),
        Some(Control::Malformed) => "a malformed control record".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::kraft::control::{SnapshotFooterRecord, SnapshotHeaderRecord};

    fn header() -> Control {
        Control::Kraft(ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
            version: 0,
            last_contained_log_timestamp: 1,
            unknown_tags: Vec::new(),
        }))
    }

    fn footer() -> Control {
        Control::Kraft(ControlRecord::SnapshotFooter(SnapshotFooterRecord {
            version: 0,
            unknown_tags: Vec::new(),
        }))
    }

    #[test]
    fn snapshot_names_are_end_offset_and_epoch() {
        assert_eq!(
            snapshot_kind("00000000000000000032-0000000001"),
            Some(FileKind::KraftSnapshot {
                end_offset: 32,
                epoch: 1
            })
        );
        assert_eq!(
            snapshot_kind("7-0"),
            Some(FileKind::KraftSnapshot {
                end_offset: 7,
                epoch: 0
            })
        );
        for bad in ["", "7", "-1", "7-", "a-1", "1-b", "1-2-3", "1-99999999999"] {
            assert_eq!(snapshot_kind(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_metadata_log_is_known_by_its_folder() {
        assert!(in_metadata_log_dir(Path::new(
            "/x/broker-101/__cluster_metadata-0/00000000000000000000.log"
        )));
        assert!(!in_metadata_log_dir(Path::new(
            "/x/broker-101/demo-0/00000000000000000000.log"
        )));
        assert!(!in_metadata_log_dir(Path::new(
            "/x/__cluster_metadata-1/00000000000000000000.log"
        )));
    }

    #[test]
    fn values_that_are_not_metadata_records_say_why() {
        assert!(matches!(
            metadata_value(Some(&[1, 20, 0, 0])),
            MetadataValue::Record(_)
        ));
        assert!(matches!(metadata_value(None), MetadataValue::Invalid(_)));
        let MetadataValue::Invalid(why) = metadata_value(Some(b"hello")) else {
            panic!("text is not a metadata record");
        };
        assert!(!why.is_empty());
    }

    #[test]
    fn a_sound_snapshot_is_framed_by_header_and_footer() {
        let mut f = SnapshotFraming::default();
        assert_eq!(f.feed(0, Some(&header())), None);
        assert_eq!(f.feed(1, None), None);
        assert_eq!(f.feed(2, Some(&footer())), None);
        assert_eq!(f.finish(), None);
    }

    #[test]
    fn broken_frames_are_named() {
        let mut f = SnapshotFraming::default();
        assert!(
            f.feed(0, None)
                .unwrap()
                .contains("does not start with a SnapshotHeader")
        );
        assert!(f.finish().unwrap().contains("incomplete"));

        let mut f = SnapshotFraming::default();
        assert_eq!(f.feed(0, Some(&header())), None);
        assert!(
            f.feed(1, Some(&header()))
                .unwrap()
                .contains("second SnapshotHeader")
        );
        assert_eq!(f.feed(2, Some(&footer())), None);
        assert!(
            f.feed(3, None)
                .unwrap()
                .contains("follows the snapshot's SnapshotFooter")
        );

        assert!(
            SnapshotFraming::default()
                .finish()
                .unwrap()
                .contains("no records")
        );
    }
}
