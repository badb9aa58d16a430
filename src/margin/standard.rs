//! Standard (per-position) margin, margin.md §1: Deribit inverse options and futures (futures rule
//! of 11 January 2022) and the "linear-standard" pack for USD-settled options.
//!
//! Everything here is per position and in USD. Deribit states the inverse option rule per coin in
//! coin; multiplied by the index it is exactly the linear rule in USD, since `mark_coin·S = mark_usd`
//! and `max(0.075, 0.075·mark_coin)·S = max(0.075·S, 0.075·mark_usd)`.

use crate::kernel::{Kernel, Move, Pool};
use crate::pricing::black::OptionKind;

/// Short-option margin constants (fractions of the index).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptionMarginParams {
    /// 0.15: IM before the out-of-the-money reduction.
    pub initial: f64,
    /// 0.10: the floor of IM after that reduction.
    pub initial_floor: f64,
    /// 0.075: MM.
    pub maintenance: f64,
}

/// Futures and perpetual margin: a fraction of position value growing with size in coin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FuturesMarginParams {
    pub initial: f64,
    pub maintenance: f64,
    /// Added to both rates per coin of position size (0.005 % per BTC = 0.00005).
    pub per_coin: f64,
}

impl FuturesMarginParams {
    /// Margin of a position of `coins` coins (unsigned size) worth `value_usd` (unsigned).
    pub fn requirement(&self, coins: f64, value_usd: f64) -> Requirement {
        let growth = coins.abs() * self.per_coin;
        Requirement {
            initial: (self.initial + growth) * value_usd.abs(),
            maintenance: (self.maintenance + growth) * value_usd.abs(),
        }
    }
}

/// A standard-margin parameter pack.
#[derive(Clone, Debug, PartialEq)]
pub struct StandardMargin {
    pub name: &'static str,
    pub options: OptionMarginParams,
    /// Futures terms by underlying; others use `futures_default`.
    pub futures: Vec<(&'static str, FuturesMarginParams)>,
    pub futures_default: FuturesMarginParams,
}

/// Initial and maintenance margin of one position, in USD.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Requirement {
    pub initial: f64,
    pub maintenance: f64,
}

impl Requirement {
    pub fn add(&mut self, other: Requirement) {
        self.initial += other.initial;
        self.maintenance += other.maintenance;
    }
}

impl StandardMargin {
    /// Deribit's published standard margin (options; futures since 11 January 2022). Underlyings
    /// other than BTC, ETH and SOL use SOL's terms, the most conservative published.
    pub fn deribit() -> Self {
        let sol = FuturesMarginParams {
            initial: 0.04,
            maintenance: 0.02,
            per_coin: 0.000005,
        };
        StandardMargin {
            name: "deribit-standard (options; futures since 2022-01-11)",
            options: OptionMarginParams {
                initial: 0.15,
                initial_floor: 0.10,
                maintenance: 0.075,
            },
            futures: vec![
                (
                    "BTC",
                    FuturesMarginParams {
                        initial: 0.02,
                        maintenance: 0.01,
                        per_coin: 0.00005,
                    },
                ),
                (
                    "ETH",
                    FuturesMarginParams {
                        initial: 0.02,
                        maintenance: 0.01,
                        per_coin: 0.000004,
                    },
                ),
                ("SOL", sol),
            ],
            futures_default: sol,
        }
    }

    /// Margin of a short option position of `coins` (> 0) coins, given the index and the
    /// option's mark per coin in USD. Long options need no margin: call with the short size only.
    ///
    /// ```
    /// use headroom::margin::StandardMargin;
    /// use headroom::pricing::black::OptionKind;
    /// // Short 1 BTC call, strike 100,000, index 90,000, mark 900 USD (0.01 BTC):
    /// // IM = max(0.15 − 10,000/90,000, 0.10) + 0.01 = 0.11 BTC = 9,900 USD; MM = 0.085 BTC = 7,650 USD.
    /// let r = StandardMargin::deribit().short_option(OptionKind::Call, 1.0, 90_000.0, 100_000.0, 900.0);
    /// assert!((r.initial - 9_900.0).abs() < 1e-9 && (r.maintenance - 7_650.0).abs() < 1e-9);
    /// ```
    pub fn short_option(
        &self,
        kind: OptionKind,
        coins: f64,
        index: f64,
        strike: f64,
        mark_usd: f64,
    ) -> Requirement {
        let p = self.options;
        let otm = match kind {
            OptionKind::Call => (strike - index).max(0.0),
            OptionKind::Put => (index - strike).max(0.0),
        };
        let base = (p.initial * index - otm).max(p.initial_floor * index) + mark_usd;
        let (initial, maintenance) = match kind {
            OptionKind::Call => (base, p.maintenance * index + mark_usd),
            OptionKind::Put => {
                let mm = (p.maintenance * index).max(p.maintenance * mark_usd) + mark_usd;
                (base.max(mm), mm)
            }
        };
        Requirement {
            initial: initial * coins,
            maintenance: maintenance * coins,
        }
    }

    /// Margin of a futures or perpetual position of `coins` coins (unsigned size in coin) worth
    /// `value_usd` (unsigned).
    ///
    /// ```
    /// use headroom::margin::StandardMargin;
    /// // Deribit's linear perpetual article: 25 BTC at 100,000 → IM 2.125 % = 53,125 USDC.
    /// let r = StandardMargin::deribit().future("BTC", 25.0, 2_500_000.0);
    /// assert!((r.initial - 53_125.0).abs() < 1e-6 && (r.maintenance - 28_125.0).abs() < 1e-6);
    /// ```
    pub fn future(&self, underlying: &str, coins: f64, value_usd: f64) -> Requirement {
        self.futures_params(underlying)
            .requirement(coins, value_usd)
    }

    /// Margin of one underlying's legs with the index at `factor` times its level: short
    /// options per contract (the rule is linear in size), futures and perpetuals per position.
    pub fn requirement(&self, underlying: &str, kernel: &Kernel, factor: f64) -> Requirement {
        let m = Move::new(factor);
        let o = &kernel.options;
        self.requirement_at(underlying, kernel, factor, |i| o.price(i, &m, &o.total_vol))
    }

    /// [`StandardMargin::requirement`] given each contract's price at `factor` (the kernel's
    /// [`crate::kernel::Options::priced`] there), instead of pricing the short options again.
    pub fn requirement_priced(
        &self,
        underlying: &str,
        kernel: &Kernel,
        factor: f64,
        priced: &[(f64, f64)],
    ) -> Requirement {
        self.requirement_at(underlying, kernel, factor, |i| priced[i].0)
    }

    fn requirement_at(
        &self,
        underlying: &str,
        kernel: &Kernel,
        factor: f64,
        price_of: impl Fn(usize) -> f64,
    ) -> Requirement {
        let index = kernel.index * factor;
        let o = &kernel.options;
        let mut total = Requirement::default();
        for i in 0..o.len() {
            if o.coins[i] < 0.0 {
                let price = price_of(i);
                let kind = if o.call[i] {
                    OptionKind::Call
                } else {
                    OptionKind::Put
                };
                total.add(self.short_option(kind, -o.coins[i], index, o.strike[i], price));
            }
        }
        let p = self.futures_params(underlying);
        for f in &kernel.future_positions {
            let mark = f.mark_ratio * index;
            let (coins, value) = match f.pool {
                Pool::Inverse => (f.amount.abs() / mark, f.amount.abs() / mark * index),
                Pool::Linear => (f.amount.abs(), f.amount.abs() * mark),
            };
            total.add(p.requirement(coins, value));
        }
        total
    }

    pub fn futures_params(&self, underlying: &str) -> FuturesMarginParams {
        self.futures
            .iter()
            .find(|(u, _)| *u == underlying)
            .map(|(_, p)| *p)
            .unwrap_or(self.futures_default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    /// margin.md / test-vectors.md: Deribit's published futures examples.
    #[test]
    fn futures_margin_matches_deribit_examples() {
        let m = StandardMargin::deribit();
        let big = m.future("BTC", 350.0, 350.0 * 100_000.0);
        assert!(close(big.initial, 1_312_500.0), "{big:?}");
        let sol = m.future("SOL", 6_000.0, 6_000.0 * 200.0);
        assert!(close(sol.initial, 84_000.0), "{sol:?}");
    }

    /// Worked by hand from margin.md §1: short put, strike 80,000, index 90,000, mark 450 USD.
    /// OTM = 10,000; IM = max(13,500 − 10,000, 9,000) + 450 = 9,450; MM = max(6,750, 33.75) + 450
    /// = 7,200; per coin, × 2 coins.
    #[test]
    fn short_put_by_hand() {
        let r =
            StandardMargin::deribit().short_option(OptionKind::Put, 2.0, 90_000.0, 80_000.0, 450.0);
        assert!(
            close(r.initial, 18_900.0) && close(r.maintenance, 14_400.0),
            "{r:?}"
        );
    }

    /// In the money the reduction vanishes: short call K = 80,000 at S = 90,000, mark 11,000.
    /// IM = 0.15·90,000 + 11,000 = 24,500; MM = 6,750 + 11,000 = 17,750.
    #[test]
    fn short_call_in_the_money_by_hand() {
        let r = StandardMargin::deribit().short_option(
            OptionKind::Call,
            1.0,
            90_000.0,
            80_000.0,
            11_000.0,
        );
        assert!(
            close(r.initial, 24_500.0) && close(r.maintenance, 17_750.0),
            "{r:?}"
        );
    }

    /// A put so deep in the money that MM exceeds the IM formula: IM is raised to MM.
    /// S = 1,000, K = 100,000 (absurd, to force it), mark 99,000: base IM = 150 + 99,000;
    /// MM = max(75, 7,425) + 99,000 = 106,425 > 99,150, so IM = 106,425.
    #[test]
    fn put_initial_margin_never_below_maintenance() {
        let r = StandardMargin::deribit().short_option(
            OptionKind::Put,
            1.0,
            1_000.0,
            100_000.0,
            99_000.0,
        );
        assert!(
            close(r.initial, 106_425.0) && close(r.maintenance, 106_425.0),
            "{r:?}"
        );
    }
}
