//! The re-valuation kernel: one underlying's legs in columns, so the whole book, margin included,
//! can be re-valued at many index levels and volatilities cheaply. The liquidation search and
//! the scenario grids re-value a book hundreds of times; this is where that time goes.
//!
//! - Options are netted by contract: kind, strike, expiry, volatility, forward, rate and
//!   settlement, and under standard margin side too (it charges short options only, per
//!   position). A book of ten thousand rows on real listed chains is a few hundred contracts per
//!   underlying. Value, and margin within one side, are linear in size, so netting changes no
//!   figure beyond rounding.
//! - What does not depend on the index is computed once per contract: ln(F/K), σ√T (for each
//!   volatility scenario of the margin model), the discount factor. A move of the index by a
//!   factor g shares ln g across every contract, so a re-valuation is one time value per contract
//!   (`pricing::time_value`: one exponential and two rational functions): no logarithm, no
//!   square root of time.
//! - Futures, perpetuals, coins held and settled legs are linear in the index: their USD value is
//!   `slope·S + intercept`, two numbers per settlement pool however many rows there are. Only
//!   standard margin, which grows with each position's size, keeps futures one by one.
//!
//! Model (conventions.md): a move of the index by a factor moves every forward and mark of the
//! underlying by the same factor, with volatility and time held fixed.

use crate::pricing::lane_math;
use crate::pricing::lanes::{F4, M4};
use crate::pricing::time_value::{log_moneyness, time_value};
use crate::valuation::{Leg, Model};

/// Contracts priced together: the lanes of [`F4`].
const LANES: usize = 4;

/// The settlement pools of an underlying: coin-settled legs are margined in coin under
/// portfolio margin, USD-settled ones in USD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    Inverse,
    Linear,
}

impl Pool {
    pub const BOTH: [Pool; 2] = [Pool::Inverse, Pool::Linear];

    /// Position of the pool in per-pool arrays.
    pub fn slot(self) -> usize {
        match self {
            Pool::Inverse => 0,
            Pool::Linear => 1,
        }
    }
}

/// A move of the index by a factor, with what every contract shares.
#[derive(Clone, Copy, Debug)]
pub struct Move {
    pub factor: f64,
    ln: f64,
}

impl Move {
    pub fn new(factor: f64) -> Move {
        Move {
            factor,
            ln: factor.ln(),
        }
    }
}

/// USD value `slope·S + intercept` at index S.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Linear {
    pub slope: f64,
    pub intercept: f64,
}

impl Linear {
    fn add(&mut self, slope: f64, intercept: f64) {
        self.slope += slope;
        self.intercept += intercept;
    }

    pub fn at(&self, index: f64) -> f64 {
        self.slope * index + self.intercept
    }
}

/// Bounds of a pool's USD value V at index S, whatever the volatilities: |dV/dS| ≤ `slope`
/// and |V(S)| ≤ `proportional`·S + `constant`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ValueBounds {
    pub slope: f64,
    pub proportional: f64,
    pub constant: f64,
}

/// See [`Kernel::curvature`]: the options above [`ROUGH_TOTAL_VOL`] by Σ |coins|·slope/(σ√T·√(2π))
/// (`smooth`) and Σ |coins|·slope (`smooth_slope`), those below by Σ |coins|·slope (`rough`),
/// slope = discount·F/S.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Curvature {
    pub smooth: f64,
    pub smooth_slope: f64,
    pub rough: f64,
}

impl Curvature {
    /// The bound on |V(S + h) − V(S) − V′(S)·h|, USD, given S + h and S (both > 0). A slope
    /// that stays within [0, a] (or [−a, 0]) keeps the remainder within a·|h| too.
    pub fn remainder(&self, from: f64, to: f64) -> f64 {
        let h = (to - from).abs();
        let low = from.min(to);
        (self.smooth * h * h / (2.0 * low)).min(self.smooth_slope * h) + self.rough * h
    }
}

/// Below this σ√T an option's curvature is bounded by its slope, not its gamma.
pub const ROUGH_TOTAL_VOL: f64 = 1e-4;

/// Netted options in columns; coin-settled contracts come first (`0..inverse`).
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub call: Vec<bool>,
    pub strike: Vec<f64>,
    /// Forward at the valuation, USD.
    pub forward: Vec<f64>,
    /// Forward over index.
    forward_ratio: Vec<f64>,
    /// Continuously compounded rate of the discount.
    rate: Vec<f64>,
    /// ln(F/K) at the valuation.
    log_moneyness: Vec<f64>,
    pub years: Vec<f64>,
    pub vol: Vec<f64>,
    /// σ√T at the option's own volatility.
    pub total_vol: Vec<f64>,
    /// e^(−rT).
    discount: Vec<f64>,
    /// Signed size in coins.
    pub coins: Vec<f64>,
    /// Index into [`Kernel::expiries`].
    pub expiry: Vec<usize>,
    /// How many of the contracts are coin-settled.
    pub inverse: usize,
}

impl Options {
    pub fn len(&self) -> usize {
        self.coins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.coins.is_empty()
    }

    /// The contracts of a pool.
    pub fn range(&self, pool: Pool) -> std::ops::Range<usize> {
        match pool {
            Pool::Inverse => 0..self.inverse,
            Pool::Linear => self.inverse..self.len(),
        }
    }

    /// Days to expiry of contract `i`.
    pub fn days(&self, i: usize) -> f64 {
        self.years[i] * 365.0
    }

    /// σ√T of every contract at the volatility `vol_of(i)` gives it.
    pub fn total_vols(&self, vol_of: impl Fn(usize) -> f64) -> Vec<f64> {
        (0..self.len())
            .map(|i| vol_of(i).max(0.0) * self.years[i].max(0.0).sqrt())
            .collect()
    }

    /// Price of one coin of contract `i`, USD, with the index moved by `m` and total volatility
    /// `total_vol[i]`: [`Options::each_priced`]'s price, to the bit.
    pub fn price(&self, i: usize, m: &Move, total_vol: &[f64]) -> f64 {
        self.priced_at(i..i + 1, m, total_vol)
            .first()
            .map_or(f64::NAN, |(price, _)| *price)
    }

    /// Calls `each(i, (price, delta))` for every contract `i` of `range`, in order: the price of
    /// one coin of it (USD) and, from the same time value, ∂price/∂S (USD per USD of index), with
    /// the index moved by `m` and total volatility `total_vol[i]`. At zero total volatility the
    /// price is the discounted payoff and the slope the payoff's, 0 at the kink.
    ///
    /// Four contracts go through the SIMD lanes of [`lane_math::time_value_of`] at a time; the
    /// last group is filled with copies of the last contract, so a contract's figures do not
    /// depend on the range it is priced in. A lane the vector code does not price (zero total
    /// volatility, the far tails it leaves to Jäckel's pricer) goes through the scalar
    /// [`time_value`]: every price stays within 1e-12 relative of a 60-digit reference.
    #[inline]
    pub fn each_priced(
        &self,
        range: std::ops::Range<usize>,
        m: &Move,
        total_vol: &[f64],
        mut each: impl FnMut(usize, (f64, f64)),
    ) {
        let last = range.end.saturating_sub(1);
        for first in range.clone().step_by(LANES) {
            let group = [
                first,
                (first + 1).min(last),
                (first + 2).min(last),
                (first + 3).min(last),
            ];
            let priced = self.four_priced(group, m, total_vol);
            for (lane, value) in priced.into_iter().take(range.end - first).enumerate() {
                each(first + lane, value);
            }
        }
    }

    /// [`Options::each_priced`]'s figures of the four contracts `group`.
    #[inline(always)]
    fn four_priced(
        &self,
        group: [usize; LANES],
        m: &Move,
        total_vol: &[f64],
    ) -> [(f64, f64); LANES] {
        // A full group reads each column as one block (one index check, two vector loads).
        let full = group[3] == group[0] + 3;
        let read = |column: &[f64]| match column.get(group[0]..).and_then(<[f64]>::first_chunk) {
            Some(block) if full => F4::load(block),
            _ => F4::gather(column, group),
        };
        let forward = read(&self.forward) * F4::splat(m.factor);
        let strike = read(&self.strike);
        let s = read(total_vol);
        let x = read(&self.log_moneyness) + F4::splat(m.ln);
        let call = M4::gather(&self.call, group);
        let discount = read(&self.discount);
        let tv = lane_math::time_value_of(forward, strike, forward / strike, x, s);
        let zero = F4::splat(0.0);
        let one = F4::splat(1.0);
        let intrinsic = call.select(forward - strike, strike - forward).max(zero);
        let price = (discount * (intrinsic + tv.value)).lanes();
        // As the scalar code: the out-of-the-money option's delta keeps its relative accuracy.
        let delta = tv.otm_is_call.select(
            call.select(tv.n1, tv.n1 - one),
            call.select(one - tv.n1, -tv.n1),
        );
        let slope = discount * read(&self.forward_ratio);
        let delta = (slope * delta).lanes();
        let vector = zero.lt(s).and(tv.priced).lanes();
        let mut out = [(0.0, 0.0); LANES];
        for lane in 0..LANES {
            let i = group[lane];
            out[lane] = if vector[lane] {
                (price[lane], delta[lane])
            } else {
                self.scalar_price_and_delta(i, m, total_vol[i])
            };
        }
        out
    }

    /// [`Options::each_priced`]'s figures of contract `i` by the scalar code (the lanes it does
    /// not price).
    fn scalar_price_and_delta(&self, i: usize, m: &Move, total_vol: f64) -> (f64, f64) {
        let forward = self.forward[i] * m.factor;
        let strike = self.strike[i];
        let call = self.call[i];
        let intrinsic = if call {
            (forward - strike).max(0.0)
        } else {
            (strike - forward).max(0.0)
        };
        let slope = self.discount[i] * self.forward_ratio[i];
        if total_vol > 0.0 {
            let tv = time_value(forward, strike, self.log_moneyness[i] + m.ln, total_vol);
            // n1 is N(θ·d1), θ = 1 when the call is out of the money: the out-of-the-money
            // option's delta keeps its relative accuracy, the other is 1 less.
            let delta = match (call, tv.otm_is_call) {
                (true, true) => tv.n1,
                (false, true) => tv.n1 - 1.0,
                (true, false) => 1.0 - tv.n1,
                (false, false) => -tv.n1,
            };
            (self.discount[i] * (intrinsic + tv.value), slope * delta)
        } else {
            let delta = match (call, intrinsic > 0.0) {
                (true, true) => 1.0,
                (false, true) => -1.0,
                _ => 0.0,
            };
            // + 0.0 turns a payoff of −0 into 0, as a time value of 0 added to it would.
            (self.discount[i] * (intrinsic + 0.0), slope * delta)
        }
    }

    /// [`Options::each_priced`] of the contracts of `range` at their own volatility, the index
    /// moved by `m`.
    pub fn priced(&self, range: std::ops::Range<usize>, m: &Move) -> Vec<(f64, f64)> {
        self.priced_at(range, m, &self.total_vol)
    }

    /// [`Options::each_priced`] of the contracts of `range` at the total volatilities given.
    fn priced_at(
        &self,
        range: std::ops::Range<usize>,
        m: &Move,
        total_vol: &[f64],
    ) -> Vec<(f64, f64)> {
        let mut priced = Vec::with_capacity(range.len());
        self.each_priced(range, m, total_vol, |_, value| priced.push(value));
        priced
    }

    /// Σ coins·price and Σ coins·∂price/∂S over `range` ([`Options::value`] and its slope).
    pub fn value_and_delta(
        &self,
        range: std::ops::Range<usize>,
        m: &Move,
        total_vol: &[f64],
    ) -> (f64, f64) {
        let (mut value, mut delta) = (0.0, 0.0);
        self.each_priced(range, m, total_vol, |i, (p, d)| {
            value += self.coins[i] * p;
            delta += self.coins[i] * d;
        });
        (value, delta)
    }

    /// Σ coins·price over the contracts of `range`, USD, each at the total volatility given.
    pub fn value(&self, range: std::ops::Range<usize>, m: &Move, total_vol: &[f64]) -> f64 {
        self.value_and_delta(range, m, total_vol).0
    }
}

/// A future or perpetual kept whole (standard margin charges each; the folded columns are
/// made from these): `amount` is USD notional (inverse) or coins (linear), signed.
#[derive(Clone, Copy, Debug)]
pub struct FuturePosition {
    pub pool: Pool,
    pub amount: f64,
    /// Entry price, USD.
    pub entry: f64,
    pub mark_ratio: f64,
    /// Years to expiry of a dated future; `None` for a perpetual (or a future past expiry).
    pub years: Option<f64>,
}

/// One option contract, as netted.
#[derive(Clone, Copy)]
struct Contract {
    call: bool,
    strike: f64,
    forward_ratio: f64,
    years: f64,
    vol: f64,
    rate: f64,
}

/// The slot of `years` in `expiries`, appended when new.
fn expiry_slot(years: f64, expiries: &mut Vec<f64>) -> usize {
    match expiries.iter().position(|t| t.to_bits() == years.to_bits()) {
        Some(i) => i,
        None => {
            expiries.push(years);
            expiries.len() - 1
        }
    }
}

/// One underlying's legs in columns.
#[derive(Clone, Debug, Default)]
pub struct Kernel {
    /// Index at the valuation, USD.
    pub index: f64,
    pub options: Options,
    /// Years to expiry of each expiry the options and dated futures have, in order of appearance.
    pub expiries: Vec<f64>,
    /// USD value of each pool's futures and perpetuals.
    pub futures: [Linear; 2],
    /// USD value of coins held and of settled legs (not derivatives).
    pub held: Linear,
    /// σ√T of each contract in the margin model's shocked-volatility scenarios (portfolio
    /// margin's up and down, SPAN's ± scan range); empty under standard margin.
    pub vol_up: Vec<f64>,
    pub vol_down: Vec<f64>,
    /// Futures one by one (standard margin).
    pub future_positions: Vec<FuturePosition>,
    /// Per pool, net futures delta per expiry: coefficients `c` of a delta that is `c / S` for
    /// coin-settled futures (their coin delta) and `c` for USD-settled ones (their USD delta).
    pub future_delta_by_expiry: [Vec<f64>; 2],
    /// Per pool, Σ |delta| coefficients of perpetuals.
    pub perpetual_delta_abs: [f64; 2],
    /// Per pool, net delta coefficients of all futures and perpetuals.
    pub future_delta_net: [f64; 2],
    /// Per expiry (dated) or `None` (perpetual), the futures' USD delta in coins (constant in
    /// the index): SPAN's inter-month offsets.
    pub future_usd_delta: Vec<(Option<usize>, f64)>,
}

impl Kernel {
    /// Builds the kernel of one underlying's legs (all with the same index). With `sides`, long
    /// and short positions in one contract stay apart (standard margin charges short options
    /// only); without, they net.
    pub fn new(legs: &[&Leg], sides: bool) -> Kernel {
        let mut kernel = Kernel {
            index: legs.first().map_or(0.0, |l| l.index),
            ..Kernel::default()
        };
        // Netting: (pool, side, years, kind, strike, vol, forward ratio, rate) → coins, by
        // sorting (deterministic, and cheaper than hashing for a hundred thousand rows). By
        // expiry, then strike: neighbours have close d1 and d2, so the four lanes priced
        // together mostly take the same branches of N(d) (2-3 % faster in V8).
        type Key = (bool, bool, u64, bool, u64, u64, u64, u64);
        let mut contracts: Vec<(Key, f64)> = Vec::new();
        for leg in legs {
            match leg.model {
                Model::Option(o) => {
                    contracts.push((
                        (
                            !o.inverse,
                            sides && o.coins < 0.0,
                            o.years.to_bits(),
                            o.kind == crate::pricing::black::OptionKind::Call,
                            o.strike.to_bits(),
                            o.vol.to_bits(),
                            o.forward_ratio.to_bits(),
                            o.rate.to_bits(),
                        ),
                        o.coins,
                    ));
                }
                Model::InverseFuture {
                    notional,
                    entry,
                    mark_ratio,
                } => kernel.future_positions.push(FuturePosition {
                    pool: Pool::Inverse,
                    amount: notional,
                    entry,
                    mark_ratio,
                    years: leg.future_years,
                }),
                Model::LinearFuture {
                    coins,
                    entry,
                    mark_ratio,
                } => kernel.future_positions.push(FuturePosition {
                    pool: Pool::Linear,
                    amount: coins,
                    entry,
                    mark_ratio,
                    years: leg.future_years,
                }),
                Model::Spot { coins, .. } => kernel.held.add(coins, 0.0),
                Model::Settled { coins, usd, .. } => kernel.held.add(coins, usd),
            }
        }
        kernel.fold_futures();
        // Coin-settled contracts first (the key starts with "linear").
        contracts.sort_unstable_by_key(|(key, _)| *key);
        let mut netted: Vec<(Key, f64)> = Vec::with_capacity(contracts.len());
        for (key, coins) in contracts {
            match netted.last_mut() {
                Some((last, total)) if *last == key => *total += coins,
                _ => netted.push((key, coins)),
            }
        }
        for ((linear, _, years, call, strike, vol, ratio, rate), coins) in netted {
            let (strike, years, vol) = (
                f64::from_bits(strike),
                f64::from_bits(years),
                f64::from_bits(vol),
            );
            let contract = Contract {
                call,
                strike,
                forward_ratio: f64::from_bits(ratio),
                years,
                vol,
                rate: f64::from_bits(rate),
            };
            kernel.push_option(contract, coins, !linear);
        }
        kernel
    }

    /// Appends one netted option (coin-settled ones must all come first).
    fn push_option(&mut self, c: Contract, coins: f64, inverse: bool) {
        let forward = c.forward_ratio * self.index;
        let live = c.years.max(0.0);
        let expiry = expiry_slot(c.years, &mut self.expiries);
        let o = &mut self.options;
        o.call.push(c.call);
        o.strike.push(c.strike);
        o.forward.push(forward);
        o.forward_ratio.push(c.forward_ratio);
        o.rate.push(c.rate);
        o.log_moneyness.push(log_moneyness(forward, c.strike));
        o.years.push(c.years);
        o.vol.push(c.vol);
        o.total_vol.push(c.vol.max(0.0) * live.sqrt());
        o.discount.push((-c.rate * live).exp());
        o.coins.push(coins);
        o.expiry.push(expiry);
        if inverse {
            o.inverse += 1;
        }
    }

    /// The futures columns (values, deltas by expiry) from [`Kernel::future_positions`].
    fn fold_futures(&mut self) {
        for i in 0..self.future_positions.len() {
            let f = self.future_positions[i];
            let p = f.pool.slot();
            let (slope, intercept, coefficient, usd_coins) = match f.pool {
                Pool::Inverse => (
                    f.amount / f.entry,
                    -f.amount / f.mark_ratio,
                    f.amount / f.mark_ratio,
                    f.amount / f.entry,
                ),
                Pool::Linear => (
                    f.amount * f.mark_ratio,
                    -f.amount * f.entry,
                    f.amount * f.mark_ratio,
                    f.amount * f.mark_ratio,
                ),
            };
            self.futures[p].add(slope, intercept);
            self.add_future_delta(p, f.years, coefficient);
            self.add_usd_delta(f.years, usd_coins);
        }
    }

    /// The kernel `days` later, index unchanged, aged as [`Leg::aged`] ages each leg: options lose
    /// time (past their expiry they are worth their payoff at the scenario's index), forwards and
    /// futures' marks converge to the index at the same basis. The margin model's shocked
    /// columns must be filled again ([`crate::margin::MarginModel::prepare`]).
    pub fn aged(&self, days: f64) -> Kernel {
        let elapsed = days / 365.0;
        let mut kernel = Kernel {
            index: self.index,
            held: self.held,
            ..Kernel::default()
        };
        kernel.future_positions = self
            .future_positions
            .iter()
            .map(|f| {
                let mut aged = *f;
                if let Some(t) = f.years {
                    let remaining = t - elapsed;
                    aged.mark_ratio = if remaining > 0.0 {
                        f.mark_ratio.powf(remaining / t)
                    } else {
                        1.0
                    };
                    aged.years = Some(remaining).filter(|t| *t > 0.0);
                }
                aged
            })
            .collect();
        kernel.fold_futures();
        let o = &self.options;
        for i in 0..o.len() {
            let remaining = o.years[i] - elapsed;
            let contract = Contract {
                call: o.call[i],
                strike: o.strike[i],
                forward_ratio: if remaining > 0.0 {
                    o.forward_ratio[i].powf(remaining / o.years[i])
                } else {
                    1.0
                },
                years: remaining,
                vol: o.vol[i],
                rate: o.rate[i],
            };
            kernel.push_option(contract, o.coins[i], i < o.inverse);
        }
        kernel
    }

    fn add_future_delta(&mut self, pool: usize, years: Option<f64>, coefficient: f64) {
        self.future_delta_net[pool] += coefficient;
        match years {
            Some(years) => {
                let e = expiry_slot(years, &mut self.expiries);
                let by = &mut self.future_delta_by_expiry[pool];
                if by.len() <= e {
                    by.resize(e + 1, 0.0);
                }
                by[e] += coefficient;
            }
            None => self.perpetual_delta_abs[pool] += coefficient.abs(),
        }
    }

    fn add_usd_delta(&mut self, years: Option<f64>, coins: f64) {
        let e = years.map(|t| expiry_slot(t, &mut self.expiries));
        match self.future_usd_delta.iter_mut().find(|(x, _)| *x == e) {
            Some((_, net)) => *net += coins,
            None => self.future_usd_delta.push((e, coins)),
        }
    }

    /// The kernel with every option's volatility `vol` replaced by `shock(vol)`, where
    /// `shock = shock_at(days to expiry)` is made once per expiry (a tenor scaling is a power);
    /// the margin model's shocked columns must be filled again.
    pub fn with_vols<S: Fn(f64) -> f64>(&self, shock_at: impl Fn(f64) -> S) -> Kernel {
        let mut kernel = self.clone();
        let shocks: Vec<S> = self.expiries.iter().map(|t| shock_at(t * 365.0)).collect();
        let o = &mut kernel.options;
        for i in 0..o.len() {
            let vol = shocks[o.expiry[i]](o.vol[i]).max(0.0);
            o.vol[i] = vol;
            o.total_vol[i] = vol * o.years[i].max(0.0).sqrt();
        }
        kernel.vol_up.clear();
        kernel.vol_down.clear();
        kernel
    }

    /// Whether the pool holds any derivative.
    pub fn has_pool(&self, pool: Pool) -> bool {
        !self.options.range(pool).is_empty() || self.future_positions.iter().any(|f| f.pool == pool)
    }

    /// Whether the underlying has any derivative (options, futures, perpetuals).
    pub fn has_derivatives(&self) -> bool {
        !self.options.is_empty() || !self.future_positions.is_empty()
    }

    /// USD value of every derivative with the index moved by `m`.
    pub fn derivatives_value(&self, m: &Move, total_vol: &[f64]) -> f64 {
        self.options.value(0..self.options.len(), m, total_vol)
            + self.futures[0].at(self.index * m.factor)
            + self.futures[1].at(self.index * m.factor)
    }

    /// Bounds of a pool's USD value V(S) at any index S and any volatilities: an option's delta
    /// lies within ±discount·(forward / index), a call is worth at most discount·forward and a
    /// put discount·strike, futures are linear.
    pub fn value_bounds(&self, pool: Pool) -> ValueBounds {
        let o = &self.options;
        let futures = self.futures[pool.slot()];
        let mut bounds = ValueBounds {
            slope: futures.slope.abs(),
            proportional: futures.slope.abs(),
            constant: futures.intercept.abs(),
        };
        for i in o.range(pool) {
            let coins = o.coins[i].abs();
            let delta = coins * o.discount[i] * o.forward_ratio[i];
            bounds.slope += delta;
            if o.call[i] {
                bounds.proportional += delta;
            } else {
                bounds.constant += coins * o.discount[i] * o.strike[i];
            }
        }
        bounds
    }

    /// USD value of a pool's derivatives with the index moved by `m`, options at the total
    /// volatilities given (one per contract of the kernel), and its slope ∂V/∂S, USD per USD of
    /// index.
    pub fn pool_value_and_delta(&self, pool: Pool, m: &Move, total_vol: &[f64]) -> (f64, f64) {
        let (options, delta) = self
            .options
            .value_and_delta(self.options.range(pool), m, total_vol);
        let futures = self.futures[pool.slot()];
        (
            options + futures.at(self.index * m.factor),
            delta + futures.slope,
        )
    }

    /// How far a pool's value can leave its tangent: for every S, S + h > 0 and volatilities
    /// `total_vol`, |V(S + h) − V(S) − V′(S)·h| ≤ [`Curvature::remainder`].
    /// An option's gamma in the index is discount·(F/S)·φ(d1)/(S·σ√T) ≤
    /// discount·(F/S)/(S·σ√T·√(2π)); below [`ROUGH_TOTAL_VOL`] (and at expiry) it counts by
    /// its slope instead, which stays within [0, discount·F/S] for a call and [−that, 0] for a put.
    pub fn curvature(&self, pool: Pool, total_vol: &[f64]) -> Curvature {
        let o = &self.options;
        let mut c = Curvature::default();
        for i in o.range(pool) {
            let slope = o.coins[i].abs() * o.discount[i] * o.forward_ratio[i];
            let s = total_vol[i];
            if s >= ROUGH_TOTAL_VOL {
                c.smooth += slope / (s * (2.0 * std::f64::consts::PI).sqrt());
                c.smooth_slope += slope;
            } else {
                c.rough += slope;
            }
        }
        c
    }

    /// A futures delta coefficient of the pool at index S, in the pool's delta unit (coin delta
    /// for coin-settled, USD delta for USD-settled), coins.
    pub fn future_delta(pool: Pool, coefficient: f64, index: f64) -> f64 {
        match pool {
            Pool::Inverse => coefficient / index,
            Pool::Linear => coefficient,
        }
    }

    /// The pool's delta unit per contract `i`: coin delta (S·∂V_coin/∂S) for coin-settled
    /// contracts, USD delta (∂V_usd/∂S) otherwise; per coin, 0 past expiry. `price` and
    /// `usd_delta` are the contract's [`Options::each_priced`] figures with the index moved by `m`,
    /// at its own volatility.
    pub fn option_pool_delta(
        &self,
        pool: Pool,
        i: usize,
        m: &Move,
        price: f64,
        usd_delta: f64,
    ) -> f64 {
        if self.options.years[i] <= 0.0 {
            return 0.0;
        }
        match pool {
            Pool::Linear => usd_delta,
            Pool::Inverse => usd_delta - price / (self.index * m.factor),
        }
    }
}
