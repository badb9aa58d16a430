//! Whole option chains at once, in columns: for front ends that price every strike of every
//! expiry on each tick. Black-76 on the forward, price and first-order Greeks (and gamma) in the
//! report's units, the same figures as [`super::quote::quote`] option by option.
//!
//! The kernel does per option what it must and no more: one ln(F/K), and the time value of
//! [`super::time_value`] (one exponential, two rational functions; Jäckel's pricer where the
//! textbook difference would cancel); the in-the-money option adds its intrinsic value by
//! parity. Four options go through at a time, in WebAssembly SIMD lanes ([`super::lane_math`]).
//! Every price stays within 1e-12 relative of a 60-digit reference (tests/golden.rs).

use super::lane_math;
use super::lanes::{F4, M4};
use super::time_value::{log_moneyness, time_value};
use crate::figure::Figure;
use std::f64::consts::PI;

/// Options priced together: the lanes of [`F4`].
const LANES: usize = 4;

/// Columns of a chain; every slice has the same length. `is_call[i]` is non-zero for a call.
#[derive(Clone, Copy, Debug)]
pub struct ChainInputs<'a> {
    pub forward: &'a [f64],
    pub strike: &'a [f64],
    /// Years to expiry (calendar days / 365).
    pub years: &'a [f64],
    /// Volatility, fraction.
    pub vol: &'a [f64],
    pub is_call: &'a [u8],
    /// Continuously compounded rate, fraction, for every option.
    pub rate: f64,
}

/// Price and sensitivities of each option of a chain, per unit of the underlying.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChainGreeks {
    /// Discounted price, in the forward's currency.
    pub price: Vec<f64>,
    /// ∂V/∂F.
    pub delta: Vec<f64>,
    /// ∂²V/∂F².
    pub gamma: Vec<f64>,
    /// Per 1 vol point.
    pub vega: Vec<f64>,
    /// −∂V/∂T per calendar day, forward fixed.
    pub theta: Vec<f64>,
    /// Per 1 percentage point of rate, forward fixed.
    pub rho: Vec<f64>,
    /// Indexes of options outside the domain (a non-positive or non-finite input, or inputs so
    /// extreme that a figure overflows): their outputs are NaN.
    pub invalid: Vec<usize>,
}

/// Prices a chain. Errors only when the columns differ in length or the rate is not a fraction
/// between −1 and 1; a bad option is listed in `invalid` and the others are priced.
///
/// ```
/// use headroom::pricing::chain::{price_chain, ChainInputs};
/// let g = price_chain(&ChainInputs {
///     forward: &[60000.0, 60000.0], strike: &[65000.0, -1.0], years: &[30.0 / 365.0; 2],
///     vol: &[0.65; 2], is_call: &[1, 1], rate: 0.0,
/// }).unwrap();
/// assert!((g.price[0] - 2559.74182777).abs() < 1e-8);
/// assert!((g.vega[0] - 64.8497736973).abs() < 1e-9);
/// assert_eq!(g.invalid, vec![1]);
/// assert!(g.price[1].is_nan());
/// ```
pub fn price_chain(c: &ChainInputs) -> Result<ChainGreeks, String> {
    let mut out = ChainGreeks::default();
    price_chain_into(c, &mut out)?;
    Ok(out)
}

/// [`price_chain`] into `out`, reusing its columns: a front end pricing the same chain on every
/// tick allocates nothing once the columns have the chain's length. Every value is written, NaN
/// for an invalid option, so nothing of an earlier chain is left.
///
/// ```
/// use headroom::pricing::chain::{price_chain, price_chain_into, ChainGreeks, ChainInputs};
/// let mut c = ChainInputs {
///     forward: &[60000.0, 60000.0], strike: &[65000.0, 55000.0], years: &[30.0 / 365.0; 2],
///     vol: &[0.65; 2], is_call: &[1, 0], rate: 0.0,
/// };
/// let mut out = ChainGreeks::default();
/// price_chain_into(&c, &mut out).unwrap();
/// c.strike = &[65000.0, -1.0];
/// price_chain_into(&c, &mut out).unwrap();
/// assert_eq!(out.price[0], price_chain(&c).unwrap().price[0]);
/// assert!(out.price[1].is_nan() && out.invalid == vec![1]);
/// ```
pub fn price_chain_into(c: &ChainInputs, out: &mut ChainGreeks) -> Result<(), String> {
    let n = c.forward.len();
    same_lengths(
        ("forward", n),
        &[
            ("strike", c.strike.len()),
            ("years", c.years.len()),
            ("vol", c.vol.len()),
            ("isCall", c.is_call.len()),
        ],
    )?;
    if !(c.rate.is_finite() && c.rate.abs() <= 1.0) {
        return Err(format!(
            "rate: must be a fraction between −1 and 1, got {}",
            Figure(c.rate)
        ));
    }
    for column in out.columns_mut() {
        if column.len() != n {
            column.clear();
            column.resize(n, f64::NAN);
        }
    }
    // Four options at a time in F4 lanes, read and written as whole groups (no per-lane index
    // checks); a lane the vector code does not price (invalid inputs, the far tails: see
    // lane_math) is left to `price_one` afterwards, as are the last n mod 4 options. Their
    // indexes wait in `invalid`'s buffer, which keeps the invalid ones: nothing is allocated
    // once the buffer has grown. Consecutive options of one expiry share √T and the discount.
    let mut expiry = Expiry::new(c.rate);
    let mut pending = std::mem::take(&mut out.invalid);
    pending.clear();
    let (forward, _) = c.forward.as_chunks::<LANES>();
    let (strike, _) = c.strike.as_chunks::<LANES>();
    let (years, _) = c.years.as_chunks::<LANES>();
    let (vol, _) = c.vol.as_chunks::<LANES>();
    let (is_call, _) = c.is_call.as_chunks::<LANES>();
    let [price, delta, gamma, vega, theta, rho] =
        out.columns_mut().map(|c| c.as_chunks_mut::<LANES>().0);
    let inputs = forward.iter().zip(strike).zip(years).zip(vol).zip(is_call);
    let outputs = price
        .iter_mut()
        .zip(delta)
        .zip(gamma)
        .zip(vega)
        .zip(theta)
        .zip(rho);
    for (group, (((((f, k), t), v), call), (((((p, d), ga), ve), th), r))) in
        inputs.zip(outputs).enumerate()
    {
        let (f, k, t, v) = (F4::load(f), F4::load(k), F4::load(t), F4::load(v));
        let (sqrt_t, discount) = expiry.of_four(t);
        let call = M4::from_bools([call[0] != 0, call[1] != 0, call[2] != 0, call[3] != 0]);
        let g = four(f, k, t, sqrt_t, v, discount, c.rate, call);
        // Every input finite and positive, as `valid` checks option by option: a lane the
        // lanes priced has F/K in (1e-300, 1e300) and 0 < σ√T < ∞ (|d1| < 30 and
        // 1 + |d1| < 256·σ√T fail for NaN, 0, negative and infinite σ√T, and √T is NaN for
        // T < 0), so F > 0 leaves K, T and σ finite and positive too.
        let infinity = F4::splat(f64::INFINITY);
        // Every figure finite: their sum is (an overflowing sum only sends the lanes to `price_one`).
        let [price, delta, gamma, vega, theta, rho] = g.columns;
        let sum = price + delta + gamma + vega + theta + rho;
        let usual = g
            .priced
            .and(F4::splat(0.0).lt(f))
            .and(sum.abs().lt(infinity));
        (*p, *d, *ga, *ve, *th, *r) = (
            price.lanes(),
            delta.lanes(),
            gamma.lanes(),
            vega.lanes(),
            theta.lanes(),
            rho.lanes(),
        );
        if !usual.all() {
            let lanes = usual.lanes();
            pending.extend(
                (0..LANES)
                    .filter(|lane| !lanes[*lane])
                    .map(|lane| LANES * group + lane),
            );
        }
    }
    pending.extend(LANES * (n / LANES)..n);
    pending.retain(|i| !price_one(c, &mut expiry, out, *i));
    out.invalid = pending;
    Ok(())
}

/// Whether option `i` is in the domain: every input finite and positive.
#[inline]
fn valid(c: &ChainInputs, i: usize) -> bool {
    [c.forward[i], c.strike[i], c.years[i], c.vol[i]]
        .iter()
        .all(|x| x.is_finite() && *x > 0.0)
}

/// Prices option `i` with the scalar code; false, with NaN figures, when it is invalid.
fn price_one(c: &ChainInputs, expiry: &mut Expiry, out: &mut ChainGreeks, i: usize) -> bool {
    let (f, k, t, v) = (c.forward[i], c.strike[i], c.years[i], c.vol[i]);
    let figures = valid(c, i).then(|| {
        let (sqrt_t, discount) = expiry.get(t);
        one(f, k, t, sqrt_t, v, discount, c.rate, c.is_call[i] != 0)
    });
    // Inputs so extreme that a figure overflows (σ√T or the discount beyond a double, a gamma
    // over an F·σ√T below the smallest double) are outside the domain too.
    let figures = figures.filter(|g| g.iter().all(|x| x.is_finite()));
    for (column, value) in out
        .columns_mut()
        .into_iter()
        .zip(figures.unwrap_or([f64::NAN; 6]))
    {
        column[i] = value;
    }
    figures.is_some()
}

/// √T and the discount factor of the last expiry asked for.
struct Expiry {
    rate: f64,
    years: f64,
    sqrt_t: f64,
    discount: f64,
}

impl Expiry {
    fn new(rate: f64) -> Expiry {
        Expiry {
            rate,
            years: f64::NAN,
            sqrt_t: f64::NAN,
            discount: f64::NAN,
        }
    }

    /// √T and the discount factors of four options: the cached ones in every lane when all four
    /// have the last expiry asked for (the usual case in a chain sorted by expiry), else lane by
    /// lane. The cached √T saves a vector square root per four options: ChainPricer in Chromium
    /// 30.9–32.6 → 30.4–32.3 ns per option (two builds interleaved, twice).
    #[inline]
    fn of_four(&mut self, years: F4) -> (F4, F4) {
        if years.eq(F4::splat(self.years)).all() {
            return (F4::splat(self.sqrt_t), F4::splat(self.discount));
        }
        (years.sqrt(), F4::new(years.lanes().map(|t| self.get(t).1)))
    }

    #[inline]
    fn get(&mut self, years: f64) -> (f64, f64) {
        if years != self.years {
            self.years = years;
            self.sqrt_t = years.sqrt();
            self.discount = (-self.rate * years).exp();
        }
        (self.sqrt_t, self.discount)
    }
}

impl ChainGreeks {
    /// The six columns in the order of [`one`]'s result.
    fn columns_mut(&mut self) -> [&mut Vec<f64>; 6] {
        [
            &mut self.price,
            &mut self.delta,
            &mut self.gamma,
            &mut self.vega,
            &mut self.theta,
            &mut self.rho,
        ]
    }
}

/// [`one`] for four options, and the lanes it priced.
struct Four {
    columns: [F4; 6],
    priced: M4,
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn four(f: F4, k: F4, t: F4, sqrt_t: F4, vol: F4, discount: F4, rate: f64, call: M4) -> Four {
    let s = vol * sqrt_t;
    let tv = lane_math::time_value(f, k, s);
    let density = tv.gauss1 * F4::splat(1.0 / (2.0 * PI).sqrt());
    let in_the_money = call.ne(tv.otm_is_call);
    let intrinsic = call.select(f - k, k - f);
    let undiscounted = in_the_money.select(tv.value + intrinsic, tv.value);
    let one = F4::splat(1.0);
    let call_delta = tv.otm_is_call.select(tv.n1, one - tv.n1);
    let price = discount * undiscounted;
    let delta = discount * call.select(call_delta, call_delta - one);
    let gamma = discount * density / (f * s);
    let vega = discount * f * density * sqrt_t;
    let theta =
        -(discount * f * density * vol / (F4::splat(2.0) * sqrt_t)) + F4::splat(rate) * price;
    Four {
        columns: [
            price,
            delta,
            gamma,
            vega * F4::splat(0.01),
            theta / F4::splat(365.0),
            -(t * price) * F4::splat(0.01),
        ],
        priced: tv.priced,
    }
}

/// Price, delta, gamma, vega (per point), theta (per day), rho (per point) of one option.
#[allow(clippy::too_many_arguments)]
#[inline]
fn one(
    f: f64,
    k: f64,
    t: f64,
    sqrt_t: f64,
    vol: f64,
    discount: f64,
    rate: f64,
    call: bool,
) -> [f64; 6] {
    let s = vol * sqrt_t;
    let tv = time_value(f, k, log_moneyness(f, k), s);
    let (otm, n1, otm_is_call) = (tv.value, tv.n1, tv.otm_is_call);
    let density = tv.gauss1 / (2.0 * PI).sqrt();
    let (undiscounted, call_delta) = match (call, otm_is_call) {
        (true, true) => (otm, n1),
        (false, false) => (otm, 1.0 - n1),
        (true, false) => (otm + (f - k), 1.0 - n1),
        (false, true) => (otm + (k - f), n1),
    };
    let price = discount * undiscounted;
    let delta = discount * if call { call_delta } else { call_delta - 1.0 };
    let gamma = discount * density / (f * s);
    let vega = discount * f * density * sqrt_t;
    let theta = -discount * f * density * vol / (2.0 * sqrt_t) + rate * price;
    [
        price,
        delta,
        gamma,
        vega * 0.01,
        theta / 365.0,
        -t * price * 0.01,
    ]
}

/// Errors naming the first column whose length differs from `first`'s.
pub fn same_lengths(first: (&str, usize), others: &[(&str, usize)]) -> Result<(), String> {
    let (first_name, n) = first;
    match others.iter().find(|(_, len)| *len != n) {
        Some((name, len)) => Err(format!(
            "{name}: has {len} values, {first_name} has {n}; every column needs one per option"
        )),
        None => Ok(()),
    }
}
