//! The account: collateral plus positions, cross-margined in USD. Equity, margin balance, IM, MM,
//! headroom, and the distance to liquidation, found by re-valuing everything, margin included,
//! under the chosen model.

use crate::margin::MarginModel;
use crate::valuation::Leg;

/// Collateral held in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Collateral {
    pub currency: String,
    /// Units of the currency (coins, or USD for USD stablecoins).
    pub amount: f64,
    /// USD per unit at the valuation.
    pub price: f64,
    /// The underlying whose index prices it; `None` for USD stablecoins.
    pub underlying: Option<String>,
}

/// Totals of the account at one market state, USD.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AccountState {
    pub equity: f64,
    /// Mark value of long options left out of the margin balance (standard margin only).
    pub long_options: f64,
    pub initial: f64,
    pub maintenance: f64,
}

impl AccountState {
    fn add(&mut self, other: &AccountState) {
        self.equity += other.equity;
        self.long_options += other.long_options;
        self.initial += other.initial;
        self.maintenance += other.maintenance;
    }

    /// What margin is measured against: equity, less long options under standard margin.
    pub fn margin_balance(&self) -> f64 {
        self.equity - self.long_options
    }

    /// MM / margin balance; `None` when the margin balance is not positive.
    pub fn mm_usage(&self) -> Option<f64> {
        let balance = self.margin_balance();
        (balance > 0.0).then(|| self.maintenance / balance)
    }

    /// Liquidation starts when MM usage reaches 100 % (or the margin balance is negative).
    pub fn is_liquidatable(&self) -> bool {
        let balance = self.margin_balance();
        (self.maintenance > 0.0 && balance <= self.maintenance) || balance < 0.0
    }
}

/// The moves at which the account reaches liquidation, as signed fractions of the index; `None`
/// when there is none within the searched range.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Liquidation {
    pub down: Option<f64>,
    pub up: Option<f64>,
}

/// Most negative move searched (−99 %).
pub const MOVE_DOWN_LIMIT: f64 = -0.99;
/// Largest positive move searched (+1000 %).
pub const MOVE_UP_LIMIT: f64 = 10.0;
/// First step of the scan, in log-price (≈ 1 % move); a crossing is then bisected.
const SCAN_STEP: f64 = 0.01;
/// Each further step is this much longer: fine near the current price, coarser far from it
/// (≈ 40 evaluations to −99 % and ≈ 30 to +1000 % instead of ≈ 700 at a fixed 1 %).
const SCAN_GROWTH: f64 = 1.15;
/// Width in log-price at which bisection stops.
const BISECT_TOLERANCE: f64 = 1e-11;

/// An account: legs grouped by underlying, collateral and the margin model.
pub struct Account<'a> {
    pub collateral: &'a [Collateral],
    pub model: &'a MarginModel,
    /// Every underlying with legs or coin collateral, and its legs.
    groups: Vec<(String, Vec<&'a Leg>)>,
}

impl<'a> Account<'a> {
    pub fn new(legs: &'a [Leg], collateral: &'a [Collateral], model: &'a MarginModel) -> Self {
        let mut groups: Vec<(String, Vec<&Leg>)> = Vec::new();
        let names = legs
            .iter()
            .map(|l| l.underlying.clone())
            .chain(collateral.iter().filter_map(|c| c.underlying.clone()));
        for name in names {
            if !groups.iter().any(|(u, _)| *u == name) {
                groups.push((name, Vec::new()));
            }
        }
        for leg in legs {
            if let Some((_, group)) = groups.iter_mut().find(|(u, _)| *u == leg.underlying) {
                group.push(leg);
            }
        }
        Account {
            collateral,
            model,
            groups,
        }
    }

    /// The underlyings of the account.
    pub fn underlyings(&self) -> impl Iterator<Item = (&str, &[&'a Leg])> {
        self.groups
            .iter()
            .map(|(u, legs)| (u.as_str(), legs.as_slice()))
    }

    /// Collateral valued at the index, USD.
    pub fn collateral_usd(&self, include: impl Fn(&Collateral) -> bool) -> f64 {
        self.collateral
            .iter()
            .filter(|c| include(c))
            .fold(0.0, |total, c| total + c.amount * c.price)
    }

    fn stablecoins(&self) -> AccountState {
        AccountState {
            equity: self.collateral_usd(|c| c.underlying.is_none()),
            ..AccountState::default()
        }
    }

    /// One underlying's share of the account with its index at `factor` times its level.
    fn part(&self, underlying: &str, legs: &[&Leg], factor: f64) -> AccountState {
        let collateral =
            factor * self.collateral_usd(|c| c.underlying.as_deref() == Some(underlying));
        let mut state = AccountState {
            equity: collateral,
            ..AccountState::default()
        };
        for leg in legs {
            let value = leg.value_usd(factor, &|o| o.vol);
            state.equity += value;
            if self.model.excludes_long_options() && leg.option().is_some_and(|o| o.coins > 0.0) {
                state.long_options += value.max(0.0);
            }
        }
        let requirement = self.model.requirement(underlying, legs, factor);
        state.initial = requirement.initial;
        state.maintenance = requirement.maintenance;
        state
    }

    /// The account with each underlying's index at `factor_of(underlying)` times its level.
    pub fn state_with(&self, factor_of: impl Fn(&str) -> f64) -> AccountState {
        let mut state = self.stablecoins();
        for (u, legs) in &self.groups {
            state.add(&self.part(u, legs, factor_of(u)));
        }
        state
    }

    /// The account at the valuation.
    pub fn state(&self) -> AccountState {
        self.state_with(|_| 1.0)
    }

    /// The smallest moves of `underlying` alone, down and up, at which MM usage reaches 100 %,
    /// everything of it re-valued: options, futures P&L, coin collateral and the margin itself.
    /// Zero both ways when the account is liquidatable already.
    pub fn liquidation(&self, underlying: &str) -> Liquidation {
        let mut fixed = self.stablecoins();
        for (u, legs) in self.groups.iter().filter(|(u, _)| u != underlying) {
            fixed.add(&self.part(u, legs, 1.0));
        }
        let legs = self
            .groups
            .iter()
            .find(|(u, _)| u == underlying)
            .map(|(_, l)| l.as_slice())
            .unwrap_or(&[]);
        let liquidated = |m: f64| {
            let mut state = fixed;
            state.add(&self.part(underlying, legs, 1.0 + m));
            state.is_liquidatable()
        };
        Liquidation {
            down: first_crossing(&liquidated, MOVE_DOWN_LIMIT),
            up: first_crossing(&liquidated, MOVE_UP_LIMIT),
        }
    }

    /// The smallest common move of every underlying's index at which MM usage reaches 100 %.
    pub fn liquidation_all(&self) -> Liquidation {
        let liquidated = |m: f64| self.state_with(|_| 1.0 + m).is_liquidatable();
        Liquidation {
            down: first_crossing(&liquidated, MOVE_DOWN_LIMIT),
            up: first_crossing(&liquidated, MOVE_UP_LIMIT),
        }
    }
}

/// Scans moves from 0 towards `limit` in log-price steps starting at ≈ 1 % and growing by
/// [`SCAN_GROWTH`], and bisects the first step where `liquidated` turns true. Returns the move on
/// the liquidated side of the bracket, so re-valuing there shows MM usage at (or a hair past)
/// 100 %. A liquidation window narrower than the local step (≈ 1 % near the current price, a few
/// percent beyond ±30 %) and then safe again could be stepped over.
fn first_crossing(liquidated: &impl Fn(f64) -> bool, limit: f64) -> Option<f64> {
    if liquidated(0.0) {
        return Some(0.0);
    }
    let end = (1.0 + limit).ln();
    let mut safe = 0.0_f64;
    let mut step = SCAN_STEP;
    loop {
        let x = if (safe + end.signum() * step).abs() >= end.abs() {
            end
        } else {
            safe + end.signum() * step
        };
        step *= SCAN_GROWTH;
        if liquidated(x.exp_m1()) {
            let mut hit = x;
            while (hit - safe).abs() > BISECT_TOLERANCE {
                let mid = 0.5 * (safe + hit);
                if mid == safe || mid == hit {
                    break;
                }
                if liquidated(mid.exp_m1()) {
                    hit = mid;
                } else {
                    safe = mid;
                }
            }
            return Some(hit.exp_m1());
        }
        if x == end {
            return None;
        }
        safe = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_of_a_step_function_is_found_to_tolerance() {
        let at = -0.2345;
        let m = first_crossing(&|m: f64| m <= at, MOVE_DOWN_LIMIT).unwrap();
        assert!((m - at).abs() < 1e-10, "{m}");
        let up = first_crossing(&|m: f64| m >= 3.21, MOVE_UP_LIMIT).unwrap();
        assert!((up - 3.21).abs() < 1e-9, "{up}");
        // The scan reaches the limits exactly.
        assert_eq!(
            first_crossing(&|m: f64| m <= -0.99, MOVE_DOWN_LIMIT).map(|m| (m + 0.99).abs() < 1e-9),
            Some(true)
        );
        assert_eq!(first_crossing(&|_| false, MOVE_UP_LIMIT), None);
        assert_eq!(first_crossing(&|_| true, MOVE_UP_LIMIT), Some(0.0));
    }
}
