//! The probability that each venue account is liquidatable at the horizon, on the same paths as
//! the VaR: each of its margin pools (aged to the horizon) tabulated per underlying — the pool's
//! state with that underlying alone moved, less its state unmoved — and summed on every path
//! (a pool's equity and margin are additive over underlyings: its positions' values and margins
//! each depend on their own underlying); the paths the tables put near a pool's liquidation are
//! revalued exactly with every underlying moved.

use super::grid::Table;
use super::paths::Paths;
use crate::account::AccountState;
use crate::venue::{pool_underlyings, MarginPool};
use serde::Serialize;

/// Nodes of the pools' tables (coarser than the account's: one table per pool and underlying).
const SPOT_NODES: usize = 65;
const VOL_NODES: usize = 5;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRisk {
    pub account: String,
    pub venue: &'static str,
    /// Share of paths in which a pool of the account is liquidatable at the horizon.
    pub liquidation_probability: f64,
    pub liquidation_standard_error: f64,
}

/// One venue account's pools at the horizon.
pub struct AccountPools<'a> {
    pub account: String,
    pub venue: &'static str,
    pub pools: Vec<Box<dyn MarginPool + 'a>>,
}

/// Per account, and for any account (the portfolio's first liquidation), the share of paths.
pub fn liquidation(
    accounts: &[AccountPools],
    paths: &Paths,
    names: &[String],
) -> (Vec<AccountRisk>, f64, f64) {
    let n = paths.spot.len();
    let range = |i: usize, values: &dyn Fn(usize) -> f64, pad: f64| {
        let (lo, hi) = (0..n)
            .map(values)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let _ = i;
        (lo - pad, hi + pad)
    };
    let spot_ranges: Vec<(f64, f64)> = (0..names.len())
        .map(|i| range(i, &|p| paths.spot[p][i], 1e-3))
        .collect();
    let vol_ranges: Vec<(f64, f64)> = (0..names.len())
        .map(|i| range(i, &|p| paths.vol[p][i].ln(), 0.0))
        .collect();
    let mut any = vec![false; n];
    let mut out = Vec::new();
    for account in accounts {
        let mut liquidatable = vec![false; n];
        for pool in &account.pools {
            let base = pool.state_with(&|_| 1.0);
            let moved: Vec<usize> = pool_underlyings(pool.as_ref())
                .iter()
                .filter_map(|u| names.iter().position(|n| n == u))
                .collect();
            let tables: Vec<(usize, Table)> = moved
                .iter()
                .map(|&i| {
                    let u = names[i].as_str();
                    let table = Table::tabulate(
                        spot_ranges[i],
                        vol_ranges[i],
                        SPOT_NODES,
                        VOL_NODES,
                        |x, m| {
                            let s = pool.stressed(
                                &|v| if v == u { x.exp() } else { 1.0 },
                                &|v, _, vol| if v == u { vol * m } else { vol },
                            );
                            AccountState {
                                equity: s.equity - base.equity,
                                balance: s.balance - base.balance,
                                initial: 0.0,
                                maintenance: s.maintenance - base.maintenance,
                            }
                        },
                    );
                    (i, table)
                })
                .collect();
            let scale = base.balance.abs().max(base.maintenance).max(1.0);
            for (p, done) in liquidatable.iter_mut().enumerate() {
                if *done {
                    continue;
                }
                let mut s = base;
                for (i, t) in &tables {
                    let d = t.at(paths.spot[p][*i], paths.vol[p][*i]);
                    s.equity += d.equity;
                    s.balance += d.balance;
                    s.maintenance += d.maintenance;
                }
                let gap = s.balance - s.maintenance;
                // Near the edge by the tables (within 2 % of the pool's scale): exactly.
                let verdict = if gap.abs() <= 0.02 * scale || s.balance.abs() <= 0.02 * scale {
                    let exact = pool.stressed(
                        &|v| {
                            names
                                .iter()
                                .position(|n| n == v)
                                .map_or(1.0, |i| paths.spot[p][i].exp())
                        },
                        &|v, _, vol| {
                            names
                                .iter()
                                .position(|n| n == v)
                                .map_or(vol, |i| vol * paths.vol[p][i])
                        },
                    );
                    exact.is_liquidatable()
                } else {
                    s.is_liquidatable()
                };
                *done = verdict;
            }
        }
        let count = liquidatable.iter().filter(|l| **l).count() as f64;
        for (a, l) in any.iter_mut().zip(&liquidatable) {
            *a |= *l;
        }
        let p = count / n as f64;
        out.push(AccountRisk {
            account: account.account.clone(),
            venue: account.venue,
            liquidation_probability: p,
            liquidation_standard_error: (p * (1.0 - p) / n as f64).sqrt(),
        });
    }
    let p_any = any.iter().filter(|a| **a).count() as f64 / n as f64;
    (out, p_any, (p_any * (1.0 - p_any) / n as f64).sqrt())
}
