//! Sizes in lots, and the answer as it is checked and shown: the search's sizes rounded to lots
//! (the cheapest combinations the goals accept first), a second search when none does, the trade
//! lists re-valued in order, and what the report shows of the first that meets every target.

use super::*;

/// Trades in lots: (candidate, signed size in its size unit).
pub(super) type TradeList = Vec<(usize, f64)>;

/// Trade lists in lots (candidate, signed size) to verify, in order, for the directions' `units`
/// (`units` may go on past the directions: the other variables, kept as found). Each traded
/// candidate's size is rounded down or up to its lot (a trade closing part of a position the book
/// holds, `rows`, never past closing it: a whole position can be closed whatever the lot); the
/// combinations, cheapest first, that the goals and bands accept as valued by the search, at most
/// three, then every size rounded up and every size to the nearest lot.
///
/// Also returns, when no combination was accepted, the least by which the combinations fell
/// short of the goals (USD).
pub(super) fn roundings(
    directions: &[Direction],
    candidates: &[Candidate],
    units: &[f64],
    rows: &[&PositionRow],
    goals: &dyn Goals,
    bands: &[Row],
) -> (Vec<TradeList>, Option<f64>) {
    let mut net: BTreeMap<usize, f64> = BTreeMap::new();
    for (d, u) in directions.iter().zip(units) {
        if *u > 0.0 {
            *net.entry(d.candidate).or_default() += d.sign * u;
        }
    }
    // Per traded candidate: its size rounded down and up, and to the nearest lot.
    let sizes: Vec<(usize, [f64; 2], f64)> = net
        .into_iter()
        .map(|(c, u)| {
            let cand = &candidates[c];
            let size = u * cand.unit_size;
            let lots = size.abs() / cand.lot;
            let held: f64 = rows
                .iter()
                .filter(|r| r.instrument.name == cand.name)
                .map(|r| r.size)
                .sum();
            let closing = held * size < 0.0 && size.abs() <= held.abs() * (1.0 + 1e-9);
            let clamp = |x: f64| if closing { x.min(held.abs()) } else { x };
            let down = (lots + 1e-9).floor() * cand.lot;
            let up = clamp((lots - 1e-9).ceil() * cand.lot);
            let nearest = clamp(lots.round() * cand.lot);
            let sign = size.signum();
            (c, [sign * down, sign * up], sign * nearest)
        })
        .collect();
    let list = |pick: &dyn Fn(usize) -> f64| -> Vec<(usize, f64)> {
        sizes
            .iter()
            .enumerate()
            .map(|(k, (c, _, _))| (*c, pick(k)))
            .filter(|(_, size)| *size != 0.0)
            .collect()
    };
    let all_up = list(&|k| sizes[k].1[1]);
    let all_nearest = list(&|k| sizes[k].2);
    let mut out = Vec::new();
    let mut least_short = f64::INFINITY;
    if sizes.len() <= 6 {
        let mut combos: Vec<(f64, Vec<(usize, f64)>)> = (0..1usize << sizes.len())
            .map(|mask| {
                let trades = list(&|k| sizes[k].1[(mask >> k) & 1]);
                let cost = trades
                    .iter()
                    .map(|(c, size)| {
                        let cand = &candidates[*c];
                        size.abs() * (cand.half_usd + cand.fee_usd[usize::from(*size < 0.0)])
                    })
                    .sum::<f64>();
                (cost, trades)
            })
            .collect();
        combos.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, trades) in combos {
            if out.len() == 3 {
                break;
            }
            // The trades as the search's variables: each on its direction's side.
            let mut x = units.to_vec();
            x[..directions.len()].fill(0.0);
            for (c, size) in &trades {
                if let Some(d) = directions
                    .iter()
                    .position(|d| d.candidate == *c && d.sign * size > 0.0)
                {
                    x[d] = size.abs() / candidates[*c].unit_size;
                }
            }
            let in_bands = bands.iter().all(|b| {
                let v = b.value(&x);
                v >= b.lower - 1e-9 * b.lower.abs().max(1.0)
                    && v <= b.upper + 1e-9 * b.upper.abs().max(1.0)
            });
            let short = goals.values(&x, None).iter().fold(0.0f64, |a, v| a.max(-v));
            if in_bands && short <= 0.0 {
                out.push(trades);
            } else if in_bands {
                least_short = least_short.min(short);
            }
        }
    }
    let short = (out.is_empty() && least_short.is_finite()).then_some(least_short);
    for fallback in [all_up, all_nearest] {
        if !out.contains(&fallback) {
            out.push(fallback);
        }
    }
    (out, short)
}

/// What [`search_and_round`] found: the units per variable, the trade lists to verify in order,
/// and notes.
pub(super) struct Rounded {
    pub(super) units: Vec<f64>,
    pub(super) tries: Vec<TradeList>,
    pub(super) notes: Vec<String>,
    pub(super) method: Method,
}

/// The search, and its answer's roundings to lots (see [`roundings`]). When no rounding meets
/// the goals as the search values them (the cheapest point can sit where a lot more of a trade
/// costs more than it gives), the search runs again aiming inside every bound by twice the
/// shortfall and the first cent — twice at most.
pub(super) fn search_and_round(
    mut problem: Problem,
    max_trades: usize,
    directions: &[Direction],
    candidates: &[Candidate],
    rows: &[&PositionRow],
) -> Result<Rounded, String> {
    let (mut units, mut notes, mut method) = problem.search(max_trades)?;
    let (mut tries, mut short) = roundings(
        directions,
        candidates,
        &units,
        rows,
        problem.goals,
        problem.bands,
    );
    for _ in 0..2 {
        let Some(s) = short else { break };
        problem.aim = AIM_USD + 2.0 * s + (problem.aim - AIM_USD);
        let Ok((again, more, again_method)) = problem.search(max_trades) else {
            break;
        };
        let (again_tries, again_short) = roundings(
            directions,
            candidates,
            &again,
            rows,
            problem.goals,
            problem.bands,
        );
        notes.extend(more);
        notes.push(format!(
            "no rounding to lots met the targets; searched again aiming {} USD inside them",
            Figure((problem.aim * 100.0).round() / 100.0)
        ));
        (units, tries, short, method) = (again, again_tries, again_short, again_method);
    }
    Ok(Rounded {
        units,
        tries,
        notes,
        method,
    })
}

/// A trade list re-valued: what the re-valuation made of it, and each target before and after.
pub(super) struct Checked<W> {
    pub(super) trades: TradeList,
    pub(super) what_if: W,
    pub(super) targets: Vec<TargetReport>,
}

/// Re-values the trade lists in order with `check` (what it makes of the list, the targets, and
/// whether nothing else failed) and keeps the first that meets every target, else the last.
pub(super) fn first_verified<W>(
    tries: Vec<TradeList>,
    mut check: impl FnMut(&TradeList) -> Result<(W, Vec<TargetReport>, bool), RequestError>,
) -> Result<Checked<W>, RequestError> {
    let mut last = None;
    for trades in tries {
        let (what_if, targets, clean) = check(&trades)?;
        let met = clean && targets.iter().all(|r| r.met);
        last = Some(Checked {
            trades,
            what_if,
            targets,
        });
        if met {
            break;
        }
    }
    last.ok_or_else(|| RequestError::new("rebalance", "no trade list could be checked"))
}

/// What the report shows of a checked list.
pub(super) struct Shown {
    /// `not verified` when a list found failed its re-valuation.
    pub(super) status: &'static str,
    /// Only a verified list.
    pub(super) trades: TradeList,
    pub(super) reports: Vec<TradeReport>,
    /// The targets the re-valued account ends at (within a tenth of how far the trades moved
    /// them): what stopped the trades.
    pub(super) binding: Vec<String>,
    /// The list shown (or the account as it is, when it met its targets already) re-valued to
    /// meet every target.
    pub(super) verified: bool,
}

pub(super) fn shown(
    status: &'static str,
    trades: TradeList,
    targets: &[TargetReport],
    candidates: &[Candidate],
    notes: &mut Vec<String>,
) -> Shown {
    let verified = targets.iter().all(|r| r.met);
    let status = if status == "solved" && !verified {
        notes.push(
            "the trades found did not meet every target when re-valued as a what-if; they are not \
             shown"
                .into(),
        );
        "not verified"
    } else {
        status
    };
    let trades = if status == "solved" {
        trades
    } else {
        Vec::new()
    };
    Shown {
        status,
        verified: status != "not found" && verified,
        reports: trades
            .iter()
            .map(|(c, size)| trade_report(&candidates[*c], *size))
            .collect(),
        binding: targets
            .iter()
            .filter(|r| status == "solved" && r.met && ends_at_bound(r))
            .map(|r| r.target.clone())
            .collect(),
        trades,
    }
}
