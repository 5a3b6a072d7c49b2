//! How records look outside filka: the JSON record [`envelope`] shared by `consume
//! --output json` and `produce --input-format envelope`, and (as commands arrive) output
//! templates and the serializers; [`input`] splits `produce`'s input into lines.

pub mod avro;
pub mod columns;
pub mod envelope;
pub mod input;
pub mod offset_spec;
pub mod protobuf;
pub mod template;
