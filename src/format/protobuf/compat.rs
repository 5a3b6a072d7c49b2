//! Confluent's Protobuf compatibility rules: can data written with one schema be read with
//! another?
//!
//! Owns: [`can_read`], a port of the incompatible cases of Confluent's schema diff
//! (`io.confluent.kafka.schemaregistry.protobuf.diff.SchemaDiff`, `MessageSchemaDiff`,
//! `FieldSchemaDiff` in confluentinc/schema-registry, read at commit 794611bd of 2026-08). Like
//! Confluent it compares the whole main file of each schema, not only the chosen message:
//!
//! - the package changed;
//! - a message of the writer's file is missing from the reader's (messages are matched by
//!   name, level by level; moving one is fine, as indexes are per schema id);
//! - a field (matched by number) changed kind (scalar, message, map), or scalar type outside
//!   the wire-compatible groups {int32, uint32, int64, uint64, bool, enums},
//!   {sint32, sint64}, {fixed32, sfixed32}, {fixed64, sfixed64}, {string, bytes}, and
//!   {float}, {double} alone;
//! - a numeric field's label changed between optional, required and repeated (string and
//!   bytes may change: their wire form is the same; proto3 fields with no label are not
//!   compared, as Confluent's parser gives them none);
//! - a message-typed field names another type (compared without package, so a type moved to
//!   another package with the same shape is fine), or its type changed incompatibly;
//! - a map's key or value type changed as above;
//! - a required field was added or removed (proto2);
//! - a member of a oneof was removed while the oneof or other members remain;
//! - fields that were independent became members of one oneof (one field moving into a new
//!   oneof is fine; moving out of a oneof is fine).
//!
//! Adding or removing optional fields, renaming fields, messages added, and every enum change
//! are compatible, as in Confluent.
//!
//! Must not: know about subjects, versions or compatibility levels; the registry calls this
//! once per direction (BACKWARD: `can_read(new, old)`, FORWARD: `can_read(old, new)`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use prost_reflect::{
    Cardinality, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor, Syntax,
};

use super::{ProtoSchema, counted_messages};

/// Can data written with `writer` be read with `reader`? Err lists the problems ("; "
/// between them), naming message and field.
pub fn can_read(reader: &ProtoSchema, writer: &ProtoSchema) -> Result<(), String> {
    let old = writer.desc.parent_file();
    let new = reader.desc.parent_file();
    let mut diff = Diff::default();
    if old.package_name() != new.package_name() {
        diff.problems.push(format!(
            "package changed from {} to {}",
            package_text(old.package_name()),
            package_text(new.package_name())
        ));
    }
    diff.compare_levels(&old, None, &new, None);
    if diff.problems.is_empty() {
        Ok(())
    } else {
        Err(diff.problems.join("; "))
    }
}

fn package_text(p: &str) -> String {
    if p.is_empty() {
        "(none)".to_owned()
    } else {
        format!("{p:?}")
    }
}

/// A field's label as Confluent's .proto parser (Wire) records it: none for proto3 fields
/// without one and for oneof members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Optional,
    Required,
    Repeated,
}

fn label(f: &FieldDescriptor) -> Option<Label> {
    match f.cardinality() {
        Cardinality::Repeated => Some(Label::Repeated),
        Cardinality::Required => Some(Label::Required),
        Cardinality::Optional => {
            if f.field_descriptor_proto().proto3_optional() {
                Some(Label::Optional)
            } else if real_oneof(f).is_some() || f.parent_file().syntax() == Syntax::Proto3 {
                None
            } else {
                Some(Label::Optional)
            }
        }
    }
}

/// The oneof a field is declared in; proto3 `optional` makes a synthetic one that the .proto
/// text does not have.
fn real_oneof(f: &FieldDescriptor) -> Option<String> {
    f.containing_oneof()
        .filter(|o| !o.is_synthetic())
        .map(|o| o.name().to_owned())
}

/// The wire-compatible groups of scalar types (and enums, read as int32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Varint,
    Zigzag,
    Fixed32,
    Fixed64,
    Float,
    Double,
    Text,
}

/// What a field holds, with a map's entry taken apart as Confluent's parser sees it.
enum Shape {
    Scalar(Kind),
    Message(MessageDescriptor),
    Map(Kind, Kind),
}

impl Shape {
    fn of(f: &FieldDescriptor) -> Shape {
        match f.kind() {
            Kind::Message(m) if f.is_map() => Shape::Map(
                m.map_entry_key_field().kind(),
                m.map_entry_value_field().kind(),
            ),
            kind => Shape::of_kind(kind),
        }
    }

    fn of_kind(kind: Kind) -> Shape {
        match kind {
            Kind::Message(m) => Shape::Message(m),
            other => Shape::Scalar(other),
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Shape::Scalar(_) => "a scalar",
            Shape::Message(_) => "a message",
            Shape::Map(..) => "a map",
        }
    }
}

fn group(kind: &Kind) -> Group {
    match kind {
        Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 | Kind::Bool | Kind::Enum(_) => {
            Group::Varint
        }
        Kind::Sint32 | Kind::Sint64 => Group::Zigzag,
        Kind::Fixed32 | Kind::Sfixed32 => Group::Fixed32,
        Kind::Fixed64 | Kind::Sfixed64 => Group::Fixed64,
        Kind::Float => Group::Float,
        Kind::Double => Group::Double,
        Kind::String | Kind::Bytes | Kind::Message(_) => Group::Text,
    }
}

fn type_name(kind: &Kind) -> String {
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Enum(e) => format!("enum {}", e.full_name()),
        Kind::Message(m) => m.full_name().to_owned(),
    }
}

fn label_text(l: Option<Label>) -> &'static str {
    match l {
        None => "no label",
        Some(Label::Optional) => "optional",
        Some(Label::Required) => "required",
        Some(Label::Repeated) => "repeated",
    }
}

/// A message's name without its file's package: how Confluent matches a field's type when the
/// package around it changed.
fn local_name(m: &MessageDescriptor) -> &str {
    let package = m.package_name();
    if package.is_empty() {
        m.full_name()
    } else {
        m.full_name()
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(m.full_name())
    }
}

#[derive(Default)]
struct Diff {
    problems: Vec<String>,
    /// (writer's message, reader's message) -> compatible. Entered as `true` before the
    /// comparison so that recursive types end (Confluent's diff skips a message it is already
    /// inside), and so that each pair reports its problems once.
    done: HashMap<(String, String), bool>,
}

impl Diff {
    /// Compares the messages at one level of two files (top level when the parents are None),
    /// matched by name. True when compatible.
    fn compare_levels(
        &mut self,
        old_file: &FileDescriptor,
        old_parent: Option<&MessageDescriptor>,
        new_file: &FileDescriptor,
        new_parent: Option<&MessageDescriptor>,
    ) -> bool {
        let new_level: BTreeMap<String, MessageDescriptor> = counted_messages(new_file, new_parent)
            .into_iter()
            .map(|m| (m.name().to_owned(), m))
            .collect();
        let mut ok = true;
        for old in counted_messages(old_file, old_parent) {
            match new_level.get(old.name()) {
                None => {
                    self.problems
                        .push(format!("message {} was removed", old.full_name()));
                    ok = false;
                }
                Some(new) => ok &= self.compare_messages(&old, new),
            }
        }
        ok
    }

    /// Compares two messages (their fields, then their nested messages). True when compatible.
    fn compare_messages(&mut self, old: &MessageDescriptor, new: &MessageDescriptor) -> bool {
        let key = (old.full_name().to_owned(), new.full_name().to_owned());
        if let Some(&ok) = self.done.get(&key) {
            return ok;
        }
        self.done.insert(key.clone(), true);
        let before = self.problems.len();
        let mut ok = self.compare_fields(old, new);
        ok &= self.compare_levels(&old.parent_file(), Some(old), &new.parent_file(), Some(new));
        ok &= self.problems.len() == before;
        self.done.insert(key, ok);
        ok
    }

    fn compare_fields(&mut self, old: &MessageDescriptor, new: &MessageDescriptor) -> bool {
        let old_fields: BTreeMap<u32, FieldDescriptor> =
            old.fields().map(|f| (f.number(), f)).collect();
        let new_fields: BTreeMap<u32, FieldDescriptor> =
            new.fields().map(|f| (f.number(), f)).collect();
        let old_oneof = |n: u32| old_fields.get(&n).and_then(real_oneof);
        let new_oneof = |n: u32| new_fields.get(&n).and_then(real_oneof);
        let mut ok = true;
        let at = |f: &FieldDescriptor| {
            format!("{} field {} ({})", old.full_name(), f.number(), f.name())
        };

        // A oneof gone by name with none of its members left anywhere was deleted as a whole:
        // like removing fields, that is compatible.
        let new_oneof_names: BTreeSet<String> = new
            .oneofs()
            .filter(|o| !o.is_synthetic())
            .map(|o| o.name().to_owned())
            .collect();
        let deleted: BTreeSet<String> = old
            .oneofs()
            .filter(|o| !o.is_synthetic() && !new_oneof_names.contains(o.name()))
            .filter(|o| o.fields().all(|f| !new_fields.contains_key(&f.number())))
            .map(|o| o.name().to_owned())
            .collect();

        // Fields that could all be set at once before must not become exclusive now: a oneof
        // whose members come from more than one place (a top-level field, or another oneof).
        for oneof in new.oneofs().filter(|o| !o.is_synthetic()) {
            let mut origins = BTreeSet::new();
            for f in oneof.fields() {
                if let Some(before) = old_oneof(f.number()) {
                    origins.insert(format!("oneof {before}"));
                } else if let Some(before) = old_fields.get(&f.number()) {
                    origins.insert(format!("field {} ({})", f.number(), before.name()));
                }
            }
            if origins.len() > 1 {
                let origins: Vec<String> = origins.into_iter().collect();
                self.problems.push(format!(
                    "{} oneof {}: makes fields exclusive that could be set together before \
                     ({})",
                    old.full_name(),
                    oneof.name(),
                    origins.join(", ")
                ));
                ok = false;
            }
        }

        let numbers: BTreeSet<u32> = old_fields
            .keys()
            .chain(new_fields.keys())
            .copied()
            .collect();
        for n in numbers {
            match (old_fields.get(&n), new_fields.get(&n)) {
                (Some(o), None) => {
                    if let Some(oneof) = old_oneof(n) {
                        if !deleted.contains(&oneof) {
                            self.problems.push(format!(
                                "{}: removed from oneof {oneof} while other members remain",
                                at(o)
                            ));
                            ok = false;
                        }
                    } else if o.is_required() {
                        self.problems
                            .push(format!("{}: required field removed", at(o)));
                        ok = false;
                    }
                }
                (None, Some(f)) => {
                    if new_oneof(n).is_none() && f.is_required() {
                        self.problems.push(format!(
                            "{} field {} ({}): required field added",
                            old.full_name(),
                            n,
                            f.name()
                        ));
                        ok = false;
                    }
                }
                (Some(o), Some(f)) => {
                    let where_ = at(o);
                    ok &= self.compare_shapes(
                        &where_,
                        label(o),
                        label(f),
                        Shape::of(o),
                        Shape::of(f),
                    );
                }
                (None, None) => {}
            }
        }
        ok
    }

    /// Confluent's `compareLabelsAndTypes`. `at` names the field for messages.
    fn compare_shapes(
        &mut self,
        at: &str,
        old_label: Option<Label>,
        new_label: Option<Label>,
        old: Shape,
        new: Shape,
    ) -> bool {
        match (old, new) {
            (Shape::Scalar(o), Shape::Scalar(n)) => {
                let g = group(&o);
                if g != group(&n) {
                    self.problems.push(format!(
                        "{at}: type changed from {} to {}, which reads its bytes differently",
                        type_name(&o),
                        type_name(&n)
                    ));
                    return false;
                }
                if let (Some(ol), Some(nl)) = (old_label, new_label)
                    && ol != nl
                    && g != Group::Text
                {
                    self.problems.push(format!(
                        "{at}: label changed from {} to {}",
                        label_text(old_label),
                        label_text(new_label)
                    ));
                    return false;
                }
                true
            }
            (Shape::Message(o), Shape::Message(n)) => {
                if local_name(&o) != local_name(&n) {
                    self.problems.push(format!(
                        "{at}: type changed from message {} to message {}",
                        o.full_name(),
                        n.full_name()
                    ));
                    return false;
                }
                if !self.compare_messages(&o, &n) {
                    self.problems.push(format!(
                        "{at}: its type {} changed incompatibly",
                        o.full_name()
                    ));
                    return false;
                }
                true
            }
            (Shape::Map(ok, ov), Shape::Map(nk, nv)) => {
                let keys = self.compare_shapes(
                    &format!("{at} (map key)"),
                    None,
                    None,
                    Shape::of_kind(ok),
                    Shape::of_kind(nk),
                );
                let values = self.compare_shapes(
                    &format!("{at} (map value)"),
                    None,
                    None,
                    Shape::of_kind(ov),
                    Shape::of_kind(nv),
                );
                keys && values
            }
            (o, n) => {
                let describe = |s: &Shape| match s {
                    Shape::Scalar(k) => format!("{} {}", s.class(), type_name(k)),
                    Shape::Message(m) => format!("{} {}", s.class(), m.full_name()),
                    Shape::Map(..) => s.class().to_owned(),
                };
                self.problems.push(format!(
                    "{at}: changed from {} to {}",
                    describe(&o),
                    describe(&n)
                ));
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::protobuf::{ProtoFile, ProtoSource};

    /// Compiles `text` alone as `main.proto` in memory.
    fn schema(text: &str) -> ProtoSchema {
        let src = ProtoSource {
            name: "main.proto".into(),
            text: text.into(),
            dependencies: vec![],
        };
        ProtoSchema::from_source(&src, None).unwrap()
    }

    fn compat(reader: &str, writer: &str) -> Result<(), String> {
        can_read(&schema(reader), &schema(writer))
    }

    const V1: &str =
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  int32 b = 2;\n}\n";

    #[test]
    fn adding_or_removing_a_field_is_compatible_both_ways() {
        let v2 = "syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  int32 b = 2;\n  double c = 3;\n}\n";
        assert_eq!(compat(v2, V1), Ok(()));
        assert_eq!(compat(V1, v2), Ok(()));
        assert_eq!(compat(V1, V1), Ok(()));
    }

    #[test]
    fn incompatible_type_changes_are_refused() {
        let v2 =
            "syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  string b = 2;\n}\n";
        let want =
            "p.M field 2 (b): type changed from int32 to string, which reads its bytes differently";
        assert_eq!(compat(v2, V1), Err(want.to_owned()));
        assert_eq!(
            compat(V1, v2),
            Err(
                "p.M field 2 (b): type changed from string to int32, which reads its bytes differently"
                    .to_owned()
            )
        );
        // Within a group: fine.
        let widened = V1
            .replace("int32 b", "int64 b")
            .replace("string a", "bytes a");
        assert_eq!(compat(&widened, V1), Ok(()));
        let zigzag = V1.replace("int32 b", "sint32 b");
        assert!(compat(&zigzag, V1).is_err());
    }

    #[test]
    fn removing_a_message_is_refused() {
        let two = "syntax = \"proto3\";\npackage p;\nmessage M { int32 b = 2; }\nmessage N { int32 x = 1; }\n";
        let one = "syntax = \"proto3\";\npackage p;\nmessage M { int32 b = 2; }\n";
        assert_eq!(compat(one, two), Err("message p.N was removed".to_owned()));
        // Adding one is fine; so is reordering (indexes belong to a schema id).
        assert_eq!(compat(two, one), Ok(()));
        let swapped = "syntax = \"proto3\";\npackage p;\nmessage N { int32 x = 1; }\nmessage M { int32 b = 2; }\n";
        assert_eq!(compat(swapped, two), Ok(()));
    }

    #[test]
    fn confluent_rules_beyond_the_basics() {
        let p3 = |body: &str| format!("syntax = \"proto3\";\npackage p;\n{body}\n");
        let p2 = |body: &str| format!("syntax = \"proto2\";\npackage p;\n{body}\n");
        let refused = |reader: &str, writer: &str, what: &str| {
            let err = compat(reader, writer).unwrap_err();
            assert!(err.contains(what), "{err}");
        };
        // Package.
        refused(
            &V1.replace("package p;", "package q;"),
            V1,
            "package changed from \"p\" to \"q\"",
        );
        // Label of a number: optional -> repeated; of a string: fine.
        refused(
            &p3("message M { repeated int32 x = 1; }"),
            &p3("message M { optional int32 x = 1; }"),
            "label changed from optional to repeated",
        );
        assert_eq!(
            compat(
                &p3("message M { repeated string x = 1; }"),
                &p3("message M { optional string x = 1; }")
            ),
            Ok(())
        );
        // Message kind vs scalar.
        refused(
            &p3("message M { T x = 1; }\nmessage T {}"),
            &p3("message M { int32 x = 1; }"),
            "changed from a scalar int32 to a message p.T",
        );
        // Named type.
        refused(
            &p3("message M { B x = 1; }\nmessage A {}\nmessage B {}"),
            &p3("message M { A x = 1; }\nmessage A {}\nmessage B {}"),
            "type changed from message p.A to message p.B",
        );
        // The referenced type changed incompatibly.
        refused(
            &p3("message M { T x = 1; }\nmessage T { string v = 1; }"),
            &p3("message M { T x = 1; }\nmessage T { int32 v = 1; }"),
            "p.M field 1 (x): its type p.T changed incompatibly",
        );
        // Maps.
        refused(
            &p3("message M { map<string, string> m = 1; }"),
            &p3("message M { map<string, int32> m = 1; }"),
            "p.M field 1 (m) (map value): type changed from int32 to string",
        );
        // Enums read as int32, both ways; enum values may change.
        assert_eq!(
            compat(
                &p3("message M { E x = 1; }\nenum E { A = 0; }"),
                &p3("message M { int32 x = 1; }")
            ),
            Ok(())
        );
        assert_eq!(
            compat(
                &p3("message M { int64 x = 1; }"),
                &p3("message M { E x = 1; }\nenum E { A = 0; B = 1; }")
            ),
            Ok(())
        );
        // proto2 required fields.
        refused(
            &p2("message M { optional string a = 1; required string b = 2; }"),
            &p2("message M { optional string a = 1; }"),
            "p.M field 2 (b): required field added",
        );
        refused(
            &p2("message M { optional string a = 1; }"),
            &p2("message M { optional string a = 1; required string b = 2; }"),
            "p.M field 2 (b): required field removed",
        );
        // Oneofs: one field moving into a new oneof is fine, two are not; a member removed while
        // the oneof stays is not; moving out to the top level is fine.
        let two_fields = p3("message M { string a = 1; string b = 2; }");
        assert_eq!(
            compat(
                &p3("message M { string a = 1; oneof o { string b = 2; int32 c = 3; } }"),
                &two_fields
            ),
            Ok(())
        );
        refused(
            &p3("message M { oneof o { string a = 1; string b = 2; } }"),
            &two_fields,
            "p.M oneof o: makes fields exclusive that could be set together before (field 1 (a), field 2 (b))",
        );
        refused(
            &p3("message M { oneof o { string a = 1; } }"),
            &p3("message M { oneof o { string a = 1; string b = 2; } }"),
            "p.M field 2 (b): removed from oneof o while other members remain",
        );
        refused(
            &p3("message M { string a = 1; oneof o { string b = 2; string c = 3; } }"),
            &p3("message M { string a = 1; oneof o { string b = 2; } string c = 3; }"),
            "p.M oneof o: makes fields exclusive that could be set together before (field 3 (c), oneof o)",
        );
        assert_eq!(
            compat(
                &p3("message M { oneof o { int32 a = 1; } int32 b = 2; }"),
                &p3("message M { oneof o { int32 a = 1; int32 b = 2; } }")
            ),
            Ok(())
        );
        // A whole oneof deleted is like deleting its fields.
        assert_eq!(
            compat(
                &p3("message M { int32 z = 9; }"),
                &p3("message M { int32 z = 9; oneof o { int32 a = 1; } }")
            ),
            Ok(())
        );
        // Nested messages are compared by name, and problems name the nested message.
        refused(
            &p3("message M { message I { string v = 1; } }"),
            &p3("message M { message I { int32 v = 1; } }"),
            "p.M.I field 1 (v): type changed from int32 to string",
        );
        refused(
            &p3("message M { }"),
            &p3("message M { message I { } }"),
            "message p.M.I was removed",
        );
        // A recursive type terminates.
        assert_eq!(
            compat(
                &p3("message M { M next = 1; int64 v = 2; }"),
                &p3("message M { M next = 1; int32 v = 2; }")
            ),
            Ok(())
        );
        // Several problems are all listed.
        let err = compat(
            &p3("message M { string a = 1; string b = 2; }"),
            &p3("message M { int32 a = 1; int32 b = 2; }"),
        )
        .unwrap_err();
        assert_eq!(err.matches("; ").count(), 1, "{err}");
    }

    #[test]
    fn compatibility_across_imports() {
        // Confluent: a referenced type may move to another package if its shape stays.
        let dep = |pkg: &str, ty: &str| ProtoFile {
            name: "dep.proto".into(),
            text: format!(
                "syntax = \"proto3\";\npackage {pkg};\nmessage Home {{ {ty} id = 1; bool on = 2; }}\n"
            ),
        };
        let main = |pkg: &str| {
            format!(
                "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage T {{ {pkg}.Home h = 1; }}\n"
            )
        };
        let build = |pkg: &str, ty: &str| {
            ProtoSchema::from_source(
                &ProtoSource {
                    name: "main.proto".into(),
                    text: main(pkg),
                    dependencies: vec![dep(pkg, ty)],
                },
                None,
            )
            .unwrap()
        };
        assert_eq!(can_read(&build("b", "int32"), &build("a", "int32")), Ok(()));
        let err = can_read(&build("b", "string"), &build("a", "int32")).unwrap_err();
        assert_eq!(
            err,
            "a.Home field 1 (id): type changed from int32 to string, which reads its bytes differently; \
             T field 1 (h): its type a.Home changed incompatibly"
        );
    }
}
