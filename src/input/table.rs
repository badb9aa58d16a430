//! Pasted text (CSV, TSV, semicolon-separated or a JSON array) and API arrays of objects, read into
//! raw rows that remember their line. A row that cannot be split is an error for that line only.

use super::columns::{map_headers, venue_hint, Field};
use super::loose::Loose;
use super::RowError;
use crate::instrument::Venue;
use serde_json::value::RawValue;

/// One row before its values are checked.
#[derive(Clone, Debug)]
pub struct RawRow {
    /// 1-based line in the pasted text (header = 1), or 1-based index in an API array.
    pub line: usize,
    /// 1-based number of the row among the input's rows (JSON elements, table data rows).
    pub item: usize,
    pub fields: Vec<(Field, Loose)>,
    /// The row as the user gave it, shortened, to show next to an error.
    pub text: String,
}

/// How a column of the input was used.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnUse {
    pub column: String,
    pub field: Option<Field>,
}

/// Everything read from one input.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// `csv`, `tsv`, `semicolon`, `json` (pasted JSON text) or `objects` (an API array).
    pub format: &'static str,
    pub columns: Vec<ColumnUse>,
    pub rows: Vec<RawRow>,
    pub errors: Vec<RowError>,
    /// Pasted IVs are percent (65); API numbers are fractions (0.65).
    pub iv_in_percent: bool,
    /// The venue the header names point to.
    pub venue_hint: Option<Venue>,
}

const MAX_ROW_TEXT: usize = 200;

/// Reads pasted text: a JSON array when it starts with `[`, otherwise a delimited table whose first
/// non-blank line is the header.
pub fn read_text(text: &str) -> Table {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        return read_json_text(text);
    }
    let mut table = Table {
        format: "csv",
        iv_in_percent: true,
        ..Table::default()
    };
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
    let Some((header_line, header)) = lines.by_ref().find(|(_, l)| !l.trim().is_empty()) else {
        return table;
    };
    let (delimiter, format) = detect_delimiter(header);
    table.format = format;
    let mut splitter = Splitter::new(delimiter);
    let headers = match splitter.split(header) {
        Ok(h) => h,
        Err(reason) => {
            table.errors.push(RowError::new(
                header_line,
                0,
                format!("the header row cannot be read: {reason}"),
                header,
            ));
            return table;
        }
    };
    let fields = map_headers(&headers);
    table.venue_hint = venue_hint(&headers);
    table.columns = headers
        .iter()
        .zip(&fields)
        .map(|(c, f)| ColumnUse {
            column: c.clone(),
            field: *f,
        })
        .collect();
    let normalised: Vec<String> = headers
        .iter()
        .map(|h| super::columns::normalise(h))
        .collect();
    let has = |name: &str| normalised.iter().any(|h| h == name);
    if has("date") && has("type") && has("amount") && has("position") {
        let message =
            "this looks like a transaction log (Date, Type, Amount, Position): each row is a \
                       trade, not a position — paste the positions table instead"
                .to_string();
        table
            .errors
            .push(RowError::new(header_line, 0, message, header));
        return table;
    }
    for required in [Field::Instrument, Field::Size] {
        if !fields.contains(&Some(required)) {
            let message = format!(
                "the header row has no {} column (found: {}); expected a header such as \
                 instrument,size,entryPrice,markPrice,iv",
                required.name(),
                headers.join(", ")
            );
            table
                .errors
                .push(RowError::new(header_line, 0, message, header));
            return table;
        }
    }
    let data_rows = lines.filter(|(_, row_text)| !row_text.trim().is_empty());
    for (index, (line, row_text)) in data_rows.enumerate() {
        let item = index + 1;
        match read_delimited_row(&mut splitter, row_text, &fields) {
            Ok(values) => table.rows.push(RawRow {
                line,
                item,
                fields: values,
                text: shorten(row_text),
            }),
            Err(reason) => table
                .errors
                .push(RowError::new(line, item, reason, row_text)),
        }
    }
    table
}

/// Reads an API array of position objects; `line` is the 1-based index in the array.
pub fn read_objects(items: &[Loose]) -> Table {
    let mut table = Table {
        format: "objects",
        iv_in_percent: false,
        ..Table::default()
    };
    for (i, item) in items.iter().enumerate() {
        push_object(&mut table, i + 1, i + 1, item, &describe_loose(item));
    }
    table
}

fn read_json_text(text: &str) -> Table {
    let mut table = Table {
        format: "json",
        iv_in_percent: true,
        ..Table::default()
    };
    let items: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(e) => {
            let line = e.line().max(1);
            let row_text = text.split('\n').nth(line - 1).unwrap_or("");
            let message = format!("the pasted JSON is not an array of position objects: {e}");
            table.errors.push(RowError::new(line, 0, message, row_text));
            return table;
        }
    };
    let base = text.as_ptr() as usize;
    for (index, raw) in items.into_iter().enumerate() {
        let item = index + 1;
        let offset = (raw.get().as_ptr() as usize)
            .saturating_sub(base)
            .min(text.len());
        let line = text.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        match serde_json::from_str::<Loose>(raw.get()) {
            Ok(value) => push_object(&mut table, line, item, &value, raw.get()),
            Err(e) => table.errors.push(RowError::new(
                line,
                item,
                format!("the row cannot be read: {e}"),
                raw.get(),
            )),
        }
    }
    table
}

fn push_object(table: &mut Table, line: usize, item: usize, value: &Loose, text: &str) {
    let Loose::Object(entries) = value else {
        let message = format!(
            "the row is {}, not an object like {{\"instrument\": …, \"size\": …}}",
            value.describe()
        );
        table.errors.push(RowError::new(line, item, message, text));
        return;
    };
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    let fields = map_headers(&keys);
    for (key, field) in keys.iter().zip(&fields) {
        if !table.columns.iter().any(|c| c.column == *key) {
            table.columns.push(ColumnUse {
                column: key.to_string(),
                field: *field,
            });
        }
    }
    let values = entries
        .iter()
        .zip(fields)
        .filter_map(|((_, value), field)| field.map(|f| (f, value.clone())))
        .collect();
    table.rows.push(RawRow {
        line,
        item,
        fields: values,
        text: shorten(text),
    });
}

fn detect_delimiter(header: &str) -> (u8, &'static str) {
    if header.contains('\t') {
        (b'\t', "tsv")
    } else if header.contains(';') && !header.contains(',') {
        (b';', "semicolon")
    } else {
        (b',', "csv")
    }
}

fn read_delimited_row(
    splitter: &mut Splitter,
    text: &str,
    fields: &[Option<Field>],
) -> Result<Vec<(Field, Loose)>, String> {
    if text.matches('"').count() % 2 == 1 {
        return Err("the row has an unbalanced quote (\"); each row must be on one line".into());
    }
    let cells = splitter.split(text)?;
    if cells.iter().all(|c| c.is_empty()) {
        return Err("the row has no values, only separators".into());
    }
    let extra_filled = cells.iter().skip(fields.len()).any(|c| !c.is_empty());
    if cells.len() < fields.len() || extra_filled {
        return Err(format!(
            "the row has {} values but the header has {} columns",
            cells.len(),
            fields.len()
        ));
    }
    Ok(cells
        .into_iter()
        .zip(fields)
        .filter_map(|(cell, field)| {
            let value = if cell.is_empty() {
                Loose::Missing
            } else {
                Loose::Text(cell)
            };
            field.map(|f| (f, value))
        })
        .collect())
}

/// Splits one line into trimmed cells with the CSV rules (quotes, doubled quotes), reusing one
/// `csv_core` reader for every line: building a reader per line cost ≈ 20 µs, most of the time
/// of reading a 100,000-row book.
struct Splitter {
    reader: csv_core::Reader,
    output: Vec<u8>,
    ends: Vec<usize>,
}

impl Splitter {
    fn new(delimiter: u8) -> Splitter {
        Splitter {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            output: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn split(&mut self, text: &str) -> Result<Vec<String>, String> {
        use csv_core::ReadRecordResult;
        self.reader.reset();
        // Unquoting never makes a line longer; one end per delimiter, plus one.
        self.output.resize(text.len() + 1, 0);
        self.ends.resize(text.len() + 2, 0);
        let mut input = text.as_bytes();
        let (mut written, mut fields) = (0, 0);
        loop {
            let (result, read, out, ends) = self.reader.read_record(
                input,
                &mut self.output[written..],
                &mut self.ends[fields..],
            );
            input = &input[read..];
            written += out;
            fields += ends;
            match result {
                // The whole line was given: an empty input now tells the reader it has ended.
                ReadRecordResult::InputEmpty => continue,
                ReadRecordResult::Record | ReadRecordResult::End => break,
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {
                    return Err("the row cannot be split into columns".into())
                }
            }
        }
        let mut start = 0;
        let mut cells = Vec::with_capacity(fields);
        for &end in &self.ends[..fields] {
            let cell = String::from_utf8_lossy(&self.output[start..end]);
            cells.push(cell.trim().to_string());
            start = end;
        }
        Ok(cells)
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_ROW_TEXT {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_ROW_TEXT).collect();
    format!("{head}…")
}

fn describe_loose(item: &Loose) -> String {
    match item {
        Loose::Object(entries) => entries
            .iter()
            .map(|(k, v)| match v {
                Loose::Text(t) => format!("{k}: {t}"),
                Loose::Number(n) => format!("{k}: {n}"),
                other => format!("{k}: {}", other.describe()),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.describe().to_string(),
    }
}

impl RowError {
    pub fn new(line: usize, item: usize, message: String, text: &str) -> Self {
        RowError {
            line,
            item,
            message,
            text: shorten(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_the_header_and_skip_blank_lines() {
        let t = read_text("\ninstrument,size\nBTC,1\n\nETH,2\n");
        assert_eq!(
            t.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![3, 5]
        );
        assert!(t.errors.is_empty());
    }

    #[test]
    fn tabs_and_quoted_thousands() {
        let t = read_text("Instrument\tAmount\nETH\t\"1,500\"");
        assert_eq!(t.format, "tsv");
        assert_eq!(
            t.rows[0].fields[1],
            (Field::Size, Loose::Text("1,500".into()))
        );
    }

    #[test]
    fn an_unbalanced_quote_costs_one_row() {
        let t = read_text("instrument,size\n\"BTC,1\nETH,2");
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].line, 2);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].line, 3);
    }

    #[test]
    fn json_rows_know_their_lines() {
        let text = "[\n  {\"instrument\": \"BTC\", \"size\": 1},\n  5,\n  {\"symbol\": \"ETH\", \"qty\": 2}\n]";
        let t = read_text(text);
        assert_eq!(t.format, "json");
        assert_eq!(
            t.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 4]
        );
        assert_eq!(t.errors[0].line, 3);
    }

    #[test]
    fn broken_json_is_one_error_with_its_line() {
        let t = read_text("[\n{\"instrument\": \"BTC\",\n \"size\": }\n]");
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].line, 3);
    }

    #[test]
    fn a_transaction_log_is_not_read_as_a_book() {
        let t = read_text("Date,Instrument,Type,Side,Amount,Position,Price\n2026-11-20,BTC-PERPETUAL,trade,buy,10,20,90000");
        assert!(t.rows.is_empty());
        assert!(t.errors[0].message.contains("transaction log"));
    }

    #[test]
    fn a_header_without_instrument_is_reported() {
        let t = read_text("foo,bar\n1,2");
        assert_eq!(t.errors[0].line, 1);
        assert!(t.errors[0].message.contains("no instrument column"));
    }
}
