//! Implied volatility from an option price, with Peter Jäckel's "Let's Be Rational" (crate
//! `implied-vol`), which is accurate to machine precision over the whole domain where a volatility
//! exists. Whole chains go four options at a time through [`super::implied_lanes`] first, which
//! solves the usual domain 2–2.5× as fast, and hands Let's Be Rational what it cannot pin to 1e-12.

use super::black::OptionKind;
use super::implied_lanes;
use super::lanes::{F4, M4};
use implied_vol::{DefaultSpecialFn, ImpliedBlackVolatility};

/// Options solved together: the lanes of [`F4`].
const LANES: usize = 4;

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
/// volatility reproduces the price. Errors only when the columns differ in length. Each option's
/// volatility is within 1e-12 relative of [`implied_black_vol`]'s, whichever path solved it.
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
    let kind = |i: usize| {
        if is_call[i] != 0 {
            OptionKind::Call
        } else {
            OptionKind::Put
        }
    };
    let scalar = |i: usize| {
        implied_black_vol(price[i], forward[i], strike[i], years[i], kind(i)).unwrap_or(f64::NAN)
    };
    let mut vols = vec![f64::NAN; n];
    // Four options at a time in lanes; a lane the lanes do not solve, and the last n mod 4
    // options, go to Let's Be Rational.
    // Each group's columns are read as whole blocks, as the chain pricer reads them.
    let groups = price
        .as_chunks::<LANES>()
        .0
        .iter()
        .zip(forward.as_chunks::<LANES>().0)
        .zip(strike.as_chunks::<LANES>().0)
        .zip(years.as_chunks::<LANES>().0)
        .zip(is_call.as_chunks::<LANES>().0);
    for (group, ((((p, f), k), t), call)) in groups.enumerate() {
        let call = M4::from_bools([call[0] != 0, call[1] != 0, call[2] != 0, call[3] != 0]);
        let four =
            implied_lanes::implied_vols(F4::load(p), F4::load(f), F4::load(k), F4::load(t), call);
        let first = LANES * group;
        let out = &mut vols[first..first + LANES];
        out.copy_from_slice(&four.vol.lanes());
        if four.solved.all() {
            continue;
        }
        for (lane, solved) in four.solved.lanes().into_iter().enumerate() {
            if !solved {
                out[lane] = scalar(first + lane);
            }
        }
    }
    for (i, vol) in vols.iter_mut().enumerate().skip(LANES * (n / LANES)) {
        *vol = scalar(i);
    }
    Ok(vols)
}
