//! Seeded scenarios of the risk factors at the horizon: per underlying the log-return of its
//! index and the log-change of its volatility level.
//!
//! Model paths (`model`): `x_i = σ_i √h z_i − σ_i² h / 2` (the index a martingale,
//! `S_h = S e^(x)`), `ln m_i = ν √h w_i − ν² h / 2` (every option's vol multiplied by `m_i`, a
//! martingale too), `h` = horizon in years; `(z, w)` standard normal with
//! `corr(z_i, z_j) = corr(w_i, w_j) = ρ`, `corr(z_i, w_i) = ρ_sv`, `corr(z_i, w_j) = ρ ρ_sv`
//! (the Kronecker product of the two correlation matrices), drawn from ChaCha8 seeded with the
//! request's seed, in antithetic pairs (`ε`, `−ε`).
//!
//! Historical paths (`historical`, filtered historical simulation): each day's returns divided by
//! that day's EWMA volatility, then for each path `d` days drawn with replacement (the same days
//! for every underlying, keeping their dependence), summed and multiplied by today's forecast.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Factors of every path: `spot[p][i]` the log-return of underlying `i`, `vol[p][i]` its
/// vol multiplier.
#[derive(Clone, Debug, Default)]
pub struct Paths {
    pub spot: Vec<Vec<f64>>,
    pub vol: Vec<Vec<f64>>,
}

/// The lower Cholesky factor of a symmetric matrix, `None` unless it is positive definite.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d <= 1e-12 {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// The factors' correlation matrix: index `2i` the spot of underlying `i`, `2i + 1` its vol.
fn correlation(n: usize, rho: f64, spot_vol: f64) -> Vec<Vec<f64>> {
    let mut c = vec![vec![0.0; 2 * n]; 2 * n];
    for i in 0..n {
        for j in 0..n {
            let r = if i == j { 1.0 } else { rho };
            c[2 * i][2 * j] = r;
            c[2 * i + 1][2 * j + 1] = r;
            c[2 * i][2 * j + 1] = r * spot_vol;
            c[2 * i + 1][2 * j] = r * spot_vol;
        }
    }
    c
}

/// Model paths for underlyings of annual vols `sigmas`; `None` when the correlations do not
/// make a positive definite matrix (ρ ≤ −1/(n−1), |ρ| ≥ 1 or |ρ_sv| ≥ 1).
pub fn model_paths(
    sigmas: &[f64],
    years: f64,
    vol_of_vol: f64,
    rho: f64,
    spot_vol: f64,
    count: usize,
    seed: u64,
) -> Option<Paths> {
    let n = sigmas.len();
    let l = cholesky(&correlation(n, rho, spot_vol))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let root = years.sqrt();
    let mut paths = Paths::default();
    let mut eps = vec![0.0; 2 * n];
    let push = |paths: &mut Paths, e: &[f64]| {
        let correlated: Vec<f64> = (0..2 * n)
            .map(|i| (0..=i).map(|k| l[i][k] * e[k]).sum())
            .collect();
        paths.spot.push(
            (0..n)
                .map(|i| sigmas[i] * root * correlated[2 * i] - 0.5 * sigmas[i].powi(2) * years)
                .collect(),
        );
        paths.vol.push(
            (0..n)
                .map(|i| {
                    (vol_of_vol * root * correlated[2 * i + 1] - 0.5 * vol_of_vol.powi(2) * years)
                        .exp()
                })
                .collect(),
        );
    };
    while paths.spot.len() < count {
        for e in eps.iter_mut() {
            *e = rng.sample(StandardNormal);
        }
        push(&mut paths, &eps);
        if paths.spot.len() < count {
            let negated: Vec<f64> = eps.iter().map(|e| -e).collect();
            push(&mut paths, &negated);
        }
    }
    Some(paths)
}

/// Filtered historical paths: `standardised[t][i]` each day's returns over that day's
/// volatility, `forecast[i]` today's daily volatility, `days` days summed per path.
pub fn historical_paths(
    standardised: &[Vec<f64>],
    forecast: &[f64],
    days: usize,
    vol_multiplier: impl Fn(&mut ChaCha8Rng) -> Vec<f64>,
    count: usize,
    seed: u64,
) -> Paths {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = forecast.len();
    let mut paths = Paths::default();
    for _ in 0..count {
        let mut x = vec![0.0; n];
        for _ in 0..days.max(1) {
            let t = rng.random_range(0..standardised.len());
            for i in 0..n {
                x[i] += standardised[t][i] * forecast[i];
            }
        }
        paths.spot.push(x);
        paths.vol.push(vol_multiplier(&mut rng));
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_paths_have_the_stated_moments_and_repeat_by_seed() {
        let sigmas = [0.6, 0.8];
        let years = 10.0 / 365.0;
        let p = model_paths(&sigmas, years, 1.0, 0.7, -0.4, 200_000, 7).unwrap();
        let again = model_paths(&sigmas, years, 1.0, 0.7, -0.4, 200_000, 7).unwrap();
        assert_eq!(p.spot[12345], again.spot[12345]);
        let n = p.spot.len() as f64;
        // E[e^x] = 1 (a martingale) and var(x) = σ²h.
        for i in 0..2 {
            let mean: f64 = p.spot.iter().map(|s| s[i].exp()).sum::<f64>() / n;
            assert!((mean - 1.0).abs() < 2e-3, "{mean}");
            let m: f64 = p.spot.iter().map(|s| s[i]).sum::<f64>() / n;
            let var: f64 = p.spot.iter().map(|s| (s[i] - m).powi(2)).sum::<f64>() / n;
            let expected = sigmas[i].powi(2) * years;
            assert!((var / expected - 1.0).abs() < 0.01, "{var} {expected}");
        }
        let corr = |a: &dyn Fn(usize) -> f64, b: &dyn Fn(usize) -> f64| {
            let (ma, mb) = (
                (0..p.spot.len()).map(a).sum::<f64>() / n,
                (0..p.spot.len()).map(b).sum::<f64>() / n,
            );
            let cov: f64 = (0..p.spot.len())
                .map(|k| (a(k) - ma) * (b(k) - mb))
                .sum::<f64>();
            let va: f64 = (0..p.spot.len()).map(|k| (a(k) - ma).powi(2)).sum::<f64>();
            let vb: f64 = (0..p.spot.len()).map(|k| (b(k) - mb).powi(2)).sum::<f64>();
            cov / (va * vb).sqrt()
        };
        let spot0 = |k: usize| p.spot[k][0];
        let spot1 = |k: usize| p.spot[k][1];
        let vol0 = |k: usize| p.vol[k][0].ln();
        assert!((corr(&spot0, &spot1) - 0.7).abs() < 0.01);
        assert!((corr(&spot0, &vol0) + 0.4).abs() < 0.01);
        assert!(model_paths(&sigmas, years, 1.0, 1.0, 0.0, 10, 1).is_none());
    }
}
