//! OKX: sizes always in contracts. Inverse options `BTC-USD-261225-100000-C` (0.01 BTC, 0.1 ETH
//! since April 2022), inverse futures and perpetuals `BTC-USD-261225`, `BTC-USD-SWAP` ($100 for BTC,
//! $10 otherwise), linear `BTC-USDT-261225`, `BTC-USDC-…`, `BTC-USDT-SWAP` (0.01 BTC, 0.1 ETH), spot
//! `BTC-USDT`. OKX lists no linear options.

use super::{
    build, is_symbol, is_yymmdd, option_kind, parse_strike, unconfirmed, yymmdd_expiry, Reading,
};
use crate::instrument::{Instrument, Kind, Settlement, SizeUnit, Venue};

/// Coins per contract of options and linear contracts; `None` where OKX's term is not on file.
fn coins_per_contract(underlying: &str) -> Option<f64> {
    match underlying {
        "BTC" => Some(0.01),
        "ETH" => Some(0.1),
        _ => None,
    }
}

/// USD per contract of inverse futures and perpetuals.
fn usd_per_contract(underlying: &str) -> f64 {
    if underlying == "BTC" {
        100.0
    } else {
        10.0
    }
}

pub fn parse(name: &str) -> Reading {
    let parts: Vec<&str> = name.split('-').collect();
    if parts.len() < 2 || !is_symbol(parts[0]) {
        return Ok(None);
    }
    let underlying = parts[0];
    let inverse = parts[1] == "USD";
    let linear = matches!(parts[1], "USDT" | "USDC");
    if !inverse && !linear {
        return Ok(None);
    }
    let coin_contracts = |i: Instrument| match coins_per_contract(underlying) {
        Some(_) => i,
        None => unconfirmed(i, &format!("1 {underlying} per OKX contract")),
    };
    let coin_unit = SizeUnit::Contracts {
        coins: coins_per_contract(underlying).unwrap_or(1.0),
    };
    let usd_unit = SizeUnit::UsdContracts {
        usd: usd_per_contract(underlying),
    };
    let (settlement, unit) = if inverse {
        (Settlement::Inverse, usd_unit)
    } else {
        (Settlement::Linear, coin_unit)
    };
    let make = |kind, settlement, unit| build(name, underlying, Venue::Okx, settlement, kind, unit);
    Ok(match parts[2..] {
        [] if linear => Some(make(Kind::Spot, Settlement::Spot, SizeUnit::Coin)),
        ["SWAP"] => Some(if inverse {
            make(Kind::Perpetual, settlement, unit)
        } else {
            coin_contracts(make(Kind::Perpetual, settlement, unit))
        }),
        [code] if is_yymmdd(code) => {
            let future = make(
                Kind::Future {
                    expiry: yymmdd_expiry(name, code)?,
                },
                settlement,
                unit,
            );
            Some(if inverse {
                future
            } else {
                coin_contracts(future)
            })
        }
        [code, strike, option] if inverse && is_yymmdd(code) => {
            let expiry = yymmdd_expiry(name, code)?;
            let kind = Kind::Option {
                expiry,
                strike: parse_strike(name, strike)?,
                option: option_kind(name, option)?,
            };
            Some(coin_contracts(make(kind, Settlement::Inverse, coin_unit)))
        }
        _ => None,
    })
}
