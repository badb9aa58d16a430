//! Instruments and Deribit symbology: what a pasted name means, how it settles and how its size
//! is counted.

use crate::calendar::{clip, parse_expiry_code};
use crate::pricing::black::OptionKind;
use time::OffsetDateTime;

/// How an instrument's value and P&L are paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Coin-settled (Deribit BTC and ETH options and futures): valued in the underlying coin.
    Inverse,
    /// Settled in a USD stablecoin: valued in USD.
    Linear,
    /// A coin held outright.
    Spot,
}

/// What kind of contract an instrument is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Option {
        expiry: OffsetDateTime,
        strike: f64,
        option: OptionKind,
    },
    Future {
        expiry: OffsetDateTime,
    },
    Perpetual,
    Spot,
}

/// The unit a position's pasted size is counted in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizeUnit {
    /// Coins of the underlying.
    Coin,
    /// USD notional (inverse futures and perpetuals).
    Usd,
    /// Contracts of `coins` each.
    Contracts { coins: f64 },
}

/// One tradable instrument.
#[derive(Clone, Debug, PartialEq)]
pub struct Instrument {
    /// The canonical name, upper case (`BTC-27NOV26-90000-C`).
    pub name: String,
    /// The underlying coin (`BTC`).
    pub underlying: String,
    pub settlement: Settlement,
    pub kind: Kind,
    pub size_unit: SizeUnit,
}

impl Instrument {
    pub fn expiry(&self) -> Option<OffsetDateTime> {
        match self.kind {
            Kind::Option { expiry, .. } | Kind::Future { expiry } => Some(expiry),
            Kind::Perpetual | Kind::Spot => None,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Option { .. } => "option",
            Kind::Future { .. } => "future",
            Kind::Perpetual => "perpetual",
            Kind::Spot => "spot",
        }
    }

    pub fn settlement_name(&self) -> &'static str {
        match self.settlement {
            Settlement::Inverse => "inverse",
            Settlement::Linear => "linear",
            Settlement::Spot => "spot",
        }
    }

    pub fn size_unit_name(&self) -> &'static str {
        match self.size_unit {
            SizeUnit::Coin => "coin",
            SizeUnit::Usd => "USD",
            SizeUnit::Contracts { .. } => "contracts",
        }
    }
}

/// USD stablecoins valued at 1 USD (as collateral and as the quote of linear instruments).
pub const USD_LIKE: [&str; 3] = ["USD", "USDC", "USDT"];

/// Deribit combo prefixes (`BTC-FS-…`, `BTC-STRD-…`): strategies made of legs.
const COMBO_CODES: [&str; 14] = [
    "FS", "STRD", "STRG", "CS", "PS", "RR", "CBUT", "PBUT", "CCAL", "PCAL", "CDIAG", "PDIAG",
    "ICOND", "REV",
];

/// Coins per contract of Deribit's linear USDC options (symbology.md). Others: 1 coin.
fn linear_option_contract_coins(underlying: &str) -> f64 {
    match underlying {
        "SOL" => 10.0,
        "XRP" => 1000.0,
        _ => 1.0,
    }
}

/// Reads a Deribit instrument name.
///
/// ```
/// use headroom::instrument::{parse_deribit, Kind, Settlement};
/// let i = parse_deribit("btc-27nov26-90000-c").unwrap();
/// assert_eq!(i.name, "BTC-27NOV26-90000-C");
/// assert_eq!(i.settlement, Settlement::Inverse);
/// assert!(matches!(i.kind, Kind::Option { strike, .. } if strike == 90000.0));
/// assert!(parse_deribit("BTC-31FEB27-90000-C").is_err());
/// ```
pub fn parse_deribit(text: &str) -> Result<Instrument, String> {
    let name = text.trim().to_ascii_uppercase();
    let unknown = || {
        format!(
            "'{}' is not an instrument name: expected e.g. BTC-27NOV26-90000-C, SOL_USDC-27NOV26-200-C, \
             BTC-25DEC26, BTC-PERPETUAL, BTC_USDC-PERPETUAL or BTC",
            clip(text.trim())
        )
    };
    if name.is_empty() {
        return Err("the instrument is empty".into());
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(unknown());
    }
    let parts: Vec<&str> = name.split('-').collect();
    let (underlying, quote) = split_pair(parts[0]).ok_or_else(unknown)?;
    let linear = quote.is_some();
    if parts.len() >= 2 && COMBO_CODES.contains(&parts[1]) {
        return Err(format!(
            "{name} is a combo: paste its legs as separate rows"
        ));
    }
    let settlement = if linear {
        Settlement::Linear
    } else {
        Settlement::Inverse
    };
    let instrument = |kind, settlement, size_unit| Instrument {
        name: name.clone(),
        underlying: underlying.to_string(),
        settlement,
        kind,
        size_unit,
    };
    match parts.as_slice() {
        [_] => Ok(instrument(Kind::Spot, Settlement::Spot, SizeUnit::Coin)),
        [_, "PERPETUAL"] => {
            let unit = if linear {
                SizeUnit::Coin
            } else {
                SizeUnit::Usd
            };
            Ok(instrument(Kind::Perpetual, settlement, unit))
        }
        [_, code] => {
            let expiry = parse_expiry_code(code).map_err(|e| format!("{name}: {e}"))?;
            let unit = if linear {
                SizeUnit::Coin
            } else {
                SizeUnit::Usd
            };
            Ok(instrument(Kind::Future { expiry }, settlement, unit))
        }
        [_, code, strike, option] => {
            let expiry = parse_expiry_code(code).map_err(|e| format!("{name}: {e}"))?;
            let strike = parse_strike(strike).map_err(|e| format!("{name}: {e}"))?;
            let option = match *option {
                "C" => OptionKind::Call,
                "P" => OptionKind::Put,
                other => return Err(format!("{name}: option type '{other}' must be C or P")),
            };
            let unit = if linear {
                SizeUnit::Contracts {
                    coins: linear_option_contract_coins(underlying),
                }
            } else {
                SizeUnit::Coin
            };
            Ok(instrument(
                Kind::Option {
                    expiry,
                    strike,
                    option,
                },
                settlement,
                unit,
            ))
        }
        _ => Err(unknown()),
    }
}

/// `BTC` → (BTC, None); `SOL_USDC` → (SOL, Some(USDC)).
fn split_pair(first: &str) -> Option<(&str, Option<&str>)> {
    let (base, quote) = match first.split_once('_') {
        Some((base, quote)) => (base, Some(quote)),
        None => (first, None),
    };
    let is_symbol =
        |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !is_symbol(base) || !base.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    match quote {
        Some(q) if USD_LIKE.contains(&q) => Some((base, Some(q))),
        Some(_) => None,
        None => Some((base, None)),
    }
}

/// `90000` → 90000; `0d625` → 0.625 (Deribit writes fractional strikes with a `d`).
fn parse_strike(text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err("the strike is missing".into());
    }
    let decimal = text.replace(['D', 'd'], ".");
    let valid = decimal.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && decimal.matches('.').count() <= 1;
    let value: f64 = if valid {
        decimal
            .parse()
            .map_err(|_| format!("strike '{text}' is not a number"))?
    } else {
        return Err(format!("strike '{}' is not a number", clip(text)));
    };
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("strike {text} must be positive"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_deribit_family() {
        let cases = [
            (
                "BTC-27NOV26-90000-C",
                "option",
                Settlement::Inverse,
                SizeUnit::Coin,
            ),
            (
                "SOL_USDC-27NOV26-200-P",
                "option",
                Settlement::Linear,
                SizeUnit::Contracts { coins: 10.0 },
            ),
            ("BTC-25DEC26", "future", Settlement::Inverse, SizeUnit::Usd),
            (
                "ETH-PERPETUAL",
                "perpetual",
                Settlement::Inverse,
                SizeUnit::Usd,
            ),
            (
                "BTC_USDC-PERPETUAL",
                "perpetual",
                Settlement::Linear,
                SizeUnit::Coin,
            ),
            ("ETH", "spot", Settlement::Spot, SizeUnit::Coin),
            ("DOGE", "spot", Settlement::Spot, SizeUnit::Coin),
        ];
        for (name, kind, settlement, unit) in cases {
            let i = parse_deribit(name).unwrap();
            assert_eq!(
                (i.kind_name(), i.settlement, i.size_unit),
                (kind, settlement, unit),
                "{name}"
            );
        }
    }

    #[test]
    fn fractional_strikes_use_d() {
        let i = parse_deribit("XRP_USDC-30JUN23-0d625-C").unwrap();
        assert!(matches!(i.kind, Kind::Option { strike, .. } if strike == 0.625));
        assert_eq!(i.size_unit, SizeUnit::Contracts { coins: 1000.0 });
    }

    #[test]
    fn rejects_with_reasons() {
        let reason = |s| parse_deribit(s).unwrap_err();
        assert!(reason("BTC-27NOV26-90000-X").contains("must be C or P"));
        assert!(reason("BTC-27NOV26--C").contains("strike is missing"));
        assert!(reason("BTC-27NOV26-0-C").contains("must be positive"));
        assert!(reason("BTC-31FEB27-90000-C").contains("not a calendar date"));
        assert!(reason("<img src=x onerror=alert(1)>").contains("not an instrument name"));
        assert!(reason("BTC-FS-19MAY26_PERP").contains("combo"));
        assert!(reason("BTC_EUR-PERPETUAL").contains("not an instrument name"));
        assert!(reason("").contains("empty"));
    }
}
