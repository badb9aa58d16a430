//! Volatility per expiry and strike: a smile (strike → IV points, or raw SVI parameters), an ATM
//! term structure, and the checks that warn when the user's points contradict each other.
//!
//! Points are interpolated linearly in total variance `w = σ²T` against log-moneyness
//! `k = ln(K/F)`, and held flat (constant vol) beyond the outermost points. Raw SVI:
//! `w(k) = a + b·(ρ·(k − m) + √((k − m)² + s²))` (Gatheral). ATM vols given for some expiries are
//! interpolated linearly in total variance in time between them, flat in vol beyond.

use crate::figure::{Figure, Fixed};
use crate::pricing::black::{undiscounted_black, OptionKind};
use serde::Deserialize;

/// Where an option's volatility came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolSource {
    /// The row's IV column.
    Row,
    /// Implied from the row's mark price.
    Mark,
    /// The smile of its expiry.
    Smile,
    /// The ATM term structure.
    Term,
    /// The underlying's default volatility.
    Default,
}

impl VolSource {
    pub fn name(self) -> &'static str {
        match self {
            VolSource::Row => "row",
            VolSource::Mark => "mark",
            VolSource::Smile => "smile",
            VolSource::Term => "term",
            VolSource::Default => "default",
        }
    }
}

/// Raw SVI parameters of one expiry's total variance.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Svi {
    pub a: f64,
    pub b: f64,
    pub rho: f64,
    pub m: f64,
    pub sigma: f64,
}

impl Svi {
    pub fn total_variance(&self, k: f64) -> f64 {
        let x = k - self.m;
        self.a + self.b * (self.rho * x + (x * x + self.sigma * self.sigma).sqrt())
    }

    /// Checks b ≥ 0, |ρ| < 1, σ > 0 and a positive minimum a + b·σ·√(1 − ρ²).
    pub fn validate(&self) -> Result<(), String> {
        let finite = [self.a, self.b, self.rho, self.m, self.sigma]
            .iter()
            .all(|v| v.is_finite());
        if !finite || self.b < 0.0 || self.rho.abs() >= 1.0 || self.sigma <= 0.0 {
            return Err("SVI needs finite a, b ≥ 0, −1 < rho < 1, sigma > 0, m".into());
        }
        let minimum = self.a + self.b * self.sigma * (1.0 - self.rho * self.rho).sqrt();
        if minimum <= 0.0 {
            return Err(format!(
                "SVI total variance falls to {} (a + b·sigma·√(1 − rho²) must be positive)",
                Figure(minimum)
            ));
        }
        if self.b * (1.0 + self.rho.abs()) > 4.0 {
            return Err("SVI wings are steeper than 4 in total variance per unit log-moneyness (Lee's bound)".into());
        }
        Ok(())
    }
}

/// One expiry's smile as the user gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum SmileSpec {
    /// (strike in USD, IV fraction), sorted by strike, strikes distinct.
    Points(Vec<(f64, f64)>),
    Svi(Svi),
}

impl SmileSpec {
    /// The volatility at `strike` for an expiry `years` away with forward `forward`.
    pub fn vol(&self, forward: f64, years: f64, strike: f64) -> f64 {
        let k = (strike / forward).ln();
        match self {
            SmileSpec::Points(points) => {
                let w = |(s, iv): (f64, f64)| ((s / forward).ln(), iv * iv * years);
                let first = w(points[0]);
                let last = w(points[points.len() - 1]);
                let total = if k <= first.0 {
                    first.1
                } else if k >= last.0 {
                    last.1
                } else {
                    let i = points.partition_point(|p| (p.0 / forward).ln() <= k);
                    let (k0, w0) = w(points[i - 1]);
                    let (k1, w1) = w(points[i]);
                    w0 + (w1 - w0) * (k - k0) / (k1 - k0)
                };
                (total / years).sqrt()
            }
            SmileSpec::Svi(svi) => (svi.total_variance(k).max(0.0) / years).sqrt(),
        }
    }

    /// Butterfly checks across the smile: undiscounted call prices on a grid of strikes must fall
    /// with the strike (slope within [−1, 0]) and be convex. Returns a sentence per violation.
    pub fn arbitrage_warnings(&self, forward: f64, years: f64) -> Vec<String> {
        let (low, high) = match self {
            SmileSpec::Points(points) => (points[0].0, points[points.len() - 1].0),
            SmileSpec::Svi(_) => {
                let width = 3.0 * (self.vol(forward, years, forward) * years.sqrt()).max(0.05);
                (forward * (-width).exp(), forward * width.exp())
            }
        };
        const STEPS: usize = 80;
        let strikes: Vec<f64> = (0..=STEPS)
            .map(|i| low * (high / low).powf(i as f64 / STEPS as f64))
            .collect();
        let calls: Vec<f64> = strikes
            .iter()
            .map(|&k| {
                undiscounted_black(
                    OptionKind::Call,
                    forward,
                    k,
                    years,
                    self.vol(forward, years, k),
                )
            })
            .collect();
        let tolerance = 1e-9 * forward;
        let mut warnings = Vec::new();
        for i in 1..strikes.len() {
            let slope = (calls[i] - calls[i - 1]) / (strikes[i] - strikes[i - 1]);
            if slope > tolerance / (strikes[i] - strikes[i - 1]) || slope < -1.0 - 1e-9 {
                warnings.push(format!(
                    "call prices are not falling with the strike between {} and {} (vertical-spread arbitrage)",
                    Fixed(strikes[i - 1], 6), Fixed(strikes[i], 6)
                ));
                break;
            }
            if i >= 2 {
                let previous = (calls[i - 1] - calls[i - 2]) / (strikes[i - 1] - strikes[i - 2]);
                if slope < previous - tolerance / (strikes[i] - strikes[i - 2]) {
                    warnings.push(format!(
                        "call prices are not convex around strike {} (butterfly arbitrage)",
                        Fixed(strikes[i - 1], 6)
                    ));
                    break;
                }
            }
        }
        warnings
    }
}

/// ATM vol of an expiry from the ATM vols given (years → vol): exact where given; between two
/// given expiries linear in total variance; beyond them flat in vol.
pub fn atm_term_vol(term: &[(f64, f64)], years: f64) -> Option<f64> {
    let (first, last) = (term.first()?, term.last()?);
    if years <= first.0 {
        return Some(first.1);
    }
    if years >= last.0 {
        return Some(last.1);
    }
    let i = term.partition_point(|p| p.0 <= years);
    let ((t0, v0), (t1, v1)) = (term[i - 1], term[i]);
    let (w0, w1) = (v0 * v0 * t0, v1 * v1 * t1);
    let w = w0 + (w1 - w0) * (years - t0) / (t1 - t0);
    Some((w / years).sqrt())
}

/// Calendar check: ATM total variance must not fall as expiries lengthen.
pub fn calendar_warnings(symbol: &str, atm: &[(String, f64, f64)]) -> Vec<String> {
    atm.windows(2)
        .filter(|pair| pair[1].2 * pair[1].2 * pair[1].1 < pair[0].2 * pair[0].2 * pair[0].1 * (1.0 - 1e-12))
        .map(|pair| {
            format!(
                "{symbol}: ATM total variance falls from {} ({} % vol) to {} ({} % vol): calendar arbitrage",
                pair[0].0,
                Fixed(pair[0].2 * 100.0, 1),
                pair[1].0,
                Fixed(pair[1].2 * 100.0, 1)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_interpolate_in_total_variance_and_stay_flat_beyond() {
        let smile = SmileSpec::Points(vec![(80.0, 0.6), (100.0, 0.5), (120.0, 0.55)]);
        let (f, t) = (100.0, 0.25);
        assert!((smile.vol(f, t, 100.0) - 0.5).abs() < 1e-15);
        assert!((smile.vol(f, t, 60.0) - 0.6).abs() < 1e-15, "flat below");
        assert!((smile.vol(f, t, 200.0) - 0.55).abs() < 1e-15, "flat above");
        // Halfway in log-moneyness between 100 and 120: w is the average of the two.
        let k_mid = (120.0f64).sqrt() * 10.0;
        let expected = ((0.5f64.powi(2) + 0.55f64.powi(2)) / 2.0).sqrt();
        assert!((smile.vol(f, t, k_mid) - expected).abs() < 1e-14);
    }

    #[test]
    fn svi_matches_its_formula_and_is_checked() {
        let svi = Svi {
            a: 0.02,
            b: 0.1,
            rho: -0.4,
            m: 0.05,
            sigma: 0.2,
        };
        svi.validate().unwrap();
        let k: f64 = 0.3;
        let w = 0.02 + 0.1 * (-0.4 * (k - 0.05) + ((k - 0.05f64).powi(2) + 0.04).sqrt());
        let smile = SmileSpec::Svi(svi);
        assert!((smile.vol(100.0, 0.5, 100.0 * k.exp()) - (w / 0.5).sqrt()).abs() < 1e-15);
        assert!(Svi { a: -0.1, ..svi }.validate().is_err());
        assert!(Svi { rho: 1.0, ..svi }.validate().is_err());
        assert!(smile.arbitrage_warnings(100.0, 0.5).is_empty());
    }

    #[test]
    fn contradictory_points_are_flagged() {
        // A spike in the middle of the smile lifts call prices above their chord: calls rise
        // with the strike (a vertical spread pays) or at least lose convexity (a butterfly pays).
        let spiky = SmileSpec::Points(vec![(90.0, 0.30), (100.0, 0.90), (110.0, 0.30)]);
        let warnings = spiky.arbitrage_warnings(100.0, 0.1);
        assert!(
            warnings.iter().any(|w| w.contains("vertical-spread")),
            "{warnings:?}"
        );
        let bump = SmileSpec::Points(vec![(90.0, 0.40), (100.0, 0.52), (110.0, 0.40)]);
        let warnings = bump.arbitrage_warnings(100.0, 0.1);
        assert!(
            warnings.iter().any(|w| w.contains("butterfly")),
            "{warnings:?}"
        );
        let smooth = SmileSpec::Points(vec![(80.0, 0.62), (100.0, 0.5), (120.0, 0.52)]);
        assert!(smooth.arbitrage_warnings(100.0, 0.25).is_empty());
    }

    #[test]
    fn term_structure_interpolates_total_variance() {
        let term = [(0.1, 0.8), (0.5, 0.6)];
        assert_eq!(atm_term_vol(&term, 0.05), Some(0.8));
        assert_eq!(atm_term_vol(&term, 1.0), Some(0.6));
        let w = 0.64 * 0.1 + (0.36 * 0.5 - 0.64 * 0.1) * 0.5;
        assert!((atm_term_vol(&term, 0.3).unwrap() - (w / 0.3f64).sqrt()).abs() < 1e-15);
        let falling = calendar_warnings(
            "BTC",
            &[("27NOV26".into(), 0.1, 0.9), ("25DEC26".into(), 0.2, 0.5)],
        );
        assert_eq!(falling.len(), 1);
    }
}
