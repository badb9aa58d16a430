//! Deribit: `BTC-27NOV26-90000-C` (inverse option, sized in coin), `SOL_USDC-27NOV26-200-C`
//! (USDC option, contracts of 10 SOL / 1000 XRP), `BTC-25DEC26` and `BTC-PERPETUAL` (inverse, sized
//! in USD), `BTC_USDC-PERPETUAL` (linear, sized in coin), and coins held (`BTC`, `BTC_USDC`).

use super::{build, date_code_expiry, is_date_code, is_symbol, option_kind, parse_strike, Reading};
use crate::instrument::{Kind, Settlement, SizeUnit, Venue, USD_LIKE};

/// Deribit combo codes (`BTC-FS-…`, `BTC-STRD-…`): strategies made of legs.
const COMBO_CODES: [&str; 14] = [
    "FS", "STRD", "STRG", "CS", "PS", "RR", "CBUT", "PBUT", "CCAL", "PCAL", "CDIAG", "PDIAG",
    "ICOND", "REV",
];

/// Coins per contract of Deribit's linear USDC options (symbology.md); others 1 coin.
fn linear_option_contract_coins(underlying: &str) -> f64 {
    match underlying {
        "SOL" => 10.0,
        "XRP" => 1000.0,
        _ => 1.0,
    }
}

pub fn parse(name: &str) -> Reading {
    let parts: Vec<&str> = name.split('-').collect();
    let Some((underlying, quote)) = split_pair(parts[0]) else {
        return Ok(None);
    };
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
    let make = |kind, settlement, unit| {
        Some(build(
            name,
            underlying,
            Venue::Deribit,
            settlement,
            kind,
            unit,
        ))
    };
    let futures_unit = if linear {
        SizeUnit::Coin
    } else {
        SizeUnit::Usd
    };
    Ok(match parts.as_slice() {
        [_] => make(Kind::Spot, Settlement::Spot, SizeUnit::Coin),
        [_, "PERPETUAL"] => make(Kind::Perpetual, settlement, futures_unit),
        [_, code] if is_date_code(code) => make(
            Kind::Future {
                expiry: date_code_expiry(name, code)?,
            },
            settlement,
            futures_unit,
        ),
        [_, code, strike, option] if is_date_code(code) => {
            let expiry = date_code_expiry(name, code)?;
            let kind = Kind::Option {
                expiry,
                strike: parse_strike(name, strike)?,
                option: option_kind(name, option)?,
            };
            let unit = if linear {
                SizeUnit::Contracts {
                    coins: linear_option_contract_coins(underlying),
                }
            } else {
                SizeUnit::Coin
            };
            make(kind, settlement, unit)
        }
        _ => None,
    })
}

/// `BTC` → (BTC, None); `SOL_USDC` → (SOL, Some(USDC)); anything else is not Deribit's.
fn split_pair(first: &str) -> Option<(&str, Option<&str>)> {
    let (base, quote) = match first.split_once('_') {
        Some((base, quote)) => (base, Some(quote)),
        None => (first, None),
    };
    // Deribit writes a quote after an underscore; `BTCUSDT-…` is another venue's name.
    if !is_symbol(base) || base.ends_with("USDT") || base.ends_with("USDC") {
        return None;
    }
    match quote {
        Some(q) if USD_LIKE.contains(&q) => Some((base, Some(q))),
        Some(_) => None,
        None => Some((base, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Kind;

    #[test]
    fn fractional_strikes_use_d() {
        let i = parse("XRP_USDC-30JUN23-0D625-C").unwrap().unwrap();
        assert!(matches!(i.kind, Kind::Option { strike, .. } if strike == 0.625));
        assert_eq!(i.size_unit, SizeUnit::Contracts { coins: 1000.0 });
    }

    #[test]
    fn other_shapes_are_not_deribit() {
        for name in [
            "BTC-USD-SWAP",
            "BTCUSD_PERP",
            "BTC-261225-100000-C",
            "BTC-13FEB25-89000-P-USDT",
        ] {
            assert!(parse(name).unwrap().is_none(), "{name}");
        }
    }
}
