//! The cheapest sizes meeting linear constraints: `minimise Σ cost_j·x_j` over
//! `0 ≤ x_j ≤ max_j`, subject to rows `Σ a_j·x_j ≥ b` (cuts of the targets, see
//! [`crate::analyze`]'s rebalance step) and bands `lo ≤ Σ a_j·x_j ≤ hi` (Greeks, which are
//! linear in the sizes). Solved by `minilp`'s simplex.

/// One linear row `Σ coefficients_j·x_j` held within `[lower, upper]` (either may be infinite).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub coefficients: Vec<f64>,
    pub lower: f64,
    pub upper: f64,
}

impl Row {
    /// `Σ a_j·x_j ≥ lower`.
    pub fn at_least(coefficients: Vec<f64>, lower: f64) -> Row {
        Row {
            coefficients,
            lower,
            upper: f64::INFINITY,
        }
    }

    /// `Σ a_j·x_j = value`.
    pub fn equal(coefficients: Vec<f64>, value: f64) -> Row {
        Row {
            coefficients,
            lower: value,
            upper: value,
        }
    }

    /// The row's value at `x`.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.coefficients.iter().zip(x).map(|(a, x)| a * x).sum()
    }
}

/// Why no sizes were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpError {
    /// No sizes within their limits meet every row.
    Infeasible,
    /// The cost can fall without end (a candidate with no cost and no limit).
    Unbounded,
    /// A cost, limit or coefficient is not a finite number (the solver is not asked).
    NotFinite,
}

impl std::fmt::Display for LpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LpError::Infeasible => {
                "no sizes of these candidates within their limits meet every target"
            }
            LpError::Unbounded => {
                "the cost has no minimum (a candidate costs nothing and has no size limit)"
            }
            LpError::NotFinite => "a candidate's cost or Greeks are not finite numbers",
        })
    }
}

/// The cheapest `x` (one per cost) within `0 ≤ x_j ≤ max_j` meeting every row.
///
/// ```
/// use headroom::rebalance::lp::{cheapest, Row};
/// // Two hedges: the first gives 2 per unit at cost 3, the second 1 at cost 1; need 10.
/// let x = cheapest(&[3.0, 1.0], &[f64::INFINITY, 4.0], &[Row::at_least(vec![2.0, 1.0], 10.0)]).unwrap();
/// assert!((x[0] - 3.0).abs() < 1e-9 && (x[1] - 4.0).abs() < 1e-9); // 4 of the cheap one, then 3
/// ```
pub fn cheapest(costs: &[f64], max: &[f64], rows: &[Row]) -> Result<Vec<f64>, LpError> {
    let bounds: Vec<(f64, f64)> = max.iter().map(|m| (0.0, *m)).collect();
    cheapest_within(costs, &bounds, rows)
}

/// [`cheapest`] with each `x_j` within `bounds_j = (low, high)`, `0 ≤ low ≤ high`.
pub fn cheapest_within(
    costs: &[f64],
    bounds: &[(f64, f64)],
    rows: &[Row],
) -> Result<Vec<f64>, LpError> {
    use minilp::{ComparisonOp, OptimizationDirection, Problem};
    let max = bounds;
    let finite = costs.iter().all(|c| c.is_finite())
        && max
            .iter()
            .all(|(lo, hi)| lo.is_finite() && *lo >= 0.0 && !hi.is_nan() && hi >= lo)
        && rows.iter().all(|r| {
            r.coefficients.len() == costs.len()
                && r.coefficients.iter().all(|a| a.is_finite())
                && !r.lower.is_nan()
                && !r.upper.is_nan()
                && r.lower <= r.upper
                && r.lower < f64::INFINITY
                && r.upper > f64::NEG_INFINITY
        })
        && max.len() == costs.len();
    if !finite {
        return Err(LpError::NotFinite);
    }
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<_> = costs
        .iter()
        .zip(max)
        .map(|(c, m)| problem.add_var(*c, *m))
        .collect();
    for row in rows {
        let terms: Vec<_> = vars
            .iter()
            .zip(&row.coefficients)
            .filter(|(_, a)| **a != 0.0)
            .map(|(v, a)| (*v, *a))
            .collect();
        if row.lower == row.upper {
            problem.add_constraint(&terms[..], ComparisonOp::Eq, row.lower);
            continue;
        }
        if row.lower.is_finite() {
            problem.add_constraint(&terms[..], ComparisonOp::Ge, row.lower);
        }
        if row.upper.is_finite() {
            problem.add_constraint(&terms[..], ComparisonOp::Le, row.upper);
        }
    }
    match problem.solve() {
        Ok(solution) => Ok(vars.iter().map(|v| solution[*v].max(0.0)).collect()),
        Err(minilp::Error::Unbounded) => Err(LpError::Unbounded),
        Err(minilp::Error::Infeasible) => Err(LpError::Infeasible),
    }
}
