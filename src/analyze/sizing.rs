//! Volatility-adjusted sizing: for a proposed instrument, the largest size (from 0 up) that keeps
//! every cap, and which cap binds. Each candidate size is the book with the trade added and its
//! premium paid, as the what-if computes it.
//!
//! Caps (each optional but the first):
//! - **initial margin within available**: margin balance − IM ≥ 0 after the trade;
//! - `volTargetUsd`: the book's 1-day P&L standard deviation, delta-normal —
//!   `√(Σ_ij a_i a_j ρ_ij)/√365` with `a_i = δ_i S_i σ_i` (δ with coin collateral, σ the
//!   underlying's vol, ρ `risk.correlation.underlyings` or 0.75) — solved exactly (a quadratic in
//!   the size);
//! - `esBudgetUsd`: the 1-day 97.5 % expected shortfall by the delta-gamma method on 4,000 seeded
//!   paths (the trade's P&L added path by path);
//! - `liquidationDistance`: every underlying's distance to liquidation, down and up, at least
//!   this fraction;
//! - `kelly`: fractional Kelly, `fraction × edge / σ²` of equity in delta-adjusted notional
//!   (`edge` the annual expected return of the underlying the trade bets on, fraction).

use super::{pay_premium, value_rows};
use crate::account::{Account, Collateral};
use crate::figure::Figure;
use crate::input::{read_book, PositionsInput};
use crate::margin::{MarginModel, StandardMargin};
use crate::market::Market;
use crate::request::{Request, RequestError};
use crate::valuation::Leg;
use serde::{Deserialize, Serialize};

/// `sizing` in a request.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SizingRequest {
    /// A name as a book row takes it (its venue decided as a row's).
    pub instrument: String,
    /// `buy` (default) or `sell`.
    #[serde(default)]
    pub side: Option<String>,
    /// The trade's price in the instrument's unit (default: its mark, the model's value).
    #[serde(default)]
    pub price: Option<f64>,
    /// The option's IV (fraction) when the market has none for it.
    #[serde(default)]
    pub iv: Option<f64>,
    #[serde(default)]
    pub vol_target_usd: Option<f64>,
    #[serde(default)]
    pub es_budget_usd: Option<f64>,
    #[serde(default)]
    pub liquidation_distance: Option<f64>,
    #[serde(default)]
    pub kelly: Option<KellyRequest>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KellyRequest {
    /// Expected annual return of the underlying in the trade's direction, fraction.
    pub edge: f64,
    /// Of full Kelly; default 0.25.
    #[serde(default)]
    pub fraction: Option<f64>,
}

/// `report.sizing`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SizingReport {
    pub instrument: String,
    pub side: &'static str,
    /// The unit of every size below (the instrument's size unit as pasted).
    pub size_unit: &'static str,
    /// The largest size keeping every cap, in `sizeUnit`; 0 when a cap is already breached.
    pub max_size: f64,
    /// The cap that binds (`none within the search` when none does up to `searchedTo`).
    pub binding: String,
    pub searched_to: f64,
    pub caps: Vec<CapReport>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapReport {
    pub cap: &'static str,
    /// The cap's limit in `unit`.
    pub limit: f64,
    pub unit: &'static str,
    /// The largest size this cap alone allows (`null`: not reached within the search).
    pub max_size: Option<f64>,
    /// Whether the book breaches it already, before any trade.
    pub breached_now: bool,
}

/// Steps halving down from the search's top, then bisection steps.
const LADDER: usize = 40;
const BISECTIONS: usize = 40;

#[allow(clippy::too_many_arguments)]
pub(super) fn sizing_report(
    sizing: &SizingRequest,
    request: &Request,
    market: &Market,
    legs: &[Leg],
    collateral: &[Collateral],
    model: &MarginModel,
    margin: &StandardMargin,
    today: &crate::account::AccountState,
) -> Result<SizingReport, RequestError> {
    let sign = match sizing.side.as_deref().unwrap_or("buy") {
        "buy" | "long" => 1.0,
        "sell" | "short" => -1.0,
        other => {
            return Err(RequestError::new(
                "sizing.side",
                format!(
                    "'{}' is not one of \"buy\", \"sell\"",
                    crate::calendar::clip(other)
                ),
            ))
        }
    };
    let venue = request.venue_setting()?;
    // The trade of `size` (unsigned, in the instrument's unit), read as a book row is.
    let trade = |size: f64| {
        let mut line = format!(
            "instrument,size,entry,iv\n{},{}",
            sizing.instrument,
            sign * size
        );
        line.push(',');
        if let Some(p) = sizing.price {
            line.push_str(&Figure(p).to_string());
        }
        line.push(',');
        if let Some(iv) = sizing.iv {
            line.push_str(&Figure(iv * 100.0).to_string());
        }
        let book = read_book(&PositionsInput::Text(line), venue);
        let (rows, added, errors) = value_rows(&book, market);
        match (errors.first(), added.first()) {
            (Some(e), _) => Err(e.message.clone()),
            (None, Some(_)) => {
                let (paid, _) = pay_premium(collateral, &rows, &added, margin);
                let instrument = &rows[0].instrument;
                Ok((
                    added,
                    paid,
                    (instrument.size_unit_name(), instrument.name.clone()),
                ))
            }
            (None, None) => Err("the instrument could not be read".into()),
        }
    };
    let (unit_legs, _, (size_unit, name)) =
        trade(1.0).map_err(|m| RequestError::new("sizing.instrument", m))?;
    let unit = &unit_legs[0];
    let underlying = unit.underlying.clone();
    let index = unit.index;
    let unit_delta = unit.greeks().delta;
    let equity = today.equity.max(1.0);
    // Search up to the size whose delta-adjusted notional is 100 × equity.
    let top = (100.0 * equity / (unit_delta.abs().max(1e-12) * index)).max(1.0);

    let with_trade = |size: f64, check: &dyn Fn(&Account) -> bool| -> bool {
        if size == 0.0 {
            let account = Account::new(legs, collateral, model);
            return check(&account);
        }
        match trade(size) {
            Ok((added, paid, _)) => {
                let all = super::combine(legs, added);
                let account = Account::new(&all, &paid, model);
                check(&account)
            }
            Err(_) => false,
        }
    };
    let largest = |ok: &dyn Fn(f64) -> bool| largest_within(top, ok);

    let mut caps = Vec::new();
    // Initial margin within available.
    let (m, breached) = largest(&|q| {
        with_trade(q, &|a| {
            let s = a.state();
            s.margin_balance() - s.initial >= 0.0
        })
    });
    caps.push(CapReport {
        cap: "initial margin within available",
        limit: 0.0,
        unit: "USD of available after the trade",
        max_size: m,
        breached_now: breached,
    });
    if let Some(floor) = sizing.liquidation_distance {
        if !(floor > 0.0 && floor < 10.0) {
            return Err(RequestError::new(
                "sizing.liquidationDistance",
                format!("must be a fraction above 0, got {}", Figure(floor)),
            ));
        }
        let (m, breached) = largest(&|q| {
            with_trade(q, &|a| {
                a.underlyings().all(|(u, _)| {
                    let l = a.liquidation(u);
                    l.down.is_none_or(|d| -d >= floor) && l.up.is_none_or(|u| u >= floor)
                })
            })
        });
        caps.push(CapReport {
            cap: "liquidation distance",
            limit: floor,
            unit: "fraction of the index, down and up",
            max_size: m,
            breached_now: breached,
        });
    }

    // The delta-normal and delta-gamma caps from the book's Greeks and the trade's per unit.
    let vol = |u: &str| market.underlying(u).and_then(|m| m.vol);
    let rho = request
        .risk
        .as_ref()
        .and_then(|r| r.correlation.underlyings)
        .unwrap_or(0.75);
    let book_account = Account::new(legs, collateral, model);
    let names: Vec<String> = book_account
        .group_names()
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(underlying.clone()))
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    let book_delta = |u: &str| -> f64 {
        legs.iter()
            .filter(|l| l.underlying == u)
            .map(|l| l.greeks().delta)
            .sum::<f64>()
            + collateral
                .iter()
                .filter(|c| c.underlying.as_deref() == Some(u))
                .map(|c| c.amount)
                .sum::<f64>()
    };
    let index_of = |u: &str| market.index(u).unwrap_or(0.0);
    let mut notes = Vec::new();
    if let Some(target) = sizing.vol_target_usd {
        let sigmas: Option<Vec<f64>> = names.iter().map(|n| vol(n)).collect();
        match sigmas {
            None => notes.push(
                "volTargetUsd: every underlying needs its vol (market.underlyings.X.vol); not applied"
                    .into(),
            ),
            Some(sigmas) => {
                // a_i(q) = (d_i + q·e_i)·S_i·σ_i/√365; variance = Σ_ij a_i a_j ρ_ij = A q² + B q + C.
                let day = 365f64.sqrt();
                let base: Vec<f64> = names
                    .iter()
                    .zip(&sigmas)
                    .map(|(n, s)| book_delta(n) * index_of(n) * s / day)
                    .collect();
                let per: Vec<f64> = names
                    .iter()
                    .zip(&sigmas)
                    .map(|(n, s)| {
                        if *n == underlying {
                            // The unit trade is already signed by its side.
                            unit_delta * index * s / day
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let corr = |i: usize, j: usize| if i == j { 1.0 } else { rho };
                let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
                for i in 0..names.len() {
                    for j in 0..names.len() {
                        a += per[i] * per[j] * corr(i, j);
                        b += 2.0 * base[i] * per[j] * corr(i, j);
                        c += base[i] * base[j] * corr(i, j);
                    }
                }
                let t2 = target * target;
                let (max_size, breached) = if c > t2 {
                    (Some(0.0), true)
                } else if a <= 0.0 {
                    (None, false)
                } else {
                    let disc = b * b - 4.0 * a * (c - t2);
                    (Some(((-b + disc.max(0.0).sqrt()) / (2.0 * a)).max(0.0)), false)
                };
                caps.push(CapReport {
                    cap: "volatility target",
                    limit: target,
                    unit: "USD of 1-day P&L standard deviation (delta-normal)",
                    max_size,
                    breached_now: breached,
                });
            }
        }
    }
    if let Some(budget) = sizing.es_budget_usd {
        match es_cap(&names, &underlying, unit, legs, collateral, market, rho, budget, top) {
            Some((max_size, breached)) => caps.push(CapReport {
                cap: "expected shortfall budget",
                limit: budget,
                unit: "USD of 1-day 97.5 % ES (delta-gamma, 4,000 paths, seed 1)",
                max_size,
                breached_now: breached,
            }),
            None => notes.push(
                "esBudgetUsd: every underlying needs its vol (market.underlyings.X.vol); not applied"
                    .into(),
            ),
        }
    }
    if let Some(k) = &sizing.kelly {
        let fraction = k.fraction.unwrap_or(0.25);
        match vol(&underlying) {
            Some(sigma) if k.edge.is_finite() && fraction > 0.0 && fraction <= 1.0 => {
                let notional = fraction * k.edge / (sigma * sigma) * equity;
                let max_size = if k.edge <= 0.0 {
                    Some(0.0)
                } else {
                    Some(notional / (unit_delta.abs().max(1e-12) * index))
                };
                caps.push(CapReport {
                    cap: "fractional Kelly",
                    limit: fraction,
                    unit: "of full Kelly (edge/σ² of equity, delta-adjusted notional)",
                    max_size,
                    breached_now: k.edge <= 0.0,
                });
            }
            _ => notes.push(
                "kelly: needs the underlying's vol, an edge and a fraction in (0, 1]; not applied"
                    .into(),
            ),
        }
    }
    let binding = caps
        .iter()
        .filter_map(|c| c.max_size.map(|m| (m, c.cap)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let (max_size, binding) = match binding {
        Some((m, cap)) => (m, cap.to_string()),
        None => (top, "none within the search".to_string()),
    };
    Ok(SizingReport {
        instrument: name,
        side: if sign > 0.0 { "buy" } else { "sell" },
        size_unit,
        max_size,
        binding,
        searched_to: top,
        caps,
        notes,
    })
}

/// The largest size whose 1-day 97.5 % ES (delta-gamma) stays within `budget`: the book's P&L
/// and one unit's (`unit`, signed by its side) on the same 4,000 seeded paths, the ES of
/// `book + q·unit` searched over q.
#[allow(clippy::too_many_arguments)]
fn es_cap(
    names: &[String],
    underlying: &str,
    unit: &Leg,
    legs: &[Leg],
    collateral: &[Collateral],
    market: &Market,
    rho: f64,
    budget: f64,
    top: f64,
) -> Option<(Option<f64>, bool)> {
    let sigmas: Vec<f64> = names
        .iter()
        .map(|n| market.underlying(n).and_then(|m| m.vol))
        .collect::<Option<Vec<f64>>>()?;
    let h = 1.0 / 365.0;
    let paths = crate::risk::paths::model_paths(&sigmas, h, 0.0, rho, 0.0, 4000, 1)?;
    let greeks = |leg: &Leg| leg.greeks();
    let pnl = |p: usize, i: usize, delta: f64, gamma: f64, theta: f64| {
        let s = market.index(&names[i]).unwrap_or(0.0);
        let r = paths.spot[p][i] + 0.5 * sigmas[i] * sigmas[i] * h;
        delta * s * r + 0.5 * gamma * s * s * r * r + theta
    };
    let book: Vec<f64> = (0..paths.spot.len())
        .map(|p| {
            (0..names.len())
                .map(|i| {
                    let (mut d, mut g, mut t) = (0.0, 0.0, 0.0);
                    for l in legs.iter().filter(|l| l.underlying == names[i]) {
                        let x = greeks(l);
                        d += x.delta;
                        g += x.gamma;
                        t += x.theta;
                    }
                    d += collateral
                        .iter()
                        .filter(|c| c.underlying.as_deref() == Some(names[i].as_str()))
                        .map(|c| c.amount)
                        .sum::<f64>();
                    pnl(p, i, d, g, t)
                })
                .sum()
        })
        .collect();
    let u = names.iter().position(|n| n == underlying)?;
    let g = greeks(unit);
    let per: Vec<f64> = (0..paths.spot.len())
        .map(|p| pnl(p, u, g.delta, g.gamma, g.theta))
        .collect();
    let es = |q: f64| {
        let losses: Vec<f64> = book.iter().zip(&per).map(|(b, x)| -(b + q * x)).collect();
        crate::risk::tail::Tail::of(&losses, 0.975).es
    };
    Some(largest_within(top, &|q| es(q) <= budget))
}

/// The largest size from 0 up to `top` for which `ok` holds with every smaller size on a halving
/// ladder also holding: up the ladder from `top/2⁴⁰` to the first failure, then bisected. `None`
/// when `ok` holds up to `top`; `(Some(0), true)` when it fails at 0 already.
fn largest_within(top: f64, ok: &dyn Fn(f64) -> bool) -> (Option<f64>, bool) {
    if !ok(0.0) {
        return (Some(0.0), true);
    }
    let mut good = 0.0;
    let mut first_bad = None;
    for k in (0..=LADDER).rev() {
        let q = top / 2f64.powi(k as i32);
        if ok(q) {
            good = q;
        } else {
            first_bad = Some(q);
            break;
        }
    }
    let Some(mut bad) = first_bad else {
        return (None, false);
    };
    for _ in 0..BISECTIONS {
        let mid = 0.5 * (good + bad);
        if ok(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    (Some(good), false)
}
