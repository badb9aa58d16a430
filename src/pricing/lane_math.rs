//! The time value of four options at once ([`F4`] lanes), branch-free where the scalar
//! [`super::time_value`] branches: the same formula, with ln and exp written as polynomials so
//! that they vectorise, and erfcx's middle range a shorter rational function than Cody's.
//!
//! A lane that the textbook difference cannot price to 1e-12 (far out of the money, close to
//! expiry, see [`super::time_value`]) or whose inputs are extreme is flagged, not priced: the
//! caller prices it with the scalar code.

use super::lanes::{F4, M4};
// The scalar code's limits: past them a lane goes to the scalar path (Jäckel's pricer).
use super::time_value::{AMPLIFICATION_LIMIT, D_LIMIT, ERF_RANGE};
use std::f64::consts::{FRAC_1_SQRT_2, LOG2_E, SQRT_2};

/// ln 2 split so that k·LN2_HI is exact for |k| < 2^20 (fdlibm's split).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// e^a for a in [−708, 709]: a = k·ln 2 + r with |r| ≤ ½ln 2, e^r = 1 + r + r²·p(r) with p a
/// near-minimax polynomial of degree 9 fitted by tests/golden/lane_fits.py (relative error
/// 1.6e-17 with these doubles, where the Taylor series to r¹³ it replaces needed two terms
/// more), times 2^k.
///
/// ```
/// use headroom::pricing::lane_math::exp;
/// use headroom::pricing::lanes::F4;
/// let [a, b, ..] = exp(F4::new([-0.5, -300.25, 0.0, 1.0])).lanes();
/// assert!((a / (-0.5f64).exp() - 1.0).abs() < 3e-16);
/// assert!((b / (-300.25f64).exp() - 1.0).abs() < 3e-16);
/// ```
#[inline(always)]
pub fn exp(a: F4) -> F4 {
    let (k, two_to_k) = (a * F4::splat(LOG2_E)).round_with_exp2();
    let r = (a - k * F4::splat(LN2_HI)) - k * F4::splat(LN2_LO);
    static P: [f64; 10] = [
        0.5000000000000001,
        0.16666666666666644,
        0.041666666666624344,
        0.008333333333356185,
        0.0013888888917121447,
        0.0001984126978469034,
        2.4801521422677647e-05,
        2.7557355504939186e-06,
        2.7620034112039945e-07,
        2.5068160740156138e-08,
    ];
    // 1 + (r + r²·p(r)), Estrin's scheme over r and p's coefficients together, and 1 added last:
    // four levels of dependent operations after r² where p, then times r, plus 1, times r, plus 1
    // took six, with the same worst error (within 1 ulp of std's exp in the test below).
    // ChainPricer in Chromium 26.5–28.4 → 26.1–27.8 ns per option, 0.3–1.1 ns less in each of ten
    // interleaved pairings.
    let (c, x) = (in_memory(&P), Powers::of(r));
    let low = (r + x.pair(c, 0) * x.x2) + x.quad(c, 2) * x.x4;
    (F4::splat(1.0) + (low + x.quad(c, 6) * x.x8)) * two_to_k
}

/// ln(F/K) for F/K a positive normal number; near the money (F/K in [√½, √2)) from (F − K)/K,
/// which is exact to rounding there (Sterbenz), so x keeps its relative accuracy as
/// [`super::time_value::log_moneyness`] does with ln_1p.
///
/// ln(1 + f) = f − s·(f − R), s = f/(2 + f), R ≈ 2s²/3 + 2s⁴/5 + … (|s| ≤ 0.172): fdlibm's
/// minimax polynomial for R, Lg1·s² + … + Lg7·s¹⁴, within 2^−58.45 (e_log.c), where the series
/// needed ten terms.
///
/// ```
/// use headroom::pricing::lane_math::log_moneyness;
/// use headroom::pricing::lanes::F4;
/// let [a, b, ..] = log_moneyness(F4::new([101.0, 5.0, 1.0, 1.0]), F4::new([100.0, 60000.0, 1.0, 1.0])).lanes();
/// assert!((a / 0.01f64.ln_1p() - 1.0).abs() < 3e-16);
/// assert!((b / (5.0f64 / 60000.0).ln() - 1.0).abs() < 3e-16);
/// ```
#[inline(always)]
pub fn log_moneyness(forward: F4, strike: F4) -> F4 {
    log_of_ratio(forward, strike, forward / strike)
}

/// [`log_moneyness`] given `ratio` = F/K.
#[inline(always)]
pub(super) fn log_of_ratio(forward: F4, strike: F4, ratio: F4) -> F4 {
    // Four options near the money (F/K in [√½, √2), up to rounding at the ends): ln(1 + f) with
    // f = (F − K)/K and s = f/(2 + f) = (F − K)/(F + K), two divisions side by side where the
    // general case divides for F/K, takes its exponent and then divides for s. The lane kernels
    // are bound by their chain of dependent operations (an iteration is some thousand
    // instructions, more than the processor looks ahead), and ln begins it: ChainPricer in
    // Chromium 28.8–31.4 → 27.3–27.5 ns per option (six interleaved pairings). F − K is exact
    // (Sterbenz), F + K and the divisions round once each, as f/(2 + f) did. F below 1e300
    // keeps F + K finite.
    let near = (F4::splat(FRAC_1_SQRT_2) * strike)
        .le(forward)
        .and(forward.lt(F4::splat(SQRT_2) * strike))
        .and(forward.lt(F4::splat(1e300)));
    if near.all() {
        let difference = forward - strike;
        return log_1p(difference / strike, difference / (forward + strike));
    }
    let (m, e) = ratio.split_exponent();
    let near = e.abs().lt(F4::splat(0.5));
    let f = near.select((forward - strike) / strike, m - F4::splat(1.0));
    let log1p = log_1p(f, f / (F4::splat(2.0) + f));
    e * F4::splat(LN2_HI) + (log1p + e * F4::splat(LN2_LO))
}

/// ln(1 + f) for f in [√½ − 1, √2 − 1], given s = f/(2 + f).
#[inline(always)]
fn log_1p(f: F4, s: F4) -> F4 {
    let z = s * s;
    // Lg1 … Lg7 of fdlibm's e_log.c (Sun Microsystems, 1993).
    #[allow(clippy::excessive_precision)]
    static LG: [f64; 7] = [
        6.666666666666735130e-01,
        3.999999999940941908e-01,
        2.857142874366239149e-01,
        2.222219843214978396e-01,
        1.818357216161805012e-01,
        1.531383769920937332e-01,
        1.479819860511658591e-01,
    ];
    let r = Powers::of(z).estrin7(in_memory(&LG)) * z;
    f - s * (f - r)
}

/// N(d) given `gauss` = e^(−d²/2), lane by lane as the scalar `cdf_with_gauss`: erf near zero,
/// erfcx elsewhere (up to 4 [`erfcx_middle`], beyond it Cody's asymptotic form). A rational
/// function is computed only when a lane needs it.
#[inline(always)]
pub fn cdf_with_gauss(d: F4, gauss: F4) -> F4 {
    let u = d * F4::splat(FRAC_1_SQRT_2);
    let y = u.abs();
    let small = y.le(F4::splat(ERF_RANGE));
    let half = F4::splat(0.5);
    let central = if small.any() {
        half + half * (u * cody_ab(u * u))
    } else {
        half
    };
    if small.all() {
        return central;
    }
    let within_4 = y.le(F4::splat(4.0));
    let middle = if within_4.and_not(small).any() {
        erfcx_middle(y)
    } else {
        half
    };
    let erfcx = if within_4.all() {
        middle
    } else {
        within_4.select(middle, asymptotic_erfcx(y))
    };
    let tail = half * gauss * erfcx;
    let outer = u.lt(F4::splat(0.0)).select(tail, F4::splat(1.0) - tail);
    small.select(central, outer)
}

/// erfcx(y) for y > 4, from Cody's asymptotic rational function. Called, not inlined: a lane
/// needs it only beyond 5.6 standard deviations, and out of the lane time value's body it
/// leaves V8 fewer values to keep through that branch: ChainPricer in Chromium 35.4–35.5 →
/// 34.0–34.2 ns per option (two builds interleaved, twice), in Node 33.3 → 33.8; 0.17 KB
/// gzipped.
#[inline(never)]
fn asymptotic_erfcx(y: F4) -> F4 {
    (F4::splat(ONE_OVER_SQRT_PI) - cody_pq(F4::splat(1.0) / (y * y))) / y
}

const ONE_OVER_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// x, x², x⁴ and x⁸, shared by the polynomials of one argument, which are evaluated by
/// Estrin's scheme: four levels of dependent operations where Horner's rule takes up to nine.
/// Measured in V8 (Node, two builds interleaved in one process), ChainPricer per option: exp
/// and ln so (their longer series then), 55 → 50 ns; erfcx's middle range so, a further 1 %
/// (Cody's 8/8 then; for the 7/7 Horner's rule measured the same). Cody's two other ranges
/// stay with Horner's rule, where Estrin's scheme measured no faster.
#[derive(Clone, Copy)]
struct Powers {
    x: F4,
    x2: F4,
    x4: F4,
    x8: F4,
}

impl Powers {
    #[inline(always)]
    fn of(x: F4) -> Powers {
        let x2 = x * x;
        let x4 = x2 * x2;
        Powers {
            x,
            x2,
            x4,
            x8: x4 * x4,
        }
    }

    /// c[i] + c[i + 1]·x.
    #[inline(always)]
    fn pair(&self, c: &[f64], i: usize) -> F4 {
        F4::load_splat(&c[i]) + F4::load_splat(&c[i + 1]) * self.x
    }

    /// c[i] + … + c[i + 3]·x³.
    #[inline(always)]
    fn quad(&self, c: &[f64], i: usize) -> F4 {
        self.pair(c, i) + self.pair(c, i + 2) * self.x2
    }

    /// c[0] + … + c[6]·x⁶.
    #[inline(always)]
    fn estrin7(&self, c: &[f64; 7]) -> F4 {
        self.quad(c, 0) + (self.pair(c, 4) + F4::load_splat(&c[6]) * self.x2) * self.x4
    }

    /// c[0] + … + c[7]·x⁷.
    #[inline(always)]
    fn octet(&self, c: &[f64]) -> F4 {
        self.quad(c, 0) + self.quad(c, 4) * self.x4
    }
}

/// A polynomial's coefficients, which the optimiser may no longer fold into the code: each is
/// then read with one load-and-splat where it is used. As a `v128.const`, V8 builds each one
/// anew at every use with three instructions (a 64-bit immediate into a general register, a move
/// to a vector register, a shuffle): 41 coefficients per four options in exp, ln and erfcx's
/// middle range. ChainPricer in Chromium, two builds interleaved in one page, 16 pairings: a
/// median of 1.3 ns less per option (0 to 3.5), about 30.0 → 28.7 ns. Reading the other
/// constants (½, 1, the limits) from memory too measured no faster than the original.
#[inline(always)]
fn in_memory<const N: usize>(coefficients: &'static [f64; N]) -> &'static [f64; N] {
    core::hint::black_box(coefficients)
}

/// Horner's rule with the leading coefficient first: ((c0·x + c1)·x + …).
#[inline(always)]
fn horner(x: F4, first: F4, coefficients: &[f64]) -> F4 {
    let mut p = first;
    for c in coefficients {
        p = p * x + F4::splat(*c);
    }
    p
}

// W. J. Cody's rational approximations (CALERF, 1969/1993) near zero and beyond 4: the
// coefficients of crate `implied-vol`'s erf_cody / erfcx_cody.

#[allow(clippy::excessive_precision)]
#[inline(always)]
fn cody_ab(z: F4) -> F4 {
    const A: [f64; 5] = [
        3.161_123_743_870_565_6,
        113.864_154_151_050_156,
        377.485_237_685_302_021,
        3_209.377_589_138_469_47,
        0.185_777_706_184_603_153,
    ];
    const B: [f64; 4] = [
        23.601_290_952_344_120_9,
        244.024_637_934_444_173,
        1_282.616_526_077_372_28,
        2_844.236_833_439_170_62,
    ];
    let numerator = horner(z, z * F4::splat(A[4]) + F4::splat(A[0]), &A[1..4]);
    let denominator = horner(z, z + F4::splat(B[0]), &B[1..]);
    numerator / denominator
}

/// erfcx(y) for y in [0.46875, 4]: a rational function of degree 7/7 fitted by
/// tests/golden/lane_fits.py, relative error 1.2e-16 with these doubles (about half an ulp;
/// the lanes' N stays within 3 ulps of libm's erfc, tested below). Cody's function for this
/// range is of degree 8/8, accurate far beyond a double; two coefficients fewer in each
/// polynomial let Estrin's scheme stop at x⁴: ChainPricer in Chromium, with the exp and ln
/// polynomials above, 34.2–36.1 → 31.8–34.1 ns per option (two builds interleaved in one page,
/// three runs).
#[inline(always)]
fn erfcx_middle(y: F4) -> F4 {
    static P: [f64; 8] = [
        1.000000000210302,
        1.5040969850755708,
        1.1293446413374848,
        0.509187551702705,
        0.14365523957487555,
        0.02400268430755541,
        0.0018778011976994379,
        -4.554944621486387e-10,
    ];
    static Q: [f64; 8] = [
        1.0,
        2.632476155470638,
        3.0997758688746857,
        2.126686797837085,
        0.9238755944706182,
        0.25627676180068104,
        0.04254437787628072,
        0.0033282809605969625,
    ];
    let powers = Powers::of(y);
    powers.octet(in_memory(&P)) / powers.octet(in_memory(&Q))
}

#[allow(clippy::excessive_precision)]
#[inline(always)]
fn cody_pq(z: F4) -> F4 {
    const P: [f64; 6] = [
        0.305_326_634_961_232_344,
        0.360_344_899_949_804_439,
        0.125_781_726_111_229_246,
        0.016_083_785_148_742_276_6,
        6.587_491_615_298_378_03E-4,
        0.016_315_387_137_302_097_8,
    ];
    const Q: [f64; 5] = [
        2.568_520_192_289_822_42,
        1.872_952_849_923_460_47,
        0.527_905_102_951_428_412,
        0.060_518_341_312_441_319_1,
        0.002_335_204_976_268_691_85,
    ];
    let numerator = horner(z, F4::splat(P[5]) * z + F4::splat(P[0]), &P[1..5]);
    let denominator = horner(z, z + F4::splat(Q[0]), &Q[1..]);
    z * numerator / denominator
}

/// The time value of four options and what the Greeks reuse (see [`super::time_value::TimeValue`]).
#[derive(Clone, Copy, Debug)]
pub struct TimeValue4 {
    pub value: F4,
    pub otm_is_call: M4,
    pub n1: F4,
    pub gauss1: F4,
    /// Lanes priced here; the others must be priced by the scalar code.
    pub priced: M4,
}

/// Four options on `forward` struck at `strike` with σ√T = `total_vol` > 0.
#[inline(always)]
pub fn time_value(forward: F4, strike: F4, total_vol: F4) -> TimeValue4 {
    let ratio = forward / strike;
    let x = log_of_ratio(forward, strike, ratio);
    time_value_given(forward, strike, ratio, x, total_vol)
}

/// [`time_value`] given `ratio` = F/K and x = ln(F/K) (the re-valuation kernel keeps x per
/// contract and adds the move's logarithm): one exponential and the rational functions.
/// Called, not inlined, by the kernel and the implied-vol lanes: one copy for both.
#[inline(never)]
pub fn time_value_of(
    forward: F4,
    strike: F4,
    ratio: F4,
    log_moneyness: F4,
    total_vol: F4,
) -> TimeValue4 {
    time_value_given(forward, strike, ratio, log_moneyness, total_vol)
}

/// [`time_value_of`]'s body, inlined into the chain pricer's loop (a second copy, 1.35 KB
/// gzipped): V8 keeps no vector register across a call, so the call cost the loop a spill and a
/// reload of every value it kept (forward, strike, expiry, volatility, √T, the discount, the
/// option kinds) and the result's return through the stack. ChainPricer in Chromium
/// 27.3–30.4 → 26.3–28.5 ns per option: a median of 1.0 ns less over 14 interleaved pairings,
/// one of them 0.3 ns the other way.
#[inline(always)]
fn time_value_given(
    forward: F4,
    strike: F4,
    ratio: F4,
    log_moneyness: F4,
    total_vol: F4,
) -> TimeValue4 {
    let (x, s) = (log_moneyness, total_vol);
    let normal_ratio = F4::splat(1e-300).lt(ratio).and(ratio.lt(F4::splat(1e300)));
    // x·(1/s), not x/s: 1/s does not wait for x, so the division is off the critical path
    // (ln, then d1, then exp, then the rational functions).
    let d1 = x * (F4::splat(1.0) / s) + F4::splat(0.5) * s;
    let d2 = d1 - s;
    let gauss1 = exp((F4::splat(-0.5) * d1 * d1).max(F4::splat(-708.0)));
    let otm_is_call = x.lt(F4::splat(0.0));
    let theta = otm_is_call.select(F4::splat(1.0), F4::splat(-1.0));
    let n1 = cdf_with_gauss(theta * d1, gauss1);
    let n2 = cdf_with_gauss(theta * d2, gauss1 * ratio);
    let value = (theta * (forward * n1 - strike * n2)).max(F4::splat(0.0));
    let reach = F4::splat(1.0) + d1.abs().max(d2.abs());
    let priced = d1
        .abs()
        .lt(F4::splat(D_LIMIT))
        .and(reach.lt(F4::splat(AMPLIFICATION_LIMIT) * s))
        .and(normal_ratio);
    TimeValue4 {
        value,
        otm_is_call,
        n1,
        gauss1,
        priced,
    }
}

#[cfg(test)]
mod tests {
    //! The lane functions against independent implementations: the standard library's exp
    //! and ln_1p, and libm's erfc (FreeBSD's msun), each within 1 ulp of the true value.
    use super::*;

    /// Values spread evenly over [low, high], four at a time.
    fn groups(low: f64, high: f64, n: usize) -> impl Iterator<Item = [f64; 4]> {
        let at = move |i: usize| low + (high - low) * i as f64 / (4 * n - 1) as f64;
        (0..n).map(move |g| [at(4 * g), at(4 * g + 1), at(4 * g + 2), at(4 * g + 3)])
    }

    fn ulps(a: f64, reference: f64) -> f64 {
        ((a - reference) / reference).abs() / f64::EPSILON
    }

    /// The worst error of `lane` against `reference`, in ulps times `weight`, over four-lane
    /// groups of arguments.
    fn worst_ulps(
        args: impl Iterator<Item = [f64; 4]>,
        lane: impl Fn(F4) -> F4,
        reference: impl Fn(f64) -> f64,
        weight: impl Fn(f64) -> f64,
    ) -> f64 {
        args.flat_map(|a| lane(F4::new(a)).lanes().into_iter().zip(a))
            .map(|(got, a)| ulps(got, reference(a)) * weight(a))
            .fold(0.0, f64::max)
    }

    #[test]
    fn exp_within_one_ulp_of_std() {
        let args = groups(-708.0, 709.0, 100_000).chain(groups(-1.0, 1.0, 10_000));
        let worst = worst_ulps(args, exp, f64::exp, |_| 1.0);
        assert!(worst <= 1.0, "worst {worst} ulps");
    }

    #[test]
    fn log_moneyness_within_three_ulps_of_std() {
        // Near the money (ratio in [0.5, 2]) against ln_1p of the exact difference over K,
        // far from it against ln of the ratio.
        let near = worst_ulps(
            groups(-0.5, 1.0, 50_000).map(|g| g.map(|f| 100.0 + 100.0 * f)),
            |forward| log_moneyness(forward, F4::splat(100.0)),
            |f| ((f - 100.0) / 100.0).ln_1p(),
            |_| 1.0,
        );
        let far = worst_ulps(
            groups(-690.0, 690.0, 50_000).map(|g| g.map(f64::exp)),
            |forward| log_moneyness(forward, F4::splat(1.0)),
            f64::ln,
            |_| 1.0,
        );
        let worst = near.max(far);
        assert!(worst <= 3.0, "worst {worst} ulps");
    }

    #[test]
    fn log_moneyness_near_the_money_at_the_ends_of_the_doubles() {
        // Four options near the money take the shortcut through F + K, which overflows for the
        // largest forwards here: those must go the general way. Subnormal forwards keep the
        // ratio they have.
        for scale in [1e-310, 1e-300, 1e300, 1e308] {
            let forward = [1.1, 0.8, 1.3, 1.0].map(|m| m * scale);
            let got = log_moneyness(F4::new(forward), F4::splat(scale)).lanes();
            for (got, f) in got.into_iter().zip(forward) {
                let reference = ((f - scale) / scale).ln_1p();
                assert!(
                    (got - reference).abs() <= 3.0 * f64::EPSILON * reference.abs(),
                    "F {f:e}, K {scale:e}: {got} against {reference}"
                );
            }
        }
    }

    #[test]
    fn cdf_within_a_few_ulps_of_libm_erfc() {
        // From N(−37) ≈ 6e-300, the smallest normal value it reaches, to N(8) ≈ 1 − 6e-16.
        // exp(−d²/2) and erfc(−d/√2) round −d²/2 differently: their relative difference grows
        // as d²·ε, hence the weight.
        let worst = worst_ulps(
            groups(-37.0, 8.0, 100_000),
            |d| cdf_with_gauss(d, F4::new(d.lanes().map(|d| (-0.5 * d * d).exp()))),
            |d| 0.5 * libm::erfc(-d * FRAC_1_SQRT_2),
            |d| 1.0 / (1.0 + 0.5 * d * d),
        );
        assert!(worst <= 3.0, "worst {worst} ulps per (1 + d²/2)");
    }
}
