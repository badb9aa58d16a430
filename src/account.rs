//! The account: collateral plus positions, cross-margined in USD. Equity, margin balance, IM, MM,
//! headroom, and the distance to liquidation of each underlying, found by re-valuing everything.

use crate::margin::StandardMargin;
use crate::valuation::{Leg, LegState};

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
    /// Mark value of long options, not collateral under standard margin.
    pub long_options: f64,
    pub initial: f64,
    pub maintenance: f64,
}

impl AccountState {
    fn add_leg(&mut self, s: &LegState) {
        self.equity += s.value_usd;
        self.long_options += s.long_option_usd;
        self.initial += s.margin.initial;
        self.maintenance += s.margin.maintenance;
    }

    /// What margin is measured against: equity less long options (standard margin).
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

/// The moves of one underlying at which the account reaches liquidation, as signed fractions
/// of its index; `None` when there is none within the searched range.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Liquidation {
    pub down: Option<f64>,
    pub up: Option<f64>,
}

/// Most negative move searched (−99 %).
pub const MOVE_DOWN_LIMIT: f64 = -0.99;
/// Largest positive move searched (+1000 %).
pub const MOVE_UP_LIMIT: f64 = 10.0;
/// Grid step of the scan, in log-price (≈ 1 % moves); a crossing is then bisected.
const SCAN_STEP: f64 = 0.01;
/// Width in log-price at which bisection stops.
const BISECT_TOLERANCE: f64 = 1e-13;

/// An account: legs, collateral and the margin model.
pub struct Account<'a> {
    pub legs: &'a [Leg],
    pub collateral: &'a [Collateral],
    pub margin: &'a StandardMargin,
}

impl Account<'_> {
    /// The account at the valuation.
    pub fn state(&self) -> AccountState {
        let mut state = AccountState {
            equity: self.collateral_usd(|_| true),
            ..AccountState::default()
        };
        for leg in self.legs {
            state.add_leg(&leg.state(1.0, self.margin));
        }
        state
    }

    /// Collateral valued at the index, USD.
    pub fn collateral_usd(&self, include: impl Fn(&Collateral) -> bool) -> f64 {
        self.collateral
            .iter()
            .filter(|c| include(c))
            .fold(0.0, |total, c| total + c.amount * c.price)
    }

    /// The account with the index of `underlying` moved by `factor` (1.0 = unchanged), everything
    /// of that underlying re-valued: options, futures P&L, coin collateral and margin.
    pub fn state_with_move(&self, underlying: &str, factor: f64) -> AccountState {
        let mut state = self.fixed_part(underlying);
        self.add_moving_part(&mut state, underlying, factor);
        state
    }

    fn is_of(c: &Collateral, underlying: &str) -> bool {
        c.underlying.as_deref() == Some(underlying)
    }

    /// Everything that does not move with `underlying`.
    fn fixed_part(&self, underlying: &str) -> AccountState {
        let mut state = AccountState {
            equity: self.collateral_usd(|c| !Self::is_of(c, underlying)),
            ..AccountState::default()
        };
        for leg in self.legs.iter().filter(|l| l.underlying != underlying) {
            state.add_leg(&leg.state(1.0, self.margin));
        }
        state
    }

    fn add_moving_part(&self, state: &mut AccountState, underlying: &str, factor: f64) {
        state.equity += factor * self.collateral_usd(|c| Self::is_of(c, underlying));
        for leg in self.legs.iter().filter(|l| l.underlying == underlying) {
            state.add_leg(&leg.state(factor, self.margin));
        }
    }

    /// The smallest moves of `underlying` alone, down and up, at which MM usage reaches 100 %.
    /// Zero both ways when the account is liquidatable already.
    pub fn liquidation(&self, underlying: &str) -> Liquidation {
        let fixed = self.fixed_part(underlying);
        let liquidated = |m: f64| {
            let mut state = fixed;
            self.add_moving_part(&mut state, underlying, 1.0 + m);
            state.is_liquidatable()
        };
        Liquidation {
            down: first_crossing(&liquidated, MOVE_DOWN_LIMIT),
            up: first_crossing(&liquidated, MOVE_UP_LIMIT),
        }
    }
}

/// Scans moves from 0 towards `limit` in steps of ≈ 1 % (uniform in log-price) and bisects the
/// first step where `liquidated` turns true. Returns the move on the liquidated side of the
/// bracket, so re-valuing there shows MM usage at (or a hair past) 100 %.
fn first_crossing(liquidated: &impl Fn(f64) -> bool, limit: f64) -> Option<f64> {
    if liquidated(0.0) {
        return Some(0.0);
    }
    let end = (1.0 + limit).ln();
    let steps = (end.abs() / SCAN_STEP).ceil().max(1.0) as usize;
    let mut safe = 0.0_f64;
    for k in 1..=steps {
        let x = end * k as f64 / steps as f64;
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
        safe = x;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_of_a_step_function_is_found_to_tolerance() {
        let at = -0.2345;
        let m = first_crossing(&|m: f64| m <= at, MOVE_DOWN_LIMIT).unwrap();
        assert!((m - at).abs() < 1e-12, "{m}");
        let up = first_crossing(&|m: f64| m >= 3.21, MOVE_UP_LIMIT).unwrap();
        assert!((up - 3.21).abs() < 1e-11, "{up}");
        assert_eq!(first_crossing(&|_| false, MOVE_UP_LIMIT), None);
        assert_eq!(first_crossing(&|_| true, MOVE_UP_LIMIT), Some(0.0));
    }
}
