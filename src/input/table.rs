//! Pasted text (CSV, TSV, semicolon-separated or a JSON array) and API arrays of objects, read into
//! raw rows that remember their line. A row that cannot be split is an error for that line only.

use super::columns::{map_headers, venue_hint, Field};
use super::loose::{Cell, Loose};
use super::RowError;
use crate::figure::Figure;
use crate::instrument::Venue;
use serde_json::value::RawValue;

/// One row before its values are checked: each field's cell, borrowed from the input.
#[derive(Clone, Debug)]
pub struct RawRow<'a> {
    /// 1-based line in the pasted text (header = 1), or 1-based index in an API array.
    pub line: usize,
    /// 1-based number of the row among the input's rows (JSON elements, table data rows).
    pub item: usize,
    /// By field ([`Field::index`]); `Missing` where the row has no such column or an empty cell.
    cells: [Cell<'a>; Field::COUNT],
    /// The row as the user gave it, to show (shortened) next to an error.
    pub text: &'a str,
}

impl<'a> RawRow<'a> {
    /// A row of the given fields' cells (each field once: [`map_headers`] keeps the first column
    /// of a field).
    pub fn new(
        line: usize,
        item: usize,
        fields: impl IntoIterator<Item = (Field, Cell<'a>)>,
        text: &'a str,
    ) -> RawRow<'a> {
        let mut cells = [Cell::Missing; Field::COUNT];
        for (field, cell) in fields {
            cells[field.index()] = cell;
        }
        RawRow {
            line,
            item,
            cells,
            text,
        }
    }

    /// The row's cell of `field`.
    pub fn get(&self, field: Field) -> Cell<'a> {
        self.cells[field.index()]
    }
}

/// How a column of the input was used.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnUse {
    pub column: String,
    pub field: Option<Field>,
}

/// What was read of one input besides its rows, which go one by one to the reader's `each`.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// `csv`, `tsv`, `semicolon`, `json` (pasted JSON text) or `objects` (an API array).
    pub format: &'static str,
    pub columns: Vec<ColumnUse>,
    pub errors: Vec<RowError>,
    /// Pasted IVs are percent (65); API numbers are fractions (0.65).
    pub iv_in_percent: bool,
    /// The venue the header names point to.
    pub venue_hint: Option<Venue>,
}

const MAX_ROW_TEXT: usize = 200;

/// Reads pasted text: a JSON array when it starts with `[`, otherwise a delimited table whose first
/// non-blank line is the header. Each row that can be split goes to `each`, with what the table
/// says of all its rows (its IV unit, its venue hint); the others become errors.
pub fn read_text(text: &str, mut each: impl FnMut(&Table, &RawRow)) -> Table {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        return read_json_text(text, each);
    }
    if text.trim_start().starts_with('{') {
        return read_response_text(text, each);
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
    let headers: Vec<String> = match splitter.split(header) {
        Ok(count) => (0..count).map(|i| splitter.cell(i).to_string()).collect(),
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
    if let Some(message) = history(&normalised) {
        table
            .errors
            .push(RowError::new(header_line, 0, message, header));
        return table;
    }
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
            Ok(cells) => each(&table, &RawRow::new(line, item, cells, row_text)),
            Err(reason) => table
                .errors
                .push(RowError::new(line, item, reason, row_text)),
        }
    }
    table
}

/// Reads an API array of position objects; `line` is the 1-based index in the array.
pub fn read_objects(items: &[Loose], mut each: impl FnMut(&Table, &RawRow)) -> Table {
    let mut table = Table {
        format: "objects",
        iv_in_percent: false,
        ..Table::default()
    };
    for (i, item) in items.iter().enumerate() {
        read_object(
            &mut table,
            i + 1,
            i + 1,
            &flattened(item.clone()),
            &describe_loose(item),
            &mut each,
        );
    }
    table
}

fn read_json_text(text: &str, mut each: impl FnMut(&Table, &RawRow)) -> Table {
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
    read_raw_items(&mut table, text, items, &mut each);
    table
}

/// A venue's API response pasted whole: the positions array inside its envelope — Deribit's
/// JSON-RPC `result`, OKX's `data`, Bybit's `result.list`, Hyperliquid's `assetPositions` (each
/// row's `position` object), dYdX's `positions` or `subaccount.openPerpetualPositions` — read as
/// a JSON array of positions. An error answer (`code`/`retCode` not 0, `error`) is one error.
fn read_response_text(text: &str, each: impl FnMut(&Table, &RawRow)) -> Table {
    read_response(text, "json", each)
}

/// A venue's response passed as an object (its JSON text): read as `read_response_text` reads
/// it pasted, each row's `line` its 1-based index in the positions array.
pub fn read_response_object(text: &str, each: impl FnMut(&Table, &RawRow)) -> Table {
    read_response(text, "objects", each)
}

fn read_response(text: &str, format: &'static str, mut each: impl FnMut(&Table, &RawRow)) -> Table {
    use std::collections::BTreeMap;
    let mut table = Table {
        format,
        iv_in_percent: false,
        ..Table::default()
    };
    let fail = |table: &mut Table, message: String| {
        let first = text.lines().next().unwrap_or("");
        table.errors.push(RowError::new(1, 0, message, first));
    };
    let top: BTreeMap<String, &RawValue> = match serde_json::from_str(text) {
        Ok(top) => top,
        Err(e) => {
            fail(&mut table, format!("the pasted JSON cannot be read: {e}"));
            return table;
        }
    };
    let text_of =
        |raw: Option<&&RawValue>| raw.map(|r| r.get().trim().trim_matches('"').to_string());
    let code = text_of(top.get("code")).or_else(|| text_of(top.get("retCode")));
    if let Some(code) = code.filter(|c| c != "0" && c != "200" && !c.is_empty()) {
        let message = text_of(top.get("msg"))
            .or_else(|| text_of(top.get("retMsg")))
            .unwrap_or_default();
        fail(
            &mut table,
            format!(
                "the venue answered with error {code} ({}), not positions",
                crate::calendar::clip(&message)
            ),
        );
        return table;
    }
    if let Some(error) = top.get("error") {
        fail(
            &mut table,
            format!(
                "the venue answered with an error, not positions: {}",
                crate::calendar::clip(error.get())
            ),
        );
        return table;
    }
    let array = |raw: &RawValue| raw.get().trim_start().starts_with('[');
    fn nested<'t>(raw: &'t RawValue, keys: &[&str]) -> Option<Vec<&'t RawValue>> {
        let inner: BTreeMap<String, &'t RawValue> = serde_json::from_str(raw.get()).ok()?;
        keys.iter()
            .find_map(|k| inner.get(*k).copied())
            .and_then(items_of)
    }
    fn items_of<'t>(raw: &'t RawValue) -> Option<Vec<&'t RawValue>> {
        if raw.get().trim_start().starts_with('[') {
            return serde_json::from_str(raw.get()).ok();
        }
        // An object of positions by market (dYdX's openPerpetualPositions).
        let map: BTreeMap<String, &'t RawValue> = serde_json::from_str(raw.get()).ok()?;
        Some(map.into_values().collect())
    }
    let items = ["result", "data", "assetPositions", "positions", "list"]
        .iter()
        .find_map(|k| top.get(*k).filter(|r| array(r)).and_then(|r| items_of(r)))
        .or_else(|| {
            top.get("result")
                .and_then(|r| nested(r, &["list", "positions"]))
        })
        .or_else(|| {
            top.get("subaccount")
                .and_then(|r| nested(r, &["openPerpetualPositions", "perpetualPositions"]))
        });
    let Some(items) = items else {
        let keys: Vec<&str> = top.keys().map(String::as_str).collect();
        fail(
            &mut table,
            format!(
                "a JSON object with no positions in it (keys: {}): paste a positions response \
                 (Deribit get_positions, OKX account/positions, Bybit position/list, Hyperliquid \
                 clearinghouseState, dYdX subaccount) or an array of positions",
                crate::calendar::clip(&keys.join(", "))
            ),
        );
        return table;
    };
    read_raw_items(&mut table, text, items, &mut each);
    table
}

/// Columns that mark a trade, order or transaction history (OKX trading history, Bybit's
/// transaction log, Binance's futures transaction history and the venues' fills endpoints): a
/// time column with an id of an order, trade or execution, a fill's price or size, or a fee,
/// funding or cash-flow column. `None` for a positions table.
fn history<S: AsRef<str>>(normalised: &[S]) -> Option<String> {
    const TIME: &[&str] = &[
        "date",
        "time",
        "timeutc",
        "tradetime",
        "filltime",
        "exectime",
        "transactiontime",
        "ordertime",
        "createtime",
        "createdtime",
        "ts",
        "timestamp",
    ];
    const MARKERS: &[&str] = &[
        "orderid",
        "ordid",
        "tradeid",
        "execid",
        "fillid",
        "billid",
        "transactionid",
        "filledprice",
        "filledqty",
        "filledamount",
        "fillprice",
        "fillpx",
        "fillsz",
        "execprice",
        "execqty",
        "cashflow",
        "feepaid",
        "fundingfee",
        "realizedpnl",
        "realisedpnl",
        "tradetype",
        "commission",
    ];
    let names: Vec<&str> = normalised.iter().map(AsRef::as_ref).collect();
    let timed = names.iter().any(|n| TIME.contains(n));
    let markers: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| MARKERS.contains(n))
        .collect();
    if !timed || markers.is_empty() {
        return None;
    }
    Some(format!(
        "this looks like a trade, order or transaction history (it has a time and {}): each \
         row is a fill or a transfer, not a position, so nothing was read — paste the venue's \
         positions instead (its Positions tab or positions endpoint: Deribit get_positions, OKX \
         account/positions, Bybit position/list, Binance positionRisk)",
        markers.join(", ")
    ))
}

/// Reads JSON rows, each a slice of `text` (for its line number).
fn read_raw_items(
    table: &mut Table,
    text: &str,
    items: Vec<&RawValue>,
    each: &mut impl FnMut(&Table, &RawRow),
) {
    // A history's rows are fills, not positions: refused whole, by its first row's keys.
    if let Some(first) = items.first() {
        if let Ok(Loose::Object(entries)) =
            serde_json::from_str::<Loose>(first.get()).map(flattened)
        {
            let keys: Vec<String> = entries
                .iter()
                .map(|(k, _)| super::columns::normalise(k))
                .collect();
            if let Some(message) = history(&keys) {
                let first_line = text.lines().next().unwrap_or("");
                table.errors.push(RowError::new(1, 0, message, first_line));
                return;
            }
        }
    }
    let base = text.as_ptr() as usize;
    for (index, raw) in items.into_iter().enumerate() {
        let item = index + 1;
        let offset = (raw.get().as_ptr() as usize)
            .saturating_sub(base)
            .min(text.len());
        let line = if table.format == "objects" {
            item
        } else {
            text.as_bytes()[..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        };
        match serde_json::from_str::<Loose>(raw.get()) {
            Ok(value) => read_object(table, line, item, &flattened(value), raw.get(), each),
            Err(e) => table.errors.push(RowError::new(
                line,
                item,
                format!("the row cannot be read: {e}"),
                raw.get(),
            )),
        }
    }
}

/// A row as venues nest it, flattened: Hyperliquid's `{"position": {…}, "type": "oneWay"}` is its
/// `position`, whose `leverage` object (`{"type": "cross", "value": 20}`) gives the margin mode
/// and the leverage.
fn flattened(value: Loose) -> Loose {
    let Loose::Object(entries) = value else {
        return value;
    };
    // A ccxt position (`fetchPositions`): `contracts` of `contractSize` each, the symbol unified;
    // its raw `info` and its update time are not columns (a time would make it look a history).
    let ccxt = entries.iter().any(|(k, _)| k == "contracts")
        && entries.iter().any(|(k, _)| k == "contractSize");
    if ccxt {
        return Loose::Object(
            entries
                .into_iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "info" | "timestamp" | "datetime" | "lastUpdateTimestamp"
                    )
                })
                .map(|(k, v)| {
                    if k == "contracts" {
                        ("size".to_string(), v)
                    } else {
                        (k, v)
                    }
                })
                .collect(),
        );
    }
    let inner = entries.iter().find_map(|(k, v)| match (k.as_str(), v) {
        ("position", Loose::Object(inner)) => Some(inner.clone()),
        _ => None,
    });
    let mut out = Vec::new();
    for (k, v) in inner.unwrap_or(entries) {
        match (k.as_str(), v) {
            ("leverage", Loose::Object(lev)) => {
                for (lk, lv) in lev {
                    match lk.as_str() {
                        "type" => out.push(("marginMode".to_string(), lv)),
                        "value" => out.push(("leverage".to_string(), lv)),
                        "rawUsd" => out.push(("rawUsd".to_string(), lv)),
                        _ => {}
                    }
                }
            }
            (_, v) => out.push((k, v)),
        }
    }
    hyperliquid_derived(&mut out);
    Loose::Object(out)
}

/// Hyperliquid's position states no mark and no isolated margin, but holds both: the mark is
/// `positionValue / |szi|`, and an isolated position's margin at entry (its USD collateral, P&L
/// not in it) is `rawUsd + szi · entryPx` (the docs' example: −95.059824 + 0.0335 · 2986.3 =
/// 4.981226, its `marginUsed` 4.967826 less its `unrealizedPnl` −0.0134).
fn hyperliquid_derived(out: &mut Vec<(String, Loose)>) {
    let number = |key: &str| {
        out.iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| match v {
                Loose::Number(n) => Some(*n),
                Loose::Text(t) => t.trim().parse::<f64>().ok(),
                _ => None,
            })
    };
    let (Some(szi), Some(value)) = (number("szi"), number("positionValue")) else {
        return;
    };
    let mark = (szi != 0.0)
        .then(|| value / szi.abs())
        .filter(|m| m.is_finite());
    let isolated = number("rawUsd")
        .zip(number("entryPx"))
        .map(|(raw, entry)| raw + szi * entry)
        .filter(|m| m.is_finite());
    let has_mark = number("markPx").is_some();
    out.retain(|(k, _)| k != "rawUsd");
    if let (Some(mark), false) = (mark, has_mark) {
        out.push(("markPx".to_string(), Loose::Number(mark)));
    }
    if let Some(margin) = isolated {
        out.push(("isolatedMargin".to_string(), Loose::Number(margin)));
    }
}

fn read_object(
    table: &mut Table,
    line: usize,
    item: usize,
    value: &Loose,
    text: &str,
    each: &mut impl FnMut(&Table, &RawRow),
) {
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
    // An object's own keys hint at its venue as a table's headers do (Hyperliquid's `szi`).
    if table.venue_hint.is_none() {
        table.venue_hint = venue_hint(&keys);
    }
    for (key, field) in keys.iter().zip(&fields) {
        if !table.columns.iter().any(|c| c.column == *key) {
            table.columns.push(ColumnUse {
                column: key.to_string(),
                field: *field,
            });
        }
    }
    let cells = entries
        .iter()
        .zip(fields)
        .filter_map(|((_, value), field)| field.map(|f| (f, value.cell())));
    each(table, &RawRow::new(line, item, cells, text));
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

/// The row's cells of the mapped columns, borrowed from `splitter`.
fn read_delimited_row<'s>(
    splitter: &'s mut Splitter,
    text: &str,
    fields: &'s [Option<Field>],
) -> Result<impl Iterator<Item = (Field, Cell<'s>)> + 's, String> {
    if text.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
        return Err("the row has an unbalanced quote (\"); each row must be on one line".into());
    }
    let count = splitter.split(text)?;
    let splitter = &*splitter;
    if (0..count).all(|i| splitter.cell(i).is_empty()) {
        return Err("the row has no values, only separators".into());
    }
    let extra_filled = (fields.len()..count).any(|i| !splitter.cell(i).is_empty());
    if count < fields.len() || extra_filled {
        return Err(format!(
            "the row has {count} values but the header has {} columns",
            fields.len()
        ));
    }
    Ok(fields.iter().enumerate().filter_map(move |(i, field)| {
        let cell = splitter.cell(i);
        let value = if cell.is_empty() {
            Cell::Missing
        } else {
            Cell::Text(cell)
        };
        field.map(|f| (f, value))
    }))
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

    /// Splits `text`, returns how many cells it has: [`Splitter::cell`] gives each.
    fn split(&mut self, text: &str) -> Result<usize, String> {
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
        Ok(fields)
    }

    /// Cell `i` of the line split last, trimmed.
    fn cell(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        // Unquoting only drops quote bytes (ASCII), so the cells of a &str stay UTF-8.
        std::str::from_utf8(&self.output[start..self.ends[i]])
            .unwrap_or("")
            .trim()
    }
}

/// The row's text as shown next to an error: at most [`MAX_ROW_TEXT`] characters.
pub(super) fn shorten(text: &str) -> String {
    if text.len() <= MAX_ROW_TEXT || text.chars().count() <= MAX_ROW_TEXT {
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
                Loose::Number(n) => format!("{k}: {}", Figure(*n)),
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

    /// A row as read: its line and the text of its cells by field.
    struct Read {
        line: usize,
        cells: Vec<(Field, String)>,
    }

    /// Reads `text`, keeping each row's line and cells.
    fn read(text: &str) -> (Table, Vec<Read>) {
        let mut rows = Vec::new();
        let table = read_text(text, |_, raw| {
            let fields = [Field::Instrument, Field::Size, Field::Side, Field::Entry];
            let cells = fields
                .into_iter()
                .filter_map(|f| match raw.get(f) {
                    Cell::Text(t) => Some((f, t.to_string())),
                    _ => None,
                })
                .collect();
            rows.push(Read {
                line: raw.line,
                cells,
            });
        });
        (table, rows)
    }

    #[test]
    fn lines_count_from_the_header_and_skip_blank_lines() {
        let (t, rows) = read("\ninstrument,size\nBTC,1\n\nETH,2\n");
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3, 5]);
        assert!(t.errors.is_empty());
    }

    #[test]
    fn tabs_and_quoted_thousands() {
        let (t, rows) = read("Instrument\tAmount\nETH\t\"1,500\"");
        assert_eq!(t.format, "tsv");
        assert_eq!(rows[0].cells[1], (Field::Size, "1,500".to_string()));
    }

    #[test]
    fn an_unbalanced_quote_costs_one_row() {
        let (t, rows) = read("instrument,size\n\"BTC,1\nETH,2");
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].line, 2);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 3);
    }

    #[test]
    fn json_rows_know_their_lines() {
        let text = "[\n  {\"instrument\": \"BTC\", \"size\": 1},\n  5,\n  {\"symbol\": \"ETH\", \"qty\": 2}\n]";
        let (t, rows) = read(text);
        assert_eq!(t.format, "json");
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(t.errors[0].line, 3);
    }

    #[test]
    fn broken_json_is_one_error_with_its_line() {
        let (t, _) = read("[\n{\"instrument\": \"BTC\",\n \"size\": }\n]");
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].line, 3);
    }

    #[test]
    fn a_transaction_log_is_not_read_as_a_book() {
        let (t, rows) = read("Date,Instrument,Type,Side,Amount,Position,Price\n2026-11-20,BTC-PERPETUAL,trade,buy,10,20,90000");
        assert!(rows.is_empty());
        assert!(t.errors[0].message.contains("transaction log"));
    }

    #[test]
    fn a_header_without_instrument_is_reported() {
        let (t, _) = read("foo,bar\n1,2");
        assert_eq!(t.errors[0].line, 1);
        assert!(t.errors[0].message.contains("no instrument column"));
    }
}
