//! The time value of a Black option from ln(F/K) and σ√T, fast where it can be and exact to
//! 1e-12 relative everywhere: what the chain pricer and the re-valuation kernel compute per option.
//!
//! The time value is the out-of-the-money option's price (a call when F < K, a put otherwise):
//! `θ·(F·N(θ·d1) − K·N(θ·d2))`, θ = ±1. Both probabilities come from one exponential, since
//! e^(−d2²/2) = e^(−d1²/2)·F/K, and Cody's rational erfcx (the scaled complement e^(u²)·erfc(u),
//! crate `implied-vol`) or erf near zero, which take none of their own. Where the difference of
//! the two terms would amplify their rounding too much — far out of the money, close to expiry —
//! it is Jäckel's normalised Black instead.

use implied_vol::{DefaultSpecialFn, PriceBlackScholesNormalised, SpecialFn};
use std::f64::consts::FRAC_1_SQRT_2;

/// Above this error amplification the textbook difference hands over to Jäckel's pricer. Both
/// terms share the factor e^(−d1²/2), so its error passes through the difference unamplified;
/// the difference amplifies the rest (erfcx's rounding, the forward's) by about (1 + |d|)/σ√T.
/// Checked against 50-digit mpmath on 57,000 random (x, σ√T): at most 1.7e-13 relative below
/// this limit with |d1| < [`D_LIMIT`], inside 1e-12; the golden file has cases either side of it.
pub(super) const AMPLIFICATION_LIMIT: f64 = 256.0;

/// Beyond this |d1| e^(−d1²/2) nears the subnormal range and the difference loses its digits.
pub(super) const D_LIMIT: f64 = 30.0;

/// Cody's switch point: below it erf is one rational function, above it erfcx is.
pub(super) const ERF_RANGE: f64 = 0.46875;

/// ln(F/K), near the money as ln_1p((F − K)/K): F − K is exact there (Sterbenz), so x keeps its
/// relative accuracy, which matters when σ√T is tiny and the price hangs on x/σ√T.
#[inline]
pub fn log_moneyness(forward: f64, strike: f64) -> f64 {
    let ratio = forward / strike;
    if (0.5..2.0).contains(&ratio) {
        ((forward - strike) / strike).ln_1p()
    } else {
        ratio.ln()
    }
}

/// The time value and what the Greeks reuse.
#[derive(Clone, Copy, Debug)]
pub struct TimeValue {
    /// Undiscounted, in the forward's currency.
    pub value: f64,
    /// Whether the out-of-the-money option is the call (F < K).
    pub otm_is_call: bool,
    /// N(θ·d1): the out-of-the-money option's |delta| before discounting.
    pub n1: f64,
    /// e^(−d1²/2).
    pub gauss1: f64,
}

/// The time value of an option on `forward` struck at `strike`, given x = ln(F/K) and
/// s = σ√T > 0.
///
/// ```
/// use headroom::pricing::time_value::time_value;
/// // ATM, F = K = 100, σ√T = 0.2·√0.5: the whole price, 5.637197779701664.
/// let tv = time_value(100.0, 100.0, 0.0, 0.2 * 0.5f64.sqrt());
/// assert!((tv.value - 5.637197779701664).abs() < 1e-14);
/// ```
#[inline]
pub fn time_value(forward: f64, strike: f64, log_moneyness: f64, total_vol: f64) -> TimeValue {
    let (x, s) = (log_moneyness, total_vol);
    let d1 = x / s + 0.5 * s;
    let d2 = d1 - s;
    let gauss1 = (-0.5 * d1 * d1).exp();
    let otm_is_call = x < 0.0;
    let theta = if otm_is_call { 1.0 } else { -1.0 };
    let n1 = cdf_with_gauss(theta * d1, gauss1);
    let amplification = (1.0 + d1.abs().max(d2.abs())) / s;
    let value = if d1.abs() < D_LIMIT && amplification < AMPLIFICATION_LIMIT {
        let n2 = cdf_with_gauss(theta * d2, gauss1 * (forward / strike));
        (theta * (forward * n1 - strike * n2)).max(0.0)
    } else {
        forward.sqrt() * strike.sqrt() * normalised_black(x, s)
    };
    TimeValue {
        value,
        otm_is_call,
        n1,
        gauss1,
    }
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

/// Jäckel's normalised Black: the time value over √(FK), from x = ln(F/K) and s = σ√T > 0.
/// Not inlined: its one copy serves this module and [`super::black::undiscounted_black`]
/// (the crate's code is large, and a copy per caller cost the module 4 KB gzipped).
#[inline(never)]
pub(super) fn normalised_black(log_moneyness: f64, total_vol: f64) -> f64 {
    PriceBlackScholesNormalised::builder()
        .log_moneyness(log_moneyness)
        .total_volatility(total_vol)
        .build_unchecked()
        .calculate::<DefaultSpecialFn>()
}
