//! Accounts on their own venue's rules. Every venue's engine implements [`VenueEngine`]: it
//! checks the account's positions, names its parameter pack (data, in [`packs`]) and builds the
//! account's margin pools — the parts that are liquidated on their own: one cross pool, one per
//! isolated position, one per currency under Deribit's segregated margin. A pool answers one
//! question, its totals with each underlying's index at a factor ([`MarginPool::state_with`]), so
//! one liquidation search serves every venue.

pub mod deribit;
pub mod derive;
pub mod derive_pm;
pub mod packs;
pub mod tiered;
pub mod tiers;

use crate::account::{first_crossing, AccountState, Collateral, Liquidation};
use crate::account::{MOVE_DOWN_LIMIT, MOVE_UP_LIMIT};
use crate::input::RowMarginMode;
use crate::instrument::{Kind, Settlement, Venue, USD_LIKE};
use crate::margin::standard::Requirement;
use crate::valuation::Leg;
use serde::Deserialize;
use std::collections::BTreeMap;

/// How an account is margined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountMode {
    /// Every position against the account's whole equity (rows marked isolated stand alone).
    Cross,
    /// Every position on its own margin (rows marked cross share the rest).
    Isolated,
    /// Deribit: one cross pool per settlement currency.
    Segregated,
    /// Scenario-based portfolio margin where the venue has it and Headroom models it.
    Portfolio,
}

impl AccountMode {
    pub fn name(self) -> &'static str {
        match self {
            AccountMode::Cross => "cross",
            AccountMode::Isolated => "isolated",
            AccountMode::Segregated => "segregated",
            AccountMode::Portfolio => "portfolio",
        }
    }

    fn parse(text: &str) -> Option<AccountMode> {
        [
            AccountMode::Cross,
            AccountMode::Isolated,
            AccountMode::Segregated,
            AccountMode::Portfolio,
        ]
        .into_iter()
        .find(|m| m.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// `params` of an account: overrides of its venue's pack.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VenueParams {
    /// Tier tables by underlying (USD floors ascending from 0).
    #[serde(default)]
    pub maintenance_tiers: BTreeMap<String, Vec<tiers::TierInput>>,
    /// Max leverage by underlying: one tier at MM rate 1/(2·maxLeverage) (Hyperliquid's rule).
    #[serde(default)]
    pub max_leverage: BTreeMap<String, f64>,
    /// Leverage of positions whose row gives none (default: the tier's max leverage).
    #[serde(default)]
    pub leverage: Option<f64>,
}

/// A position of a venue account: its leg and what its row says about its margin.
#[derive(Clone, Debug)]
pub struct AccountLeg {
    /// Index among the account's valued positions.
    pub position: usize,
    pub instrument: String,
    pub kind: Kind,
    pub settlement: Settlement,
    pub leg: Leg,
    pub mode: Option<RowMarginMode>,
    pub isolated_margin: Option<f64>,
    pub leverage: Option<f64>,
}

/// One pool's positions and collateral, owned, for the engine to build its pool from.
#[derive(Clone, Debug)]
pub struct PoolSpec {
    /// `cross`, `segregated BTC`, `isolated BTCUSDT (position 3)`.
    pub name: String,
    pub isolated: bool,
    pub legs: Vec<AccountLeg>,
    pub collateral: Vec<Collateral>,
}

/// A parameter pack as the report names it.
#[derive(Clone, Debug)]
pub struct PackInfo {
    pub name: String,
    pub date: String,
    pub source: String,
    /// The rules the figures follow, in words.
    pub rules: Vec<String>,
}

/// Totals of part of an account that is margined and liquidated together.
pub trait MarginPool {
    fn spec(&self) -> &PoolSpec;

    /// Equity, margin balance, IM and MM (USD) with each underlying's index at
    /// `factor_of(underlying)` times its level.
    fn state_with(&self, factor_of: &dyn Fn(&str) -> f64) -> AccountState;

    /// [`MarginPool::state_with`] with every option's volatility `vol` replaced by
    /// `shock(underlying, days to expiry, vol)`.
    fn stressed(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        shock: &dyn Fn(&str, f64, f64) -> f64,
    ) -> AccountState;

    /// IM and MM of one position (by its index in the pool's legs) at the valuation, where the
    /// venue's rule is per position.
    fn position_margin(&self, leg: usize) -> Option<Requirement>;

    /// The smallest moves of `underlying` alone, down and up, at which the pool is liquidatable.
    fn liquidation(&self, underlying: &str) -> Liquidation {
        scan(&|m| self.state_with(&|u| if u == underlying { 1.0 + m } else { 1.0 }))
    }

    /// The smallest common move of every index at which the pool is liquidatable.
    fn liquidation_all(&self) -> Liquidation {
        scan(&|m| self.state_with(&|_| 1.0 + m))
    }
}

/// The pools' states summed (equity, balance, IM, MM; USD) with each underlying's index at
/// `factor_of(underlying)` times its level: the account they make up.
pub fn sum_states(
    pools: &[Box<dyn MarginPool + '_>],
    factor_of: &dyn Fn(&str) -> f64,
) -> AccountState {
    let mut total = AccountState::default();
    for p in pools {
        let s = p.state_with(factor_of);
        total.equity += s.equity;
        total.balance += s.balance;
        total.initial += s.initial;
        total.maintenance += s.maintenance;
    }
    total
}

/// Both liquidation searches on a pool's state at a move.
pub fn scan(at: &dyn Fn(f64) -> AccountState) -> Liquidation {
    Liquidation {
        down: first_crossing(at, at, MOVE_DOWN_LIMIT),
        up: first_crossing(at, at, MOVE_UP_LIMIT),
    }
}

/// [`scan`] for a pool whose margin gap (balance − MM) is concave in the move: perpetuals,
/// futures and coins under tier tables that are continuous with non-decreasing rates (equity is
/// linear in the price, MM convex). The chord of the gap over the first 0.01 % of a direction,
/// extended, lies above a concave gap, so its root is at or beyond the crossing: one probe there
/// brackets the crossing, which the scan's narrowing then finds. Where the chord does not descend
/// (or the bracket fails, which concavity rules out), the full scan decides.
pub fn scan_concave(at: &dyn Fn(f64) -> AccountState) -> Liquidation {
    Liquidation {
        down: crossing_concave(at, MOVE_DOWN_LIMIT),
        up: crossing_concave(at, MOVE_UP_LIMIT),
    }
}

fn crossing_concave(at: &dyn Fn(f64) -> AccountState, limit: f64) -> Option<f64> {
    let probe = |x: f64| {
        let state = at(x.exp_m1());
        (
            state.is_liquidatable(),
            state.margin_balance() - state.maintenance,
        )
    };
    let full = || first_crossing(at, at, limit);
    let (liquidated, g0) = probe(0.0);
    if liquidated {
        return Some(0.0);
    }
    let end = (1.0 + limit).ln();
    let near = 1e-4 * end.signum();
    let (liquidated, g1) = probe(near);
    if liquidated || g1 >= g0 || g1.is_nan() {
        return full();
    }
    // Root of the chord through (0, g0) and (near, g1), in log-price, capped at the limit.
    let root = near + g1 / (g0 - g1) * near;
    let x = if root.abs() >= end.abs() { end } else { root };
    let (liquidated, g) = probe(x);
    if !liquidated {
        return if x == end { None } else { full() };
    }
    Some(crate::account::narrow(&probe, (near, g1), (x, g)).exp_m1())
}

/// An account ready to be margined: its pools' specs and its engine's pack.
pub struct PreparedAccount {
    pub mode: AccountMode,
    pub pools: Vec<PoolSpec>,
    pub pack: Pack,
    /// Where a figure of this account is approximated, and how.
    pub approximations: Vec<String>,
}

/// A venue's parameters, resolved with the user's overrides.
#[derive(Clone)]
pub enum Pack {
    Deribit(crate::margin::MarginModel),
    Tiered(packs::TieredPack),
    Derive(derive::DerivePack),
}

/// One venue's margin rules.
pub trait VenueEngine: Sync {
    fn venue(&self) -> Venue;

    /// The margin modes Headroom models for the venue, the default first.
    fn modes(&self) -> &'static [AccountMode];

    /// The venue's pack with `params` applied, and its name, date and source. The error names
    /// what is wrong in `params`.
    fn pack(&self, mode: AccountMode, params: &VenueParams) -> Result<(Pack, PackInfo), String>;

    /// Whether the account as a whole can be margined in `mode` (Derive's portfolio manager takes
    /// one market); the error says why not.
    fn check(
        &self,
        _mode: AccountMode,
        _legs: &[AccountLeg],
        _collateral: &[Collateral],
    ) -> Result<(), String> {
        Ok(())
    }

    /// Why a position cannot be held in this venue's account (an option where the venue lists
    /// none, an isolated option), or `None`.
    fn refuses(&self, leg: &AccountLeg) -> Option<String>;

    /// The account's pools, from its specs.
    fn pools<'a>(&self, account: &'a PreparedAccount) -> Vec<Box<dyn MarginPool + 'a>>;

    /// The isolated margin (USD) of a position whose row gives none: its initial margin at entry.
    fn default_isolated_margin(&self, pack: &Pack, leg: &AccountLeg) -> f64;
}

/// Every venue's engine; `analyze` looks the account's venue up here.
pub fn engine(venue: Venue) -> &'static dyn VenueEngine {
    match venue {
        Venue::Deribit => &deribit::DeribitEngine,
        Venue::Derive => &derive::DeriveEngine,
        other => tiered::engine(other),
    }
}

/// The account's mode from the request (`None`: the venue's default), checked against the modes
/// the engine models.
pub fn mode(engine: &dyn VenueEngine, asked: Option<&str>) -> Result<AccountMode, String> {
    let modes = engine.modes();
    let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(modes[0]);
    };
    let names: Vec<&str> = modes.iter().map(|m| m.name()).collect();
    match AccountMode::parse(text) {
        Some(m) if modes.contains(&m) => Ok(m),
        Some(m) => Err(format!(
            "{} margin on {} is not modelled; modelled: {}",
            m.name(),
            engine.venue().label(),
            names.join(", ")
        )),
        None => Err(format!(
            "'{}' is not a margin mode; {} has {}",
            crate::calendar::clip(text),
            engine.venue().label(),
            names.join(", ")
        )),
    }
}

/// Splits an account's positions into pools: isolated positions alone (with their isolated
/// margin), the others together with the collateral; under `Segregated`, one pool per settlement
/// currency (coin-settled positions and that coin's collateral; USD-settled positions and the USD
/// stablecoins).
pub fn partition(
    engine: &dyn VenueEngine,
    mode: AccountMode,
    pack: &Pack,
    legs: Vec<AccountLeg>,
    collateral: &[Collateral],
    notes: &mut Vec<String>,
) -> Vec<PoolSpec> {
    if mode == AccountMode::Segregated {
        return segregated(legs, collateral);
    }
    let mut shared = PoolSpec {
        name: "cross".into(),
        isolated: false,
        legs: Vec::new(),
        collateral: collateral.to_vec(),
    };
    let mut alone = Vec::new();
    let mut assumed: Vec<String> = Vec::new();
    for mut leg in legs {
        let isolated = match leg.mode {
            Some(RowMarginMode::Isolated) => true,
            Some(RowMarginMode::Cross) => false,
            None => mode == AccountMode::Isolated,
        };
        if !isolated {
            shared.legs.push(leg);
            continue;
        }
        if leg.isolated_margin.is_none() {
            leg.isolated_margin = Some(engine.default_isolated_margin(pack, &leg));
            assumed.push(format!(
                "{} (position {})",
                leg.instrument,
                leg.position + 1
            ));
        }
        alone.push(PoolSpec {
            name: format!(
                "isolated {} (position {})",
                leg.instrument,
                leg.position + 1
            ),
            isolated: true,
            legs: vec![leg],
            collateral: Vec::new(),
        });
    }
    if !assumed.is_empty() {
        let more = assumed.len().saturating_sub(3);
        assumed.truncate(3);
        notes.push(format!(
            "{}{}: no isolated margin given; each one's initial margin at entry assumed \
             (|size| × entry / leverage, USD; held in the coin for inverse contracts)",
            assumed.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    let mut pools = Vec::with_capacity(alone.len() + 1);
    if !shared.legs.is_empty() || !shared.collateral.is_empty() {
        pools.push(shared);
    }
    pools.extend(alone);
    pools
}

fn segregated(legs: Vec<AccountLeg>, collateral: &[Collateral]) -> Vec<PoolSpec> {
    let currency_of_leg = |l: &AccountLeg| match l.settlement {
        Settlement::Linear => "USDC".to_string(),
        Settlement::Inverse | Settlement::Spot => l.leg.underlying.clone(),
    };
    let currency_of_collateral = |c: &Collateral| match &c.underlying {
        None => "USDC".to_string(),
        Some(u) => u.clone(),
    };
    let mut pools: BTreeMap<String, PoolSpec> = BTreeMap::new();
    let blank = |currency: &str| PoolSpec {
        name: format!("segregated {currency}"),
        isolated: false,
        legs: Vec::new(),
        collateral: Vec::new(),
    };
    for leg in legs {
        let c = currency_of_leg(&leg);
        pools
            .entry(c.clone())
            .or_insert_with(|| blank(&c))
            .legs
            .push(leg);
    }
    for c in collateral {
        let currency = currency_of_collateral(c);
        pools
            .entry(currency.clone())
            .or_insert_with(|| blank(&currency))
            .collateral
            .push(c.clone());
    }
    debug_assert!(USD_LIKE.contains(&"USDC"));
    pools.into_values().collect()
}

/// The underlyings a pool's value moves with: its legs' and its coin collateral's.
pub fn pool_underlyings(pool: &dyn MarginPool) -> Vec<String> {
    let spec = pool.spec();
    let mut out: Vec<String> = Vec::new();
    let names = spec
        .legs
        .iter()
        .map(|l| l.leg.underlying.clone())
        .chain(spec.collateral.iter().filter_map(|c| c.underlying.clone()));
    for u in names {
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    proptest::proptest! {
        /// On concave margin gaps (equity linear in the move, MM a convex piecewise-linear
        /// function of it, as a tiered pool of futures has), the bracketing search finds the
        /// crossings the full scan finds.
        #[test]
        fn the_concave_search_agrees_with_the_full_scan(
            equity in 100.0f64..1e6,
            slope in -5e6f64..5e6,
            rates in proptest::collection::vec((0.001f64..0.2, 0.05f64..3.0), 1..5),
            size in 1e3f64..1e7,
        ) {
            // MM(m) = max over tiers of size·(1 + m)·rate_k − deduction_k: convex in m.
            let mut tiers = rates.clone();
            tiers.sort_by(|a, b| a.0.total_cmp(&b.0));
            let at = |m: f64| {
                let notional = size * (1.0 + m);
                let mut mm: f64 = 0.0;
                let mut deduction = 0.0;
                let mut previous = 0.0;
                for (k, (rate, floor)) in tiers.iter().enumerate() {
                    if k > 0 {
                        deduction += floor * size * (rate - previous);
                    }
                    previous = *rate;
                    mm = mm.max(notional * rate - deduction);
                }
                let balance = equity + slope * m;
                AccountState { equity: balance, balance, initial: mm, maintenance: mm }
            };
            let full = scan(&at);
            let fast = scan_concave(&at);
            for (a, b) in [(full.down, fast.down), (full.up, fast.up)] {
                match (a, b) {
                    (Some(a), Some(b)) => proptest::prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a.abs()), "{a} {b}"),
                    (a, b) => proptest::prop_assert_eq!(a, b),
                }
            }
        }
    }
}
