//! The collateral transfer between venue accounts that maximises the smallest distance to
//! liquidation: USD stablecoins moved between the accounts' cross pools (isolated positions keep
//! their allocated margin). Each account's shortfall — the stablecoins its cross pool needs to stay
//! above maintenance margin for every move within ±d of each index alone and of all together — is
//! tabulated once on the liquidation scan's grid of moves; the largest d whose shortfalls the
//! accounts' stablecoins cover is found on it, and the answer is verified by the liquidation
//! search on the accounts with the transfers applied.

use crate::account::{AccountState, Collateral, Liquidation};
use crate::instrument::USD_LIKE;
use crate::report::{CollateralTransfer, Transfer};
use crate::venue::{MarginPool, PoolSpec, PreparedAccount, VenueEngine};

/// Moves of the shortfall table: the liquidation scan's steps (≈ 1 % near the index, growing by
/// 1.15) out to −99 % and +1000 %.
fn grid() -> Vec<f64> {
    let mut out = Vec::new();
    for (end, sign) in [((0.01_f64).ln(), -1.0), ((11.0_f64).ln(), 1.0)] {
        let (mut x, mut step) = (0.0_f64, 0.01_f64);
        loop {
            x = (x.abs() + step).min(end.abs()) * sign;
            out.push(x.exp_m1());
            step *= 1.15;
            if x.abs() >= end.abs() {
                break;
            }
        }
    }
    out
}

/// The cross pool of an account that holds (or would hold) its USD stablecoins.
fn stable_pool(account: &PreparedAccount) -> Option<usize> {
    account
        .pools
        .iter()
        .position(|p| !p.isolated && (p.name == "cross" || p.name == "segregated USDC"))
}

fn stablecoins(spec: &PoolSpec) -> f64 {
    spec.collateral
        .iter()
        .filter(|c| c.underlying.is_none())
        .map(|c| c.amount * c.price)
        .sum()
}

/// The moves each account's distance is measured on: each underlying alone, then all together.
fn underlyings(spec: &PoolSpec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in spec
        .legs
        .iter()
        .map(|l| &l.leg.underlying)
        .chain(spec.collateral.iter().filter_map(|c| c.underlying.as_ref()))
    {
        if !out.contains(u) {
            out.push(u.clone());
        }
    }
    out
}

/// The pool's state with `u` (or every index, for `None`) moved by `m`.
fn state_at(pool: &dyn MarginPool, u: Option<&str>, m: f64) -> AccountState {
    pool.state_with(&|v| {
        if u.is_none_or(|u| u == v) {
            1.0 + m
        } else {
            1.0
        }
    })
}

/// The smallest distance (fraction of the index, either way) of a pool's liquidations: each
/// underlying alone and all together.
fn distance(pool: &dyn MarginPool) -> Option<f64> {
    let mut smallest: Option<f64> = None;
    let mut take = |l: Liquidation| {
        for m in [l.down, l.up].into_iter().flatten() {
            smallest = Some(smallest.map_or(m.abs(), |s: f64| s.min(m.abs())));
        }
    };
    for u in underlyings(pool.spec()) {
        take(pool.liquidation(&u));
    }
    take(pool.liquidation_all());
    smallest
}

/// One account with a cross pool: its index, its stablecoins now, the stablecoins it needs at each
/// move of the grid (|move|, need), and its smallest distance to liquidation now.
struct Row {
    account: usize,
    now: f64,
    needs: Vec<(f64, f64)>,
    distance: Option<f64>,
}

/// The transfer, or `None` when fewer than two accounts have a cross pool.
///
/// `known(i, pool)` is the smallest distance already found for pool `pool` of account `i` (the
/// report's searches), so only the accounts whose stablecoins change are searched again.
pub(super) fn suggest(
    accounts: &[(&'static dyn VenueEngine, &PreparedAccount, &str)],
    known: &dyn Fn(usize, usize) -> Option<f64>,
) -> Option<CollateralTransfer> {
    let moves = grid();
    // Per account with a cross pool: its stablecoins now, and per move of the grid the stablecoins
    // its pool would need at that move (MM − balance without them), for the worst kind of move.
    // Each account's cross pool alone: the isolated ones take no transfer.
    let singles: Vec<(usize, usize, PreparedAccount)> = accounts
        .iter()
        .enumerate()
        .filter_map(|(i, (_, account, _))| {
            let p = stable_pool(account)?;
            Some((i, p, only_pool(account, p, None)))
        })
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    let mut exact: Vec<Box<dyn Fn(f64) -> f64 + '_>> = Vec::new();
    for (i, p, alone) in &singles {
        let (i, p) = (*i, *p);
        let engine = accounts[i].0;
        let pools = engine.pools(alone);
        // One spec gives one pool (an engine given another engine's pack gives none).
        let Some(pool) = pools.first() else {
            continue;
        };
        let pool = pool.as_ref();
        let now = stablecoins(pool.spec());
        let kinds: Vec<Option<String>> = underlyings(pool.spec())
            .into_iter()
            .map(Some)
            .chain([None])
            .collect();
        let needs: Vec<(f64, f64)> = moves
            .iter()
            .map(|&m| {
                let need = kinds
                    .iter()
                    .map(|u| {
                        let s = state_at(pool, u.as_deref(), m);
                        s.maintenance - (s.margin_balance() - now)
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                (m.abs(), need)
            })
            .collect();
        rows.push(Row {
            account: i,
            now,
            needs,
            distance: known(i, p),
        });
        // The need at exactly ±d, for the refinement between grid levels.
        exact.push(Box::new(move |d: f64| {
            let Some(pool) = pools.first() else {
                return f64::INFINITY;
            };
            let pool = pool.as_ref();
            kinds
                .iter()
                .flat_map(|u| [-d.min(0.99), d].map(|m| (u.clone(), m)))
                .map(|(u, m)| {
                    let s = state_at(pool, u.as_deref(), m);
                    s.maintenance - (s.margin_balance() - now)
                })
                .fold(f64::NEG_INFINITY, f64::max)
        }));
    }
    if rows.len() < 2 {
        return None;
    }
    let total: f64 = rows.iter().map(|r| r.now).sum();
    // The stablecoins each account needs to be safe for every move within ±d (a step function of d
    // on the grid), and the largest grid distance the accounts' total covers.
    let need_within = |needs: &[(f64, f64)], d: f64| {
        needs
            .iter()
            .filter(|(m, _)| *m <= d + 1e-12)
            .map(|(_, n)| *n)
            .fold(0.0_f64, f64::max)
    };
    let mut levels: Vec<f64> = moves.iter().map(|m| m.abs()).collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let mut best: Option<(f64, Vec<f64>)> = None;
    let mut beyond = None;
    for &d in &levels {
        let needs: Vec<f64> = rows.iter().map(|r| need_within(&r.needs, d)).collect();
        if needs.iter().sum::<f64>() > total {
            beyond = Some(d);
            break;
        }
        best = Some((d, needs));
    }
    let (mut low, mut allocation) = best?;
    // Between the last grid level covered and the first not: bisection on d, each account's need
    // the grid's up to d and the exact one at ±d (exact where the shortfall is convex in the move,
    // as it is under per-position rules).
    if let Some(mut high) = beyond {
        for _ in 0..40 {
            let d = 0.5 * (low + high);
            let needs: Vec<f64> = rows
                .iter()
                .zip(&exact)
                .map(|(r, at)| need_within(&r.needs, d).max(at(d)))
                .collect();
            if needs.iter().sum::<f64>() <= total {
                low = d;
                allocation = needs;
            } else {
                high = d;
            }
        }
    }
    // Each account at least its need, never below 0.
    for a in allocation.iter_mut() {
        *a = a.max(0.0);
    }
    // What is left over stays where it is, up to each account's present stablecoins.
    let mut left = total - allocation.iter().sum::<f64>();
    for (a, r) in allocation.iter_mut().zip(&rows) {
        let back = (r.now - *a).max(0.0).min(left);
        *a += back;
        left -= back;
    }
    if let Some(last) = allocation.last_mut() {
        *last += left.max(0.0);
    }
    let before = rows
        .iter()
        .filter_map(|r| r.distance.map(|d| (d, r.account)))
        .min_by(|a, b| a.0.total_cmp(&b.0));

    // Transfers: from accounts that give to accounts that receive, largest first.
    let mut give: Vec<(usize, f64)> = Vec::new();
    let mut take: Vec<(usize, f64)> = Vec::new();
    for (r, a) in rows.iter().zip(&allocation) {
        let delta = a - r.now;
        if delta < -0.005 {
            give.push((r.account, -delta));
        } else if delta > 0.005 {
            take.push((r.account, delta));
        }
    }
    let mut transfers = Vec::new();
    let (mut gi, mut ti) = (0, 0);
    while gi < give.len() && ti < take.len() {
        let amount = give[gi].1.min(take[ti].1);
        transfers.push(Transfer {
            from: accounts[give[gi].0].2.to_string(),
            to: accounts[take[ti].0].2.to_string(),
            amount_usd: amount,
        });
        give[gi].1 -= amount;
        take[ti].1 -= amount;
        if give[gi].1 <= 0.005 {
            gi += 1;
        }
        if take[ti].1 <= 0.005 {
            ti += 1;
        }
    }

    // Verified: the accounts with the transfers applied, searched again.
    let after = rows
        .iter()
        .zip(&allocation)
        .filter_map(|(r, amount)| {
            if (amount - r.now).abs() <= 0.005 {
                return r.distance.map(|d| (d, r.account));
            }
            let (engine, account, _) = accounts[r.account];
            let moved = only_pool(account, stable_pool(account)?, Some(*amount));
            let pools = engine.pools(&moved);
            distance(pools.first()?.as_ref()).map(|d| (d, r.account))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let improves = match (before, after) {
        (Some(b), Some(a)) => a.0 > b.0 + 1e-9,
        (Some(_), None) => true,
        _ => false,
    };
    Some(CollateralTransfer {
        transfers: if improves { transfers } else { Vec::new() },
        smallest_distance_before: before.map(|b| b.0),
        account_before: before.map(|b| accounts[b.1].2.to_string()),
        smallest_distance_after: if improves {
            after.map(|a| a.0)
        } else {
            before.map(|b| b.0)
        },
        account_after: if improves {
            after.map(|a| accounts[a.1].2.to_string())
        } else {
            before.map(|b| accounts[b.1].2.to_string())
        },
        rule: "USD stablecoins moved between the accounts' cross pools to maximise the smallest \
               distance to liquidation (each index alone and all together); isolated margins stay; \
               the distances after are the liquidation search on the accounts with the transfers"
            .into(),
    })
}

/// The account with only its pool `p`, its USD stablecoins set to `usd` (one USDC line) when
/// given.
fn only_pool(account: &PreparedAccount, p: usize, usd: Option<f64>) -> PreparedAccount {
    let mut pool = account.pools[p].clone();
    if let Some(usd) = usd {
        pool.collateral.retain(|c| c.underlying.is_some());
        pool.collateral.push(Collateral {
            currency: USD_LIKE[1].to_string(),
            amount: usd,
            price: 1.0,
            underlying: None,
        });
    }
    PreparedAccount {
        mode: account.mode,
        pools: vec![pool],
        pack: account.pack.clone(),
        approximations: Vec::new(),
    }
}
