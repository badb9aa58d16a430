//! Venue symbology: which instrument a pasted name is, on which venue, with that venue's contract
//! terms (symbology.md). Every venue reader says "not my shape" (`Ok(None)`), "my shape but wrong"
//! (`Err`), or gives the instrument; [`read`] picks among the readings and says why.

pub mod binance;
pub mod bybit;
pub mod ccxt;
pub mod deribit;
pub mod okx;
pub mod onchain;

use crate::calendar::{at_expiry_hour, clip, parse_date_code, parse_yymmdd};
use crate::instrument::{Instrument, Kind, Settlement, SizeUnit, Venue};
use crate::pricing::black::OptionKind;

/// What one venue's reader makes of a name (upper case, trimmed).
pub type Reading = Result<Option<Instrument>, String>;

/// Why an instrument was read as a given venue's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VenueSource {
    /// The row's venue column.
    Column,
    /// The request's `venue` setting.
    Setting,
    /// The pasted table's header names.
    Headers,
    /// The premium's size (coin vs USD) of an option name two venues share.
    Premium,
    /// The size (coin vs USD notional) of a future name two venues share.
    Size,
    /// Only one venue uses the name.
    Name,
    /// Several venues use the name; the first in Deribit, OKX, Binance, Bybit order was taken.
    Default,
}

impl VenueSource {
    pub fn name(self) -> &'static str {
        match self {
            VenueSource::Column => "column",
            VenueSource::Setting => "setting",
            VenueSource::Headers => "headers",
            VenueSource::Premium => "premium",
            VenueSource::Size => "size",
            VenueSource::Name => "name",
            VenueSource::Default => "default",
        }
    }
}

/// What the row and the request say about the venue.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hints {
    pub column: Option<Venue>,
    pub setting: Option<Venue>,
    pub headers: Option<Venue>,
    /// Entry or mark price of the row, in whatever unit it was pasted.
    pub premium: Option<f64>,
    pub size: f64,
}

/// A name read into an instrument, with the reason for its venue and a note when it was a guess.
#[derive(Clone, Debug)]
pub struct Read {
    pub instrument: Instrument,
    pub source: VenueSource,
    pub note: Option<String>,
}

/// Reads an instrument name of any of the four venues.
///
/// ```
/// use headroom::symbology::{read, Hints};
/// let okx = read("BTC-USD-261225-100000-C", &Hints::default()).unwrap();
/// assert_eq!(okx.instrument.venue.label(), "OKX");
/// let shared = read("BTC-25DEC26-100000-C", &Hints { premium: Some(2350.0), ..Hints::default() }).unwrap();
/// assert_eq!(shared.instrument.venue.label(), "Bybit"); // a USD premium: Bybit's USDC option
/// ```
pub fn read(text: &str, hints: &Hints) -> Result<Read, String> {
    read_in(text, hints, &mut Readings::default())
}

/// Names already read, by their text: a book repeats its names, and reading one runs every
/// venue's reader. Only what the name alone decides is kept; the hints apply per row.
#[derive(Default)]
pub struct Readings(std::collections::HashMap<String, Candidates>);

/// The name in capitals and every venue's reading of it, or why it reads as none.
type Candidates = Result<(String, Vec<Instrument>), String>;

/// [`read`], reusing and filling `readings`. Only the instrument chosen is copied out of them.
pub fn read_in(text: &str, hints: &Hints, readings: &mut Readings) -> Result<Read, String> {
    if ccxt::is_unified(text) {
        return read_unified(text, hints, readings);
    }
    let key = text.trim();
    if !readings.0.contains_key(key) {
        readings.0.insert(key.to_string(), candidates(text));
    }
    match readings.0.get(key) {
        Some(Ok((name, found))) => choose_read(name, found, hints),
        Some(Err(message)) => Err(message.clone()),
        None => candidates(text).and_then(|(name, found)| choose_read(&name, &found, hints)),
    }
}

/// A ccxt unified symbol, read as the venue's own name on the venue the hints name (else the
/// default for its settlement, said in the note).
fn read_unified(text: &str, hints: &Hints, readings: &mut Readings) -> Result<Read, String> {
    let named = hints
        .column
        .map(|v| (v, VenueSource::Column))
        .or(hints.setting.map(|v| (v, VenueSource::Setting)))
        .or(hints.headers.map(|v| (v, VenueSource::Headers)));
    let (native, venue, defaulted) = ccxt::native_name(text, named.map(|(v, _)| v))?;
    let pinned = Hints {
        column: None,
        setting: Some(venue),
        ..*hints
    };
    let mut read = read_in(&native, &pinned, readings)?;
    match named {
        Some((_, source)) if !defaulted => read.source = source,
        _ => {
            read.source = VenueSource::Default;
            read.note = Some(format!(
                "the ccxt symbol {} read as {}'s {native}: ccxt's symbols do not name the venue \
                 — set the venue to change",
                text.trim(),
                venue.label()
            ));
        }
    }
    Ok(read)
}

/// The reading of `name` among every venue's, `found`, that the hints choose.
fn choose_read(name: &str, found: &[Instrument], hints: &Hints) -> Result<Read, String> {
    let explicit = hints
        .column
        .map(|v| (v, VenueSource::Column))
        .or(hints.setting.map(|v| (v, VenueSource::Setting)));
    if let Some((venue, source)) = explicit {
        if let Some(i) = found.iter().find(|i| i.venue == venue) {
            return Ok(Read {
                instrument: i.clone(),
                source,
                note: None,
            });
        }
        if let [spot] = found {
            // On Hyperliquid a coin's name is its perpetual.
            if spot.kind == Kind::Spot && venue == Venue::Hyperliquid {
                return Ok(Read {
                    instrument: onchain::hyperliquid_perpetual(&spot.underlying),
                    source,
                    note: None,
                });
            }
            if spot.kind == Kind::Spot {
                return Ok(Read {
                    instrument: Instrument {
                        venue,
                        ..spot.clone()
                    },
                    source,
                    note: None,
                });
            }
        }
        let others: Vec<&str> = found.iter().map(|i| i.venue.label()).collect();
        return Err(format!(
            "{name} is not a {} name (it reads as {})",
            venue.label(),
            others.join(" or ")
        ));
    }
    if let [only] = found {
        return Ok(Read {
            instrument: only.clone(),
            source: VenueSource::Name,
            note: None,
        });
    }
    let (chosen, source) = choose(found, hints);
    // Where the venues' contracts are the same (BTCUSDT on Binance and Bybit), nothing was guessed
    // that changes a number.
    let same_terms = found.iter().all(|i| {
        (i.settlement, i.kind, i.size_unit) == (chosen.settlement, chosen.kind, chosen.size_unit)
    });
    if same_terms {
        return Ok(Read {
            instrument: chosen.clone(),
            source,
            note: None,
        });
    }
    let others: Vec<&str> = found
        .iter()
        .filter(|i| i.venue != chosen.venue)
        .map(|i| i.venue.label())
        .collect();
    let note = format!(
        "read as {} ({}); the same name is a {} instrument — set a venue to change",
        chosen.venue.label(),
        match source {
            VenueSource::Headers => "from the table's headers",
            VenueSource::Premium => "from the premium's size",
            VenueSource::Size => "from the size",
            _ => "the default",
        },
        others.join(" or ")
    );
    Ok(Read {
        instrument: chosen.clone(),
        source,
        note: Some(note),
    })
}

/// Every venue's reading of `text`, spot readings dropped when a derivative reading exists.
fn candidates(text: &str) -> Candidates {
    let name = text.trim().to_ascii_uppercase();
    if name.is_empty() {
        return Err("the instrument is empty".into());
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(unknown(text));
    }
    // In the order used when nothing else decides: Deribit, OKX, Binance, Bybit.
    let readers: [fn(&str) -> Reading; 6] = [
        deribit::parse,
        okx::parse,
        binance::parse,
        bybit::parse,
        onchain::parse_dydx,
        onchain::parse_derive,
    ];
    let mut found: Vec<Instrument> = Vec::new();
    let mut first_error = None;
    for reader in readers {
        match reader(&name) {
            Ok(Some(instrument)) => found.push(instrument),
            Ok(None) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if found.iter().any(|i| i.kind != Kind::Spot) {
        found.retain(|i| i.kind != Kind::Spot);
    }
    if found.is_empty() {
        return Err(first_error.unwrap_or_else(|| unknown(text)));
    }
    Ok((name, found))
}

fn choose<'a>(found: &'a [Instrument], hints: &Hints) -> (&'a Instrument, VenueSource) {
    if let Some(i) = hints
        .headers
        .and_then(|h| found.iter().find(|i| i.venue == h))
    {
        return (i, VenueSource::Headers);
    }
    let settled = |s: Settlement| found.iter().find(|i| i.settlement == s);
    match found[0].kind {
        // Deribit's coin-settled option vs Bybit's USDC option: ≈0.045 BTC vs ≈2,450 USD.
        Kind::Option { .. } => {
            if let Some(premium) = hints.premium {
                let wanted = if premium >= 1.0 {
                    Settlement::Linear
                } else {
                    Settlement::Inverse
                };
                if let Some(i) = settled(wanted) {
                    return (i, VenueSource::Premium);
                }
            }
        }
        // Deribit's inverse future in USD (multiples of 10) vs Bybit's USDC future in coin.
        Kind::Future { .. } => {
            let coin_sized = hints.size.fract() != 0.0 || hints.size.abs() < 10.0;
            let wanted = if coin_sized {
                Settlement::Linear
            } else {
                Settlement::Inverse
            };
            if let Some(i) = settled(wanted) {
                return (i, VenueSource::Size);
            }
        }
        _ => {}
    }
    (&found[0], VenueSource::Default)
}

fn unknown(text: &str) -> String {
    format!(
        "'{}' is not an instrument name of Deribit (BTC-27NOV26-90000-C, BTC-PERPETUAL), OKX \
         (BTC-USD-261225-100000-C, BTC-USDT-SWAP), Bybit (BTCUSDT, BTCUSD) or Binance \
         (BTC-261225-100000-C, BTCUSD_PERP), or a coin (BTC)",
        clip(text.trim())
    )
}

/// A coin symbol: letters and digits with at least one letter (`BTC`, `1000PEPE`).
pub(crate) fn is_symbol(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 20
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

/// `27NOV26`-shaped: starts with a digit and has letters.
pub(crate) fn is_date_code(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Six digits (`261225`).
pub(crate) fn is_yymmdd(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn option_kind(name: &str, text: &str) -> Result<OptionKind, String> {
    match text {
        "C" => Ok(OptionKind::Call),
        "P" => Ok(OptionKind::Put),
        other => Err(format!("{name}: option type '{other}' must be C or P")),
    }
}

/// A strike: digits with one decimal separator, written `d`/`D` (Deribit) or `.` (Binance).
pub(crate) fn parse_strike(name: &str, text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err(format!("{name}: the strike is missing"));
    }
    let decimal = text.replace(['D', 'd'], ".");
    let valid = decimal.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && decimal.matches('.').count() <= 1;
    let value: f64 = match decimal.parse() {
        Ok(v) if valid => v,
        _ => return Err(format!("{name}: strike '{}' is not a number", clip(text))),
    };
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("{name}: strike {text} must be positive"));
    }
    if value > *crate::market::PRICE_RANGE.end() {
        return Err(format!("{name}: strike {text} is beyond 1e12"));
    }
    Ok(value)
}

/// Expiry of a `DDMMMYY` code, as an error that names the instrument.
pub(crate) fn date_code_expiry(name: &str, code: &str) -> Result<time::OffsetDateTime, String> {
    parse_date_code(code)
        .map(at_expiry_hour)
        .map_err(|e| format!("{name}: {e}"))
}

/// Expiry of a `YYMMDD` code, as an error that names the instrument.
pub(crate) fn yymmdd_expiry(name: &str, code: &str) -> Result<time::OffsetDateTime, String> {
    parse_yymmdd(code)
        .map(at_expiry_hour)
        .map_err(|e| format!("{name}: {e}"))
}

pub(crate) fn build(
    name: &str,
    underlying: &str,
    venue: Venue,
    settlement: Settlement,
    kind: Kind,
    size_unit: SizeUnit,
) -> Instrument {
    Instrument {
        name: name.to_string(),
        underlying: underlying.to_string(),
        venue,
        settlement,
        kind,
        size_unit,
        terms_note: None,
    }
}

/// Marks contract terms that rest on a default rather than the venue's published terms.
pub(crate) fn unconfirmed(mut i: Instrument, what: &str) -> Instrument {
    i.terms_note = Some(format!(
        "{what}: assumed, not a published term — set a multiplier column to override"
    ));
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_auto(name: &str) -> Read {
        read(name, &Hints::default()).unwrap()
    }

    #[test]
    fn each_venue_family_is_recognised() {
        let cases = [
            (
                "BTC-27NOV26-90000-C",
                "deribit",
                "option",
                "inverse",
                "coin",
            ),
            (
                "SOL_USDC-27NOV26-200-C",
                "deribit",
                "option",
                "linear",
                "contracts",
            ),
            ("BTC-PERPETUAL", "deribit", "perpetual", "inverse", "USD"),
            (
                "BTC_USDC-PERPETUAL",
                "deribit",
                "perpetual",
                "linear",
                "coin",
            ),
            (
                "BTC-USD-261225-100000-C",
                "okx",
                "option",
                "inverse",
                "contracts",
            ),
            ("BTC-USD-261225", "okx", "future", "inverse", "contracts"),
            ("BTC-USD-SWAP", "okx", "perpetual", "inverse", "contracts"),
            ("BTC-USDT-SWAP", "okx", "perpetual", "linear", "contracts"),
            ("ETH-USDC-261225", "okx", "future", "linear", "contracts"),
            (
                "BTC-25DEC26-85000-P-USDT",
                "bybit",
                "option",
                "linear",
                "coin",
            ),
            (
                "BTCUSDT-13FEB27-89000-P",
                "bybit",
                "option",
                "linear",
                "coin",
            ),
            ("BTCUSDT-26MAR27", "bybit", "future", "linear", "coin"),
            ("BTCPERP", "bybit", "perpetual", "linear", "coin"),
            ("BTCUSD", "bybit", "perpetual", "inverse", "USD"),
            ("BTCUSDZ26", "bybit", "future", "inverse", "USD"),
            (
                "BTC-261225-100000-C",
                "binance",
                "option",
                "linear",
                "contracts",
            ),
            (
                "XRP-270331-0.365-P",
                "binance",
                "option",
                "linear",
                "contracts",
            ),
            (
                "BTCUSD_PERP",
                "binance",
                "perpetual",
                "inverse",
                "contracts",
            ),
            ("ETHUSD_261225", "binance", "future", "inverse", "contracts"),
            ("BTCUSDT_261225", "binance", "future", "linear", "coin"),
            ("1000PEPEUSDT", "binance", "perpetual", "linear", "coin"),
            ("BTC", "deribit", "spot", "spot", "coin"),
            ("BTC-USDT", "okx", "spot", "spot", "coin"),
        ];
        for (name, venue, kind, settlement, unit) in cases {
            let r = read_auto(name);
            let i = &r.instrument;
            assert_eq!(
                (
                    i.venue.name(),
                    i.kind_name(),
                    i.settlement_name(),
                    i.size_unit_name()
                ),
                (venue, kind, settlement, unit),
                "{name}"
            );
        }
    }

    #[test]
    fn contract_terms_per_venue() {
        assert_eq!(
            read_auto("BTC-USD-261225-100000-C").instrument.size_unit,
            SizeUnit::Contracts { coins: 0.01 }
        );
        assert_eq!(
            read_auto("ETH-USD-270326-3000-P").instrument.size_unit,
            SizeUnit::Contracts { coins: 0.1 }
        );
        assert_eq!(
            read_auto("BTC-USD-SWAP").instrument.size_unit,
            SizeUnit::UsdContracts { usd: 100.0 }
        );
        assert_eq!(
            read_auto("ETH-USD-SWAP").instrument.size_unit,
            SizeUnit::UsdContracts { usd: 10.0 }
        );
        assert_eq!(
            read_auto("BTCUSD_PERP").instrument.size_unit,
            SizeUnit::UsdContracts { usd: 100.0 }
        );
        assert_eq!(
            read_auto("DOGE-270331-0.2-C").instrument.size_unit,
            SizeUnit::Contracts { coins: 1000.0 }
        );
        assert!(
            read_auto("AVAX-USDT-SWAP").instrument.terms_note.is_some(),
            "unpublished ctVal is flagged"
        );
    }

    #[test]
    fn bybit_inverse_futures_expire_on_the_last_friday() {
        let r = read_auto("BTCUSDZ26");
        let expiry = r.instrument.expiry().unwrap();
        assert_eq!(
            crate::calendar::format_instant(expiry),
            "2026-12-25T08:00:00Z"
        );
        let r = read_auto("ETHUSDH27");
        assert_eq!(
            crate::calendar::format_instant(r.instrument.expiry().unwrap()),
            "2027-03-26T08:00:00Z"
        );
    }

    #[test]
    fn collisions_are_decided_and_explained() {
        let by_premium = read(
            "BTC-25DEC26-100000-C",
            &Hints {
                premium: Some(0.045),
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(
            (by_premium.instrument.venue, by_premium.source),
            (Venue::Deribit, VenueSource::Premium)
        );
        assert!(by_premium.note.unwrap().contains("Bybit"));
        let by_headers = read(
            "BTC-25DEC26-100000-C",
            &Hints {
                headers: Some(Venue::Bybit),
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(by_headers.instrument.venue, Venue::Bybit);
        let coin_sized = read(
            "BTC-25DEC26",
            &Hints {
                size: 0.5,
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(
            (coin_sized.instrument.venue, coin_sized.source),
            (Venue::Bybit, VenueSource::Size)
        );
        let usd_sized = read(
            "BTC-25DEC26",
            &Hints {
                size: -50000.0,
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(usd_sized.instrument.venue, Venue::Deribit);
        let same_terms = read_auto("BTCUSDT");
        assert_eq!(
            (same_terms.instrument.venue, same_terms.source),
            (Venue::Binance, VenueSource::Default)
        );
    }

    #[test]
    fn an_explicit_venue_decides_or_explains() {
        let r = read(
            "BTC-25DEC26-100000-C",
            &Hints {
                column: Some(Venue::Bybit),
                premium: Some(0.01),
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(
            (r.instrument.venue, r.source),
            (Venue::Bybit, VenueSource::Column)
        );
        let e = read(
            "BTC-USD-SWAP",
            &Hints {
                setting: Some(Venue::Binance),
                ..Hints::default()
            },
        )
        .unwrap_err();
        assert!(e.contains("not a Binance name") && e.contains("OKX"), "{e}");
        let spot = read(
            "ETH",
            &Hints {
                setting: Some(Venue::Okx),
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(spot.instrument.venue, Venue::Okx);
    }

    #[test]
    fn shaped_but_wrong_names_say_what_is_wrong() {
        let reason = |s| read(s, &Hints::default()).unwrap_err();
        assert!(reason("BTC-27NOV26-90000-X").contains("must be C or P"));
        assert!(reason("BTC-27NOV26--C").contains("strike is missing"));
        assert!(reason("BTC-27NOV26-0-C").contains("must be positive"));
        assert!(reason("BTC-31FEB27-90000-C").contains("not a calendar date"));
        assert!(reason("BTC-USD-261332-1000-C").contains("no month 13"));
        assert!(reason("<img src=x onerror=alert(1)>").contains("not an instrument name"));
        assert!(reason("BTC-FS-19MAY26_PERP").contains("combo"));
        assert!(reason("BTC_EUR-PERPETUAL").contains("not an instrument name"));
        assert!(reason("").contains("empty"));
    }
}
