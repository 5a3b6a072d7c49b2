//! `produce --input-format csv`: a header row names the fields; each row after it becomes a
//! JSON object with those fields, typed by the value's schema when there is one (Avro,
//! Protobuf) and by inference otherwise (format::columns), ready for the value's encoder.
//!
//! Rows follow RFC 4180 (quoted cells may hold commas, quotes and newlines), so a row can
//! span several lines; errors name the row as a spreadsheet numbers it (the header is row
//! 1), which stays right however lines end and wherever a cell holds a newline. A row of the wrong width or
//! with a cell its field's type refuses is an error for that row only: reading goes on with
//! the next row. Memory is bounded: a row longer than the cap (an unclosed quote that would
//! swallow the rest of the input) is refused instead of being held.
//!
//! Owns: header checks against the schema, row-to-object conversion. Must not: encode
//! records or know about topics.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use serde_json::{Map, Value};

use super::columns::Column;

/// A reader that counts bytes and refuses to read far past the start of the current row.
struct Bounded<R> {
    inner: R,
    read: Rc<Cell<u64>>,
    row_start: Rc<Cell<u64>>,
    cap: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.get() - self.row_start.get() > self.cap {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a CSV row longer than {} bytes (an unclosed quote?)",
                    self.cap
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// One row, or why it was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// The row's fields as a JSON object, and the key column's cell if one was asked.
    Record {
        /// The row's number (the header is row 1).
        row: u64,
        /// Field name to typed JSON.
        value: Map<String, Value>,
        /// The `--key-field` cell, typed like its field (`None` when no key column was
        /// asked).
        key: Option<Value>,
    },
    /// The row is malformed; reading can go on.
    Invalid {
        /// The row's number (the header is row 1).
        row: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Why CSV input cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum CsvInputError {
    /// The input failed, or a row passed the cap.
    #[error("reading CSV: {0}")]
    Io(#[from] io::Error),
    /// The header row is missing or names fields the schema does not have.
    #[error("CSV header: {0}")]
    Header(String),
}

/// Rows of CSV input.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<Bounded<R>>,
    row_start: Rc<Cell<u64>>,
    /// Per header column: how its cells are typed, and whether they belong to the value
    /// (a key column that is not a field of the schema does not).
    columns: Vec<(Column, bool)>,
    key_column: Option<usize>,
    record: csv::StringRecord,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header row. `schema` holds the value schema's columns (a header name
    /// outside them is refused, but for the key column, which then stays out of the value);
    /// `None` types cells by inference. `key_field` names the column whose cell becomes the
    /// key. Rows may be at most `cap` bytes.
    pub fn new(
        input: R,
        schema: Option<(&[Column], &str)>,
        key_field: Option<&str>,
        cap: u64,
    ) -> Result<CsvRows<R>, CsvInputError> {
        let row_start = Rc::new(Cell::new(0));
        let bounded = Bounded {
            inner: input,
            read: Rc::new(Cell::new(0)),
            row_start: row_start.clone(),
            cap,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bounded);
        let header = reader
            .headers()
            .map_err(|e| header_error(e, "the header row"))?
            .clone();
        if header.is_empty() || header.iter().all(str::is_empty) {
            return Err(CsvInputError::Header(
                "the input is empty or its first row names no fields".into(),
            ));
        }
        let mut columns = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            if header.iter().take(i).any(|n| n == name) {
                return Err(CsvInputError::Header(format!(
                    "column {name:?} appears twice"
                )));
            }
            let column = match schema {
                None => (Column::inferred(name), true),
                Some((fields, type_name)) => match find_field(fields, name) {
                    Some(c) => (c.clone(), true),
                    None if key_field == Some(name) => (Column::inferred(name), false),
                    None => {
                        let names: Vec<&str> = fields.iter().map(|c| c.name.as_str()).collect();
                        return Err(CsvInputError::Header(format!(
                            "column {name:?} is not a field of {type_name} (its fields: {})",
                            names.join(", ")
                        )));
                    }
                },
            };
            if columns
                .iter()
                .any(|(c, _): &(Column, bool)| c.name == column.0.name)
            {
                return Err(CsvInputError::Header(format!(
                    "columns {name:?} and another both name field {:?}",
                    column.0.name
                )));
            }
            columns.push(column);
        }
        let key_column = match key_field {
            None => None,
            Some(k) => Some(header.iter().position(|n| n == k).ok_or_else(|| {
                CsvInputError::Header(format!(
                    "--key-field {k:?} is not a column (the header has {})",
                    header.iter().collect::<Vec<_>>().join(", ")
                ))
            })?),
        };
        row_start.set(reader.position().byte());
        Ok(CsvRows {
            reader,
            row_start,
            columns,
            key_column,
            record: csv::StringRecord::new(),
        })
    }

    /// The next row, `Ok(None)` at the end of the input.
    pub fn next_row(&mut self) -> Result<Option<Row>, CsvInputError> {
        // The record counter is exact (csv's line numbers drift after CRLF and blank
        // lines); with the header as record 0, a record's row is its index + 1.
        let row = self.reader.position().record() + 1;
        let more = self.reader.read_record(&mut self.record);
        self.row_start.set(self.reader.position().byte());
        match more {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(self.convert(row))),
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(e) => Err(CsvInputError::Io(e)),
                csv::ErrorKind::Utf8 { err, .. } => Ok(Some(Row::Invalid {
                    row,
                    reason: format!("not UTF-8 text: {err}"),
                })),
                other => Ok(Some(Row::Invalid {
                    row,
                    reason: format!("{other:?}"),
                })),
            },
        }
    }

    fn convert(&self, row: u64) -> Row {
        if self.record.len() != self.columns.len() {
            return Row::Invalid {
                row,
                reason: format!(
                    "{} cells, but the header names {} fields",
                    self.record.len(),
                    self.columns.len()
                ),
            };
        }
        let mut value = Map::with_capacity(self.columns.len());
        let mut key = None;
        for (i, ((column, in_value), cell)) in
            self.columns.iter().zip(self.record.iter()).enumerate()
        {
            let v = match column.to_json(cell) {
                Ok(v) => v,
                Err(reason) => {
                    return Row::Invalid {
                        row,
                        reason: format!("field {}: {reason}", column.name),
                    };
                }
            };
            if self.key_column == Some(i) {
                key = Some(v.clone());
            }
            if *in_value {
                value.insert(column.name.clone(), v);
            }
        }
        Row::Record { row, value, key }
    }
}

/// The schema field a header names: exactly, or else the one field whose name is the same
/// once case and underscores are ignored (a `truck_id` column for Protobuf's JSON name
/// `truckId`). The row's object then uses the schema's spelling.
fn find_field<'c>(fields: &'c [Column], header: &str) -> Option<&'c Column> {
    if let Some(c) = fields.iter().find(|c| c.name == header) {
        return Some(c);
    }
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|&c| c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = fold(header);
    let mut matches = fields.iter().filter(|c| fold(&c.name) == wanted);
    match (matches.next(), matches.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

fn header_error(e: csv::Error, what: &str) -> CsvInputError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => CsvInputError::Io(e),
        other => CsvInputError::Header(format!("{what}: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::columns::CellType;
    use serde_json::json;

    fn rows(input: &str, schema: Option<&[Column]>, key: Option<&str>) -> Vec<Row> {
        let mut r = CsvRows::new(input.as_bytes(), schema.map(|s| (s, "T")), key, 1 << 20).unwrap();
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            out.push(row);
        }
        out
    }

    #[test]
    fn quoted_cells_with_commas_quotes_and_newlines() {
        let got = rows(
            "id,note,n\r\n7,\"a, \"\"b\"\"\nc\",-1.5\n8,,x\n",
            None,
            Some("id"),
        );
        assert_eq!(
            got,
            vec![
                Row::Record {
                    row: 2,
                    value: json!({"id": 7, "note": "a, \"b\"\nc", "n": -1.5})
                        .as_object()
                        .unwrap()
                        .clone(),
                    key: Some(json!(7)),
                },
                Row::Record {
                    row: 3,
                    value: json!({"id": 8, "note": "", "n": "x"})
                        .as_object()
                        .unwrap()
                        .clone(),
                    key: Some(json!(8)),
                },
            ]
        );
    }

    #[test]
    fn schema_types_cells_and_bad_rows_are_reported_one_by_one() {
        let schema = [
            Column {
                name: "id".into(),
                ty: CellType::Text,
                nullable: false,
            },
            Column {
                name: "speed".into(),
                ty: CellType::Float,
                nullable: true,
            },
        ];
        let got = rows("id,speed\na,1\nb,fast\nc\nd,\n", Some(&schema), None);
        assert_eq!(got.len(), 4);
        assert!(matches!(&got[0], Row::Record { value, .. } if value["speed"] == json!(1.0)));
        assert!(
            matches!(&got[1], Row::Invalid { row: 3, reason } if reason.contains("field speed")),
            "{got:?}"
        );
        assert!(matches!(&got[2], Row::Invalid { row: 4, reason } if reason.contains("1 cells")));
        assert!(matches!(&got[3], Row::Record { value, .. } if value["speed"] == Value::Null));
    }

    #[test]
    fn rows_are_counted_as_a_spreadsheet_does_whatever_the_line_ends() {
        let got = rows("id,note\r\n7,\"a\r\nb\"\r\n\r\n8,x\r\n9\n", None, None);
        let numbers: Vec<u64> = got
            .iter()
            .map(|r| match r {
                Row::Record { row, .. } | Row::Invalid { row, .. } => *row,
            })
            .collect();
        assert_eq!(numbers, [2, 3, 4]);
        assert!(matches!(&got[2], Row::Invalid { reason, .. } if reason.contains("1 cells")));
    }

    #[test]
    fn a_key_column_outside_the_schema_stays_out_of_the_value() {
        let schema = [Column {
            name: "n".into(),
            ty: CellType::Integer,
            nullable: false,
        }];
        let got = rows("id,n\nx-1,5\n", Some(&schema), Some("id"));
        assert_eq!(
            got,
            vec![Row::Record {
                row: 2,
                value: json!({"n": 5}).as_object().unwrap().clone(),
                key: Some(json!("x-1")),
            }]
        );
    }

    #[test]
    fn header_problems_are_refused_up_front() {
        let schema = [Column::inferred("id")];
        for (input, schema, key, want) in [
            ("", None, None, "empty"),
            ("id,x\n", Some(&schema[..]), None, "not a field of T"),
            ("id,id\n", None, None, "twice"),
            ("id\n", None, Some("truck"), "--key-field"),
        ] {
            let e = CsvRows::new(input.as_bytes(), schema.map(|s| (s, "T")), key, 1024)
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains(want), "{input:?}: {e}");
        }
    }

    #[test]
    fn an_unclosed_quote_is_refused_at_the_cap() {
        let mut input = String::from("a,b\n1,\"");
        input.push_str(&"x".repeat(100_000));
        let mut r = CsvRows::new(input.as_bytes(), None, None, 10_000).unwrap();
        let e = r.next_row().unwrap_err().to_string();
        assert!(e.contains("longer than 10000 bytes"), "{e}");
    }
}
