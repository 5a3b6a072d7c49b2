//! Schema resolution and `can_read`, with apache-avro's resolution and compatibility
//! checks as oracles where they support the case.

use super::*;

fn rec(fields: &str) -> AvroSchema {
    schema(&format!(
        r#"{{"type":"record","name":"R","fields":[{fields}]}}"#
    ))
}

/// Decoding with `reader` gives `want`; resolve_datum gives the bytes of encoding `want`
/// with the reader; apache-avro's own resolution agrees on the value.
fn resolves(writer: &AvroSchema, reader: &AvroSchema, v: Value, want: Value) {
    resolves_as(writer, reader, v, want, true);
}

/// [`resolves`], optionally without apache-avro's check (it does not resolve field aliases).
fn resolves_as(writer: &AvroSchema, reader: &AvroSchema, v: Value, want: Value, apache: bool) {
    let bytes = enc(writer, &v);
    assert_eq!(writer.decode_json(&bytes, Some(reader)).unwrap(), want);
    let mut out = Vec::new();
    writer.resolve_datum(&bytes, reader, &mut out).unwrap();
    assert_eq!(out, enc(reader, &want));
    assert_eq!(can_read(reader, writer), Ok(()));
    if !apache {
        return;
    }
    let apache = GenericDatumReader::builder(writer.schema())
        .reader_schema(reader.schema())
        .build()
        .unwrap()
        .read_value(&mut &bytes[..])
        .unwrap();
    let writer_of_reader = GenericDatumWriter::builder(reader.schema())
        .build()
        .unwrap();
    assert_eq!(writer_of_reader.write_value_to_vec(apache).unwrap(), out);
}

#[test]
fn resolution_added_removed_promoted() {
    let v1 = rec(r#"{"name":"id","type":"int"},{"name":"gone","type":"string"}"#);
    let v2 =
        rec(r#"{"name":"id","type":"long"},{"name":"added","type":"string","default":"dflt"}"#);
    resolves(
        &v1,
        &v2,
        json!({"id": 5, "gone": "x"}),
        json!({"id": 5, "added": "dflt"}),
    );
    // A reader field without default that the writer lacks: not readable.
    let v3 = rec(r#"{"name":"id","type":"long"},{"name":"added","type":"string"}"#);
    assert_eq!(
        can_read(&v3, &v1),
        Err("field /added: not in the writer's record R, and the reader gives no default".into())
    );
    let e = v1
        .decode_json(&enc(&v1, &json!({"id": 5, "gone": "x"})), Some(&v3))
        .unwrap_err()
        .to_string();
    assert!(e.contains("field /added") && e.contains("reader"), "{e}");
    assert_eq!(
        can_read(&v1, &v2),
        Err("field /gone: not in the writer's record R, and the reader gives no default".into())
    );
    // long cannot be read as int.
    assert_eq!(
        can_read(&rec(r#"{"name":"id","type":"int"}"#), &v2),
        Err("field /id: the writer's long cannot be read as int".into())
    );
}

#[test]
fn resolution_promotions_and_reorder() {
    let w = rec(
        r#"{"name":"a","type":"int"},{"name":"b","type":"long"},{"name":"c","type":"float"},
           {"name":"d","type":"string"},{"name":"e","type":"bytes"},{"name":"f","type":"int"}"#,
    );
    let r = rec(
        r#"{"name":"f","type":"float"},{"name":"e","type":"string"},{"name":"d","type":"bytes"},
           {"name":"c","type":"double"},{"name":"b","type":"double"},{"name":"a","type":"long"}"#,
    );
    resolves(
        &w,
        &r,
        json!({"a":1,"b":2,"c":0.5,"d":"s","e":"b","f":3}),
        json!({"f":3.0,"e":"b","d":"s","c":0.5,"b":2.0,"a":1}),
    );
}

#[test]
fn resolution_enums_unions_aliases() {
    let w = rec(
        r#"{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
           {"name":"old","type":"int"},
           {"name":"u","type":["null","int"]},
           {"name":"plain","type":"int"}"#,
    );
    let r = rec(
        r#"{"name":"e","type":{"type":"enum","name":"E","symbols":["C","A","Z"],"default":"Z"}},
           {"name":"new","aliases":["old"],"type":"int"},
           {"name":"u","type":["null","long","string"]},
           {"name":"plain","type":["string","long"]}"#,
    );
    resolves_as(
        &w,
        &r,
        json!({"e":"B","old":1,"u":2,"plain":3}),
        json!({"e":"Z","new":1,"u":2,"plain":3}),
        false,
    );
    resolves_as(
        &w,
        &r,
        json!({"e":"C","old":1,"u":null,"plain":3}),
        json!({"e":"C","new":1,"u":null,"plain":3}),
        false,
    );
    // Without the alias, apache-avro agrees.
    let r2 = schema(
        &r.text()
            .replace(r#""name":"new","aliases":["old"]"#, r#""name":"old""#),
    );
    resolves(
        &w,
        &r2,
        json!({"e":"B","old":1,"u":2,"plain":3}),
        json!({"e":"Z","old":1,"u":2,"plain":3}),
    );
    // Without the enum default, symbol B cannot be read.
    let strict = rec(
        r#"{"name":"e","type":{"type":"enum","name":"E","symbols":["C","A"]}},
           {"name":"new","aliases":["old"],"type":"int"},
           {"name":"u","type":["null","long"]},
           {"name":"plain","type":"long"}"#,
    );
    assert_eq!(
        can_read(&strict, &w),
        Err(r#"field /e: the writer's symbol "B" is not in the reader's enum E, which has no default"#.into())
    );
    let ok = enc(&w, &json!({"e":"A","old":1,"u":null,"plain":3}));
    assert_eq!(
        w.decode_json(&ok, Some(&strict)).unwrap(),
        json!({"e":"A","new":1,"u":null,"plain":3})
    );
    let bad = enc(&w, &json!({"e":"B","old":1,"u":null,"plain":3}));
    let e = w.decode_json(&bad, Some(&strict)).unwrap_err().to_string();
    assert!(e.contains("field /e") && e.contains(r#""B""#), "{e}");
    // A writer union read as a plain type: fine while the data holds that branch.
    let wu = rec(r#"{"name":"x","type":["null","string"]}"#);
    let rs = rec(r#"{"name":"x","type":"string"}"#);
    assert_eq!(
        wu.decode_json(&enc(&wu, &json!({"x": "s"})), Some(&rs))
            .unwrap(),
        json!({"x": "s"})
    );
    assert!(
        wu.decode_json(&enc(&wu, &json!({"x": null})), Some(&rs))
            .is_err()
    );
    assert_eq!(
        can_read(&rs, &wu),
        Err("field /x: the writer's null cannot be read as string".into())
    );
    // Record names must match (or be aliased).
    let other = schema(r#"{"type":"record","name":"Other","fields":[]}"#);
    assert!(can_read(&other, &rec("")).is_err());
    let aliased = schema(r#"{"type":"record","name":"Other","aliases":["R"],"fields":[]}"#);
    assert_eq!(can_read(&aliased, &rec("")), Ok(()));
}

#[test]
fn resolution_nested_and_recursive() {
    let w = schema(
        r#"{"type":"record","name":"Node","fields":[
            {"name":"v","type":"int"},
            {"name":"kids","type":{"type":"array","items":"Node"}},
            {"name":"m","type":{"type":"map","values":"int"}}]}"#,
    );
    let r = schema(
        r#"{"type":"record","name":"Node","fields":[
            {"name":"kids","type":{"type":"array","items":"Node"}},
            {"name":"v","type":"double"},
            {"name":"tag","type":"string","default":""},
            {"name":"m","type":{"type":"map","values":"long"}}]}"#,
    );
    resolves(
        &w,
        &r,
        json!({"v":1,"kids":[{"v":2,"kids":[],"m":{}}],"m":{"a":1}}),
        json!({"kids":[{"kids":[],"v":2.0,"tag":"","m":{}}],"v":1.0,"tag":"","m":{"a":1}}),
    );
    // Compatibility of the truck schema with itself and a widened copy.
    let t = truck();
    assert_eq!(can_read(&t, &t), Ok(()));
    let wide = schema(&TRUCK.replace(r#"["null", "float"]"#, r#"["null", "double"]"#));
    assert_eq!(can_read(&wide, &t), Ok(()));
    assert_eq!(
        can_read(&t, &wide),
        Err("field /speed_kmh: the writer's double is none of the reader's union branches (null or float)".into())
    );
    let v = json!({"truck_id":"t","latitude":1.0,"longitude":2.0,"speed_kmh":62.5,
                   "recorded_at":1});
    resolves(&t, &wide, v.clone(), v);
}

#[test]
fn can_read_agrees_with_apache_avro() {
    use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
    let types = [
        r#""int""#,
        r#""long""#,
        r#""float""#,
        r#""double""#,
        r#""string""#,
        r#""bytes""#,
        r#"["null","int"]"#,
        r#"["null","long","string"]"#,
        r#"{"type":"array","items":"int"}"#,
        r#"{"type":"array","items":"long"}"#,
        r#"{"type":"map","values":"string"}"#,
        r#"{"type":"enum","name":"E","symbols":["A","B"]}"#,
        r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#,
        r#"{"type":"enum","name":"E","symbols":["A"],"default":"A"}"#,
        r#"{"type":"fixed","name":"F","size":2}"#,
        r#"{"type":"fixed","name":"F","size":3}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#,
        r#"{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}"#,
    ];
    let schemas: Vec<AvroSchema> = types.iter().map(|t| schema(t)).collect();
    for r in &schemas {
        for w in &schemas {
            let ours = can_read(r, w);
            let theirs = SchemaCompatibility::can_read(w.schema(), r.schema());
            assert_eq!(
                ours.is_ok(),
                matches!(theirs, Ok(Compatibility::Full)),
                "reader {} writer {}: ours {ours:?}, apache-avro {theirs:?}",
                r.text(),
                w.text()
            );
        }
    }
}
