//! Volatility forecasts from daily closes: EWMA (RiskMetrics) and GARCH(1,1) by maximum
//! likelihood. Returns are daily log returns `r_t = ln(P_t / P_(t−1))`; variances are daily; the
//! mean return is taken as 0, as RiskMetrics does.
//!
//! Initialisation rule (both models): the first variance is the sample second moment of all the
//! returns, `Σ r² / n`.

/// Log returns of closes (oldest first). Closes must be positive; a non-positive or non-finite
/// close is the caller's to refuse.
pub fn log_returns(closes: &[f64]) -> Vec<f64> {
    closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

/// The sample second moment `Σ r² / n` (the variance about a zero mean).
pub fn second_moment(returns: &[f64]) -> f64 {
    returns.iter().map(|r| r * r).sum::<f64>() / returns.len().max(1) as f64
}

/// One EWMA step: `σ²_n = λ σ²_(n−1) + (1 − λ) r²_(n−1)`.
///
/// ```
/// // Hull, Options, Futures and Other Derivatives, EWMA example: λ = 0.90, yesterday's
/// // volatility 1 % a day, yesterday's return 2 %: today's volatility 1.14 % a day.
/// let variance = headroom::risk::forecast::ewma_step(0.01_f64.powi(2), 0.02, 0.90);
/// assert!((variance.sqrt() - 0.0114).abs() < 0.00005);
/// ```
pub fn ewma_step(variance: f64, r: f64, lambda: f64) -> f64 {
    lambda * variance + (1.0 - lambda) * r * r
}

/// The EWMA variance of each day (`out[t]` is known before return `t`), and the next day's
/// forecast as the last element (`returns.len() + 1` values).
pub fn ewma_variances(returns: &[f64], lambda: f64) -> Vec<f64> {
    let mut variance = second_moment(returns);
    let mut out = Vec::with_capacity(returns.len() + 1);
    out.push(variance);
    for r in returns {
        variance = ewma_step(variance, *r, lambda);
        out.push(variance);
    }
    out
}

/// GARCH(1,1): `σ²_t = ω + α r²_(t−1) + β σ²_(t−1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Garch {
    pub omega: f64,
    pub alpha: f64,
    pub beta: f64,
}

impl Garch {
    /// The long-run daily variance `ω / (1 − α − β)`.
    pub fn long_run_variance(&self) -> f64 {
        self.omega / (1.0 - self.alpha - self.beta)
    }

    /// The conditional variances: `out[t]` before return `t`, the last the next day's forecast.
    pub fn variances(&self, returns: &[f64]) -> Vec<f64> {
        let mut variance = second_moment(returns);
        let mut out = Vec::with_capacity(returns.len() + 1);
        out.push(variance);
        for r in returns {
            variance = self.omega + self.alpha * r * r + self.beta * variance;
            out.push(variance);
        }
        out
    }

    /// The Gaussian log-likelihood of the returns, constants dropped: `−½ Σ (ln σ²_t + r²_t/σ²_t)`.
    pub fn log_likelihood(&self, returns: &[f64]) -> f64 {
        let variances = self.variances(returns);
        -0.5 * returns
            .iter()
            .zip(&variances)
            .map(|(r, v)| v.ln() + r * r / v)
            .sum::<f64>()
    }

    /// The mean daily variance over the next `days` days, from the next day's `first`:
    /// `V_L + (α+β)^(k−1) (first − V_L)` averaged over k = 1..days.
    pub fn mean_variance(&self, first: f64, days: f64) -> f64 {
        let persistence = self.alpha + self.beta;
        let long_run = self.long_run_variance();
        let n = days.max(1.0);
        let geometric = if (1.0 - persistence).abs() < 1e-12 {
            1.0
        } else {
            (1.0 - persistence.powf(n)) / ((1.0 - persistence) * n)
        };
        long_run + (first - long_run) * geometric
    }

    /// Fits ω, α, β by maximum likelihood (COBYLA, crate `cobyla`, from α = 0.1, β = 0.85, ω at
    /// the sample variance's long run), with α, β ≥ 0 and α + β ≤ 0.9999. `None` with fewer
    /// than 30 returns or when the optimiser fails.
    pub fn fit(returns: &[f64]) -> Option<Garch> {
        if returns.len() < 30 {
            return None;
        }
        let scale = second_moment(returns);
        if !(scale > 0.0 && scale.is_finite()) {
            return None;
        }
        // x = (α, β, ω / scale): every coordinate of order one.
        let objective = |x: &[f64], _: &mut ()| {
            let g = Garch {
                alpha: x[0],
                beta: x[1],
                omega: x[2] * scale,
            };
            let ll = g.log_likelihood(returns);
            if ll.is_finite() {
                -ll / returns.len() as f64
            } else {
                f64::MAX
            }
        };
        let stationary = |x: &[f64], _: &mut ()| 0.9999 - x[0] - x[1];
        let cons: [&dyn cobyla::Func<()>; 1] = [&stationary];
        let start = [0.1, 0.85, 0.05];
        let stop = cobyla::StopTols {
            ftol_rel: 1e-12,
            xtol_abs: vec![1e-9; 3],
            ..cobyla::StopTols::default()
        };
        let result = cobyla::minimize(
            objective,
            &start,
            &[(0.0, 1.0), (0.0, 1.0), (1e-9, 10.0)],
            &cons,
            (),
            4000,
            cobyla::RhoBeg::All(0.05),
            Some(stop),
        );
        let x = match result {
            Ok((_, x, _)) => x,
            Err(_) => return None,
        };
        let fitted = Garch {
            alpha: x[0],
            beta: x[1],
            omega: x[2] * scale,
        };
        (fitted.alpha + fitted.beta < 1.0 && fitted.omega > 0.0).then_some(fitted)
    }
}

/// Parkinson's (1980) daily variance from a day's high and low: `(ln(H/L))² / (4 ln 2)`.
///
/// ```
/// let v = headroom::risk::forecast::parkinson(0.02_f64.exp(), 1.0);
/// assert!((v - 0.02_f64.powi(2) / (4.0 * 2f64.ln())).abs() < 1e-15);
/// ```
pub fn parkinson(high: f64, low: f64) -> f64 {
    (high / low).ln().powi(2) / (4.0 * std::f64::consts::LN_2)
}

/// Corsi's (2009) HAR-RV: tomorrow's realised variance from today's, the last week's mean (5 days)
/// and the last month's (22 days): `RV_(t+1) = β₀ + β_d RV_t + β_w RV_t^(w) + β_m RV_t^(m)`, by
/// ordinary least squares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Har {
    pub beta0: f64,
    pub beta_d: f64,
    pub beta_w: f64,
    pub beta_m: f64,
}

impl Har {
    /// The regressors at day `t` (needs 21 days before it): 1, RV_t, the week's mean, the month's.
    fn regressors(rv: &[f64], t: usize) -> [f64; 4] {
        let mean = |n: usize| rv[t + 1 - n..=t].iter().sum::<f64>() / n as f64;
        [1.0, rv[t], mean(5), mean(22)]
    }

    /// Fits by least squares on every day with a month behind it and a next day; `None` with
    /// fewer than 60 days or a singular system.
    pub fn fit(rv: &[f64]) -> Option<Har> {
        if rv.len() < 60 {
            return None;
        }
        // Normal equations X'X b = X'y, solved by Gaussian elimination with partial pivoting.
        let mut a = [[0.0f64; 5]; 4];
        for t in 21..rv.len() - 1 {
            let x = Har::regressors(rv, t);
            for i in 0..4 {
                for j in 0..4 {
                    a[i][j] += x[i] * x[j];
                }
                a[i][4] += x[i] * rv[t + 1];
            }
        }
        // A pivot this small against the largest diagonal entry means collinear regressors (a
        // constant series): no fit.
        let scale = (0..4).map(|i| a[i][i].abs()).fold(0.0, f64::max);
        for col in 0..4 {
            let pivot = (col..4).max_by(|p, q| a[*p][col].abs().total_cmp(&a[*q][col].abs()))?;
            a.swap(col, pivot);
            if a[col][col].abs() <= 1e-12 * scale || a[col][col].is_nan() {
                return None;
            }
            for row in 0..4 {
                if row != col {
                    let f = a[row][col] / a[col][col];
                    let pivot_row = a[col];
                    for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                        *x -= f * p;
                    }
                }
            }
        }
        let b: Vec<f64> = (0..4).map(|i| a[i][4] / a[i][i]).collect();
        b.iter().all(|x| x.is_finite()).then(|| Har {
            beta0: b[0],
            beta_d: b[1],
            beta_w: b[2],
            beta_m: b[3],
        })
    }

    /// Tomorrow's realised variance from the series so far (at least 22 days), floored at 0.
    pub fn forecast(&self, rv: &[f64]) -> f64 {
        let x = Har::regressors(rv, rv.len() - 1);
        (self.beta0 + self.beta_d * x[1] + self.beta_w * x[2] + self.beta_m * x[3]).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_series_has_no_har_fit() {
        assert_eq!(Har::fit(&[1e-4; 100]), None);
    }
}
