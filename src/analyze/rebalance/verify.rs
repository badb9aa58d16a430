//! The answer re-valued as the what-if values it, and each target before and after.

use super::*;
use crate::account::Collateral;
use crate::analyze::what_if_account;
use crate::calendar::expiry_code;
use crate::figure::Figure;
use crate::input::PositionsInput;
use crate::margin::{MarginModel, StandardMargin};
use crate::market::Market;
use crate::rebalance::*;
use crate::request::{Request, RequestError};
use crate::valuation::{Leg, LegGreeks};
use std::collections::BTreeMap;

/// What the what-if makes of the trades, and the account it re-values.
pub(super) struct Verification {
    pub(super) what_if: crate::report::WhatIfReport,
    /// The book's legs and the trades', with their expiry codes.
    pub(super) legs: Vec<Leg>,
    pub(super) codes: Vec<Option<String>>,
    pub(super) collateral: Vec<Collateral>,
}

/// The trades (candidate, signed size) re-valued as the what-if values them, with their fees
/// taken from the collateral.
#[allow(clippy::too_many_arguments)]
pub(super) fn verify(
    trades: &[(usize, f64)],
    candidates: &[Candidate],
    request: &Request,
    market: &Market,
    legs: &[Leg],
    codes: &[Option<String>],
    collateral: &[Collateral],
    model: &MarginModel,
    margin: &StandardMargin,
) -> Result<Verification, RequestError> {
    let text = what_if_lines(trades, candidates);
    let fees = fee_collateral(trades, candidates);
    let input = PositionsInput::Text(text);
    let w = what_if_account(
        &input, request, market, legs, collateral, &fees, model, margin,
    )?;
    // The codes of the combined legs: the book's, then each trade's not netted into a position.
    let mut all_codes = codes.to_vec();
    all_codes.extend(
        w.added_expiries
            .iter()
            .map(|e| e.map(|e| expiry_code(e.date()))),
    );
    Ok(Verification {
        what_if: w.report,
        legs: w.legs,
        codes: all_codes,
        collateral: w.collateral,
    })
}

/// The trades' fees as collateral taken, in the currency the search took them in (the
/// settlement coin, or USDC).
pub(super) fn fee_collateral(trades: &[(usize, f64)], candidates: &[Candidate]) -> Vec<Collateral> {
    trades
        .iter()
        .map(|(c, size)| {
            let fee = fee_usd(&candidates[*c], *size);
            match &candidates[*c].coin {
                Some((coin, index)) => Collateral {
                    currency: coin.clone(),
                    amount: -fee / index,
                    price: *index,
                    underlying: Some(coin.clone()),
                },
                None => Collateral {
                    currency: "USDC".into(),
                    amount: -fee,
                    price: 1.0,
                    underlying: None,
                },
            }
        })
        .collect()
}

/// `instrument,size,entry` lines of the trades.
pub(super) fn what_if_lines(trades: &[(usize, f64)], candidates: &[Candidate]) -> String {
    let mut text = String::from("instrument,size,entry");
    for (c, size) in trades {
        let cand = &candidates[*c];
        let price = if *size > 0.0 {
            cand.prices[0]
        } else {
            cand.prices[1]
        };
        text.push_str(&format!(
            "\n{},{},{}",
            cand.name,
            Figure(*size),
            Figure(price)
        ));
    }
    text
}

/// A trade as the report lists it.
pub(super) fn trade_report(cand: &Candidate, size: f64) -> TradeReport {
    let k = usize::from(size < 0.0);
    TradeReport {
        instrument: cand.name.clone(),
        side: if size > 0.0 { "buy" } else { "sell" },
        size: size.abs(),
        size_unit: cand.size_unit,
        price: cand.prices[k],
        price_unit: cand.price_unit,
        price_usd: cand.price_usd[k],
        cost_usd: size.abs() * (cand.half_usd + cand.fee_usd[k]),
    }
}

/// The fee of a trade, USD.
pub(super) fn fee_usd(cand: &Candidate, size: f64) -> f64 {
    size.abs() * cand.fee_usd[usize::from(size < 0.0)]
}

/// A Greek summed over legs of a band's key, with (delta) the coin collateral of its underlying.
pub(super) fn greek_sum(
    legs: &[Leg],
    codes: &[Option<String>],
    collateral: &[Collateral],
    key: &str,
    greek: fn(&LegGreeks) -> f64,
    with_collateral: bool,
) -> f64 {
    legs.iter()
        .zip(codes)
        .filter(|(l, c)| bucket_matches(&l.underlying, c.as_deref(), key))
        .map(|(l, _)| greek(&l.greeks()))
        .sum::<f64>()
        + if with_collateral {
            collateral
                .iter()
                .filter(|c| c.underlying.as_deref() == Some(key))
                .map(|c| c.amount)
                .sum::<f64>()
        } else {
            0.0
        }
}

/// The nearest distance to liquidation of an underlying (fraction), `None` when none within the
/// search either way.
pub(super) fn nearest(s: &crate::report::SnapshotUnderlying) -> Option<f64> {
    match (s.down.map(|d| -d), s.up) {
        (Some(d), Some(u)) => Some(d.min(u) + 0.0),
        (a, b) => a.or(b).map(|x| x + 0.0),
    }
}

/// Each target before and after the trades.
#[allow(clippy::too_many_arguments)]
pub(super) fn target_reports(
    t: &Targets,
    before_legs: (&[Leg], &[Option<String>], &[Collateral]),
    after_legs: (&[Leg], &[Option<String>], &[Collateral]),
    before: &crate::report::AccountSnapshot,
    after: &crate::report::AccountSnapshot,
) -> Vec<TargetReport> {
    // A small tolerance for the arithmetic of the re-valuation (the engine's own figures).
    let at_least =
        |v: Option<f64>, low: f64| v.is_some_and(|v| v >= low - 1e-9 * low.abs().max(1.0));
    let mut out = Vec::new();
    if let Some(h) = t.headroom_usd {
        out.push(TargetReport {
            target: "headroomUsd".into(),
            low: Some(h),
            high: None,
            unit: "USD",
            before: Some(before.headroom_usd),
            after: Some(after.headroom_usd),
            met: at_least(Some(after.headroom_usd), h),
        });
    }
    if let Some(u) = t.max_mm_usage {
        out.push(TargetReport {
            target: "maxMmUsage".into(),
            low: None,
            high: Some(u),
            unit: "fraction",
            before: before.mm_usage,
            after: after.mm_usage,
            met: after.mm_usage.is_some_and(|m| m <= u + 1e-12),
        });
    }
    if let Some(d) = t.liquidation_distance {
        for (u, s) in &after.underlyings {
            let then = nearest(s);
            out.push(TargetReport {
                target: format!("liquidationDistance {u}"),
                low: Some(d),
                high: None,
                unit: "fraction of the index",
                before: before.underlyings.get(u).and_then(nearest),
                after: then,
                // None: no liquidation within the searched range either way.
                met: then.is_none_or(|x| x >= d - 1e-9),
            });
        }
    }
    type Bands<'b> = &'b BTreeMap<String, (f64, f64)>;
    type Group<'b> = (
        &'b str,
        Bands<'b>,
        fn(&LegGreeks) -> f64,
        bool,
        &'static str,
    );
    let groups: [Group; 4] = [
        ("delta", &t.delta, |g| g.delta, true, "coins"),
        ("gamma", &t.gamma, |g| g.gamma, false, "coins per USD"),
        ("vega", &t.vega, |g| g.vega, false, "USD per vol point"),
        ("vanna", &t.vanna, |g| g.vanna, false, "coins per vol point"),
    ];
    for (name, bands, greek, with_collateral, unit) in groups {
        for (key, (lo, hi)) in bands {
            let value = |(legs, codes, coll): (&[Leg], &[Option<String>], &[Collateral])| {
                greek_sum(legs, codes, coll, key, greek, with_collateral)
            };
            let then = value(after_legs);
            let slack = 1e-9 * lo.abs().max(hi.abs()).max(1e-12);
            out.push(TargetReport {
                target: format!("{name} {key}"),
                low: Some(*lo),
                high: Some(*hi),
                unit,
                before: Some(value(before_legs)),
                after: Some(then),
                met: then >= lo - slack && then <= hi + slack,
            });
        }
    }
    out
}

/// Whether a met target ends close to its bound compared with how far the trades moved it.
pub(super) fn ends_at_bound(r: &TargetReport) -> bool {
    let (Some(before), Some(after)) = (r.before, r.after) else {
        return false;
    };
    let moved = (after - before).abs();
    [r.low, r.high]
        .into_iter()
        .flatten()
        .any(|bound| (after - bound).abs() <= 0.1 * moved + 1e-9 * bound.abs().max(1e-12))
}
