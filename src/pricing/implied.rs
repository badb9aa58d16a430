//! Implied volatility from an option price, with Peter Jäckel's "Let's Be Rational" (crate
//! `implied-vol`), which is accurate to machine precision over the whole domain where a volatility
//! exists.

use super::black::OptionKind;
use implied_vol::{DefaultSpecialFn, ImpliedBlackVolatility};

/// Implied Black volatility of an **undiscounted** option price on a forward.
///
/// Returns `None` when no volatility reproduces the price (below intrinsic value, at or above the
/// forward for a call / the strike for a put) or when an input is not finite and positive.
///
/// ```
/// use headroom::pricing::{implied_black_vol, black::OptionKind};
/// let vol = implied_black_vol(5.637197779701664, 100.0, 100.0, 0.5, OptionKind::Call).unwrap();
/// assert!((vol - 0.2).abs() < 1e-14);
/// ```
pub fn implied_black_vol(
    undiscounted_price: f64,
    forward: f64,
    strike: f64,
    years: f64,
    kind: OptionKind,
) -> Option<f64> {
    let all_positive = [forward, strike, years]
        .iter()
        .all(|v| v.is_finite() && *v > 0.0);
    if !all_positive || !undiscounted_price.is_finite() || undiscounted_price <= 0.0 {
        return None;
    }
    let vol = ImpliedBlackVolatility::builder()
        .option_price(undiscounted_price)
        .forward(forward)
        .strike(strike)
        .expiry(years)
        .is_call(kind == OptionKind::Call)
        .build()?
        .calculate::<DefaultSpecialFn>()?;
    (vol.is_finite() && vol > 0.0).then_some(vol)
}
