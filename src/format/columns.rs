//! The top-level fields of a typed value, as CSV sees them: their names (the header row of
//! `consume --output csv`) and how a CSV cell becomes the JSON a schema accepts (the rows of
//! `produce --input-format csv`).
//!
//! Owns: [`Column`], [`CellType`] and the one rule that turns a cell into JSON. The schema
//! modules (`avro`, `protobuf`) describe their record's fields with these; `csv` uses them.
//! Must not: know any schema language.

use serde_json::Value;

/// How a cell's text becomes JSON for one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    /// The text as a JSON string (strings, enums, Avro bytes).
    Text,
    /// A whole number (Avro int/long, protobuf integer kinds).
    Integer,
    /// A number (Avro float/double, protobuf float/double).
    Float,
    /// `true` or `false` (also `1`/`0`, any case).
    Boolean,
    /// JSON text parsed as is (records, arrays, maps, messages, repeated fields).
    Json,
    /// No schema says: a JSON number or `true`/`false` when the whole cell is one, else text.
    Inferred,
}

/// One top-level field of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The field's name as the schema spells it (and as JSON input/output uses it).
    pub name: String,
    /// How its cells are typed.
    pub ty: CellType,
    /// An empty cell means null (an Avro union with null, a proto3 `optional` or message
    /// field). For other fields an empty cell is an empty string (Text) or an error.
    pub nullable: bool,
}

impl Column {
    /// A column typed by inference (no schema).
    pub fn inferred(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            ty: CellType::Inferred,
            nullable: false,
        }
    }

    /// The JSON for `cell` in this column, or what is wrong with it.
    pub fn to_json(&self, cell: &str) -> Result<Value, String> {
        if cell.is_empty() && self.nullable {
            return Ok(Value::Null);
        }
        match self.ty {
            CellType::Text => Ok(Value::String(cell.to_string())),
            CellType::Integer => {
                let t = cell.trim();
                if let Ok(n) = t.parse::<i64>() {
                    Ok(Value::from(n))
                } else if let Ok(n) = t.parse::<u64>() {
                    Ok(Value::from(n))
                } else {
                    Err(format!("{cell:?} is not a whole number"))
                }
            }
            CellType::Float => {
                let t = cell.trim();
                match t.parse::<f64>() {
                    Ok(f) if f.is_finite() => serde_json::Number::from_f64(f)
                        .map(Value::Number)
                        .ok_or_else(|| format!("{cell:?} is not a number")),
                    // NaN and infinities have no JSON number; both schema languages accept
                    // them spelled as strings.
                    Ok(_) => Ok(Value::String(t.to_string())),
                    Err(_) => Err(format!("{cell:?} is not a number")),
                }
            }
            CellType::Boolean => match cell.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(format!("{cell:?} is not true or false")),
            },
            CellType::Json => {
                serde_json::from_str(cell).map_err(|e| format!("{cell:?} is not JSON: {e}"))
            }
            CellType::Inferred => Ok(infer(cell)),
        }
    }
}

/// A cell's JSON when no schema types it: a number only when the text is exactly how JSON
/// writes that number (so `007` and `1e400` stay text and lose nothing), a boolean for
/// `true`/`false`, else the text.
fn infer(cell: &str) -> Value {
    match cell {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    let looks_numeric = cell
        .bytes()
        .next()
        .is_some_and(|b| b == b'-' || b.is_ascii_digit());
    if looks_numeric
        && let Ok(Value::Number(n)) = serde_json::from_str::<Value>(cell)
        && n.to_string() == cell
    {
        return Value::Number(n);
    }
    Value::String(cell.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(ty: CellType, nullable: bool) -> Column {
        Column {
            name: "f".into(),
            ty,
            nullable,
        }
    }

    #[test]
    fn typed_cells() {
        assert_eq!(col(CellType::Integer, false).to_json(" 42 "), Ok(json!(42)));
        assert_eq!(
            col(CellType::Integer, false).to_json("18446744073709551615"),
            Ok(json!(18446744073709551615u64))
        );
        assert!(col(CellType::Integer, false).to_json("4.2").is_err());
        assert_eq!(
            col(CellType::Float, false).to_json("48.85"),
            Ok(json!(48.85))
        );
        assert_eq!(col(CellType::Float, false).to_json("NaN"), Ok(json!("NaN")));
        assert_eq!(
            col(CellType::Boolean, false).to_json("TRUE"),
            Ok(json!(true))
        );
        assert!(col(CellType::Boolean, false).to_json("yes").is_err());
        assert_eq!(col(CellType::Text, false).to_json(""), Ok(json!("")));
        assert_eq!(col(CellType::Text, true).to_json(""), Ok(Value::Null));
        assert_eq!(
            col(CellType::Json, false).to_json(r#"{"a":[1]}"#),
            Ok(json!({"a":[1]}))
        );
    }

    #[test]
    fn inference_keeps_text_that_a_number_would_change() {
        let c = Column::inferred("x");
        assert_eq!(c.to_json("-2.35"), Ok(json!(-2.35)));
        assert_eq!(c.to_json("12"), Ok(json!(12)));
        assert_eq!(c.to_json("true"), Ok(json!(true)));
        for text in ["007", "1e400", "1.50", "+1", " 1", "", "truck-1", "-"] {
            assert_eq!(c.to_json(text), Ok(json!(text)), "{text}");
        }
    }
}
