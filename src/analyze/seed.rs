//! The market the user did not type, seeded from what was pasted: the book's rows (dated futures'
//! marks, the index and forwards a venue's response quotes with each position) and a market
//! snapshot (`market.snapshot`). What the user typed always wins; everything seeded is said in a
//! note naming where it came from.

use crate::calendar::{expiry_code, year_fraction};
use crate::figure::{Figure, Fixed};
use crate::input::snapshot::{Quote, Snapshot};
use crate::input::PositionRow;
use crate::instrument::{Kind, Settlement};
use crate::market::{ForwardSource, Market};
use crate::pricing::black::OptionKind;
use crate::pricing::implied::implied_black_vol;
use crate::volatility::SmileSpec;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// Rows quoting indexes further apart than this (fraction) get a warning.
const INDEX_SPREAD: f64 = 0.01;

/// Seeds `market` from the rows and the snapshot; returns one note per thing seeded.
pub(super) fn seed_market(
    market: &mut Market,
    rows: &[&PositionRow],
    snapshot: Option<&Snapshot>,
) -> Vec<String> {
    let quotes: &[Quote] = snapshot.map_or(&[], |s| &s.quotes);
    let from = snapshot_name(snapshot);
    let mut notes = Vec::new();
    notes.extend(seed_indexes(market, rows, quotes, &from));
    notes.extend(seed_forwards(market, rows, quotes, &from));
    notes.extend(seed_smiles(market, rows, quotes, &from));
    if let Some(s) = snapshot {
        notes.extend(s.errors.iter().map(|e| {
            format!(
                "market.snapshot line {}: {} (this quote was not used)",
                e.line, e.message
            )
        }));
    }
    notes
}

/// "the Deribit snapshot" or "the snapshot".
fn snapshot_name(snapshot: Option<&Snapshot>) -> String {
    match snapshot.and_then(|s| s.venue) {
        Some(venue) => format!("the {} snapshot", venue.label()),
        None => "the snapshot".into(),
    }
}

/// One candidate for an underlying's index: its value, and where it came from.
struct IndexCandidate {
    value: f64,
    source: String,
    approximate: bool,
}

fn seed_indexes(
    market: &mut Market,
    rows: &[&PositionRow],
    quotes: &[Quote],
    from: &str,
) -> Vec<String> {
    let mut candidates: BTreeMap<String, Vec<IndexCandidate>> = BTreeMap::new();
    let mut add = |underlying: &str, candidate: IndexCandidate| {
        candidates
            .entry(underlying.to_string())
            .or_default()
            .push(candidate)
    };
    // Quoted indexes first (the snapshot's, then the rows'), then perpetuals' marks.
    for q in quotes {
        if let Some(value) = q.index {
            add(
                &q.instrument.underlying,
                IndexCandidate {
                    value,
                    source: format!("the index price in {from} (line {})", q.line),
                    approximate: false,
                },
            );
        }
    }
    for row in rows {
        if let Some(value) = row.index {
            add(
                &row.instrument.underlying,
                IndexCandidate {
                    value,
                    source: format!(
                        "the index price of line {} ({})",
                        row.line, row.instrument.name
                    ),
                    approximate: false,
                },
            );
        }
    }
    let perpetual_marks = quotes
        .iter()
        .filter(|q| q.instrument.kind == Kind::Perpetual)
        .filter_map(|q| {
            q.mark.map(|m| {
                (
                    &q.instrument.underlying,
                    m,
                    format!(
                        "the mark of {} in {from} (line {})",
                        q.instrument.name, q.line
                    ),
                )
            })
        })
        .chain(
            rows.iter()
                .filter(|r| r.instrument.kind == Kind::Perpetual)
                .filter_map(|r| {
                    r.mark.map(|m| {
                        (
                            &r.instrument.underlying,
                            m,
                            format!("the mark of {} on line {}", r.instrument.name, r.line),
                        )
                    })
                }),
        );
    for (underlying, value, source) in perpetual_marks {
        add(
            underlying,
            IndexCandidate {
                value,
                source,
                approximate: true,
            },
        );
    }

    let mut notes = Vec::new();
    for (underlying, found) in candidates {
        if market.index(&underlying).is_some() {
            continue;
        }
        // Exact quotes outrank approximations; among them the first given.
        let exact: Vec<&IndexCandidate> = found.iter().filter(|c| !c.approximate).collect();
        let pool: Vec<&IndexCandidate> = if exact.is_empty() {
            found.iter().collect()
        } else {
            exact
        };
        let chosen = pool[0];
        market
            .underlyings
            .entry(underlying.clone())
            .or_default()
            .index = Some(chosen.value);
        let how = if chosen.approximate {
            "approximated by"
        } else {
            "from"
        };
        notes.push(format!(
            "{underlying} index {} USD {how} {}: market.underlyings.{underlying}.index was not \
             given",
            Fixed(chosen.value, 2),
            chosen.source
        ));
        let low = pool.iter().map(|c| c.value).fold(f64::INFINITY, f64::min);
        let high = pool.iter().map(|c| c.value).fold(0.0, f64::max);
        if high / low - 1.0 > INDEX_SPREAD {
            notes.push(format!(
                "{underlying} index: the pasted figures range from {} to {} USD ({} % apart); \
                 the first was used — type the index if another is meant",
                Fixed(low, 2),
                Fixed(high, 2),
                Fixed((high / low - 1.0) * 100.0, 1)
            ));
        }
    }
    notes
}

fn seed_forwards(
    market: &mut Market,
    rows: &[&PositionRow],
    quotes: &[Quote],
    from: &str,
) -> Vec<String> {
    // (underlying, date) → (forward, source, where), first found wins: futures' marks (book,
    // then snapshot), then quoted forwards (snapshot, then rows). The book's futures were always
    // used (and are reported per expiry), so they carry no note.
    let mut found: BTreeMap<(String, Date), (f64, ForwardSource, Option<String>)> = BTreeMap::new();
    let mut add = |underlying: &str, date: Date, value: f64, source, place: Option<String>| {
        found
            .entry((underlying.to_string(), date))
            .or_insert((value, source, place));
    };
    for row in rows {
        if let (Kind::Future { expiry }, Some(mark)) = (row.instrument.kind, row.mark) {
            add(
                &row.instrument.underlying,
                expiry.date(),
                mark,
                ForwardSource::Future,
                None,
            );
        }
    }
    for q in quotes {
        if let (Kind::Future { expiry }, Some(mark)) = (q.instrument.kind, q.mark) {
            let place = Some(format!("the mark of {} in {from}", q.instrument.name));
            add(
                &q.instrument.underlying,
                expiry.date(),
                mark,
                ForwardSource::Future,
                place,
            );
        }
    }
    for q in quotes {
        if let (Some(expiry), Some(forward)) = (q.instrument.expiry(), q.forward) {
            let place = Some(format!("the forward quoted in {from}"));
            add(
                &q.instrument.underlying,
                expiry.date(),
                forward,
                ForwardSource::Quoted,
                place,
            );
        }
    }
    for row in rows {
        if let (Some(expiry), Some(forward)) = (row.instrument.expiry(), row.forward) {
            let place = Some(format!("the forward quoted on line {}", row.line));
            add(
                &row.instrument.underlying,
                expiry.date(),
                forward,
                ForwardSource::Quoted,
                place,
            );
        }
    }

    let mut by_underlying: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((underlying, date), (value, source, place)) in found {
        let typed = market
            .underlying(&underlying)
            .is_some_and(|u| u.forwards.contains_key(&date));
        market
            .book_forwards
            .insert((underlying.clone(), date), (value, source));
        let Some(place) = place.filter(|_| !typed) else {
            continue;
        };
        by_underlying.entry(underlying).or_default().push(format!(
            "{} {} USD ({place})",
            expiry_code(date),
            Fixed(value, 2)
        ));
    }
    by_underlying
        .into_iter()
        .map(|(underlying, list)| {
            format!(
                "{underlying} forwards not typed, taken from what was pasted: {}",
                list.join(", ")
            )
        })
        .collect()
}

fn seed_smiles(
    market: &mut Market,
    rows: &[&PositionRow],
    quotes: &[Quote],
    from: &str,
) -> Vec<String> {
    if quotes.is_empty() {
        return Vec::new();
    }
    // The expiries the book holds options on.
    let wanted: BTreeSet<(String, Date)> = rows
        .iter()
        .filter_map(|r| match r.instrument.kind {
            Kind::Option { expiry, .. } => Some((r.instrument.underlying.clone(), expiry.date())),
            _ => None,
        })
        .collect();
    let mut notes = Vec::new();
    for (underlying, date) in wanted {
        let typed = market
            .underlying(&underlying)
            .is_some_and(|u| u.smiles.contains_key(&date) || u.atm_vols.contains_key(&date));
        if typed {
            continue;
        }
        let Some((forward, _)) = market.forward(&underlying, crate::calendar::at_expiry_hour(date))
        else {
            continue;
        };
        let years = year_fraction(market.valuation, crate::calendar::at_expiry_hour(date));
        if years <= 0.0 {
            continue;
        }
        let index = market.index(&underlying).unwrap_or(forward);
        // Per strike, the out-of-the-money option's IV (puts below the forward, calls above),
        // else the other's.
        let mut by_strike: BTreeMap<u64, (f64, f64, bool)> = BTreeMap::new();
        for q in quotes {
            let Kind::Option {
                expiry,
                strike,
                option,
            } = q.instrument.kind
            else {
                continue;
            };
            if q.instrument.underlying != underlying || expiry.date() != date {
                continue;
            }
            let iv = q.iv.or_else(|| {
                let mark = q.mark?;
                let usd = if q.instrument.settlement == Settlement::Inverse {
                    mark * index
                } else {
                    mark
                };
                let undiscounted = usd * (market.rate * years).exp();
                implied_black_vol(undiscounted, forward, strike, years, option)
            });
            let Some(iv) = iv else { continue };
            let out_of_the_money = match option {
                OptionKind::Call => strike >= forward,
                OptionKind::Put => strike < forward,
            };
            let slot = by_strike
                .entry(strike.to_bits())
                .or_insert((strike, iv, out_of_the_money));
            if out_of_the_money && !slot.2 {
                *slot = (strike, iv, true);
            }
        }
        if by_strike.is_empty() {
            continue;
        }
        let mut points: Vec<(f64, f64)> = by_strike.values().map(|(k, v, _)| (*k, *v)).collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (low, high) = (points[0].0, points[points.len() - 1].0);
        notes.push(format!(
            "{underlying} {} smile from the mark IVs in {from}: {} strikes, {} to {} USD (held \
             flat beyond)",
            expiry_code(date),
            points.len(),
            Figure(low),
            Figure(high)
        ));
        market
            .underlyings
            .entry(underlying.clone())
            .or_default()
            .smiles
            .insert(date, SmileSpec::Points(points));
    }
    notes
}
