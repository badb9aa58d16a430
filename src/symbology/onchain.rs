//! The on-chain venues' names (venue-margin.md): Hyperliquid's perpetuals are named by their coin
//! alone (`BTC`, as its API and screen say), dYdX v4's `ETH-USD`, Derive's `ETH-PERP` and
//! options `ETH-20260130-2000-C`. All are USDC-settled and sized in coins.

use super::{build, is_symbol, option_kind, parse_strike, Reading};
use crate::calendar::{at_expiry_hour, parse_yymmdd};
use crate::instrument::{Instrument, Kind, Settlement, SizeUnit, Venue};

/// Hyperliquid's perpetual of `coin` (its name is the coin's).
pub fn hyperliquid_perpetual(coin: &str) -> Instrument {
    build(
        coin,
        coin,
        Venue::Hyperliquid,
        Settlement::Linear,
        Kind::Perpetual,
        SizeUnit::Coin,
    )
}

/// dYdX v4: `ETH-USD`.
pub fn parse_dydx(name: &str) -> Reading {
    match name.split('-').collect::<Vec<_>>()[..] {
        [coin, "USD"] if is_symbol(coin) => Ok(Some(build(
            name,
            coin,
            Venue::Dydx,
            Settlement::Linear,
            Kind::Perpetual,
            SizeUnit::Coin,
        ))),
        _ => Ok(None),
    }
}

/// Derive: `ETH-PERP`, `ETH-20260130-2000-C` (expiry 08:00 UTC, as Deribit's).
pub fn parse_derive(name: &str) -> Reading {
    let make = |kind| {
        let coin = name.split('-').next().unwrap_or(name);
        build(
            name,
            coin,
            Venue::Derive,
            Settlement::Linear,
            kind,
            SizeUnit::Coin,
        )
    };
    match name.split('-').collect::<Vec<_>>()[..] {
        [coin, "PERP"] if is_symbol(coin) => Ok(Some(make(Kind::Perpetual))),
        [coin, date, strike, option]
            if is_symbol(coin) && date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) =>
        {
            // 20260130: the century dropped, the same date as Binance's 260130.
            let parsed = match date.strip_prefix("20") {
                Some(yymmdd) => parse_yymmdd(yymmdd).ok(),
                None => None,
            }
            .ok_or_else(|| format!("{name}: '{date}' is not a date (YYYYMMDD, 20xx)"))?;
            Ok(Some(make(Kind::Option {
                expiry: at_expiry_hour(parsed),
                strike: parse_strike(name, strike)?,
                option: option_kind(name, option)?,
            })))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_the_onchain_venues() {
        let dydx = parse_dydx("ETH-USD").unwrap().unwrap();
        assert_eq!((dydx.venue, dydx.kind), (Venue::Dydx, Kind::Perpetual));
        assert_eq!(dydx.underlying, "ETH");
        assert!(parse_dydx("ETH-USD-SWAP").unwrap().is_none());
        let perp = parse_derive("ETH-PERP").unwrap().unwrap();
        assert_eq!((perp.venue, perp.kind), (Venue::Derive, Kind::Perpetual));
        let call = parse_derive("ETH-20260130-2000-C").unwrap().unwrap();
        assert_eq!(call.expiry().unwrap().date().to_string(), "2026-01-30");
        assert!(parse_derive("ETH-20261330-2000-C").is_err());
        let hl = hyperliquid_perpetual("BTC");
        assert_eq!(
            (hl.venue, hl.size_unit),
            (Venue::Hyperliquid, SizeUnit::Coin)
        );
    }
}
