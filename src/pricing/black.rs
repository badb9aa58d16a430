//! European options in the generalised Black-Scholes-Merton model (Haug's cost-of-carry form).
//!
//! With spot `S`, carry `b` and rate `r` the forward is `F = S·e^(bT)`. Black-76 on a forward is the
//! case `S = F, b = 0`, which is how the report prices every option (conventions.md); BSM with a
//! dividend yield `q` is `b = r − q`. Greeks here are in textbook units: vega per 1.00 of volatility,
//! theta = −∂V/∂T per year, rho per 1.00.
//!
//! The price itself is `e^(−rT)` times Jäckel's normalised Black function (crate `implied-vol`):
//! intrinsic value plus a time value computed on the out-of-the-money side without cancellation.
//! The textbook `F·N(d1) − K·N(d2)` subtracts two nearly equal numbers far out of the money and
//! close to expiry, and was measured 3.7e-10 off (relative) a minute from expiry; this is within
//! 1e-13 of a 60-digit reference there (tests/golden.rs).

use super::normal::{cdf, pdf};
use implied_vol::{DefaultSpecialFn, SpecialFn};

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Call,
    Put,
}

/// Inputs of one European option. Preconditions: every field finite, `spot`, `strike`, `years`
/// and `vol` strictly positive (callers handle expiry and zero volatility themselves).
#[derive(Clone, Copy, Debug)]
pub struct OptionInputs {
    pub kind: OptionKind,
    pub spot: f64,
    pub strike: f64,
    pub years: f64,
    pub rate: f64,
    pub carry: f64,
    pub vol: f64,
}

/// Price and sensitivities of one option on one unit of the underlying, textbook units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Greeks {
    pub price: f64,
    /// ∂V/∂S.
    pub delta: f64,
    /// ∂²V/∂S².
    pub gamma: f64,
    /// ∂V/∂σ, per 1.00 of volatility.
    pub vega: f64,
    /// −∂V/∂T per year, with S, r and b held fixed (for Black-76: forward held fixed).
    pub theta: f64,
    /// ∂V/∂r with the carry b held fixed (for Black-76 this is −T·V).
    pub rho: f64,
    /// ∂V/∂b, the sensitivity to the cost of carry.
    pub carry_rho: f64,
    /// ∂²V/∂S∂σ.
    pub vanna: f64,
    /// ∂²V/∂σ².
    pub volga: f64,
    /// −∂Δ/∂T per year.
    pub charm: f64,
}

impl Greeks {
    /// The same sensitivities in the report's units (conventions.md): vega and vanna per vol
    /// point, volga per (vol point)², theta and charm per calendar day, rho and carry rho per
    /// percentage point. Price, delta and gamma are unchanged.
    pub fn in_report_units(&self) -> Greeks {
        const POINT: f64 = 0.01;
        const DAYS_PER_YEAR: f64 = 365.0;
        Greeks {
            vega: self.vega * POINT,
            theta: self.theta / DAYS_PER_YEAR,
            rho: self.rho * POINT,
            carry_rho: self.carry_rho * POINT,
            vanna: self.vanna * POINT,
            volga: self.volga * POINT * POINT,
            charm: self.charm / DAYS_PER_YEAR,
            ..*self
        }
    }
}

/// Prices one option and all its Greeks in closed form.
///
/// ```
/// use headroom::pricing::black::{price_and_greeks, OptionInputs, OptionKind};
/// // Black-76, F = 620, K = 600, r = 5 %, T = 0.5, σ = 20 % (Haug): 44.1868533121.
/// let g = price_and_greeks(&OptionInputs {
///     kind: OptionKind::Call, spot: 620.0, strike: 600.0, years: 0.5, rate: 0.05, carry: 0.0, vol: 0.2,
/// });
/// assert!((g.price - 44.18685331211).abs() < 1e-9);
/// ```
pub fn price_and_greeks(o: &OptionInputs) -> Greeks {
    let sqrt_t = o.years.sqrt();
    let vol_sqrt_t = o.vol * sqrt_t;
    let d1 = ((o.spot / o.strike).ln() + (o.carry + 0.5 * o.vol * o.vol) * o.years) / vol_sqrt_t;
    let d2 = d1 - vol_sqrt_t;
    let carry_df = ((o.carry - o.rate) * o.years).exp(); // e^((b−r)T)
    let df = (-o.rate * o.years).exp(); // e^(−rT)
    let n_d1 = pdf(d1);

    // Shared by both kinds.
    let gamma = carry_df * n_d1 / (o.spot * vol_sqrt_t);
    let vega = o.spot * carry_df * n_d1 * sqrt_t;
    let vanna = -carry_df * n_d1 * d2 / o.vol;
    let volga = vega * d1 * d2 / o.vol;
    let time_decay = -o.spot * carry_df * n_d1 * o.vol / (2.0 * sqrt_t);
    let dd1_dt = o.carry / vol_sqrt_t - d2 / (2.0 * o.years);

    let price = df
        * undiscounted_black(
            o.kind,
            o.spot * (o.carry * o.years).exp(),
            o.strike,
            o.years,
            o.vol,
        );
    let (delta, theta, carry_rho, charm) = match o.kind {
        OptionKind::Call => {
            let nd1 = cdf(d1);
            // −∂V/∂T written with r·V for the strike term, so nothing cancels.
            let theta = time_decay - o.carry * o.spot * carry_df * nd1 + o.rate * price;
            let charm = -carry_df * (n_d1 * dd1_dt + (o.carry - o.rate) * nd1);
            (
                carry_df * nd1,
                theta,
                o.years * o.spot * carry_df * nd1,
                charm,
            )
        }
        OptionKind::Put => {
            let nmd1 = cdf(-d1);
            let theta = time_decay + o.carry * o.spot * carry_df * nmd1 + o.rate * price;
            let charm = -carry_df * (n_d1 * dd1_dt - (o.carry - o.rate) * nmd1);
            (
                -carry_df * nmd1,
                theta,
                -o.years * o.spot * carry_df * nmd1,
                charm,
            )
        }
    };

    Greeks {
        price,
        delta,
        gamma,
        vega,
        theta,
        rho: -o.years * price,
        carry_rho,
        vanna,
        volga,
        charm,
    }
}

/// Undiscounted Black price on a forward (Jäckel's "Let's Be Rational" pricer).
///
/// ```
/// use headroom::pricing::black::{undiscounted_black, OptionKind};
/// let p = undiscounted_black(OptionKind::Call, 100.0, 100.0, 0.5, 0.2);
/// assert!((p - 5.6371977797016627).abs() < 1e-14);
/// ```
pub fn undiscounted_black(
    kind: OptionKind,
    forward: f64,
    strike: f64,
    years: f64,
    vol: f64,
) -> f64 {
    // Crate implied-vol's `PriceBlackScholes::calculate`, step for step, with its normalised
    // Black through the module's one copy (super::time_value::normalised_black).
    let call = kind == OptionKind::Call;
    let intrinsic = (if call {
        forward - strike
    } else {
        strike - forward
    })
    .max(0.0);
    if vol == 0.0 || years == 0.0 {
        return intrinsic;
    }
    let s = vol * years.sqrt();
    if s.is_infinite() {
        return if call { forward } else { strike };
    }
    if strike == forward {
        return forward * DefaultSpecialFn::erf((0.5 * std::f64::consts::FRAC_1_SQRT_2) * s);
    }
    let time_value = if s <= 0.0 {
        0.0
    } else {
        let x = negative_abs_log_moneyness(forward, strike);
        forward.sqrt() * strike.sqrt() * super::time_value::normalised_black(x, s)
    };
    intrinsic + time_value
}

/// −|ln(F/K)| as the crate computes it: from the difference near the money, so that adjacent
/// prices stay distinguishable, and without an underflowing ratio far from it.
fn negative_abs_log_moneyness(forward: f64, strike: f64) -> f64 {
    let smaller = forward.min(strike);
    let larger = forward.max(strike);
    if smaller >= 0.5 * larger {
        -((larger - smaller) / smaller).ln_1p()
    } else {
        let ratio = smaller / larger;
        if ratio >= f64::MIN_POSITIVE {
            ratio.ln()
        } else {
            smaller.ln() - larger.ln()
        }
    }
}

/// Payoff of one option at expiry, per unit of the underlying, in the price's currency.
pub fn intrinsic(kind: OptionKind, underlying: f64, strike: f64) -> f64 {
    match kind {
        OptionKind::Call => (underlying - strike).max(0.0),
        OptionKind::Put => (strike - underlying).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use implied_vol::PriceBlackScholes;

    /// `undiscounted_black` is the crate's `PriceBlackScholes::calculate` to the bit: random
    /// forwards, strikes from 1e-6 to 1e6 times the forward, times from a minute to 30 years,
    /// vols from 0.1 % to 500 %, and the edges (at the money, zero vol, zero time).
    #[test]
    fn undiscounted_black_is_the_crates_to_the_bit() {
        let crate_price = |kind: OptionKind, f: f64, k: f64, t: f64, v: f64| {
            PriceBlackScholes::builder()
                .forward(f)
                .strike(k)
                .volatility(v)
                .expiry(t)
                .is_call(kind == OptionKind::Call)
                .build_unchecked()
                .calculate::<DefaultSpecialFn>()
        };
        let mut seed = 17_u64;
        let mut uniform = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut cases = vec![
            (100.0, 100.0, 0.5, 0.2),
            (100.0, 100.0, 0.0, 0.2),
            (100.0, 120.0, 0.5, 0.0),
            (
                91250.5,
                91250.5 * (1.0 + f64::EPSILON),
                1.0 / 525_600.0,
                0.5,
            ),
            (1.0, 1e-300, 1.0, 0.5),
        ];
        for _ in 0..20_000 {
            let f = 10f64.powf(uniform() * 8.0 - 2.0);
            let k = f * 10f64.powf(uniform() * 12.0 - 6.0);
            let t = 10f64.powf(uniform() * 5.7 - 5.7) * 30.0;
            let v = 10f64.powf(uniform() * 3.7 - 3.0);
            cases.push((f, k, t, v));
        }
        for (f, k, t, v) in cases {
            for kind in [OptionKind::Call, OptionKind::Put] {
                let ours = undiscounted_black(kind, f, k, t, v);
                let theirs = crate_price(kind, f, k, t, v);
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{kind:?} {f} {k} {t} {v}");
            }
        }
    }
}
