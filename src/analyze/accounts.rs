//! `analyze` with `accounts`: each venue account margined by its venue's engine, in named steps —
//! read each account's book, value it, hand its positions to the engine's pools, report each
//! account and the portfolio. Nothing here knows a venue: the engines do.

use super::venue_book::{account_legs, report_snapshot, venue_what_if, VenueAccount};
use super::*;
use crate::account::Liquidation;
use crate::instrument::Venue;
use crate::margin::standard::Requirement;
use crate::report::{
    FirstToLiquidate, LiquidationEvent, PackReport, PoolReport, VenueAccountReport,
};
use crate::request::AccountInput;
use crate::venue::{
    self, pool_underlyings, sum_states, AccountLeg, MarginPool, PackInfo, PreparedAccount,
    VenueEngine,
};

/// One account's inputs, read and checked.
struct AccountBook<'r> {
    id: String,
    engine: &'static dyn VenueEngine,
    mode: venue::AccountMode,
    pack: std::cell::Cell<Option<(venue::Pack, PackInfo)>>,
    book: crate::input::Book,
    collateral: Vec<Collateral>,
    input: &'r AccountInput,
    input_index: usize,
}

pub(super) fn analyze_accounts(
    request: &Request,
    inputs: &[AccountInput],
    each_position: &mut dyn for<'p> FnMut(PositionReport<'p>),
) -> Result<Report, RequestError> {
    if !matches!(&request.positions, crate::input::PositionsInput::Text(t) if t.trim().is_empty()) {
        return Err(RequestError::new(
            "positions",
            "with accounts, each venue's positions go in its account (accounts[].positions)",
        ));
    }
    let vol_shock = checked_vol_shock(request)?;
    let mut market = request.market.validate()?;
    let mut books = read_accounts(inputs, &market)?;
    let rows: Vec<&crate::input::PositionRow> = books.iter().flat_map(|b| &b.book.rows).collect();
    let mut seed_notes =
        super::seed_market(&mut market, &rows, super::read_snapshot(request)?.as_ref());
    for b in &mut books {
        let (collateral, notes) = super::balance::account_collateral(
            &b.input.collateral,
            b.input.balance.as_ref(),
            &b.id_field(),
            &market,
            &b.book,
            b.mode == venue::AccountMode::Isolated,
        )?;
        b.collateral = collateral;
        seed_notes.extend(notes);
    }

    // Value every account's rows; positions the venue refuses become errors.
    let mut errors = Vec::new();
    let mut prepared = Vec::new();
    let mut rows_of: Vec<Vec<&crate::input::PositionRow>> = Vec::new();
    for b in &books {
        let (rows, legs, mut account_errors) = value_rows(&b.book, &market);
        let (kept_rows, account_legs) = account_legs(rows, legs, b.engine, &mut account_errors);
        by_line(&mut account_errors);
        errors.extend(account_errors.into_iter().map(|e| ErrorReport {
            account: Some(b.id.clone()),
            ..e
        }));
        let Some((pack, info)) = b.pack.take() else {
            continue;
        };
        b.engine
            .check(b.mode, &account_legs, &b.collateral)
            .map_err(|m| RequestError::new(b.id_field(), m))?;
        let mut approximations = Vec::new();
        let pools = venue::partition(
            b.engine,
            b.mode,
            &pack,
            account_legs,
            &b.collateral,
            &mut approximations,
        );
        if let venue::Pack::Tiered(p) = &pack {
            let mut seen = Vec::new();
            for l in pools.iter().flat_map(|p| &p.legs) {
                let u = &l.leg.underlying;
                if seen.contains(u) {
                    continue;
                }
                seen.push(u.clone());
                if let Some(note) = p.approximation(u) {
                    if !matches!(
                        l.kind,
                        crate::instrument::Kind::Option { .. } | crate::instrument::Kind::Spot
                    ) {
                        approximations.push(note);
                    }
                }
            }
            let options = pools.iter().flat_map(|p| &p.legs).any(|l| {
                matches!(l.kind, crate::instrument::Kind::Option { .. }) && l.leg.quantity < 0.0
            });
            if options && p.options == venue::packs::OptionRule::DeribitApproximation {
                approximations.push(format!(
                    "short options: {}'s option margin formula is not published in a source \
                     Headroom holds; approximated by Deribit's standard option margin (15 %/10 % \
                     IM, 7.5 % MM of the index, plus the mark)",
                    b.engine.venue().label()
                ));
            }
        }
        rows_of.push(kept_rows);
        prepared.push((
            PreparedAccount {
                mode: b.mode,
                pools,
                pack,
                approximations,
            },
            info,
        ));
    }
    // In the accounts' order, each account's in line order.

    let all_rows: Vec<crate::input::PositionRow> = books
        .iter()
        .flat_map(|b| b.book.rows.iter().cloned())
        .collect();
    let all_collateral: Vec<Collateral> = books
        .iter()
        .flat_map(|b| b.collateral.iter().cloned())
        .collect();
    let mut totals = UnderlyingTotals::new(&all_rows, &all_collateral, &market);
    let margin = StandardMargin::deribit();

    let mut reports = Vec::new();
    // Every pool's liquidation with all indices moving together (isolated ones included), for the
    // first to liquidate: (account, pool, liquidation).
    let mut events: Vec<(usize, String, LiquidationReport)> = Vec::new();
    let mut all_pools: Vec<Box<dyn MarginPool + '_>> = Vec::new();
    let mut per_underlying_margin: Vec<(String, Requirement)> = Vec::new();
    for ((account, info), (b, rows)) in prepared.iter().zip(books.iter().zip(&rows_of)) {
        let pools = b.engine.pools(account);
        let pool_reports: Vec<PoolReport> = pools
            .iter()
            .map(|p| pool_report(p.as_ref(), &market, vol_shock))
            .collect();
        // Each position's report, with its pool's margin and liquidation price.
        for (pool, report) in pools.iter().zip(&pool_reports) {
            for (k, l) in pool.spec().legs.iter().enumerate() {
                let row = rows[l.position];
                let mut p = position_report(row, &l.leg, &margin, false);
                if let Some(r) = pool.position_margin(k) {
                    p.initial_margin_usd = Some(r.initial);
                    p.maintenance_margin_usd = Some(r.maintenance);
                    match per_underlying_margin
                        .iter_mut()
                        .find(|(u, _)| *u == l.leg.underlying)
                    {
                        Some((_, m)) => m.add(r),
                        None => per_underlying_margin.push((l.leg.underlying.clone(), r)),
                    }
                }
                p.account = Some(Cow::Borrowed(&b.id));
                p.margin_pool = Some(Cow::Borrowed(&pool.spec().name));
                p.liquidation_price = report
                    .liquidation
                    .get(&l.leg.underlying)
                    .and_then(nearest_price);
                p.pool_equity_usd = Some(report.equity_usd);
                p.pool_maintenance_margin_usd = Some(report.maintenance_margin_usd);
                p.pool_mm_usage = report.mm_usage;
                if let Some(v) = &mut p.venue_reported {
                    v.liquidation_price_difference = v
                        .liquidation_price
                        .zip(p.liquidation_price)
                        .map(|(venue, ours)| ours / venue - 1.0);
                }
                totals.add(&p);
                each_position(p);
            }
        }
        events.extend(
            pool_reports
                .iter()
                .map(|r| (reports.len(), r.name.clone(), r.liquidation_all)),
        );
        reports.push(account_report_of(b, account, info, &pools, pool_reports));
        all_pools.extend(pools);
    }
    let mut underlyings = totals.finish();
    for (u, r) in per_underlying_margin {
        if let Some(report) = underlyings.get_mut(&u) {
            report.initial_margin_usd = r.initial;
            report.maintenance_margin_usd = r.maintenance;
        }
    }

    let mut portfolio = portfolio_report(&reports, &events, vol_shock);
    let engines: Vec<(&'static dyn VenueEngine, &PreparedAccount, &str)> = prepared
        .iter()
        .zip(&books)
        .map(|((account, _), b)| (b.engine, account, b.id.as_str()))
        .collect();
    let known = |account: usize, pool: usize| {
        let name = &prepared.get(account)?.0.pools.get(pool)?.name;
        let p = reports
            .get(account)?
            .pools
            .iter()
            .find(|p| p.name == *name)?;
        p.liquidation
            .values()
            .chain([&p.liquidation_all])
            .flat_map(|l| [l.down, l.up])
            .flatten()
            .map(f64::abs)
            .reduce(f64::min)
    };
    portfolio.collateral_transfer = super::transfer::suggest(&engines, &known);
    let base_equity = portfolio.equity_usd;
    let names: Vec<String> = underlyings.keys().cloned().collect();
    let stress = stress_of(request, &all_pools, &names, base_equity)?;

    // Curves and matrices: P&L from every leg together (margin does not change P&L), margin
    // columns from the accounts' pools.
    let legs: Vec<Leg> = all_pools
        .iter()
        .flat_map(|p| p.spec().legs.iter().map(|l| l.leg.clone()))
        .collect();
    let model = MarginModel::Standard(margin.clone());
    let combined = Account::new(&legs, &all_collateral, &model);
    let mut scenarios =
        scenario_reports(request, &combined, combined.state().equity, &legs, &market)?;
    for curve in &mut scenarios.curves {
        let u = curve.underlying.clone();
        let states: Vec<AccountState> = curve
            .moves
            .iter()
            .map(|m| sum_states(&all_pools, &|v| if v == u { 1.0 + m } else { 1.0 }))
            .collect();
        curve.equity_usd = states.iter().map(|s| s.equity).collect();
        curve.maintenance_margin_usd = states.iter().map(|s| s.maintenance).collect();
        curve.mm_usage = states.iter().map(|s| s.mm_usage()).collect();
    }

    // VaR and ES of every account's legs together (margin does not change P&L); each venue
    // account's liquidation at the horizon on its own rules, on the same paths.
    let mut section_warnings = Vec::new();
    let run = super::section(
        request.risk.as_ref().map(|r| {
            crate::risk::risk_run(r, &combined, &underlyings, |u| {
                market.underlying(u).and_then(|m| m.vol)
            })
        }),
        &mut section_warnings,
    );
    let risk = match run {
        None => None,
        Some(run) => {
            let mut report = run.report;
            report.backtest = None;
            if report.method == "full" {
                let days = report.horizon_days;
                let aged: Vec<PreparedAccount> = prepared
                    .iter()
                    .map(|(a, _)| PreparedAccount {
                        mode: a.mode,
                        pools: a
                            .pools
                            .iter()
                            .map(|p| venue::PoolSpec {
                                name: p.name.clone(),
                                isolated: p.isolated,
                                legs: p
                                    .legs
                                    .iter()
                                    .map(|l| AccountLeg {
                                        leg: l.leg.aged(days),
                                        ..l.clone()
                                    })
                                    .collect(),
                                collateral: p.collateral.clone(),
                            })
                            .collect(),
                        pack: a.pack.clone(),
                        approximations: Vec::new(),
                    })
                    .collect();
                let accounts: Vec<crate::risk::pools::AccountPools> = aged
                    .iter()
                    .zip(&books)
                    .map(|(a, b)| crate::risk::pools::AccountPools {
                        account: b.id.clone(),
                        venue: b.engine.venue().name(),
                        pools: b.engine.pools(a),
                    })
                    .collect();
                let (per_account, any, se) =
                    crate::risk::pools::liquidation(&accounts, &run.paths, &run.names);
                report.per_account = per_account;
                report.liquidation_probability = Some(any);
                report.liquidation_standard_error = Some(se);
                report.model.push_str(
                    " With venue accounts, VaR and ES are the accounts' positions together; each \
                     account is liquidatable when one of its pools is, on its venue's rules at \
                     the horizon (pools tabulated per underlying, the paths near the edge \
                     revalued exactly); liquidationProbability is that of any account.",
                );
            }
            Some(report)
        }
    };

    // The what-if and the rebalance: one account changed by trades (and collateral moves).
    // "Before" is each account's report as computed above.
    let venue_accounts: Vec<VenueAccount> = prepared
        .iter()
        .zip(books.iter().zip(&rows_of).zip(&reports))
        .map(|((account, _), ((b, rows), report))| VenueAccount {
            id: &b.id,
            engine: b.engine,
            account,
            rows,
            book: &b.book,
            snapshot: report_snapshot(report),
        })
        .collect();
    let mut warnings = seed_notes;
    // An account that is not there is the section's warning; the report stands.
    let what_if = super::section(
        request.what_if.as_ref().map(|input| {
            let id = request.what_if_account.as_deref();
            let target = match id {
                None => venue_accounts.first(),
                Some(id) => venue_accounts.iter().find(|a| a.id == id),
            }
            .ok_or_else(|| {
                RequestError::new(
                    "whatIfAccount",
                    format!(
                        "no account '{}'; the accounts are {}",
                        crate::calendar::clip(id.unwrap_or("")),
                        venue_accounts
                            .iter()
                            .map(|a| a.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            Ok(venue_what_if(input, target, &[], &market).report)
        }),
        &mut warnings,
    );
    let rebalance = super::section(
        request.rebalance.as_ref().map(|r| {
            super::rebalance::venue_rebalance_report(r, request, &market, &venue_accounts)
        }),
        &mut warnings,
    );
    warnings.extend(section_warnings);
    if request.attribution.is_some() || request.sizing.is_some() {
        warnings.push(
            "attribution and sizing: not computed with venue accounts yet — send the book without \
             accounts"
                .into(),
        );
    }
    warnings.extend(surface_warnings(&market));
    for b in &books {
        warnings.extend(skipped_notes(&b.book, Some(&b.id)));
    }
    warnings.extend(
        request
            .unknown_fields
            .iter()
            .map(|f| format!("{f}: unknown field, ignored")),
    );
    for r in &reports {
        for a in &r.approximations {
            warnings.push(format!("{} ({}): {a}", r.id, r.venue));
        }
    }
    Ok(Report {
        valuation_time: format_instant(market.valuation),
        margin: MarginReport {
            model: "venue accounts".into(),
            pack: reports
                .iter()
                .map(|r| format!("{}: {}", r.id, r.pack.name))
                .collect::<Vec<_>>()
                .join("; "),
            margin_balance_rule: "per account, as its venue's rule: see accounts[].pack.rules"
                .into(),
            vol_shock_up: vol_shock,
        },
        positions: Vec::new(),
        underlyings,
        account: portfolio,
        accounts: reports,
        errors,
        stress,
        scenarios,
        what_if,
        risk,
        attribution: None,
        sizing: None,
        rebalance,
        warnings,
        input: InputReport {
            format: books.first().map_or("text", |b| b.book.format),
            columns: Vec::new(),
            rows_read: books.iter().map(|b| b.book.rows.len()).sum(),
        },
        units: UNITS.iter().copied().collect(),
    })
}

impl AccountBook<'_> {
    fn id_field(&self) -> String {
        format!("accounts[{}]", self.input_index)
    }
}

/// Each account's venue, mode, pack and book, checked; the first bad field is the error.
fn read_accounts<'r>(
    inputs: &'r [AccountInput],
    _market: &Market,
) -> Result<Vec<AccountBook<'r>>, RequestError> {
    let mut out: Vec<AccountBook> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = format!("accounts[{i}]");
        let venue = Venue::parse(&input.venue).ok_or_else(|| {
            RequestError::new(
                format!("{at}.venue"),
                format!(
                    "'{}' is not one of deribit, binance, okx, bybit, hyperliquid, dydx, derive",
                    crate::calendar::clip(input.venue.trim())
                ),
            )
        })?;
        let engine = venue::engine(venue);
        let mode = venue::mode(engine, input.margin_mode.as_deref())
            .map_err(|m| RequestError::new(format!("{at}.marginMode"), m))?;
        let pack = engine
            .pack(mode, &input.params)
            .map_err(|m| RequestError::new(format!("{at}.params"), m))?;
        let id = match input.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => format!("{}-{}", venue.name(), i + 1),
        };
        if out.iter().any(|b| b.id == id) {
            return Err(RequestError::new(
                format!("{at}.id"),
                format!(
                    "the id '{}' is used by another account",
                    crate::calendar::clip(&id)
                ),
            ));
        }
        out.push(AccountBook {
            id,
            engine,
            mode,
            pack: std::cell::Cell::new(Some(pack)),
            book: read_book(&input.positions, Some(venue)),
            collateral: Vec::new(),
            input,
            input_index: i,
        });
    }
    Ok(out)
}

/// The nearer of a liquidation's two prices.
fn nearest_price(l: &LiquidationReport) -> Option<f64> {
    match (l.down, l.up) {
        (Some(d), Some(u)) if -d <= u => l.down_price,
        (Some(_), Some(_)) => l.up_price,
        (Some(_), None) => l.down_price,
        (None, Some(_)) => l.up_price,
        (None, None) => None,
    }
}

fn pool_report(pool: &dyn MarginPool, market: &Market, vol_shock: f64) -> PoolReport {
    let state = pool.state_with(&|_| 1.0);
    let shocked = |u: Option<&str>| {
        let at = |m: f64| {
            pool.stressed(
                &|v| {
                    if u.is_none_or(|u| u == v) {
                        1.0 + m
                    } else {
                        1.0
                    }
                },
                &|_, _, vol| vol + vol_shock,
            )
        };
        venue::scan(&at)
    };
    let underlyings = pool_underlyings(pool);
    let has_options = |u: Option<&str>| {
        pool.spec()
            .legs
            .iter()
            .any(|l| l.leg.option().is_some() && u.is_none_or(|u| u == l.leg.underlying))
    };
    let mut moves: Vec<Liquidation> = Vec::new();
    let liquidation = underlyings
        .iter()
        .map(|u| {
            let plain = pool.liquidation(u);
            moves.push(plain);
            // Without options a vol shock changes nothing: the same search.
            let vol_up = if has_options(Some(u)) {
                shocked(Some(u))
            } else {
                plain
            };
            (
                u.clone(),
                liquidation_report(plain, vol_up, market.index(u)),
            )
        })
        .collect();
    // One underlying: moving all indices is moving that one.
    let all = match &underlyings[..] {
        [_] => moves[0],
        _ => pool.liquidation_all(),
    };
    let all_vol_up = if has_options(None) {
        shocked(None)
    } else {
        all
    };
    let liquidation_all = liquidation_report(all, all_vol_up, None);
    let balance = state.margin_balance();
    PoolReport {
        name: pool.spec().name.clone(),
        isolated: pool.spec().isolated,
        lines: pool.spec().legs.iter().map(|l| l.leg.line).collect(),
        equity_usd: state.equity,
        initial_margin_usd: state.initial,
        maintenance_margin_usd: state.maintenance,
        headroom_usd: balance - state.maintenance,
        mm_usage: state.mm_usage(),
        liquidatable: state.is_liquidatable(),
        liquidation,
        liquidation_all,
    }
}

fn account_report_of(
    b: &AccountBook,
    account: &PreparedAccount,
    info: &PackInfo,
    pools: &[Box<dyn MarginPool + '_>],
    pool_reports: Vec<PoolReport>,
) -> VenueAccountReport {
    let state = sum_states(pools, &|_| 1.0);
    let (liquidation, liquidation_all) = nearest_of(
        pool_reports
            .iter()
            .map(|r| (&r.liquidation, &r.liquidation_all)),
    );
    let mut underlyings: BTreeMap<String, SnapshotUnderlying> = BTreeMap::new();
    for l in pools.iter().flat_map(|p| &p.spec().legs) {
        underlyings
            .entry(l.leg.underlying.clone())
            .or_default()
            .add(&l.leg.greeks());
    }
    for (u, s) in &mut underlyings {
        if let Some(l) = liquidation.get(u) {
            s.down = l.down;
            s.up = l.up;
        }
    }
    let balance = state.margin_balance();
    let isolated_usd: f64 = pools
        .iter()
        .flat_map(|p| &p.spec().legs)
        .filter_map(|l| l.isolated_margin)
        .sum();
    let collateral_usd =
        b.collateral.iter().map(|c| c.amount * c.price).sum::<f64>() + isolated_usd;
    VenueAccountReport {
        id: b.id.clone(),
        venue: b.engine.venue().name(),
        margin_mode: account.mode.name(),
        pack: PackReport {
            name: info.name.clone(),
            date: info.date.clone(),
            source: info.source.clone(),
            rules: info.rules.clone(),
        },
        approximations: account.approximations.clone(),
        positions: pools.iter().map(|p| p.spec().legs.len()).sum(),
        collateral_usd,
        equity_usd: state.equity,
        margin_balance_usd: balance,
        initial_margin_usd: state.initial,
        maintenance_margin_usd: state.maintenance,
        available_usd: balance - state.initial,
        headroom_usd: balance - state.maintenance,
        mm_usage: state.mm_usage(),
        liquidatable: pool_reports.iter().any(|p| p.liquidatable),
        liquidation,
        liquidation_all,
        isolated_positions: pool_reports.iter().filter(|p| p.isolated).count(),
        pools: pool_reports.into_iter().filter(|p| !p.isolated).collect(),
        underlyings,
    }
}

/// The nearest liquidation per underlying and of all together, over several parts' reports.
fn nearest_of<'a>(
    parts: impl Iterator<
        Item = (
            &'a BTreeMap<String, LiquidationReport>,
            &'a LiquidationReport,
        ),
    >,
) -> (BTreeMap<String, LiquidationReport>, LiquidationReport) {
    let mut per_underlying: BTreeMap<String, LiquidationReport> = BTreeMap::new();
    let mut all: Option<LiquidationReport> = None;
    for (each, together) in parts {
        for (u, l) in each {
            per_underlying
                .entry(u.clone())
                .and_modify(|e| *e = nearer(*e, *l))
                .or_insert(*l);
        }
        all = Some(all.map_or(*together, |a| nearer(a, *together)));
    }
    let none = LiquidationReport {
        down: None,
        up: None,
        down_price: None,
        up_price: None,
        down_vol_up: None,
        up_vol_up: None,
    };
    (per_underlying, all.unwrap_or(none))
}

/// Of two liquidations, the nearer move each way (and its price), vol-shocked ones likewise.
fn nearer(a: LiquidationReport, b: LiquidationReport) -> LiquidationReport {
    let down = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let up = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let (down_move, down_price) = match down(a.down, b.down) {
        m if m == a.down => (a.down, a.down_price),
        _ => (b.down, b.down_price),
    };
    let (up_move, up_price) = match up(a.up, b.up) {
        m if m == a.up => (a.up, a.up_price),
        _ => (b.up, b.up_price),
    };
    LiquidationReport {
        down: down_move,
        up: up_move,
        down_price,
        up_price,
        down_vol_up: down(a.down_vol_up, b.down_vol_up),
        up_vol_up: up(a.up_vol_up, b.up_vol_up),
    }
}

/// The whole portfolio: USD sums of the accounts, the nearest liquidation per underlying, and the
/// first account to go when every index moves together.
fn portfolio_report(
    accounts: &[VenueAccountReport],
    events: &[(usize, String, LiquidationReport)],
    vol_shock: f64,
) -> AccountReport {
    let sum = |f: fn(&VenueAccountReport) -> f64| accounts.iter().map(f).sum::<f64>();
    let balance = sum(|a| a.margin_balance_usd);
    let initial = sum(|a| a.initial_margin_usd);
    let maintenance = sum(|a| a.maintenance_margin_usd);
    let (liquidation, liquidation_all) = nearest_of(
        accounts
            .iter()
            .map(|a| (&a.liquidation, &a.liquidation_all)),
    );
    let first = |pick: fn(&LiquidationReport) -> Option<f64>| {
        events
            .iter()
            .filter_map(|(a, pool, l)| pick(l).map(|m| (&accounts[*a], pool, m)))
            .min_by(|x, y| x.2.abs().total_cmp(&y.2.abs()))
            .map(|(a, pool, m)| LiquidationEvent {
                account: a.id.clone(),
                venue: a.venue,
                pool: pool.clone(),
                r#move: m,
            })
    };
    AccountReport {
        collateral_usd: sum(|a| a.collateral_usd),
        equity_usd: sum(|a| a.equity_usd),
        margin_balance_usd: balance,
        initial_margin_usd: initial,
        maintenance_margin_usd: maintenance,
        available_usd: balance - initial,
        headroom_usd: balance - maintenance,
        im_usage: (balance > 0.0).then(|| initial / balance),
        mm_usage: (balance > 0.0).then(|| maintenance / balance),
        liquidatable: accounts.iter().any(|a| a.liquidatable),
        liquidation,
        liquidation_all,
        vol_shock_up: vol_shock,
        margin_detail: Vec::new(),
        first_to_liquidate: Some(FirstToLiquidate {
            down: first(|l| l.down),
            up: first(|l| l.up),
        }),
        collateral_transfer: None,
    }
}

/// The stress library and the user's scenarios, each re-valued through every account's pools.
fn stress_of(
    request: &Request,
    pools: &[Box<dyn MarginPool + '_>],
    underlyings: &[String],
    before: f64,
) -> Result<Vec<StressReport>, RequestError> {
    let shocks = requested_shocks(request)?;
    Ok(stress_entries(&shocks, underlyings, before, |resolved| {
        let find =
            |list: &[(String, f64)], u: &str| list.iter().find(|(k, _)| k == u).map(|(_, v)| *v);
        let factor_of = |u: &str| 1.0 + find(&resolved.moves, u).unwrap_or(0.0);
        let vol_of = |u: &str, days: f64, vol: f64| {
            crate::stress::vol_shock(days, find(&resolved.vol_ratios, u).unwrap_or(1.0))(vol)
        };
        let mut after = AccountState::default();
        let mut liquidatable = false;
        for p in pools {
            let mut s = p.stressed(&factor_of, &vol_of);
            let depeg = crate::stress::depeg_usd(&p.spec().collateral, &resolved.collateral);
            s.equity += depeg;
            s.balance += depeg;
            liquidatable |= s.is_liquidatable();
            after.equity += s.equity;
            after.balance += s.balance;
            after.initial += s.initial;
            after.maintenance += s.maintenance;
        }
        (after, liquidatable)
    }))
}
