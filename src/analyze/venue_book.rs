//! A venue account changed by trades and collateral: the what-if on venue accounts, and what the
//! rebalance of a venue account re-values. A trade on an instrument the account holds (outside an
//! isolated position) changes that position, as a venue keeps one position per instrument: an
//! increase averages the entry, a reduction keeps it and realises its P&L into the collateral.
//! Other trades are positions of their own; the account is then split into its pools again and
//! margined by its venue's engine.

use super::*;
use crate::valuation::Model;
use crate::venue::{
    partition, pool_underlyings, sum_states, AccountLeg, AccountMode, PreparedAccount, VenueEngine,
};
use std::collections::BTreeMap;

/// One analysed venue account, as the what-if and the rebalance read it.
pub(super) struct VenueAccount<'a> {
    pub(super) id: &'a str,
    pub(super) engine: &'static dyn VenueEngine,
    pub(super) account: &'a PreparedAccount,
    /// The account's valued rows, by each leg's `position`.
    pub(super) rows: &'a [&'a PositionRow],
    pub(super) book: &'a crate::input::Book,
    /// The account as its report gives it (the what-if's and the rebalance's "before").
    pub(super) snapshot: AccountSnapshot,
}

impl VenueAccount<'_> {
    /// Every leg of the account (its pools' in order) and the collateral of its shared pools.
    pub(super) fn flattened(&self) -> (Vec<AccountLeg>, Vec<Collateral>) {
        flatten(self.account)
    }

    /// The expiry code (`27MAR26`) of a leg of the account's own rows; `None` for a perpetual,
    /// or a leg a trade added.
    pub(super) fn code(&self, leg: &AccountLeg) -> Option<String> {
        self.rows
            .get(leg.position)
            .and_then(|r| r.instrument.expiry())
            .map(|e| expiry_code(e.date()))
    }

    /// The account with `trades` added and `collateral` added to its shared pools.
    pub(super) fn changed(
        &self,
        trades: Vec<AccountLeg>,
        collateral: &[Collateral],
    ) -> PreparedAccount {
        changed(self.engine, self.account, trades, collateral)
    }
}

pub(super) fn flatten(account: &PreparedAccount) -> (Vec<AccountLeg>, Vec<Collateral>) {
    let legs = account
        .pools
        .iter()
        .flat_map(|p| p.legs.iter().cloned())
        .collect();
    let collateral = account
        .pools
        .iter()
        .filter(|p| !p.isolated)
        .flat_map(|p| p.collateral.iter().cloned())
        .collect();
    (legs, collateral)
}

/// Whether a leg stands alone on its own margin in an account of `mode`.
fn isolated(leg: &AccountLeg, mode: AccountMode) -> bool {
    match leg.mode {
        Some(crate::input::RowMarginMode::Isolated) => true,
        Some(crate::input::RowMarginMode::Cross) => false,
        None => mode == AccountMode::Isolated,
    }
}

/// `account` with `trades` added (netted into held positions, see the module) and `collateral`
/// added to its shared pools. An isolated trade's margin is taken from the account's USD.
pub(super) fn changed(
    engine: &dyn VenueEngine,
    account: &PreparedAccount,
    trades: Vec<AccountLeg>,
    collateral: &[Collateral],
) -> PreparedAccount {
    let (mut legs, mut all_collateral) = flatten(account);
    all_collateral.extend_from_slice(collateral);
    let mut next = legs.iter().map(|l| l.position + 1).max().unwrap_or(0);
    for mut trade in trades {
        if isolated(&trade, account.mode) {
            let margin = trade
                .isolated_margin
                .unwrap_or_else(|| engine.default_isolated_margin(&account.pack, &trade));
            trade.isolated_margin = Some(margin);
            all_collateral.push(usd(-margin));
        } else {
            let same = |held: &AccountLeg, trade: &AccountLeg| {
                !isolated(held, account.mode)
                    && (held.instrument == trade.instrument || same_contract(&held.leg, &trade.leg))
            };
            // Rows held the other way are closed in turn (several rows of one instrument are
            // one position at the venue); what is left adds to a row held the same way.
            while let Some(i) = legs
                .iter()
                .position(|h| same(h, &trade) && h.leg.quantity * trade.leg.quantity < 0.0)
            {
                let (held, size) = (legs[i].leg.quantity.abs(), trade.leg.quantity.abs());
                let part = if size > held * (1.0 + 1e-12) {
                    trade.leg.scaled(held / size)
                } else {
                    trade.leg.clone()
                };
                let Some(realised) = net_position(&mut legs[i].leg, &part) else {
                    break;
                };
                all_collateral.push(realised);
                if legs[i].leg.quantity.abs() <= 1e-12 * held.max(size) {
                    legs.remove(i);
                }
                if part.quantity.abs() >= size * (1.0 - 1e-12) {
                    trade.leg.quantity = 0.0;
                    break;
                }
                trade.leg = trade.leg.scaled(1.0 - held / size);
            }
            if trade.leg.quantity == 0.0 {
                continue;
            }
            if let Some(i) = legs.iter().position(|h| same(h, &trade)) {
                if let Some(realised) = net_position(&mut legs[i].leg, &trade.leg) {
                    all_collateral.push(realised);
                    continue;
                }
            }
        }
        trade.position = next;
        next += 1;
        legs.push(trade);
    }
    let mut notes = Vec::new();
    PreparedAccount {
        mode: account.mode,
        pools: partition(
            engine,
            account.mode,
            &account.pack,
            legs,
            &all_collateral,
            &mut notes,
        ),
        pack: account.pack.clone(),
        approximations: Vec::new(),
    }
}

/// USD (as USDC) of the account's collateral.
pub(super) fn usd(amount: f64) -> Collateral {
    Collateral {
        currency: "USDC".into(),
        amount,
        price: 1.0,
        underlying: None,
    }
}

/// Adds a trade to the position it is on, as a venue does: an increase at the size-weighted
/// entry, a reduction at the held entry, a flip at the trade's; returns the P&L the change
/// realises (collateral: USD for linear contracts, coin for inverse ones), or `None` when the two
/// are not the same kind of position.
fn net_position(held: &mut Leg, trade: &Leg) -> Option<Collateral> {
    // The entry kept: weighted (same side), held (reduced), the trade's (flipped).
    fn kept(q1: f64, e1: f64, q2: f64, e2: f64) -> f64 {
        let q = q1 + q2;
        if q1 * q2 >= 0.0 {
            (q1 * e1 + q2 * e2) / q
        } else if q * q1 >= 0.0 {
            e1
        } else {
            e2
        }
    }
    let index = held.index;
    let realised = match (&mut held.model, &trade.model) {
        (Model::Option(h), Model::Option(t)) => {
            h.coins += t.coins;
            None
        }
        (
            Model::LinearFuture {
                coins: c1,
                entry: e1,
                ..
            },
            Model::LinearFuture {
                coins: c2,
                entry: e2,
                ..
            },
        ) => {
            let e = kept(*c1, *e1, *c2, *e2);
            // Σ q·(m − e) = (q1 + q2)·(m − e) + q1·(e − e1) + q2·(e − e2).
            let pnl = *c1 * (e - *e1) + *c2 * (e - *e2);
            *c1 += *c2;
            *e1 = e;
            Some(usd(pnl))
        }
        (
            Model::InverseFuture {
                notional: n1,
                entry: e1,
                ..
            },
            Model::InverseFuture {
                notional: n2,
                entry: e2,
                ..
            },
        ) => {
            // In 1/price, inverse contracts are linear.
            let inv = kept(*n1, 1.0 / *e1, *n2, 1.0 / *e2);
            let coins = *n1 * (1.0 / *e1 - inv) + *n2 * (1.0 / *e2 - inv);
            *n1 += *n2;
            *e1 = 1.0 / inv;
            Some(Collateral {
                currency: held.underlying.clone(),
                amount: coins,
                price: index,
                underlying: Some(held.underlying.clone()),
            })
        }
        _ => return None,
    };
    held.quantity += trade.quantity;
    Some(realised.unwrap_or_else(|| usd(0.0)))
}

/// The valued rows (with their legs) as positions of a venue account: each row's margin mode,
/// isolated margin and leverage kept; a row the venue refuses becomes an error. Returns the rows
/// kept and their positions (`position` their index among them).
pub(super) fn account_legs<'r>(
    rows: Vec<&'r PositionRow>,
    legs: Vec<Leg>,
    engine: &dyn VenueEngine,
    errors: &mut Vec<ErrorReport>,
) -> (Vec<&'r PositionRow>, Vec<AccountLeg>) {
    let mut kept_rows = Vec::new();
    let mut kept = Vec::new();
    for (row, leg) in rows.into_iter().zip(legs) {
        let position = AccountLeg {
            position: kept_rows.len(),
            instrument: row.instrument.name.clone(),
            kind: row.instrument.kind,
            settlement: row.instrument.settlement,
            leg,
            mode: row.margin_mode,
            isolated_margin: row.isolated_margin,
            leverage: row.leverage,
        };
        if let Some(reason) = engine.refuses(&position) {
            errors.push(ErrorReport {
                account: None,
                line: row.line,
                item: row.item,
                message: reason,
                text: row.text.clone(),
            });
            continue;
        }
        kept_rows.push(row);
        kept.push(position);
    }
    (kept_rows, kept)
}

/// What the what-if makes of a venue account: the report, and the account changed.
pub(super) struct VenueWhatIf {
    pub(super) report: WhatIfReport,
    pub(super) after: PreparedAccount,
}

/// The what-if on one venue account: its rows read with the account's venue, refused where the
/// venue refuses them, premiums paid at their entry (else at their mark), `extra` collateral
/// added (the rebalance's fees and transfers), the account re-margined by its engine.
pub(super) fn venue_what_if(
    input: &crate::input::PositionsInput,
    account: &VenueAccount,
    extra: &[Collateral],
    market: &Market,
) -> VenueWhatIf {
    let margin = StandardMargin::deribit();
    let book = read_book(input, Some(account.engine.venue()));
    let (rows, added, mut errors) = value_rows(&book, market);
    let (kept_rows, trades) = account_legs(rows, added, account.engine, &mut errors);
    by_line(&mut errors);
    let legs: Vec<Leg> = trades.iter().map(|t| t.leg.clone()).collect();
    let (mut paid, premium_usd) = pay_premium(&[], &kept_rows, &legs, &margin);
    paid.extend_from_slice(extra);
    let positions = kept_rows
        .iter()
        .zip(&legs)
        .map(|(row, leg)| {
            let mut p = position_report(row, leg, &margin, false).into_owned();
            p.account = Some(Cow::Owned(account.id.to_string()));
            p
        })
        .collect();
    let after = account.changed(trades, &paid);
    let report = WhatIfReport {
        positions,
        errors: errors
            .into_iter()
            .map(|e| ErrorReport {
                account: Some(account.id.to_string()),
                ..e
            })
            .collect(),
        premium_usd,
        long_options_rule: None,
        before: account.snapshot.clone(),
        after: venue_snapshot(account.engine, &after),
    };
    VenueWhatIf { report, after }
}

/// An account's report as the figures a trade changes.
pub(super) fn report_snapshot(r: &VenueAccountReport) -> AccountSnapshot {
    AccountSnapshot {
        equity_usd: r.equity_usd,
        initial_margin_usd: r.initial_margin_usd,
        maintenance_margin_usd: r.maintenance_margin_usd,
        available_usd: r.available_usd,
        headroom_usd: r.headroom_usd,
        mm_usage: r.mm_usage,
        underlyings: r.underlyings.clone(),
    }
}

/// The figures a trade changes, for a venue account: sums over its pools, each underlying's
/// nearest liquidation over the pools that hold it (as its report takes it), and its Greeks.
pub(super) fn venue_snapshot(
    engine: &dyn VenueEngine,
    account: &PreparedAccount,
) -> AccountSnapshot {
    let pools = engine.pools(account);
    let state = sum_states(&pools, &|_| 1.0);
    let mut underlyings: BTreeMap<String, SnapshotUnderlying> = BTreeMap::new();
    for pool in &pools {
        for u in pool_underlyings(pool.as_ref()) {
            let l = pool.liquidation(&u);
            let e = underlyings.entry(u).or_default();
            e.down = match (e.down, l.down) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            e.up = match (e.up, l.up) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        for l in &pool.spec().legs {
            underlyings
                .entry(l.leg.underlying.clone())
                .or_default()
                .add(&l.leg.greeks());
        }
    }
    snapshot_of(&state, underlyings)
}
