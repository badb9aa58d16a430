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

use super::{by_line, combine, net_into, pay_premium, same_contract, value_rows, what_if_report};
use crate::account::{Account, AccountState, Collateral};
use crate::calendar::expiry_code;
use crate::figure::Figure;
use crate::input::{read_book, Book, PositionRow, PositionsInput};
use crate::instrument::{Kind, Settlement, Venue};
use crate::margin::{MarginModel, StandardMargin};
use crate::market::Market;
use crate::rebalance::hedge::{min_variance_delta, neutral, whalley_wilmott};
use crate::rebalance::lp::{cheapest_within, Row};
use crate::rebalance::*;
use crate::request::{Request, RequestError};
use crate::valuation::{Leg, LegGreeks, Model};
use std::collections::BTreeMap;

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
}

const COST_PACK: &str = "deribit-taker-2026 (options 0.03 % of the underlying capped at 12.5 % of \
    the premium, futures 0.05 % of the notional; half-spreads 2 % of an option's mark, 0.01 % of a \
    future's price)";

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
    // Each band narrowed by half the largest lot's part in it, so that sizes rounded to the
    // nearest lot stay inside.
    let bands: Vec<Row> = band_rows(t, legs, &codes, collateral, &directions, &candidates)
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
        .collect();
    let band_names: Vec<String> = [
        ("delta", &t.delta),
        ("gamma", &t.gamma),
        ("vega", &t.vega),
        ("vanna", &t.vanna),
    ]
    .iter()
    .flat_map(|(name, bands)| bands.keys().map(move |k| format!("{name} {k}")))
    .collect();

    let before_account = Account::new(legs, collateral, model);
    let met_now = goals.iter().all(|g| g.value(&before_account) >= 0.0)
        && bands.iter().all(|b| b.lower <= 0.0 && b.upper >= 0.0);

    let mut status = "met already";
    let mut units = vec![0.0; directions.len()];
    let mut active = Vec::new();
    if !met_now {
        match search(
            &goals,
            &bands,
            legs,
            collateral,
            model,
            &directions,
            max_trades,
        ) {
            Ok((found, note, rows)) => {
                units = found;
                status = "solved";
                notes.extend(note);
                active = rows;
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

    // Sizes in lots (rounded up), then the what-if.
    // Sizes in lots: rounded up (more of a trade that helps), or to the nearest lot (bands).
    let trades_of = |units: &[f64], up: bool| -> Vec<(usize, f64)> {
        let mut net: BTreeMap<usize, f64> = BTreeMap::new();
        for (d, u) in directions.iter().zip(units) {
            if *u > 0.0 {
                *net.entry(d.candidate).or_default() += d.sign * u;
            }
        }
        net.into_iter()
            .filter_map(|(c, u)| {
                let cand = &candidates[c];
                let size = u * cand.unit_size;
                let lots = if up {
                    (size.abs() / cand.lot - 1e-9).ceil()
                } else {
                    (size.abs() / cand.lot).round()
                };
                (lots > 0.0).then(|| (c, size.signum() * lots * cand.lot))
            })
            .collect()
    };
    let mut tries = if status == "solved" {
        vec![trades_of(&units, true), trades_of(&units, false)]
    } else {
        vec![Vec::new()]
    };
    tries.dedup();
    let mut checked = None;
    for trades in tries {
        let verification = verify(
            &trades,
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
        let met = reports.iter().all(|r| r.met);
        checked = Some((trades, verification.what_if, reports));
        if met {
            break;
        }
    }
    let Some((trades, what_if, target_reports)) = checked else {
        return Err(RequestError::new(
            "rebalance",
            "no trade list could be checked",
        ));
    };
    let verified = target_reports.iter().all(|r| r.met);
    if status == "solved" && !verified {
        status = "not verified";
        notes.push(
            "the trades found did not meet every target when re-valued as a what-if; they are not \
             shown"
                .into(),
        );
    }
    let shown = if status == "solved" {
        trades
    } else {
        Vec::new()
    };
    let trade_reports: Vec<TradeReport> = shown
        .iter()
        .map(|(c, size)| trade_report(&candidates[*c], *size, &costs))
        .collect();
    // The targets whose rows the last program held at their bound, and those the re-valued
    // account ends at (within a tenth of how far the trades moved them).
    let mut binding: Vec<String> = target_reports
        .iter()
        .filter(|r| status == "solved" && r.met && ends_at_bound(r))
        .map(|r| r.target.clone())
        .collect();
    if status == "solved" {
        for i in active {
            let name = match (goals.get(i), band_names.get(i.wrapping_sub(goals.len()))) {
                (Some(Goal::Headroom(_)), _) => "headroomUsd".to_string(),
                (Some(Goal::MmUsage(_)), _) => "maxMmUsage".to_string(),
                (Some(Goal::Solvent { underlying, .. }), _) => {
                    format!("liquidationDistance {underlying}")
                }
                (None, Some(name)) => name.clone(),
                (None, None) => continue,
            };
            if !binding.contains(&name) {
                binding.push(name);
            }
        }
    }
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
        before: what_if.before,
        after: if status == "solved" {
            what_if.after
        } else {
            // Nothing is proposed: the account as it is.
            super::snapshot(legs, collateral, model)
        },
        targets: target_reports,
        binding,
        verified: verified && status != "not found",
        status,
        candidates: candidates.len(),
        cost_pack: if matches!(
            (
                req.costs.option_fee,
                req.costs.future_fee,
                req.costs.option_half_spread,
                req.costs.future_half_spread
            ),
            (None, None, None, None)
        ) {
            COST_PACK.into()
        } else {
            format!("{COST_PACK}, with the request's overrides")
        },
        notes,
        rejected,
        hedges,
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

/// The instruments to consider: the request's list, or `auto` — every live instrument the book
/// holds, each underlying's perpetual on the book's venue, and (Deribit) options at round strikes
/// around the index on the expiries the book holds.
fn candidate_requests(
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
fn perpetual(u: &str, venue: Venue, settlement: Settlement) -> Option<String> {
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
fn read_candidates(
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
        });
    }
    (candidates, directions, rejected)
}

/// The smallest size a venue takes, where the candidate gives none: Deribit's (BTC options
/// 0.1, ETH options 1, futures 10 USD), else 0.001 of a coin, 1 contract, or 1 USD.
fn default_lot(instrument: &crate::instrument::Instrument) -> f64 {
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
fn band_rows(
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
fn bucket_matches(underlying: &str, code: Option<&str>, key: &str) -> bool {
    match key.split_once('-') {
        None => underlying == key,
        Some((u, k)) => underlying == u && code.is_some_and(|c| c.eq_ignore_ascii_case(k)),
    }
}

/// The expiry code (`27MAR26`) of a row's instrument, if it expires.
fn row_code(row: &PositionRow) -> Option<String> {
    row.instrument.expiry().map(|e| expiry_code(e.date()))
}

/// A leg `k` times as large (its entry unchanged).
fn scaled(leg: &Leg, k: f64) -> Leg {
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
fn trades_at(
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

/// The goals' values with `units` traded: the whole account (`None`), or only `underlying`'s
/// positions and the collateral, which differs from the whole by a constant (the account is a
/// sum over underlyings), so differences of it are the whole's.
fn goal_values(
    goals: &[Goal],
    book: &[&Leg],
    collateral: &[Collateral],
    model: &MarginModel,
    directions: &[Direction],
    units: &[f64],
    underlying: Option<&str>,
) -> Vec<f64> {
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

/// Units per direction, notes, and the rows at their bound (see [`successive`]).
type Found = (Vec<f64>, Vec<String>, Vec<usize>);

/// The cheapest units meeting every goal and band, or why none were found (see the module's
/// description), with notes on how the answer was reached.
fn search(
    goals: &[Goal],
    bands: &[Row],
    legs: &[Leg],
    collateral: &[Collateral],
    model: &MarginModel,
    directions: &[Direction],
    max_trades: usize,
) -> Result<Found, String> {
    let mut allowed = vec![true; directions.len()];
    let mut notes = Vec::new();
    loop {
        let (units, active) =
            successive(goals, bands, legs, collateral, model, directions, &allowed)?;
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
            return Ok((units, notes, active));
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

/// Successive linear programs over the `allowed` directions (see the module's description),
/// each within a trust region around the current sizes and with each goal's row made elastic
/// (a shortfall allowed at a price far above any trade's cost), a step kept only when it lowers
/// cost plus priced shortfall. With the units found, the goal and band rows of the last
/// program that hold at their bound (goals first, in order, then bands), by index.
fn successive(
    goals: &[Goal],
    bands: &[Row],
    legs: &[Leg],
    collateral: &[Collateral],
    model: &MarginModel,
    directions: &[Direction],
    allowed: &[bool],
) -> Result<(Vec<f64>, Vec<usize>), String> {
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
    // The goal and band rows of a program at their bound, by index.
    let active = |rows: &[Row], x: &[f64]| -> Vec<usize> {
        rows.iter()
            .chain(bands)
            .enumerate()
            .filter(|(_, r)| {
                let v = r.value(x);
                let tolerance = 1e-6 * r.lower.abs().max(r.upper.abs().min(1e300)).max(1.0);
                (r.lower.is_finite() && v - r.lower <= tolerance)
                    || (r.upper.is_finite() && r.upper - v <= tolerance)
            })
            .map(|(i, _)| i)
            .collect()
    };

    let keep_tangents = !matches!(model, MarginModel::Standard(_));
    let mut units = vec![0.0; n];
    let mut values = goal_values(goals, &all, collateral, model, directions, &units, None);
    let mut best = units.clone();
    let mut best_values = values.clone();
    let mut rows: Vec<Row> = Vec::new();
    for _ in 0..ITERATIONS {
        {
            // Each goal's slope along each direction: forward differences, each underlying alone.
            let mut slopes = vec![vec![0.0; n + m]; m];
            for (u, book) in &books {
                let base = goal_values(goals, book, collateral, model, directions, &units, Some(u));
                for (d, dir) in directions.iter().enumerate() {
                    if dir.leg.underlying != *u || max[d] == 0.0 {
                        continue;
                    }
                    let step = (0.25 * units[d]).max(1.0).min(max[d] - units[d]).max(1e-6);
                    let mut moved = units.clone();
                    moved[d] += step;
                    let shifted =
                        goal_values(goals, book, collateral, model, directions, &moved, Some(u));
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
            return Ok((next.clone(), active(&[], &next)));
        }
        let step = next
            .iter()
            .zip(&units)
            .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        let trial = goal_values(goals, &all, collateral, model, directions, &next, None);
        if trial.iter().all(|v| *v >= 0.0) {
            let plain: Vec<Row> = rows[rows.len() - m..]
                .iter()
                .map(|r| Row {
                    coefficients: r.coefficients[..n].to_vec(),
                    ..r.clone()
                })
                .collect();
            return Ok((next.clone(), active(&plain, &next)));
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
        let values = goal_values(goals, &all, collateral, model, directions, &trial, None);
        let bands_hold = bands.iter().all(|b| {
            let v = b.value(&trial);
            v >= b.lower - 1e-9 * b.lower.abs().max(1.0)
                && v <= b.upper + 1e-9 * b.upper.abs().max(1.0)
        });
        if values.iter().all(|v| *v >= 0.0) && bands_hold {
            return Ok((trial, Vec::new()));
        }
    }
    Err(format!(
        "no trades meeting every target were found within {ITERATIONS} linear programs on these candidates"
    ))
}

/// What the what-if makes of the trades, and the account it re-values.
struct Verification {
    what_if: crate::report::WhatIfReport,
    /// The book's legs and the trades', with their expiry codes.
    legs: Vec<Leg>,
    codes: Vec<Option<String>>,
    collateral: Vec<Collateral>,
}

/// The trades (candidate, signed size) re-valued as the what-if values them, with their fees
/// taken from the collateral.
#[allow(clippy::too_many_arguments)]
fn verify(
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
    let mut with_fees = collateral.to_vec();
    for (c, size) in trades {
        let fee = fee_usd(&candidates[*c], *size);
        // In the currency the search took it in (the settlement coin, or USDC).
        with_fees.push(match &candidates[*c].coin {
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
        });
    }
    let input = PositionsInput::Text(text);
    let what_if = what_if_report(&input, request, market, legs, &with_fees, model, margin)?;
    // The same account, for the Greek bands.
    let book = read_book(&input, request.venue_setting()?);
    let (rows, added, mut errors) = value_rows(&book, market);
    by_line(&mut errors);
    let (paid, _) = pay_premium(&with_fees, &rows, &added, margin);
    // The codes of the combined legs: the book's, then each trade not netted into a position.
    let mut all_codes = codes.to_vec();
    for (row, leg) in rows.iter().zip(&added) {
        if !legs.iter().any(|held| same_contract(held, leg)) {
            all_codes.push(row_code(row));
        }
    }
    let all = combine(legs, added);
    Ok(Verification {
        what_if,
        legs: all,
        codes: all_codes,
        collateral: paid,
    })
}

/// `instrument,size,entry` lines of the trades.
fn what_if_lines(trades: &[(usize, f64)], candidates: &[Candidate]) -> String {
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
fn trade_report(cand: &Candidate, size: f64, _costs: &Costs) -> TradeReport {
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
fn fee_usd(cand: &Candidate, size: f64) -> f64 {
    size.abs() * cand.fee_usd[usize::from(size < 0.0)]
}

/// A Greek summed over legs of a band's key, with (delta) the coin collateral of its underlying.
fn greek_sum(
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
fn nearest(s: &crate::report::SnapshotUnderlying) -> Option<f64> {
    match (s.down.map(|d| -d), s.up) {
        (Some(d), Some(u)) => Some(d.min(u) + 0.0),
        (a, b) => a.or(b).map(|x| x + 0.0),
    }
}

/// Each target before and after the trades.
#[allow(clippy::too_many_arguments)]
fn target_reports(
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
fn ends_at_bound(r: &TargetReport) -> bool {
    let (Some(before), Some(after)) = (r.before, r.after) else {
        return false;
    };
    let moved = (after - before).abs();
    [r.low, r.high]
        .into_iter()
        .flatten()
        .any(|bound| (after - bound).abs() <= 0.1 * moved + 1e-9 * bound.abs().max(1e-12))
}

/// The Greek hedges of every underlying with candidates.
#[allow(clippy::too_many_arguments)]
fn hedges(
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
    let risk = request.risk.clone().unwrap_or_default();
    let vol_of_vol = risk.vol_of_vol.unwrap_or(1.0);
    let spot_vol = risk.correlation.spot_vol.unwrap_or(0.0);

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
            .filter(|d| d.sign > 0.0 && d.leg.underlying == u)
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
                        let t = trade_report(cand, size, costs);
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
