//! Greek hedges: neutralising chosen Greeks with the cheapest trades, the minimum-variance delta
//! under the risk model's spot–vol correlation, and Whalley–Wilmott's no-trade band with its
//! expected hedging cost.

use super::lp::{cheapest, LpError, Row};

/// The hedge that brings chosen Greeks to zero at the least cost, or as near as the candidates
/// allow.
#[derive(Clone, Debug, PartialEq)]
pub struct Neutral {
    /// Signed size of each candidate (its unit), in the candidates' order.
    pub sizes: Vec<f64>,
    /// What is left of each Greek after the hedge (the book's units); 0 when neutral.
    pub residual: Vec<f64>,
    pub cost: f64,
}

/// The cheapest signed sizes `x` with `book_k + Σ_j x_j·per_unit_j[k] = 0` for every Greek `k`,
/// buying or selling candidate `j` at `cost_j` per unit. When no sizes make every Greek zero, each
/// Greek's absolute remainder (in units of its own scale, the largest of the book's and the
/// candidates' values) is minimised first, then the cost: a least-absolute-deviation fit, so that
/// it stays a linear program.
///
/// Hull's gamma–vega hedge (Options, Futures, and Other Derivatives, 10th ed., Example 19.5):
/// delta 0, gamma −5,000, vega −8,000; option 1 (δ 0.6, Γ 0.5, ν 2.0), option 2 (0.5, 0.8, 1.2)
/// and the asset: 400 of option 1, 6,000 of option 2, and 3,240 of the asset sold.
///
/// ```
/// let book = [0.0, -5000.0, -8000.0];
/// let units = [vec![0.6, 0.5, 2.0], vec![0.5, 0.8, 1.2], vec![1.0, 0.0, 0.0]];
/// let h = headroom::rebalance::hedge::neutral(&book, &units, &[0.01, 0.01, 0.001]).unwrap();
/// assert!((h.sizes[0] - 400.0).abs() < 1e-6);
/// assert!((h.sizes[1] - 6000.0).abs() < 1e-6);
/// assert!((h.sizes[2] + 3240.0).abs() < 1e-6);
/// ```
pub fn neutral(book: &[f64], per_unit: &[Vec<f64>], costs: &[f64]) -> Result<Neutral, LpError> {
    let n = per_unit.len();
    let k = book.len();
    // Each Greek row divided by its scale, so that remainders of different units compare.
    let scales: Vec<f64> = (0..k)
        .map(|g| {
            per_unit
                .iter()
                .map(|u| u[g].abs())
                .fold(book[g].abs(), f64::max)
                .max(f64::MIN_POSITIVE)
        })
        .collect();
    // Variables: buy_j, sell_j, then over_g, under_g (the remainders).
    let total_cost: f64 = costs.iter().map(|c| c.abs()).sum::<f64>().max(1.0);
    let penalty = 1e6 * total_cost;
    let mut var_costs = Vec::with_capacity(2 * n + 2 * k);
    for c in costs {
        var_costs.push(*c);
    }
    for c in costs {
        var_costs.push(*c);
    }
    var_costs.extend(std::iter::repeat_n(penalty, 2 * k));
    let max = vec![f64::INFINITY; var_costs.len()];
    let rows: Vec<Row> = (0..k)
        .map(|g| {
            let mut a = vec![0.0; var_costs.len()];
            for j in 0..n {
                a[j] = per_unit[j][g] / scales[g];
                a[n + j] = -per_unit[j][g] / scales[g];
            }
            a[2 * n + g] = 1.0;
            a[2 * n + k + g] = -1.0;
            Row::equal(a, -book[g] / scales[g])
        })
        .collect();
    let x = cheapest(&var_costs, &max, &rows)?;
    let sizes: Vec<f64> = (0..n).map(|j| x[j] - x[n + j]).collect();
    let residual = (0..k)
        .map(|g| book[g] + (0..n).map(|j| sizes[j] * per_unit[j][g]).sum::<f64>())
        .collect();
    let cost = (0..n).map(|j| sizes[j].abs() * costs[j]).sum();
    Ok(Neutral {
        sizes,
        residual,
        cost,
    })
}

/// The minimum-variance delta of a book (coins): the hedge `h` minimising `Var(dV − h·dS)` when
/// each option's implied vol moves by `σ_i·η·dW₂` (a lognormal vol factor of annual vol η, as the
/// risk section's model has it) correlated `ρ` with the index's `S·σ_S·dW₁`:
/// `δ_MV = δ + ρ·η·Σ_i(V_σ,i·σ_i)/(S·σ_S)`, `V_σ,i` the option's value change per unit of vol
/// (100 × its vega per vol point) and `vega_times_vol = Σ_i V_σ,i·σ_i`, USD.
///
/// ```
/// // A long call with 50,000 USD of vega per unit of vol at 50 % vol; spot 100,000 at 50 %;
/// // vol of vol 1, spot–vol correlation −0.3: the hedge holds 0.15 coin less than δ.
/// let mv = headroom::rebalance::hedge::min_variance_delta(0.5, 25_000.0, 100_000.0, 0.5, 1.0, -0.3);
/// assert!((mv - (0.5 - 0.15)).abs() < 1e-12);
/// ```
pub fn min_variance_delta(
    delta: f64,
    vega_times_vol: f64,
    spot: f64,
    spot_vol: f64,
    vol_of_vol: f64,
    correlation: f64,
) -> f64 {
    delta + correlation * vol_of_vol * vega_times_vol / (spot * spot_vol)
}

/// Whalley and Wilmott's no-trade band around the delta (1997, "An asymptotic analysis of an
/// optimal hedging model for option pricing with transaction costs", Math. Finance 7): rehedge
/// only when the delta leaves `δ ± h`, `h = (3·e^{−r·τ}·λ·S·Γ²/(2·γ))^{1/3}` coins, with λ the
/// cost as a fraction of the notional traded, Γ the book's gamma (coins per USD) and γ the risk
/// aversion (per USD). Trading to the band's edge, the delta is a reflected random walk of
/// variance rate `v = (Γ·S·σ)²` coins² a year, so the expected amount traded is `v/(2h)` coins a
/// year and its expected cost `λ·S·v/(2h)` USD a year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Half-width, coins.
    pub half_width: f64,
    /// Expected coins traded a year to stay within the band.
    pub traded_per_year: f64,
    /// Expected cost, USD a year.
    pub cost_per_year: f64,
}

/// [`Band`] for one underlying. `years` is the time over which `e^{−r·τ}` discounts (the book's
/// gamma-weighted expiry); a book without gamma has no band (`None`).
///
/// ```
/// // Γ = 0.001 coin per USD at S = 100,000, 50 % vol; 0.05 % cost; risk aversion 1e-4 per USD.
/// let b = headroom::rebalance::hedge::whalley_wilmott(0.001, 100_000.0, 0.5, 0.0005, 1e-4, 0.0, 0.0).unwrap();
/// assert!((b.half_width - (1.5f64 * 0.0005 * 100_000.0 * 1e-6 / 1e-4).cbrt()).abs() < 1e-12);
/// ```
pub fn whalley_wilmott(
    gamma: f64,
    spot: f64,
    vol: f64,
    cost_fraction: f64,
    risk_aversion: f64,
    rate: f64,
    years: f64,
) -> Option<Band> {
    if gamma == 0.0
        || risk_aversion.is_nan()
        || risk_aversion <= 0.0
        || cost_fraction.is_nan()
        || cost_fraction < 0.0
    {
        return None;
    }
    let half_width =
        (1.5 * (-rate * years).exp() * cost_fraction * spot * gamma * gamma / risk_aversion).cbrt();
    let variance_rate = (gamma * spot * vol).powi(2);
    let traded_per_year = if half_width > 0.0 {
        variance_rate / (2.0 * half_width)
    } else {
        f64::INFINITY
    };
    Some(Band {
        half_width,
        traded_per_year,
        cost_per_year: cost_fraction * spot * traded_per_year,
    })
}
