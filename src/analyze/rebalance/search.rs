//! The search: successive linear programs on the margin engine's own figures (see the
//! parent module).

use super::*;
use crate::account::{Account, Collateral};
use crate::analyze::{net_into, same_contract};
use crate::margin::MarginModel;
use crate::rebalance::lp::{cheapest_within, Row};
use crate::valuation::Leg;

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
        legs.push(d.leg.scaled(*u));
        paid.push(Collateral {
            amount: d.debit.amount * u,
            ..d.debit.clone()
        });
    }
    (legs, paid)
}

/// How far inside each goal's bound the programs aim at first, USD.
pub(super) const AIM_USD: f64 = 0.01;
/// A forward difference's step, as a fraction of the variable's units (at least one unit, at most
/// half the trust region).
const STEP: f64 = 0.25;

/// Units per variable, notes on how they were found, and the method that found them.
pub(super) type Found = (Vec<f64>, Vec<String>, Method);

/// One variable of the search: units of one direction of a candidate, or of a collateral move.
pub(super) struct Variable {
    /// The candidate it trades (`None`: a collateral move, which `maxTrades` does not count).
    pub(super) candidate: Option<usize>,
    /// The underlying it changes alone, when the account is a sum over underlyings.
    pub(super) underlying: Option<String>,
    /// USD per unit.
    pub(super) cost_usd: f64,
    pub(super) max_units: f64,
}

impl Variable {
    pub(super) fn of(d: &Direction) -> Variable {
        Variable {
            candidate: Some(d.candidate),
            underlying: Some(d.leg.underlying.clone()),
            cost_usd: d.cost_usd,
            max_units: d.max_units,
        }
    }
}

/// The goals' values (`≥ 0` when met) as functions of the variables' units.
pub(super) trait Goals {
    /// The values with `units`: on the whole account (`None`), or on `underlying`'s part alone,
    /// which differs from the whole by a constant (so differences of it are the whole's); a
    /// valuation that cannot split the account values the whole for every `underlying`.
    fn values(&self, units: &[f64], underlying: Option<&str>) -> Vec<f64>;
    /// How many goals there are.
    fn count(&self) -> usize;
    /// Whether each goal is concave in the units (a scenario model), so that every tangent plane
    /// tried bounds it from above and can be kept.
    fn concave(&self) -> bool;
    /// The goals as one linear program (see [`super::exact`]), aiming `aim` USD inside every
    /// bound, where the margin model allows it.
    fn exact(&self, _aim: f64) -> Option<Exact> {
        None
    }
}

/// One account under its margin model, with trades of `directions`.
pub(super) struct AccountGoals<'p> {
    pub(super) goals: &'p [Goal],
    pub(super) legs: &'p [Leg],
    pub(super) collateral: &'p [Collateral],
    pub(super) model: &'p MarginModel,
    pub(super) directions: &'p [Direction],
}

impl Goals for AccountGoals<'_> {
    fn values(&self, units: &[f64], underlying: Option<&str>) -> Vec<f64> {
        let (trades, paid) = trades_at(self.collateral, self.directions, units, underlying);
        // Trades on contracts held change those positions (see `combine`).
        let mut kept: Vec<&Leg> = self
            .legs
            .iter()
            .filter(|l| underlying.is_none_or(|u| l.underlying == u))
            .collect();
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
        let account = Account::new(kept.into_iter().chain(&owned), &paid, self.model);
        self.goals.iter().map(|g| g.value(&account)).collect()
    }

    fn count(&self) -> usize {
        self.goals.len()
    }

    fn concave(&self) -> bool {
        !matches!(self.model, MarginModel::Standard(_))
    }

    fn exact(&self, aim: f64) -> Option<Exact> {
        self.exact_program(aim)
    }
}

/// What the search works on: the goals, the bands (rows over the variables) and the variables.
pub(super) struct Problem<'p> {
    pub(super) goals: &'p dyn Goals,
    pub(super) bands: &'p [Row],
    pub(super) variables: &'p [Variable],
    /// How far inside each goal's bound the programs aim, USD; an answer is taken when every
    /// goal is within a cent of that.
    pub(super) aim: f64,
}

/// How the search's answer was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Method {
    /// One linear program equivalent to the targets ([`super::exact`]).
    Exact,
    /// Successive linear programs on the engine's own figures.
    Successive,
}

impl Method {
    /// The report's name of it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Successive => "successive",
        }
    }
}

impl Problem<'_> {
    /// The cheapest units of the exact program over the `allowed` variables, when the goals
    /// have one and its answer, valued on the engine, meets every goal.
    fn exact(&self, allowed: &[bool]) -> Option<Vec<f64>> {
        if self.goals.count() == 0 {
            return None;
        }
        let exact = self.goals.exact(self.aim)?;
        let n = self.variables.len();
        let mut costs: Vec<f64> = self.variables.iter().map(|v| v.cost_usd).collect();
        costs.extend(std::iter::repeat_n(0.0, exact.extra));
        let bounds: Vec<(f64, f64)> = self
            .variables
            .iter()
            .zip(allowed)
            .map(|(v, a)| (0.0, if *a { v.max_units } else { 0.0 }))
            .chain(std::iter::repeat_n((0.0, f64::INFINITY), exact.extra))
            .collect();
        let rows: Vec<Row> = exact
            .rows
            .into_iter()
            .chain(self.bands.iter().map(|b| {
                Row {
                    coefficients: b
                        .coefficients
                        .iter()
                        .copied()
                        .chain(std::iter::repeat_n(0.0, exact.extra))
                        .collect(),
                    ..b.clone()
                }
            }))
            .collect();
        let units = cheapest_within(&costs, &bounds, &rows).ok()?[..n].to_vec();
        let values = self.goals.values(&units, None);
        values
            .iter()
            .all(|v| *v >= self.aim - AIM_USD)
            .then_some(units)
    }

    /// The cheapest units meeting every goal and band, or why none were found (see the module's
    /// description), with notes on how the answer was reached.
    pub(super) fn search(&self, max_trades: usize) -> Result<Found, String> {
        let variables = self.variables;
        let mut allowed = vec![true; variables.len()];
        let mut notes = Vec::new();
        loop {
            // Kelley's cutting planes where the goals are concave; should they fail (a pack's
            // dampener or offset can bend a scenario model), the trust-region programs.
            let concave = self.goals.concave();
            let (units, method) = match self.exact(&allowed) {
                Some(units) => (units, Method::Exact),
                None => {
                    let units = match self.successive(&allowed, concave) {
                        Err(_) if concave => self.successive(&allowed, false)?,
                        other => other?,
                    };
                    (units, Method::Successive)
                }
            };
            let mut used: Vec<(usize, f64)> = Vec::new();
            for (v, u) in variables.iter().zip(&units) {
                let Some(c) = v.candidate.filter(|_| *u > 1e-9) else {
                    continue;
                };
                match used.iter_mut().find(|(k, _)| *k == c) {
                    Some((_, cost)) => *cost += u * v.cost_usd,
                    None => used.push((c, u * v.cost_usd)),
                }
            }
            if used.len() <= max_trades {
                return Ok((units, notes, method));
            }
            // Keep the trades that cost most (they do most of the work), drop the rest, solve again.
            used.sort_by(|a, b| b.1.total_cmp(&a.1));
            let keep: Vec<usize> = used.iter().take(max_trades).map(|(c, _)| *c).collect();
            for (v, a) in variables.iter().zip(allowed.iter_mut()) {
                *a = v.candidate.is_none_or(|c| keep.contains(&c));
            }
            notes.push(format!(
                "{} candidates were needed; solved again with the {max_trades} that cost most (maxTrades)",
                used.len()
            ));
        }
    }

    /// Successive linear programs over the `allowed` variables (see the parent module): each goal's
    /// tangent rows (kept from every point tried when the goals are concave, the newest alone
    /// otherwise) with an elastic shortfall priced far above any trade's cost, and the bands; the
    /// program's answer is valued on the engine and the search stops at the first that meets every
    /// goal; else the best point (by cost plus priced shortfall) scaled up.
    fn successive(&self, allowed: &[bool], keep_tangents: bool) -> Result<Vec<f64>, String> {
        let (goals, bands, variables) = (self.goals, self.bands, self.variables);
        let n = variables.len();
        let m = goals.count();
        let costs: Vec<f64> = variables.iter().map(|v| v.cost_usd).collect();
        let max: Vec<f64> = variables
            .iter()
            .zip(allowed)
            .map(|(v, a)| if *a { v.max_units } else { 0.0 })
            .collect();
        // The parts the slopes are taken on: each underlying alone, and the whole (`None`) for
        // the variables that change no single underlying.
        let mut parts: Vec<Option<&str>> =
            variables.iter().map(|v| v.underlying.as_deref()).collect();
        parts.sort_unstable();
        parts.dedup();
        // The price of a USD of shortfall: far above any trade's cost per USD it buys.
        let price = 1e4 * costs.iter().fold(1.0f64, |a, c| a.max(*c));
        let shortfall = |values: &[f64]| {
            values
                .iter()
                .map(|v| (self.aim - AIM_USD - v).max(0.0))
                .sum::<f64>()
        };
        let cost_of = |x: &[f64]| x.iter().zip(&costs).map(|(x, c)| x * c).sum::<f64>();
        let merit = |x: &[f64], values: &[f64]| cost_of(x) + price * shortfall(values);

        let mut units = vec![0.0; n];
        let mut values = goals.values(&units, None);
        let mut best = units.clone();
        let mut best_values = values.clone();
        let mut rows: Vec<Row> = Vec::new();
        // Per-position rules: a trust region (the largest step in any variable), halved when a
        // program's answer is no better than the point it was taken at — the linearisation does
        // not hold that far (a buy-back past the position's size, a tier boundary).
        let mut radius = f64::INFINITY;
        let mut fresh = true;
        for _ in 0..ITERATIONS {
            if fresh {
                // Each goal's slope along each variable: forward differences, each part alone.
                let mut slopes = vec![vec![0.0; n + m]; m];
                for part in &parts {
                    let base = match part {
                        None => values.clone(),
                        Some(_) => goals.values(&units, *part),
                    };
                    for (d, v) in variables.iter().enumerate() {
                        if v.underlying.as_deref() != *part || max[d] == 0.0 {
                            continue;
                        }
                        let step = (STEP * units[d])
                            .max(1.0)
                            .min(0.5 * radius)
                            .min(max[d] - units[d])
                            .max(1e-6);
                        let mut moved = units.clone();
                        moved[d] += step;
                        let shifted = goals.values(&moved, *part);
                        for g in 0..m {
                            slopes[g][d] = (shifted[g] - base[g]) / step;
                        }
                    }
                }
                // Concave goals (a maximum of scenario losses is convex in the sizes): the
                // tangents of every point tried so far bound them from above and stay; otherwise
                // only the newest are kept.
                if !keep_tangents {
                    rows.clear();
                }
                rows.extend((0..m).map(|g| {
                    let at: f64 = slopes[g].iter().zip(&units).map(|(s, x)| s * x).sum();
                    let mut coefficients = slopes[g].clone();
                    // The goal's elastic shortfall.
                    coefficients[n + g] = 1.0;
                    // Aimed a cent inside, so that the answer, valued (collateral moves rounded
                    // to the cent), is not short of the bound by the rounding.
                    Row::at_least(coefficients, at - values[g] + self.aim)
                }));
            }
            let bounds: Vec<(f64, f64)> = max
                .iter()
                .zip(&units)
                .map(|(hi, x)| ((x - radius).max(0.0), (x + radius).min(*hi)))
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
            let trial = goals.values(&next, None);
            if trial.iter().all(|v| *v >= self.aim - AIM_USD) {
                return Ok(next);
            }
            let better = merit(&next, &trial) < merit(&best, &best_values);
            if better {
                best = next.clone();
                best_values = trial.clone();
            }
            let unchanged = step <= 1e-9 * (1.0 + units.iter().fold(0.0f64, |a, x| a.max(*x)));
            if unchanged {
                break;
            }
            if keep_tangents || better {
                // Kelley's cuts come from every point tried; else the better point is kept.
                units = next;
                values = trial;
                fresh = true;
            } else {
                radius = 0.5 * step;
                fresh = false;
            }
        }
        // Not met within the programs: the best point scaled up, if that meets them.
        for scale in [1.001, 1.01, 1.05, 1.1, 1.25, 1.5, 2.0, 3.0] {
            let trial: Vec<f64> = best
                .iter()
                .zip(&max)
                .map(|(u, m)| (u * scale).min(*m))
                .collect();
            let values = goals.values(&trial, None);
            let bands_hold = bands.iter().all(|b| {
                let v = b.value(&trial);
                v >= b.lower - 1e-9 * b.lower.abs().max(1.0)
                    && v <= b.upper + 1e-9 * b.upper.abs().max(1.0)
            });
            if values.iter().all(|v| *v >= self.aim - AIM_USD) && bands_hold {
                return Ok(trial);
            }
        }
        Err(format!(
            "no trades meeting every target were found within {ITERATIONS} linear programs on these candidates"
        ))
    }
}
