//! Market snapshots: public market-data JSON the user pastes (Deribit
//! `public/get_book_summary_by_currency`, OKX `public/opt-summary` and `public/mark-price`, Bybit
//! `v5/market/tickers`, Binance `eapi/v1/mark`), read into quotes per instrument. Headroom fetches
//! none of them: the user does, and pastes the answer.
//!
//! Each venue's units, as its documentation states them:
//! - Deribit: `mark_price` in the instrument's price unit (coin for inverse options, USD
//!   otherwise), `mark_iv` in **percent**, `underlying_price` the forward the option is priced
//!   on, `estimated_delivery_price` the index, USD.
//! - OKX: `markVol` a fraction, `fwdPx` the forward (USD); `markPx` in the instrument's unit.
//! - Bybit: `markIv` a fraction, `underlyingPrice` the forward and `indexPrice` the index (USD),
//!   `markPrice` USD.
//! - Binance: `markIV` a fraction, `markPrice` USD.

use super::columns::Field;
use super::loose::Cell;
use super::row::number;
use super::table::{read_objects, read_response_object, read_text, shorten, RawRow};
use super::{PositionsInput, RowError};
use crate::instrument::{Instrument, Venue};
use crate::market::is_price;

/// One instrument's quote in a snapshot, every value checked (absent where the snapshot gives
/// none, or gives `""` or 0).
#[derive(Clone, Debug)]
pub struct Quote {
    pub line: usize,
    pub instrument: Instrument,
    /// Mark price in the instrument's price unit (coin for inverse options, USD otherwise).
    pub mark: Option<f64>,
    /// Mark implied volatility, a fraction.
    pub iv: Option<f64>,
    /// Index price, USD.
    pub index: Option<f64>,
    /// The forward the venue prices the instrument's expiry at, USD.
    pub forward: Option<f64>,
}

/// A snapshot read: its quotes, the rows that could not be used, and the venue its shape names.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub quotes: Vec<Quote>,
    pub errors: Vec<RowError>,
    /// The venue the snapshot's field names identify, if any.
    pub venue: Option<Venue>,
    /// Whether IVs were read in percent (Deribit's `mark_iv`).
    pub iv_in_percent: bool,
}

/// A row before its instrument is read: owned, since the venue (which decides how names and
/// units read) is known only once every column has been seen.
struct Pending {
    line: usize,
    item: usize,
    name: Result<String, String>,
    values: [Result<Option<f64>, String>; 4],
    text: String,
}

/// Highest IV accepted, as a fraction (2000 %).
const MAX_IV: f64 = 20.0;

/// Reads a snapshot; never fails as a whole (an unreadable text is one error).
pub fn read_snapshot(input: &PositionsInput, venue_setting: Option<Venue>) -> Snapshot {
    let mut pending = Vec::new();
    let mut each = |_: &super::Table, raw: &RawRow| pending.push(pend(raw));
    let table = match input {
        PositionsInput::Text(text) => read_text(text, &mut each),
        PositionsInput::Objects(items) => read_objects(items, &mut each),
        PositionsInput::Response(text) => read_response_object(text, &mut each),
    };
    let has = |key: &str| table.columns.iter().any(|c| c.column == key);
    let venue = if has("instrument_name") || has("mark_iv") {
        Some(Venue::Deribit)
    } else if has("instId") || has("markVol") || has("fwdPx") {
        Some(Venue::Okx)
    } else if has("markIv") || has("underlyingPrice") {
        Some(Venue::Bybit)
    } else if has("markIV") {
        Some(Venue::Binance)
    } else {
        venue_setting
    };
    let iv_in_percent = has("mark_iv");
    let mut snapshot = Snapshot {
        venue,
        iv_in_percent,
        errors: table.errors,
        ..Snapshot::default()
    };
    for row in pending {
        match quote(&row, venue, iv_in_percent) {
            Ok(q) => snapshot.quotes.push(q),
            Err(message) => snapshot
                .errors
                .push(RowError::new(row.line, row.item, message, &row.text)),
        }
    }
    snapshot
}

fn pend(raw: &RawRow) -> Pending {
    let name = match raw.get(Field::Instrument) {
        Cell::Text(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        Cell::Missing | Cell::Text(_) => Err("the instrument is missing".to_string()),
        other => Err(format!(
            "the instrument is {}, not a name",
            other.describe()
        )),
    };
    let value = |field: Field| {
        number(raw.get(field), field.name()).map(|v| v.map(|(x, _)| x).filter(|x| *x != 0.0))
    };
    Pending {
        line: raw.line,
        item: raw.item,
        name,
        values: [
            value(Field::Mark),
            value(Field::Iv),
            value(Field::Index),
            value(Field::Forward),
        ],
        text: shorten(raw.text),
    }
}

fn quote(row: &Pending, venue: Option<Venue>, iv_in_percent: bool) -> Result<Quote, String> {
    let name = row.name.clone()?;
    let hints = crate::symbology::Hints {
        setting: venue,
        ..Default::default()
    };
    let instrument = crate::symbology::read(&name, &hints)?.instrument;
    let [mark, iv, index, forward] = row.values.clone();
    let price = |value: Option<f64>, what: &str| match value {
        Some(p) if !is_price(p) => Err(format!(
            "the {what} {} must be a positive price",
            crate::figure::Figure(p)
        )),
        other => Ok(other),
    };
    let iv = match iv? {
        None => None,
        Some(v) => {
            let fraction = if iv_in_percent { v / 100.0 } else { v };
            if !(fraction > 0.0 && fraction <= MAX_IV) {
                return Err(format!(
                    "the IV {}{} must be above 0 and at most 2000 %",
                    crate::figure::Figure(v),
                    if iv_in_percent { " %" } else { "" }
                ));
            }
            Some(fraction)
        }
    };
    Ok(Quote {
        line: row.line,
        instrument,
        mark: price(mark?, "mark price")?,
        iv,
        index: price(index?, "index price")?,
        forward: price(forward?, "forward")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deribit_ivs_are_percent_and_bybit_ivs_fractions() {
        let deribit = PositionsInput::Text(
            r#"{"jsonrpc":"2.0","result":[{"instrument_name":"BTC-27DEC24-100000-C","mark_iv":52.5,"mark_price":0.02,"underlying_price":97000,"estimated_delivery_price":96500}]}"#.into(),
        );
        let s = read_snapshot(&deribit, None);
        assert_eq!(s.venue, Some(Venue::Deribit));
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.quotes[0].iv, Some(0.525));
        assert_eq!(s.quotes[0].index, Some(96500.0));
        assert_eq!(s.quotes[0].forward, Some(97000.0));
        let bybit = PositionsInput::Text(
            r#"{"retCode":0,"result":{"category":"option","list":[{"symbol":"BTC-27DEC24-100000-C","markIv":"0.525","markPrice":"2000","underlyingPrice":"97000","indexPrice":"96500"}]}}"#.into(),
        );
        let s = read_snapshot(&bybit, None);
        assert_eq!(s.venue, Some(Venue::Bybit));
        assert_eq!(s.quotes[0].iv, Some(0.525));
        assert_eq!(
            s.quotes[0].instrument.settlement,
            crate::instrument::Settlement::Linear
        );
    }
}
