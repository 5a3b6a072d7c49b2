//! Errors name the field path; hostile datums are refused, never a panic or a huge
//! allocation.

use super::*;

#[test]
fn encode_errors_name_the_path() {
    let t = truck();
    let good = json!({"truck_id":"t","latitude":1.0,"longitude":2.0,"speed_kmh":null,
                      "recorded_at":1});
    let with = |k: &str, v: Value| {
        let mut x = good.clone();
        x[k] = v;
        enc_err(&t, &x)
    };
    assert_eq!(
        with("latitude", json!("north")),
        r#"field /latitude: expected a double, found "north""#
    );
    assert_eq!(
        with("speed_kmh", json!("fast")),
        r#"field /speed_kmh: expected null or float, found "fast""#
    );
    assert_eq!(
        with("speed_kmh", json!({"float": "fast"})),
        r#"field /speed_kmh/float: expected a float, found "fast""#
    );
    assert_eq!(
        with("recorded_at", json!(1.5)),
        "field /recorded_at: expected a long, found 1.5"
    );
    assert_eq!(
        with("recorded_at", json!(1.0)),
        "field /recorded_at: expected a long, found 1.0"
    );
    assert_eq!(
        with("color", json!(1)),
        "field /color: not a field of record io.filka.trucks.TruckPosition"
    );
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("truck_id");
    assert_eq!(
        enc_err(&t, &missing),
        "field /truck_id: missing, and the schema gives no default"
    );
    assert_eq!(
        enc_err(&t, &json!([1])),
        "expected a record io.filka.trucks.TruckPosition (a JSON object), found [1]"
    );

    let s = schema(ALL);
    let with = |ptr: &str, v: Value| {
        let mut x = all_value();
        *x.pointer_mut(ptr).unwrap() = v;
        enc_err(&s, &x)
    };
    assert_eq!(
        with("/nested/inner/tags/2", json!("BLUE")),
        r#"field /nested/inner/tags/2: "BLUE" is not a symbol of enum t.Color (RED, GREEN)"#
    );
    assert_eq!(
        with("/i", json!(2147483648i64)),
        "field /i: 2147483648 is out of range for an int"
    );
    assert_eq!(
        with("/i", json!(u64::MAX)),
        "field /i: 18446744073709551615 is out of range for an int"
    );
    assert_eq!(
        with("/l", json!(u64::MAX)),
        "field /l: 18446744073709551615 is out of range for a long"
    );
    assert_eq!(
        with("/fx", json!("abc")),
        "field /fx: fixed t.Four takes 4 bytes, found 3"
    );
    assert!(with("/by", json!("✓")).starts_with("field /by: character 0 ('✓', U+2713)"));
    assert_eq!(
        with("/m/k", json!(true)),
        "field /m/k: expected null or double, found true"
    );
    assert_eq!(
        with("/nested/lat", json!(null)),
        "field /nested/lat: expected a double, found null"
    );
    // JSON pointer escaping of keys with / and ~.
    let m = schema(r#"{"type":"map","values":"int"}"#);
    assert_eq!(
        enc_err(&m, &json!({"a/b~c": "x"})),
        r#"field /a~1b~0c: expected an int, found "x""#
    );
}

#[test]
fn schema_errors() {
    assert!(matches!(
        AvroSchema::parse(r#"{"type":"nope"}"#),
        Err(AvroError::Schema(_))
    ));
    let missing = Path::new("/nonexistent/x.avsc");
    let e = AvroSchema::from_file(missing).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/x.avsc"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.avsc");
    std::fs::write(&bad, "{").unwrap();
    let e = AvroSchema::from_file(&bad).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "Avro schema {}: invalid Avro schema: not JSON: EOF while parsing an object at \
             line 1 column 1",
            bad.display()
        )
    );
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemas/truck_position.avsc");
    assert_eq!(AvroSchema::from_file(&fixture).unwrap().text(), TRUCK);
}

#[test]
fn decode_errors() {
    let t = truck();
    let v = json!({"truck_id":"t","latitude":1.0,"longitude":2.0,"speed_kmh":1.5,
                   "recorded_at":1});
    let bytes = enc(&t, &v);
    let mut long = bytes.clone();
    long.push(0);
    let e = t.decode_json(&long, None).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "Avro datum, byte {}: 1 trailing bytes after the datum",
            bytes.len()
        )
    );
    for cut in 0..bytes.len() {
        let e = t.decode_json(&bytes[..cut], None).unwrap_err();
        assert!(matches!(e, AvroError::Datum { .. }), "{e}");
    }
    // Union index 2 of a two-branch union, at byte 19 (after 2 + 8 + 8 bytes).
    let mut bad = bytes.clone();
    bad[18] = 4;
    assert_eq!(
        t.decode_json(&bad, None).unwrap_err().to_string(),
        "Avro datum, byte 18: field /speed_kmh: union branch index 2 is not below 2"
    );
    let s = schema(r#""string""#);
    assert!(
        s.decode_json(&[1], None)
            .unwrap_err()
            .to_string()
            .contains("negative length -1")
    );
    assert!(
        s.decode_json(&[0x80, 0x80, 0x80, 0x80, 0x10], None)
            .unwrap_err()
            .to_string()
            .contains("beyond the 0 bytes left")
    );
    assert!(
        s.decode_json(&[2, 0xff], None)
            .unwrap_err()
            .to_string()
            .contains("UTF-8")
    );
    let b = schema(r#""boolean""#);
    assert!(b.decode_json(&[2], None).is_err());
    let i = schema(r#""int""#);
    assert!(
        i.decode_json(&enc(&schema(r#""long""#), &json!(1i64 << 40)), None)
            .is_err()
    );
    let l = schema(r#""long""#);
    assert!(l.decode_json(&[0xff; 11], None).is_err());
    assert!(
        l.decode_json(
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            None
        )
        .is_err()
    );
}

#[test]
fn hostile_lengths_and_counts() {
    let arr = schema(r#"{"type":"array","items":"long"}"#);
    // A block of i64::MAX items, then nothing.
    let huge = enc(&schema(r#""long""#), &json!(i64::MAX));
    assert!(arr.decode_json(&huge, None).is_err());
    // A negative count of i64::MIN cannot be negated.
    let min = enc(&schema(r#""long""#), &json!(i64::MIN));
    assert!(arr.decode_json(&min, None).is_err());
    // Negative count with a byte size beyond the datum.
    assert!(arr.decode_json(&[3, 0x7e], None).is_err());
    // Arrays of nulls take no bytes: bounded by the item budget, not by memory.
    let nulls = schema(r#"{"type":"array","items":"null"}"#);
    let mut many = Vec::new();
    encode::write_long(&mut many, 1 << 40);
    many.push(0);
    let e = nulls.decode_json(&many, None).unwrap_err().to_string();
    assert!(e.contains("zero-byte items"), "{e}");
    let mut ok = Vec::new();
    encode::write_long(&mut ok, 1000);
    ok.push(0);
    assert_eq!(
        nulls
            .decode_json(&ok, None)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1000
    );
    // Blocks with byte sizes (negative counts) are read too: [1, 2] as one sized block.
    assert_eq!(
        arr.decode_json(&[3, 4, 2, 4, 0], None).unwrap(),
        json!([1, 2])
    );
    let map = schema(r#"{"type":"map","values":"int"}"#);
    assert_eq!(
        map.decode_json(&[1, 6, 2, b'k', 4, 0], None).unwrap(),
        json!({"k": 2})
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let s = schema(
        r#"{"type":"record","name":"Node","fields":[
            {"name":"next","type":["null","Node"]}]}"#,
    );
    // 100,000 levels of "branch 1" then a null.
    let mut deep = vec![2u8; 100_000];
    deep.push(0);
    let e = s.decode_json(&deep, None).unwrap_err().to_string();
    assert!(e.contains("nested deeper than 128"), "{e}");
    let mut out = Vec::new();
    assert!(s.resolve_datum(&deep, &s, &mut out).is_err());
    let mut v = json!(null);
    for _ in 0..1000 {
        v = json!({"next": v});
    }
    assert!(s.encode_json(&v, &mut out).is_err());
    // Drop the deep Value iteratively-enough: serde_json drops recursively, 1000 is fine.
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0a70_5eed),
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let s = schema(ALL);
        let _ = s.decode_json(&bytes, None);
        let mut out = Vec::new();
        let _ = s.resolve_datum(&bytes, &truck(), &mut out);
        let _ = truck().decode_json(&bytes, Some(&s));
        let list = schema(r#"{"type":"record","name":"N","fields":[{"name":"v","type":{"type":"map","values":{"type":"array","items":["null","N"]}}}]}"#);
        let _ = list.decode_json(&bytes, None);
    }

    #[test]
    fn mutated_datums_never_panic(i in 0usize..400, b in proptest::num::u8::ANY) {
        let s = schema(ALL);
        let mut bytes = enc(&s, &all_value());
        let at = i % bytes.len();
        bytes[at] = b;
        if let Ok(v) = s.decode_json(&bytes, None) {
            // Whatever decodes encodes, and decodes back to the same JSON (not always the
            // same bytes: a mutated map may repeat a key, or a varint be overlong).
            proptest::prop_assert_eq!(dec(&s, &enc(&s, &v)), v);
        }
    }

    #[test]
    fn floats_round_trip_through_json_text(bits in proptest::num::u32::ANY) {
        let x = f32::from_bits(bits);
        let s = schema(r#""float""#);
        let datum = x.to_le_bytes();
        let text = dec(&s, &datum).to_string();
        let back: Value = serde_json::from_str(&text).unwrap();
        let again = enc(&s, &back);
        if x.is_nan() {
            proptest::prop_assert!(f32::from_le_bytes(again[..].try_into().unwrap()).is_nan());
        } else {
            proptest::prop_assert_eq!(again, datum.to_vec());
        }
    }

    #[test]
    fn longs_round_trip(n in proptest::num::i64::ANY) {
        let s = schema(r#""long""#);
        let b = enc(&s, &json!(n));
        proptest::prop_assert_eq!(dec(&s, &b), json!(n));
        oracle(&s, &b);
    }
}
