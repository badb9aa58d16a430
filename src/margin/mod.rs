//! Margin models. Parameters are data (named, dated packs), not code. Every model answers one
//! question: the initial and maintenance margin of one underlying's legs with its index at a given
//! factor, so the account and the liquidation search work the same under each.

pub mod portfolio;
pub mod span;
pub mod standard;

pub use standard::StandardMargin;

use crate::valuation::Leg;
use portfolio::{pool_margin, PmPack, PoolMargin};
use span::{underlying_margin, SpanMargin, SpanParams};
use standard::Requirement;
use std::collections::BTreeMap;

/// The margin model of a request.
#[derive(Clone, Debug)]
pub enum MarginModel {
    /// Per-position margin; long options are not collateral.
    Standard(StandardMargin),
    /// Deribit-style risk matrix, a pack per underlying.
    DeribitPm(BTreeMap<String, PmPack>),
    /// SPAN-16 with the user's parameters.
    Span(SpanParams),
}

/// How one underlying's requirement was formed, for the report.
#[derive(Clone, Debug)]
pub enum Detail {
    Pool {
        underlying: String,
        inverse: bool,
        pack: String,
        margin: PoolMargin,
    },
    Span {
        underlying: String,
        margin: SpanMargin,
    },
}

impl MarginModel {
    pub fn name(&self) -> &'static str {
        match self {
            MarginModel::Standard(_) => "standard",
            MarginModel::DeribitPm(_) => "deribit-pm",
            MarginModel::Span(_) => "span",
        }
    }

    /// Whether long options are left out of the margin balance (standard margin only: the other
    /// models price them in their scenarios).
    pub fn excludes_long_options(&self) -> bool {
        matches!(self, MarginModel::Standard(_))
    }

    /// IM and MM (USD) of one underlying's legs with its index at `factor` times its level.
    pub fn requirement(&self, underlying: &str, legs: &[&Leg], factor: f64) -> Requirement {
        match self {
            MarginModel::Standard(m) => legs.iter().fold(Requirement::default(), |total, leg| {
                let r = leg.state(factor, m).margin;
                Requirement {
                    initial: total.initial + r.initial,
                    maintenance: total.maintenance + r.maintenance,
                }
            }),
            MarginModel::DeribitPm(packs) => {
                let pack = pack_for(packs, underlying);
                pools(legs)
                    .into_iter()
                    .fold(Requirement::default(), |total, (inverse, pool)| {
                        let m = pool_margin(&pool, factor, inverse, &pack);
                        Requirement {
                            initial: total.initial + m.initial_usd,
                            maintenance: total.maintenance + m.maintenance_usd,
                        }
                    })
            }
            MarginModel::Span(p) => {
                let derivatives = derivatives(legs);
                let m = underlying_margin(&derivatives, factor, p);
                Requirement {
                    initial: m.initial,
                    maintenance: m.maintenance,
                }
            }
        }
    }

    /// The scenario detail of one underlying at the valuation (none under standard margin).
    pub fn detail(&self, underlying: &str, legs: &[&Leg]) -> Vec<Detail> {
        match self {
            MarginModel::Standard(_) => Vec::new(),
            MarginModel::DeribitPm(packs) => {
                let pack = pack_for(packs, underlying);
                pools(legs)
                    .into_iter()
                    .map(|(inverse, pool)| Detail::Pool {
                        underlying: underlying.to_string(),
                        inverse,
                        pack: pack.name.clone(),
                        margin: pool_margin(&pool, 1.0, inverse, &pack),
                    })
                    .collect()
            }
            MarginModel::Span(p) => {
                let derivatives = derivatives(legs);
                if derivatives.is_empty() {
                    return Vec::new();
                }
                vec![Detail::Span {
                    underlying: underlying.to_string(),
                    margin: underlying_margin(&derivatives, 1.0, p),
                }]
            }
        }
    }
}

/// The pack of an underlying: resolved with the user's overrides, else the published one.
fn pack_for(packs: &BTreeMap<String, PmPack>, underlying: &str) -> PmPack {
    packs
        .get(underlying)
        .cloned()
        .unwrap_or_else(|| PmPack::published(underlying))
}

/// The legs a scenario margin re-values (not holdings or settled legs).
fn derivatives<'a>(legs: &[&'a Leg]) -> Vec<&'a Leg> {
    legs.iter().copied().filter(|l| l.is_derivative()).collect()
}

/// An underlying's derivatives split into its coin-settled pool and its USD-settled pool.
fn pools<'a>(legs: &[&'a Leg]) -> Vec<(bool, Vec<&'a Leg>)> {
    let mut out = Vec::new();
    for inverse in [true, false] {
        let pool: Vec<&Leg> = legs
            .iter()
            .copied()
            .filter(|l| l.is_derivative() && l.is_inverse() == inverse)
            .collect();
        if !pool.is_empty() {
            out.push((inverse, pool));
        }
    }
    out
}
