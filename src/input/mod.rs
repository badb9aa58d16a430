//! Reading positions: pasted text or API objects → checked position rows, with one error per
//! unreadable row and the other rows kept.

pub mod balance;
pub mod columns;
pub mod loose;
pub mod row;
pub mod snapshot;
pub mod table;

pub use loose::Loose;
pub use row::{PositionRow, RowContext, RowMarginMode};
pub use table::{ColumnUse, Table};

/// A row that could not be used, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    /// 1-based line in the pasted text (header = 1), or 1-based index in an API array.
    pub line: usize,
    /// 1-based number of the row among the input's rows; 0 for the header or the whole text.
    pub item: usize,
    pub message: String,
    /// The row as given, shortened; shown as text, never as markup.
    pub text: String,
}

/// Positions as the request gives them.
#[derive(Clone, Debug)]
pub enum PositionsInput {
    Text(String),
    Objects(Vec<Loose>),
    /// A venue's response passed as an object, envelope included (`{"result": […]}`), kept as
    /// its JSON text; its rows' `line` is their 1-based index in the positions array.
    Response(String),
}

impl Default for PositionsInput {
    fn default() -> Self {
        PositionsInput::Text(String::new())
    }
}

/// All rows of an input: the positions that could be read, and an error for each that could not.
#[derive(Clone, Debug, Default)]
pub struct Book {
    pub format: &'static str,
    pub columns: Vec<ColumnUse>,
    /// The venue the header names pointed to, if any.
    pub venue_hint: Option<crate::instrument::Venue>,
    pub rows: Vec<PositionRow>,
    pub errors: Vec<RowError>,
    /// Rows of size 0 (closed positions, as venues' API responses list them), skipped: line, item.
    pub skipped: Vec<(usize, usize)>,
}

/// Reads every row; never fails as a whole. `venue_setting` decides names several venues share.
pub fn read_book(input: &PositionsInput, venue_setting: Option<crate::instrument::Venue>) -> Book {
    let mut readings = crate::symbology::Readings::default();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut each = |table: &Table, raw: &table::RawRow| {
        let context = RowContext {
            iv_in_percent: table.iv_in_percent,
            venue_setting,
            venue_hint: table.venue_hint,
        };
        match row::read_row_in(raw, &context, &mut readings) {
            Ok(position) => rows.push(position),
            Err(message) if message == row::ZERO_SIZE => skipped.push((raw.line, raw.item)),
            Err(message) => errors.push(RowError::new(raw.line, raw.item, message, raw.text)),
        }
    };
    let table = match input {
        PositionsInput::Text(text) => table::read_text(text, &mut each),
        PositionsInput::Objects(items) => table::read_objects(items, &mut each),
        PositionsInput::Response(text) => table::read_response_object(text, &mut each),
    };
    errors.extend(table.errors);
    errors.sort_by_key(|e| (e.line, e.item));
    Book {
        format: table.format,
        columns: table.columns,
        venue_hint: table.venue_hint,
        rows,
        errors,
        skipped,
    }
}
