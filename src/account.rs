//! The account: collateral plus positions, cross-margined in USD. Equity, margin balance, IM, MM,
//! headroom, and the distance to liquidation, found by re-valuing everything, margin included,
//! under the chosen model.

use std::cell::RefCell;

use crate::kernel::{Kernel, Move};
use crate::margin::standard::Requirement;
use crate::margin::{Detail, Known, MarginModel};
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
    /// Equity less the mark value of long options under standard margin (which does not count
    /// them as collateral); equity under the other models. Summed on its own, so a long option
    /// added to the book leaves it unchanged to the last bit.
    pub balance: f64,
    pub initial: f64,
    pub maintenance: f64,
}

impl AccountState {
    fn add(&mut self, other: &AccountState) {
        self.equity += other.equity;
        self.balance += other.balance;
        self.initial += other.initial;
        self.maintenance += other.maintenance;
    }

    /// What margin is measured against: equity, less long options under standard margin.
    pub fn margin_balance(&self) -> f64 {
        self.balance
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
/// Width in log-price at which the narrowing stops.
const BISECT_TOLERANCE: f64 = 1e-11;

/// An account: legs grouped by underlying, each group also in columns (the kernel the margin
/// model re-values), collateral and the margin model.
pub struct Account<'a> {
    pub collateral: &'a [Collateral],
    pub model: &'a MarginModel,
    /// Every underlying with legs or coin collateral.
    groups: Vec<Group<'a>>,
    /// USD stablecoin collateral.
    stablecoins_usd: f64,
    /// Each group's part of the account at every factor it was valued at, kept because the
    /// searches of one underlying and of all together step through the same moves, and curves
    /// and stress tests value the groups they do not move at the same 1.0 again and again.
    probed: Memo<AccountState>,
    /// Each group's (equity, balance) at every factor [`Account::equity_with`] valued it at:
    /// curves and risk matrices move one underlying and value the others at 1.0 each time.
    valued: Memo<(f64, f64)>,
    /// Each group's part at every factor a liquidation scan bounded it at, its IM and MM upper
    /// bounds (see [`Account::bounded_part`]).
    bounded: Memo<AccountState>,
}

/// Per group, values already computed, by the bits of the factor they were computed at.
type Memo<T> = RefCell<Vec<Vec<(u64, T)>>>;

/// Empty memos for `groups` groups.
fn memo<T: Clone>(groups: usize) -> Memo<T> {
    RefCell::new(vec![Vec::new(); groups])
}

/// `compute()` of group `g` at `factor`, from `memo` when it was computed before.
fn remembered<T: Copy>(memo: &Memo<T>, g: usize, factor: f64, compute: impl FnOnce() -> T) -> T {
    if let Some(value) = recalled(memo, g, factor) {
        return value;
    }
    let value = compute();
    memo.borrow_mut()[g].push((factor.to_bits(), value));
    value
}

/// What `memo` holds of group `g` at `factor`.
fn recalled<T: Copy>(memo: &Memo<T>, g: usize, factor: f64) -> Option<T> {
    let key = factor.to_bits();
    memo.borrow()[g]
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, value)| *value)
}

/// Every option contract of `group` priced at `factor` ([`crate::kernel::Options::priced`]).
fn prices(group: &Group, factor: f64) -> Vec<(f64, f64)> {
    let options = &group.kernel.options;
    options.priced(0..options.len(), &Move::new(factor))
}

struct Group<'a> {
    underlying: String,
    legs: Vec<&'a Leg>,
    kernel: Kernel,
    /// Coin collateral of this underlying valued at the index, USD.
    collateral_usd: f64,
    /// What the margin model learnt of the kernel at the factors valued so far.
    known: RefCell<Known>,
}

impl<'a> Account<'a> {
    pub fn new(
        legs: impl IntoIterator<Item = &'a Leg>,
        collateral: &'a [Collateral],
        model: &'a MarginModel,
    ) -> Self {
        let mut names: Vec<&str> = Vec::new();
        let mut grouped: Vec<Vec<&Leg>> = Vec::new();
        for leg in legs {
            match names.iter().position(|u| *u == leg.underlying) {
                Some(i) => grouped[i].push(leg),
                None => {
                    names.push(&leg.underlying);
                    grouped.push(vec![leg]);
                }
            }
        }
        for name in collateral.iter().filter_map(|c| c.underlying.as_deref()) {
            if !names.contains(&name) {
                names.push(name);
                grouped.push(Vec::new());
            }
        }
        let collateral_usd = |include: &dyn Fn(&Collateral) -> bool| {
            collateral
                .iter()
                .filter(|c| include(c))
                .fold(0.0, |total, c| total + c.amount * c.price)
        };
        let groups = names
            .into_iter()
            .zip(grouped)
            .map(|(underlying, legs)| Group {
                kernel: model.kernel(underlying, &legs),
                collateral_usd: collateral_usd(&|c| c.underlying.as_deref() == Some(underlying)),
                underlying: underlying.to_string(),
                legs,
                known: RefCell::default(),
            })
            .collect::<Vec<Group>>();
        Account {
            collateral,
            model,
            probed: memo(groups.len()),
            valued: memo(groups.len()),
            bounded: memo(groups.len()),
            groups,
            stablecoins_usd: collateral_usd(&|c| c.underlying.is_none()),
        }
    }

    /// The same account with every option's volatility `vol` replaced by `shock(vol)`, where
    /// `shock = shock_at(underlying, days to expiry)` ([`Kernel::with_vols`]); its legs keep
    /// their own (for the report).
    pub fn with_vols<S: Fn(f64) -> f64>(&self, shock_at: impl Fn(&str, f64) -> S) -> Account<'a> {
        self.with_kernels(|g| g.kernel.with_vols(|days| shock_at(&g.underlying, days)))
    }

    /// The account `days` later, index unchanged: every kernel aged by [`Kernel::aged`], as
    /// building the account from legs aged by [`Leg::aged`] would (without re-reading and
    /// re-netting every leg). The legs it lists are today's, for the report; every figure of
    /// the account comes from its kernels.
    pub fn aged(&self, days: f64) -> Account<'a> {
        self.with_kernels(|g| g.kernel.aged(days))
    }

    /// The same account with each group's kernel replaced by `kernel_of(group)`, the margin
    /// model's shocked columns filled again.
    fn with_kernels(&self, kernel_of: impl Fn(&Group) -> Kernel) -> Account<'a> {
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let mut kernel = kernel_of(g);
                self.model.prepare(&g.underlying, &mut kernel);
                Group {
                    underlying: g.underlying.clone(),
                    legs: g.legs.clone(),
                    kernel,
                    collateral_usd: g.collateral_usd,
                    known: RefCell::default(),
                }
            })
            .collect();
        Account {
            collateral: self.collateral,
            model: self.model,
            probed: memo(self.groups.len()),
            valued: memo(self.groups.len()),
            bounded: memo(self.groups.len()),
            groups,
            stablecoins_usd: self.stablecoins_usd,
        }
    }

    /// The underlyings of the account.
    pub fn underlyings(&self) -> impl Iterator<Item = (&str, &[&'a Leg])> {
        self.groups
            .iter()
            .map(|g| (g.underlying.as_str(), g.legs.as_slice()))
    }

    /// The underlyings of the account in its own order (the order [`Account::part_at`] takes).
    pub fn group_names(&self) -> Vec<&str> {
        self.groups.iter().map(|g| g.underlying.as_str()).collect()
    }

    /// Underlying `g`'s share of the account (its coin collateral and legs) with its index at
    /// `factor` times its level, USD; not remembered. The account's state is the stablecoins'
    /// ([`Account::stablecoins_usd`]) plus every underlying's share.
    pub fn part_at(&self, g: usize, factor: f64) -> AccountState {
        self.part(&self.groups[g], factor)
    }

    /// Stablecoin collateral, USD (it moves with no index).
    pub fn stablecoins_usd(&self) -> f64 {
        self.stablecoins_usd
    }

    /// Collateral valued at the index, USD.
    pub fn collateral_usd(&self) -> f64 {
        self.stablecoins_usd + self.groups.iter().map(|g| g.collateral_usd).sum::<f64>()
    }

    fn group(&self, underlying: &str) -> Option<&Group<'a>> {
        self.groups.iter().find(|g| g.underlying == underlying)
    }

    fn stablecoins(&self) -> AccountState {
        AccountState {
            equity: self.stablecoins_usd,
            balance: self.stablecoins_usd,
            ..AccountState::default()
        }
    }

    /// One underlying's contribution to equity (collateral and legs) with its index at `factor`
    /// times its level, and to the margin balance (see [`AccountState::balance`]).
    fn value(&self, group: &Group, factor: f64) -> (f64, f64) {
        self.value_of(group, factor, &prices(group, factor))
    }

    /// [`Account::value`] from the options' [`crate::kernel::Options::priced`] at `factor`.
    fn value_of(&self, group: &Group, factor: f64, priced: &[(f64, f64)]) -> (f64, f64) {
        let kernel = &group.kernel;
        let index = kernel.index * factor;
        let o = &kernel.options;
        let mut balance = factor * group.collateral_usd + kernel.held.at(index);
        balance += kernel.futures.iter().map(|f| f.at(index)).sum::<f64>();
        let mut long_options = 0.0;
        let excluded = self.model.excludes_long_options();
        for (coins, (price, _)) in o.coins.iter().zip(priced) {
            let value = coins * price;
            if excluded && *coins > 0.0 {
                long_options += value;
            } else {
                balance += value;
            }
        }
        (balance + long_options, balance)
    }

    /// One underlying's share of the account with its index at `factor` times its level.
    fn part(&self, group: &Group, factor: f64) -> AccountState {
        self.part_priced(group, factor, &prices(group, factor))
    }

    /// [`Account::part`] from the options' [`crate::kernel::Options::priced`] at `factor`.
    fn part_priced(&self, group: &Group, factor: f64, priced: &[(f64, f64)]) -> AccountState {
        let (equity, balance) = self.value_of(group, factor, priced);
        let requirement = self.model.requirement_with(
            &group.underlying,
            &group.kernel,
            factor,
            priced,
            &mut group.known.borrow_mut(),
        );
        AccountState {
            equity,
            balance,
            initial: requirement.initial,
            maintenance: requirement.maintenance,
        }
    }

    /// [`Account::part`] of group `g`, remembered (see the field `probed`).
    fn probed_part(&self, g: usize, factor: f64) -> AccountState {
        remembered(&self.probed, g, factor, || {
            self.part(&self.groups[g], factor)
        })
    }

    /// [`Account::probed_part`], or the same part with its IM and MM replaced by upper bounds
    /// where the margin model bounds them cheaply ([`MarginModel::maintenance_bound`], IM then
    /// unbounded): what a liquidation scan needs to pass a probe that is far from liquidation.
    /// When the model gives no bound, the exact part is computed (from the same prices) and
    /// remembered as [`Account::probed_part`]'s.
    fn bounded_part(&self, g: usize, factor: f64) -> AccountState {
        if let Some(exact) = recalled(&self.probed, g, factor) {
            return exact;
        }
        remembered(&self.bounded, g, factor, || {
            let group = &self.groups[g];
            let priced = prices(group, factor);
            let bound = self.model.maintenance_bound(
                &group.underlying,
                &group.kernel,
                factor,
                &priced,
                &mut group.known.borrow_mut(),
            );
            match bound {
                Some(maintenance) => {
                    let (equity, balance) = self.value_of(group, factor, &priced);
                    AccountState {
                        equity,
                        balance,
                        initial: f64::INFINITY,
                        maintenance,
                    }
                }
                None => remembered(&self.probed, g, factor, || {
                    self.part_priced(group, factor, &priced)
                }),
            }
        })
    }

    /// The account with each underlying's index at `factor_of(underlying)` times its level.
    pub fn state_with(&self, factor_of: impl Fn(&str) -> f64) -> AccountState {
        let mut state = self.stablecoins();
        for (i, g) in self.groups.iter().enumerate() {
            state.add(&self.probed_part(i, factor_of(&g.underlying)));
        }
        state
    }

    /// Equity alone (no margin) with each underlying's index at `factor_of(underlying)` times
    /// its level, USD: what P&L curves and risk matrices need.
    pub fn equity_with(&self, factor_of: impl Fn(&str) -> f64) -> f64 {
        self.stablecoins_usd
            + self
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| self.valued_part(i, factor_of(&g.underlying)).0)
                .sum::<f64>()
    }

    /// [`Account::value`] of group `g`, remembered (see the field `valued`).
    fn valued_part(&self, g: usize, factor: f64) -> (f64, f64) {
        remembered(&self.valued, g, factor, || {
            self.value(&self.groups[g], factor)
        })
    }

    /// The account at the valuation.
    pub fn state(&self) -> AccountState {
        self.state_with(|_| 1.0)
    }

    /// IM and MM of one underlying's legs at the valuation, USD: its part of
    /// [`Account::state`], which the margin model computes once ([`MarginModel::requirement_with`]
    /// gives [`MarginModel::requirement`]'s figures to the bit).
    pub fn requirement(&self, underlying: &str) -> Requirement {
        match self.groups.iter().position(|g| g.underlying == underlying) {
            Some(g) => {
                let part = self.probed_part(g, 1.0);
                Requirement {
                    initial: part.initial,
                    maintenance: part.maintenance,
                }
            }
            None => Requirement::default(),
        }
    }

    /// The margin model's scenario detail of one underlying at the valuation.
    pub fn detail(&self, underlying: &str) -> Vec<Detail> {
        self.group(underlying)
            .map_or(Vec::new(), |g| self.model.detail(underlying, &g.kernel))
    }

    /// The smallest moves of `underlying` alone, down and up, at which MM usage reaches 100 %,
    /// everything of it re-valued: options, futures P&L, coin collateral and the margin itself.
    /// Zero both ways when the account is liquidatable already.
    pub fn liquidation(&self, underlying: &str) -> Liquidation {
        let searched = self.groups.iter().position(|g| g.underlying == underlying);
        let mut fixed = self.stablecoins();
        for i in 0..self.groups.len() {
            if Some(i) != searched {
                fixed.add(&self.probed_part(i, 1.0));
            }
        }
        let with_part = |part: &dyn Fn(usize, f64) -> AccountState, m: f64| {
            let mut state = fixed;
            if let Some(g) = searched {
                state.add(&part(g, 1.0 + m));
            }
            state
        };
        let at = |m: f64| with_part(&|g, f| self.probed_part(g, f), m);
        let bounded = |m: f64| with_part(&|g, f| self.bounded_part(g, f), m);
        Liquidation {
            down: first_crossing(&at, &bounded, MOVE_DOWN_LIMIT),
            up: first_crossing(&at, &bounded, MOVE_UP_LIMIT),
        }
    }

    /// The smallest common move of every underlying's index at which MM usage reaches 100 %.
    /// Its scan re-uses the parts the searches of single underlyings valued at the same moves.
    pub fn liquidation_all(&self) -> Liquidation {
        if let [only] = &self.groups[..] {
            return self.liquidation(&only.underlying);
        }
        let at = |m: f64| self.state_with(|_| 1.0 + m);
        let bounded = |m: f64| {
            let mut state = self.stablecoins();
            for g in 0..self.groups.len() {
                state.add(&self.bounded_part(g, 1.0 + m));
            }
            state
        };
        Liquidation {
            down: first_crossing(&at, &bounded, MOVE_DOWN_LIMIT),
            up: first_crossing(&at, &bounded, MOVE_UP_LIMIT),
        }
    }
}

/// Scans moves from 0 towards `limit` in log-price steps starting at ≈ 1 % and growing by
/// [`SCAN_GROWTH`], and narrows the first step where the account at `at(move)` turns
/// liquidatable by the Illinois method (false position on the margin gap, balance − MM, with
/// bisection as a safeguard) to [`BISECT_TOLERANCE`]. Returns the move on the liquidated side of
/// the bracket, so re-valuing there shows MM usage at (or a hair past) 100 %.
///
/// Under standard margin the margin gap is concave in the index (docs/methodology.md), so the
/// safe moves are one interval and no liquidation window can lie beyond a safe step. Under
/// portfolio margin and SPAN, which count long options in the balance, there is no such proof:
/// a window narrower than the local step (≈ 1 % near the current price, a few percent beyond
/// ±30 %) and then safe again could be stepped over. Such windows are shallow: they need the
/// gap to dip below all of it nearer today's index and rise again, and on random books those
/// dips were at most 1.4e-4 of today's gap (docs/methodology.md).
///
/// `bounded(move)` is the account with its margin replaced by upper bounds, cheaper than
/// `at(move)`: a scan step it shows safe is safe, and `at` is asked only where it does not.
/// The steps, their verdicts and the narrowing (from exact gaps) are the same as with `at`
/// alone, so the result is too.
pub(crate) fn first_crossing(
    at: &dyn Fn(f64) -> AccountState,
    bounded: &dyn Fn(f64) -> AccountState,
    limit: f64,
) -> Option<f64> {
    let probe = |x: f64| {
        let state = at(x.exp_m1());
        (
            state.is_liquidatable(),
            state.margin_balance() - state.maintenance,
        )
    };
    let (liquidated, gap) = probe(0.0);
    if liquidated {
        return Some(0.0);
    }
    // The gap at the safe end, when the exact account was computed there.
    let mut safe_gap = Some(gap);
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
        if bounded(x.exp_m1()).is_liquidatable() {
            let (liquidated, gap) = probe(x);
            if liquidated {
                let safe_gap = safe_gap.unwrap_or_else(|| probe(safe).1);
                return Some(narrow(&probe, (safe, safe_gap), (x, gap)).exp_m1());
            }
            safe_gap = Some(gap);
        } else {
            safe_gap = None;
        }
        if x == end {
            return None;
        }
        safe = x;
    }
}

/// Narrows a bracket in log-price, its safe end and its liquidated end each with its margin gap
/// (balance − MM), by Brent's method (inverse quadratic interpolation and secant steps on the
/// gap, bisection whenever they do not shrink the bracket fast enough), and returns the
/// liquidated end once the bracket is narrower than [`BISECT_TOLERANCE`]. The side of a probe is
/// decided by liquidation itself; the gap only guides the next trial.
pub(crate) fn narrow(probe: &dyn Fn(f64) -> (bool, f64), safe: (f64, f64), hit: (f64, f64)) -> f64 {
    // A signed gap that is never zero: positive on the safe side, negative once liquidatable.
    let signed = |(liquidated, gap): (bool, f64)| {
        if liquidated {
            gap.min(-f64::MIN_POSITIVE)
        } else {
            gap.max(f64::MIN_POSITIVE)
        }
    };
    let f = |x: f64| signed(probe(x));
    let tolerance = 0.5 * BISECT_TOLERANCE;
    let (mut a, mut fa) = (safe.0, signed((false, safe.1)));
    let (mut b, mut fb) = (hit.0, signed((true, hit.1)));
    let (mut c, mut fc) = (b, fb);
    let (mut d, mut e) = (b - a, b - a);
    loop {
        if (fb > 0.0) == (fc > 0.0) {
            (c, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (c, fc);
            (c, fc) = (a, fa);
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * tolerance;
        let half = 0.5 * (c - b);
        if half.abs() <= tol {
            break;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * half * s, 1.0 - s)
            } else {
                let (q, r) = (fa / fc, fb / fc);
                (
                    s * (2.0 * half * q * (q - r) - (b - a) * (r - 1.0)),
                    (q - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * half * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = half;
                e = d;
            }
        } else {
            d = half;
            e = d;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tol { d } else { tol.copysign(half) };
        fb = f(b);
    }
    if fb < 0.0 {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::cell::Cell;

    /// An account with MM 1 USD and margin balance 1 + gap(move) USD.
    fn with_gap(gap: impl Fn(f64) -> f64) -> impl Fn(f64) -> AccountState {
        move |m| {
            let balance = 1.0 + gap(m);
            AccountState {
                equity: balance,
                balance,
                maintenance: 1.0,
                ..AccountState::default()
            }
        }
    }

    #[test]
    fn crossing_of_a_step_function_is_found_to_tolerance() {
        let step = |at: f64, down: bool| {
            with_gap(move |m| match (down, m <= at, m >= at) {
                (true, true, _) | (false, _, true) => -1.0,
                _ => 1.0,
            })
        };
        let exact = |account: &dyn Fn(f64) -> AccountState, limit| {
            first_crossing(&account, &account, limit)
        };
        let m = exact(&step(-0.2345, true), MOVE_DOWN_LIMIT).unwrap();
        assert!((m + 0.2345).abs() < 1e-10, "{m}");
        let up = exact(&step(3.21, false), MOVE_UP_LIMIT).unwrap();
        assert!((up - 3.21).abs() < 1e-9, "{up}");
        // The scan reaches the limits exactly.
        let edge = exact(&step(-0.99, true), MOVE_DOWN_LIMIT).unwrap();
        assert!((edge + 0.99).abs() < 1e-9, "{edge}");
        assert_eq!(exact(&with_gap(|_| 1.0), MOVE_UP_LIMIT), None);
        assert_eq!(exact(&with_gap(|_| -1.0), MOVE_UP_LIMIT), Some(0.0));
    }

    /// A smooth gap (a short call's convex loss): the root of 1 − 40·m² − 200·m³ is found to
    /// 1e-9 with far fewer probes than bisection's ≈ 35 after the scan.
    #[test]
    fn crossing_of_a_smooth_gap_converges_fast() {
        let probes = Cell::new(0);
        let gap = |m: f64| {
            probes.set(probes.get() + 1);
            0.05 - 40.0 * m * m - 200.0 * m.powi(3)
        };
        let account = with_gap(gap);
        let up = first_crossing(&account, &account, MOVE_UP_LIMIT).unwrap();
        assert!(probes.get() <= 12, "{} probes", probes.get());
        assert!(account(up).is_liquidatable(), "{up}");
        assert!(!account(up - 1e-9).is_liquidatable(), "{up}");
    }

    /// Where a bound with more MM than the account has shows a scan step safe, the exact
    /// account is not asked there, and the crossing found is the same to the bit: the narrowing
    /// starts from the exact gap at the last safe step.
    #[test]
    fn scan_steps_shown_safe_by_a_bound_need_no_exact_account() {
        let exact_probes = Cell::new(0);
        let gap = |m: f64| 0.3 - 4.0 * m * m;
        let exact = |m: f64| {
            exact_probes.set(exact_probes.get() + 1);
            with_gap(gap)(m)
        };
        // MM bounded by 1 + 0.1: safe where the gap is above 0.1.
        let bounded = |m: f64| AccountState {
            maintenance: 1.1,
            ..with_gap(gap)(m)
        };
        for limit in [MOVE_UP_LIMIT, MOVE_DOWN_LIMIT] {
            let alone = first_crossing(&with_gap(gap), &with_gap(gap), limit);
            exact_probes.set(0);
            let with_bound = first_crossing(&exact, &bounded, limit);
            assert_eq!(with_bound.map(f64::to_bits), alone.map(f64::to_bits));
            assert!(with_bound.is_some());
            // Steps up to the gap's 0.1 level were passed on the bound alone.
            assert!(
                exact_probes.get() <= 14,
                "{} exact probes",
                exact_probes.get()
            );
        }
    }
}
