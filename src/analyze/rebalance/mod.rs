//! The cheapest trades that bring an account to its targets (headroom, distance to liquidation,
//! MM usage, Greek bands) under its own margin model, and Greek hedges.
//!
//! The search is a sequence of linear programs. Each target is a function of the trade sizes
//! that the margin engine computes exactly (`balance − MM − H`, `u·balance − MM`, `balance − MM`
//! with an index moved by the liquidation distance); each program holds every target's tangent
//! plane at the points tried so far (forward differences of the engine's own figures, each
//! candidate's underlying re-valued alone), and the Greek bands, which are linear in the sizes,
//! exactly. The cheapest sizes of a program are tried on the engine; the search stops at the
//! first that meets every target. Sizes are then rounded up to lots and the answer is re-valued
//! as a what-if (premiums at the trade prices, fees taken from the collateral): `verified` says
//! whether that re-valuation met every target, and an unverified list is never shown as a
//! solution.

mod candidates;
mod exact;
mod hedges;
mod lots;
mod search;
mod venue;
mod verify;

use crate::account::{Account, AccountState, Collateral};
use crate::figure::Figure;
use crate::input::{Book, PositionRow};
use crate::margin::{MarginModel, StandardMargin};
use crate::market::Market;
use crate::rebalance::lp::Row;
use crate::rebalance::*;
use crate::request::{Request, RequestError};
use crate::valuation::Leg;
use candidates::*;
use exact::Exact;
use hedges::*;
use lots::*;
use search::*;
use std::collections::BTreeMap;
pub(super) use venue::venue_rebalance_report;
use verify::*;

/// Linear programs tried before giving up.
const ITERATIONS: usize = 16;
/// Auto candidates at most.
const AUTO_LIMIT: usize = 40;
/// A variable's unit: this much notional (USD) of its instrument.
const UNIT_NOTIONAL: f64 = 10_000.0;

/// The cost pack's defaults.
struct Costs {
    option_half_spread: f64,
    future_half_spread: f64,
    option_fee: f64,
    option_fee_cap: f64,
    future_fee: f64,
    transfer_fee: f64,
}

const COST_PACK: &str = "deribit-taker-2026 (options 0.03 % of the underlying capped at 12.5 % of \
    the premium, futures 0.05 % of the notional; half-spreads 2 % of an option's mark, 0.01 % of a \
    future's price; collateral moves between venue accounts free)";

fn costs(c: &CostsRequest) -> Result<Costs, RequestError> {
    let pick = |value: Option<f64>, default: f64, field: &str| -> Result<f64, RequestError> {
        match value {
            None => Ok(default),
            Some(v) if (0.0..1.0).contains(&v) => Ok(v),
            Some(v) => Err(RequestError::new(
                format!("rebalance.costs.{field}"),
                format!("must be a fraction from 0 to below 1, got {}", Figure(v)),
            )),
        }
    };
    Ok(Costs {
        option_half_spread: pick(c.option_half_spread, 0.02, "optionHalfSpread")?,
        future_half_spread: pick(c.future_half_spread, 0.0001, "futureHalfSpread")?,
        option_fee: pick(c.option_fee, 0.0003, "optionFee")?,
        option_fee_cap: pick(c.option_fee_cap, 0.125, "optionFeeCap")?,
        future_fee: pick(c.future_fee, 0.0005, "futureFee")?,
        transfer_fee: pick(c.transfer_fee, 0.0, "transferFee")?,
    })
}

/// One way of trading one candidate (buy or sell), per variable unit.
struct Direction {
    candidate: usize,
    sign: f64,
    /// The position of one variable unit, entered at the trade price.
    leg: Leg,
    /// Premium (options) and fee of one variable unit, taken from the collateral.
    debit: Collateral,
    /// Half-spread and fee of one variable unit, USD.
    cost_usd: f64,
    /// Most variable units allowed.
    max_units: f64,
}

/// One candidate instrument, read.
struct Candidate {
    name: String,
    /// Size of one variable unit, in the instrument's size unit.
    unit_size: f64,
    size_unit: &'static str,
    price_unit: &'static str,
    lot: f64,
    /// Trade prices (instrument's unit): buy, sell.
    prices: [f64; 2],
    /// Expiry code (`27MAR26`) of a dated instrument.
    code: Option<String>,
    /// Half the spread, and the fee of a buy and of a sell, USD per unit of size.
    half_usd: f64,
    fee_usd: [f64; 2],
    /// Trade prices in USD per coin: buy, sell.
    price_usd: [f64; 2],
    /// The coin a coin-settled instrument's premium and fee are paid in, with its index (USD);
    /// `None`: paid in USDC.
    coin: Option<(String, f64)>,
    kind: crate::instrument::Kind,
    settlement: crate::instrument::Settlement,
}

/// A target as a function of the account: `value ≥ 0` when met.
#[derive(Clone, Debug)]
enum Goal {
    Headroom(f64),
    MmUsage(f64),
    /// Not liquidatable with `underlying`'s index at `factor` times its level.
    Solvent {
        underlying: String,
        factor: f64,
    },
    /// Margin balance at least IM: what a venue lets be withdrawn stays non-negative (the source
    /// of a collateral move).
    Available,
}

impl Goal {
    fn value(&self, account: &Account) -> f64 {
        match self {
            Goal::Headroom(h) => {
                let s = account.state();
                s.margin_balance() - s.maintenance - h
            }
            Goal::MmUsage(u) => {
                let s = account.state();
                u * s.margin_balance() - s.maintenance
            }
            Goal::Solvent { underlying, factor } => {
                let s: AccountState =
                    account.state_with(|u| if u == underlying { *factor } else { 1.0 });
                s.margin_balance() - s.maintenance
            }
            Goal::Available => {
                let s = account.state();
                s.margin_balance() - s.initial
            }
        }
    }

    /// The goal on a venue account's pools: sums over them, and for solvency the pool nearest
    /// to liquidation among those that hold the underlying (any pool liquidated is the account's
    /// liquidation).
    fn value_on(&self, pools: &[Box<dyn crate::venue::MarginPool + '_>]) -> f64 {
        let sum = |factor_of: &dyn Fn(&str) -> f64| crate::venue::sum_states(pools, factor_of);
        match self {
            Goal::Headroom(h) => {
                let s = sum(&|_| 1.0);
                s.margin_balance() - s.maintenance - h
            }
            Goal::MmUsage(u) => {
                let s = sum(&|_| 1.0);
                u * s.margin_balance() - s.maintenance
            }
            Goal::Available => {
                let s = sum(&|_| 1.0);
                s.margin_balance() - s.initial
            }
            Goal::Solvent { underlying, factor } => {
                let at = |u: &str| if u == underlying { *factor } else { 1.0 };
                let holding: Vec<f64> = pools
                    .iter()
                    .filter(|p| crate::venue::pool_underlyings(p.as_ref()).contains(underlying))
                    .map(|p| {
                        let s = p.state_with(&at);
                        s.margin_balance() - s.maintenance
                    })
                    .collect();
                if holding.is_empty() {
                    let s = sum(&at);
                    s.margin_balance() - s.maintenance
                } else {
                    holding.into_iter().fold(f64::INFINITY, f64::min)
                }
            }
        }
    }
}

/// `report.rebalance`.
#[allow(clippy::too_many_arguments)]
pub(super) fn rebalance_report(
    req: &RebalanceRequest,
    request: &Request,
    market: &Market,
    book: &Book,
    rows: &[&PositionRow],
    legs: &[Leg],
    collateral: &[Collateral],
    model: &MarginModel,
    margin: &StandardMargin,
) -> Result<RebalanceReport, RequestError> {
    let codes: Vec<Option<String>> = rows.iter().map(|r| row_code(r)).collect();
    let t = &req.targets;
    let has_bands =
        !(t.delta.is_empty() && t.gamma.is_empty() && t.vega.is_empty() && t.vanna.is_empty());
    let has_account_target =
        t.headroom_usd.is_some() || t.liquidation_distance.is_some() || t.max_mm_usage.is_some();
    if !has_account_target && !has_bands && req.hedge.is_none() {
        return Err(RequestError::new(
            "rebalance.targets",
            "name at least one target (headroomUsd, liquidationDistance, maxMmUsage or a Greek band) or a hedge",
        ));
    }
    check_targets(t)?;
    let costs = costs(&req.costs)?;
    let max_trades = req.max_trades.unwrap_or(4).max(1);
    let venue = request.venue_setting()?;

    // Candidates, read as book rows are, then priced.
    let (wanted, mut notes) = candidate_requests(req, book, market);
    let (candidates, directions, rejected) =
        read_candidates(&wanted, venue, market, margin, &costs);
    if candidates.is_empty() && (has_account_target || has_bands) {
        return Err(RequestError::new(
            "rebalance.candidates",
            format!(
                "no candidate could be used{}",
                rejected
                    .first()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        ));
    }

    let goals = goals(t, legs);
    let bands = narrowed(
        band_rows(t, legs, &codes, collateral, &directions, &candidates),
        &directions,
        &candidates,
    );

    let before_account = Account::new(legs, collateral, model);
    let met_now = goals.iter().all(|g| g.value(&before_account) >= 0.0)
        && bands.iter().all(|b| b.lower <= 0.0 && b.upper >= 0.0);

    let mut status = "met already";
    let mut method = None;
    let account_goals = AccountGoals {
        goals: &goals,
        legs,
        collateral,
        model,
        directions: &directions,
    };
    let mut tries = vec![Vec::new()];
    if !met_now {
        let variables: Vec<Variable> = directions.iter().map(Variable::of).collect();
        let problem = Problem {
            goals: &account_goals,
            bands: &bands,
            variables: &variables,
            aim: AIM_USD,
        };
        match search_and_round(problem, max_trades, &directions, &candidates, rows) {
            Ok(found) => {
                tries = found.tries;
                status = "solved";
                method = Some(found.method);
                notes.extend(found.notes);
            }
            Err(message) => {
                status = "not found";
                notes.push(message);
                // Trades cost: under a scenario model none raises the margin balance.
                let balance = before_account.state().margin_balance();
                if let Some(h) = t.headroom_usd.filter(|h| *h > balance) {
                    if !model.excludes_long_options() {
                        notes.push(format!(
                            "the headroom asked ({} USD) is above the margin balance ({} USD): \
                             trades cannot reach it, more collateral can",
                            Figure(h.round()),
                            Figure(balance.round())
                        ));
                    }
                }
            }
        }
    }

    let checked = first_verified(tries, |trades| {
        let verification = verify(
            trades,
            &candidates,
            request,
            market,
            legs,
            &codes,
            collateral,
            model,
            margin,
        )?;
        let reports = target_reports(
            t,
            (legs, &codes, collateral),
            (
                &verification.legs,
                &verification.codes,
                &verification.collateral,
            ),
            &verification.what_if.before,
            &verification.what_if.after,
        );
        Ok((verification.what_if, reports, true))
    })?;
    let (what_if, target_reports) = (checked.what_if, checked.targets);
    let Shown {
        status,
        trades: shown,
        reports: trade_reports,
        binding,
        verified,
    } = shown(
        status,
        checked.trades,
        &target_reports,
        &candidates,
        &mut notes,
    );
    let hedges = match &req.hedge {
        Some(h) => hedges(
            h,
            request,
            market,
            legs,
            collateral,
            &candidates,
            &directions,
            &costs,
        )?,
        None => Vec::new(),
    };
    Ok(RebalanceReport {
        cost_usd: trade_reports.iter().map(|t| t.cost_usd).sum(),
        what_if: what_if_lines(&shown, &candidates),
        trades: trade_reports,
        before: what_if.before.clone(),
        // Nothing proposed: the account as it is.
        after: if status == "solved" {
            what_if.after
        } else {
            what_if.before.clone()
        },
        targets: target_reports,
        binding,
        verified,
        status,
        method: method.filter(|_| verified).map(Method::name),
        candidates: candidates.len(),
        cost_pack: cost_pack_name(&req.costs),
        notes,
        rejected,
        hedges,
        account: None,
        transfers: Vec::new(),
    })
}

fn check_targets(t: &Targets) -> Result<(), RequestError> {
    if let Some(h) = t.headroom_usd {
        if !h.is_finite() {
            return Err(RequestError::new(
                "rebalance.targets.headroomUsd",
                "must be a number, USD",
            ));
        }
    }
    if let Some(d) = t.liquidation_distance {
        if !(d > 0.0 && d < 0.99) {
            return Err(RequestError::new(
                "rebalance.targets.liquidationDistance",
                format!(
                    "must be a fraction above 0 and below 0.99, got {}",
                    Figure(d)
                ),
            ));
        }
    }
    if let Some(u) = t.max_mm_usage {
        if !(u > 0.0 && u < 1.0) {
            return Err(RequestError::new(
                "rebalance.targets.maxMmUsage",
                format!("must be a fraction above 0 and below 1, got {}", Figure(u)),
            ));
        }
    }
    for (name, bands) in [
        ("delta", &t.delta),
        ("gamma", &t.gamma),
        ("vega", &t.vega),
        ("vanna", &t.vanna),
    ] {
        for (key, (lo, hi)) in bands {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(RequestError::new(
                    format!("rebalance.targets.{name}.{key}"),
                    "must be [low, high] with low ≤ high",
                ));
            }
        }
    }
    Ok(())
}

/// The cost pack as the report names it.
fn cost_pack_name(c: &CostsRequest) -> String {
    if matches!(
        (
            c.option_fee,
            c.option_fee_cap,
            c.future_fee,
            c.option_half_spread,
            c.future_half_spread,
            c.transfer_fee
        ),
        (None, None, None, None, None, None)
    ) {
        COST_PACK.into()
    } else {
        format!("{COST_PACK}, with the request's overrides")
    }
}

/// The Greek bands narrowed by half the largest lot's part in each, so that sizes rounded to the
/// nearest lot stay inside.
fn narrowed(bands: Vec<Row>, directions: &[Direction], candidates: &[Candidate]) -> Vec<Row> {
    bands
        .into_iter()
        .map(|mut b| {
            let half = directions
                .iter()
                .zip(&b.coefficients)
                .map(|(d, a)| {
                    let c = &candidates[d.candidate];
                    (a * c.lot / c.unit_size).abs() / 2.0
                })
                .fold(0.0, f64::max);
            if b.upper - b.lower > 2.0 * half {
                b.lower += half;
                b.upper -= half;
            }
            b
        })
        .collect()
}

/// The targets as functions of the account (the Greek bands are rows, see [`band_rows`]).
fn goals(t: &Targets, legs: &[Leg]) -> Vec<Goal> {
    let mut goals = Vec::new();
    if let Some(h) = t.headroom_usd {
        goals.push(Goal::Headroom(h));
    }
    if let Some(u) = t.max_mm_usage {
        goals.push(Goal::MmUsage(u));
    }
    if let Some(d) = t.liquidation_distance {
        let mut underlyings: Vec<&str> = legs.iter().map(|l| l.underlying.as_str()).collect();
        underlyings.sort_unstable();
        underlyings.dedup();
        for u in underlyings {
            // Not liquidatable anywhere within the distance: at its ends and half-way.
            for factor in [1.0 - d, 1.0 - d / 2.0, 1.0 + d / 2.0, 1.0 + d] {
                goals.push(Goal::Solvent {
                    underlying: u.to_string(),
                    factor,
                });
            }
        }
    }
    goals
}
