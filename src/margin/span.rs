//! SPAN-16 (CME's classic scan, margin.md §3) as a venue-neutral model with the user's parameters.
//!
//! Per underlying, in USD: 14 scenarios (price 0, ±1/3, ±2/3, ±1 of the price scan range, each with
//! volatility up and down by the vol scan range) and two extreme moves of ±2 ranges with volatility
//! unchanged whose loss counts at 35 %. Scan risk = worst loss. The requirement is
//! max(scan risk + inter-month spread charge, short-option minimum), measured against equity
//! (option values included): CME's "requirement − net option value against cash" moved to the
//! other side.

use super::portfolio::{Scenario, VolScenario};
use crate::figure::Figure;
use crate::kernel::{Kernel, Move};
use serde::{Deserialize, Serialize};

/// SPAN parameters, one set for every underlying.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpanParams {
    /// Price scan range, fraction of the index.
    #[serde(default = "default_psr")]
    pub price_scan_range: f64,
    /// Volatility scan range, absolute (0.1 = 10 vol points).
    #[serde(default = "default_vsr")]
    pub vol_scan_range: f64,
    /// Share of an extreme move's loss that counts.
    #[serde(default = "default_extreme")]
    pub extreme_cover: f64,
    /// Short-option minimum per coin of short options, fraction of the index.
    #[serde(default = "default_som")]
    pub short_option_minimum: f64,
    /// Inter-month spread charge, USD per coin of futures offset across expiries.
    #[serde(default)]
    pub spread_charge: f64,
    /// IM = requirement × this; MM = requirement.
    #[serde(default = "default_initial_factor")]
    pub initial_factor: f64,
}

fn default_psr() -> f64 {
    0.15
}
fn default_vsr() -> f64 {
    0.10
}
fn default_extreme() -> f64 {
    0.35
}
fn default_som() -> f64 {
    0.01
}
fn default_initial_factor() -> f64 {
    1.0
}

impl Default for SpanParams {
    fn default() -> Self {
        SpanParams {
            price_scan_range: default_psr(),
            vol_scan_range: default_vsr(),
            extreme_cover: default_extreme(),
            short_option_minimum: default_som(),
            spread_charge: 0.0,
            initial_factor: default_initial_factor(),
        }
    }
}

impl SpanParams {
    pub fn validate(&self) -> Result<(), String> {
        let all = [
            self.price_scan_range,
            self.vol_scan_range,
            self.extreme_cover,
            self.short_option_minimum,
            self.spread_charge,
            self.initial_factor,
        ];
        if !all.iter().all(|v| v.is_finite() && *v >= 0.0) {
            return Err("every SPAN parameter must be a non-negative number".into());
        }
        if !(self.price_scan_range > 0.0 && self.price_scan_range < 0.5) {
            return Err(format!(
                "priceScanRange must be between 0 and 0.5 (twice it is the extreme move), got {}",
                Figure(self.price_scan_range)
            ));
        }
        if self.initial_factor < 1.0 {
            return Err("initialFactor must be at least 1".into());
        }
        Ok(())
    }
}

/// One underlying's SPAN requirement, USD.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanMargin {
    pub scan_risk: f64,
    pub worst_scenario: Option<Scenario>,
    pub spread_charge: f64,
    pub short_option_minimum: f64,
    pub initial: f64,
    pub maintenance: f64,
    pub scenarios: Vec<Scenario>,
}

/// Fills the kernel's shocked-volatility columns with the vol scan range up and down.
pub fn prepare(kernel: &mut Kernel, p: &SpanParams) {
    let o = &kernel.options;
    kernel.vol_up = o.total_vols(|i| o.vol[i] + p.vol_scan_range);
    kernel.vol_down = o.total_vols(|i| o.vol[i] - p.vol_scan_range);
}

/// SPAN of one underlying's derivatives with its index at `factor` times its level. The kernel
/// must have been [`prepare`]d with the same parameters.
pub fn underlying_margin(kernel: &Kernel, factor: f64, p: &SpanParams) -> SpanMargin {
    let base = kernel.derivatives_value(&Move::new(factor), &kernel.options.total_vol);
    let pnl_at = |m: f64, vols: &[f64]| {
        kernel.derivatives_value(&Move::new(factor * (1.0 + m)), vols) - base
    };
    let mut scenarios = Vec::with_capacity(16);
    for fraction in [0.0, 1.0 / 3.0, -1.0 / 3.0, 2.0 / 3.0, -2.0 / 3.0, 1.0, -1.0] {
        let m = fraction * p.price_scan_range;
        for (vol, vols) in [
            (VolScenario::Up, &kernel.vol_up),
            (VolScenario::Down, &kernel.vol_down),
        ] {
            scenarios.push(Scenario {
                price_move: m,
                vol,
                extended: false,
                pnl: pnl_at(m, vols),
            });
        }
    }
    for m in [2.0 * p.price_scan_range, -2.0 * p.price_scan_range] {
        scenarios.push(Scenario {
            price_move: m,
            vol: VolScenario::Unchanged,
            extended: true,
            pnl: p.extreme_cover * pnl_at(m, &kernel.options.total_vol),
        });
    }
    let worst_scenario = scenarios
        .iter()
        .copied()
        .filter(|s| s.pnl < 0.0)
        .min_by(|a, b| a.pnl.total_cmp(&b.pnl));
    let scan_risk = worst_scenario.map_or(0.0, |s| -s.pnl);

    let index = kernel.index * factor;
    let short_option_coins: f64 = kernel
        .options
        .coins
        .iter()
        .filter(|c| **c < 0.0)
        .map(|c| -c)
        .sum();
    let short_option_minimum = p.short_option_minimum * index * short_option_coins;
    // Futures offset across expiries: the smaller of the long and the short side, in coins (USD
    // deltas of futures do not move with the index).
    let long: f64 = kernel
        .future_usd_delta
        .iter()
        .map(|(_, n)| n.max(0.0))
        .sum();
    let short: f64 = kernel
        .future_usd_delta
        .iter()
        .map(|(_, n)| (-n).max(0.0))
        .sum();
    let spread_charge = p.spread_charge * long.min(short);

    let requirement = (scan_risk + spread_charge).max(short_option_minimum);
    SpanMargin {
        scan_risk,
        worst_scenario,
        spread_charge,
        short_option_minimum,
        initial: requirement * p.initial_factor,
        maintenance: requirement,
        scenarios,
    }
}
