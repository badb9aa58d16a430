//! The search: successive linear programs on the margin engine's own figures (see the
//! parent module).

use super::*;
use crate::account::{Account, Collateral};
use crate::analyze::{net_into, same_contract};
use crate::margin::MarginModel;
use crate::rebalance::lp::{cheapest_within, Row};
use crate::valuation::{Leg, Model};

/// A leg `k` times as large (its entry unchanged).
pub(super) fn scaled(leg: &Leg, k: f64) -> Leg {
    let mut leg = leg.clone();
    leg.quantity *= k;
    match &mut leg.model {
        Model::Option(o) => o.coins *= k,
        Model::InverseFuture { notional, .. } => *notional *= k,
        Model::LinearFuture { coins, .. } | Model::Spot { coins, .. } => *coins *= k,
        Model::Settled { .. } => {}
    }
    leg
}

/// The trade legs and the collateral after their premiums and fees, for `units` of each
/// direction on underlying `only` (every underlying when `None`).
pub(super) fn trades_at(
    collateral: &[Collateral],
    directions: &[Direction],
    units: &[f64],
    only: Option<&str>,
) -> (Vec<Leg>, Vec<Collateral>) {
    let mut legs = Vec::new();
    let mut paid = collateral.to_vec();
    for (d, u) in directions.iter().zip(units) {
        if *u <= 0.0 || only.is_some_and(|o| o != d.leg.underlying) {
            continue;
        }
        legs.push(scaled(&d.leg, *u));
        paid.push(Collateral {
            amount: d.debit.amount * u,
            ..d.debit.clone()
        });
    }
    (legs, paid)
}

/// Units per direction, and notes on how they were found.
pub(super) type Found = (Vec<f64>, Vec<String>);

/// What the search works on: the goals, the bands, the book and the directions it may trade.
pub(super) struct Problem<'p> {
    pub(super) goals: &'p [Goal],
    pub(super) bands: &'p [Row],
    pub(super) legs: &'p [Leg],
    pub(super) collateral: &'p [Collateral],
    pub(super) model: &'p MarginModel,
    pub(super) directions: &'p [Direction],
}

impl Problem<'_> {
    /// The goals' values with `units` traded on `book`: the whole account (`None`), or only
    /// `underlying`'s positions and the collateral, which differs from the whole by a constant (the
    /// account is a sum over underlyings), so differences of it are the whole's.
    fn values(&self, book: &[&Leg], units: &[f64], underlying: Option<&str>) -> Vec<f64> {
        let (goals, collateral, model, directions) =
            (self.goals, self.collateral, self.model, self.directions);
        let (trades, paid) = trades_at(collateral, directions, units, underlying);
        // Trades on contracts held change those positions (see `combine`).
        let mut kept: Vec<&Leg> = book.to_vec();
        let mut owned: Vec<Leg> = Vec::new();
        for trade in trades {
            if let Some(i) = kept.iter().position(|held| same_contract(held, &trade)) {
                let mut merged = kept.swap_remove(i).clone();
                net_into(&mut merged, &trade);
                owned.push(merged);
            } else if let Some(held) = owned.iter_mut().find(|held| same_contract(held, &trade)) {
                net_into(held, &trade);
            } else {
                owned.push(trade);
            }
        }
        let account = Account::new(kept.into_iter().chain(&owned), &paid, model);
        goals.iter().map(|g| g.value(&account)).collect()
    }

    /// The cheapest units meeting every goal and band, or why none were found (see the module's
    /// description), with notes on how the answer was reached.
    pub(super) fn search(&self, max_trades: usize) -> Result<Found, String> {
        let directions = self.directions;
        let mut allowed = vec![true; directions.len()];
        let mut notes = Vec::new();
        loop {
            let units = self.successive(&allowed)?;
            let mut used: Vec<(usize, f64)> = Vec::new();
            for (d, u) in directions.iter().zip(&units) {
                if *u > 1e-9 {
                    match used.iter_mut().find(|(c, _)| *c == d.candidate) {
                        Some((_, cost)) => *cost += u * d.cost_usd,
                        None => used.push((d.candidate, u * d.cost_usd)),
                    }
                }
            }
            if used.len() <= max_trades {
                return Ok((units, notes));
            }
            // Keep the trades that cost most (they do most of the work), drop the rest, solve again.
            used.sort_by(|a, b| b.1.total_cmp(&a.1));
            let keep: Vec<usize> = used.iter().take(max_trades).map(|(c, _)| *c).collect();
            for (d, a) in directions.iter().zip(allowed.iter_mut()) {
                *a = keep.contains(&d.candidate);
            }
            notes.push(format!(
            "{} candidates were needed; solved again with the {max_trades} that cost most (maxTrades)",
            used.len()
        ));
        }
    }

    /// Successive linear programs over the `allowed` directions (see the parent module): each goal's
    /// tangent rows (kept from every point tried under a scenario model, the newest alone under
    /// per-position rules) with an elastic shortfall priced far above any trade's cost, and the
    /// bands; the program's answer is valued on the engine and the search stops at the first that
    /// meets every goal; else the best point (by cost plus priced shortfall) scaled up.
    fn successive(&self, allowed: &[bool]) -> Result<Vec<f64>, String> {
        let (goals, bands, legs, model, directions) = (
            self.goals,
            self.bands,
            self.legs,
            self.model,
            self.directions,
        );
        let n = directions.len();
        let m = goals.len();
        let costs: Vec<f64> = directions.iter().map(|d| d.cost_usd).collect();
        let max: Vec<f64> = directions
            .iter()
            .zip(allowed)
            .map(|(d, a)| if *a { d.max_units } else { 0.0 })
            .collect();
        let all: Vec<&Leg> = legs.iter().collect();
        let mut underlyings: Vec<&str> = directions
            .iter()
            .map(|d| d.leg.underlying.as_str())
            .collect();
        underlyings.sort_unstable();
        underlyings.dedup();
        let books: Vec<(&str, Vec<&Leg>)> = underlyings
            .iter()
            .map(|u| (*u, legs.iter().filter(|l| l.underlying == *u).collect()))
            .collect();
        // The price of a USD of shortfall: far above any trade's cost per USD it buys.
        let price = 1e4 * costs.iter().fold(1.0f64, |a, c| a.max(*c));
        let shortfall = |values: &[f64]| values.iter().map(|v| (-v).max(0.0)).sum::<f64>();
        let cost_of = |x: &[f64]| x.iter().zip(&costs).map(|(x, c)| x * c).sum::<f64>();
        let merit = |x: &[f64], values: &[f64]| cost_of(x) + price * shortfall(values);

        let keep_tangents = !matches!(model, MarginModel::Standard(_));
        let mut units = vec![0.0; n];
        let mut values = self.values(&all, &units, None);
        let mut best = units.clone();
        let mut best_values = values.clone();
        let mut rows: Vec<Row> = Vec::new();
        for _ in 0..ITERATIONS {
            {
                // Each goal's slope along each direction: forward differences, each underlying alone.
                let mut slopes = vec![vec![0.0; n + m]; m];
                for (u, book) in &books {
                    let base = self.values(book, &units, Some(u));
                    for (d, dir) in directions.iter().enumerate() {
                        if dir.leg.underlying != *u || max[d] == 0.0 {
                            continue;
                        }
                        let step = (0.25 * units[d]).max(1.0).min(max[d] - units[d]).max(1e-6);
                        let mut moved = units.clone();
                        moved[d] += step;
                        let shifted = self.values(book, &moved, Some(u));
                        for g in 0..m {
                            slopes[g][d] = (shifted[g] - base[g]) / step;
                        }
                    }
                }
                // Under a scenario model (a maximum of scenario losses, convex in the sizes) every
                // goal is concave, so the tangents of every point tried so far bound it from above
                // and stay; under per-position rules only the newest are kept.
                if !keep_tangents {
                    rows.clear();
                }
                rows.extend((0..m).map(|g| {
                    let at: f64 = slopes[g].iter().zip(&units).map(|(s, x)| s * x).sum();
                    let mut coefficients = slopes[g].clone();
                    // The goal's elastic shortfall.
                    coefficients[n + g] = 1.0;
                    Row::at_least(coefficients, at - values[g])
                }));
            }
            let bounds: Vec<(f64, f64)> = max
                .iter()
                .map(|hi| (0.0, *hi))
                .chain(std::iter::repeat_n((0.0, f64::INFINITY), m))
                .collect();
            let mut var_costs = costs.clone();
            var_costs.extend(std::iter::repeat_n(price, m));
            let program: Vec<Row> = rows
                .iter()
                .cloned()
                .chain(bands.iter().map(|b| {
                    Row {
                        coefficients: b
                            .coefficients
                            .iter()
                            .copied()
                            .chain(std::iter::repeat_n(0.0, m))
                            .collect(),
                        ..b.clone()
                    }
                }))
                .collect();
            let next = cheapest_within(&var_costs, &bounds, &program).map_err(|e| e.to_string())?;
            let next: Vec<f64> = next[..n].to_vec();
            if m == 0 {
                // Greek bands alone: linear, so the program's answer is exact.
                return Ok(next);
            }
            let step = next
                .iter()
                .zip(&units)
                .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
            let trial = self.values(&all, &next, None);
            if trial.iter().all(|v| *v >= 0.0) {
                return Ok(next);
            }
            if merit(&next, &trial) < merit(&best, &best_values) {
                best = next.clone();
                best_values = trial.clone();
            }
            let unchanged = step <= 1e-9 * (1.0 + units.iter().fold(0.0f64, |a, x| a.max(*x)));
            units = next;
            values = trial;
            if unchanged {
                break;
            }
        }
        // Not met within the programs: the best point scaled up, if that meets them.
        for scale in [1.05, 1.1, 1.25, 1.5, 2.0, 3.0] {
            let trial: Vec<f64> = best
                .iter()
                .zip(&max)
                .map(|(u, m)| (u * scale).min(*m))
                .collect();
            let values = self.values(&all, &trial, None);
            let bands_hold = bands.iter().all(|b| {
                let v = b.value(&trial);
                v >= b.lower - 1e-9 * b.lower.abs().max(1.0)
                    && v <= b.upper + 1e-9 * b.upper.abs().max(1.0)
            });
            if values.iter().all(|v| *v >= 0.0) && bands_hold {
                return Ok(trial);
            }
        }
        Err(format!(
        "no trades meeting every target were found within {ITERATIONS} linear programs on these candidates"
    ))
    }
}
