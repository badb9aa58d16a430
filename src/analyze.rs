//! `analyze`: a request in, a report out. Rows that cannot be read or valued become entries in
//! `errors`; only a malformed request is an error as a whole.

use crate::account::{Account, AccountState, Collateral, Liquidation};
use crate::calendar::{expiry_code, format_instant, year_fraction};
use crate::figure::{Figure, Fixed};
use crate::input::{read_book, PositionRow};
use crate::instrument::{Kind, Settlement, SizeUnit, USD_LIKE};
use crate::margin::portfolio::PmPack;
use crate::margin::{Detail, MarginModel, StandardMargin};
use crate::market::{Market, MAX_AMOUNT};
use crate::pricing::black::OptionKind;
use crate::report::*;
use crate::request::{Request, RequestError};
use crate::valuation::{resolve, Leg, VolSource};
use std::borrow::Cow;
use std::collections::BTreeMap;

mod accounts;
mod attribution;
mod balance;
mod rebalance;
mod seed;
mod sizing;
pub use sizing::{CapReport, KellyRequest, SizingReport, SizingRequest};
mod transfer;
mod venue_book;

use crate::input::snapshot::Snapshot;
use seed::seed_market;

/// Computes the whole report.
///
/// ```
/// let request: headroom::Request = serde_json::from_str(r#"{
///   "positions": "instrument,size\nBTC-PERPETUAL,10000",
///   "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
///   "account": {"collateral": {"BTC": 0.1}}
/// }"#).unwrap();
/// let report = headroom::analyze(&request).unwrap();
/// assert_eq!(report.positions[0].line, 2);
/// assert!((report.account.equity_usd - 10_000.0).abs() < 1e-9);
/// ```
pub fn analyze(request: &Request) -> Result<Report, RequestError> {
    let mut positions = Vec::new();
    let mut report = analyze_with(request, &mut |p| positions.push(p.into_owned()))?;
    report.positions = positions;
    Ok(report)
}

/// [`analyze`] with the positions in columns and `report.positions` empty: what the page's
/// worker hands over, each position's text copied once, straight into its column.
///
/// ```
/// let request: headroom::Request = serde_json::from_str(r#"{
///   "positions": "instrument,size\nBTC-PERPETUAL,10000\nETH,2",
///   "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}, "ETH": {"index": 3000}}}
/// }"#).unwrap();
/// let (report, columns) = headroom::analyze::analyze_columns(&request).unwrap();
/// assert!(report.positions.is_empty());
/// assert_eq!(columns.count, 2);
/// assert_eq!(columns.texts[1].text, "BTCETH"); // underlyings, one after another
/// assert_eq!(columns.texts[1].ends, vec![3, 6]);
/// ```
pub fn analyze_columns(request: &Request) -> Result<(Report, PositionColumns), RequestError> {
    let mut columns = PositionColumns::default();
    let report = analyze_with(request, &mut |p| columns.push(&p))?;
    Ok((report, columns))
}

/// The report without its positions, each of which goes to `each_position` in the book's order.
fn analyze_with(
    request: &Request,
    each_position: &mut dyn for<'p> FnMut(PositionReport<'p>),
) -> Result<Report, RequestError> {
    if let Some(venue_accounts) = &request.accounts {
        return accounts::analyze_accounts(request, venue_accounts, each_position);
    }
    let Inputs {
        model_name,
        vol_shock,
        market,
        book,
        collateral,
        seed_notes,
    } = inputs(request)?;
    let margin = StandardMargin::deribit();

    let (rows, legs, mut errors) = value_rows(&book, &market);
    by_line(&mut errors);
    let model = margin_model(&model_name, request, &legs)?;
    let account = Account::new(&legs, &collateral, &model);
    let shocked = account.with_vols(|_, _| move |vol| vol + vol_shock);

    let per_position = matches!(model, MarginModel::Standard(_));
    let mut totals = UnderlyingTotals::new(&book.rows, &collateral, &market);
    for (row, leg) in rows.iter().zip(&legs) {
        let position = position_report(row, leg, &margin, per_position);
        totals.add(&position);
        each_position(position);
    }
    let mut underlyings = totals.finish();
    for (symbol, _) in account.underlyings() {
        if let Some(u) = underlyings.get_mut(symbol) {
            let r = account.requirement(symbol);
            u.initial_margin_usd = r.initial;
            u.maintenance_margin_usd = r.maintenance;
        }
    }
    // The account at the valuation, revalued once and shared by every section below.
    let base = account.state();
    let account_report = account_report(&account, base, &shocked, &underlyings, vol_shock);
    let stress = stress_reports(request, &account, base.equity)?;
    let scenarios = scenario_reports(request, &account, base.equity, &legs, &market)?;
    // The optional analyses: one that cannot be computed (a risk setting out of range, an
    // attribution snapshot or a sizing instrument that does not read) is a warning naming its
    // field; the rest of the report stands.
    let mut section_warnings = Vec::new();
    let risk = section(
        request.risk.as_ref().map(|r| {
            crate::risk::risk_report(r, &account, &underlyings, |u| {
                market.underlying(u).and_then(|m| m.vol)
            })
        }),
        &mut section_warnings,
    );
    let attribution = section(
        request
            .attribution
            .as_ref()
            .map(|a| attribution::attribution_report(a, request, &market, &book, &collateral)),
        &mut section_warnings,
    );
    let sizing = section(
        request.sizing.as_ref().map(|sz| {
            sizing::sizing_report(
                sz,
                request,
                &market,
                &legs,
                &collateral,
                &model,
                &margin,
                &base,
            )
        }),
        &mut section_warnings,
    );
    let rebalance = section(
        request.rebalance.as_ref().map(|r| {
            rebalance::rebalance_report(
                r,
                request,
                &market,
                &book,
                &rows,
                &legs,
                &collateral,
                &model,
                &margin,
            )
        }),
        &mut section_warnings,
    );
    let what_if = match &request.what_if {
        None => None,
        Some(input) => Some(what_if_report(
            input,
            request,
            &market,
            &legs,
            &collateral,
            &model,
            &margin,
        )?),
    };

    Ok(Report {
        valuation_time: format_instant(market.valuation),
        margin: MarginReport {
            model: model.name().into(),
            pack: match &model {
                MarginModel::Standard(m) => m.name.to_string(),
                MarginModel::DeribitPm(packs) => packs
                    .values()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                MarginModel::Span(_) => "span (user parameters)".into(),
            },
            margin_balance_rule: if model.excludes_long_options() {
                "equity less the mark value of long options (not collateral under standard margin)"
                    .into()
            } else {
                "equity: the model's scenarios price every option, long ones included".into()
            },
            vol_shock_up: vol_shock,
        },
        positions: Vec::new(),
        underlyings,
        account: account_report,
        accounts: Vec::new(),
        errors,
        stress,
        scenarios,
        what_if,
        risk,
        attribution,
        sizing,
        rebalance,
        warnings: seed_notes
            .into_iter()
            .chain(section_warnings)
            .chain(surface_warnings(&market))
            .chain(skipped_notes(&book, None))
            .chain(
                request
                    .unknown_fields
                    .iter()
                    .map(|f| format!("{f}: unknown field, ignored")),
            )
            .collect(),
        input: InputReport {
            format: book.format,
            columns: book
                .columns
                .iter()
                .map(|c| ColumnReport {
                    column: c.column.clone(),
                    field: c.field.map(|f| f.name()),
                })
                .collect(),
            rows_read: book.rows.len(),
        },
        units: UNITS.iter().copied().collect(),
    })
}

/// Only the report's `scenarios` (risk matrices and curves), exactly as [`analyze`] computes
/// them: what a second worker computes while a first runs `analyze` on the request without
/// `scenarios`.
///
/// ```
/// let request: headroom::Request = serde_json::from_str(r#"{
///   "positions": "instrument,size\nBTC-PERPETUAL,10000",
///   "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
///   "scenarios": {"curves": {"points": 3}}
/// }"#).unwrap();
/// let scenarios = headroom::analyze::analyze_scenarios(&request).unwrap();
/// assert_eq!(scenarios, headroom::analyze(&request).unwrap().scenarios);
/// ```
pub fn analyze_scenarios(request: &Request) -> Result<ScenariosReport, RequestError> {
    if let Some(venue_accounts) = &request.accounts {
        return accounts::analyze_accounts(request, venue_accounts, &mut |_| {})
            .map(|r| r.scenarios);
    }
    let Inputs {
        model_name,
        market,
        book,
        collateral,
        ..
    } = inputs(request)?;
    let (_, legs, _) = value_rows(&book, &market);
    let model = margin_model(&model_name, request, &legs)?;
    let account = Account::new(&legs, &collateral, &model);
    let before = account.state().equity;
    scenario_reports(request, &account, before, &legs, &market)
}

/// The request's parts both entry points read, checked.
struct Inputs {
    model_name: String,
    vol_shock: f64,
    market: Market,
    book: crate::input::Book,
    collateral: Vec<Collateral>,
    /// What was seeded into the market from the pasted rows and snapshot, said.
    seed_notes: Vec<String>,
}

fn inputs(request: &Request) -> Result<Inputs, RequestError> {
    let model_name = request.margin.model.trim().to_ascii_lowercase();
    if !["standard", "deribit-pm", "span"].contains(&model_name.as_str()) {
        return Err(RequestError::new(
            "margin.model",
            format!(
                "'{}' is not one of \"standard\", \"deribit-pm\", \"span\"",
                request.margin.model
            ),
        ));
    }
    let vol_shock = checked_vol_shock(request)?;
    let mut market = request.market.validate()?;
    let book = read_book(&request.positions, request.venue_setting()?);
    let rows: Vec<&PositionRow> = book.rows.iter().collect();
    let mut seed_notes = seed_market(&mut market, &rows, read_snapshot(request)?.as_ref());
    let (collateral, balance_notes) = balance::account_collateral(
        &request.account.collateral,
        request.account.balance.as_ref(),
        "account",
        &market,
        &book,
        false,
    )?;
    seed_notes.extend(balance_notes);
    Ok(Inputs {
        model_name,
        vol_shock,
        market,
        book,
        collateral,
        seed_notes,
    })
}

/// `margin.volShockUp`, checked (default +10 vol points).
fn checked_vol_shock(request: &Request) -> Result<f64, RequestError> {
    let vol_shock = request.margin.vol_shock_up.unwrap_or(DEFAULT_VOL_SHOCK);
    if !(vol_shock.is_finite() && (0.0..=5.0).contains(&vol_shock)) {
        return Err(RequestError::new(
            "margin.volShockUp",
            format!(
                "must be an absolute vol shock from 0 to 5 (0.1 = +10 points), got {}",
                Figure(vol_shock)
            ),
        ));
    }
    Ok(vol_shock)
}

/// The account before and after the request's hypothetical trades.
fn what_if_report(
    input: &crate::input::PositionsInput,
    request: &Request,
    market: &Market,
    legs: &[Leg],
    collateral: &[Collateral],
    model: &MarginModel,
    margin: &StandardMargin,
) -> Result<WhatIfReport, RequestError> {
    what_if_account(input, request, market, legs, collateral, &[], model, margin).map(|w| w.report)
}

/// The what-if and the account its "after" values: the book with the trades combined, the
/// collateral after their premiums, and the expiry of each leg the trades added (the legs after
/// the book's, in order).
struct WhatIfAccount {
    report: WhatIfReport,
    legs: Vec<Leg>,
    collateral: Vec<Collateral>,
    added_expiries: Vec<Option<time::OffsetDateTime>>,
}

/// The what-if on the single account; `costs` (the rebalance's fees) are taken from the
/// collateral after the trades, not before.
#[allow(clippy::too_many_arguments)]
fn what_if_account(
    input: &crate::input::PositionsInput,
    request: &Request,
    market: &Market,
    legs: &[Leg],
    collateral: &[Collateral],
    costs: &[Collateral],
    model: &MarginModel,
    margin: &StandardMargin,
) -> Result<WhatIfAccount, RequestError> {
    let book = read_book(input, request.venue_setting()?);
    let (rows, added, errors) = value_rows(&book, market);
    let per_position = matches!(model, MarginModel::Standard(_));
    let positions = rows
        .iter()
        .zip(&added)
        .map(|(row, leg)| position_report(row, leg, margin, per_position).into_owned())
        .collect();
    let (mut paid, premium_usd) = pay_premium(collateral, &rows, &added, margin);
    paid.extend_from_slice(costs);
    let (combined, pushed) = combine_tracked(legs, added);
    let report = WhatIfReport {
        positions,
        errors,
        premium_usd,
        long_options_rule: model.excludes_long_options().then(|| {
            "under standard margin a long option's value is not collateral: buying one lowers \
             the margin balance by its premium"
                .to_string()
        }),
        before: snapshot(legs, collateral, model),
        after: snapshot(&combined, &paid, model),
    };
    Ok(WhatIfAccount {
        report,
        legs: combined,
        collateral: paid,
        added_expiries: pushed
            .iter()
            .map(|i| rows[*i].instrument.expiry())
            .collect(),
    })
}

/// The collateral after trades pay (or receive) their premium: each option at its row's entry
/// price, else at its value at the valuation (its mark); coin-settled in the coin, the others in
/// USD. Futures and perpetuals cost nothing to open. Returns the collateral and the premium, USD.
fn pay_premium(
    collateral: &[Collateral],
    rows: &[&PositionRow],
    added: &[Leg],
    margin: &StandardMargin,
) -> (Vec<Collateral>, f64) {
    let mut paid = collateral.to_vec();
    let mut premium_usd = 0.0;
    for (row, leg) in rows.iter().zip(added) {
        let Some(option) = leg.option() else { continue };
        let usd = match row.entry {
            Some(price) if option.inverse => price * option.coins * leg.index,
            Some(price) => price * option.coins,
            None => leg.state(1.0, margin).value_usd,
        };
        premium_usd += usd;
        paid.push(if option.inverse {
            Collateral {
                currency: leg.underlying.clone(),
                amount: -usd / leg.index,
                price: leg.index,
                underlying: Some(leg.underlying.clone()),
            }
        } else {
            Collateral {
                currency: "USDC".into(),
                amount: -usd,
                price: 1.0,
                underlying: None,
            }
        });
    }
    (paid, premium_usd)
}

/// The book with trades added: an option trade on a contract the book holds changes that
/// position (so standard margin, which charges long and short legs apart, sees the net, as a
/// venue does); other trades are positions of their own.
fn combine(legs: &[Leg], added: Vec<Leg>) -> Vec<Leg> {
    combine_tracked(legs, added).0
}

/// [`combine`], with the index in `added` of each leg it appended (in order).
fn combine_tracked(legs: &[Leg], added: Vec<Leg>) -> (Vec<Leg>, Vec<usize>) {
    let mut all = legs.to_vec();
    let mut pushed = Vec::new();
    for (k, leg) in added.into_iter().enumerate() {
        match all.iter().position(|held| same_contract(held, &leg)) {
            Some(i) => net_into(&mut all[i], &leg),
            None => {
                all.push(leg);
                pushed.push(k);
            }
        }
    }
    (all, pushed)
}

/// Whether two legs are options on the same contract (underlying, type, strike, expiry, settlement).
fn same_contract(a: &Leg, b: &Leg) -> bool {
    match (a.option(), b.option()) {
        (Some(x), Some(y)) => {
            a.underlying == b.underlying
                && x.kind == y.kind
                && x.strike == y.strike
                && x.years == y.years
                && x.inverse == y.inverse
        }
        _ => false,
    }
}

/// Adds an option trade's size to the position it matches ([`same_contract`]).
fn net_into(held: &mut Leg, trade: &Leg) {
    if let (crate::valuation::Model::Option(h), Some(t)) = (&mut held.model, trade.option()) {
        h.coins += t.coins;
        held.quantity += trade.quantity;
    }
}

/// An optional section's result: its report, or `None` with the error as a warning.
fn section<T>(result: Option<Result<T, RequestError>>, warnings: &mut Vec<String>) -> Option<T> {
    match result? {
        Ok(report) => Some(report),
        Err(e) => {
            warnings.push(format!("{e} (this section was not computed)"));
            None
        }
    }
}

/// Row errors in line order (one sort shared by every caller: each closure is its own code).
fn by_line(errors: &mut [ErrorReport]) {
    errors.sort_by_key(|e| (e.line, e.item));
}

/// Every readable row resolved against the market, with its leg (the two lists side by side);
/// the rows that were not readable or could not be valued as errors, in line order.
fn value_rows<'b>(
    book: &'b crate::input::Book,
    market: &Market,
) -> (Vec<&'b PositionRow>, Vec<Leg>, Vec<ErrorReport>) {
    let mut errors: Vec<ErrorReport> = book
        .errors
        .iter()
        .map(|e| ErrorReport {
            account: None,
            line: e.line,
            item: e.item,
            message: e.message.clone(),
            text: e.text.clone(),
        })
        .collect();
    let mut rows = Vec::with_capacity(book.rows.len());
    let mut legs = Vec::with_capacity(book.rows.len());
    for row in &book.rows {
        match resolve(row, market) {
            Ok(leg) => {
                rows.push(row);
                legs.push(leg);
            }
            Err(message) => errors.push(ErrorReport {
                account: None,
                line: row.line,
                item: row.item,
                message,
                text: row.text.clone(),
            }),
        }
    }
    by_line(&mut errors);
    (rows, legs, errors)
}

fn snapshot(legs: &[Leg], collateral: &[Collateral], model: &MarginModel) -> AccountSnapshot {
    let account = Account::new(legs, collateral, model);
    let state = account.state();
    let underlyings = account
        .underlyings()
        .map(|(u, group)| {
            let moves = account.liquidation(u);
            let mut s = SnapshotUnderlying {
                down: moves.down,
                up: moves.up,
                ..SnapshotUnderlying::default()
            };
            for leg in group {
                s.add(&leg.greeks());
            }
            (u.to_string(), s)
        })
        .collect();
    snapshot_of(&state, underlyings)
}

/// An account's state (USD) and its underlyings as the figures a trade changes.
fn snapshot_of(
    state: &AccountState,
    underlyings: BTreeMap<String, SnapshotUnderlying>,
) -> AccountSnapshot {
    let balance = state.margin_balance();
    AccountSnapshot {
        equity_usd: state.equity,
        initial_margin_usd: state.initial,
        maintenance_margin_usd: state.maintenance,
        available_usd: balance - state.initial,
        headroom_usd: balance - state.maintenance,
        mm_usage: state.mm_usage(),
        underlyings,
    }
}

/// The risk matrices and curves the request asked for.
fn scenario_reports(
    request: &Request,
    account: &Account,
    before: f64,
    legs: &[Leg],
    market: &Market,
) -> Result<ScenariosReport, RequestError> {
    let Some(asked) = &request.scenarios else {
        return Ok(ScenariosReport::default());
    };
    asked
        .validate()
        .map_err(|m| RequestError::new("scenarios", m))?;
    let with_index: Vec<(String, f64)> = account
        .underlyings()
        .filter_map(|(u, _)| market.index(u).map(|i| (u.to_string(), i)))
        .collect();
    let names: Vec<String> = with_index.iter().map(|(u, _)| u.clone()).collect();
    Ok(ScenariosReport {
        matrix: asked
            .matrix
            .as_ref()
            .map(|m| crate::scenarios::matrices(m, account, &names, before))
            .unwrap_or_default(),
        curves: asked
            .curves
            .as_ref()
            .map(|c| {
                crate::scenarios::curves(
                    c,
                    account,
                    before,
                    &with_index,
                    &crate::scenarios::live_expiries(legs, market.valuation),
                )
            })
            .unwrap_or_default(),
    })
}

/// The library's and the user's stress scenarios, worst P&L first.
fn stress_reports(
    request: &Request,
    account: &Account,
    before: f64,
) -> Result<Vec<StressReport>, RequestError> {
    let shocks = requested_shocks(request)?;
    let underlyings: Vec<String> = account.underlyings().map(|(u, _)| u.to_string()).collect();
    Ok(stress_entries(&shocks, &underlyings, before, |resolved| {
        let after = crate::stress::apply(account, resolved);
        (after, after.is_liquidatable())
    }))
}

/// The stress reports of `shocks`, worst P&L first: `after(resolved)` is the account under a
/// resolved shock and whether any of it is liquidatable.
fn stress_entries(
    shocks: &[crate::stress::Shock],
    underlyings: &[String],
    before: f64,
    after: impl Fn(&crate::stress::Resolved) -> (AccountState, bool),
) -> Vec<StressReport> {
    if underlyings.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<StressReport> = shocks
        .iter()
        .map(|shock| {
            let resolved = shock.resolve(underlyings);
            let (after, liquidatable) = after(&resolved);
            StressReport {
                name: shock.name.clone(),
                date: shock.date.clone(),
                source: shock.source.clone(),
                moves: resolved.moves.iter().cloned().collect(),
                vol_change: resolved
                    .vol_ratios
                    .iter()
                    .map(|(u, r)| (u.clone(), r - 1.0))
                    .collect(),
                assumed: resolved.assumed,
                collateral_moves: resolved.collateral.iter().cloned().collect(),
                pnl_usd: after.equity - before,
                equity_usd: after.equity,
                margin_balance_usd: after.margin_balance(),
                maintenance_margin_usd: after.maintenance,
                mm_usage: after.mm_usage(),
                liquidatable,
            }
        })
        .collect();
    out.sort_by(|a, b| a.pnl_usd.total_cmp(&b.pnl_usd));
    out
}

/// The library's shocks (unless `library: false`) and the user's scenarios.
fn requested_shocks(request: &Request) -> Result<Vec<crate::stress::Shock>, RequestError> {
    let mut shocks = if request.stress.library.unwrap_or(true) {
        crate::stress::library()
    } else {
        Vec::new()
    };
    for (i, scenario) in request.stress.scenarios.iter().enumerate() {
        shocks.push(
            scenario
                .to_shock()
                .map_err(|m| RequestError::new(format!("stress.scenarios[{i}]"), m))?,
        );
    }
    Ok(shocks)
}

/// One note per row of size 0 (a closed position), which was skipped.
fn skipped_notes<'b>(
    book: &'b crate::input::Book,
    account: Option<&'b str>,
) -> impl Iterator<Item = String> + 'b {
    book.skipped.iter().map(move |(line, _)| match account {
        Some(id) => format!("{id}, line {line}: size 0 (a closed position), skipped"),
        None => format!("line {line}: size 0 (a closed position), skipped"),
    })
}

/// Default absolute vol shock of the vol-shocked distance to liquidation (+10 vol points).
const DEFAULT_VOL_SHOCK: f64 = 0.10;

/// The request's margin model, with every underlying's portfolio-margin pack resolved.
fn margin_model(name: &str, request: &Request, legs: &[Leg]) -> Result<MarginModel, RequestError> {
    match name {
        "deribit-pm" => {
            let mut packs = BTreeMap::new();
            let overridden = request
                .margin
                .packs
                .keys()
                .map(|k| k.trim().to_ascii_uppercase());
            for symbol in legs.iter().map(|l| l.underlying.clone()).chain(overridden) {
                if packs.contains_key(&symbol) {
                    continue;
                }
                let given = request
                    .margin
                    .packs
                    .iter()
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case(&symbol));
                let pack = match given {
                    Some((key, o)) => PmPack::published(&symbol)
                        .with(o)
                        .map_err(|m| RequestError::new(format!("margin.packs.{key}"), m))?,
                    None => PmPack::published(&symbol),
                };
                packs.insert(symbol, pack);
            }
            Ok(MarginModel::DeribitPm(packs))
        }
        "span" => {
            let params = request.margin.span.clone().unwrap_or_default();
            params
                .validate()
                .map_err(|m| RequestError::new("margin.span", m))?;
            Ok(MarginModel::Span(params))
        }
        _ => Ok(MarginModel::Standard(StandardMargin::deribit())),
    }
}

/// Arbitrage in the user's volatility surface: butterfly within each live smile, calendar across
/// expiries' ATM total variance. Warnings, not errors: the numbers are still computed.
/// A stablecoin priced away from its peg (more than 2 %) is said, never silently used.
fn depeg_warnings(market: &Market) -> Vec<String> {
    market
        .collateral_prices
        .iter()
        .filter(|(_, p)| (**p - 1.0).abs() > 0.02)
        .map(|(c, p)| {
            format!(
                "{c} collateral priced at {} USD ({} % from its peg), as market.collateralPrices \
                 gives it",
                Figure(*p),
                Fixed((p - 1.0) * 100.0, 1)
            )
        })
        .collect()
}

fn surface_warnings(market: &Market) -> Vec<String> {
    let mut warnings = depeg_warnings(market);
    if market.vol_shift != 0.0 || !market.expiry_vol_shifts.is_empty() {
        warnings.push(format!(
            "vols shifted by {}{} vol points{}: options are valued off their marks",
            if market.vol_shift >= 0.0 { "+" } else { "" },
            Fixed(market.vol_shift * 100.0, 1),
            if market.expiry_vol_shifts.is_empty() {
                String::new()
            } else {
                format!(
                    ", and {} expiries by their own shift on top",
                    market.expiry_vol_shifts.len()
                )
            }
        ));
    }
    warnings.extend(surface_only_warnings(market));
    warnings
}

fn surface_only_warnings(market: &Market) -> Vec<String> {
    let mut warnings = Vec::new();
    for (symbol, u) in &market.underlyings {
        let mut atm: Vec<(String, f64, f64)> = Vec::new();
        let expiries: std::collections::BTreeSet<_> =
            u.smiles.keys().chain(u.atm_vols.keys()).copied().collect();
        for date in expiries {
            let expiry = crate::calendar::at_expiry_hour(date);
            let years = year_fraction(market.valuation, expiry);
            let Some((forward, _)) = market.forward(symbol, expiry) else {
                continue;
            };
            if years <= 0.0 {
                continue;
            }
            let code = expiry_code(date);
            if let Some(smile) = u.smiles.get(&date) {
                for w in smile.arbitrage_warnings(forward, years) {
                    warnings.push(format!("{symbol} {code} smile: {w}"));
                }
                atm.push((code, years, smile.vol(forward, years, forward)));
            } else if let Some(vol) = u.atm_vols.get(&date) {
                atm.push((code, years, *vol));
            }
        }
        warnings.extend(crate::volatility::calendar_warnings(symbol, &atm));
    }
    warnings
}

/// `market.snapshot`, read (`None` when the request has none).
fn read_snapshot(request: &Request) -> Result<Option<Snapshot>, RequestError> {
    let venue = request.venue_setting()?;
    Ok(request
        .market
        .snapshot
        .as_ref()
        .map(|input| crate::input::snapshot::read_snapshot(input, venue)))
}

/// Collateral of `amounts` (currency → units), valued at the market; `at` names the object in
/// errors (`account`, `accounts[1]`).
fn collateral_of(
    amounts: &BTreeMap<String, Option<f64>>,
    at: &str,
    market: &Market,
) -> Result<Vec<Collateral>, RequestError> {
    let mut out = Vec::new();
    for (currency, amount) in amounts {
        let field = format!("{at}.collateral.{currency}");
        let Some(amount) = *amount else { continue };
        if !(amount.is_finite() && amount.abs() <= MAX_AMOUNT) {
            return Err(RequestError::new(
                field,
                format!(
                    "must be a number of units up to 1e15, got {}",
                    Figure(amount)
                ),
            ));
        }
        let code = currency.trim().to_ascii_uppercase();
        if USD_LIKE.contains(&code.as_str()) {
            out.push(Collateral {
                price: market.stablecoin_price(&code),
                currency: code,
                amount,
                underlying: None,
            });
            continue;
        }
        let price = market.index(&code).ok_or_else(|| {
            RequestError::new(
                &field,
                format!("needs an index to be valued: set market.underlyings.{code}.index"),
            )
        })?;
        out.push(Collateral {
            currency: code.clone(),
            amount,
            price,
            underlying: Some(code),
        });
    }
    Ok(out)
}

fn position_report<'a>(
    row: &'a PositionRow,
    leg: &Leg,
    margin: &StandardMargin,
    per_position: bool,
) -> PositionReport<'a> {
    let instrument = &row.instrument;
    let state = leg.state(1.0, margin);
    let greeks = leg.greeks();
    let option = leg.option();
    let (strike, option_type) = match instrument.kind {
        Kind::Option { strike, option, .. } => (
            Some(strike),
            Some(if option == OptionKind::Call {
                "call"
            } else {
                "put"
            }),
        ),
        _ => (None, None),
    };
    let inverse_option = matches!(instrument.kind, Kind::Option { .. })
        && instrument.settlement == Settlement::Inverse;
    let notes = row
        .venue_note
        .iter()
        .chain(&instrument.terms_note)
        .chain(&row.slip)
        .map(|note| Cow::Borrowed(note.as_str()))
        .chain(unit_slip(row, leg).map(Cow::Owned))
        .chain(mark_iv_note(row, leg).map(Cow::Owned))
        .collect();
    PositionReport {
        line: row.line,
        item: row.item,
        instrument: Cow::Borrowed(&instrument.name),
        underlying: Cow::Borrowed(&instrument.underlying),
        venue: instrument.venue.name(),
        venue_source: row.venue_source.name(),
        read_as: Cow::Owned(read_as(row, leg)),
        notes,
        kind: instrument.kind_name(),
        settlement: instrument.settlement_name(),
        expiry: instrument.expiry().map(|e| Cow::Owned(format_instant(e))),
        strike,
        option_type,
        expired: leg.is_expired(),
        size: row.size,
        size_unit: instrument.size_unit_name(),
        quantity: leg.quantity,
        index: leg.index,
        years: option.map(|o| o.years),
        forward: option.map(|o| o.forward_ratio * leg.index),
        forward_source: option.map(|o| o.forward_source.name()),
        iv: option.map(|o| o.vol),
        iv_source: option.map(|o| o.vol_source.name()),
        mark_price: state.mark,
        entry_price: row.entry,
        price_unit: if inverse_option {
            Cow::Borrowed(&instrument.underlying)
        } else {
            Cow::Borrowed("USD")
        },
        value_usd: state.value_usd,
        value_coin: state.value_coin,
        pnl_usd: leg.pnl_usd(&state),
        delta: greeks.delta,
        gamma: greeks.gamma,
        gamma_pct: greeks.gamma * leg.index / 100.0,
        vega: greeks.vega,
        vega_coin: greeks.vega / leg.index,
        theta: greeks.theta,
        theta_coin: greeks.theta / leg.index,
        rho: greeks.rho,
        vanna: greeks.vanna,
        volga: greeks.volga,
        charm: greeks.charm,
        coin_delta: greeks.coin_delta,
        initial_margin_usd: per_position.then_some(state.margin.initial),
        maintenance_margin_usd: per_position.then_some(state.margin.maintenance),
        account: None,
        margin_pool: None,
        liquidation_price: None,
        pool_equity_usd: None,
        pool_maintenance_margin_usd: None,
        pool_mm_usage: None,
        venue_reported: match row.venue_reported {
            [None, None, None] => None,
            [liquidation_price, maintenance_margin, initial_margin] => Some(VenueReported {
                liquidation_price,
                maintenance_margin,
                initial_margin,
                liquidation_price_difference: None,
            }),
        },
    }
}

/// A size or premium possible but implausible for its unit: a Deribit inverse future sized under
/// 10 USD (coins typed for USD), a USD-priced option's premium under 1 USD where the index is in
/// the thousands (a coin price typed for USD). Said, never reinterpreted.
fn unit_slip(row: &PositionRow, leg: &Leg) -> Option<String> {
    let i = &row.instrument;
    if i.size_unit == SizeUnit::Usd && row.size.abs() < 10.0 {
        return Some(format!(
            "size {} USD: {} sizes this contract in USD, so it is {} {}; if {} {} was meant, type \
             {} (USD)",
            Figure(row.size),
            i.venue.label(),
            Fixed(leg.quantity, 8),
            i.underlying,
            Figure(row.size),
            i.underlying,
            Fixed(row.size * leg.index, 2)
        ));
    }
    let linear_option = matches!(i.kind, Kind::Option { .. }) && i.settlement == Settlement::Linear;
    let premium = row.entry.or(row.mark).filter(|p| *p > 0.0);
    match premium {
        Some(p) if linear_option && p < 1.0 && leg.index >= 1_000.0 => Some(format!(
            "premium {} USD is under 1 USD with {} at {}: if it is in {} (as coin-settled options \
             are priced), it is {} USD",
            Figure(p),
            i.underlying,
            Fixed(leg.index, 2),
            i.underlying,
            Fixed(p * leg.index, 2)
        )),
        _ => None,
    }
}

/// "OKX inverse option: -120 contracts × 0.01 BTC = -1.2 BTC". Written into one string (three
/// `format!`s per row were 15 % of reading a 100,000-row book).
/// IVs further apart than this (absolute fraction, 2 vol points) make a mark and a row's IV
/// "disagree".
const MARK_IV_TOLERANCE: f64 = 0.02;

/// A row with both a mark price and an IV: the mark is the venue's number and is used; said when
/// the IV it implies is more than [`MARK_IV_TOLERANCE`] from the row's, or when it implies none.
fn mark_iv_note(row: &PositionRow, leg: &Leg) -> Option<String> {
    let (Some(iv), Some(mark)) = (row.iv, row.mark) else {
        return None;
    };
    let option = leg.option()?;
    let unit = if option.inverse {
        row.instrument.underlying.as_str()
    } else {
        "USD"
    };
    let forward = option.forward_ratio * leg.index;
    match option.vol_source {
        // The mark's own IV: the vol less any shift the user asked for.
        VolSource::Mark if (option.vol - option.vol_shift - iv).abs() > MARK_IV_TOLERANCE => {
            Some(format!(
            "the mark {} {unit} implies IV {} % at the forward {} USD, the row's IV is {} %: the \
             mark (the venue's number) is used; a gap this wide often means the venue prices on \
             another forward — type the expiry's forward",
            Figure(mark),
            Fixed((option.vol - option.vol_shift) * 100.0, 2),
            Fixed(forward, 2),
            Fixed(iv * 100.0, 2)
        ))
        }
        VolSource::Row => Some(format!(
            "the mark {} {unit} implies no volatility at the forward {} USD (outside the \
             option's no-arbitrage bounds): the row's IV {} % is used",
            Figure(mark),
            Fixed(forward, 2),
            Fixed(iv * 100.0, 2)
        )),
        _ => None,
    }
}

fn read_as(row: &PositionRow, leg: &Leg) -> String {
    use std::fmt::Write;
    let i = &row.instrument;
    let settlement = match i.settlement {
        Settlement::Inverse => "coin-settled ",
        Settlement::Linear => "USD-settled ",
        Settlement::Spot => "",
    };
    let coin = &i.underlying;
    let per_contract = |default: f64| row.multiplier.unwrap_or(default);
    let mut out = String::with_capacity(96);
    // Writing into a String cannot fail.
    let _ = write!(out, "{} {settlement}{}: ", i.venue.label(), i.kind_name());
    let _ = match i.size_unit {
        SizeUnit::Coin => write!(out, "{} {coin}", Figure(row.size)),
        SizeUnit::Usd => write!(
            out,
            "{} USD notional ≈ {} {coin}",
            Figure(row.size),
            Fixed(leg.quantity, 6)
        ),
        SizeUnit::Contracts { coins } => write!(
            out,
            "{} contracts × {} {coin} = {} {coin}",
            Figure(row.size),
            Figure(per_contract(coins)),
            Figure(leg.quantity)
        ),
        SizeUnit::UsdContracts { usd } => write!(
            out,
            "{} contracts × {} USD = {} USD notional ≈ {} {coin}",
            Figure(row.size),
            Figure(per_contract(usd)),
            Figure(row.size * per_contract(usd)),
            Fixed(leg.quantity, 6)
        ),
    };
    out
}

/// The report's underlyings: each one's expiries and collateral, then its positions' sums,
/// added one position at a time.
struct UnderlyingTotals(BTreeMap<String, UnderlyingReport>);

impl UnderlyingTotals {
    fn new(rows: &[PositionRow], collateral: &[Collateral], market: &Market) -> UnderlyingTotals {
        let mut out: BTreeMap<String, UnderlyingReport> = BTreeMap::new();
        let blank = |symbol: &str| UnderlyingReport {
            index: market.index(symbol),
            ..UnderlyingReport::default()
        };
        // Each underlying and expiry once (a book has few), before any string is made for them.
        let mut seen: Vec<(&str, Option<time::OffsetDateTime>)> = Vec::new();
        for row in rows {
            let symbol = row.instrument.underlying.as_str();
            let expiry = row.instrument.expiry();
            if seen.contains(&(symbol, expiry)) {
                continue;
            }
            seen.push((symbol, expiry));
            let entry = out
                .entry(symbol.to_string())
                .or_insert_with(|| blank(symbol));
            if let Some(expiry) = expiry {
                let code = expiry_code(expiry.date());
                if !entry.expiries.iter().any(|e| e.expiry == code) {
                    let years = year_fraction(market.valuation, expiry);
                    let forward = market.forward(symbol, expiry);
                    let index = market.index(symbol);
                    let ratio = forward.zip(index).map(|((f, _), s)| f / s);
                    let expired = years <= 0.0;
                    entry.expiries.push(ExpiryReport {
                        expiry: code,
                        expiry_time: format_instant(expiry),
                        years,
                        forward: forward.map(|f| f.0),
                        forward_source: forward.map(|f| f.1.name()),
                        basis: ratio.map(|r| r - 1.0),
                        basis_annualized: ratio.filter(|_| !expired).map(|r| r.ln() / years),
                        expired,
                        settlement: if expired {
                            market.settlement(symbol, expiry)
                        } else {
                            None
                        },
                        positions: 0,
                        value_usd: 0.0,
                        pnl_usd: 0.0,
                        delta: 0.0,
                        gamma: 0.0,
                        theta: 0.0,
                        vega: 0.0,
                        weighted_vega: 0.0,
                    });
                }
            }
        }
        for c in collateral {
            if let Some(symbol) = &c.underlying {
                out.entry(symbol.clone())
                    .or_insert_with(|| blank(symbol))
                    .collateral += c.amount;
            }
        }
        UnderlyingTotals(out)
    }

    /// Adds one position's figures to its underlying and expiry.
    fn add(&mut self, p: &PositionReport) {
        let Some(u) = self.0.get_mut(&*p.underlying) else {
            return;
        };
        u.positions += 1;
        u.value_usd += p.value_usd;
        u.pnl_usd += p.pnl_usd.unwrap_or(0.0);
        u.delta += p.delta;
        u.gamma += p.gamma;
        u.gamma_pct += p.gamma_pct;
        u.vega += p.vega;
        u.vega_coin += p.vega_coin;
        u.theta += p.theta;
        u.theta_coin += p.theta_coin;
        if let Some(e) = u
            .expiries
            .iter_mut()
            .find(|e| Some(e.expiry_time.as_str()) == p.expiry.as_deref())
        {
            let weighted = if e.years > 0.0 {
                p.vega * (30.0 / (e.years * 365.0)).sqrt()
            } else {
                0.0
            };
            e.positions += 1;
            e.value_usd += p.value_usd;
            e.pnl_usd += p.pnl_usd.unwrap_or(0.0);
            e.delta += p.delta;
            e.gamma += p.gamma;
            e.theta += p.theta;
            e.vega += p.vega;
            e.weighted_vega += weighted;
            u.weighted_vega += weighted;
        }
        u.rho += p.rho;
        u.vanna += p.vanna;
        u.volga += p.volga;
        u.charm += p.charm;
        u.coin_delta += p.coin_delta.unwrap_or(0.0);
    }

    fn finish(mut self) -> BTreeMap<String, UnderlyingReport> {
        for u in self.0.values_mut() {
            u.delta_with_collateral = u.delta + u.collateral;
            u.expiries.sort_by(|a, b| a.expiry_time.cmp(&b.expiry_time));
        }
        self.0
    }
}

fn account_report(
    account: &Account,
    state: AccountState,
    shocked: &Account,
    underlyings: &BTreeMap<String, UnderlyingReport>,
    vol_shock: f64,
) -> AccountReport {
    let balance = state.margin_balance();
    let liquidation = underlyings
        .iter()
        .filter_map(|(symbol, u)| {
            let index = u.index?;
            let moves = account.liquidation(symbol);
            let vol_up = shocked.liquidation(symbol);
            Some((
                symbol.clone(),
                liquidation_report(moves, vol_up, Some(index)),
            ))
        })
        .collect();
    let all = liquidation_report(account.liquidation_all(), shocked.liquidation_all(), None);
    let margin_detail = account
        .underlyings()
        .flat_map(|(symbol, _)| account.detail(symbol))
        .map(detail_report)
        .collect();
    AccountReport {
        collateral_usd: account.collateral_usd(),
        equity_usd: state.equity,
        margin_balance_usd: balance,
        initial_margin_usd: state.initial,
        maintenance_margin_usd: state.maintenance,
        available_usd: balance - state.initial,
        headroom_usd: balance - state.maintenance,
        im_usage: (balance > 0.0).then(|| state.initial / balance),
        mm_usage: state.mm_usage(),
        liquidatable: state.is_liquidatable(),
        liquidation,
        liquidation_all: all,
        vol_shock_up: vol_shock,
        margin_detail,
        first_to_liquidate: None,
        collateral_transfer: None,
    }
}

fn liquidation_report(
    moves: Liquidation,
    vol_up: Liquidation,
    index: Option<f64>,
) -> LiquidationReport {
    let price = |m: Option<f64>| index.zip(m).map(|(s, m)| s * (1.0 + m));
    LiquidationReport {
        down: moves.down,
        up: moves.up,
        down_price: price(moves.down),
        up_price: price(moves.up),
        down_vol_up: vol_up.down,
        up_vol_up: vol_up.up,
    }
}

fn detail_report(detail: Detail) -> MarginDetailReport {
    match detail {
        Detail::Pool {
            underlying,
            inverse,
            pack,
            margin,
        } => MarginDetailReport {
            currency: if inverse {
                underlying.clone()
            } else {
                "USD".into()
            },
            underlying,
            method: pack,
            worst_case: margin.worst_case,
            worst_scenario: margin.worst_scenario,
            roll_shock: Some(margin.roll_shock),
            delta_shock: Some(margin.delta_shock),
            spread_charge: None,
            short_option_minimum: None,
            initial_margin: margin.initial,
            maintenance_margin: margin.maintenance,
            initial_margin_usd: margin.initial_usd,
            maintenance_margin_usd: margin.maintenance_usd,
            scenarios: margin.scenarios,
        },
        Detail::Span { underlying, margin } => MarginDetailReport {
            underlying,
            currency: "USD".into(),
            method: "span".into(),
            worst_case: margin.scan_risk,
            worst_scenario: margin.worst_scenario,
            roll_shock: None,
            delta_shock: None,
            spread_charge: Some(margin.spread_charge),
            short_option_minimum: Some(margin.short_option_minimum),
            initial_margin: margin.initial,
            maintenance_margin: margin.maintenance,
            initial_margin_usd: margin.initial,
            maintenance_margin_usd: margin.maintenance,
            scenarios: margin.scenarios,
        },
    }
}
