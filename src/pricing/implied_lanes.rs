//! Implied volatilities of four options at once ([`F4`] lanes): Householder's method of order 3
//! on the lane pricer's time value ([`super::lane_math`]), from a guess built at the inflection
//! point. Two prices for most options of the usual domain (one to three), against Let's Be
//! Rational's rational-cubic guess and two steps on its own, branchier normalised Black. A lane is
//! kept only where the answer is as good as Let's Be Rational's to 1e-12 (see the constants);
//! every other lane is left to it ([`super::implied`]).
//!
//! With s = σ√T, x = ln(F/K) and b(s) the time value, the out-of-the-money option's price, to
//! equal β:
//! - At the inflection point s_c = √(2|x|) one of d1, d2 is zero, so b(s_c) = min(F, K)/2 −
//!   max(F, K)·N(−s_c) with e^(−s_c²/2) = min/max, and b′(s_c) = min(F, K)/√(2π): no exponential.
//! - Below it (β < b(s_c)) b is convex and the objective is ln b(s) − ln β. The guess solves
//!   ln b ≈ A − x²/(2s²) + B·ln s, A and B fitted to b and b′ at s_c (the asymptotic form has
//!   B = 3), by one Newton step in 1/s². When β is within a factor [`NEAR`] of b(s_c), the guess is
//!   one Newton step on the price from s_c instead, which convexity keeps above the root.
//! - Above it b is concave, the objective is b(s) − β, and the guess is one Newton step from s_c
//!   (at the money: Brenner and Subrahmanyam's σ√T ≈ √(2π)·β/F).
//! - b′ = F·φ(d1); b″/b′ = d1·d2/s = x²/s³ − s/4; b‴/b′ = (b″/b′)² − 3x²/s⁴ − 1/4.

use super::lane_math;
use super::lanes::{F4, M4};
use std::f64::consts::PI;

/// Householder steps before a lane is handed to Let's Be Rational.
const MAX_STEPS: usize = 8;

/// A step below this fraction of s is the last. The method converges with order 4, so the error
/// left after it is of order 1e-16·s. Over 630,000 random options solved here (10⁶ draws from
/// the distribution of `agrees_with_lets_be_rational_on_random_options`, which runs 200,000): at
/// 1e-4 the worst difference from Let's Be Rational was 6.9e-14, the price's rounding; at 1e-3 it
/// was 5.0e-13.
const STEP_TOLERANCE: f64 = 1e-4;

/// The lane pricer's time value is within 1.7e-13 relative of the exact one where it prices
/// (super::time_value); a lane is kept only where s·b′/b, the factor by which a relative price
/// error shrinks in σ, is at least this, so that the rounding moves σ by less than 7e-13.
const MIN_ELASTICITY: f64 = 0.25;

/// Below the inflection point, a β above this fraction of b(s_c) takes the Newton guess.
const NEAR: f64 = 0.1;

/// Implied σ of four options and the lanes solved here.
#[derive(Clone, Copy, Debug)]
pub struct Vols4 {
    /// Volatility, fraction per √year; meaningful only in `solved` lanes.
    pub vol: F4,
    /// Lanes solved here; the others need the scalar solver.
    pub solved: M4,
}

/// Implied volatilities of four undiscounted Black prices on forwards; `call` marks calls.
#[inline(always)]
pub fn implied_vols(price: F4, forward: F4, strike: F4, years: F4, call: M4) -> Vols4 {
    let (vol, solved, _) = solve(price, forward, strike, years, call);
    Vols4 { vol, solved }
}

/// [`implied_vols`] and the number of steps taken.
#[inline(always)]
fn solve(price: F4, forward: F4, strike: F4, years: F4, call: M4) -> (F4, M4, usize) {
    let zero = F4::splat(0.0);
    let one = F4::splat(1.0);
    let in_domain = |v: F4| zero.lt(v).and(v.lt(F4::splat(f64::INFINITY)));
    let ratio = forward / strike;
    let x = ln_ratio(forward, strike);
    let otm_is_call = x.lt(zero);
    let in_the_money = call.ne(otm_is_call);
    let beta = in_the_money.select(
        price - call.select(forward - strike, strike - forward),
        price,
    );
    // The out-of-the-money option is worth less than the smaller of F and K.
    let small = otm_is_call.select(forward, strike);
    let large = otm_is_call.select(strike, forward);
    let solvable = in_domain(price)
        .and(in_domain(forward))
        .and(in_domain(strike))
        .and(in_domain(years))
        .and(zero.lt(beta))
        .and(beta.lt(small))
        .and(F4::splat(1e-300).lt(ratio))
        .and(ratio.lt(F4::splat(1e300)));
    // The guess. e^(−s_c²/2) = e^(−|x|) = small/large.
    let inflection = (F4::splat(2.0) * x.abs()).sqrt();
    let at_inflection =
        F4::splat(0.5) * small - large * lane_math::cdf_with_gauss(-inflection, small / large);
    let lower = beta.lt(at_inflection);
    // Lower region: ln b(s) ≈ A − x²/(2s²) + B·ln s, with A and B from b and b′ at s_c; in
    // w = 1/s², (x²/2)(w − w_c) + (B/2)·ln(w/w_c) = ln(b_c/β), one Newton step from B = 0.
    let vega_at_inflection = small * F4::splat(1.0 / (2.0 * PI).sqrt());
    let half_x2 = F4::splat(0.5) * x * x;
    let w_c = one / (inflection * inflection);
    let b_term = inflection * vega_at_inflection / at_inflection - F4::splat(0.5) * x.abs();
    let log_drop = ln_ratio(at_inflection, beta);
    let w_a = w_c + log_drop / half_x2;
    let f_a = F4::splat(0.5) * b_term * ln_ratio(w_a, w_c);
    let w = w_a - f_a / (half_x2 + F4::splat(0.5) * b_term / w_a);
    // The root is below s_c: w above w_c, or the step failed.
    let w = w_c.lt(w).select(w, w_a);
    let lower_guess = (one / w).sqrt();
    let newton_guess = inflection + (beta - at_inflection) / vega_at_inflection;
    let near = (F4::splat(NEAR) * at_inflection).lt(beta);
    let mut s = lower.and_not(near).select(lower_guess, newton_guess);
    let mut done = M4::from_bools([true; 4]).and_not(solvable);
    let mut solved = M4::from_bools([false; 4]);
    let mut steps = 0;
    while steps < MAX_STEPS && !done.all() {
        steps += 1;
        let tv = lane_math::time_value_of(forward, strike, ratio, x, s);
        let b = tv.value;
        let vega = forward * tv.gauss1 * F4::splat(1.0 / (2.0 * PI).sqrt());
        let x2_s3 = x * x / (s * s * s);
        let h2 = x2_s3 - F4::splat(0.25) * s;
        let h3 = h2 * h2 - F4::splat(3.0) * x2_s3 / s - F4::splat(0.25);
        // Lower region: g = ln(b/β), g′ = b′/b = q.
        let q = vega / b;
        let lower_nu = -ln_ratio(b, beta) / q;
        let lower_h2 = h2 - q;
        let lower_h3 = h3 - F4::splat(3.0) * h2 * q + F4::splat(2.0) * q * q;
        // Upper region: g = b − β.
        let upper_nu = -(b - beta) / vega;
        let nu = lower.select(lower_nu, upper_nu);
        let h2 = lower.select(lower_h2, h2);
        let h3 = lower.select(lower_h3, h3);
        let step = nu * (one + F4::splat(0.5) * h2 * nu)
            / (one + nu * (h2 + h3 * nu * F4::splat(1.0 / 6.0)));
        let last = step.abs().le(F4::splat(STEP_TOLERANCE) * s);
        let sensitive = (F4::splat(MIN_ELASTICITY) * b).le(s * vega);
        solved = solved.or(last.and(tv.priced).and(sensitive).and_not(done));
        s = done.select(s, s + step);
        // A lane whose step is not a number, or whose s is no longer positive, is given up.
        let kept = zero.lt(s).and(step.abs().lt(F4::splat(f64::INFINITY)));
        done = done.or(last).or(M4::from_bools([true; 4]).and_not(kept));
    }
    (s / years.sqrt(), solved, steps)
}

/// ln(a/b), called rather than inlined at its four uses: 0.2 KB gzipped less, impliedVols as
/// fast (142 vs 144 ns, interleaved in V8).
#[inline(never)]
fn ln_ratio(a: F4, b: F4) -> F4 {
    lane_math::log_of_ratio(a, b, a / b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::black::OptionKind;
    use crate::pricing::implied_black_vol;
    use crate::pricing::time_value::{log_moneyness, time_value};

    /// Undiscounted price of an option with σ√T = `s`, from the scalar time value.
    fn price(f: f64, k: f64, s: f64, call: bool) -> f64 {
        let tv = time_value(f, k, log_moneyness(f, k), s).value;
        let intrinsic = if call { f - k } else { k - f };
        tv + intrinsic.max(0.0)
    }

    /// Solves one option (in all four lanes): (vol, solved here, steps).
    fn one(p: f64, f: f64, k: f64, t: f64, call: bool) -> (f64, bool, usize) {
        let four = |v: f64| F4::splat(v);
        let (vol, solved, steps) = solve(
            four(p),
            four(f),
            four(k),
            four(t),
            M4::from_bools([call; 4]),
        );
        (vol.lanes()[0], solved.lanes()[0], steps)
    }

    /// Options solved here, the worst relative difference from Let's Be Rational, and the most
    /// steps any option took.
    #[derive(Debug, Default)]
    struct Tally {
        cases: usize,
        solved: usize,
        worst: f64,
        most_steps: usize,
    }

    impl Tally {
        fn add(&mut self, f: f64, k: f64, t: f64, s: f64, call: bool) {
            let p = price(f, k, s, call);
            let kind = if call {
                OptionKind::Call
            } else {
                OptionKind::Put
            };
            let Some(reference) = implied_black_vol(p, f, k, t, kind) else {
                return;
            };
            self.cases += 1;
            let (vol, solved, steps) = one(p, f, k, t, call);
            if solved {
                self.solved += 1;
                self.worst = self.worst.max((vol - reference).abs() / reference);
                self.most_steps = self.most_steps.max(steps);
            }
        }
    }

    /// The usual domain, 1 day to 5 years, 5 % to 200 % vol, strikes ±5 standard deviations:
    /// everything within 1e-12 of Let's Be Rational, and all but the far tails of short, low-vol
    /// expiries (where the lane pricer hands over, lane_math) solved here in at most 6 steps.
    #[test]
    fn agrees_with_lets_be_rational_over_the_usual_domain() {
        let mut tally = Tally::default();
        for days in [1.0f64, 3.0, 7.0, 30.0, 91.0, 365.0, 730.0, 1825.0] {
            let t = days / 365.0;
            for vol in [0.05, 0.2, 0.5, 0.8, 1.2, 2.0] {
                let s = vol * t.sqrt();
                for j in 0..41 {
                    let k = 91250.0 * ((-5.0 + 0.25 * j as f64) * s).exp();
                    for call in [true, false] {
                        tally.add(91250.0, k, t, s, call);
                    }
                }
            }
        }
        println!("{tally:?}");
        assert!(tally.worst <= 1e-12, "{tally:?}");
        assert!(tally.solved as f64 >= 0.9 * tally.cases as f64, "{tally:?}");
        assert!(tally.most_steps <= 6, "{tally:?}");
    }

    /// Random options far beyond it: σ√T from 0.001 to 3, strikes ±8 standard deviations,
    /// forwards from 5 to 2,000. Whatever is solved here is within 1e-12 of Let's Be Rational.
    #[test]
    fn agrees_with_lets_be_rational_on_random_options() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut tally = Tally::default();
        for _ in 0..200_000 {
            let s = (uniform() * (3000.0f64).ln()).exp() * 0.001;
            let d = uniform() * 16.0 - 8.0;
            let t = (uniform() * (10_000.0f64).ln()).exp() * 0.001;
            let f = 100.0 * (uniform() * 6.0 - 3.0).exp();
            let call = uniform() < 0.5;
            tally.add(f, f * (d * s).exp(), t, s, call);
        }
        println!("{tally:?}");
        assert!(tally.worst <= 1e-12, "{tally:?}");
        assert!(tally.solved as f64 >= 0.5 * tally.cases as f64, "{tally:?}");
    }

    /// Prices no volatility reproduces, and bad inputs, are not solved here (Let's Be Rational
    /// reports them).
    #[test]
    fn leaves_what_has_no_answer() {
        for (p, f, k, t, call) in [
            (0.5, 100.0, 90.0, 0.5, true),   // below intrinsic
            (100.0, 100.0, 90.0, 0.5, true), // at the forward
            (0.0, 100.0, 100.0, 0.5, true),
            (-1.0, 100.0, 100.0, 0.5, false),
            (5.0, f64::NAN, 100.0, 0.5, true),
            (5.0, 100.0, 100.0, 0.0, true),
            (5.0, 100.0, f64::INFINITY, 0.5, false),
        ] {
            let (_, solved, _) = one(p, f, k, t, call);
            assert!(!solved, "{p} {f} {k} {t} {call}");
        }
    }
}
