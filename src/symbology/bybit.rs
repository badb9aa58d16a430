//! Bybit: options, USDT and USDC contracts sized in coin; inverse contracts sized in USD ($1 per
//! contract). USDC options `ETH-28FEB25-2800-C` (the same text as a Deribit inverse option), USDT
//! options `BTC-13FEB25-89000-P-USDT` (shown on the site as `BTCUSDT-13FEB25-89000-P`), USDT
//! perpetuals / futures `BTCUSDT` / `BTCUSDT-21FEB25`, USDC perpetuals / futures `BTCPERP` /
//! `BTC-24MAR23`, inverse perpetuals / futures `BTCUSD` / `BTCUSDZ23` (H, M, U, Z = March, June,
//! September, December; expiring on the month's last Friday).

use super::{build, date_code_expiry, is_date_code, is_symbol, option_kind, parse_strike, Reading};
use crate::calendar::at_expiry_hour;
use crate::instrument::{Kind, Settlement, SizeUnit, Venue};
use time::{Date, Month, Weekday};

pub fn parse(name: &str) -> Reading {
    let parts: Vec<&str> = name.split('-').collect();
    let make = |underlying: &str, kind, settlement, unit| {
        Some(build(
            name,
            underlying,
            Venue::Bybit,
            settlement,
            kind,
            unit,
        ))
    };
    let linear_coin =
        |underlying: &str, kind| make(underlying, kind, Settlement::Linear, SizeUnit::Coin);
    Ok(match parts.as_slice() {
        [single] => return parse_single(name, single),
        [pair, code] if is_date_code(code) => {
            let underlying = pair.strip_suffix("USDT").unwrap_or(pair);
            if !is_symbol(underlying) {
                return Ok(None);
            }
            linear_coin(
                underlying,
                Kind::Future {
                    expiry: date_code_expiry(name, code)?,
                },
            )
        }
        [pair, code, strike, option] | [pair, code, strike, option, "USDT"]
            if is_date_code(code) =>
        {
            let underlying = pair.strip_suffix("USDT").unwrap_or(pair);
            if !is_symbol(underlying) {
                return Ok(None);
            }
            let expiry = date_code_expiry(name, code)?;
            let kind = Kind::Option {
                expiry,
                strike: parse_strike(name, strike)?,
                option: option_kind(name, option)?,
            };
            linear_coin(underlying, kind)
        }
        _ => None,
    })
}

fn parse_single(name: &str, text: &str) -> Reading {
    let make = |underlying: &str, kind, settlement, unit| {
        Ok(is_symbol(underlying)
            .then(|| build(name, underlying, Venue::Bybit, settlement, kind, unit)))
    };
    if let Some(base) = text.strip_suffix("USDT") {
        return make(base, Kind::Perpetual, Settlement::Linear, SizeUnit::Coin);
    }
    if let Some(base) = text.strip_suffix("PERP") {
        return make(base, Kind::Perpetual, Settlement::Linear, SizeUnit::Coin);
    }
    if let Some(base) = text.strip_suffix("USD") {
        return make(base, Kind::Perpetual, Settlement::Inverse, SizeUnit::Usd);
    }
    // BTCUSDZ26: inverse future, month letter and two-digit year.
    let bytes = text.as_bytes();
    if bytes.len() > 6
        && text[..bytes.len() - 3].ends_with("USD")
        && bytes[bytes.len() - 2..].iter().all(u8::is_ascii_digit)
    {
        let base = &text[..bytes.len() - 6];
        let month = match bytes[bytes.len() - 3] {
            b'H' => Month::March,
            b'M' => Month::June,
            b'U' => Month::September,
            b'Z' => Month::December,
            other => {
                return Err(format!(
                    "{name}: month code '{}' must be H, M, U or Z",
                    other as char
                ))
            }
        };
        let year = 2000 + text[bytes.len() - 2..].parse::<i32>().unwrap_or(0);
        let expiry = last_friday(year, month)
            .map(at_expiry_hour)
            .ok_or_else(|| format!("{name}: no such expiry"))?;
        return make(
            base,
            Kind::Future { expiry },
            Settlement::Inverse,
            SizeUnit::Usd,
        );
    }
    Ok(None)
}

fn last_friday(year: i32, month: Month) -> Option<Date> {
    let mut day = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    while day.weekday() != Weekday::Friday {
        day = day.previous_day()?;
    }
    Some(day)
}
