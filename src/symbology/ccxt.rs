//! ccxt's unified symbols (`BTC/USDT:USDT`, `BTC/USD:BTC-261225`, `ETH/USD:ETH-230825-2100-C`)
//! mapped to the venue's own name, which that venue's reader then reads with its contract terms.
//!
//! A unified symbol is `BASE/QUOTE:SETTLE` for a perpetual, `…-YYMMDD` for a dated future and
//! `…-YYMMDD-STRIKE-C|P` for an option; `SETTLE` equal to `BASE` is an inverse (coin-settled)
//! contract. The symbol does not name the venue: the row's venue, the request's or the account's
//! decides, else a default per settlement that the row's note states.

use crate::calendar::{expiry_code, parse_yymmdd};
use crate::instrument::{Venue, USD_LIKE};

/// A unified symbol taken apart.
#[derive(Clone, Debug, PartialEq)]
struct Unified {
    base: String,
    quote: String,
    settle: Option<String>,
    /// `YYMMDD`, as ccxt writes it.
    expiry: Option<String>,
    strike: Option<String>,
    /// `C` or `P`.
    right: Option<char>,
}

impl Unified {
    fn inverse(&self) -> bool {
        self.settle.as_deref() == Some(self.base.as_str())
    }
}

/// Whether `text` is shaped like a ccxt unified symbol (it has a `/`).
pub fn is_unified(text: &str) -> bool {
    text.contains('/')
}

fn parse(text: &str) -> Result<Unified, String> {
    let upper = text.trim().to_ascii_uppercase();
    let bad = || {
        format!(
            "'{}' is not a ccxt unified symbol (BASE/QUOTE:SETTLE, then -YYMMDD for a future, \
             -YYMMDD-STRIKE-C or -P for an option)",
            crate::calendar::clip(text.trim())
        )
    };
    let (pair, rest) = match upper.split_once(':') {
        Some((pair, rest)) => (pair, Some(rest)),
        None => (upper.as_str(), None),
    };
    let (base, quote) = pair.split_once('/').ok_or_else(bad)?;
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !word(base) || !word(quote) {
        return Err(bad());
    }
    let mut unified = Unified {
        base: base.into(),
        quote: quote.into(),
        settle: None,
        expiry: None,
        strike: None,
        right: None,
    };
    let Some(rest) = rest else {
        return Ok(unified);
    };
    let parts: Vec<&str> = rest.split('-').collect();
    match parts.as_slice() {
        [settle] => unified.settle = Some((*settle).into()),
        [settle, expiry] => {
            unified.settle = Some((*settle).into());
            unified.expiry = Some((*expiry).into());
        }
        [settle, expiry, strike, right] if matches!(*right, "C" | "P") => {
            unified.settle = Some((*settle).into());
            unified.expiry = Some((*expiry).into());
            unified.strike = Some((*strike).into());
            unified.right = right.chars().next();
        }
        _ => return Err(bad()),
    }
    if !unified.settle.as_deref().is_some_and(word) {
        return Err(bad());
    }
    if let Some(e) = &unified.expiry {
        parse_yymmdd(e).map_err(|_| bad())?;
    }
    if let Some(k) = &unified.strike {
        if !k.parse::<f64>().is_ok_and(|k| k > 0.0) {
            return Err(bad());
        }
    }
    Ok(unified)
}

/// The venue a unified symbol is read on when nothing names one: coin-settled contracts are
/// Deribit's, USDT-settled Binance's, USDC-settled options Bybit's and USDC perpetuals
/// Hyperliquid's, USD-settled (dYdX's quote) dYdX's.
fn default_venue(u: &Unified) -> Venue {
    match (u.inverse(), u.settle.as_deref(), u.right.is_some()) {
        (true, _, _) => Venue::Deribit,
        (_, Some("USDT"), _) => Venue::Binance,
        (_, Some("USDC"), true) => Venue::Bybit,
        (_, Some("USDC"), false) => Venue::Hyperliquid,
        (_, Some("USD"), _) => Venue::Dydx,
        _ => Venue::Deribit,
    }
}

/// The venue's own name for a unified symbol, and the venue (`venue`, else the default, with
/// `true` when defaulted).
pub fn native_name(text: &str, venue: Option<Venue>) -> Result<(String, Venue, bool), String> {
    let u = parse(text)?;
    let (venue, defaulted) = match venue {
        Some(v) => (v, false),
        None => (default_venue(&u), true),
    };
    let unsupported = || {
        format!(
            "the ccxt symbol {} has no {} name Headroom reads",
            text.trim(),
            venue.label()
        )
    };
    let b = &u.base;
    let settle = u.settle.as_deref().unwrap_or("");
    let stable = USD_LIKE.contains(&settle);
    let date = u.expiry.as_deref().map(parse_yymmdd).transpose()?;
    let deribit_code = date.map(expiry_code).unwrap_or_default();
    let yymmdd = u.expiry.clone().unwrap_or_default();
    let strike = u.strike.clone().unwrap_or_default();
    let right = u.right.map(String::from).unwrap_or_default();
    let spot = u.settle.is_none();
    let name = match venue {
        _ if spot => b.clone(),
        Venue::Deribit => {
            let root = if u.inverse() {
                b.clone()
            } else if stable {
                format!("{b}_{settle}")
            } else {
                return Err(unsupported());
            };
            match (date, u.right) {
                (None, _) => format!("{root}-PERPETUAL"),
                (Some(_), None) => format!("{root}-{deribit_code}"),
                (Some(_), Some(_)) => {
                    format!("{root}-{deribit_code}-{}-{right}", strike.replace('.', "d"))
                }
            }
        }
        Venue::Okx => {
            let quote = if u.inverse() { "USD" } else { settle };
            match (date, u.right) {
                (None, _) => format!("{b}-{quote}-SWAP"),
                (Some(_), None) => format!("{b}-{quote}-{yymmdd}"),
                (Some(_), Some(_)) => format!("{b}-USD-{yymmdd}-{strike}-{right}"),
            }
        }
        Venue::Bybit => match (u.inverse(), settle, date, u.right) {
            (true, _, None, _) => format!("{b}USD"),
            (false, "USDT", None, _) => format!("{b}USDT"),
            (false, "USDC", None, _) => format!("{b}PERP"),
            (false, "USDC", Some(_), Some(_)) => format!("{b}-{deribit_code}-{strike}-{right}"),
            (false, "USDT", Some(_), Some(_)) => {
                format!("{b}-{deribit_code}-{strike}-{right}-USDT")
            }
            _ => return Err(unsupported()),
        },
        Venue::Binance => match (u.inverse(), settle, date, u.right) {
            (true, _, None, _) => format!("{b}USD_PERP"),
            (true, _, Some(_), None) => format!("{b}USD_{yymmdd}"),
            (false, "USDT", None, _) => format!("{b}USDT"),
            (false, "USDT", Some(_), None) => format!("{b}USDT_{yymmdd}"),
            (false, _, Some(_), Some(_)) => format!("{b}-{yymmdd}-{strike}-{right}"),
            _ => return Err(unsupported()),
        },
        Venue::Hyperliquid if date.is_none() && !u.inverse() => b.clone(),
        Venue::Dydx if date.is_none() && !u.inverse() => format!("{b}-USD"),
        Venue::Derive if !u.inverse() => match (date, u.right) {
            (None, _) => format!("{b}-PERP"),
            (Some(d), Some(_)) => format!(
                "{b}-{:04}{:02}{:02}-{strike}-{right}",
                d.year(),
                u8::from(d.month()),
                d.day()
            ),
            _ => return Err(unsupported()),
        },
        _ => return Err(unsupported()),
    };
    let _ = &u.quote;
    Ok((name, venue, defaulted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_symbols_map_to_each_venues_name() {
        let cases = [
            ("BTC/USD:BTC", Some(Venue::Deribit), "BTC-PERPETUAL"),
            ("BTC/USD:BTC-261225", Some(Venue::Deribit), "BTC-25DEC26"),
            (
                "ETH/USD:ETH-230825-2100-C",
                Some(Venue::Deribit),
                "ETH-25AUG23-2100-C",
            ),
            (
                "XRP/USDC:USDC-261225-0.5-P",
                Some(Venue::Deribit),
                "XRP_USDC-25DEC26-0d5-P",
            ),
            ("BTC/USDT:USDT", Some(Venue::Okx), "BTC-USDT-SWAP"),
            ("BTC/USD:BTC", Some(Venue::Okx), "BTC-USD-SWAP"),
            (
                "BTC/USD:BTC-261225-100000-C",
                Some(Venue::Okx),
                "BTC-USD-261225-100000-C",
            ),
            ("BTC/USDT:USDT", Some(Venue::Bybit), "BTCUSDT"),
            ("BTC/USDC:USDC", Some(Venue::Bybit), "BTCPERP"),
            ("BTC/USD:BTC", Some(Venue::Binance), "BTCUSD_PERP"),
            (
                "BTC/USDT:USDT-261225",
                Some(Venue::Binance),
                "BTCUSDT_261225",
            ),
            (
                "BTC/USDT:USDT-261225-100000-C",
                Some(Venue::Binance),
                "BTC-261225-100000-C",
            ),
            ("ETH/USDC:USDC", Some(Venue::Hyperliquid), "ETH"),
            ("ETH/USD:USD", Some(Venue::Dydx), "ETH-USD"),
            (
                "ETH/USDC:USDC-261225-4000-C",
                Some(Venue::Derive),
                "ETH-20261225-4000-C",
            ),
        ];
        for (symbol, venue, native) in cases {
            assert_eq!(native_name(symbol, venue).unwrap().0, native, "{symbol}");
        }
        assert_eq!(
            native_name("BTC/USD:BTC", None).unwrap(),
            ("BTC-PERPETUAL".into(), Venue::Deribit, true)
        );
        assert_eq!(
            native_name("BTC/USDT:USDT", None).unwrap().1,
            Venue::Binance
        );
        for bad in [
            "BTC/",
            "/USDT",
            "BTC/USDT:",
            "BTC/USD:BTC-2612",
            "BTC/USD:BTC-261225-0-C",
            "BTC/USD:BTC-261225-1-X",
        ] {
            assert!(native_name(bad, None).is_err(), "{bad}");
        }
        assert!(native_name("BTC/USD:BTC", Some(Venue::Hyperliquid)).is_err());
    }
}
