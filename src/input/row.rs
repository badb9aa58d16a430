//! One raw row checked into a position: instrument, signed size, optional prices and IV.

use super::columns::Field;
use super::loose::Cell;
use super::table::{shorten, RawRow};
use crate::calendar::clip;
use crate::figure::Figure;
use crate::instrument::{Instrument, Kind, Settlement, Venue};
use crate::market::{is_price, MAX_AMOUNT, PRICE_RANGE};
use crate::symbology::{self, Hints, VenueSource};

/// A position as the user gave it, every value checked.
#[derive(Clone, Debug)]
pub struct PositionRow {
    pub line: usize,
    /// 1-based number of the row among the input's rows.
    pub item: usize,
    pub instrument: Instrument,
    /// Signed size in the instrument's size unit (positive = long).
    pub size: f64,
    /// Entry (average) price: coin for inverse options, USD otherwise.
    pub entry: Option<f64>,
    /// Venue mark price, same unit as `entry`.
    pub mark: Option<f64>,
    /// Implied volatility as a fraction (0.65).
    pub iv: Option<f64>,
    /// Coins per contract, overriding the venue's contract terms.
    pub multiplier: Option<f64>,
    /// `cross` or `isolated` as the row says (a venue account's default applies otherwise).
    pub margin_mode: Option<RowMarginMode>,
    /// USD allocated to an isolated position.
    pub isolated_margin: Option<f64>,
    /// The position's leverage (initial margin = notional / leverage on the venues that use it).
    pub leverage: Option<f64>,
    /// A value possible but implausible (an IV typed as a fraction in a percent column), said.
    pub slip: Option<String>,
    /// The venue's own liquidation price (USD), maintenance and initial margin (its unit), as its
    /// API response states them; `None` where absent, empty or 0.
    pub venue_reported: [Option<f64>; 3],
    /// The index (USD) and the expiry's forward (USD) the venue quoted with the row, where its
    /// response carries them; they seed the market where the user typed none.
    pub index: Option<f64>,
    pub forward: Option<f64>,
    /// Why the instrument was read as its venue's, and a note when that was a guess.
    pub venue_source: VenueSource,
    pub venue_note: Option<String>,
    pub text: String,
}

/// How a row asks to be margined inside its account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMarginMode {
    Cross,
    Isolated,
}

/// The error of a row whose size is 0: a closed position, which venues' API responses list;
/// [`crate::input::read_book`] skips such rows with a note instead of an error.
pub const ZERO_SIZE: &str = "the size is 0: nothing to compute";

/// Highest leverage accepted.
const MAX_LEVERAGE: f64 = 1000.0;

/// What applies to every row of an input: the request's venue setting and the headers' hint.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowContext {
    pub iv_in_percent: bool,
    pub venue_setting: Option<Venue>,
    pub venue_hint: Option<Venue>,
}

/// Highest IV accepted, as a fraction (2000 %).
const MAX_IV: f64 = 20.0;

/// Checks one raw row. The error is a sentence for the user, without the line number.
pub fn read_row(raw: &RawRow, context: &RowContext) -> Result<PositionRow, String> {
    read_row_in(raw, context, &mut symbology::Readings::default())
}

/// [`read_row`], reusing the names `readings` holds from the book's earlier rows.
pub fn read_row_in(
    raw: &RawRow,
    context: &RowContext,
    readings: &mut symbology::Readings,
) -> Result<PositionRow, String> {
    let iv_in_percent = context.iv_in_percent;
    let get = |field: Field| raw.get(field);

    let column = match get(Field::Venue) {
        Cell::Missing => None,
        Cell::Text(v) if v.trim().is_empty() => None,
        Cell::Text(v) => Some(Venue::parse(v).ok_or_else(|| {
            format!(
                "the venue '{}' is not one of deribit, okx, bybit, binance, hyperliquid, dydx, derive",
                clip(v.trim())
            )
        })?),
        other => {
            return Err(format!(
                "the venue is {}, not a name",
                describe_value(other)
            ))
        }
    };
    // Sizes and prices hint at the venue when two venues share a name; their errors and
    // checks come below, after the instrument's.
    let size_read = number(get(Field::Size), "size");
    let entry_read = number(get(Field::Entry), "entry price");
    let mark_read = number(get(Field::Mark), "mark price");
    let value = |read: &Result<Option<(f64, bool)>, String>| {
        read.as_ref().ok().copied().flatten().map(|(v, _)| v)
    };
    let hints = Hints {
        column,
        // Hyperliquid's own fields (`szi`) make its coin names its perpetuals.
        setting: context
            .venue_setting
            .or(context.venue_hint.filter(|v| *v == Venue::Hyperliquid)),
        headers: context.venue_hint,
        premium: value(&entry_read).or_else(|| value(&mark_read)),
        size: value(&size_read).unwrap_or(0.0),
    };
    let read = match get(Field::Instrument) {
        Cell::Text(t) if !t.trim().is_empty() => symbology::read_in(t, &hints, readings)?,
        Cell::Missing => return Err("the instrument is missing".into()),
        Cell::Text(_) => return Err("the instrument is empty".into()),
        other => {
            return Err(format!(
                "the instrument is {}, not a name",
                other.describe()
            ))
        }
    };
    let instrument = read.instrument;

    let mut size = size_read?.ok_or("the size is missing")?.0;
    if size == 0.0 {
        return Err(ZERO_SIZE.into());
    }
    if size.abs() > MAX_AMOUNT {
        return Err(format!("the size {} is beyond 1e15", Figure(size)));
    }
    // Direction by the sign, by the side, or by both when they agree (a venue's short with
    // side SHORT and quantity −0.1).
    match side(get(Field::Side))? {
        None => {}
        Some(sign) if size < 0.0 && sign < 0.0 => {}
        Some(_) if size < 0.0 => {
            return Err(format!(
                "the size {} is negative but the side says buy/long: the two contradict",
                Figure(size)
            ))
        }
        Some(sign) => size *= sign,
    }

    let entry = positive_or_zero(entry_read, "entry price")?;
    let mark = positive_or_zero(mark_read, "mark price")?;
    if let Kind::Future { .. } | Kind::Perpetual | Kind::Spot = instrument.kind {
        for (name, price) in [("entry price", entry), ("mark price", mark)] {
            if let Some(p) = price.filter(|p| !is_price(*p)) {
                return Err(format!(
                    "the {name} {} must be a positive price from 1e-8 to 1e12 for a future or holding",
                    Figure(p)
                ));
            }
        }
    }
    if let (Kind::Option { .. }, Settlement::Inverse) = (instrument.kind, instrument.settlement) {
        for (name, price) in [("entry price", entry), ("mark price", mark)] {
            if let Some(p) = price.filter(|p| *p >= 1.0) {
                return Err(format!(
                    "the {name} {} is 1 {coin} or more, which an inverse option cannot be worth: \
                     {name}s of {venue} {coin} options are in {coin}, not USD",
                    Figure(p),
                    coin = instrument.underlying,
                    venue = instrument.venue.label()
                ));
            }
        }
    }

    let mut slip = None;
    let iv = match number(get(Field::Iv), "IV")? {
        None => None,
        Some((value, percent_sign)) => {
            // 0.52 in a percent column is 0.52 %, as typed; a fraction (52 %) is likelier.
            if iv_in_percent && !percent_sign && value > 0.0 && value < 2.0 {
                slip = Some(format!(
                    "IV {} read as {} %, as the column is in percent; if 52 % was meant, type {}",
                    Figure(value),
                    Figure(value),
                    Figure(value * 100.0)
                ));
            }
            let fraction = if iv_in_percent || percent_sign {
                percent_to_fraction(value)
            } else {
                value
            };
            if !(fraction > 0.0 && fraction <= MAX_IV) {
                let unit = if iv_in_percent || percent_sign {
                    " %"
                } else {
                    ""
                };
                return Err(format!(
                    "the IV {}{unit} must be above 0 and at most 2000 %",
                    Figure(value)
                ));
            }
            Some(fraction)
        }
    };
    let multiplier = match number(get(Field::Multiplier), "multiplier")? {
        None => None,
        Some((m, _)) if m > 0.0 && m <= 1e9 => Some(m),
        Some((m, _)) => {
            return Err(format!(
                "the multiplier {} must be positive and at most 1e9",
                Figure(m)
            ))
        }
    };

    let margin_mode = margin_mode(get(Field::MarginMode))?;
    let isolated_margin = match number(get(Field::IsolatedMargin), "isolated margin")? {
        None => None,
        Some((m, _)) if (0.0..=MAX_AMOUNT).contains(&m) => Some(m),
        Some((m, _)) => {
            return Err(format!(
                "the isolated margin {} must be 0 or more USD, at most 1e15",
                Figure(m)
            ))
        }
    };
    let leverage = match number(get(Field::Leverage), "leverage")? {
        None => None,
        Some((l, _)) if (1.0..=MAX_LEVERAGE).contains(&l) => Some(l),
        // "0" and "" mean absent in venues' API responses.
        Some((0.0, _)) => None,
        Some((l, _)) => {
            return Err(format!(
                "the leverage {} must be from 1 to 1000 (times)",
                Figure(l)
            ))
        }
    };

    // "" and "0" mean absent in venues' responses; a figure that does not read is left out
    // rather than refusing the position it describes.
    let reported = |field: Field| {
        number(get(field), field.name())
            .ok()
            .flatten()
            .map(|(v, _)| v)
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let venue_reported = [
        reported(Field::VenueLiquidationPrice),
        reported(Field::VenueMaintenanceMargin),
        reported(Field::VenueInitialMargin),
    ];
    let quoted = |field: Field| reported(field).filter(|v| is_price(*v));

    Ok(PositionRow {
        index: quoted(Field::Index),
        forward: quoted(Field::Forward),
        slip,
        venue_reported,
        margin_mode,
        isolated_margin,
        leverage,
        line: raw.line,
        item: raw.item,
        instrument,
        size,
        entry,
        mark,
        iv,
        multiplier,
        venue_source: read.source,
        venue_note: read.note,
        text: shorten(raw.text),
    })
}

/// A price read by [`number`], checked: 0 or positive, at most 1e12.
fn positive_or_zero(
    read: Result<Option<(f64, bool)>, String>,
    name: &str,
) -> Result<Option<f64>, String> {
    match read? {
        None => Ok(None),
        Some((v, _)) if v > *PRICE_RANGE.end() => {
            Err(format!("the {name} {} is beyond 1e12", Figure(v)))
        }
        Some((v, _)) if v >= 0.0 => Ok(Some(v)),
        Some((v, _)) => Err(format!("the {name} {} is negative", Figure(v))),
    }
}

/// A number from a cell, and whether it carried a `%` sign. Missing and empty cells are `None`.
pub(super) fn number(value: Cell, name: &str) -> Result<Option<(f64, bool)>, String> {
    let (parsed, percent) = match value {
        Cell::Missing => return Ok(None),
        Cell::Number(n) => (Some(n), false),
        Cell::Text(t) if t.trim().is_empty() => return Ok(None),
        Cell::Text(t) => parse_number_text(t),
        other => return Err(format!("the {name} is {}, not a number", other.describe())),
    };
    // What the message quotes, made only for a message.
    let shown = || match value {
        Cell::Number(n) => Figure(n).to_string(),
        Cell::Text(t) => clip(t.trim()),
        _ => String::new(),
    };
    match parsed {
        Some(v) if v.is_finite() => Ok(Some((v, percent))),
        Some(v) if v.is_infinite() => Err(format!("the {name} '{}' is too large", shown())),
        _ => Err(format!("the {name} '{}' is not a number", shown())),
    }
}

/// Parses `1,234.5`, `+2`, `−3` (Unicode minus), `$90,000`, `48.2%`. NaN and infinity are not
/// numbers; `1e400` is returned as infinity so the caller can say it is too large.
fn parse_number_text(text: &str) -> (Option<f64>, bool) {
    use std::borrow::Cow;
    let trimmed = without_unit(text.trim());
    let t: Cow<str> = if trimmed.contains('\u{2212}') {
        Cow::Owned(trimmed.replace('\u{2212}', "-"))
    } else {
        Cow::Borrowed(trimmed)
    };
    let (t, percent) = match t.strip_suffix('%') {
        Some(body) => (body, true),
        None => (&*t, false),
    };
    let t = t.trim().trim_start_matches('+');
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let t = t.trim_start_matches('$');
    let digits_only = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| {
                b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-' || b == b'+'
            })
    };
    let cleaned: Cow<str> = if is_grouped_thousands(t) {
        Cow::Owned(t.replace(',', ""))
    } else {
        Cow::Borrowed(t)
    };
    if !digits_only(&cleaned)
        || !cleaned
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        return (None, percent);
    }
    // Parsing rounds symmetrically, so the sign can be applied after.
    let parsed = cleaned.parse::<f64>().ok();
    (parsed.map(|v| if negative { -v } else { v }), percent)
}

/// 48.2 (percent) → 0.482 exactly as typed: the decimal point moves in the shortest decimal form
/// of the number (one rounding), where `48.2 / 100` would round twice (0.48200000000000004).
fn percent_to_fraction(percent: f64) -> f64 {
    let text = Figure(percent).to_string();
    let (digits, exponent) = match text.split_once('e') {
        Some((digits, exponent)) => (digits, exponent.parse::<i32>().unwrap_or(0)),
        None => (text.as_str(), 0),
    };
    format!("{digits}e{}", exponent - 2)
        .parse()
        .unwrap_or(percent / 100.0)
}

/// Venue screens print sizes and prices with their unit (`0.25 BTC`, `1,000 USDT`, `50 Cont`):
/// a trailing word of letters after a space is dropped.
fn without_unit(text: &str) -> &str {
    match text.rsplit_once(' ') {
        Some((number, unit))
            if !unit.is_empty() && unit.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            number.trim_end()
        }
        _ => text,
    }
}

/// `1,234` or `12,345,678.9`: commas every three digits before an optional decimal part.
fn is_grouped_thousands(t: &str) -> bool {
    let integer = t.split('.').next().unwrap_or("");
    let mut groups = integer.split(',');
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let first = groups.next().unwrap_or("");
    let mut rest = groups.peekable();
    rest.peek().is_some()
        && (1..=3).contains(&first.len())
        && digits(first)
        && rest.all(|g| g.len() == 3 && digits(g))
}

fn side(value: Cell) -> Result<Option<f64>, String> {
    let text = match value {
        Cell::Missing => return Ok(None),
        Cell::Text(t) => t.trim().to_ascii_lowercase(),
        other => return Err(format!("the side is {}, not buy or sell", other.describe())),
    };
    match text.as_str() {
        // OKX's net mode, Binance's one-way BOTH, Deribit's flat "zero": the sign decides.
        "" | "net" | "both" | "zero" | "none" => Ok(None),
        "buy" | "long" | "b" | "l" | "bid" => Ok(Some(1.0)),
        "sell" | "short" | "s" | "ask" => Ok(Some(-1.0)),
        _ => Err(format!(
            "the side '{}' must be buy/long or sell/short",
            clip(&text)
        )),
    }
}

fn margin_mode(value: Cell) -> Result<Option<RowMarginMode>, String> {
    let text = match value {
        Cell::Missing => return Ok(None),
        Cell::Text(t) => t.trim().to_ascii_lowercase(),
        other => {
            return Err(format!(
                "the margin mode is {}, not cross or isolated",
                other.describe()
            ))
        }
    };
    match text.as_str() {
        "" => Ok(None),
        "cross" | "crossed" => Ok(Some(RowMarginMode::Cross)),
        "isolated" | "isolate" => Ok(Some(RowMarginMode::Isolated)),
        _ => Err(format!(
            "the margin mode '{}' must be cross or isolated",
            clip(&text)
        )),
    }
}

fn describe_value(value: Cell) -> String {
    match value {
        Cell::Text(t) => format!("'{}'", clip(t.trim())),
        other => other.describe().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASTED: RowContext = RowContext {
        iv_in_percent: true,
        venue_setting: None,
        venue_hint: None,
    };

    fn row<'a>(pairs: &[(Field, &'a str)]) -> RawRow<'a> {
        RawRow::new(7, 6, pairs.iter().map(|(f, v)| (*f, Cell::Text(v))), "")
    }

    #[test]
    fn numbers_in_the_forms_people_paste() {
        assert_eq!(parse_number_text("1,234.5").0, Some(1234.5));
        assert_eq!(parse_number_text("−3").0, Some(-3.0));
        assert_eq!(parse_number_text("$90,000").0, Some(90000.0));
        assert_eq!(parse_number_text("48.2%"), (Some(48.2), true));
        assert_eq!(parse_number_text("+2e3").0, Some(2000.0));
        assert_eq!(parse_number_text("0.25 BTC").0, Some(0.25));
        assert_eq!(parse_number_text("-1,000 USDT").0, Some(-1000.0));
        assert_eq!(parse_number_text("BTC").0, None);
        for bad in ["NaN", "inf", "one", "1,2", "1.2.3", "-", "", "0x10"] {
            assert!(
                parse_number_text(bad).0.is_none_or(|v| !v.is_finite()),
                "{bad}"
            );
        }
        assert_eq!(parse_number_text("1e400").0, Some(f64::INFINITY));
    }

    #[test]
    fn percent_moves_the_decimal_point() {
        assert_eq!(percent_to_fraction(48.2), 0.482);
        assert_eq!(percent_to_fraction(51.3), 0.513);
        assert_eq!(percent_to_fraction(1e-5), 1e-7);
        assert_eq!(percent_to_fraction(65.0), 0.65);
        assert_eq!(percent_to_fraction(2000.0), 20.0);
        assert_eq!(percent_to_fraction(-12.5), -0.125);
        assert_eq!(
            percent_to_fraction(1.7976931348623157e308),
            1.7976931348623157e306
        );
        assert_eq!(percent_to_fraction(5e-324), 0.0);
    }

    #[test]
    fn a_side_column_signs_the_size() {
        let r = read_row(
            &row(&[
                (Field::Instrument, "BTC"),
                (Field::Size, "2"),
                (Field::Side, "Sell"),
            ]),
            &PASTED,
        )
        .unwrap();
        assert_eq!(r.size, -2.0);
        // Sign and side agreeing (a venue's short: side SHORT, quantity −2) is a short.
        let agree = |side: &str| {
            read_row(
                &row(&[
                    (Field::Instrument, "BTC"),
                    (Field::Size, "-2"),
                    (Field::Side, side),
                ]),
                &PASTED,
            )
        };
        assert_eq!(agree("sell").unwrap().size, -2.0);
        assert_eq!(
            agree("net").unwrap().size,
            -2.0,
            "OKX's net mode: the sign decides"
        );
        assert!(agree("buy").unwrap_err().contains("contradict"));
    }

    #[test]
    fn iv_is_percent_when_pasted_and_a_fraction_from_the_api() {
        let pasted = read_row(
            &row(&[
                (Field::Instrument, "BTC-27NOV26-90000-C"),
                (Field::Size, "1"),
                (Field::Iv, "50"),
            ]),
            &PASTED,
        );
        assert_eq!(pasted.unwrap().iv, Some(0.5));
        let api = RawRow::new(
            1,
            1,
            [
                (Field::Instrument, Cell::Text("BTC-27NOV26-90000-C")),
                (Field::Size, Cell::Number(1.0)),
                (Field::Iv, Cell::Number(0.5)),
            ],
            "",
        );
        assert_eq!(
            read_row(&api, &RowContext::default()).unwrap().iv,
            Some(0.5)
        );
    }

    #[test]
    fn each_bad_value_has_its_reason() {
        let reason = |pairs: &[(Field, &str)]| read_row(&row(pairs), &PASTED).unwrap_err();
        let opt = (Field::Instrument, "BTC-27NOV26-90000-C");
        assert!(reason(&[opt, (Field::Size, "one")]).contains("size 'one' is not a number"));
        assert!(reason(&[opt, (Field::Size, "1e400")]).contains("too large"));
        assert!(reason(&[opt, (Field::Size, "1"), (Field::Iv, "-5")]).contains("IV -5 %"));
        assert!(reason(&[opt, (Field::Size, "1"), (Field::Iv, "NaN")]).contains("not a number"));
        assert!(reason(&[opt, (Field::Size, "0")]).contains("size is 0"));
        assert!(reason(&[opt]).contains("size is missing"));
        let deribit = (Field::Venue, "deribit");
        let usd_premium = reason(&[opt, deribit, (Field::Size, "1"), (Field::Entry, "2350")]);
        assert!(
            usd_premium.contains("Deribit BTC options are in BTC, not USD"),
            "{usd_premium}"
        );
        let ftx = reason(&[
            (Field::Instrument, "BTC"),
            (Field::Size, "1"),
            (Field::Venue, "FTX"),
        ]);
        assert!(ftx.contains("not one of"), "{ftx}");
    }
}
