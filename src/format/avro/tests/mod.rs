//! Tests of the Avro layer. Here: the helpers, hand-computed bytes from the spec, the truck
//! fixture and round trips of every type, with apache-avro as the byte oracle (it must read
//! what we write completely and write it back the same). Submodules: error messages and
//! hostile datums, schema resolution, the container file.

mod container;
mod errors;
mod resolution;

use super::*;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::writer::datum::GenericDatumWriter;
use serde_json::json;

fn schema(text: &str) -> AvroSchema {
    AvroSchema::parse(text).unwrap()
}

fn enc(s: &AvroSchema, v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    s.encode_json(v, &mut out).unwrap();
    out
}

fn enc_err(s: &AvroSchema, v: &Value) -> String {
    let mut out = vec![7];
    let e = s.encode_json(v, &mut out).unwrap_err().to_string();
    assert_eq!(out, [7], "a failed encode leaves the buffer as it was");
    e
}

fn dec(s: &AvroSchema, b: &[u8]) -> Value {
    s.decode_json(b, None).unwrap()
}

/// apache-avro reads our bytes completely, and writes the value it read back as the same
/// bytes: our encoding is byte-exact Avro.
fn oracle(s: &AvroSchema, bytes: &[u8]) {
    let reader = GenericDatumReader::builder(s.schema()).build().unwrap();
    let mut input = bytes;
    let value = reader.read_value(&mut input).unwrap();
    assert!(input.is_empty(), "apache-avro left {} bytes", input.len());
    let writer = GenericDatumWriter::builder(s.schema()).build().unwrap();
    let again = writer.write_value_to_vec(value).unwrap();
    if again != bytes {
        // apache-avro holds maps in a HashMap, so it may write their entries in another
        // order: then the values must agree.
        assert_eq!(
            dec(s, &again),
            dec(s, bytes),
            "apache-avro wrote other bytes"
        );
    }
}

/// JSON -> bytes -> JSON gives the input back, apache-avro agrees on the bytes, and the
/// decoded JSON encodes to the same bytes.
fn round_trip(s: &AvroSchema, v: Value) -> Vec<u8> {
    let bytes = enc(s, &v);
    oracle(s, &bytes);
    let back = dec(s, &bytes);
    assert_eq!(back, v, "decoded JSON differs");
    assert_eq!(enc(s, &back), bytes);
    bytes
}

const TRUCK: &str = include_str!("../../../../fixtures/schemas/truck_position.avsc");

fn truck() -> AvroSchema {
    schema(TRUCK)
}

// ---- bytes computed by hand from the spec ----

#[test]
fn primitive_bytes_by_hand() {
    // zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -64 -> 127, 64 -> 128 = 0x80 0x01.
    for (n, bytes) in [
        (0i64, vec![0x00]),
        (-1, vec![0x01]),
        (1, vec![0x02]),
        (-64, vec![0x7f]),
        (64, vec![0x80, 0x01]),
        (-8193, vec![0x81, 0x80, 0x01]),
    ] {
        assert_eq!(enc(&schema(r#""long""#), &json!(n)), bytes, "{n}");
        assert_eq!(enc(&schema(r#""int""#), &json!(n)), bytes, "{n}");
    }
    let max = enc(&schema(r#""long""#), &json!(i64::MAX));
    assert_eq!(
        max,
        [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(dec(&schema(r#""long""#), &max), json!(i64::MAX));
    let min = enc(&schema(r#""long""#), &json!(i64::MIN));
    assert_eq!(
        min,
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(dec(&schema(r#""long""#), &min), json!(i64::MIN));
    // A string is its byte length (zigzag) and UTF-8 bytes: "foo" = 06 66 6f 6f.
    assert_eq!(enc(&schema(r#""string""#), &json!("foo")), b"\x06foo");
    assert_eq!(enc(&schema(r#""boolean""#), &json!(true)), [1]);
    assert_eq!(enc(&schema(r#""null""#), &json!(null)), [] as [u8; 0]);
    // float 1.0 = 0x3f800000 little-endian; double 1.0 = 0x3ff0000000000000.
    assert_eq!(enc(&schema(r#""float""#), &json!(1.0)), [0, 0, 0x80, 0x3f]);
    assert_eq!(
        enc(&schema(r#""double""#), &json!(1)),
        [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]
    );
    // bytes "\u00ff\u0001": length 2 (0x04), then ff 01.
    assert_eq!(
        enc(&schema(r#""bytes""#), &json!("\u{ff}\u{1}")),
        [4, 0xff, 1]
    );
}

#[test]
fn complex_bytes_by_hand() {
    // Array [1, 2] of int: one block of 2 items (0x04), 1 (0x02), 2 (0x04), end (0x00).
    let a = schema(r#"{"type":"array","items":"int"}"#);
    assert_eq!(enc(&a, &json!([1, 2])), [4, 2, 4, 0]);
    assert_eq!(enc(&a, &json!([])), [0]);
    // Map {"a": 1} of long: block of 1, key "a" (02 61), value 1 (02), end.
    let m = schema(r#"{"type":"map","values":"long"}"#);
    assert_eq!(enc(&m, &json!({"a": 1})), [2, 2, b'a', 2, 0]);
    // Union ["null","string"]: branch index, then the value.
    let u = schema(r#"["null","string"]"#);
    assert_eq!(enc(&u, &json!(null)), [0]);
    assert_eq!(enc(&u, &json!("a")), [2, 2, b'a']);
    assert_eq!(enc(&u, &json!({"string": "a"})), [2, 2, b'a']);
    // Enum: the symbol's index.
    let e = schema(r#"{"type":"enum","name":"C","symbols":["R","G","B"]}"#);
    assert_eq!(enc(&e, &json!("B")), [4]);
    // Fixed: the bytes alone.
    let f = schema(r#"{"type":"fixed","name":"F","size":2}"#);
    assert_eq!(enc(&f, &json!("ab")), b"ab");
}

#[test]
fn truck_bytes_by_hand() {
    let t = truck();
    let mut want = vec![0x14]; // "truckID123" has 10 bytes: zigzag 20
    want.extend_from_slice(b"truckID123");
    want.extend_from_slice(&[0x76, 0xe0, 0x9c, 0x11, 0xa5, 0x6d, 0x48, 0x40]); // 48.8566
    want.extend_from_slice(&[0xa8, 0x35, 0xcd, 0x3b, 0x4e, 0xd1, 0x02, 0x40]); // 2.3522
    want.extend_from_slice(&[0x02, 0x00, 0x00, 0x7a, 0x42]); // branch 1, float 62.5
    // 1700000000000 zigzag = 3400000000000; in 7-bit groups, low first:
    // 0x00 0x20 0x2b 0x7e 0x79 0x62, continuation bit on all but the last.
    want.extend_from_slice(&[0x80, 0xa0, 0xab, 0xfe, 0xf9, 0x62]);
    let v = json!({"truck_id":"truckID123","latitude":48.8566,"longitude":2.3522,
                   "speed_kmh":62.5,"recorded_at":1700000000000i64});
    assert_eq!(round_trip(&t, v), want);
}

// ---- the truck fixture ----

#[test]
fn truck_union_forms() {
    let t = truck();
    let bare = json!({"truck_id":"t","latitude":1.5,"longitude":-2.25,"speed_kmh":62.5,
                      "recorded_at":1});
    let wrapped = json!({"truck_id":"t","latitude":1.5,"longitude":-2.25,
                         "speed_kmh":{"float":62.5},"recorded_at":1});
    let bytes = round_trip(&t, bare.clone());
    assert_eq!(enc(&t, &wrapped), bytes);
    assert_eq!(dec(&t, &enc(&t, &wrapped)), bare);

    let null = json!({"truck_id":"t","latitude":1.5,"longitude":-2.25,"speed_kmh":null,
                      "recorded_at":1});
    let nb = round_trip(&t, null.clone());
    // Missing speed_kmh takes its default, null.
    let missing = json!({"truck_id":"t","latitude":1.5,"longitude":-2.25,"recorded_at":1});
    assert_eq!(enc(&t, &missing), nb);
    assert_eq!(t.name(), "io.filka.trucks.TruckPosition");
    assert_eq!(t.text(), TRUCK);
    assert_eq!(
        t.canonical(),
        r#"{"name":"io.filka.trucks.TruckPosition","type":"record","fields":[{"name":"truck_id","type":"string"},{"name":"latitude","type":"double"},{"name":"longitude","type":"double"},{"name":"speed_kmh","type":["null","float"]},{"name":"recorded_at","type":"long"}]}"#
    );
    // apache-avro's own canonical form keeps {"type":"long"} for a logical type, against
    // the spec's [PRIMITIVE] rule (Java writes "long"): ours is written from the nodes.
}

#[test]
fn truck_columns() {
    let cols = truck().columns().unwrap();
    let got: Vec<(&str, CellType, bool)> = cols
        .iter()
        .map(|c| (c.name.as_str(), c.ty, c.nullable))
        .collect();
    assert_eq!(
        got,
        [
            ("truck_id", CellType::Text, false),
            ("latitude", CellType::Float, false),
            ("longitude", CellType::Float, false),
            ("speed_kmh", CellType::Float, true),
            ("recorded_at", CellType::Integer, false),
        ]
    );
    assert!(schema(r#""string""#).columns().is_none());
    let mixed = schema(
        r#"{"type":"record","name":"R","fields":[
            {"name":"u","type":["int","string"]},
            {"name":"n","type":["null","int","string"]},
            {"name":"a","type":{"type":"array","items":"int"}},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},
            {"name":"b","type":"boolean"}]}"#,
    );
    let tys: Vec<(CellType, bool)> = mixed
        .columns()
        .unwrap()
        .iter()
        .map(|c| (c.ty, c.nullable))
        .collect();
    assert_eq!(
        tys,
        [
            (CellType::Json, false),
            (CellType::Json, true),
            (CellType::Json, false),
            (CellType::Text, false),
            (CellType::Boolean, false),
        ]
    );
}

// ---- round trips of every type ----

const ALL: &str = r#"{
  "type": "record", "name": "All", "namespace": "t",
  "fields": [
    {"name": "n", "type": "null"},
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"},
    {"name": "s", "type": "string"},
    {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
    {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
    {"name": "a", "type": {"type": "array", "items": "string"}},
    {"name": "m", "type": {"type": "map", "values": ["null", "double"]}},
    {"name": "nested", "type": {"type": "record", "name": "Pos", "fields": [
        {"name": "lat", "type": "double"},
        {"name": "inner", "type": {"type": "record", "name": "In", "fields": [
            {"name": "tags", "type": {"type": "array", "items": "Color"}}]}}]}},
    {"name": "u", "type": ["null", "string", "Pos", "Four", {"type": "array", "items": "int"}]},
    {"name": "again", "type": "Pos"},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "date", "type": {"type": "int", "logicalType": "date"}},
    {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
    {"name": "uuid", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "decf", "type": {"type": "fixed", "name": "D3", "size": 3, "logicalType": "decimal", "precision": 5, "scale": 1}},
    {"name": "dur", "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"}}
  ]
}"#;

fn all_value() -> Value {
    json!({
        "n": null, "b": true, "i": -2147483648i64, "l": 9007199254740993i64,
        "f": 0.1, "d": -1.5e300, "by": "\u{0}\u{7f}\u{80}\u{ff}", "s": "héllo ✓",
        "fx": "\u{1}\u{2}\u{3}\u{ff}", "e": "GREEN", "a": ["x", "", "z"],
        "m": {"k": 1.25, "none": null},
        "nested": {"lat": 48.5, "inner": {"tags": ["RED", "GREEN", "RED"]}},
        "u": {"lat": 1.0, "inner": {"tags": []}},
        "again": {"lat": -0.0, "inner": {"tags": ["GREEN"]}},
        "ts": 1700000000000i64, "us": -1, "date": 19675, "tm": 3600000,
        "uuid": "123e4567-e89b-12d3-a456-426614174000",
        "dec": "\u{0}\u{30}\u{39}", "decf": "\u{ff}\u{fe}\u{1}",
        "dur": "\u{1}\u{0}\u{0}\u{0}\u{2}\u{0}\u{0}\u{0}\u{3}\u{0}\u{0}\u{0}"
    })
}

#[test]
fn every_type_round_trips() {
    let s = schema(ALL);
    round_trip(&s, all_value());
    for u in [
        json!(null),
        json!("text"),
        json!("\u{1}\u{2}\u{3}\u{4}"), // a string first: fixed Four only when wrapped
        json!([1, 2, 3]),
    ] {
        let mut v = all_value();
        v["u"] = u;
        round_trip(&s, v);
    }
    // Wrapped forms by type name, full name and short name of a named type.
    for (wrapped, bare) in [
        (json!({"string": "x"}), json!("x")),
        (json!({"array": [5]}), json!([5])),
        (
            json!({"t.Pos": {"lat": 2.0, "inner": {"tags": []}}}),
            json!({"lat": 2.0, "inner": {"tags": []}}),
        ),
        (
            json!({"Pos": {"lat": 2.0, "inner": {"tags": []}}}),
            json!({"lat": 2.0, "inner": {"tags": []}}),
        ),
    ] {
        let mut w = all_value();
        w["u"] = wrapped;
        let mut b = all_value();
        b["u"] = bare;
        assert_eq!(enc(&s, &w), enc(&s, &b));
        assert_eq!(dec(&s, &enc(&s, &w)), b);
    }
    // The fixed branch, wrapped: bare it would be the string branch, so decoding wraps it.
    let mut w = all_value();
    w["u"] = json!({"t.Four": "abcd"});
    let bytes = enc(&s, &w);
    oracle(&s, &bytes);
    assert_eq!(dec(&s, &bytes)["u"], json!({"t.Four": "abcd"}));
}

#[test]
fn primitives_round_trip_alone() {
    for (t, v) in [
        ("null", json!(null)),
        ("boolean", json!(false)),
        ("int", json!(2147483647)),
        ("long", json!(-9007199254740993i64)),
        ("float", json!(3.4028235e38)),
        ("float", json!(-1.0e-45)),
        ("double", json!(5e-324)),
        ("bytes", json!("")),
        ("string", json!("")),
    ] {
        round_trip(&schema(&format!("{t:?}")), v);
    }
}

#[test]
fn non_finite_floats_are_strings() {
    for t in ["float", "double"] {
        let s = schema(&format!("{t:?}"));
        for v in ["NaN", "Infinity", "-Infinity"] {
            let bytes = enc(&s, &json!(v));
            assert_eq!(dec(&s, &bytes), json!(v));
        }
        assert!(enc_err(&s, &json!("nan")).contains("expected a"));
    }
    // Inside a union with null, "NaN" goes to the float branch and decodes bare.
    let u = schema(r#"["null","float"]"#);
    assert_eq!(dec(&u, &enc(&u, &json!("NaN"))), json!("NaN"));
    // With a string branch first, a bare "NaN" is the string: the float is written wrapped.
    let su = schema(r#"["string","double"]"#);
    assert_eq!(enc(&su, &json!("NaN"))[0], 0);
    let wrapped = enc(&su, &json!({"double": "NaN"}));
    assert_eq!(wrapped[0], 2);
    assert_eq!(dec(&su, &wrapped), json!({"double": "NaN"}));
}

#[test]
fn floats_print_short_and_read_back_exactly() {
    let s = schema(r#""float""#);
    assert_eq!(dec(&s, &enc(&s, &json!(0.1))).to_string(), "0.1");
    assert_eq!(dec(&s, &enc(&s, &json!(62.5))).to_string(), "62.5");
    // 1e39 does not fit a float.
    assert!(enc_err(&s, &json!(1e39)).contains("out of range for a float"));
    // Every 65,521st bit pattern (65,551 floats across all exponents) survives JSON text.
    for bits in (0..=u32::MAX).step_by(65_521) {
        let x = f32::from_bits(bits);
        let text = decode::float_json(x).to_string();
        let back: Value = serde_json::from_str(&text).unwrap();
        let again = enc(&s, &back);
        assert!(
            again == x.to_le_bytes() || x.is_nan(),
            "{x:e} ({bits:#x}) came back from {text} as {again:?}"
        );
    }
}

#[test]
fn ambiguous_unions_decode_to_json_that_encodes_back() {
    let s = schema(r#"["int","long"]"#);
    let long5 = [2u8, 10];
    assert_eq!(dec(&s, &long5), json!({"long": 5}));
    assert_eq!(enc(&s, &json!({"long": 5})), long5);
    assert_eq!(dec(&s, &[0, 10]), json!(5));
    // A long that does not fit an int is unambiguous.
    let big = enc(&s, &json!(1i64 << 40));
    assert_eq!(big[0], 2);
    assert_eq!(dec(&s, &big), json!(1i64 << 40));

    let sb = schema(r#"["string","bytes"]"#);
    assert_eq!(dec(&sb, &[2, 2, b'x']), json!({"bytes": "x"}));
    let two = schema(
        r#"[{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":0}]},
           {"type":"record","name":"B","fields":[{"name":"x","type":"int"}]}]"#,
    );
    // B's {"x":1} would encode as A: written wrapped.
    assert_eq!(dec(&two, &[2, 2]), json!({"B": {"x": 1}}));
    assert_eq!(enc(&two, &json!({"B": {"x": 1}})), [2, 2]);
    assert_eq!(dec(&two, &[0, 2]), json!({"x": 1}));
    // A map whose one key names a branch would read as the wrapped form: wrapped itself.
    let m = schema(r#"["null","string",{"type":"map","values":"string"}]"#);
    let map = enc(&m, &json!({"map": {"string": "x"}}));
    assert_eq!(map[0], 4);
    assert_eq!(dec(&m, &map), json!({"map": {"string": "x"}}));
    assert_eq!(enc(&m, &json!({"string": "x"}))[0], 2);
    assert_eq!(dec(&m, &enc(&m, &json!({"a": "x"}))), json!({"a": "x"}));
    // A float beside a string: numbers stay bare, only "NaN" and the like need wrapping.
    let sf = schema(r#"["null","string","float"]"#);
    assert_eq!(dec(&sf, &enc(&sf, &json!(1.5))), json!(1.5));
    assert_eq!(
        dec(&sf, &enc(&sf, &json!({"float": "NaN"}))),
        json!({"float": "NaN"})
    );
}

#[test]
fn fields_in_any_order() {
    let t = truck();
    let ordered = json!({"truck_id":"t","latitude":1.0,"longitude":2.0,"speed_kmh":null,
                         "recorded_at":1});
    let shuffled = json!({"recorded_at":1,"longitude":2.0,"truck_id":"t","latitude":1.0});
    assert_eq!(enc(&t, &shuffled), enc(&t, &ordered));
    let mut partly = json!({"truck_id":"t","longitude":2.0,"latitude":1.0,"recorded_at":1});
    assert_eq!(enc(&t, &partly), enc(&t, &ordered));
    partly["extra"] = json!(1);
    assert!(enc_err(&t, &partly).starts_with("field /extra: not a field"));
}

#[test]
fn schemas_are_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<AvroSchema>();
    send_sync::<AvroError>();
}

#[test]
fn linked_list_recursion() {
    let s = schema(
        r#"{"type":"record","name":"Node","fields":[
            {"name":"value","type":"int"},
            {"name":"next","type":["null","Node"],"default":null}]}"#,
    );
    let v = json!({"value": 1, "next": {"value": 2, "next": {"value": 3, "next": null}}});
    let bytes = round_trip(&s, v);
    assert_eq!(bytes, [2, 2, 4, 2, 6, 0]);
    // Wrapped at one level, bare at another.
    let w = json!({"value": 1, "next": {"Node": {"value": 2}}});
    assert_eq!(
        dec(&s, &enc(&s, &w)),
        json!({"value": 1, "next": {"value": 2, "next": null}})
    );
    let tree = schema(
        r#"{"type":"record","name":"Tree","fields":[
            {"name":"kids","type":{"type":"array","items":"Tree"}},
            {"name":"attrs","type":{"type":"map","values":"Tree"}}]}"#,
    );
    round_trip(
        &tree,
        json!({"kids": [{"kids": [], "attrs": {}}], "attrs": {"a": {"kids": [], "attrs": {}}}}),
    );
}

#[test]
fn defaults_fill_missing_fields() {
    let s = schema(
        r#"{"type":"record","name":"R","fields":[
            {"name":"a","type":"int","default":7},
            {"name":"b","type":["string","null"],"default":"x"},
            {"name":"c","type":{"type":"record","name":"In","fields":[
                {"name":"p","type":"long"},{"name":"q","type":"string","default":"dq"}]},
             "default":{"p":1}},
            {"name":"d","type":"bytes","default":"\u00ff"},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"},
            {"name":"f","type":{"type":"array","items":"int"},"default":[1,2]}]}"#,
    );
    assert_eq!(
        dec(&s, &enc(&s, &json!({}))),
        json!({"a":7,"b":"x","c":{"p":1,"q":"dq"},"d":"\u{ff}","e":"B","f":[1,2]})
    );
    let bad = AvroSchema::parse(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
    );
    assert!(matches!(bad, Err(AvroError::Schema(_))), "{bad:?}");
}
