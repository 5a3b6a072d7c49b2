use super::*;

#[test]
fn fixed_width_primitives_are_big_endian() {
    let mut w = Writer::new();
    w.i8(-2);
    w.i16(0x0102);
    w.u16(0xfffe);
    w.i32(-1);
    w.i64(0x0102030405060708);
    w.bool(true);
    w.uuid(&Uuid([7; 16]));
    let b = w.into_bytes();
    assert_eq!(
        hex(&b),
        "fe0102fffeffffffff01020304050607080107070707070707070707070707070707"
    );
    let mut r = Reader::new(&b);
    assert_eq!(r.i8().unwrap(), -2);
    assert_eq!(r.i16().unwrap(), 0x0102);
    assert_eq!(r.u16().unwrap(), 0xfffe);
    assert_eq!(r.i32().unwrap(), -1);
    assert_eq!(r.i64().unwrap(), 0x0102030405060708);
    assert!(r.bool().unwrap());
    assert_eq!(r.uuid().unwrap(), Uuid([7; 16]));
    r.finish("test").unwrap();
}

#[test]
fn unsigned_varints_round_trip_and_reject_overlong() {
    for v in [0u32, 1, 127, 128, 300, 16383, 16384, u32::MAX] {
        let mut w = Writer::new();
        w.unsigned_varint(v);
        let b = w.into_bytes();
        assert_eq!(Reader::new(&b).unsigned_varint().unwrap(), v);
    }
    let mut w = Writer::new();
    w.unsigned_varint(300);
    assert_eq!(w.into_bytes(), [0xac, 0x02]);
    let six = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    assert!(matches!(
        Reader::new(&six).unsigned_varint(),
        Err(MessageError::BadVarint { pos: 0 })
    ));
    assert!(matches!(
        Reader::new(&[0x80]).unsigned_varint(),
        Err(MessageError::Truncated { .. })
    ));
}

#[test]
fn strings_in_both_encodings() {
    for flexible in [false, true] {
        let mut w = Writer::new();
        w.string(flexible, "a", "héllo").unwrap();
        w.nullable_string(flexible, "b", None).unwrap();
        w.string(flexible, "c", "").unwrap();
        let b = w.into_bytes();
        let expect = if flexible {
            "0768c3a96c6c6f0001"
        } else {
            "000668c3a96c6c6fffff0000"
        };
        assert_eq!(hex(&b), expect);
        let mut r = Reader::new(&b);
        assert_eq!(r.string(flexible, "a").unwrap(), "héllo");
        assert_eq!(r.nullable_string(flexible, "b").unwrap(), None);
        assert_eq!(r.string(flexible, "c").unwrap(), "");
        r.finish("test").unwrap();
        // A null where none is allowed.
        let null = if flexible { vec![0] } else { vec![0xff, 0xff] };
        assert!(matches!(
            Reader::new(&null).string(flexible, "x"),
            Err(MessageError::NullNotAllowed { field: "x", pos: 0 })
        ));
    }
}

#[test]
fn arrays_in_both_encodings() {
    for flexible in [false, true] {
        let mut w = Writer::new();
        w.array_of(flexible, "a", &[1i32, 2], |w, v| {
            w.i32(*v);
            Ok(())
        })
        .unwrap();
        w.nullable_array::<i32>(flexible, "b", None, |_, _| Ok(()))
            .unwrap();
        let b = w.into_bytes();
        let expect = if flexible {
            "03000000010000000200"
        } else {
            "000000020000000100000002ffffffff"
        };
        assert_eq!(hex(&b), expect);
        let mut r = Reader::new(&b);
        assert_eq!(r.array_of(flexible, "a", Reader::i32).unwrap(), [1, 2]);
        assert_eq!(r.nullable_array(flexible, "b", Reader::i32).unwrap(), None);
        r.finish("test").unwrap();
    }
}

#[test]
fn hostile_lengths_are_errors_not_allocations() {
    // A compact array claiming u32::MAX - 1 elements in 5 bytes.
    let huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
    assert!(matches!(
        Reader::new(&huge).array_of(true, "x", Reader::i32),
        Err(MessageError::ArrayTooLong { field: "x", .. })
    ));
    // A non-flexible array of i32::MAX elements.
    let huge = [0x7f, 0xff, 0xff, 0xff];
    assert!(matches!(
        Reader::new(&huge).array_of(false, "x", Reader::i32),
        Err(MessageError::ArrayTooLong { .. })
    ));
    // Elements that run past the end.
    assert!(matches!(
        Reader::new(&[0x03, 0, 0, 0, 1]).array_of(true, "x", Reader::i32),
        Err(MessageError::Truncated { .. })
    ));
    // A string longer than 32767 bytes, and one longer than the data.
    assert!(matches!(
        Reader::new(&[0x81, 0x80, 0x02]).string(true, "s"),
        Err(MessageError::StringTooLong { len: 32768, .. })
    ));
    assert!(matches!(
        Reader::new(&[0x0b, b'a']).string(true, "s"),
        Err(MessageError::Truncated {
            need: 10,
            left: 1,
            ..
        })
    ));
    assert!(matches!(
        Reader::new(&[0x03, 0xff, 0xfe]).string(true, "s"),
        Err(MessageError::BadUtf8 { pos: 1, .. })
    ));
    // A tagged field count beyond the data, and a tagged field size beyond it.
    assert!(matches!(
        Reader::new(&[0x7f]).tagged_fields(|_, _| Ok(false)),
        Err(MessageError::TooManyTaggedFields { count: 127, .. })
    ));
    assert!(matches!(
        Reader::new(&[0x01, 0x05, 0xff, 0xff, 0x03]).tagged_fields(|_, _| Ok(false)),
        Err(MessageError::Truncated { .. })
    ));
    // Writing: a string over the cap.
    let long = "x".repeat(MAX_STRING_LENGTH + 1);
    assert!(matches!(
        Writer::new().string(true, "s", &long),
        Err(MessageError::StringTooLong { len: 32768, .. })
    ));
}

#[test]
fn tagged_fields_are_written_in_tag_order_with_unknown_ones_merged() {
    let mut t = TaggedFields::new();
    t.add(1, |w| {
        w.i8(5);
        Ok(())
    })
    .unwrap();
    t.add(4, |w| {
        w.i32(7);
        Ok(())
    })
    .unwrap();
    let unknown = [
        RawTaggedField {
            tag: 0,
            data: vec![0xaa],
        },
        RawTaggedField {
            tag: 2,
            data: vec![],
        },
        RawTaggedField {
            tag: 300,
            data: vec![1, 2],
        },
    ];
    let mut w = Writer::new();
    t.write(&mut w, &unknown, &[1, 4]).unwrap();
    let b = w.into_bytes();
    assert_eq!(
        hex(&b),
        "05".to_string() + "0001aa" + "010105" + "0200" + "040400000007" + "ac020201" + "02"
    );
    // Read back: 1 and 4 known, the rest kept in order.
    let mut seen = Vec::new();
    let kept = Reader::new(&b)
        .tagged_fields(|tag, r| {
            if tag == 1 || tag == 4 {
                seen.push(tag);
                r.bytes(r.remaining(), "x")?;
                return Ok(true);
            }
            Ok(false)
        })
        .unwrap();
    assert_eq!(seen, [1, 4]);
    assert_eq!(kept, unknown);
}

#[test]
fn unknown_tags_out_of_order_or_reusing_a_known_tag_are_refused() {
    let u = |tag| RawTaggedField { tag, data: vec![] };
    let mut w = Writer::new();
    assert!(matches!(
        TaggedFields::new().write(&mut w, &[u(3), u(2)], &[]),
        Err(MessageError::BadUnknownTags { tag: 2, prev: 3 })
    ));
    assert!(matches!(
        TaggedFields::new().write(&mut w, &[u(1)], &[1]),
        Err(MessageError::BadUnknownTags { tag: 1, .. })
    ));
}

#[test]
fn a_known_tagged_field_must_fill_its_size() {
    // Tag 0 of size 2, of which the reader takes 1.
    let b = [0x01, 0x00, 0x02, 0x07, 0x08];
    assert!(matches!(
        Reader::new(&b).tagged_fields(|_, r| {
            r.i8()?;
            Ok(true)
        }),
        Err(MessageError::TaggedFieldSize {
            tag: 0,
            pos: 3,
            size: 2,
            used: 1
        })
    ));
}

#[test]
fn json_escapes_as_jackson() {
    let mut s = String::new();
    json_string(&mut s, "a\"b\\c\u{1}\u{1f}\t\n\r\u{8}\u{c}é/\u{7f}😀");
    assert_eq!(
        s,
        r#""a\"b\\c\u0001\u001F\t\n\r\b\fé/"#.to_string() + "\u{7f}😀\""
    );
    let mut s = String::new();
    JsonObject::new(&mut s, 0)
        .field("a", &1i32)
        .field("b", &None::<String>)
        .field("c", &vec![ZERO_UUID])
        .field_if(false, "d", &true)
        .end();
    assert_eq!(s, r#"{"a":1,"b":null,"c":["AAAAAAAAAAAAAAAAAAAAAA"]}"#);
}
