//! Tiered maintenance margin: a table of floors, each with a rate and a deduction (Binance's
//! "maintenance amount", Bybit's `mmDeduction`, Hyperliquid's deduction), chosen by the
//! position's size at the price being valued (venue-margin.md §1.1, §3.1, §4).

use crate::figure::Figure;
use serde::Deserialize;

/// One tier: from `floor` up to the next tier's floor, `MM = notional·rate − deduction`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tier {
    /// Lower bound of the tier, in the table's [`TierBasis`] unit.
    pub floor: f64,
    /// Maintenance-margin rate, fraction.
    pub rate: f64,
    /// Subtracted from `notional·rate`, in the notional's unit (USD for linear contracts, coin for
    /// inverse ones).
    pub deduction: f64,
    /// Highest leverage the tier allows (initial margin at least notional / this).
    pub max_leverage: f64,
}

/// What a tier's floor measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierBasis {
    /// The position's notional at the price valued: USD for linear contracts, coin for inverse
    /// ones (Binance, Bybit, Hyperliquid).
    Notional,
    /// The position's size: coins for linear contracts, USD face for inverse ones (OKX tiers by
    /// contracts, whatever the price).
    Quantity,
}

/// A tier as the request gives it (`params.maintenanceTiers.BTC`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TierInput {
    pub floor_usd: f64,
    pub rate: f64,
    /// Derived by the recursion when absent.
    #[serde(default)]
    pub deduction_usd: Option<f64>,
    /// Default: 1 / (2·rate), the leverage whose initial margin is twice the maintenance.
    #[serde(default)]
    pub max_leverage: Option<f64>,
}

/// A checked tier table: floors ascending from 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TierTable(Vec<Tier>);

impl TierTable {
    /// Builds a table from `(floor, rate, max leverage)` rows, each deduction derived by the
    /// recursion `cum_n = floor_n·(rate_n − rate_(n−1)) + cum_(n−1)`, `cum_1 = 0`, which keeps
    /// the requirement continuous at every floor.
    ///
    /// ```
    /// use headroom::venue::tiers::TierTable;
    /// // Binance's FAQ: "Level 3 = 250,000 × (1 % − 0.5 %) + 50 = 1,300 USDT".
    /// let t = TierTable::derived(&[(0.0, 0.004, 125.0), (50_000.0, 0.005, 100.0), (250_000.0, 0.01, 50.0)]).unwrap();
    /// assert!((t.tier(300_000.0).deduction - 1_300.0).abs() < 1e-9);
    /// ```
    pub fn derived(rows: &[(f64, f64, f64)]) -> Result<TierTable, String> {
        let mut tiers: Vec<Tier> = Vec::with_capacity(rows.len());
        for &(floor, rate, max_leverage) in rows {
            let deduction = match tiers.last() {
                None => 0.0,
                Some(prev) => floor * (rate - prev.rate) + prev.deduction,
            };
            tiers.push(Tier {
                floor,
                rate,
                deduction,
                max_leverage,
            });
        }
        TierTable::new(tiers)
    }

    /// Checks a table given in full.
    pub fn new(tiers: Vec<Tier>) -> Result<TierTable, String> {
        let Some(first) = tiers.first() else {
            return Err("has no tier".into());
        };
        if first.floor != 0.0 {
            return Err(format!(
                "the first tier's floor must be 0, got {}",
                Figure(first.floor)
            ));
        }
        for (i, t) in tiers.iter().enumerate() {
            if !(t.rate.is_finite() && t.rate > 0.0 && t.rate < 1.0) {
                return Err(format!(
                    "tier {}: the rate {} must be a fraction between 0 and 1 (0.005 = 0.5 %)",
                    i + 1,
                    Figure(t.rate)
                ));
            }
            if !(t.deduction.is_finite() && t.deduction >= 0.0) {
                return Err(format!(
                    "tier {}: the deduction {} must be 0 or more",
                    i + 1,
                    Figure(t.deduction)
                ));
            }
            if !(t.max_leverage.is_finite() && t.max_leverage >= 1.0) {
                return Err(format!(
                    "tier {}: the max leverage {} must be 1 or more",
                    i + 1,
                    Figure(t.max_leverage)
                ));
            }
            if i > 0 && !(t.floor.is_finite() && t.floor > tiers[i - 1].floor) {
                return Err(format!(
                    "tier {}: floors must ascend ({} after {})",
                    i + 1,
                    Figure(t.floor),
                    Figure(tiers[i - 1].floor)
                ));
            }
        }
        Ok(TierTable(tiers))
    }

    /// From the request's tiers: deductions derived where absent.
    pub fn from_input(input: &[TierInput]) -> Result<TierTable, String> {
        let mut tiers: Vec<Tier> = Vec::with_capacity(input.len());
        for t in input {
            let deduction = match (t.deduction_usd, tiers.last()) {
                (Some(d), _) => d,
                (None, None) => 0.0,
                (None, Some(prev)) => t.floor_usd * (t.rate - prev.rate) + prev.deduction,
            };
            tiers.push(Tier {
                floor: t.floor_usd,
                rate: t.rate,
                deduction,
                max_leverage: t.max_leverage.unwrap_or(0.5 / t.rate),
            });
        }
        TierTable::new(tiers)
    }

    /// The tier whose range holds `basis` (the last tier beyond every floor).
    pub fn tier(&self, basis: f64) -> Tier {
        let i = self.0.partition_point(|t| t.floor <= basis);
        self.0[i.saturating_sub(1)]
    }

    /// `notional·rate − deduction` of the tier `basis` falls in, never below 0.
    pub fn maintenance(&self, basis: f64, notional: f64) -> f64 {
        let t = self.tier(basis);
        (notional * t.rate - t.deduction).max(0.0)
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.0
    }

    /// Whether `notional·rate − deduction` is convex and continuous in the notional: rates that do
    /// not fall and deductions that follow the recursion (as every derived table does).
    pub fn is_convex(&self) -> bool {
        self.0.windows(2).all(|w| {
            let continuous = w[1].floor * (w[1].rate - w[0].rate) + w[0].deduction;
            w[1].rate >= w[0].rate
                && (w[1].deduction - continuous).abs() <= 1e-9 * w[1].deduction.abs().max(1.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Binance's FAQ table (venue-margin.md §1.1): the recursion gives the published maintenance
    /// amounts 50 and 1,300, and 16,300 and 266,300 further up; the requirement is continuous.
    #[test]
    fn binance_maintenance_amounts_by_the_recursion() {
        let t = TierTable::derived(&[
            (0.0, 0.004, 125.0),
            (50_000.0, 0.005, 100.0),
            (250_000.0, 0.01, 50.0),
            (1_000_000.0, 0.025, 20.0),
            (10_000_000.0, 0.05, 10.0),
        ])
        .unwrap();
        let cum: Vec<f64> = t.tiers().iter().map(|t| t.deduction).collect();
        for (got, want) in cum.iter().zip([0.0, 50.0, 1_300.0, 16_300.0, 266_300.0]) {
            assert!((got - want).abs() < 1e-6, "{cum:?}");
        }
        // FAQ: "264,000 USDT → MMR 1 %".
        assert_eq!(t.tier(264_000.0).rate, 0.01);
        for floor in [50_000.0, 250_000.0, 1e6, 1e7] {
            let below = t.maintenance(floor * (1.0 - 1e-12), floor * (1.0 - 1e-12));
            let at = t.maintenance(floor, floor);
            assert!(
                (below - at).abs() < 1e-6 * at.max(1.0),
                "{floor}: {below} {at}"
            );
        }
    }

    /// Hyperliquid: MM = notional/(2·maxLeverage) − deduction; BTC's second tier (>150M, 20x)
    /// has the deduction 150M·(2.5 % − 1.25 %) = 1,875,000 (venue-margin.md §4).
    #[test]
    fn hyperliquid_btc_second_tier() {
        let t = TierTable::derived(&[(0.0, 1.0 / 80.0, 40.0), (150e6, 1.0 / 40.0, 20.0)]).unwrap();
        assert!((t.tier(2e8).deduction - 1_875_000.0).abs() < 1e-6);
    }

    #[test]
    fn derived_tables_are_convex_and_jumps_are_not() {
        let derived = TierTable::derived(&[(0.0, 0.004, 125.0), (50_000.0, 0.005, 100.0)]).unwrap();
        assert!(derived.is_convex());
        let jump = TierTable::new(vec![
            Tier {
                floor: 0.0,
                rate: 0.004,
                deduction: 0.0,
                max_leverage: 125.0,
            },
            Tier {
                floor: 50_000.0,
                rate: 0.005,
                deduction: 0.0,
                max_leverage: 100.0,
            },
        ])
        .unwrap();
        assert!(!jump.is_convex());
    }

    #[test]
    fn bad_tables_say_what_is_wrong() {
        assert!(TierTable::new(vec![]).unwrap_err().contains("no tier"));
        let e = TierTable::derived(&[(10.0, 0.01, 10.0)]).unwrap_err();
        assert!(e.contains("floor must be 0"), "{e}");
        let e = TierTable::derived(&[(0.0, 0.01, 10.0), (0.0, 0.02, 5.0)]).unwrap_err();
        assert!(e.contains("ascend"), "{e}");
        let e = TierTable::derived(&[(0.0, 1.5, 10.0)]).unwrap_err();
        assert!(e.contains("between 0 and 1"), "{e}");
    }
}
