//! The candidates: the request's list or `auto`, each read as a book row, priced (mid ±
//! half-spread), its fee, lot and buy and sell directions; the Greek bands as rows over them.

use super::*;
use crate::account::Collateral;
use crate::analyze::{pay_premium, value_rows};
use crate::calendar::expiry_code;
use crate::figure::Figure;
use crate::input::{read_book, Book, PositionRow, PositionsInput};
use crate::instrument::{Kind, Settlement, Venue};
use crate::margin::StandardMargin;
use crate::market::Market;
use crate::rebalance::lp::Row;
use crate::rebalance::*;
use crate::valuation::{Leg, LegGreeks, Model};
use std::collections::BTreeMap;

/// The instruments to consider: the request's list, or `auto` — every live instrument the book
/// holds, each underlying's perpetual on the book's venue, and (Deribit) options at round strikes
/// around the index on the expiries the book holds.
pub(super) fn candidate_requests(
    req: &RebalanceRequest,
    book: &Book,
    market: &Market,
) -> (Vec<CandidateRequest>, Vec<String>) {
    let mut notes = Vec::new();
    let list = match &req.candidates {
        Candidates::List(list) => list.clone(),
        Candidates::Auto(_) => {
            let mut names: Vec<String> = Vec::new();
            let mut push = |name: String| {
                if !names.contains(&name) {
                    names.push(name);
                }
            };
            let live =
                |r: &&PositionRow| r.instrument.expiry().is_none_or(|e| e > market.valuation);
            let mut held: BTreeMap<String, (Option<f64>, Option<f64>)> = BTreeMap::new();
            for row in book.rows.iter().filter(live) {
                push(row.instrument.name.clone());
                held.entry(row.instrument.name.clone())
                    .or_insert((row.iv, row.mark));
            }
            let mut underlyings: Vec<(String, Venue, Settlement)> = Vec::new();
            for row in &book.rows {
                let key = (
                    row.instrument.underlying.clone(),
                    row.instrument.venue,
                    row.instrument.settlement,
                );
                if row.instrument.settlement != Settlement::Spot && !underlyings.contains(&key) {
                    underlyings.push(key);
                }
            }
            for (u, venue, settlement) in &underlyings {
                if let Some(name) = perpetual(u, *venue, *settlement) {
                    push(name);
                }
            }
            let mut expiries: Vec<(String, time::OffsetDateTime)> = Vec::new();
            for row in book.rows.iter().filter(live) {
                if let (Kind::Option { expiry, .. }, Venue::Deribit) =
                    (row.instrument.kind, row.instrument.venue)
                {
                    let key = (row.instrument.underlying.clone(), expiry);
                    if !expiries.contains(&key) {
                        expiries.push(key);
                    }
                }
            }
            for (u, expiry) in &expiries {
                let Some(index) = market.index(u) else {
                    continue;
                };
                let step = 10f64.powi(index.log10().floor() as i32 - 1);
                for (m, kind) in [
                    (0.8, 'P'),
                    (0.9, 'P'),
                    (1.0, 'P'),
                    (1.0, 'C'),
                    (1.1, 'C'),
                    (1.2, 'C'),
                ] {
                    let strike = (index * m / step).round() * step;
                    push(format!(
                        "{u}-{}-{}-{kind}",
                        expiry_code(expiry.date()),
                        Figure(strike)
                    ));
                }
            }
            if names.len() > AUTO_LIMIT {
                notes.push(format!(
                    "auto candidates: the first {AUTO_LIMIT} of {} (the book's instruments first)",
                    names.len()
                ));
                names.truncate(AUTO_LIMIT);
            }
            notes.push(
                "auto candidates: the book's instruments, each underlying's perpetual and options \
                 at round strikes (0.8–1.2 × the index) on the book's Deribit expiries; the venue's \
                 listed strikes are not known offline"
                    .into(),
            );
            names
                .into_iter()
                .map(|instrument| CandidateRequest {
                    // A held instrument trades at the book's own mark and IV.
                    price: held.get(&instrument).and_then(|h| h.1),
                    iv: held.get(&instrument).and_then(|h| h.0),
                    instrument,
                    half_spread: None,
                    lot: None,
                    max_size: None,
                    side: None,
                })
                .collect()
        }
    };
    (list, notes)
}

/// The perpetual of an underlying on a venue, by that venue's naming.
pub(super) fn perpetual(u: &str, venue: Venue, settlement: Settlement) -> Option<String> {
    Some(match (venue, settlement) {
        (Venue::Deribit, Settlement::Inverse) => format!("{u}-PERPETUAL"),
        (Venue::Deribit, _) => format!("{u}_USDC-PERPETUAL"),
        (Venue::Binance | Venue::Bybit, _) => format!("{u}USDT"),
        (Venue::Okx, _) => format!("{u}-USDT-SWAP"),
        (Venue::Hyperliquid, _) => u.to_string(),
        (Venue::Dydx, _) => format!("{u}-USD"),
        (Venue::Derive, _) => format!("{u}-PERP"),
    })
}

/// Reads each candidate as a book row, prices it (mid ± half-spread) and makes its buy and sell
/// directions. Candidates that cannot be read or valued are listed with the reason.
pub(super) fn read_candidates(
    wanted: &[CandidateRequest],
    venue: Option<Venue>,
    market: &Market,
    margin: &StandardMargin,
    costs: &Costs,
) -> (Vec<Candidate>, Vec<Direction>, Vec<String>) {
    let mut candidates = Vec::new();
    let mut directions = Vec::new();
    let mut rejected = Vec::new();
    for want in wanted {
        let line = |size: f64, entry: Option<f64>| {
            let mut text = format!(
                "instrument,size,entry,iv\n{},{}",
                want.instrument,
                Figure(size)
            );
            text.push(',');
            if let Some(p) = entry {
                text.push_str(&Figure(p).to_string());
            }
            text.push(',');
            if let Some(iv) = want.iv {
                text.push_str(&Figure(iv * 100.0).to_string());
            }
            let book = read_book(&PositionsInput::Text(text), venue);
            let (rows, legs, errors) = value_rows(&book, market);
            match (errors.first(), rows.first(), legs.into_iter().next()) {
                (Some(e), _, _) => Err(e.message.clone()),
                (None, Some(row), Some(leg)) => Ok(((*row).clone(), leg)),
                _ => Err("could not be read".to_string()),
            }
        };
        let name = crate::calendar::clip(&want.instrument);
        let (row, unit) = match line(1.0, None) {
            Ok(x) => x,
            Err(m) => {
                rejected.push(format!("{name}: {m}"));
                continue;
            }
        };
        if unit.is_expired() || matches!(unit.model, Model::Settled { .. } | Model::Spot { .. }) {
            rejected.push(format!("{name}: not a live derivative"));
            continue;
        }
        let instrument = &row.instrument;
        let is_option = unit.option().is_some();
        let inverse = unit.option().is_some_and(|o| o.inverse)
            || matches!(unit.model, Model::InverseFuture { .. });
        let mark = unit.state(1.0, margin).mark;
        let mid = want.price.unwrap_or(mark);
        let half = want.half_spread.unwrap_or(if is_option {
            costs.option_half_spread * mid
        } else {
            costs.future_half_spread * mid
        });
        let coins_per_size = unit.quantity.abs();
        if !(mid.is_finite()
            && mid >= 0.0
            && half.is_finite()
            && half >= 0.0
            && coins_per_size > 0.0)
        {
            rejected.push(format!("{name}: no usable price"));
            continue;
        }
        let unit_size = UNIT_NOTIONAL / (coins_per_size * unit.index);
        let lot = want
            .lot
            .filter(|l| *l > 0.0)
            .unwrap_or_else(|| default_lot(instrument));
        let prices = [mid + half, (mid - half).max(0.0)];
        let c = candidates.len();
        let mut ok = true;
        let mut made = Vec::new();
        let mut fee_per_size = [0.0; 2];
        let mut half_per_size = 0.0;
        for (k, sign) in [1.0, -1.0].into_iter().enumerate() {
            let allowed = match want.side.as_deref().unwrap_or("both") {
                "buy" => sign > 0.0,
                "sell" => sign < 0.0,
                _ => true,
            };
            if !allowed {
                continue;
            }
            let Ok((row, leg)) = line(sign * unit_size, Some(prices[k])) else {
                ok = false;
                break;
            };
            let coins = unit.quantity.abs() * unit_size;
            // Premium (options) in the settlement currency, USD.
            let premium_usd = if is_option {
                let (_, usd) = pay_premium(&[], &[&row], std::slice::from_ref(&leg), margin);
                usd
            } else {
                0.0
            };
            let fee_usd = if is_option {
                (costs.option_fee * coins * unit.index).min(
                    costs.option_fee_cap
                        * prices[k]
                        * coins
                        * if inverse { unit.index } else { 1.0 },
                )
            } else {
                costs.future_fee * coins * mid
            };
            // Half the spread, USD: options' price is per coin (in coin when inverse), futures'
            // in USD per coin.
            let half_usd = half
                * coins
                * if inverse && is_option {
                    unit.index
                } else {
                    1.0
                };
            fee_per_size[k] = fee_usd / unit_size;
            half_per_size = half_usd / unit_size;
            let debit_usd = premium_usd + fee_usd;
            let debit = if inverse {
                Collateral {
                    currency: leg.underlying.clone(),
                    amount: -debit_usd / leg.index,
                    price: leg.index,
                    underlying: Some(leg.underlying.clone()),
                }
            } else {
                Collateral {
                    currency: "USDC".into(),
                    amount: -debit_usd,
                    price: 1.0,
                    underlying: None,
                }
            };
            let max_units = want
                .max_size
                .filter(|m| *m >= 0.0)
                .map_or(f64::INFINITY, |m| m / unit_size);
            made.push(Direction {
                candidate: c,
                sign,
                leg,
                debit,
                cost_usd: half_usd + fee_usd,
                max_units,
            });
        }
        if !ok {
            rejected.push(format!("{name}: its trade price could not be used"));
            continue;
        }
        directions.extend(made);
        candidates.push(Candidate {
            name: instrument.name.clone(),
            unit_size,
            size_unit: instrument.size_unit_name(),
            price_unit: if inverse && is_option { "coin" } else { "USD" },
            lot,
            prices,
            code: row_code(&row),
            half_usd: half_per_size,
            fee_usd: fee_per_size,
            price_usd: prices.map(|p| {
                if inverse && is_option {
                    p * unit.index
                } else {
                    p
                }
            }),
            coin: inverse.then(|| (unit.underlying.clone(), unit.index)),
            kind: instrument.kind,
            settlement: instrument.settlement,
        });
    }
    (candidates, directions, rejected)
}

/// The smallest size a venue takes, where the candidate gives none: Deribit's (BTC options
/// 0.1, ETH options 1, futures 10 USD), else 0.001 of a coin, 1 contract, or 1 USD.
pub(super) fn default_lot(instrument: &crate::instrument::Instrument) -> f64 {
    use crate::instrument::SizeUnit;
    match (instrument.venue, instrument.kind, instrument.size_unit) {
        (Venue::Deribit, Kind::Option { .. }, SizeUnit::Coin) if instrument.underlying == "BTC" => {
            0.1
        }
        (Venue::Deribit, Kind::Option { .. }, SizeUnit::Coin) => 1.0,
        (Venue::Deribit, _, SizeUnit::Usd) => 10.0,
        (_, _, SizeUnit::Coin) => 0.001,
        (_, _, SizeUnit::Usd) => 1.0,
        (_, _, SizeUnit::Contracts { .. } | SizeUnit::UsdContracts { .. }) => 1.0,
    }
}

/// The Greek bands as rows over the directions: `low − book ≤ Σ x_d·greek_d ≤ high − book`.
pub(super) fn band_rows(
    t: &Targets,
    legs: &[Leg],
    codes: &[Option<String>],
    collateral: &[Collateral],
    directions: &[Direction],
    candidates: &[Candidate],
) -> Vec<Row> {
    let mut rows = Vec::new();
    type Greek<'g> = &'g dyn Fn(&Leg, Option<&str>, &str) -> f64;
    let mut add = |bands: &BTreeMap<String, (f64, f64)>, greek: Greek, debit_delta: bool| {
        for (key, (lo, hi)) in bands {
            let book: f64 = legs
                .iter()
                .zip(codes)
                .map(|(l, c)| greek(l, c.as_deref(), key))
                .sum::<f64>()
                + if debit_delta {
                    collateral
                        .iter()
                        .filter(|c| c.underlying.as_deref() == Some(key.as_str()))
                        .map(|c| c.amount)
                        .sum::<f64>()
                } else {
                    0.0
                };
            let coefficients = directions
                .iter()
                .map(|d| {
                    greek(&d.leg, candidates[d.candidate].code.as_deref(), key)
                        + if debit_delta && d.debit.underlying.as_deref() == Some(key.as_str()) {
                            d.debit.amount
                        } else {
                            0.0
                        }
                })
                .collect();
            rows.push(Row {
                coefficients,
                lower: lo - book,
                upper: hi - book,
            });
        }
    };
    let of = |l: &Leg, code: Option<&str>, key: &str, f: fn(&LegGreeks) -> f64| -> f64 {
        if bucket_matches(&l.underlying, code, key) {
            f(&l.greeks())
        } else {
            0.0
        }
    };
    add(&t.delta, &|l, c, k| of(l, c, k, |g| g.delta), true);
    add(&t.gamma, &|l, c, k| of(l, c, k, |g| g.gamma), false);
    add(&t.vega, &|l, c, k| of(l, c, k, |g| g.vega), false);
    add(&t.vanna, &|l, c, k| of(l, c, k, |g| g.vanna), false);
    rows
}

/// Whether a position of `underlying` expiring on `code` belongs to a band's key: its underlying
/// (`BTC`) or its underlying's expiry (`BTC-27MAR26`).
pub(super) fn bucket_matches(underlying: &str, code: Option<&str>, key: &str) -> bool {
    match key.split_once('-') {
        None => underlying == key,
        Some((u, k)) => underlying == u && code.is_some_and(|c| c.eq_ignore_ascii_case(k)),
    }
}

/// The expiry code (`27MAR26`) of a row's instrument, if it expires.
pub(super) fn row_code(row: &PositionRow) -> Option<String> {
    row.instrument.expiry().map(|e| expiry_code(e.date()))
}
