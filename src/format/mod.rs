//! How records look outside filka.
//!
//! - [`serializer`]: key and value formats (bytes, string, base64, hex, int, long, double,
//!   json, avro, protobuf), encoding on produce and decoding on consume, with Confluent
//!   framing ([`confluent`]) and the local schema [`registry`];
//! - [`avro`] and [`protobuf`]: the two schema languages;
//! - [`envelope`]: the JSON record envelope of `consume --output json` and `produce
//!   --input-format envelope`; [`record_out`]: decoded, CSV and Avro-container output;
//! - [`input`] splits `produce`'s input into lines, [`csv_input`] reads CSV rows, and
//!   [`columns`] is CSV's view of a schema's fields;
//! - [`template`] and [`offset_spec`]: `consume --format` and `consume -o`.

pub mod avro;
pub mod columns;
pub mod confluent;
pub mod csv_input;
pub mod envelope;
pub mod input;
pub mod offset_spec;
pub mod protobuf;
pub mod record_out;
pub mod registry;
pub mod serializer;
pub mod template;
