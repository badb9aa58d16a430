//! The rebalance of a venue account: the same search on the account's own engine, with USD
//! stablecoins moved in from the other accounts as candidates beside the trades.
//!
//! Each source account must stay able to give what it gives: its margin balance stays at least
//! its IM after the move (what a venue lets be withdrawn), and it keeps every target the request
//! sets on the account that receives (distance to liquidation, MM usage) that it meets now. The
//! answer is re-valued as the venue what-if values trades (the trades netted into the positions
//! held, the account split into its pools again), with the fees and the moves in its collateral.

use super::*;
use crate::analyze::same_contract;
use crate::analyze::venue_book::{usd, venue_snapshot, venue_what_if, VenueAccount};
use crate::input::PositionsInput;
use crate::report::{AccountSnapshot, Transfer};
use crate::venue::{AccountLeg, AccountMode, MarginPool, Pack, PreparedAccount};
use exact::{valued_leg, Book};

/// An account that can give collateral: its goals, and its variable's index.
struct Source<'a> {
    account: &'a VenueAccount<'a>,
    goals: Vec<Goal>,
    variable: usize,
}

/// The goals of the receiving account and of every source, as functions of the trades and moves.
struct VenueGoals<'a> {
    target: &'a VenueAccount<'a>,
    goals: &'a [Goal],
    directions: &'a [Direction],
    candidates: &'a [Candidate],
    sources: &'a [Source<'a>],
}

impl VenueGoals<'_> {
    /// The receiving account with `units` traded and moved in.
    fn target_after(&self, units: &[f64]) -> PreparedAccount {
        // One net trade per candidate, as the list shown has it: a buy and a sell of one
        // instrument would otherwise close rows held either way, which the venue (one position
        // per instrument) does not see.
        let mut net = vec![0.0; self.candidates.len()];
        for (d, u) in self.directions.iter().zip(units) {
            net[d.candidate] += d.sign * u.max(0.0);
        }
        let mut trades = Vec::new();
        let mut added = Vec::new();
        for (d, u) in self.directions.iter().zip(units) {
            let n = net[d.candidate];
            if *u <= 0.0 || n * d.sign <= 0.0 {
                continue;
            }
            let c = &self.candidates[d.candidate];
            trades.push(trade_leg(c, d.leg.scaled(n.abs())));
            added.push(Collateral {
                amount: d.debit.amount * n.abs(),
                ..d.debit.clone()
            });
        }
        let moved: f64 = self.sources.iter().map(|s| units[s.variable]).sum();
        if moved > 0.0 {
            added.push(usd(moved * UNIT_NOTIONAL));
        }
        self.target.changed(trades, &added)
    }
}

/// A trade as a position of the receiving account, margined with its shared pool.
fn trade_leg(c: &Candidate, leg: Leg) -> AccountLeg {
    AccountLeg {
        position: 0,
        instrument: c.name.clone(),
        kind: c.kind,
        settlement: c.settlement,
        leg,
        mode: Some(crate::input::RowMarginMode::Cross),
        isolated_margin: None,
        leverage: None,
    }
}

fn values_on(
    goals: &[Goal],
    engine: &dyn crate::venue::VenueEngine,
    a: &PreparedAccount,
) -> Vec<f64> {
    let pools: Vec<Box<dyn MarginPool + '_>> = engine.pools(a);
    goals.iter().map(|g| g.value_on(&pools)).collect()
}

impl Goals for VenueGoals<'_> {
    fn values(&self, units: &[f64], _: Option<&str>) -> Vec<f64> {
        let mut out = values_on(self.goals, self.target.engine, &self.target_after(units));
        for s in self.sources {
            let moved = units[s.variable] * UNIT_NOTIONAL;
            let after = s.account.changed(Vec::new(), &[usd(-moved)]);
            out.extend(values_on(&s.goals, s.account.engine, &after));
        }
        out
    }

    fn count(&self) -> usize {
        self.goals.len() + self.sources.iter().map(|s| s.goals.len()).sum::<usize>()
    }

    fn concave(&self) -> bool {
        // Scenario-based portfolio margin: a maximum of scenario losses.
        self.target.account.mode == AccountMode::Portfolio
    }

    /// Deribit's portfolio margin, one pool: the single account's program ([`super::exact`])
    /// with trades netting into the positions held, the moves in as USD, and each source's goals
    /// linear in what it gives. `None` when a traded instrument is held in more than one row
    /// (the venue closes them in turn) or under any other engine.
    fn exact(&self, aim: f64) -> Option<Exact> {
        let account = self.target.account;
        let (AccountMode::Portfolio, Pack::Deribit(model), [pool]) =
            (account.mode, &account.pack, &account.pools[..])
        else {
            return None;
        };
        let rows_of = |c: &Candidate, d: &Direction| {
            pool.legs
                .iter()
                .filter(|h| h.instrument == c.name || same_contract(&h.leg, &d.leg))
                .count()
        };
        if pool.isolated
            || self
                .directions
                .iter()
                .any(|d| rows_of(&self.candidates[d.candidate], d) > 1)
        {
            return None;
        }
        let legs: Vec<Leg> = pool.legs.iter().map(|l| l.leg.clone()).collect();
        let variables = self.directions.len() + self.sources.len();
        let mut exact = Book {
            goals: self.goals,
            legs: &legs,
            collateral: &pool.collateral,
            model,
            variables,
            trades: self
                .directions
                .iter()
                .enumerate()
                .map(|(j, d)| (j, valued_leg(&legs, &d.leg), d.debit.clone()))
                .collect(),
            deposits: self
                .sources
                .iter()
                .map(|s| (s.variable, UNIT_NOTIONAL))
                .collect(),
            netted_perpetuals: true,
        }
        .program(aim)?;
        // A source's goals fall with what it gives (its positions stay): each as the line through
        // its values now and with one unit given, checked on the engine with the answer.
        let columns = variables + exact.extra;
        for s in self.sources {
            let now = values_on(&s.goals, s.account.engine, s.account.account);
            let after = s.account.changed(Vec::new(), &[usd(-UNIT_NOTIONAL)]);
            let given = values_on(&s.goals, s.account.engine, &after);
            for (v0, v1) in now.iter().zip(given) {
                let mut coefficients = vec![0.0; columns];
                coefficients[s.variable] = v1 - v0;
                exact.rows.push(Row::at_least(coefficients, aim - v0));
            }
        }
        Some(exact)
    }
}

/// The USD stablecoins of an account's shared pools.
fn stablecoins(account: &PreparedAccount) -> f64 {
    account
        .pools
        .iter()
        .filter(|p| !p.isolated)
        .flat_map(|p| &p.collateral)
        .filter(|c| c.underlying.is_none() && c.amount > 0.0)
        .map(|c| c.amount * c.price)
        .sum()
}

/// `report.rebalance` with venue accounts.
pub(in crate::analyze) fn venue_rebalance_report(
    req: &RebalanceRequest,
    request: &crate::request::Request,
    market: &Market,
    accounts: &[VenueAccount],
) -> Result<RebalanceReport, RequestError> {
    let t = &req.targets;
    if t.headroom_usd.is_none()
        && t.liquidation_distance.is_none()
        && t.max_mm_usage.is_none()
        && t.delta.is_empty()
        && t.gamma.is_empty()
        && t.vega.is_empty()
        && t.vanna.is_empty()
        && req.hedge.is_none()
    {
        return Err(RequestError::new(
            "rebalance.targets",
            "name at least one target (headroomUsd, liquidationDistance, maxMmUsage or a Greek band) or a hedge",
        ));
    }
    check_targets(t)?;
    let costs = costs(&req.costs)?;
    let max_trades = req.max_trades.unwrap_or(4).max(1);
    let margin = StandardMargin::deribit();
    let mut notes = Vec::new();

    let target_index = match &req.account {
        Some(id) => accounts.iter().position(|a| a.id == id).ok_or_else(|| {
            RequestError::new(
                "rebalance.account",
                format!(
                    "no account '{}'; the accounts are {}",
                    crate::calendar::clip(id),
                    accounts.iter().map(|a| a.id).collect::<Vec<_>>().join(", ")
                ),
            )
        })?,
        None => {
            // The account nearest to liquidation (any underlying, either way), then the one with
            // the highest MM usage.
            let nearness = |s: &AccountSnapshot| {
                let distance = s
                    .underlyings
                    .values()
                    .filter_map(nearest)
                    .fold(f64::INFINITY, f64::min);
                (distance, -s.mm_usage.unwrap_or(f64::INFINITY))
            };
            let i = (0..accounts.len())
                .min_by(|a, b| {
                    let (x, y) = (
                        nearness(&accounts[*a].snapshot),
                        nearness(&accounts[*b].snapshot),
                    );
                    x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1))
                })
                .unwrap_or(0);
            if accounts.len() > 1 {
                notes.push(format!(
                    "rebalance.account not given: {}, the account nearest to liquidation",
                    accounts[i].id
                ));
            }
            i
        }
    };
    let target = &accounts[target_index];
    let venue = target.engine.venue();

    // Candidates as the book's venue names them; those the venue's account refuses are dropped.
    let (wanted, more_notes) = candidate_requests(req, target.book, market);
    notes.extend(more_notes);
    let (candidates, mut directions, mut rejected) =
        read_candidates(&wanted, Some(venue), market, &margin, &costs);
    for (c, cand) in candidates.iter().enumerate() {
        let Some(d) = directions.iter().find(|d| d.candidate == c) else {
            continue;
        };
        if let Some(reason) = target.engine.refuses(&trade_leg(cand, d.leg.clone())) {
            rejected.push(format!("{}: {reason}", cand.name));
            for d in directions.iter_mut().filter(|d| d.candidate == c) {
                d.max_units = 0.0;
            }
        }
    }

    let (held, collateral) = target.flattened();
    let codes: Vec<Option<String>> = held.iter().map(|l| target.code(l)).collect();
    let legs: Vec<Leg> = held.iter().map(|l| l.leg.clone()).collect();
    let goals = goals(t, &legs);
    let mut variables: Vec<Variable> = directions.iter().map(Variable::of).collect();

    // Collateral moves: from every other account with stablecoins in its shared pools, keeping
    // what it meets now.
    let mut sources = Vec::new();
    if req.transfers != Some(false) {
        for (i, a) in accounts.iter().enumerate() {
            let have = stablecoins(a.account);
            if i == target_index || have <= 0.0 {
                continue;
            }
            let (source_legs, _) = a.flattened();
            let source_legs: Vec<Leg> = source_legs.into_iter().map(|l| l.leg).collect();
            let asked = Targets {
                liquidation_distance: t.liquidation_distance,
                max_mm_usage: t.max_mm_usage,
                ..Targets::default()
            };
            let pools = a.engine.pools(a.account);
            let source_goals: Vec<Goal> = std::iter::once(Goal::Available)
                .chain(super::goals(&asked, &source_legs))
                .filter(|g| g.value_on(&pools) >= 0.0)
                .collect();
            if !source_goals.iter().any(|g| matches!(g, Goal::Available)) {
                notes.push(format!(
                    "{}: its margin balance is below its IM, so nothing can be moved out of it",
                    a.id
                ));
                continue;
            }
            sources.push(Source {
                account: a,
                goals: source_goals,
                variable: variables.len(),
            });
            variables.push(Variable {
                candidate: None,
                underlying: None,
                // A millionth of the amount beside the fee: of the moves that do it, the least.
                cost_usd: (costs.transfer_fee + 1e-6) * UNIT_NOTIONAL,
                max_units: have / UNIT_NOTIONAL,
            });
        }
    }
    let bands: Vec<Row> = narrowed(
        band_rows(t, &legs, &codes, &collateral, &directions, &candidates),
        &directions,
        &candidates,
    )
    .into_iter()
    .map(|mut b| {
        b.coefficients.resize(variables.len(), 0.0);
        b
    })
    .collect();

    let problem_goals = VenueGoals {
        target,
        goals: &goals,
        directions: &directions,
        candidates: &candidates,
        sources: &sources,
    };
    let zero = vec![0.0; variables.len()];
    let met_now = problem_goals.values(&zero, None).iter().all(|v| *v >= 0.0)
        && bands.iter().all(|b| b.lower <= 0.0 && b.upper >= 0.0);
    let mut status = "met already";
    let mut method = None;
    let mut units = zero;
    let mut tries = vec![Vec::new()];
    if !met_now {
        let problem = Problem {
            goals: &problem_goals,
            bands: &bands,
            variables: &variables,
            aim: AIM_USD,
        };
        match search_and_round(problem, max_trades, &directions, &candidates, target.rows) {
            Ok(found) => {
                units = found.units;
                tries = found.tries;
                status = "solved";
                method = Some(found.method);
                notes.extend(found.notes);
            }
            Err(message) => {
                status = "not found";
                notes.push(message);
            }
        }
    }

    // Moves to the cent (the programs aim a cent inside every bound).
    let moves: Vec<(usize, f64)> = sources
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let v = &variables[s.variable];
            let amount = ((units[s.variable] * UNIT_NOTIONAL * 100.0).round() / 100.0)
                .min(v.max_units * UNIT_NOTIONAL);
            (status == "solved" && amount > 0.0).then_some((k, amount))
        })
        .collect();
    let checked = first_verified(tries, |trades| {
        let mut extra = fee_collateral(trades, &candidates);
        let moved: f64 = moves.iter().map(|(_, a)| a).sum();
        if moved > 0.0 {
            extra.push(usd(moved));
        }
        let text = what_if_lines(trades, &candidates);
        let w = venue_what_if(&PositionsInput::Text(text), target, &extra, market);
        let (after_held, after_collateral) = crate::analyze::venue_book::flatten(&w.after);
        let after_codes: Vec<Option<String>> = after_held
            .iter()
            .map(|l| {
                if l.position < target.rows.len() {
                    target.code(l)
                } else {
                    candidates
                        .iter()
                        .find(|c| c.name == l.instrument)
                        .and_then(|c| c.code.clone())
                }
            })
            .collect();
        let after_legs: Vec<Leg> = after_held.iter().map(|l| l.leg.clone()).collect();
        let mut reports = target_reports(
            t,
            (&legs, &codes, &collateral),
            (&after_legs, &after_codes, &after_collateral),
            &w.report.before,
            &w.report.after,
        );
        for (k, amount) in &moves {
            reports.extend(source_reports(&sources[*k], *amount, t));
        }
        let clean = w.report.errors.is_empty();
        Ok((w.report, reports, clean))
    })?;
    let (what_if, target_reports) = (checked.what_if, checked.targets);
    let Shown {
        status,
        trades: shown,
        reports: trade_reports,
        binding,
        verified,
    } = shown(
        status,
        checked.trades,
        &target_reports,
        &candidates,
        &mut notes,
    );
    let solved = status == "solved";
    let transfers: Vec<Transfer> = if solved {
        moves
            .iter()
            .map(|(k, amount)| Transfer {
                from: sources[*k].account.id.to_string(),
                to: target.id.to_string(),
                amount_usd: *amount,
            })
            .collect()
    } else {
        Vec::new()
    };
    if !transfers.is_empty() {
        notes.push(
            "collateral moves are USD stablecoins from the other accounts' shared pools; each \
             source keeps its margin balance above its IM and the targets it meets now"
                .into(),
        );
    }
    notes.push(format!(
        "{} ({}): trades are margined with the account's shared pool; a trade on an instrument \
         held there changes that position (an increase averages the entry, a reduction realises \
         its P&L); costs are the pack's, whatever the venue's own fee schedule",
        target.id,
        venue.label()
    ));
    let hedges = match &req.hedge {
        Some(h) => hedges(
            h,
            request,
            market,
            &legs,
            &collateral,
            &candidates,
            &directions,
            &costs,
        )?,
        None => Vec::new(),
    };
    let transfer_cost: f64 = transfers
        .iter()
        .map(|m| m.amount_usd * costs.transfer_fee)
        .sum();
    Ok(RebalanceReport {
        cost_usd: trade_reports.iter().map(|t| t.cost_usd).sum::<f64>() + transfer_cost,
        what_if: what_if_lines(&shown, &candidates),
        trades: trade_reports,
        after: if solved {
            what_if.after
        } else {
            what_if.before.clone()
        },
        before: what_if.before,
        targets: target_reports,
        binding,
        verified,
        status,
        method: method.filter(|_| verified).map(Method::name),
        candidates: candidates.len(),
        cost_pack: cost_pack_name(&req.costs),
        notes,
        rejected,
        hedges,
        account: Some(target.id.to_string()),
        transfers,
    })
}

/// The targets a source keeps, re-valued with `amount` USD moved out of it.
fn source_reports(source: &Source, amount: f64, t: &Targets) -> Vec<TargetReport> {
    let a = source.account;
    let before = &a.snapshot;
    let after = venue_snapshot(a.engine, &a.changed(Vec::new(), &[usd(-amount)]));
    let mut out = vec![TargetReport {
        target: format!("available {}", a.id),
        low: Some(0.0),
        high: None,
        unit: "USD",
        before: Some(before.available_usd),
        after: Some(after.available_usd),
        met: after.available_usd >= -1e-9,
    }];
    let kept = Targets {
        liquidation_distance: t.liquidation_distance,
        max_mm_usage: t.max_mm_usage,
        ..Targets::default()
    };
    let none: (&[Leg], &[Option<String>], &[Collateral]) = (&[], &[], &[]);
    for mut r in target_reports(&kept, none, none, before, &after) {
        // Only what it met before binds it.
        let was_met = r.before.is_none_or(|b| match (r.low, r.high) {
            (Some(lo), _) => b >= lo - 1e-9,
            (_, Some(hi)) => b <= hi + 1e-12,
            _ => true,
        });
        if !was_met {
            continue;
        }
        r.target = format!("{} {}", r.target, a.id);
        out.push(r);
    }
    out
}
