//! The attribution step: the earlier snapshot read and valued, each position held matched to
//! today's, and their P&L explained ([`crate::attribution`]).

use super::seed_market;
use crate::account::Collateral;
use crate::attribution::{
    terms, AttributionReport, AttributionRequest, Change, CollateralBeta, Method,
    PositionAttribution, Terms,
};
use crate::calendar::{format_instant, year_fraction};
use crate::figure::Figure;
use crate::input::{read_book, Book, PositionRow};
use crate::market::Market;
use crate::request::{Request, RequestError};
use crate::valuation::resolve;

pub(super) fn attribution_report(
    attribution: &AttributionRequest,
    request: &Request,
    today: &Market,
    book: &Book,
    collateral: &[Collateral],
) -> Result<AttributionReport, RequestError> {
    let method = Method::parse(attribution.method.as_deref())
        .map_err(|m| RequestError::new("attribution.method", m))?;
    let mut then = attribution
        .from
        .market
        .validate()
        .map_err(|e| RequestError::new(format!("attribution.from.{}", e.field), e.message))?;
    let days = year_fraction(then.valuation, today.valuation) * 365.0;
    if days < 0.0 {
        return Err(RequestError::new(
            "attribution.from.market.valuationTime",
            "must be before today's valuation",
        ));
    }
    let mut notes = Vec::new();
    let earlier: Book;
    let rows_then: Vec<PositionRow> = match &attribution.from.positions {
        Some(input) => {
            earlier = read_book(input, request.venue_setting()?);
            for e in &earlier.errors {
                notes.push(format!(
                    "attribution.from.positions line {}: {}",
                    e.line, e.message
                ));
            }
            earlier.rows.clone()
        }
        None => {
            notes.push(
                "today's positions, held since the earlier snapshot; their marks and IVs are \
                 today's, so at the earlier time they are valued on its market's vols and \
                 forwards"
                    .into(),
            );
            book.rows
                .iter()
                .map(|r| PositionRow {
                    mark: None,
                    iv: None,
                    index: None,
                    forward: None,
                    ..r.clone()
                })
                .collect()
        }
    };
    let seeded_rows: Vec<&PositionRow> = rows_then.iter().collect();
    notes.extend(seed_market(&mut then, &seeded_rows, None));

    let mut total = Terms::default();
    let mut positions = Vec::new();
    for row in &rows_then {
        let Ok(leg_then) = resolve(row, &then) else {
            notes.push(format!(
                "line {} ({}): cannot be valued at the earlier snapshot; not attributed",
                row.line, row.instrument.name
            ));
            continue;
        };
        // The same position today: today's row of the instrument (its mark and IV), held at the
        // earlier size and entry; else the earlier row on today's market.
        let now_row = match book.rows.iter().find(|r| {
            r.instrument.name == row.instrument.name && r.instrument.venue == row.instrument.venue
        }) {
            Some(r) => PositionRow {
                size: row.size,
                entry: row.entry,
                multiplier: row.multiplier,
                ..r.clone()
            },
            None => PositionRow {
                mark: None,
                iv: None,
                ..row.clone()
            },
        };
        let Ok(leg_now) = resolve(&now_row, today) else {
            notes.push(format!(
                "line {} ({}): cannot be valued today; not attributed",
                row.line, row.instrument.name
            ));
            continue;
        };
        let change = Change {
            index: (leg_then.index, leg_now.index),
            days,
            rate: (then.rate, today.rate),
        };
        let t = terms(&leg_then, &leg_now, &change, method);
        total.add(&t);
        positions.push(PositionAttribution {
            line: row.line,
            instrument: row.instrument.name.clone(),
            underlying: row.instrument.underlying.clone(),
            terms: t,
        });
    }

    let collateral_beta = collateral
        .iter()
        .filter_map(|c| {
            let u = c.underlying.as_deref()?;
            let before = then.index(u);
            if before.is_none() {
                notes.push(format!(
                    "{u} collateral: no index at the earlier snapshot, its move is not attributed"
                ));
            }
            Some(CollateralBeta {
                currency: c.currency.clone(),
                amount: c.amount,
                pnl_usd: c.amount * (c.price - before?),
            })
        })
        .collect();
    let new_positions = if attribution.from.positions.is_some() {
        book.rows
            .iter()
            .filter(|r| {
                !rows_then.iter().any(|t| {
                    t.instrument.name == r.instrument.name
                        && t.instrument.venue == r.instrument.venue
                })
            })
            .map(|r| r.instrument.name.clone())
            .collect()
    } else {
        Vec::new()
    };
    if method != Method::Waterfall && total.pnl_usd != 0.0 {
        let share = total.unexplained_usd / total.pnl_usd.abs();
        if share.abs() > 0.1 {
            notes.push(format!(
                "the terms leave {} % of the P&L unexplained: the move is large for a Taylor \
                 expansion — the waterfall method revalues each step exactly",
                Figure((share * 1000.0).round() / 10.0)
            ));
        }
    }
    Ok(AttributionReport {
        method: method.name(),
        from: format_instant(then.valuation),
        to: format_instant(today.valuation),
        total,
        positions,
        collateral: collateral_beta,
        new_positions,
        notes,
    })
}
