//! Margin models. Parameters are data (named, dated packs), not code. Every model answers one
//! question: the initial and maintenance margin of one underlying's legs with its index at a given
//! factor, so the account and the liquidation search work the same under each.

pub mod portfolio;
pub mod span;
pub mod standard;

pub use standard::StandardMargin;

use crate::kernel::{Kernel, Pool};
use crate::valuation::Leg;
use portfolio::{
    pool_maintenance_bound, pool_margin, pool_requirement, PmPack, PoolMargin, ScenarioBounds,
};
use span::{underlying_margin, SpanMargin, SpanParams};
use standard::Requirement;
use std::borrow::Cow;
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

    /// The kernel of one underlying's legs, with the model's shocked volatilities filled in.
    pub fn kernel(&self, underlying: &str, legs: &[&Leg]) -> Kernel {
        // Standard margin charges short options per position: long and short stay apart.
        let per_side = matches!(self, MarginModel::Standard(_));
        let mut kernel = Kernel::new(legs, per_side);
        self.prepare(underlying, &mut kernel);
        kernel
    }

    /// Fills a kernel's shocked-volatility columns for this model (after its vols changed).
    pub fn prepare(&self, underlying: &str, kernel: &mut Kernel) {
        match self {
            MarginModel::Standard(_) => {}
            MarginModel::DeribitPm(packs) => {
                portfolio::prepare(kernel, &pack_for(packs, underlying))
            }
            MarginModel::Span(p) => span::prepare(kernel, p),
        }
    }

    /// IM and MM (USD) of one underlying's legs with its index at `factor` times its level. The
    /// kernel must come from [`MarginModel::kernel`].
    pub fn requirement(&self, underlying: &str, kernel: &Kernel, factor: f64) -> Requirement {
        match self {
            MarginModel::Standard(m) => m.requirement(underlying, kernel, factor),
            MarginModel::DeribitPm(packs) => {
                let pack = pack_for(packs, underlying);
                let mut total = Requirement::default();
                for pool in Pool::BOTH {
                    let m = pool_margin(kernel, pool, factor, &pack);
                    total.add(Requirement {
                        initial: m.initial_usd,
                        maintenance: m.maintenance_usd,
                    });
                }
                total
            }
            MarginModel::Span(p) => {
                let m = underlying_margin(kernel, factor, p);
                Requirement {
                    initial: m.initial,
                    maintenance: m.maintenance,
                }
            }
        }
    }

    /// [`MarginModel::requirement`], the same figures, from fewer scenarios where `known` (what
    /// earlier calls on the same kernel learnt, kept by the caller) shows they cannot be the
    /// worst: portfolio margin's liquidation searches probe factors close together. `priced` is
    /// the kernel's [`crate::kernel::Options::priced`] at `factor`, so standard margin does not
    /// price its short options again.
    pub fn requirement_with(
        &self,
        underlying: &str,
        kernel: &Kernel,
        factor: f64,
        priced: &[(f64, f64)],
        known: &mut Known,
    ) -> Requirement {
        match self {
            MarginModel::DeribitPm(packs) => {
                let mut total = Requirement::default();
                let pools = each_pool(packs, underlying, kernel, priced, known, |pool, args| {
                    pool_requirement(kernel, pool, factor, args.0, args.1, args.2)
                });
                for (initial, maintenance) in pools {
                    total.add(Requirement {
                        initial,
                        maintenance,
                    });
                }
                total
            }
            MarginModel::Standard(m) => m.requirement_priced(underlying, kernel, factor, priced),
            MarginModel::Span(_) => self.requirement(underlying, kernel, factor),
        }
    }

    /// An upper bound of [`MarginModel::requirement_with`]'s MM (USD) from what `known` holds,
    /// when the model has one much cheaper than the figure itself: portfolio margin bounds its
    /// scenarios by the ones computed at earlier factors (none computed here). `None` under the
    /// other models, or when a scenario is not bounded yet.
    pub fn maintenance_bound(
        &self,
        underlying: &str,
        kernel: &Kernel,
        factor: f64,
        priced: &[(f64, f64)],
        known: &mut Known,
    ) -> Option<f64> {
        let MarginModel::DeribitPm(packs) = self else {
            return None;
        };
        let pools = each_pool(packs, underlying, kernel, priced, known, |pool, args| {
            pool_maintenance_bound(kernel, pool, factor, args.0, args.1, args.2)
        });
        Some(pools[0]? + pools[1]?)
    }

    /// Each pool's [`portfolio::PoolPieces`] of one underlying at `factor` (coin-settled, then
    /// USD-settled), under portfolio margin; `None` under the other models. The kernel must come
    /// from [`MarginModel::kernel`].
    pub fn pool_pieces(
        &self,
        underlying: &str,
        kernel: &Kernel,
        factor: f64,
    ) -> Option<[portfolio::PoolPieces; 2]> {
        let MarginModel::DeribitPm(packs) = self else {
            return None;
        };
        let pack = pack_for(packs, underlying);
        Some(Pool::BOTH.map(|pool| portfolio::pool_pieces(kernel, pool, factor, &pack)))
    }

    /// The scenario detail of one underlying at the valuation (none under standard margin).
    pub fn detail(&self, underlying: &str, kernel: &Kernel) -> Vec<Detail> {
        match self {
            MarginModel::Standard(_) => Vec::new(),
            MarginModel::DeribitPm(packs) => {
                let pack = pack_for(packs, underlying);
                Pool::BOTH
                    .into_iter()
                    .filter(|pool| kernel.has_pool(*pool))
                    .map(|pool| Detail::Pool {
                        underlying: underlying.to_string(),
                        inverse: pool == Pool::Inverse,
                        pack: pack.name.clone(),
                        margin: pool_margin(kernel, pool, 1.0, &pack),
                    })
                    .collect()
            }
            MarginModel::Span(p) => {
                if !kernel.has_derivatives() {
                    return Vec::new();
                }
                vec![Detail::Span {
                    underlying: underlying.to_string(),
                    margin: underlying_margin(kernel, 1.0, p),
                }]
            }
        }
    }
}

/// What [`MarginModel::requirement_with`] learnt of one kernel's scenarios, per pool.
#[derive(Clone, Debug, Default)]
pub struct Known {
    pools: [ScenarioBounds; 2],
}

impl Known {
    /// How many scenario values have been computed through it.
    pub fn computed(&self) -> usize {
        self.pools.iter().map(ScenarioBounds::computed).sum()
    }
}

/// What a portfolio-margin pool's computation takes besides the kernel and the factor: the
/// underlying's pack, the pool's part of the kernel's prices, its scenario bounds.
type PoolArgs<'a> = (&'a PmPack, &'a [(f64, f64)], &'a mut ScenarioBounds);

/// `f(pool, PoolArgs)` for the coin-settled pool, then the USD-settled one.
fn each_pool<T>(
    packs: &BTreeMap<String, PmPack>,
    underlying: &str,
    kernel: &Kernel,
    priced: &[(f64, f64)],
    known: &mut Known,
    mut f: impl FnMut(Pool, PoolArgs) -> T,
) -> [T; 2] {
    let pack = pack_for(packs, underlying);
    let [inverse, linear] = &mut known.pools;
    [(Pool::Inverse, inverse), (Pool::Linear, linear)]
        .map(|(pool, bounds)| f(pool, (&pack, &priced[kernel.options.range(pool)], bounds)))
}

/// The pack of an underlying: resolved with the user's overrides, else the published one.
fn pack_for<'a>(packs: &'a BTreeMap<String, PmPack>, underlying: &str) -> Cow<'a, PmPack> {
    match packs.get(underlying) {
        Some(pack) => Cow::Borrowed(pack),
        None => Cow::Owned(PmPack::published(underlying)),
    }
}
