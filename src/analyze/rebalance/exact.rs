//! The exact program under portfolio margin: one linear program whose answer is the cheapest
//! trade list meeting every target, not a sequence of linearisations.
//!
//! A pool's IM is `max(0, maxₖ lossₖ) + Σₑ chargeₑ·|deltaₑ| + perpetuals`
//! ([`crate::margin::portfolio::PoolPieces`]), each loss, delta and the perpetuals' charge
//! adding over positions, so linear in the trade sizes. A variable `w ≥ lossₖ` for every
//! scenario and `t ≥ ±deltaₑ` for every expiry makes the requirement a linear expression that
//! is at least the true one at every feasible point and equal to it at the cheapest (the targets
//! only ask the requirement to be small). The delta shock is held at 0 by keeping the net delta
//! within its threshold; a book beyond it gets no exact program.
//!
//! SPAN (without a spread charge) is the same shape: `max(scan risk, short-option minimum)`, the
//! scan risk a maximum of 16 scenario losses and 0, the minimum a charge on each contract's net
//! short size.

use super::search::AccountGoals;
use super::*;
use crate::analyze::same_contract;
use crate::kernel::Pool;
use crate::margin::portfolio::PoolPieces;
use crate::margin::span::{underlying_margin, SpanMargin, SpanParams};
use crate::valuation::OptionLeg;

/// Whether two option legs are one contract of the kernel (it nets legs whose every parameter
/// but the size is the same).
fn same_key(a: &OptionLeg, b: &OptionLeg) -> bool {
    let bits = |o: &OptionLeg| {
        [
            o.strike.to_bits(),
            o.years.to_bits(),
            o.vol.to_bits(),
            o.forward_ratio.to_bits(),
            o.rate.to_bits(),
        ]
    };
    a.kind == b.kind && a.inverse == b.inverse && bits(a) == bits(b)
}

/// A linear program equivalent to the goals: `extra` auxiliary variables after the search's
/// (each `≥ 0`, free above, costless), and rows over both.
pub(super) struct Exact {
    pub(super) extra: usize,
    pub(super) rows: Vec<Row>,
}

/// A linear expression over the program's columns, sparse, with a constant.
#[derive(Clone, Default)]
struct Linear {
    terms: Vec<(usize, f64)>,
    constant: f64,
}

impl Linear {
    fn add(&mut self, other: &Linear, k: f64) {
        self.terms
            .extend(other.terms.iter().map(|(j, a)| (*j, a * k)));
        self.constant += other.constant * k;
    }

    /// `self ≥ lower` as a dense row over `columns`.
    fn at_least(&self, columns: usize, lower: f64) -> Row {
        let mut coefficients = vec![0.0; columns];
        for (j, a) in &self.terms {
            coefficients[*j] += a;
        }
        Row::at_least(coefficients, lower - self.constant)
    }
}

/// One underlying's requirement at one factor, as linear expressions (USD): IM and MM.
struct Requirement {
    initial: Linear,
    maintenance: Linear,
}

/// Perpetual trades of one pool that net into the position held (a venue keeps one position per
/// instrument): its delta, and each trade's per unit (coins, signed).
struct Netted {
    held: f64,
    trades: Vec<(usize, f64)>,
}

/// The program's columns and rows as they are built.
struct Builder {
    n: usize,
    extra: usize,
    /// Rows as sparse expressions `≥ lower` (and `≤ upper`).
    rows: Vec<(Linear, f64, f64)>,
}

impl Builder {
    fn column(&mut self) -> usize {
        self.extra += 1;
        self.n + self.extra - 1
    }

    /// One pool's IM (pool currency) as a linear expression, its rows added; `None` when the
    /// delta shock applies to the account.
    fn pool(
        &mut self,
        account: &PoolPieces,
        trades: &[(usize, &PoolPieces)],
        netted: Option<&Netted>,
    ) -> Option<Linear> {
        let empty = |p: &PoolPieces| {
            p.losses.iter().all(|l| *l == 0.0)
                && p.expiries.iter().all(|e| e.2 == 0.0)
                && p.perpetual == 0.0
        };
        if empty(account) && trades.iter().all(|(_, p)| empty(p)) {
            return Some(Linear::default());
        }
        if account.net_delta.abs() > account.delta_limit {
            return None;
        }
        let mut initial = Linear::default();
        // The worst case: w ≥ each scenario's loss (its dampener a constant), w ≥ 0.
        let w = self.column();
        initial.terms.push((w, 1.0));
        for (k, (loss, constant)) in account.losses.iter().zip(&account.constants).enumerate() {
            let mut row = Linear {
                terms: vec![(w, 1.0)],
                constant: 0.0,
            };
            row.terms
                .extend(trades.iter().map(|(j, p)| (*j, -p.losses[k])));
            self.rows.push((row, loss + constant, f64::INFINITY));
        }
        // The roll shock: t ≥ ±(the expiry's delta), charged per coin.
        let mut years: Vec<(f64, f64)> = Vec::new();
        for p in std::iter::once(account).chain(trades.iter().map(|(_, p)| *p)) {
            for (y, charge, _) in &p.expiries {
                if !years.iter().any(|(x, _)| x.to_bits() == y.to_bits()) {
                    years.push((*y, *charge));
                }
            }
        }
        let delta_at = |p: &PoolPieces, y: f64| {
            p.expiries
                .iter()
                .find(|(x, _, _)| x.to_bits() == y.to_bits())
                .map_or(0.0, |e| e.2)
        };
        for (y, charge) in years {
            let t = self.column();
            initial.terms.push((t, charge));
            let held = delta_at(account, y);
            for sign in [1.0, -1.0] {
                let mut row = Linear {
                    terms: vec![(t, 1.0)],
                    constant: 0.0,
                };
                row.terms
                    .extend(trades.iter().map(|(j, p)| (*j, -sign * delta_at(p, y))));
                self.rows.push((row, sign * held, f64::INFINITY));
            }
        }
        // Perpetuals: a trade standing as a position of its own adds its charge; one netted
        // into the position held is charged on the net size, |held + Σ traded| ≤ v.
        initial.constant += account.perpetual;
        let own = |j: &usize| netted.is_none_or(|n| n.trades.iter().all(|(k, _)| k != j));
        initial.terms.extend(
            trades
                .iter()
                .filter(|(j, _)| own(j))
                .map(|(j, p)| (*j, p.perpetual)),
        );
        if let Some(n) = netted.filter(|n| !n.trades.is_empty()) {
            initial.constant -= account.perpetual_rate * n.held.abs();
            let v = self.column();
            initial.terms.push((v, account.perpetual_rate));
            for sign in [1.0, -1.0] {
                let mut row = Linear {
                    terms: vec![(v, 1.0)],
                    constant: 0.0,
                };
                row.terms
                    .extend(n.trades.iter().map(|(j, delta)| (*j, -sign * delta)));
                self.rows.push((row, sign * n.held, f64::INFINITY));
            }
        }
        // No delta shock: the net delta stays within its threshold.
        let net = Linear {
            terms: trades.iter().map(|(j, p)| (*j, p.net_delta)).collect(),
            constant: account.net_delta,
        };
        self.rows
            .push((net, -account.delta_limit, account.delta_limit));
        Some(initial)
    }
}

/// The trade's leg as the goals value it: a trade on a contract held nets into that position
/// (and takes its parameters), so it is valued as that position scaled to the trade's size.
pub(super) fn valued_leg(held: &[Leg], trade: &Leg) -> Leg {
    let coins = |l: &Leg| l.option().map_or(0.0, |o| o.coins);
    match held
        .iter()
        .find(|h| same_contract(h, trade) && coins(h) != 0.0)
    {
        Some(h) => h.scaled(coins(trade) / coins(h)),
        None => trade.clone(),
    }
}

/// What an exact program is built from: an account under a scenario model, its goals, and what
/// one unit of each variable adds to it.
pub(super) struct Book<'a> {
    pub(super) goals: &'a [Goal],
    pub(super) legs: &'a [Leg],
    pub(super) collateral: &'a [Collateral],
    pub(super) model: &'a MarginModel,
    /// How many variables there are (the program's columns before its own).
    pub(super) variables: usize,
    /// Per trade: its variable, one unit's leg (as [`valued_leg`] values it), and what one unit
    /// takes from the collateral.
    pub(super) trades: Vec<(usize, Leg, Collateral)>,
    /// Per collateral move in: its variable and the USD one unit brings.
    pub(super) deposits: Vec<(usize, f64)>,
    /// Whether a perpetual traded nets into the one held, as a venue keeps one position per
    /// instrument, rather than standing as a position of its own.
    pub(super) netted_perpetuals: bool,
}

impl AccountGoals<'_> {
    /// The goals as one linear program under a scenario model, aiming `aim` USD inside every
    /// bound; `None` under standard margin or where the model is not convex piecewise-linear.
    pub(super) fn exact_program(&self, aim: f64) -> Option<Exact> {
        Book {
            goals: self.goals,
            legs: self.legs,
            collateral: self.collateral,
            model: self.model,
            variables: self.directions.len(),
            trades: self
                .directions
                .iter()
                .enumerate()
                .map(|(j, d)| (j, valued_leg(self.legs, &d.leg), d.debit.clone()))
                .collect(),
            deposits: Vec::new(),
            netted_perpetuals: false,
        }
        .program(aim)
    }
}

impl Book<'_> {
    /// The goals as one linear program, aiming `aim` USD inside every bound; `None` under
    /// standard margin or where the model is not convex piecewise-linear.
    pub(super) fn program(&self, aim: f64) -> Option<Exact> {
        let model = self.model;
        if matches!(model, MarginModel::Standard(_)) {
            return None;
        }
        let n = self.variables;
        let trades: Vec<(usize, &Leg)> = self.trades.iter().map(|(j, l, _)| (*j, l)).collect();
        let mut underlyings: Vec<&str> = self
            .legs
            .iter()
            .chain(trades.iter().map(|(_, l)| *l))
            .map(|l| l.underlying.as_str())
            .collect();
        underlyings.sort_unstable();
        underlyings.dedup();
        let account = Account::new(self.legs, self.collateral, model);
        let alone: Vec<(usize, Account)> = self
            .trades
            .iter()
            .map(|(j, leg, debit)| (*j, Account::new([leg], std::slice::from_ref(debit), model)))
            .collect();
        let mut builder = Builder {
            n,
            extra: 0,
            rows: Vec::new(),
        };
        // Each underlying's requirement at each factor a goal asks, built once.
        let mut built: Vec<(&str, u64, Requirement)> = Vec::new();
        let mut goal_rows: Vec<(Linear, f64)> = Vec::new();
        for goal in self.goals {
            let factor_of = |u: &str| match goal {
                Goal::Solvent { underlying, factor } if underlying == u => *factor,
                _ => 1.0,
            };
            let mut requirement = Requirement {
                initial: Linear::default(),
                maintenance: Linear::default(),
            };
            for u in &underlyings {
                let f = factor_of(u);
                let found = built
                    .iter()
                    .position(|(x, bits, _)| x == u && *bits == f.to_bits());
                let i = match found {
                    Some(i) => i,
                    None => {
                        let r = self.requirement(&mut builder, u, f, &trades)?;
                        built.push((u, f.to_bits(), r));
                        built.len() - 1
                    }
                };
                requirement.initial.add(&built[i].2.initial, 1.0);
                requirement.maintenance.add(&built[i].2.maintenance, 1.0);
            }
            // The margin balance is linear in the sizes (equity under portfolio margin).
            let balance = Linear {
                terms: alone
                    .iter()
                    .map(|(j, a)| (*j, a.equity_with(factor_of)))
                    .chain(self.deposits.iter().copied())
                    .collect(),
                constant: account.equity_with(factor_of),
            };
            let mut value = Linear::default();
            let lower = match goal {
                Goal::Headroom(h) => {
                    value.add(&balance, 1.0);
                    value.add(&requirement.maintenance, -1.0);
                    *h
                }
                Goal::MmUsage(u) => {
                    value.add(&balance, *u);
                    value.add(&requirement.maintenance, -1.0);
                    0.0
                }
                Goal::Solvent { .. } => {
                    value.add(&balance, 1.0);
                    value.add(&requirement.maintenance, -1.0);
                    0.0
                }
                Goal::Available => {
                    value.add(&balance, 1.0);
                    value.add(&requirement.initial, -1.0);
                    0.0
                }
            };
            goal_rows.push((value, lower + aim));
        }
        let columns = n + builder.extra;
        let mut rows: Vec<Row> = goal_rows
            .iter()
            .map(|(value, lower)| value.at_least(columns, *lower))
            .collect();
        for (expression, lower, upper) in &builder.rows {
            let mut row = expression.at_least(columns, *lower);
            row.upper = upper - expression.constant;
            rows.push(row);
        }
        Some(Exact {
            extra: builder.extra,
            rows,
        })
    }

    /// Underlying `u`'s IM and MM at `factor` (USD) as linear expressions, their rows added to
    /// `builder`; `None` where the model's requirement is not convex piecewise-linear (the
    /// delta shock applies; a SPAN spread charge).
    fn requirement(
        &self,
        builder: &mut Builder,
        u: &str,
        factor: f64,
        trades: &[(usize, &Leg)],
    ) -> Option<Requirement> {
        match self.model {
            MarginModel::DeribitPm(_) => self.pool_requirement(builder, u, factor, trades),
            MarginModel::Span(p) => self.span_requirement(builder, u, factor, trades, p),
            MarginModel::Standard(_) => None,
        }
    }

    /// SPAN: `max(scan risk, short-option minimum)`, the scan risk a maximum of scenario losses
    /// and 0, the minimum a charge per coin of each contract's net short size (its own variable
    /// `s ≥ −coins`, `s ≥ 0` per contract traded). With a spread charge (the smaller of the long
    /// and short futures, not convex) there is no exact program.
    fn span_requirement(
        &self,
        builder: &mut Builder,
        u: &str,
        factor: f64,
        trades: &[(usize, &Leg)],
        p: &SpanParams,
    ) -> Option<Requirement> {
        if p.spread_charge > 0.0 {
            return None;
        }
        let model = self.model;
        let held: Vec<&Leg> = self.legs.iter().filter(|l| l.underlying == u).collect();
        let traded: Vec<(usize, &Leg)> = trades
            .iter()
            .copied()
            .filter(|(_, l)| l.underlying == u)
            .collect();
        let index = held
            .iter()
            .chain(traded.iter().map(|(_, l)| l))
            .next()?
            .index
            * factor;
        let margin_of = |legs: &[&Leg]| underlying_margin(&model.kernel(u, legs), factor, p);
        let account = margin_of(&held);
        let alone: Vec<SpanMargin> = traded.iter().map(|(_, l)| margin_of(&[l])).collect();
        // The scan risk: w ≥ each scenario's loss, w ≥ 0.
        let w = builder.column();
        for (k, scenario) in account.scenarios.iter().enumerate() {
            let mut row = Linear {
                terms: vec![(w, 1.0)],
                constant: 0.0,
            };
            row.terms.extend(
                traded
                    .iter()
                    .zip(&alone)
                    .map(|((j, _), m)| (*j, m.scenarios[k].pnl)),
            );
            builder.rows.push((row, -scenario.pnl, f64::INFINITY));
        }
        // The short-option minimum: the account's, with each contract traded charged on its net
        // short size instead.
        let per_coin = p.short_option_minimum * index;
        let mut minimum = Linear {
            terms: Vec::new(),
            constant: account.short_option_minimum,
        };
        let mut contracts: Vec<(OptionLeg, Vec<(usize, f64)>)> = Vec::new();
        for (j, leg) in &traded {
            let Some(o) = leg.option() else { continue };
            match contracts.iter_mut().find(|(c, _)| same_key(c, o)) {
                Some((_, sizes)) => sizes.push((*j, o.coins)),
                None => contracts.push((*o, vec![(*j, o.coins)])),
            }
        }
        for (contract, sizes) in contracts {
            let coins: f64 = held
                .iter()
                .filter_map(|l| l.option())
                .filter(|o| same_key(o, &contract))
                .map(|o| o.coins)
                .sum();
            minimum.constant -= per_coin * (-coins).max(0.0);
            let s = builder.column();
            minimum.terms.push((s, per_coin));
            let mut row = Linear {
                terms: vec![(s, 1.0)],
                constant: 0.0,
            };
            row.terms.extend(sizes.iter().map(|(j, c)| (*j, *c)));
            builder.rows.push((row, -coins, f64::INFINITY));
        }
        // The requirement r ≥ the scan risk, r ≥ the minimum.
        let r = builder.column();
        builder.rows.push((
            Linear {
                terms: vec![(r, 1.0), (w, -1.0)],
                constant: 0.0,
            },
            0.0,
            f64::INFINITY,
        ));
        let mut above = Linear {
            terms: vec![(r, 1.0)],
            constant: 0.0,
        };
        above.add(&minimum, -1.0);
        builder.rows.push((above, 0.0, f64::INFINITY));
        let maintenance = Linear {
            terms: vec![(r, 1.0)],
            constant: 0.0,
        };
        let mut initial = Linear::default();
        initial.add(&maintenance, p.initial_factor);
        Some(Requirement {
            initial,
            maintenance,
        })
    }

    /// Portfolio margin: each pool's [`PoolPieces`] (see the module's description).
    fn pool_requirement(
        &self,
        builder: &mut Builder,
        u: &str,
        factor: f64,
        trades: &[(usize, &Leg)],
    ) -> Option<Requirement> {
        let model = self.model;
        let held: Vec<&Leg> = self.legs.iter().filter(|l| l.underlying == u).collect();
        let pieces_of = |legs: &[&Leg]| model.pool_pieces(u, &model.kernel(u, legs), factor);
        let traded: Vec<(usize, &Leg, [PoolPieces; 2])> = trades
            .iter()
            .filter(|(_, l)| l.underlying == u)
            .map(|(j, l)| Some((*j, *l, pieces_of(&[l])?)))
            .collect::<Option<_>>()?;
        // An underlying the account does not hold: its pools' constants and scalars come from a
        // trade's kernel (they depend on the index alone).
        let account = match (held.is_empty(), traded.first()) {
            (true, Some((_, _, frame))) => frame.clone().map(|p| PoolPieces {
                losses: vec![0.0; p.losses.len()],
                expiries: Vec::new(),
                perpetual: 0.0,
                net_delta: 0.0,
                ..p
            }),
            _ => pieces_of(&held)?,
        };
        let mut requirement = Requirement {
            initial: Linear::default(),
            maintenance: Linear::default(),
        };
        for (p, pool) in Pool::BOTH.into_iter().enumerate() {
            let pieces = &account[p];
            let of_pool: Vec<(usize, &PoolPieces)> =
                traded.iter().map(|(j, _, t)| (*j, &t[p])).collect();
            let netted = match self.netted_perpetuals {
                true => Some(self.netted(&held, &traded, pool, p, &pieces_of)?),
                false => None,
            };
            let initial = builder.pool(pieces, &of_pool, netted.as_ref())?;
            requirement.initial.add(&initial, pieces.usd);
            requirement
                .maintenance
                .add(&initial, pieces.usd * pieces.mm_factor);
        }
        Some(requirement)
    }

    /// The perpetual trades of pool `p` netting into the perpetual held there; `None` when more
    /// than one row holds it (the rows would be closed in turn, not netted as one).
    fn netted(
        &self,
        held: &[&Leg],
        traded: &[(usize, &Leg, [PoolPieces; 2])],
        pool: Pool,
        p: usize,
        pieces_of: &dyn Fn(&[&Leg]) -> Option<[PoolPieces; 2]>,
    ) -> Option<Netted> {
        let perpetual = |l: &Leg| perpetual_pool(l) == Some(pool);
        let rows: Vec<&Leg> = held.iter().copied().filter(|l| perpetual(l)).collect();
        let held = match rows[..] {
            [] => 0.0,
            [row] => pieces_of(&[row])?[p].net_delta,
            _ => return None,
        };
        Some(Netted {
            held,
            trades: traded
                .iter()
                .filter(|(_, l, _)| perpetual(l))
                .map(|(j, _, t)| (*j, t[p].net_delta))
                .collect(),
        })
    }
}

/// The pool of a perpetual (`None` for any other leg).
fn perpetual_pool(leg: &Leg) -> Option<Pool> {
    match leg.model {
        _ if leg.future_years.is_some() => None,
        crate::valuation::Model::InverseFuture { .. } => Some(Pool::Inverse),
        crate::valuation::Model::LinearFuture { .. } => Some(Pool::Linear),
        _ => None,
    }
}
