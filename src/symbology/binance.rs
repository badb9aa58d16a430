//! Binance: options `BTC-261225-100000-C` (USDT-settled; contracts of 1 coin, 100 XRP, 1000 DOGE;
//! fractional strikes with a dot), COIN-M `BTCUSD_PERP` / `BTCUSD_261225` (contracts of $100 for
//! BTC, $10 otherwise), USDⓈ-M `BTCUSDT`, `BTCUSDC` / `BTCUSDT_261225` (sized in coin; multiplier
//! names like `1000PEPEUSDT` are their own underlying).

use super::{build, is_symbol, is_yymmdd, option_kind, parse_strike, yymmdd_expiry, Reading};
use crate::instrument::{Kind, Settlement, SizeUnit, Venue};

fn option_unit(underlying: &str) -> f64 {
    match underlying {
        "XRP" => 100.0,
        "DOGE" => 1000.0,
        _ => 1.0,
    }
}

fn coin_margined_usd(underlying: &str) -> f64 {
    if underlying == "BTC" {
        100.0
    } else {
        10.0
    }
}

pub fn parse(name: &str) -> Reading {
    let parts: Vec<&str> = name.split('-').collect();
    match parts.as_slice() {
        [underlying, code, strike, option] if is_symbol(underlying) && is_yymmdd(code) => {
            let expiry = yymmdd_expiry(name, code)?;
            let kind = Kind::Option {
                expiry,
                strike: parse_strike(name, strike)?,
                option: option_kind(name, option)?,
            };
            let unit = SizeUnit::Contracts {
                coins: option_unit(underlying),
            };
            Ok(Some(build(
                name,
                underlying,
                Venue::Binance,
                Settlement::Linear,
                kind,
                unit,
            )))
        }
        [single] => parse_futures(name, single),
        _ => Ok(None),
    }
}

fn parse_futures(name: &str, text: &str) -> Reading {
    let (pair, suffix) = match text.split_once('_') {
        Some((pair, suffix)) => (pair, Some(suffix)),
        None => (text, None),
    };
    let (underlying, inverse) = if let Some(base) = pair
        .strip_suffix("USDT")
        .or_else(|| pair.strip_suffix("USDC"))
    {
        (base, false)
    } else if let Some(base) = pair.strip_suffix("USD") {
        (base, true)
    } else {
        return Ok(None);
    };
    if !is_symbol(underlying) {
        return Ok(None);
    }
    let kind = match suffix {
        None if !inverse => Kind::Perpetual,
        Some("PERP") if inverse => Kind::Perpetual,
        Some(code) if is_yymmdd(code) => Kind::Future {
            expiry: yymmdd_expiry(name, code)?,
        },
        _ => return Ok(None),
    };
    let (settlement, unit) = if inverse {
        (
            Settlement::Inverse,
            SizeUnit::UsdContracts {
                usd: coin_margined_usd(underlying),
            },
        )
    } else {
        (Settlement::Linear, SizeUnit::Coin)
    };
    Ok(Some(build(
        name,
        underlying,
        Venue::Binance,
        settlement,
        kind,
        unit,
    )))
}
