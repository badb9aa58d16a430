//! The standard normal distribution, accurate in both tails.
//!
//! `N(x)` is computed as `½·erfc(−x/√2)` so that a far out-of-the-money option (x ≪ 0) keeps its
//! relative accuracy instead of collapsing to `1 − 1 = 0`.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Cumulative distribution function of the standard normal distribution.
///
/// ```
/// let p = headroom::pricing::normal::cdf(-10.0);
/// assert!((p / 7.619853024160527e-24 - 1.0).abs() < 1e-12);
/// ```
pub fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// Probability density of the standard normal distribution.
pub fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}
