//! An account's value and margin per underlying tabulated at the horizon on a grid of index
//! log-moves × vol multipliers, by full revaluation at each node; a path is then read off the
//! grids (cubic Hermite in the log-move, linear in the log vol multiplier) and the paths that
//! decide a figure are revalued exactly ([`Grids::exact`]).
//!
//! The account's state is additive over underlyings (each underlying's legs, its coin
//! collateral and its margin, plus the stablecoins), which is what lets one grid per underlying
//! stand for the whole account.

use crate::account::{Account, AccountState};

/// Nodes in the log-move.
const SPOT_NODES: usize = 129;
/// Nodes in the log vol multiplier (when vols move).
const VOL_NODES: usize = 7;

/// One underlying's table (or one pool's part moved by one underlying).
pub struct Table {
    /// Log-moves, ascending and evenly spaced.
    x: Vec<f64>,
    /// Log vol multipliers, ascending and evenly spaced (one node when vols are fixed).
    v: Vec<f64>,
    /// `[vol node][spot node]` equity, margin balance and MM, USD.
    equity: Vec<Vec<f64>>,
    balance: Vec<Vec<f64>>,
    maintenance: Vec<Vec<f64>>,
}

/// The grids of an account at a horizon.
pub struct Grids {
    tables: Vec<Table>,
    stablecoins: f64,
}

/// An evenly spaced range covering `low..=high` with `n` nodes (one node when they are equal).
fn nodes(low: f64, high: f64, n: usize) -> Vec<f64> {
    if high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
        return vec![low];
    }
    (0..n)
        .map(|k| low + (high - low) * k as f64 / (n - 1) as f64)
        .collect()
}

impl Grids {
    /// Tabulates `aged` (the account at the horizon): for underlying `i` (in
    /// [`Account::group_names`] order) log-moves over `spot_range[i]` and log vol multipliers
    /// over `vol_range[i]`.
    pub fn new(aged: &Account, spot_range: &[(f64, f64)], vol_range: &[(f64, f64)]) -> Grids {
        let names: Vec<String> = aged.group_names().iter().map(|s| s.to_string()).collect();
        let vols: Vec<Vec<f64>> = vol_range
            .iter()
            .map(|(lo, hi)| nodes(*lo, *hi, VOL_NODES))
            .collect();
        let spots: Vec<Vec<f64>> = spot_range
            .iter()
            .map(|(lo, hi)| nodes(*lo, *hi, SPOT_NODES))
            .collect();
        let levels = vols.iter().map(Vec::len).max().unwrap_or(1);
        let mut tables: Vec<Table> = (0..names.len())
            .map(|i| Table {
                x: spots[i].clone(),
                v: vols[i].clone(),
                equity: Vec::new(),
                balance: Vec::new(),
                maintenance: Vec::new(),
            })
            .collect();
        for level in 0..levels {
            // Every underlying's vols at its own node `level` (or its only node).
            let multiplier = |i: usize| vols[i][level.min(vols[i].len() - 1)].exp();
            let shocked = aged.with_vols(|u, _| {
                let m = names.iter().position(|n| n == u).map_or(1.0, multiplier);
                move |vol| vol * m
            });
            for (i, table) in tables.iter_mut().enumerate() {
                if level >= table.v.len() {
                    continue;
                }
                let states: Vec<AccountState> = table
                    .x
                    .iter()
                    .map(|x| shocked.part_at(i, x.exp()))
                    .collect();
                table.push_row(&states);
            }
        }
        Grids {
            tables,
            stablecoins: aged.stablecoins_usd(),
        }
    }

    /// Underlying `i`'s part at log-move `x` and vol multiplier `m`, read off its table.
    pub fn part(&self, i: usize, x: f64, m: f64) -> AccountState {
        self.tables[i].at(x, m)
    }

    /// The whole account on one path (log-moves `x`, vol multipliers `m`, in group order).
    pub fn state(&self, x: &[f64], m: &[f64]) -> AccountState {
        let mut s = AccountState {
            equity: self.stablecoins,
            balance: self.stablecoins,
            ..AccountState::default()
        };
        for i in 0..self.tables.len() {
            let p = self.part(i, x[i], m[i]);
            s.equity += p.equity;
            s.balance += p.balance;
            s.maintenance += p.maintenance;
        }
        s
    }

    /// The whole account on one path by full revaluation (no table).
    pub fn exact(aged: &Account, x: &[f64], m: &[f64]) -> AccountState {
        let names = aged.group_names();
        let shocked = aged.with_vols(|u, _| {
            let k = names.iter().position(|n| *n == u).map_or(1.0, |i| m[i]);
            move |vol| vol * k
        });
        let order: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        shocked.state_with(|u| {
            order
                .iter()
                .position(|n| n == u)
                .map_or(1.0, |i| x[i].exp())
        })
    }
}

impl Table {
    /// Tabulates `f(x, m)` (log-move, vol multiplier) over `x_range` and log multipliers over
    /// `v_range`, with `spot_nodes` and `vol_nodes` nodes.
    pub fn tabulate(
        x_range: (f64, f64),
        v_range: (f64, f64),
        spot_nodes: usize,
        vol_nodes: usize,
        f: impl Fn(f64, f64) -> AccountState,
    ) -> Table {
        let x = nodes(x_range.0, x_range.1, spot_nodes);
        let v = nodes(v_range.0, v_range.1, vol_nodes);
        let mut table = Table {
            x,
            v,
            equity: Vec::new(),
            balance: Vec::new(),
            maintenance: Vec::new(),
        };
        for lv in table.v.clone() {
            let states: Vec<AccountState> = table.x.iter().map(|x| f(*x, lv.exp())).collect();
            table.push_row(&states);
        }
        table
    }

    /// Appends one vol node's states, one per log-move node.
    fn push_row(&mut self, states: &[AccountState]) {
        self.equity.push(states.iter().map(|s| s.equity).collect());
        self.balance
            .push(states.iter().map(|s| s.balance).collect());
        self.maintenance
            .push(states.iter().map(|s| s.maintenance).collect());
    }

    /// The tabulated state at log-move `x` and vol multiplier `m`: cubic Hermite in `x`,
    /// quadratic through the three nearest nodes in `ln m`.
    pub fn at(&self, x: f64, m: f64) -> AccountState {
        let t = self;
        let read = |rows: &Vec<Vec<f64>>| {
            let at = |row: &Vec<f64>| hermite(&t.x, row, x);
            if t.v.len() == 1 {
                return at(&rows[0]);
            }
            let lv = m.ln();
            let step = t.v[1] - t.v[0];
            if t.v.len() == 2 {
                let w = (lv - t.v[0]) / step;
                return at(&rows[0]) * (1.0 - w) + at(&rows[1]) * w;
            }
            // Quadratic through the three nearest nodes (Lagrange, evenly spaced).
            let nearest = ((lv - t.v[0]) / step).round() as isize;
            let k = nearest.clamp(1, t.v.len() as isize - 2) as usize;
            let u = (lv - t.v[k]) / step;
            let (a, b, c) = (at(&rows[k - 1]), at(&rows[k]), at(&rows[k + 1]));
            b + 0.5 * u * (c - a) + 0.5 * u * u * (c - 2.0 * b + a)
        };
        AccountState {
            equity: read(&t.equity),
            balance: read(&t.balance),
            initial: 0.0,
            maintenance: read(&t.maintenance),
        }
    }
}

/// Cubic Hermite interpolation (Catmull–Rom slopes) on evenly spaced `xs`; linear beyond the
/// ends.
fn hermite(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let n = xs.len();
    if n == 1 {
        return ys[0];
    }
    let h = xs[1] - xs[0];
    let slope = |k: usize| {
        if k == 0 {
            (ys[1] - ys[0]) / h
        } else if k == n - 1 {
            (ys[n - 1] - ys[n - 2]) / h
        } else {
            (ys[k + 1] - ys[k - 1]) / (2.0 * h)
        }
    };
    if x <= xs[0] {
        return ys[0] + slope(0) * (x - xs[0]);
    }
    if x >= xs[n - 1] {
        return ys[n - 1] + slope(n - 1) * (x - xs[n - 1]);
    }
    let k = (((x - xs[0]) / h) as usize).min(n - 2);
    let t = (x - xs[k]) / h;
    let (t2, t3) = (t * t, t * t * t);
    (2.0 * t3 - 3.0 * t2 + 1.0) * ys[k]
        + (t3 - 2.0 * t2 + t) * h * slope(k)
        + (-2.0 * t3 + 3.0 * t2) * ys[k + 1]
        + (t3 - t2) * h * slope(k + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hermite_is_exact_on_quadratics_between_inner_nodes() {
        let xs: Vec<f64> = (0..11).map(|k| k as f64 * 0.1).collect();
        let f = |x: f64| 2.0 * x * x - x + 3.0;
        let ys: Vec<f64> = xs.iter().map(|x| f(*x)).collect();
        for x in [0.15, 0.33, 0.55, 0.77, 0.85] {
            assert!((hermite(&xs, &ys, x) - f(x)).abs() < 1e-12, "{x}");
        }
        assert!((hermite(&xs, &ys, 0.3) - f(0.3)).abs() < 1e-12);
        // Beyond the ends: the end slope, one-sided.
        let slope = (ys[10] - ys[9]) / 0.1;
        assert!((hermite(&xs, &ys, 1.2) - (ys[10] + slope * 0.2)).abs() < 1e-12);
    }
}
