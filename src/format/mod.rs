//! How records look outside filka: the JSON record [`envelope`] shared by `consume
//! --output json` and `produce --input-format envelope`, and (as commands arrive) output
//! templates, input line parsing and the serializers.

pub mod envelope;
pub mod offset_spec;
pub mod template;
