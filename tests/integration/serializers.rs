//! Key and value formats on produce and consume: the plain formats (int, long, double, hex,
//! base64, string, json), JSON-lines and CSV input, Avro and Protobuf with schema files and
//! with the local registry (Confluent's wire format), and CSV/Avro output. Avro and
//! Protobuf bytes are checked against independent decoders (fastavro, and protoc itself
//! through grpcio-tools: tests/oracle/decode_values.py).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::harness::{FIXED_TIMESTAMP, TestCluster, json_lines, stderr_lines, stdout_text};
use crate::oracle::decode_values;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn avsc() -> String {
    fixture("schemas/truck_position.avsc").display().to_string()
}

fn proto() -> String {
    fixture("schemas/truck_position.proto")
        .display()
        .to_string()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The truck positions of fixtures/trucks_gps.csv as plain JSON (Avro's field names).
fn trucks_json() -> Vec<Value> {
    vec![
        json!({"truck_id":"truckID123","latitude":48.8566,"longitude":2.3522,"speed_kmh":62.5,"recorded_at":1700000000000i64}),
        json!({"truck_id":"truckID123","latitude":48.857,"longitude":2.353,"speed_kmh":null,"recorded_at":1700000020000i64}),
        json!({"truck_id":"truck-7","latitude":52.52,"longitude":13.405,"speed_kmh":88.0,"recorded_at":1700000005000i64}),
        json!({"truck_id":"truck-7","latitude":52.5212,"longitude":13.4101,"speed_kmh":90.5,"recorded_at":1700000025000i64}),
        json!({"truck_id":"truckID123","latitude":48.8581,"longitude":2.3547,"speed_kmh":55.0,"recorded_at":1700000040000i64}),
    ]
}

fn csv_input() -> Vec<u8> {
    std::fs::read(fixture("trucks_gps.csv")).unwrap()
}

/// Values of a one-partition topic in offset order.
fn values(tc: &TestCluster, topic: &str) -> Vec<Vec<u8>> {
    tc.read_topic(topic)
        .into_iter()
        .map(|r| r.value.unwrap_or_default())
        .collect()
}

#[test]
fn plain_formats_are_kafkas_serializers_bytes() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "n", "-p", "1"]).success();
    tc.produce(
        "n",
        "1:42\n-2:-7\n",
        &["-K", ":", "--key-format", "int", "--value-format", "long"],
    )
    .success();
    let recs = tc.read_topic("n");
    assert_eq!(recs[0].key.as_deref(), Some(&[0, 0, 0, 1][..]));
    assert_eq!(recs[0].value.as_deref(), Some(&42i64.to_be_bytes()[..]));
    assert_eq!(recs[1].key.as_deref(), Some(&(-2i32).to_be_bytes()[..]));
    let out = json_lines(
        &tc.run([
            "consume",
            "-t",
            "n",
            "--key-format",
            "int",
            "--value-format",
            "long",
            "--output",
            "json",
        ])
        .success(),
    );
    assert_eq!(
        (out[0]["key"].clone(), out[0]["value"].clone()),
        (json!(1), json!(42))
    );
    assert_eq!(
        (out[1]["key"].clone(), out[1]["value"].clone()),
        (json!(-2), json!(-7))
    );
    let text = stdout_text(
        &tc.run([
            "consume",
            "-t",
            "n",
            "--key-format",
            "int",
            "--value-format",
            "long",
            "--format",
            "%k=%v (%K+%V bytes)\\n",
        ])
        .success(),
    );
    assert_eq!(text, "1=42 (4+8 bytes)\n-2=-7 (4+8 bytes)\n");

    tc.run(["topic", "create", "d", "-p", "1"]).success();
    tc.produce("d", "1.5\nNaN\n", &["--value-format", "double"])
        .success();
    assert_eq!(values(&tc, "d")[0], 1.5f64.to_be_bytes());
    let out = json_lines(
        &tc.consume(["-t", "d", "--value-format", "double", "--output", "json"])
            .success(),
    );
    assert_eq!(out[0]["value"], json!(1.5));
    assert_eq!(out[1]["value"], json!("NaN"));

    tc.run(["topic", "create", "h", "-p", "1"]).success();
    tc.produce("h", "00ff10\n", &["--value-format", "hex"])
        .success();
    tc.produce("h", "AP8Q\n", &["--value-format", "base64"])
        .success();
    assert_eq!(values(&tc, "h"), [vec![0, 0xff, 0x10], vec![0, 0xff, 0x10]]);
    let text = stdout_text(&tc.consume(["-t", "h", "--value-format", "hex"]).success());
    assert_eq!(text, "00ff10\n00ff10\n");
    let out = json_lines(
        &tc.consume(["-t", "h", "--value-format", "base64", "--output", "json"])
            .success(),
    );
    assert_eq!(out[0]["value"], json!("AP8Q"));
    assert_eq!(out[0]["value_encoding"], json!("base64"));
}

#[test]
fn bad_values_name_the_line_and_stop_with_exit_5() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "n", "-p", "1"]).success();
    let a = tc
        .produce("n", "1\n2\nlots\n4\n", &["--value-format", "int"])
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("line 3: value: \"lots\" is not a 32-bit integer"),
        "{err}"
    );
    assert_eq!(
        values(&tc, "n").len(),
        2,
        "the lines before the bad one are written"
    );
    tc.produce(
        "n",
        "5\nx\n6\n",
        &["--value-format", "int", "--skip-invalid"],
    )
    .success();
    assert_eq!(values(&tc, "n").len(), 4);
    // A value that does not decode in the format asked for is exit 5 on consume too.
    let a = tc.consume(["-t", "n", "--value-format", "long"]).code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("n-0 offset 0: value: 4 bytes cannot be a long"),
        "{err}"
    );
}

#[test]
fn json_lines_take_the_key_from_a_field_or_a_pointer() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "u", "-p", "1"]).success();
    let input = std::fs::read(fixture("user-interactions.jsonl")).unwrap();
    tc.produce(
        "u",
        input.clone(),
        &["--input-format", "json", "--key-field", "user_id"],
    )
    .success();
    let recs = tc.read_topic("u");
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[0].key.as_deref(), Some(&b"user-42"[..]));
    // The value is the line as given.
    let first = input.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(recs[0].value.as_deref(), Some(first));
    tc.run(["topic", "create", "p", "-p", "1"]).success();
    tc.produce(
        "p",
        "{\"truck\":{\"id\":7},\"v\":1}\n{\"truck\":{}}\n",
        &[
            "--input-format",
            "json",
            "--key-field",
            "/truck/id",
            "--key-format",
            "int",
            "--skip-invalid",
        ],
    )
    .success()
    .stderr(predicates::str::contains("line 2: no field \"/truck/id\""));
    assert_eq!(
        tc.read_topic("p")[0].key.as_deref(),
        Some(&[0, 0, 0, 7][..])
    );
    // consume --output json embeds JSON values as objects, not strings.
    let out = json_lines(
        &tc.consume(["-t", "u", "--value-format", "json", "--output", "json"])
            .success(),
    );
    assert_eq!(out[0]["value"]["page"], json!("/pricing"));
}

#[test]
fn csv_to_avro_round_trips_and_fastavro_agrees() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "trucks_gps", "-p", "1"])
        .success();
    tc.produce(
        "trucks_gps",
        csv_input(),
        &[
            "--input-format",
            "csv",
            "--key-field",
            "truck_id",
            "--value-schema",
            &avsc(),
        ],
    )
    .success();
    let recs = tc.read_topic("trucks_gps");
    assert_eq!(recs[0].key.as_deref(), Some(&b"truckID123"[..]));
    // fastavro reads every value as the same record.
    let lines: Vec<String> = recs
        .iter()
        .map(|r| hex(r.value.as_deref().unwrap()))
        .collect();
    let decoded = decode_values(&["avro", &avsc()], &lines.join("\n"));
    let decoded: Vec<Value> = decoded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(decoded, trucks_json());
    // And so does our consumer.
    let out = json_lines(
        &tc.consume([
            "-t",
            "trucks_gps",
            "--value-schema",
            &avsc(),
            "--output",
            "json",
        ])
        .success(),
    );
    let got: Vec<Value> = out.iter().map(|e| e["value"].clone()).collect();
    assert_eq!(got, trucks_json());
    // Avro's JSON encoding (wrapped unions) is accepted too, and gives the same bytes.
    tc.run(["topic", "create", "w", "-p", "1"]).success();
    tc.produce(
        "w",
        r#"{"truck_id":"truckID123","latitude":48.8566,"longitude":2.3522,"speed_kmh":{"float":62.5},"recorded_at":1700000000000}"#,
        &["--input-format", "json", "--value-schema", &avsc()],
    )
    .success();
    assert_eq!(values(&tc, "w")[0], recs[0].value.clone().unwrap());
}

#[test]
fn avro_mismatches_name_the_line_and_the_field() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "t", "-p", "1"]).success();
    let ok = r#"{"truck_id":"a","latitude":1,"longitude":2,"recorded_at":3}"#;
    let bad = r#"{"truck_id":"a","latitude":"north","longitude":2,"recorded_at":3}"#;
    let a = tc
        .produce(
            "t",
            format!("{ok}\n{bad}\n"),
            &["--input-format", "json", "--value-schema", &avsc()],
        )
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("line 2: value:") && err.contains("latitude"),
        "{err}"
    );
    let a = tc
        .produce(
            "t",
            "truck_id,latitude,longitude,recorded_at\na,x,2,3\n",
            &["--input-format", "csv", "--value-schema", &avsc()],
        )
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(err.contains("row 2: field latitude"), "{err}");
    let a = tc
        .produce(
            "t",
            "truck,latitude\n",
            &["--input-format", "csv", "--value-schema", &avsc()],
        )
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("column \"truck\" is not a field of io.filka.trucks.TruckPosition"),
        "{err}"
    );
}

#[test]
fn avro_reader_schema_resolves_evolved_records() {
    let tc = TestCluster::new();
    let v2 = tc.path().join("v2.avsc");
    std::fs::write(
        &v2,
        r#"{"type":"record","name":"TruckPosition","namespace":"io.filka.trucks","fields":[
            {"name":"truck_id","type":"string"},
            {"name":"latitude","type":"double"},
            {"name":"longitude","type":"double"},
            {"name":"driver","type":"string","default":"unknown"}]}"#,
    )
    .unwrap();
    tc.run(["topic", "create", "t", "-p", "1"]).success();
    tc.produce(
        "t",
        csv_input(),
        &["--input-format", "csv", "--value-schema", &avsc()],
    )
    .success();
    let out = json_lines(
        &tc.consume([
            "-t",
            "t",
            "--value-schema",
            &avsc(),
            "--reader-schema",
            v2.to_str().unwrap(),
            "--output",
            "json",
        ])
        .success(),
    );
    assert_eq!(
        out[0]["value"],
        json!({"truck_id":"truckID123","latitude":48.8566,"longitude":2.3522,"driver":"unknown"})
    );
}

#[test]
fn csv_to_protobuf_and_protoc_decodes_it() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "trucks_gps", "-p", "1"])
        .success();
    tc.produce(
        "trucks_gps",
        csv_input(),
        &[
            "--input-format",
            "csv",
            "--key-field",
            "truck_id",
            "--proto",
            &proto(),
        ],
    )
    .success();
    let recs = tc.read_topic("trucks_gps");
    let lines: Vec<String> = recs
        .iter()
        .map(|r| hex(r.value.as_deref().unwrap()))
        .collect();
    let dir = fixture("schemas").display().to_string();
    let text = decode_values(
        &["protobuf", &dir, &proto(), "io.filka.trucks.TruckPosition"],
        &lines.join("\n"),
    );
    let first = text.split("--\n").next().unwrap();
    assert_eq!(
        first,
        "truck_id: \"truckID123\"\nlatitude: 48.8566\nlongitude: 2.3522\nspeed_kmh: 62.5\nrecorded_at: 1700000000000\n"
    );
    // The second row has no speed: an unset optional field is absent on the wire.
    assert!(!text.split("--\n").nth(1).unwrap().contains("speed_kmh"));
    let out = json_lines(
        &tc.consume(["-t", "trucks_gps", "--proto", &proto(), "--output", "json"])
            .success(),
    );
    assert_eq!(out[0]["value"]["truckId"], json!("truckID123"));
    assert_eq!(out[0]["value"]["recordedAt"], json!("1700000000000"));
    assert_eq!(out[0]["key"], json!("truckID123"));
}

#[test]
fn protobuf_unknown_fields_and_type_errors_name_the_line_and_field() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "t", "-p", "1"]).success();
    let a = tc
        .produce(
            "t",
            "{\"truck_id\":\"a\"}\n{\"truck_id\":\"a\",\"colour\":\"red\"}\n",
            &["--input-format", "json", "--proto", &proto()],
        )
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("line 2: value:") && err.contains("colour"),
        "{err}"
    );
    let a = tc
        .produce(
            "t",
            "{\"latitude\":\"north\"}\n",
            &["--input-format", "json", "--proto", &proto()],
        )
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("line 1: value:") && err.contains("latitude"),
        "{err}"
    );
    // A .proto that does not compile is a usage error with its position.
    let broken = tc.path().join("broken.proto");
    std::fs::write(&broken, "syntax = \"proto3\";\nmessage M { int32 x = ; }\n").unwrap();
    let a = tc
        .produce("t", "{}\n", &["--proto", broken.to_str().unwrap()])
        .code(2);
    let err = stderr_lines(&a).join("\n");
    assert!(err.contains("broken.proto:2:"), "{err}");
}

#[test]
fn registry_frames_values_as_confluent_does_and_consume_finds_the_schema() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "trucks_gps", "-p", "1"])
        .success();
    let a = tc
        .produce(
            "trucks_gps",
            csv_input(),
            &[
                "--input-format",
                "csv",
                "--value-schema",
                &avsc(),
                "--registry",
            ],
        )
        .success();
    assert!(
        stderr_lines(&a)
            .iter()
            .any(|l| l.contains("registered schema id 1 as version 1 of trucks_gps-value")),
        "{:?}",
        stderr_lines(&a)
    );
    let v = values(&tc, "trucks_gps");
    assert_eq!(&v[0][..5], &[0, 0, 0, 0, 1], "magic byte 0 and schema id 1");
    // The payload after the framing is the plain Avro datum.
    let decoded = decode_values(&["avro", &avsc()], &hex(&v[0][5..]));
    assert_eq!(
        serde_json::from_str::<Value>(decoded.trim()).unwrap(),
        trucks_json()[0]
    );
    // No schema file needed to read it back; the id is shown.
    let out = json_lines(
        &tc.consume([
            "-t",
            "trucks_gps",
            "--value-format",
            "avro",
            "--output",
            "json",
        ])
        .success(),
    );
    assert_eq!(out[0]["value"], trucks_json()[0]);
    assert_eq!(out[0]["value_schema_id"], json!(1));
    // A second producer without a schema file uses the latest registered one.
    tc.produce(
        "trucks_gps",
        r#"{"truck_id":"x","latitude":1,"longitude":2,"recorded_at":3}"#,
        &[
            "--input-format",
            "json",
            "--value-format",
            "avro",
            "--registry",
        ],
    )
    .success();
    assert_eq!(&values(&tc, "trucks_gps")[5][..5], &[0, 0, 0, 0, 1]);
    // The same schema again is no new version.
    tc.run(["schema", "register", "trucks_gps-value", "--file", &avsc()])
        .success()
        .stdout(predicates::str::contains(
            "already registered: subject trucks_gps-value version 1 id 1",
        ));
}

#[test]
fn registry_protobuf_frames_carry_the_message_indexes() {
    let tc = TestCluster::new();
    let file = tc.path().join("nested.proto");
    std::fs::write(
        &file,
        "syntax = \"proto3\";\npackage n;\nmessage A { string a = 1; }\nmessage B { message C { int32 c = 1; } C c = 1; }\n",
    )
    .unwrap();
    tc.run(["topic", "create", "t", "-p", "1"]).success();
    let f = file.to_str().unwrap();
    tc.produce(
        "t",
        "{\"c\":7}\n",
        &[
            "--input-format",
            "json",
            "--proto",
            f,
            "--message",
            "n.B.C",
            "--registry",
        ],
    )
    .success();
    tc.produce(
        "t",
        "{\"a\":\"x\"}\n",
        &[
            "--input-format",
            "json",
            "--proto",
            f,
            "--message",
            "n.A",
            "--registry",
        ],
    )
    .success();
    let v = values(&tc, "t");
    // id 1, then the index path [1, 0] as zigzag varints: count 2, 1, 0.
    assert_eq!(&v[0][..8], &[0, 0, 0, 0, 1, 4, 2, 0], "{:02x?}", v[0]);
    // The first message of the file is the single byte 0.
    assert_eq!(&v[1][..6], &[0, 0, 0, 0, 1, 0], "{:02x?}", v[1]);
    let out = json_lines(
        &tc.consume(["-t", "t", "--value-format", "protobuf", "--output", "json"])
            .success(),
    );
    assert_eq!(out[0]["value"], json!({"c": 7}));
    assert_eq!(out[1]["value"], json!({"a": "x"}));
}

#[test]
fn a_schema_breaking_backward_compatibility_is_refused() {
    let tc = TestCluster::new();
    let v2 = tc.path().join("v2.avsc");
    // A new required field without a default cannot read old data.
    std::fs::write(
        &v2,
        r#"{"type":"record","name":"TruckPosition","namespace":"io.filka.trucks","fields":[
            {"name":"truck_id","type":"string"},{"name":"driver","type":"string"}]}"#,
    )
    .unwrap();
    tc.run(["schema", "register", "trucks_gps-value", "--file", &avsc()])
        .success()
        .stdout(predicates::str::contains(
            "registered: subject trucks_gps-value version 1 id 1",
        ));
    let a = tc
        .run([
            "schema",
            "register",
            "trucks_gps-value",
            "--file",
            v2.to_str().unwrap(),
        ])
        .code(12);
    let err = stderr_lines(&a).join("\n");
    assert!(
        err.contains("not BACKWARD compatible with version 1") && err.contains("driver"),
        "{err}"
    );
    // produce --registry refuses it the same way, before writing anything.
    tc.run(["topic", "create", "trucks_gps", "-p", "1"])
        .success();
    tc.produce(
        "trucks_gps",
        r#"{"truck_id":"a","driver":"b"}"#,
        &[
            "--input-format",
            "json",
            "--value-schema",
            v2.to_str().unwrap(),
            "--registry",
        ],
    )
    .code(12);
    assert!(values(&tc, "trucks_gps").is_empty());
    // With NONE it goes in as version 2 with a new id.
    tc.run([
        "schema",
        "compatibility",
        "trucks_gps-value",
        "--set",
        "NONE",
    ])
    .success()
    .stdout("trucks_gps-value: NONE\n");
    tc.run([
        "schema",
        "register",
        "trucks_gps-value",
        "--file",
        v2.to_str().unwrap(),
    ])
    .success()
    .stdout(predicates::str::contains("version 2 id 2"));
    let list = stdout_text(&tc.run(["schema", "list"]).success());
    assert!(
        list.contains("trucks_gps-value") && list.contains("NONE"),
        "{list}"
    );
    let shown = json_lines(
        &tc.run([
            "schema",
            "show",
            "trucks_gps-value",
            "--version",
            "1",
            "--output",
            "json",
        ])
        .success(),
    );
    assert_eq!(shown[0]["id"], json!(1));
    assert_eq!(shown[0]["schemaType"], json!("AVRO"));
    tc.run(["schema", "show", "trucks_gps-value", "--version", "9"])
        .code(4);
    tc.run(["schema", "show", "nope"]).code(4);
}

#[test]
fn csv_output_quotes_and_neutralises_formulas() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "j", "-p", "1"]).success();
    let envelope = |value: Value| {
        json!({"key": "k,1", "value": value, "timestamp": FIXED_TIMESTAMP}).to_string()
    };
    tc.produce(
        "j",
        format!(
            "{}\n{}\n",
            envelope(json!({"name": "a \"quoted\", comma", "n": -1.5, "note": "two\nlines"})),
            envelope(json!({"name": "=HYPERLINK(\"http://x\")", "n": 2, "note": "@SUM(A1)", "extra": [1]})),
        ),
        &["--input-format", "envelope"],
    )
    .success();
    let a = tc
        .consume(["-t", "j", "--value-format", "json", "--output", "csv"])
        .success();
    let ts = FIXED_TIMESTAMP;
    assert_eq!(
        stdout_text(&a),
        format!(
            "partition,offset,timestamp,key,name,n,note\r\n\
             0,0,{ts},\"k,1\",\"a \"\"quoted\"\", comma\",-1.5,\"two\nlines\"\r\n\
             0,1,{ts},\"k,1\",\"'=HYPERLINK(\"\"http://x\"\")\",2,'@SUM(A1)\r\n"
        )
    );
    // The field the header (taken from the first value) has no column for is named.
    assert!(
        stderr_lines(&a).join("\n").contains("left out: extra"),
        "{:?}",
        stderr_lines(&a)
    );
}

#[test]
fn avro_container_output_is_read_by_fastavro() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "trucks_gps", "-p", "1"])
        .success();
    tc.produce(
        "trucks_gps",
        csv_input(),
        &[
            "--input-format",
            "csv",
            "--value-schema",
            &avsc(),
            "--registry",
        ],
    )
    .success();
    let ocf = tc.consume_ok([
        "-t",
        "trucks_gps",
        "--value-format",
        "avro",
        "--output",
        "avro",
    ]);
    let file = tc.path().join("trucks.avro");
    std::fs::write(&file, ocf).unwrap();
    let text = decode_values(&["avro-ocf", file.to_str().unwrap()], "");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("io.filka.trucks.TruckPosition"));
    let got: Vec<Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(got, trucks_json());
    // --output avro needs Avro values.
    tc.consume(["-t", "trucks_gps", "--output", "avro"]).code(2);
}

#[test]
fn decoded_envelopes_copy_an_avro_topic_losslessly() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "a", "-p", "1"]).success();
    tc.run(["topic", "create", "b", "-p", "1"]).success();
    tc.produce(
        "a",
        csv_input(),
        &[
            "--input-format",
            "csv",
            "--key-field",
            "truck_id",
            "--value-schema",
            &avsc(),
        ],
    )
    .success();
    let json = tc.consume_ok([
        "-t",
        "a",
        "--value-schema",
        &avsc(),
        "--key-format",
        "string",
        "--output",
        "json",
    ]);
    tc.produce(
        "b",
        json,
        &["--input-format", "envelope", "--value-schema", &avsc()],
    )
    .success();
    let (a, b) = (tc.read_topic("a"), tc.read_topic("b"));
    assert_eq!(a.len(), 5);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (&x.key, &x.value, x.timestamp),
            (&y.key, &y.value, y.timestamp)
        );
    }
}

#[test]
fn every_key_and_value_format_round_trips_through_produce_and_consume() {
    let tc = TestCluster::new();
    let key_schema = tc.path().join("key.avsc");
    std::fs::write(&key_schema, r#""string""#).unwrap();
    let ks = key_schema.to_str().unwrap();
    let av = avsc();
    let pr = proto();
    // (flags, text in, text out)
    let formats: Vec<(Vec<&str>, &str, &str)> = vec![
        (vec!["bytes"], "raw\u{7f}", "raw\u{7f}"),
        (vec!["string"], "héllo", "héllo"),
        (vec!["base64"], "AP8Q", "AP8Q"),
        (vec!["hex"], "00ff10", "00ff10"),
        (vec!["int"], "-42", "-42"),
        (vec!["long"], "9007199254740993", "9007199254740993"),
        (vec!["double"], "-0.25", "-0.25"),
        (vec!["json"], "{\"a\":[1,2.5]}", "{\"a\":[1,2.5]}"),
    ];
    let mut n = 0;
    for (kf, kin, kout) in &formats {
        for (vf, vin, vout) in &formats {
            n += 1;
            let topic = format!("t{n}");
            tc.run(["topic", "create", &topic, "-p", "1", "-r", "1"])
                .success();
            let mut flags = vec!["-K", "|", "--key-format", kf[0], "--value-format", vf[0]];
            tc.produce(&topic, format!("{kin}|{vin}\n"), &flags)
                .success();
            flags.drain(..2);
            let mut args = vec!["-t", topic.as_str(), "--format", "%k|%v\\n"];
            args.extend_from_slice(&flags);
            let out = stdout_text(&tc.consume(args).success());
            assert_eq!(out, format!("{kout}|{vout}\n"), "key {kf:?} value {vf:?}");
        }
    }
    // The schema formats, as keys and values, through JSON lines.
    let truck = r#"{"truck_id":"t","latitude":1.5,"longitude":2,"speed_kmh":null,"recorded_at":3}"#;
    for (flags, field) in [
        (
            vec!["--key-schema", ks, "--value-schema", av.as_str()],
            "truck_id",
        ),
        (
            vec!["--key-format", "string", "--proto", pr.as_str()],
            "truck_id",
        ),
    ] {
        n += 1;
        let topic = format!("t{n}");
        tc.run(["topic", "create", &topic, "-p", "1", "-r", "1"])
            .success();
        let mut p = vec!["--input-format", "json", "--key-field", field];
        p.extend_from_slice(&flags);
        tc.produce(&topic, truck, &p).success();
        let mut c = vec!["-t", topic.as_str(), "--output", "json"];
        c.extend_from_slice(&flags);
        let out = json_lines(&tc.consume(c).success());
        assert_eq!(out[0]["key"], json!("t"), "{flags:?}");
        assert_eq!(out[0]["value"]["latitude"], json!(1.5), "{flags:?}");
    }
}

#[test]
fn a_descriptor_set_works_like_the_proto_file() {
    let tc = TestCluster::new();
    let set = tc.path().join("trucks.pb");
    let dir = fixture("schemas");
    let status = std::process::Command::new(crate::oracle::oracle_python())
        .args(["-m", "grpc_tools.protoc", "--include_imports"])
        .arg(format!("--descriptor_set_out={}", set.display()))
        .arg(format!("-I{}", dir.display()))
        .arg(proto())
        .status()
        .unwrap();
    assert!(status.success());
    tc.run(["topic", "create", "a", "-p", "1", "-r", "1"])
        .success();
    tc.run(["topic", "create", "b", "-p", "1", "-r", "1"])
        .success();
    let s = set.to_str().unwrap();
    tc.produce(
        "a",
        csv_input(),
        &[
            "--input-format",
            "csv",
            "--descriptor-set",
            s,
            "--message",
            "io.filka.trucks.TruckPosition",
        ],
    )
    .success();
    tc.produce(
        "b",
        csv_input(),
        &["--input-format", "csv", "--proto", &proto()],
    )
    .success();
    assert_eq!(values(&tc, "a"), values(&tc, "b"));
    let out = json_lines(
        &tc.consume(["-t", "a", "--descriptor-set", s, "--output", "json"])
            .success(),
    );
    assert_eq!(out[4]["value"]["speedKmh"], json!(55.0));
    // A descriptor set has no source text for the registry.
    tc.produce(
        "a",
        csv_input(),
        &["--input-format", "csv", "--descriptor-set", s, "--registry"],
    )
    .code(2);
}

/// The other direction: a truck position encoded by fastavro and by protoc
/// (fixtures/gen/make_truck_fixtures.py) decodes to the same JSON in filka, and filka's own
/// encoding of that JSON is byte for byte the same.
#[test]
fn values_encoded_by_fastavro_and_protoc_decode_and_reencode_identically() {
    let tc = TestCluster::new();
    let truck = trucks_json()[0].to_string();
    let (avsc, proto) = (avsc(), proto());
    for (file, flags) in [
        (
            "schemas/truck_position.avro.bin",
            vec!["--value-schema", avsc.as_str()],
        ),
        ("schemas/truck_position.pb", vec!["--proto", proto.as_str()]),
    ] {
        let theirs = std::fs::read(fixture(file)).unwrap();
        let topic = file.rsplit('.').next().unwrap();
        tc.run(["topic", "create", topic, "-p", "1", "-r", "1"])
            .success();
        let envelope = json!({"value": hex(&theirs), "value_encoding": "hex"}).to_string();
        tc.produce(topic, envelope, &["--input-format", "envelope"])
            .success();
        tc.produce(
            topic,
            truck.clone(),
            &[&["--input-format", "json"][..], &flags].concat(),
        )
        .success();
        let v = values(&tc, topic);
        assert_eq!(
            v[1], theirs,
            "{file}: filka's bytes differ from the independent encoder's"
        );
        let mut c = vec!["-t", topic, "--output", "json"];
        c.extend_from_slice(&flags);
        let out = json_lines(&tc.consume(c).success());
        assert_eq!(out[0]["value"], out[1]["value"], "{file}");
    }
}
