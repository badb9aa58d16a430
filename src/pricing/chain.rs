//! Whole option chains at once, in columns: for front ends that price every strike of every
//! expiry on each tick. Black-76 on the forward, price and first-order Greeks (and gamma) in the
//! report's units, the same figures as [`super::quote::quote`] option by option.
//!
//! The kernel does per option what it must and no more: one ln(F/K) and one exponential. Both
//! normal probabilities come from that exponential, since e^(−d2²/2) = e^(−d1²/2)·F/K, and
//! Cody's rational erfcx (the scaled complement e^(u²)·erfc(u), crate `implied-vol`), which needs
//! none of its own. The price is the out-of-the-money option's `F·N(d1) − K·N(d2)`
//! (the in-the-money one adds the intrinsic value by parity), which loses relative accuracy only
//! when the two terms nearly cancel — far out of the money and close to expiry. There it falls back to Jäckel's normalised Black (crate
//! `implied-vol`), so every price stays within 1e-12 relative of a 60-digit reference
//! (tests/golden.rs checks both paths).

use super::black::{undiscounted_black, OptionKind};
use implied_vol::{DefaultSpecialFn, SpecialFn};
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Above this error amplification the textbook difference hands over to Jäckel's pricer. The
/// difference of the two terms amplifies their relative error by about (1 + |d2|)/σ√T, and an
/// error in d by about 1 + d2²: together at most a few hundred ulps, inside 1e-12 relative.
const AMPLIFICATION_LIMIT: f64 = 512.0;

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
    /// Indexes of options outside the domain (a non-positive or non-finite input): their
    /// outputs are NaN.
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
    let n = c.forward.len();
    let lengths = [
        ("strike", c.strike.len()),
        ("years", c.years.len()),
        ("vol", c.vol.len()),
        ("isCall", c.is_call.len()),
    ];
    for (name, len) in lengths {
        if len != n {
            return Err(format!(
                "{name}: has {len} values, forward has {n}; every column needs one per option"
            ));
        }
    }
    if !(c.rate.is_finite() && c.rate.abs() <= 1.0) {
        return Err(format!(
            "rate: must be a fraction between −1 and 1, got {}",
            c.rate
        ));
    }
    let mut out = ChainGreeks {
        price: vec![f64::NAN; n],
        delta: vec![f64::NAN; n],
        gamma: vec![f64::NAN; n],
        vega: vec![f64::NAN; n],
        theta: vec![f64::NAN; n],
        rho: vec![f64::NAN; n],
        invalid: Vec::new(),
    };
    // Consecutive options of one expiry share √T and the discount factor.
    let (mut last_years, mut sqrt_t, mut discount) = (f64::NAN, 0.0, 0.0);
    for i in 0..n {
        let (f, k, t, v) = (c.forward[i], c.strike[i], c.years[i], c.vol[i]);
        let valid = [f, k, t, v].iter().all(|x| x.is_finite() && *x > 0.0);
        if !valid {
            out.invalid.push(i);
            continue;
        }
        if t != last_years {
            last_years = t;
            sqrt_t = t.sqrt();
            discount = (-c.rate * t).exp();
        }
        let g = one(f, k, t, sqrt_t, v, discount, c.rate, c.is_call[i] != 0);
        out.price[i] = g[0];
        out.delta[i] = g[1];
        out.gamma[i] = g[2];
        out.vega[i] = g[3];
        out.theta[i] = g[4];
        out.rho[i] = g[5];
    }
    Ok(out)
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
    let x = (f / k).ln();
    let d1 = x / s + 0.5 * s;
    let d2 = d1 - s;
    let gauss1 = (-0.5 * d1 * d1).exp();
    let density = gauss1 / (2.0 * PI).sqrt();
    // The out-of-the-money side: a call when F < K, a put otherwise (θ = ±1).
    let theta_sign = if x < 0.0 { 1.0 } else { -1.0 };
    let n1 = cdf_with_gauss(theta_sign * d1, gauss1);
    let otm = if (1.0 + d2.abs()) * (1.0 + d2 * d2) / s < AMPLIFICATION_LIMIT {
        let n2 = cdf_with_gauss(theta_sign * d2, gauss1 * (f / k));
        (theta_sign * (f * n1 - k * n2)).max(0.0)
    } else {
        let kind = if theta_sign > 0.0 {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        undiscounted_black(kind, f, k, t, vol)
    };
    let otm_is_call = theta_sign > 0.0;
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

/// N(d), given `gauss` = e^(−d²/2): erf near zero, the scaled complement erfcx elsewhere, so no
/// exponential is taken here and the lower tail keeps its relative accuracy.
#[inline]
fn cdf_with_gauss(d: f64, gauss: f64) -> f64 {
    let u = d * FRAC_1_SQRT_2;
    if u.abs() <= ERF_RANGE {
        0.5 + 0.5 * DefaultSpecialFn::erf(u)
    } else if u < 0.0 {
        0.5 * gauss * DefaultSpecialFn::erfcx(-u)
    } else {
        1.0 - 0.5 * gauss * DefaultSpecialFn::erfcx(u)
    }
}

/// Cody's switch point: below it erf is one rational function, above it erfcx is.
const ERF_RANGE: f64 = 0.46875;
