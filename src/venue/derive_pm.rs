//! Derive's Portfolio Margin Risk Manager (v1): `PMRM.sol` and `PMRMLib.sol` of derivexyz/v2-core
//! (venue-margin.md §6.2). One market per subaccount: options, a perpetual, the base asset and
//! cash. MM = the worst of the scenarios' losses (spot × vol shocks, each expiry re-valued and
//! discounted) and the basis contingency, less the static contingencies, plus the mark-to-market
//! and cash; IM scales that loss by the IM factor (and the stablecoin's peg loss) and subtracts
//! the oracle-confidence contingency.

use super::derive::{Confidence, FULL};
use crate::pricing::black::{undiscounted_black, OptionKind};

/// `IPMRMLib`'s four parameter groups, fractions (`dte_floor_days` in days).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PmrmParams {
    pub scenario_spot_up: f64,
    pub scenario_spot_down: f64,
    pub basis_cont_add_factor: f64,
    pub basis_cont_mult_factor: f64,
    pub peg_loss_threshold: f64,
    pub peg_loss_factor: f64,
    pub conf_threshold: Confidence,
    pub conf_margin: f64,
    pub base_percent: f64,
    pub perp_percent: f64,
    pub option_percent: f64,
    pub im_factor: f64,
    pub base_static_discount: f64,
    pub rate_mult_scale: f64,
    pub rate_add_scale: f64,
    pub vol_range_up: f64,
    pub vol_range_down: f64,
    pub short_term_power: f64,
    pub long_term_power: f64,
    pub dte_floor_days: f64,
}

/// How a scenario shocks the vols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolShock {
    Up,
    None,
    Down,
}

/// A spot shock (a factor, 1.15 = +15 %) with a vol shock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    pub spot: f64,
    pub vol: VolShock,
}

/// The 21 scenarios of the repository's test configuration: spot ±15 % by 5 %, each with the vols
/// up, unchanged and down.
pub fn test_scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    for spot in [1.15, 1.1, 1.05, 1.0, 0.95, 0.9, 0.85] {
        for vol in [VolShock::Up, VolShock::None, VolShock::Down] {
            out.push(Scenario { spot, vol });
        }
    }
    out
}

/// One option of an expiry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PmOption {
    pub strike: f64,
    pub call: bool,
    /// Signed, coins.
    pub amount: f64,
    pub vol: f64,
    /// The vol feed's confidence for this strike (the feed keeps one per expiry).
    pub confidence: Confidence,
}

/// One expiry: its forward (all of it moves with the spot shock), time, rate and confidences.
#[derive(Clone, Debug, PartialEq)]
pub struct PmExpiry {
    pub forward: f64,
    pub forward_confidence: Confidence,
    pub rate: f64,
    pub rate_confidence: Confidence,
    /// Seconds to expiry.
    pub seconds: f64,
    pub options: Vec<PmOption>,
}

/// One PMRM subaccount.
#[derive(Clone, Debug, PartialEq)]
pub struct PmPortfolio {
    pub spot: f64,
    pub spot_confidence: Confidence,
    pub stable_price: f64,
    pub cash: f64,
    /// Signed coins; the perp's price and confidence; its unsettled P&L and funding (USD).
    pub perp: f64,
    pub perp_price: f64,
    pub perp_confidence: Confidence,
    pub perp_value: f64,
    /// Coins of the base asset held.
    pub base: f64,
    pub expiries: Vec<PmExpiry>,
}

const YEAR_SECONDS: f64 = 31_536_000.0;
const THIRTY_DAYS: f64 = 30.0 * 86_400.0;

fn confidence_fraction(c: Confidence) -> f64 {
    c.min(FULL) as f64 / FULL as f64
}

/// The expiry's options at a spot shock and a vol multiplier.
fn expiry_mtm(e: &PmExpiry, spot_shock: f64, vol_shock: f64) -> f64 {
    let forward = e.forward * spot_shock;
    let years = e.seconds / YEAR_SECONDS;
    e.options
        .iter()
        .map(|o| {
            let kind = if o.call {
                OptionKind::Call
            } else {
                OptionKind::Put
            };
            undiscounted_black(kind, forward, o.strike, years, o.vol * vol_shock) * o.amount
        })
        .sum()
}

/// Options of an expiry short without an offsetting option of the same strike (the contract's
/// pairwise filter, in its order).
fn naked_shorts(options: &[PmOption]) -> f64 {
    let mut seen = vec![false; options.len()];
    let mut naked = 0.0;
    for i in 0..options.len() {
        if seen[i] {
            continue;
        }
        let a = options[i].amount;
        let mut found = false;
        for j in i + 1..options.len() {
            if options[j].strike != options[i].strike {
                continue;
            }
            seen[j] = true;
            let b = options[j].amount;
            if a * b < 0.0 {
                naked += if a < 0.0 {
                    a.abs() - (-a).min(b)
                } else {
                    b.abs() - a.min(-b)
                };
            } else if a < 0.0 {
                naked += a.abs() + b.abs();
            }
            found = true;
        }
        if !found && a < 0.0 {
            naked += a.abs();
        }
    }
    naked
}

/// The margin (IM when `initial`) and the mark-to-market, USD: `PMRMLib.getMarginAndMarkToMarket`
/// after `addPrecomputes`. Negative margin: short of margin.
pub fn margin(
    p: &PmPortfolio,
    params: &PmrmParams,
    scenarios: &[Scenario],
    initial: bool,
) -> (f64, f64) {
    let mut min_confidence = p.spot_confidence;
    if p.perp != 0.0 {
        min_confidence = min_confidence.min(p.perp_confidence);
    }
    let base_value = p.base * p.spot / p.stable_price;
    let mut total_mtm = base_value + p.perp_value;
    let mut static_contingency =
        (p.perp.abs() * params.perp_percent + p.base * params.base_percent) * p.spot;
    let confidence_contingency = |confidence: Confidence, amount: f64| {
        if confidence < params.conf_threshold {
            (1.0 - confidence_fraction(confidence)) * params.conf_margin * amount * p.spot
        } else {
            0.0
        }
    };
    let mut confidence_cont = confidence_contingency(min_confidence, p.perp.abs() + p.base);
    let mut basis_contingency = 0.0;
    // Per expiry: today's MtM, the basis scenarios, the vol shocks and the static discount.
    let mut precomputed = Vec::with_capacity(p.expiries.len());
    for e in &p.expiries {
        let mut expiry_confidence = e.forward_confidence.min(e.rate_confidence);
        for o in &e.options {
            expiry_confidence = expiry_confidence.min(o.confidence);
        }
        expiry_confidence = expiry_confidence.min(min_confidence);
        let mtm = expiry_mtm(e, 1.0, 1.0);
        total_mtm += mtm;
        let up = expiry_mtm(e, params.scenario_spot_up, 1.0);
        let down = expiry_mtm(e, params.scenario_spot_down, 1.0);
        let years = e.seconds / YEAR_SECONDS;
        basis_contingency += (up - mtm).min(down - mtm).min(0.0)
            * (params.basis_cont_add_factor + params.basis_cont_mult_factor * years);
        let tau = THIRTY_DAYS / e.seconds.max(params.dte_floor_days * 86_400.0);
        let power = if e.seconds <= THIRTY_DAYS {
            params.short_term_power
        } else {
            params.long_term_power
        };
        let mult = tau.powf(power);
        let vol_up = 1.0 + params.vol_range_up * mult;
        let vol_down = (1.0 - params.vol_range_down * mult).max(0.0);
        let rate = e.rate.max(0.0);
        let shock_rate = rate * params.rate_mult_scale + params.rate_add_scale;
        let discount = params.base_static_discount * (-years * shock_rate).exp();
        static_contingency += naked_shorts(&e.options) * params.option_percent * p.spot;
        let net_options: f64 = e.options.iter().map(|o| o.amount.abs()).sum();
        confidence_cont += confidence_contingency(expiry_confidence, net_options);
        precomputed.push((mtm, up, down, vol_up, vol_down, discount));
    }
    // The worst scenario, each expiry's shocked value discounted where it is a gain.
    let mut min_span = basis_contingency;
    for s in scenarios {
        let mut scenario_mtm = 0.0;
        for (e, &(mtm, up, down, vol_up, vol_down, discount)) in p.expiries.iter().zip(&precomputed)
        {
            let shocked = match s.vol {
                VolShock::None if s.spot == 1.0 => mtm,
                VolShock::None if s.spot == params.scenario_spot_up => up,
                VolShock::None if s.spot == params.scenario_spot_down => down,
                VolShock::None => expiry_mtm(e, s.spot, 1.0),
                VolShock::Up => expiry_mtm(e, s.spot, vol_up),
                VolShock::Down => expiry_mtm(e, s.spot, vol_down),
            };
            let discounted = if shocked > 0.0 {
                shocked * discount
            } else {
                shocked
            };
            scenario_mtm += discounted - mtm;
        }
        let shocked_base = p.base * p.spot * s.spot / p.stable_price;
        let shocked_perp = if p.perp == 0.0 {
            0.0
        } else {
            p.perp * (s.spot - 1.0) * p.perp_price
        };
        scenario_mtm += shocked_base + shocked_perp - base_value;
        min_span = min_span.min(scenario_mtm);
    }
    min_span -= static_contingency;
    if initial {
        let mut factor = params.im_factor;
        if p.stable_price < params.peg_loss_threshold {
            factor += (params.peg_loss_threshold - p.stable_price) * params.peg_loss_factor;
        }
        min_span = min_span * factor - confidence_cont;
    }
    (min_span + total_mtm + p.cash, total_mtm + p.cash)
}
