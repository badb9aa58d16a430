//! Backtests of a VaR: Kupiec's proportion-of-failures test and the Basel Committee's traffic
//! light.

use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF};

/// Kupiec's (1995) proportion-of-failures likelihood ratio for `exceptions` losses beyond the
/// VaR in `observations` days, when the VaR should be exceeded with probability `p`
/// (1 − confidence): `−2 ln[(1−p)^(T−x) p^x] + 2 ln[(1−x/T)^(T−x) (x/T)^x]`, χ² with one degree
/// of freedom under a correct model (`0 · ln 0 = 0`).
///
/// ```
/// use headroom::risk::backtest::kupiec;
/// // 250 days at 99 %: 2.5 exceptions expected; 10 are far too many, 3 are not.
/// assert!(kupiec(250, 10, 0.01).p_value < 0.01);
/// assert!(kupiec(250, 3, 0.01).p_value > 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kupiec {
    pub statistic: f64,
    /// P(χ²₁ ≥ statistic): below 0.05 rejects the VaR at 95 % test confidence.
    pub p_value: f64,
}

pub fn kupiec(observations: usize, exceptions: usize, p: f64) -> Kupiec {
    let t = observations as f64;
    let x = exceptions as f64;
    let xlny = |x: f64, y: f64| if x == 0.0 { 0.0 } else { x * y.ln() };
    let null = xlny(t - x, 1.0 - p) + xlny(x, p);
    let observed = xlny(t - x, 1.0 - x / t) + xlny(x, x / t);
    let statistic = (-2.0 * (null - observed)).max(0.0);
    let chi = ChiSquared::new(1.0).expect("one degree of freedom");
    Kupiec {
        statistic,
        p_value: 1.0 - chi.cdf(statistic),
    }
}

/// The Basel traffic light (Basel Committee, "Supervisory framework for the use of backtesting
/// in conjunction with the internal models approach", 1996): the zone of `exceptions` in
/// `observations` days for a VaR exceeded with probability `p`, by the cumulative binomial
/// probability of that many or fewer (green below 95 %, red from 99.99 %), and for 250 days at
/// 99 % the plus factor added to the capital multiplier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrafficLight {
    pub zone: Zone,
    /// P(X ≤ exceptions) for X ~ Binomial(observations, p).
    pub cumulative_probability: f64,
    /// The 1996 table's plus factor (0 to 1) for 250 days at 99 %; `None` otherwise.
    pub plus_factor: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    Green,
    Yellow,
    Red,
}

impl Zone {
    pub fn name(self) -> &'static str {
        match self {
            Zone::Green => "green",
            Zone::Yellow => "yellow",
            Zone::Red => "red",
        }
    }
}

pub fn traffic_light(observations: usize, exceptions: usize, p: f64) -> TrafficLight {
    let binomial = Binomial::new(p, observations as u64).expect("p in [0, 1]");
    let cumulative_probability = binomial.cdf(exceptions as u64);
    let zone = if cumulative_probability < 0.95 {
        Zone::Green
    } else if cumulative_probability < 0.9999 {
        Zone::Yellow
    } else {
        Zone::Red
    };
    const PLUS: [f64; 11] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.40, 0.50, 0.65, 0.75, 0.85, 1.00];
    let plus_factor =
        (observations == 250 && (p - 0.01).abs() < 1e-12).then(|| PLUS[exceptions.min(10)]);
    TrafficLight {
        zone,
        cumulative_probability,
        plus_factor,
    }
}
