//! Tests of the Protobuf layer. Expected bytes marked "protobuf-python" were produced by
//! protobuf 7.36.2 for Python (upb) from the same .proto text and JSON
//! (`json_format.Parse(...).SerializeToString(deterministic=True)`), in a throwaway venv.

use std::path::Path;

use serde_json::{Value, json};

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn truck() -> ProtoSchema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemas/truck_position.proto");
    ProtoSchema::compile(&path, &[], None).unwrap()
}

fn encode(schema: &ProtoSchema, v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    schema.encode_json(v, &mut out).unwrap();
    out
}

fn encode_err(schema: &ProtoSchema, v: &Value) -> String {
    let mut out = vec![0xee];
    let err = schema.encode_json(v, &mut out).unwrap_err().to_string();
    assert_eq!(out, [0xee], "a failed encode leaves the buffer as it was");
    err
}

/// Writes `files` into a new temp dir.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Compiles `text` alone as `main.proto` in memory.
fn schema(text: &str, message: Option<&str>) -> ProtoSchema {
    let src = ProtoSource {
        name: "main.proto".into(),
        text: text.into(),
        dependencies: vec![],
    };
    ProtoSchema::from_source(&src, message).unwrap()
}

const COMMON: &str = r#"syntax = "proto3";
package io.filka.common;
enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
message Point { double x = 1; double y = 2; }
"#;

const RICH: &str = r#"syntax = "proto3";
package io.filka.test;
import "common.proto";
import "google/protobuf/timestamp.proto";
message Rich {
  string name = 1;
  repeated int32 counts = 2;
  map<string, io.filka.common.Point> places = 3;
  io.filka.common.Color color = 4;
  oneof choice { string text = 5; io.filka.common.Point point = 6; }
  google.protobuf.Timestamp at = 7;
  Inner inner = 8;
  uint64 big = 9;
  sint32 neg = 10;
  bool flag = 11;
  message Inner { repeated string tags = 1; map<int32, string> by_id = 2; bytes blob = 3; }
}
message Other {
  map<string, string> labels = 1;
  message Deep { message Deeper { int32 n = 1; } Deeper deeper = 1; }
  Deep deep = 2;
}
"#;

fn rich_files() -> tempfile::TempDir {
    dir_with(&[("rich.proto", RICH), ("common.proto", COMMON)])
}

fn rich_json() -> Value {
    json!({
        "name": "n", "counts": [1, 2, -3],
        "places": {"b": {"x": 1}, "a": {"y": 2.5}},
        "color": "GREEN", "point": {"x": 3}, "at": "2023-11-14T22:13:20Z",
        "inner": {"tags": ["t1", "t2"], "byId": {"2": "two", "1": "one"}, "blob": "AAEC/w=="},
        "big": "18446744073709551615", "neg": -2, "flag": true
    })
}

// ----- the truck fixture -----

#[test]
fn truck_fixture_round_trips_in_both_spellings() {
    let s = truck();
    assert_eq!(s.full_name(), "io.filka.trucks.TruckPosition");
    assert_eq!(s.message_indexes(), [0]);
    let snake = json!({"truck_id":"truckID123","latitude":48.8566,"longitude":2.3522,
                       "speed_kmh":62.5,"recorded_at":1700000000000u64});
    let camel = json!({"truckId":"truckID123","latitude":48.8566,"longitude":2.3522,
                       "speedKmh":62.5,"recordedAt":"1700000000000"});
    let bytes = encode(&s, &snake);
    // protobuf-python
    assert_eq!(
        bytes,
        hex(
            "0a0a747275636b49443132331176e09c11a56d484019a835cd3b4ed10240\
             2500007a422880d095ffbc31"
        )
    );
    assert_eq!(encode(&s, &camel), bytes);
    // Printed per the mapping: lowerCamelCase, int64 as a string.
    assert_eq!(s.decode_json(&bytes).unwrap(), camel);
    assert_eq!(encode(&s, &s.decode_json(&bytes).unwrap()), bytes);
    // The registry's copy compiles to the same thing.
    let again = ProtoSchema::from_source(s.source().unwrap(), None).unwrap();
    assert_eq!(encode(&again, &camel), bytes);
    assert_eq!(s.source().unwrap().name, "truck_position.proto");
    assert!(s.source().unwrap().dependencies.is_empty());
}

#[test]
fn bytes_computed_by_hand_from_the_encoding_spec() {
    let s = truck();
    let bytes = encode(
        &s,
        &json!({"truck_id":"t1","latitude":1.5,"speed_kmh":2.5,"recorded_at":1700000000000u64}),
    );
    let expected = hex(concat!(
        // field 1, wire type 2 (len): key 1<<3|2 = 0a, length 2, "t1"
        "0a 02 74 31",
        // field 2, wire type 1 (64-bit): key 2<<3|1 = 11, 1.5 = 0x3FF8000000000000 little-endian
        "11 00 00 00 00 00 00 f8 3f",
        // field 3 (longitude) is 0: proto3 without presence writes nothing
        // field 4, wire type 5 (32-bit): key 4<<3|5 = 25, 2.5f = 0x40200000 little-endian
        "25 00 00 20 40",
        // field 5, wire type 0: key 5<<3 = 28; 1700000000000 in 7-bit groups from the low end
        // 0000000 1010000 0010101 1111111 0111100 110001 -> 80 d0 95 ff bc 31
        "28 80 d0 95 ff bc 31",
    ));
    assert_eq!(bytes, expected);
    // protobuf-python agrees.
    assert_eq!(
        bytes,
        hex("0a02743111000000000000f83f25000020402880d095ffbc31")
    );
}

#[test]
fn presence_decides_what_a_zero_writes() {
    let s = truck();
    // `optional float speed_kmh` has presence: 0 is written; latitude (implicit) is not.
    let bytes = encode(&s, &json!({"speedKmh": 0, "latitude": 0}));
    assert_eq!(bytes, hex("25 00000000"));
    assert_eq!(
        s.decode_json(&bytes).unwrap(),
        json!({"truckId":"","latitude":0.0,"longitude":0.0,"speedKmh":0.0,"recordedAt":"0"})
    );
    // Unset optional field: absent from the JSON, even with defaults printed.
    assert_eq!(
        s.decode_json(&[]).unwrap(),
        json!({"truckId":"","latitude":0.0,"longitude":0.0,"recordedAt":"0"})
    );
    let spec = s.clone().with_json_options(JsonOptions {
        proto_field_names: false,
        emit_defaults: false,
    });
    assert_eq!(spec.decode_json(&[]).unwrap(), json!({}));
    assert_eq!(spec.decode_json(&bytes).unwrap(), json!({"speedKmh": 0.0}));
    // null means unset, for any field.
    assert_eq!(encode(&s, &json!({"speedKmh": null, "truckId": null})), b"");
}

#[test]
fn floats_print_as_their_shortest_form() {
    let s = truck();
    let bytes = encode(&s, &json!({"speedKmh": 62.3, "latitude": 0.1}));
    let back = s.decode_json(&bytes).unwrap();
    assert_eq!(back["speedKmh"], json!(62.3));
    assert_eq!(back["latitude"], json!(0.1));
    let special = encode(
        &s,
        &json!({"speedKmh": "NaN", "latitude": "-Infinity", "longitude": "1e3"}),
    );
    let back = s.decode_json(&special).unwrap();
    assert_eq!(back["speedKmh"], json!("NaN"));
    assert_eq!(back["latitude"], json!("-Infinity"));
    assert_eq!(back["longitude"], json!(1000.0));
    assert!(encode_err(&s, &json!({"speedKmh": 1e39})).contains("out of range for float"));
    assert!(encode_err(&s, &json!({"speedKmh": "inf"})).contains("expected a number"));
}

#[test]
fn proto_field_names_option() {
    let s = truck().with_json_options(JsonOptions {
        proto_field_names: true,
        emit_defaults: true,
    });
    let bytes = encode(&s, &json!({"truckId": "a", "recordedAt": 5}));
    assert_eq!(
        s.decode_json(&bytes).unwrap(),
        json!({"truck_id":"a","latitude":0.0,"longitude":0.0,"recorded_at":"5"})
    );
    let names: Vec<String> = s.columns().into_iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "truck_id",
            "latitude",
            "longitude",
            "speed_kmh",
            "recorded_at"
        ]
    );
}

#[test]
fn integers_from_numbers_and_strings() {
    let s = truck();
    let want = encode(&s, &json!({"recordedAt": 1700000000000u64}));
    for v in [json!("1700000000000"), json!(1.7e12), json!("1.7e12")] {
        assert_eq!(encode(&s, &json!({ "recordedAt": v })), want, "{v}");
    }
    let min = encode(&s, &json!({"recordedAt": i64::MIN}));
    assert_eq!(
        s.decode_json(&min).unwrap()["recordedAt"],
        json!("-9223372036854775808")
    );
    let err = encode_err(&s, &json!({"recordedAt": "9223372036854775808"}));
    assert_eq!(
        err,
        r#"field recordedAt: "9223372036854775808" is out of range for int64"#
    );
    let err = encode_err(&s, &json!({"recordedAt": 1.5}));
    assert_eq!(
        err,
        "field recordedAt: expected an integer (int64), found 1.5"
    );
}

// ----- errors -----

#[test]
fn type_errors_name_the_field_as_given() {
    let s = truck();
    assert_eq!(
        encode_err(&s, &json!({"speedKmh": "fast"})),
        r#"field speedKmh: expected a number, found "fast""#
    );
    assert_eq!(
        encode_err(&s, &json!({"truck_id": 7})),
        "field truck_id: expected a string, found 7"
    );
    assert_eq!(
        encode_err(&s, &json!([1, 2])),
        "expected an object (message io.filka.trucks.TruckPosition), found [1,2]"
    );
}

#[test]
fn unknown_fields_are_errors_listing_the_known_ones() {
    let err = encode_err(&truck(), &json!({"truckId": "a", "speed": 3}));
    assert_eq!(
        err,
        "field speed: unknown field of io.filka.trucks.TruckPosition (its fields are truckId, \
         latitude, longitude, speedKmh, recordedAt)"
    );
    let err = encode_err(&truck(), &json!({"truck_id": "a", "truckId": "b"}));
    assert!(err.starts_with("field truck_id: given twice"), "{err}");
}

#[test]
fn nested_errors_carry_the_path() {
    let dir = rich_files();
    let s = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], Some("Rich")).unwrap();
    let cases = [
        (
            json!({"point": {"x": "far"}}),
            r#"field point.x: expected a number, found "far""#,
        ),
        (
            json!({"counts": [1, "x"]}),
            r#"field counts[1]: expected an integer (int32), found "x""#,
        ),
        (
            json!({"counts": [1, null]}),
            "field counts[1]: elements of a repeated field cannot be null",
        ),
        (
            json!({"inner": {"byId": {"x": "y"}}}),
            r#"field inner.byId["x"]: map key "x" is not a valid int32"#,
        ),
        (
            json!({"places": {"a b": {"z": 1}}}),
            r#"field places["a b"].z: unknown field of io.filka.common.Point (its fields are x, y)"#,
        ),
        (
            json!({"counts": 5}),
            "field counts: expected an array (a repeated field), found 5",
        ),
        (
            json!({"neg": 3000000000u64}),
            "field neg: 3000000000 is out of range for int32",
        ),
        (
            json!({"big": -1}),
            "field big: -1 is out of range for uint64",
        ),
        (
            json!({"flag": 1}),
            "field flag: expected true or false, found 1",
        ),
        (
            json!({"inner": {"blob": "@@"}}),
            "field inner.blob: \"@@\" is not base64: Invalid symbol 64, offset 0.",
        ),
    ];
    for (v, want) in cases {
        assert_eq!(encode_err(&s, &v), want);
    }
    let err = encode_err(&s, &json!({"color": "BLUE"}));
    assert_eq!(
        err,
        r#"field color: expected a value of enum io.filka.common.Color (COLOR_UNSPECIFIED, RED, GREEN) or its number, found "BLUE""#
    );
    let err = encode_err(&s, &json!({"at": "yesterday"}));
    assert!(
        err.starts_with("field at: not a valid google.protobuf.Timestamp (an RFC 3339"),
        "{err}"
    );
    let err = encode_err(&s, &json!({"text": "a", "point": {}}));
    assert_eq!(
        err,
        "field point: oneof choice already has text set; give at most one of its fields"
    );
}

#[test]
fn syntax_errors_say_file_line_and_column() {
    let dir = dir_with(&[(
        "bad.proto",
        "syntax = \"proto3\";\n\nmessage M {\n  int32 x = 1\n}\n",
    )]);
    let path = dir.path().join("bad.proto");
    let err = ProtoSchema::compile(&path, &[], None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}:5:1: ", path.display())),
        "names the path on disk, line and column: {err}"
    );
    assert!(err.contains("expected ';'"), "{err}");

    // In an imported file, the import's own path.
    let dir = dir_with(&[
        (
            "main.proto",
            "syntax = \"proto3\";\nimport \"dep/d.proto\";\nmessage M { D d = 1; }\n",
        ),
        (
            "dep/d.proto",
            "syntax = \"proto3\";\nmessage D { int32 = 1; }\n",
        ),
    ]);
    let err = ProtoSchema::compile(&dir.path().join("main.proto"), &[], None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{}:2:19: ",
            dir.path().join("dep/d.proto").display()
        )),
        "{err}"
    );

    // Semantic errors (unknown type) have a position too.
    let dir = dir_with(&[(
        "t.proto",
        "syntax = \"proto3\";\nmessage M {\n  Nope n = 1;\n}\n",
    )]);
    let path = dir.path().join("t.proto");
    let err = ProtoSchema::compile(&path, &[], None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}:3:3: ", path.display())),
        "{err}"
    );
    assert!(err.contains("Nope"), "{err}");

    // From a registry's source, the stored name.
    let src = ProtoSource {
        name: "stored.proto".into(),
        text: "message {".into(),
        dependencies: vec![],
    };
    let err = ProtoSchema::from_source(&src, None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("stored.proto:1:9: "), "{err}");
}

#[test]
fn missing_files_and_imports() {
    let err = ProtoSchema::compile(Path::new("/nonexistent/x.proto"), &[], None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot read /nonexistent/x.proto: "),
        "{err}"
    );
    let dir = dir_with(&[("m.proto", "syntax = \"proto3\";\nimport \"gone.proto\";\n")]);
    let err = ProtoSchema::compile(&dir.path().join("m.proto"), &[], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("import 'gone.proto' not found"), "{err}");
    assert!(err.contains(":2:1: "), "{err}");
}

#[test]
fn unknown_messages_list_what_the_file_defines() {
    let dir = rich_files();
    let path = dir.path().join("rich.proto");
    let err = ProtoSchema::compile(&path, &[], Some("Nope"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "no message \"Nope\" in rich.proto; it defines: io.filka.test.Rich, \
         io.filka.test.Rich.Inner, io.filka.test.Other, io.filka.test.Other.Deep, \
         io.filka.test.Other.Deep.Deeper"
    );
    // A message of an imported file is not this schema's.
    assert!(ProtoSchema::compile(&path, &[], Some("io.filka.common.Point")).is_err());
    let err = ProtoSchema::from_source(
        &ProtoSource {
            name: "e.proto".into(),
            text: "syntax = \"proto3\";\nenum E { A = 0; }\n".into(),
            dependencies: vec![],
        },
        None,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(err, "e.proto defines no message");
}

#[test]
fn messages_by_full_short_or_relative_name() {
    let dir = rich_files();
    let path = dir.path().join("rich.proto");
    for (name, full) in [
        ("io.filka.test.Other", "io.filka.test.Other"),
        (".io.filka.test.Other", "io.filka.test.Other"),
        ("Other", "io.filka.test.Other"),
        ("Other.Deep", "io.filka.test.Other.Deep"),
        ("Deeper", "io.filka.test.Other.Deep.Deeper"),
        ("Inner", "io.filka.test.Rich.Inner"),
    ] {
        let s = ProtoSchema::compile(&path, &[], Some(name)).unwrap();
        assert_eq!(s.full_name(), full, "{name}");
    }
}

#[test]
fn ambiguous_short_names_are_refused() {
    let src = ProtoSource {
        name: "a.proto".into(),
        text: "syntax = \"proto3\";\nmessage A { message X {} }\nmessage B { message X {} }\n"
            .into(),
        dependencies: vec![],
    };
    let err = ProtoSchema::from_source(&src, Some("X"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "message name \"X\" is ambiguous: A.X, B.X; give the full name"
    );
}

// ----- a schema with everything -----

#[test]
fn nested_repeated_maps_enums_oneof_and_timestamp() {
    let dir = rich_files();
    let s = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], None).unwrap();
    assert_eq!(s.full_name(), "io.filka.test.Rich");
    let bytes = encode(&s, &rich_json());
    // protobuf-python's bytes, except that it writes int32 map keys in the order 2, 1 (upb
    // sorts them as unsigned, descending); filka sorts keys ascending, like protobuf-java's and
    // C++'s deterministic serialization. Python parses both to equal messages.
    assert_eq!(
        bytes,
        hex(
            "0a016e120c0102fdffffffffffffffff011a0e0a016112091100000000000004401a0e0a01621209\
             09000000000000f03f200232090900000000000008403a060880e2cfaa0642200a0274310a027432\
             1207080112036f6e6512070802120374776f1a04000102ff48ffffffffffffffffff0150035801"
        )
    );
    assert_eq!(
        s.decode_json(&bytes).unwrap(),
        json!({
            "name": "n", "counts": [1, 2, -3],
            "places": {"a": {"x": 0.0, "y": 2.5}, "b": {"x": 1.0, "y": 0.0}},
            "color": "GREEN", "point": {"x": 3.0, "y": 0.0}, "at": "2023-11-14T22:13:20Z",
            "inner": {"tags": ["t1", "t2"], "byId": {"1": "one", "2": "two"}, "blob": "AAEC/w=="},
            "big": "18446744073709551615", "neg": -2, "flag": true
        })
    );
    // Same bytes every time (maps are sorted, not in hash order).
    for _ in 0..20 {
        assert_eq!(encode(&s, &rich_json()), bytes);
    }
    // Enums by number, bytes in the URL-safe alphabet without padding.
    let alt = encode(
        &s,
        &json!({"color": 2, "inner": {"blob": "AAEC_w"}, "counts": ["1"], "at": "2023-11-14T23:13:20+01:00"}),
    );
    assert_eq!(
        s.decode_json(&alt).unwrap()["inner"]["blob"],
        json!("AAEC/w==")
    );
    let back = s.decode_json(&alt).unwrap();
    assert_eq!(back["color"], json!("GREEN"));
    assert_eq!(back["at"], json!("2023-11-14T22:13:20Z"));
    // An enum number this schema does not name survives (proto3 enums are open).
    let open = encode(&s, &json!({"color": 7}));
    assert_eq!(s.decode_json(&open).unwrap()["color"], json!(7));
    assert_eq!(encode(&s, &json!({"color": "7"})), open);
}

#[test]
fn imports_compile_from_disk_and_from_the_stored_source_alike() {
    let dir = rich_files();
    let disk = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], Some("Rich")).unwrap();
    let src = disk.source().unwrap().clone();
    assert_eq!(src.name, "rich.proto");
    assert_eq!(src.text, RICH);
    // common.proto is stored; google/protobuf/timestamp.proto is protox's own.
    assert_eq!(
        src.dependencies,
        [ProtoFile {
            name: "common.proto".into(),
            text: COMMON.into()
        }]
    );
    drop(dir);
    let mem = ProtoSchema::from_source(&src, Some("Rich")).unwrap();
    assert_eq!(encode(&mem, &rich_json()), encode(&disk, &rich_json()));
    assert_eq!(mem.source(), Some(&src));
    // The source survives serde (the registry writes it as JSON).
    let text = serde_json::to_string(&src).unwrap();
    assert_eq!(serde_json::from_str::<ProtoSource>(&text).unwrap(), src);
}

#[test]
fn include_dirs_and_nested_import_paths() {
    let dir = dir_with(&[
        (
            "app/main.proto",
            "syntax = \"proto3\";\nimport \"lib/v1/point.proto\";\nmessage M { lib.v1.P p = 1; }\n",
        ),
        (
            "shared/lib/v1/point.proto",
            "syntax = \"proto3\";\npackage lib.v1;\nimport \"lib/v1/unit.proto\";\nmessage P { Unit u = 1; }\n",
        ),
        (
            "shared/lib/v1/unit.proto",
            "syntax = \"proto3\";\npackage lib.v1;\nenum Unit { M = 0; KM = 1; }\n",
        ),
    ]);
    let s = ProtoSchema::compile(
        &dir.path().join("app/main.proto"),
        &[dir.path().join("shared")],
        None,
    )
    .unwrap();
    let src = s.source().unwrap();
    assert_eq!(src.name, "main.proto");
    let names: Vec<&str> = src.dependencies.iter().map(|f| f.name.as_str()).collect();
    // Dependencies before the files that import them.
    assert_eq!(names, ["lib/v1/unit.proto", "lib/v1/point.proto"]);
    let v = json!({"p": {"u": "KM"}});
    let mem = ProtoSchema::from_source(src, None).unwrap();
    assert_eq!(encode(&mem, &v), encode(&s, &v));
    assert_eq!(encode(&s, &v), hex("0a 02 08 01"));
    // Without the include dir the import is not found.
    assert!(ProtoSchema::compile(&dir.path().join("app/main.proto"), &[], None).is_err());
}

#[test]
fn well_known_types_as_their_json_forms() {
    let s = schema(
        r#"syntax = "proto3";
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/any.proto";
message W {
  google.protobuf.Timestamp at = 1;
  google.protobuf.Duration took = 2;
  google.protobuf.Struct extra = 3;
  google.protobuf.Int64Value maybe = 4;
  google.protobuf.FloatValue ratio = 5;
  google.protobuf.Value anything = 6;
  google.protobuf.Any packed = 7;
}
"#,
        None,
    );
    let v = json!({
        "at": "1970-01-01T00:00:01.500Z", "took": "1.5s",
        "extra": {"b": [1, "x", null], "a": {"c": true}},
        "maybe": "12", "ratio": 0.1, "anything": null,
        "packed": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"}
    });
    let bytes = encode(&s, &v);
    // Timestamp {seconds: 1, nanos: 500000000}: field 1 len 7: 08 01 10 80 ca b5 ee 01
    assert!(
        bytes.starts_with(&hex("0a 08 08 01 10 80 ca b5 ee 01")),
        "{bytes:02x?}"
    );
    let back = s.decode_json(&bytes).unwrap();
    assert_eq!(
        back,
        json!({
            "at": "1970-01-01T00:00:01.500Z", "took": "1.500s",
            "extra": {"a": {"c": true}, "b": [1.0, "x", null]},
            "maybe": "12", "ratio": 0.1, "anything": null,
            "packed": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"}
        })
    );
    // A Struct's keys are written sorted, so its bytes do not change from run to run.
    for _ in 0..10 {
        assert_eq!(encode(&s, &v), bytes);
    }
    let cols = s.columns();
    let types: Vec<CellType> = cols.iter().map(|c| c.ty).collect();
    assert_eq!(
        types,
        [
            CellType::Text,
            CellType::Text,
            CellType::Json,
            CellType::Integer,
            CellType::Float,
            CellType::Json,
            CellType::Json
        ]
    );
    assert!(cols.iter().all(|c| c.nullable));
}

#[test]
fn other_message_with_map_and_deep_nesting() {
    let dir = rich_files();
    let s = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], Some("Other")).unwrap();
    let bytes = encode(
        &s,
        &json!({"labels": {"k": ""}, "deep": {"deeper": {"n": -1}}}),
    );
    // protobuf-python: a map entry keeps its empty value (12 00); -1 is 10 bytes.
    assert_eq!(bytes, hex("0a050a016b1200120d0a0b08ffffffffffffffffff01"));
    assert_eq!(
        s.decode_json(&bytes).unwrap(),
        json!({"labels": {"k": ""}, "deep": {"deeper": {"n": -1}}})
    );
}

#[test]
fn proto2_groups_required_fields_and_closed_enums() {
    let s = schema(
        r#"syntax = "proto2";
package io.filka.g;
message G {
  optional group Grp = 1 { optional int32 a = 2; }
  required string id = 3;
  optional Shade shade = 4;
  message After { optional int32 n = 1; }
}
enum Shade { DARK = 1; LIGHT = 2; }
"#,
        None,
    );
    let bytes = encode(&s, &json!({"grp": {"a": 1}, "id": "x", "shade": "LIGHT"}));
    // protobuf-python: start group 0b, field 2 = 1, end group 0c, then id and shade.
    assert_eq!(bytes, hex("0b10010c1a01782002"));
    assert_eq!(
        s.decode_json(&bytes).unwrap(),
        json!({"grp": {"a": 1}, "id": "x", "shade": "LIGHT"})
    );
    assert_eq!(
        encode_err(&s, &json!({"grp": {}})),
        "field id: required field is missing"
    );
    let err = encode_err(&s, &json!({"id": "x", "shade": 9}));
    assert!(
        err.starts_with("field shade: expected a value of enum io.filka.g.Shade"),
        "{err}"
    );
    // The group's type is not a nested message in Confluent's numbering.
    let after = ProtoSchema::from_source(s.source().unwrap(), Some("G.After")).unwrap();
    assert_eq!(after.message_indexes(), [0, 0]);
}

// ----- columns -----

#[test]
fn columns_in_declaration_order() {
    let cols = truck().columns();
    let want = [
        ("truckId", CellType::Text, false),
        ("latitude", CellType::Float, false),
        ("longitude", CellType::Float, false),
        ("speedKmh", CellType::Float, true),
        ("recordedAt", CellType::Integer, false),
    ];
    assert_eq!(cols.len(), want.len());
    for (c, (name, ty, nullable)) in cols.iter().zip(want) {
        assert_eq!((c.name.as_str(), c.ty, c.nullable), (name, ty, nullable));
    }
    // A CSV row of the fixture, through the columns, encodes like its JSON line.
    let s = truck();
    let row = ["truckID123", "48.8566", "2.3522", "", "1700000020000"];
    let mut object = serde_json::Map::new();
    for (c, cell) in cols.iter().zip(row) {
        object.insert(c.name.clone(), c.to_json(cell).unwrap());
    }
    let bytes = encode(&s, &Value::Object(object));
    assert_eq!(
        s.decode_json(&bytes).unwrap(),
        json!({"truckId":"truckID123","latitude":48.8566,"longitude":2.3522,"recordedAt":"1700000020000"})
    );

    let dir = rich_files();
    let rich = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], None).unwrap();
    let got: Vec<(String, CellType, bool)> = rich
        .columns()
        .into_iter()
        .map(|c| (c.name, c.ty, c.nullable))
        .collect();
    let want: Vec<(String, CellType, bool)> = [
        ("name", CellType::Text, false),
        ("counts", CellType::Json, true),
        ("places", CellType::Json, true),
        ("color", CellType::Text, false),
        ("text", CellType::Text, true),
        ("point", CellType::Json, true),
        ("at", CellType::Text, true),
        ("inner", CellType::Json, true),
        ("big", CellType::Integer, false),
        ("neg", CellType::Integer, false),
        ("flag", CellType::Boolean, false),
    ]
    .into_iter()
    .map(|(n, t, b)| (n.to_owned(), t, b))
    .collect();
    assert_eq!(got, want);
}

// ----- message indexes -----

#[test]
fn message_indexes_skip_map_entries() {
    let dir = rich_files();
    let path = dir.path().join("rich.proto");
    for (name, indexes) in [
        ("Rich", vec![0]),
        // Rich's nested types are [PlacesEntry, Inner] in the descriptor; Confluent counts Inner
        // as the first, since the .proto text declares no PlacesEntry.
        ("Rich.Inner", vec![0, 0]),
        ("Other", vec![1]),
        ("Other.Deep", vec![1, 0]),
        ("Other.Deep.Deeper", vec![1, 0, 0]),
    ] {
        let s = ProtoSchema::compile(&path, &[], Some(name)).unwrap();
        assert_eq!(s.message_indexes(), indexes, "{name}");
        let back = at_from_the_first_message(&s, &indexes);
        assert_eq!(back.full_name(), s.full_name(), "{indexes:?}");
        assert_eq!(back.message_indexes(), indexes);
        let mut framed = Vec::new();
        write_message_indexes(&s.message_indexes(), &mut framed);
        let (read, used) = read_message_indexes(&framed).unwrap();
        assert_eq!((read, used), (indexes.clone(), framed.len()));
    }
    let s = ProtoSchema::compile(&path, &[], None).unwrap();
    assert_eq!(s.at_indexes(&[]).unwrap().full_name(), "io.filka.test.Rich");
    assert_eq!(
        s.at_indexes(&[2]).unwrap_err().to_string(),
        "message indexes [2]: rich.proto has 2 top-level message(s), no index 2"
    );
    assert_eq!(
        s.at_indexes(&[1, 0, 0, 0]).unwrap_err().to_string(),
        "message indexes [1, 0, 0, 0]: io.filka.test.Other.Deep.Deeper has 0 nested message(s), no index 0"
    );
    assert!(s.at_indexes(&[-1]).is_err());
    // at_indexes keeps the source and the JSON options.
    let o = s.clone().with_json_options(JsonOptions {
        proto_field_names: true,
        emit_defaults: false,
    });
    let other = o.at_indexes(&[1]).unwrap();
    assert_eq!(other.source(), s.source());
    assert_eq!(other.json_options(), o.json_options());
}

fn at_from_the_first_message(s: &ProtoSchema, indexes: &[i32]) -> ProtoSchema {
    // Start from another message of the file, to show the path is file-relative.
    s.at_indexes(&[0]).unwrap().at_indexes(indexes).unwrap()
}

// ----- descriptor sets -----

#[test]
fn descriptor_sets_load_like_compiled_files() {
    let dir = rich_files();
    let mut compiler = protox::Compiler::new([dir.path()]).unwrap();
    compiler.include_imports(true);
    compiler.open_file("rich.proto").unwrap();
    let set_path = dir.path().join("rich.desc");
    std::fs::write(&set_path, compiler.encode_file_descriptor_set()).unwrap();

    let set = ProtoSchema::from_descriptor_set(&set_path, None).unwrap();
    assert_eq!(set.full_name(), "io.filka.test.Rich");
    assert!(set.source().is_none());
    let disk = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], None).unwrap();
    assert_eq!(encode(&set, &rich_json()), encode(&disk, &rich_json()));
    // Any file's messages can be picked from a set.
    let p = ProtoSchema::from_descriptor_set(&set_path, Some("Point")).unwrap();
    assert_eq!(p.full_name(), "io.filka.common.Point");
    assert_eq!(p.message_indexes(), [0]);
    let deep =
        ProtoSchema::from_descriptor_set(&set_path, Some("io.filka.test.Other.Deep")).unwrap();
    assert_eq!(deep.message_indexes(), [1, 0]);

    // Without --include_imports the set cannot be resolved; the error says what to do.
    let mut compiler = protox::Compiler::new([dir.path()]).unwrap();
    compiler.open_file("rich.proto").unwrap();
    std::fs::write(&set_path, compiler.encode_file_descriptor_set()).unwrap();
    let err = ProtoSchema::from_descriptor_set(&set_path, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("(write the set with protoc --include_imports)"),
        "{err}"
    );

    std::fs::write(&set_path, b"\x0a\x05garbage").unwrap();
    let err = ProtoSchema::from_descriptor_set(&set_path, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a valid FileDescriptorSet"), "{err}");
    let err = ProtoSchema::from_descriptor_set(&dir.path().join("none.desc"), None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot read "), "{err}");
}

// ----- decoding hostile bytes -----

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn hostile_bytes_never_panic() {
    let dir = rich_files();
    let rich = ProtoSchema::compile(&dir.path().join("rich.proto"), &[], None).unwrap();
    let good = encode(&rich, &rich_json());
    let schemas = [rich.clone(), rich.at_indexes(&[1]).unwrap(), truck()];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for len in 0..good.len() {
        inputs.push(good[..len].to_vec());
    }
    for _ in 0..3000 {
        let mut b = good.clone();
        for _ in 0..(rng.next() % 4 + 1) {
            let i = (rng.next() as usize) % b.len();
            b[i] ^= 1 << (rng.next() % 8);
        }
        inputs.push(b);
        let len = (rng.next() % 64) as usize;
        inputs.push((0..len).map(|_| rng.next() as u8).collect());
    }
    // Lengths far past the end, and deep nesting.
    inputs.push(hex("1a ff ff ff ff 0f"));
    inputs.push(hex("42 80 80 80 80 80 80 80 80 80 01"));
    inputs.push([0x42, 0x7f].repeat(200));
    let mut ok = 0;
    for input in &inputs {
        for s in &schemas {
            if let Ok(v) = s.decode_json(input) {
                ok += 1;
                // What decodes also encodes again.
                let mut out = Vec::new();
                s.encode_json(&v, &mut out).unwrap();
            }
        }
    }
    assert!(ok > 0);
    let err = truck()
        .decode_json(&hex("0a 05 61"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("not a valid io.filka.trucks.TruckPosition value: "),
        "{err}"
    );
}

#[test]
fn recursion_is_bounded_both_ways() {
    let s = schema(
        "syntax = \"proto3\";\nmessage Node { Node next = 1; int32 v = 2; }\n",
        None,
    );
    let mut v = json!({"v": 1});
    for _ in 0..150 {
        v = json!({ "next": v });
    }
    let err = encode_err(&s, &v);
    assert!(err.contains("nested more than 100 deep"), "{err}");
    // 150 nested empty messages on the wire: prost's recursion limit, an error.
    let mut bytes = Vec::new();
    for _ in 0..150 {
        let mut outer = vec![0x0a];
        outer.push(bytes.len() as u8);
        if bytes.len() >= 0x80 {
            // keep the varint valid for longer payloads
            outer.pop();
            let mut n = bytes.len();
            while n >= 0x80 {
                outer.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            outer.push(n as u8);
        }
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    assert!(s.decode_json(&bytes).is_err());
    // Unknown fields in the bytes are skipped.
    assert_eq!(
        s.decode_json(&hex("10 05 f8 01 07")).unwrap(),
        json!({"v": 5})
    );
}

#[test]
fn schemas_and_errors_cross_threads() {
    // consume may decode on worker threads; anyhow needs Send + Sync + 'static errors.
    fn check<T: Send + Sync + 'static>() {}
    check::<ProtoSchema>();
    check::<ProtoError>();
}

#[test]
fn schema_debug_is_short() {
    let text = format!("{:?}", truck());
    assert!(text.contains("io.filka.trucks.TruckPosition"), "{text}");
    assert!(text.len() < 300, "{text}");
}
