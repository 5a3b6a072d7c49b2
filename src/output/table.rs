//! Tables for people, over comfy-table.
//!
//! Two styles: [`TableStyle::Plain`] (ASCII, no borders, no colours, columns separated by two
//! spaces, no trailing spaces, independent of the terminal: what pipes and golden tests see)
//! and [`TableStyle::Pretty`] (rounded UTF-8 borders, wrapped to the terminal's width).
//! Column headers are the caller's, in Kafka's vocabulary (TOPIC, PARTITION, LEADER,
//! REPLICAS, ISR, LOG-END-OFFSET, LAG, ...).

use comfy_table::{ContentArrangement, presets};

use super::escape_control;

/// How a table is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStyle {
    /// Plain ASCII columns, for pipes, files and tests. Deterministic.
    Plain,
    /// Borders and wrapping to the terminal width, for a person at a terminal.
    Pretty,
}

/// A table: a header row and rows of cells. Cells are escaped with [`escape_control`] (names
/// come from disk and must not break the layout).
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Table {
            header: header
                .into_iter()
                .map(|h| escape_control(h.as_ref()))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row. Missing trailing cells render empty.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: ToString,
    {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| escape_control(&c.to_string()))
                .collect(),
        );
        self
    }

    /// Number of rows, header excluded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, without a final newline.
    pub fn render(&self, style: TableStyle) -> String {
        let mut t = comfy_table::Table::new();
        t.set_header(self.header.clone());
        for row in &self.rows {
            t.add_row(row.clone());
        }
        match style {
            TableStyle::Plain => {
                // Never look at the terminal: the same rows give the same bytes everywhere.
                t.force_no_tty()
                    .load_style(presets::NOTHING)
                    .set_content_arrangement(ContentArrangement::Disabled);
                let last = t.column_count().saturating_sub(1);
                for (i, column) in t.column_iter_mut().enumerate() {
                    column.set_padding((0, if i == last { 0 } else { 2 }));
                }
                t.trim_fmt()
            }
            TableStyle::Pretty => {
                t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
                    .set_content_arrangement(ContentArrangement::Dynamic);
                t.to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(["TOPIC", "PARTITION", "LEADER", "ISR"]);
        t.row(["demo", "0", "101", "101,102,103"]);
        t.row(["user-interactions", "12", "none", ""]);
        t
    }

    #[test]
    fn plain_is_aligned_columns_without_borders() {
        assert_eq!(
            sample().render(TableStyle::Plain),
            "TOPIC              PARTITION  LEADER  ISR\n\
             demo               0          101     101,102,103\n\
             user-interactions  12         none"
        );
    }

    #[test]
    fn plain_header_only_and_short_rows() {
        let mut t = Table::new(["GROUP", "STATE"]);
        assert_eq!(t.render(TableStyle::Plain), "GROUP  STATE");
        assert!(t.is_empty());
        t.row(["g1"]);
        assert_eq!(t.len(), 1);
        assert_eq!(t.render(TableStyle::Plain), "GROUP  STATE\ng1");
    }

    #[test]
    fn cells_are_escaped() {
        let mut t = Table::new(["TOPIC"]);
        t.row(["evil\nname\u{1b}[2J"]);
        assert_eq!(t.render(TableStyle::Plain), "TOPIC\nevil\\nname\\x1b[2J");
    }

    #[test]
    fn pretty_has_borders() {
        let out = sample().render(TableStyle::Pretty);
        assert!(out.starts_with('╭'), "{out}");
        assert!(out.contains("user-interactions"), "{out}");
    }
}
