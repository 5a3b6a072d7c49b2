//! The object container file, read back with apache-avro's `Reader`.

use super::*;

fn read_ocf(bytes: &[u8]) -> Vec<apache_avro::types::Value> {
    apache_avro::Reader::new(bytes)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn apache_value(s: &AvroSchema, datum: &[u8]) -> apache_avro::types::Value {
    GenericDatumReader::builder(s.schema())
        .build()
        .unwrap()
        .read_value(&mut &datum[..])
        .unwrap()
}

#[test]
fn container_file_reads_back() {
    let t = truck();
    for n in [0usize, 1, 3, 5000] {
        let mut w = ContainerWriter::new(Vec::new(), &t).unwrap();
        let mut datums = Vec::new();
        for i in 0..n {
            let v = json!({"truck_id": format!("truck-{i}"), "latitude": i as f64 / 7.0,
                           "longitude": -1.5,
                           "speed_kmh": if i % 3 == 0 { Value::Null } else { json!(i as f64) },
                           "recorded_at": 1700000000000i64 + i as i64});
            let d = enc(&t, &v);
            w.append(&d).unwrap();
            datums.push(d);
        }
        let file = w.finish().unwrap();
        assert_eq!(&file[..4], MAGIC);
        let values = read_ocf(&file);
        assert_eq!(values.len(), n);
        for (v, d) in values.iter().zip(&datums) {
            assert_eq!(v, &apache_value(&t, d));
        }
        let header = apache_avro::Reader::new(&file[..]).unwrap();
        assert_eq!(header.writer_schema(), t.schema());
        if n == 5000 {
            // ~50 bytes a record: several 64 KiB blocks. Each block ends with the marker,
            // which the header ends with too.
            let sync = &file[file.len() - 16..];
            let blocks = file.windows(16).filter(|w| *w == sync).count() - 1;
            assert!(blocks > 1, "{blocks} blocks");
        }
    }
}

#[test]
fn container_file_of_every_type() {
    let s = schema(ALL);
    let mut w = ContainerWriter::new(Vec::new(), &s).unwrap();
    let d = enc(&s, &all_value());
    w.append(&d).unwrap();
    w.append(&d).unwrap();
    let file = w.finish().unwrap();
    let values = read_ocf(&file);
    assert_eq!(values, vec![apache_value(&s, &d), apache_value(&s, &d)]);
}
