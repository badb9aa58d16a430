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

/// Implied volatilities of a chain in columns (undiscounted prices on forwards); NaN where no
/// volatility reproduces the price. Errors only when the columns differ in length.
///
/// ```
/// use headroom::pricing::implied::implied_vols;
/// let v = implied_vols(&[5.637197779701664, 200.0], &[100.0; 2], &[100.0; 2], &[0.5; 2], &[1, 1]).unwrap();
/// assert!((v[0] - 0.2).abs() < 1e-14 && v[1].is_nan());
/// ```
pub fn implied_vols(
    price: &[f64],
    forward: &[f64],
    strike: &[f64],
    years: &[f64],
    is_call: &[u8],
) -> Result<Vec<f64>, String> {
    super::chain::same_lengths(
        ("price", price.len()),
        &[
            ("forward", forward.len()),
            ("strike", strike.len()),
            ("years", years.len()),
            ("isCall", is_call.len()),
        ],
    )?;
    let n = price.len();
    Ok((0..n)
        .map(|i| {
            let kind = if is_call[i] != 0 {
                OptionKind::Call
            } else {
                OptionKind::Put
            };
            implied_black_vol(price[i], forward[i], strike[i], years[i], kind).unwrap_or(f64::NAN)
        })
        .collect())
}
