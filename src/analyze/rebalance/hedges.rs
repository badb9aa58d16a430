//! Greek hedges per underlying: cheapest neutral trades, the minimum-variance delta and the
//! no-trade band.

use super::*;
use crate::account::Collateral;
use crate::figure::Figure;
use crate::market::Market;
use crate::rebalance::hedge::{min_variance_delta, neutral, whalley_wilmott};
use crate::rebalance::*;
use crate::request::{Request, RequestError};
use crate::valuation::{Leg, LegGreeks};
use std::collections::BTreeMap;

/// The Greek hedges of every underlying with candidates.
#[allow(clippy::too_many_arguments)]
pub(super) fn hedges(
    h: &HedgeRequest,
    request: &Request,
    market: &Market,
    legs: &[Leg],
    collateral: &[Collateral],
    candidates: &[Candidate],
    directions: &[Direction],
    costs: &Costs,
) -> Result<Vec<HedgeReport>, RequestError> {
    let greeks: Vec<String> = h
        .neutral
        .clone()
        .unwrap_or_else(|| vec!["delta".into(), "gamma".into(), "vega".into()]);
    let pick: Vec<fn(&LegGreeks) -> f64> = greeks
        .iter()
        .map(|g| -> Result<fn(&LegGreeks) -> f64, RequestError> {
            match g.as_str() {
                "delta" => Ok(|g| g.delta),
                "gamma" => Ok(|g| g.gamma),
                "vega" => Ok(|g| g.vega),
                "vanna" => Ok(|g| g.vanna),
                other => Err(RequestError::new(
                    "rebalance.hedge.neutral",
                    format!(
                        "'{}' is not one of \"delta\", \"gamma\", \"vega\", \"vanna\"",
                        crate::calendar::clip(other)
                    ),
                )),
            }
        })
        .collect::<Result<_, _>>()?;
    let risk_aversion = h.risk_aversion.unwrap_or(1e-5);
    if !(risk_aversion > 0.0 && risk_aversion.is_finite()) {
        return Err(RequestError::new(
            "rebalance.hedge.riskAversion",
            format!("must be above 0 (per USD), got {}", Figure(risk_aversion)),
        ));
    }
    let cost_fraction = h
        .cost_fraction
        .unwrap_or(costs.future_fee + costs.future_half_spread);
    let risk = request.risk.as_ref();
    let vol_of_vol = risk.and_then(|r| r.vol_of_vol).unwrap_or(1.0);
    let spot_vol = risk.and_then(|r| r.correlation.spot_vol).unwrap_or(0.0);

    let mut underlyings: Vec<&str> = legs.iter().map(|l| l.underlying.as_str()).collect();
    underlyings.sort_unstable();
    underlyings.dedup();
    let mut out = Vec::new();
    for u in underlyings {
        let mut notes = Vec::new();
        let mine: Vec<&Leg> = legs.iter().filter(|l| l.underlying == u).collect();
        let coin: f64 = collateral
            .iter()
            .filter(|c| c.underlying.as_deref() == Some(u))
            .map(|c| c.amount)
            .sum();
        let sum = |f: fn(&LegGreeks) -> f64| mine.iter().map(|l| f(&l.greeks())).sum::<f64>();
        let delta = sum(|g| g.delta) + coin;
        let gamma = sum(|g| g.gamma);
        let book: Vec<f64> = pick
            .iter()
            .zip(&greeks)
            .map(|(f, name)| sum(*f) + if name == "delta" { coin } else { 0.0 })
            .collect();
        // Each candidate on this underlying, bought one variable unit.
        let buys: Vec<&Direction> = directions
            .iter()
            .filter(|d| d.sign > 0.0 && d.leg.underlying == u && d.max_units > 0.0)
            .collect();
        let per_unit: Vec<Vec<f64>> = buys
            .iter()
            .map(|d| {
                let g = d.leg.greeks();
                pick.iter()
                    .zip(&greeks)
                    .map(|(f, name)| {
                        f(&g)
                            + if name == "delta" && d.debit.underlying.as_deref() == Some(u) {
                                d.debit.amount
                            } else {
                                0.0
                            }
                    })
                    .collect()
            })
            .collect();
        let unit_costs: Vec<f64> = buys.iter().map(|d| d.cost_usd).collect();
        let mut trades = Vec::new();
        let mut residual: BTreeMap<String, f64> =
            greeks.iter().cloned().zip(book.iter().copied()).collect();
        let mut cost_usd = 0.0;
        if buys.is_empty() {
            notes.push("no candidate on this underlying".into());
        } else {
            match neutral(&book, &per_unit, &unit_costs) {
                Ok(n) => {
                    let mut left = book.clone();
                    for ((d, x), g) in buys.iter().zip(&n.sizes).zip(&per_unit) {
                        let cand = &candidates[d.candidate];
                        let size = (x * cand.unit_size / cand.lot).round() * cand.lot;
                        if size == 0.0 {
                            continue;
                        }
                        let units = size / cand.unit_size;
                        for (l, gk) in left.iter_mut().zip(g) {
                            *l += units * gk;
                        }
                        let t = trade_report(cand, size);
                        cost_usd += t.cost_usd;
                        trades.push(t);
                    }
                    residual = greeks.iter().cloned().zip(left).collect();
                    if n.residual
                        .iter()
                        .zip(&book)
                        .any(|(r, b)| r.abs() > 1e-9 * b.abs().max(1e-12))
                    {
                        notes.push(
                            "these candidates cannot neutralise every Greek asked: the remainder is \
                             the smallest in each Greek's own scale (least absolute deviation)"
                                .into(),
                        );
                    }
                    notes.push(
                        "sizes rounded to lots; the hedge's own premium (in coin) counts in its delta"
                            .into(),
                    );
                }
                Err(e) => notes.push(e.to_string()),
            }
        }
        let index = market.index(u).unwrap_or(0.0);
        let vol = market
            .underlying(u)
            .and_then(|m| m.vol)
            .or_else(|| market.atm_term(u).first().map(|(_, v)| *v));
        let vega_times_vol: f64 = mine
            .iter()
            .filter_map(|l| l.option().map(|o| l.greeks().vega * 100.0 * o.vol))
            .sum();
        let min_variance =
            vol.map(|s| min_variance_delta(delta, vega_times_vol, index, s, vol_of_vol, spot_vol));
        if vol.is_none() {
            notes.push(format!(
                "no vol for {u} (market.underlyings.{u}.vol): no minimum-variance delta or band"
            ));
        } else if spot_vol == 0.0 {
            notes.push(
                "spot–vol correlation 0 (risk.correlation.spotVol): the minimum-variance delta is \
                 the delta"
                    .into(),
            );
        }
        let (weight, years, rate) = mine.iter().filter_map(|l| l.option().map(|o| (l, o))).fold(
            (0.0, 0.0, 0.0),
            |(w, y, r), (l, o)| {
                let g = l.greeks().gamma.abs();
                (w + g, y + g * o.years, r + g * o.rate)
            },
        );
        let band = match (vol, min_variance) {
            (Some(s), Some(mv)) if weight > 0.0 => whalley_wilmott(
                gamma,
                index,
                s,
                cost_fraction,
                risk_aversion,
                rate / weight,
                years / weight,
            )
            .map(|b| {
                let hedged = mv;
                let inside = hedged.abs() <= b.half_width;
                BandReport {
                    half_width: b.half_width,
                    hedged_delta: hedged,
                    inside,
                    trade_coins: if inside {
                        0.0
                    } else {
                        -(hedged - hedged.signum() * b.half_width)
                    },
                    expected_cost_usd_per_day: b.cost_per_year / 365.0,
                    cost_fraction,
                    risk_aversion,
                }
            }),
            _ => None,
        };
        out.push(HedgeReport {
            underlying: u.to_string(),
            greeks: greeks.clone(),
            trades,
            residual,
            cost_usd,
            delta,
            min_variance_delta: min_variance,
            band,
            notes,
        });
    }
    Ok(out)
}
