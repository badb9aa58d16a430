//! Deribit-style portfolio margin (margin.md §2): a risk matrix of 9 price buckets × 3 volatility
//! scenarios, an extended table of large moves, pnl offset, roll shock and delta shock, with dated
//! parameter packs.
//!
//! A pool is one underlying's instruments of one settlement currency: coin-settled instruments
//! are margined in coin (Deribit's currency pools), USD-settled ones in USD. The requirement of a
//! pool is converted to USD at the index and pools are added without offsets between them.

use crate::figure::Figure;
use crate::kernel::{Curvature, Kernel, Move, Pool, ValueBounds};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A dated portfolio-margin parameter pack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PmPack {
    pub name: String,
    pub price_range: f64,
    pub volatility_range_up: f64,
    pub volatility_range_down: f64,
    pub short_term_vega_power: f64,
    pub long_term_vega_power: f64,
    pub min_volatility_for_shock_up: f64,
    pub extended_table_factor: f64,
    /// USD.
    pub extended_dampener: f64,
    pub annualised_move_risk: f64,
    pub min_annualised_move: f64,
    pub max_delta_shock: f64,
    /// USD.
    pub delta_total_liq_shock_threshold: f64,
    pub m_inc: f64,
    pub pnl_offset: f64,
    pub mm_factor: f64,
}

/// Fields of a pack a user overrides; the rest come from the published pack.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PmPackOverride {
    pub price_range: Option<f64>,
    pub volatility_range_up: Option<f64>,
    pub volatility_range_down: Option<f64>,
    pub short_term_vega_power: Option<f64>,
    pub long_term_vega_power: Option<f64>,
    pub min_volatility_for_shock_up: Option<f64>,
    pub extended_table_factor: Option<f64>,
    pub extended_dampener: Option<f64>,
    pub annualised_move_risk: Option<f64>,
    pub min_annualised_move: Option<f64>,
    pub max_delta_shock: Option<f64>,
    pub delta_total_liq_shock_threshold: Option<f64>,
    pub m_inc: Option<f64>,
    pub pnl_offset: Option<f64>,
    pub mm_factor: Option<f64>,
}

impl PmPack {
    /// Deribit's BTC pack, as published June 2024.
    pub fn btc_2024_06() -> Self {
        PmPack {
            name: "deribit-pm BTC (June 2024)".into(),
            price_range: 0.16,
            volatility_range_up: 0.50,
            volatility_range_down: 0.25,
            short_term_vega_power: 0.30,
            long_term_vega_power: 0.13,
            min_volatility_for_shock_up: 0.50,
            extended_table_factor: 1.0,
            extended_dampener: 100_000.0,
            annualised_move_risk: 0.075,
            min_annualised_move: 0.01,
            max_delta_shock: 0.1,
            delta_total_liq_shock_threshold: 20_000_000.0,
            m_inc: 0.00005,
            pnl_offset: 0.0,
            mm_factor: 0.8,
        }
    }

    /// Deribit's ETH pack, as published February 2026.
    pub fn eth_2026_02() -> Self {
        PmPack {
            name: "deribit-pm ETH (February 2026)".into(),
            price_range: 0.18,
            volatility_range_up: 0.40,
            volatility_range_down: 0.25,
            extended_dampener: 200_000.0,
            annualised_move_risk: 0.05,
            min_annualised_move: 0.005,
            m_inc: 0.000004,
            pnl_offset: 0.6,
            ..PmPack::btc_2024_06()
        }
    }

    /// The published pack of an underlying: BTC's for BTC, ETH's (the wider range) for the rest.
    pub fn published(underlying: &str) -> Self {
        match underlying {
            "BTC" => PmPack::btc_2024_06(),
            "ETH" => PmPack::eth_2026_02(),
            other => PmPack {
                name: format!("deribit-pm ETH (February 2026), applied to {other}"),
                ..PmPack::eth_2026_02()
            },
        }
    }

    /// The pack with a user's overrides; checked for sense.
    pub fn with(mut self, o: &PmPackOverride) -> Result<Self, String> {
        let fields: [(&mut f64, Option<f64>); 15] = [
            (&mut self.price_range, o.price_range),
            (&mut self.volatility_range_up, o.volatility_range_up),
            (&mut self.volatility_range_down, o.volatility_range_down),
            (&mut self.short_term_vega_power, o.short_term_vega_power),
            (&mut self.long_term_vega_power, o.long_term_vega_power),
            (
                &mut self.min_volatility_for_shock_up,
                o.min_volatility_for_shock_up,
            ),
            (&mut self.extended_table_factor, o.extended_table_factor),
            (&mut self.extended_dampener, o.extended_dampener),
            (&mut self.annualised_move_risk, o.annualised_move_risk),
            (&mut self.min_annualised_move, o.min_annualised_move),
            (&mut self.max_delta_shock, o.max_delta_shock),
            (
                &mut self.delta_total_liq_shock_threshold,
                o.delta_total_liq_shock_threshold,
            ),
            (&mut self.m_inc, o.m_inc),
            (&mut self.pnl_offset, o.pnl_offset),
            (&mut self.mm_factor, o.mm_factor),
        ];
        let mut changed = false;
        for (slot, value) in fields {
            if let Some(v) = value {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(format!(
                        "every parameter must be a non-negative number, got {}",
                        Figure(v)
                    ));
                }
                *slot = v;
                changed = true;
            }
        }
        if !(self.price_range > 0.0 && self.price_range < 1.0) {
            return Err(format!(
                "priceRange must be between 0 and 1, got {}",
                Figure(self.price_range)
            ));
        }
        if self.volatility_range_down > 1.0 || self.pnl_offset > 1.0 || self.mm_factor > 1.0 {
            return Err("volatilityRangeDown, pnlOffset and mmFactor must be at most 1".into());
        }
        if changed {
            self.name = format!("{} with overrides", self.name);
        }
        Ok(self)
    }
}

/// A volatility scenario of the risk matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VolScenario {
    Up,
    Unchanged,
    Down,
}

/// One scenario and the pool's P&L in it (pool currency, after extended-table scaling and the
/// pnl offset).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scenario {
    /// Fractional move of the index.
    #[serde(rename = "move")]
    pub price_move: f64,
    pub vol: VolScenario,
    pub extended: bool,
    pub pnl: f64,
}

/// A pool's portfolio margin, in its currency (coin for coin-settled, USD otherwise) and in USD.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolMargin {
    pub worst_case: f64,
    pub worst_scenario: Option<Scenario>,
    pub roll_shock: f64,
    pub delta_shock: f64,
    pub initial: f64,
    pub maintenance: f64,
    pub initial_usd: f64,
    pub maintenance_usd: f64,
    pub scenarios: Vec<Scenario>,
}

/// Moves of the extended table (vol up only).
const EXTENDED_MOVES: [f64; 8] = [-0.66, -0.33, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0];

/// The shocked volatility of an option of volatility `vol` and `days` to expiry in a scenario
/// (margin.md §2 step 2).
pub fn shocked_vol(pack: &PmPack, vol: f64, days: f64, scenario: VolScenario) -> f64 {
    shocked_vol_at_scale(pack, vol, vega_scale(pack, days), scenario)
}

/// The tenor scaling of the vol shock, (30 / days)^power (margin.md §2 step 2).
fn vega_scale(pack: &PmPack, days: f64) -> f64 {
    let days = days.max(1e-9);
    let power = if days < 30.0 {
        pack.short_term_vega_power
    } else {
        pack.long_term_vega_power
    };
    (30.0 / days).powf(power)
}

/// [`shocked_vol`] given its [`vega_scale`].
fn shocked_vol_at_scale(pack: &PmPack, vol: f64, scale: f64, scenario: VolScenario) -> f64 {
    match scenario {
        VolScenario::Up => {
            (vol * (1.0 + pack.volatility_range_up * scale)).max(pack.min_volatility_for_shock_up)
        }
        VolScenario::Unchanged => vol,
        VolScenario::Down => (vol * (1.0 - pack.volatility_range_down * scale)).max(0.0),
    }
}

/// Fills the kernel's shocked-volatility columns with the pack's up and down scenarios.
pub fn prepare(kernel: &mut Kernel, pack: &PmPack) {
    // The scaling depends on the expiry alone: one power per expiry, not two per contract.
    let scales: Vec<f64> = kernel
        .expiries
        .iter()
        .map(|years| vega_scale(pack, years * 365.0))
        .collect();
    let o = &kernel.options;
    let shocked = |scenario| {
        o.total_vols(|i| shocked_vol_at_scale(pack, o.vol[i], scales[o.expiry[i]], scenario))
    };
    kernel.vol_up = shocked(VolScenario::Up);
    kernel.vol_down = shocked(VolScenario::Down);
}

/// The risk matrix's scenarios: 9 price moves × (vol up, unchanged, down), then the extended
/// table (vol up only).
pub const SCENARIO_COUNT: usize = 27 + EXTENDED_MOVES.len();

/// The scenario that is the pool itself (no move, vol unchanged): its P&L is 0 to the bit.
const MIDDLE: usize = 4 * 3 + 1;

/// Scenario `k` of the risk matrix: its move, vol scenario and whether it is extended.
fn scenario_spec(pack: &PmPack, k: usize) -> (f64, VolScenario, bool) {
    const VOLS: [VolScenario; 3] = [VolScenario::Up, VolScenario::Unchanged, VolScenario::Down];
    if k < 27 {
        let range = pack.price_range;
        (-range + (k / 3) as f64 * range / 4.0, VOLS[k % 3], false)
    } else {
        (EXTENDED_MOVES[k - 27], VolScenario::Up, true)
    }
}

/// A pool valued at one factor: what every scenario and the shocks start from.
struct Valued<'a> {
    kernel: &'a Kernel,
    pool: Pool,
    pack: &'a PmPack,
    factor: f64,
    /// Index at the factor, USD.
    index: f64,
    here: Move,
    /// Each contract's price and USD delta here, kept for the deltas of the shocks.
    priced: Cow<'a, [(f64, f64)]>,
    /// The pool's value here, in its currency.
    base: f64,
    /// The pool's value here (USD) and its slope in the index.
    base_usd: (f64, f64),
}

impl<'a> Valued<'a> {
    fn new(kernel: &'a Kernel, pool: Pool, factor: f64, pack: &'a PmPack) -> Self {
        let here = Move::new(factor);
        let options = &kernel.options;
        let priced = options.priced(options.range(pool), &here);
        Valued::priced(kernel, pool, factor, pack, Cow::Owned(priced))
    }

    /// The pool valued at `factor` from its contracts' [`crate::kernel::Options::each_priced`]
    /// there at their own volatility.
    fn priced(
        kernel: &'a Kernel,
        pool: Pool,
        factor: f64,
        pack: &'a PmPack,
        priced: Cow<'a, [(f64, f64)]>,
    ) -> Self {
        let index = kernel.index * factor;
        let options = &kernel.options;
        let (options_value, options_delta) = options.range(pool).zip(priced.iter()).fold(
            (0.0, 0.0),
            |(value, delta), (i, (price, slope))| {
                (
                    value + options.coins[i] * price,
                    delta + options.coins[i] * slope,
                )
            },
        );
        let futures = kernel.futures[pool.slot()];
        let usd = options_value + futures.at(index);
        Valued {
            kernel,
            pool,
            pack,
            factor,
            index,
            here: Move::new(factor),
            priced,
            base: if pool == Pool::Inverse {
                usd / index
            } else {
                usd
            },
            base_usd: (usd, options_delta + futures.slope),
        }
    }

    fn inverse(&self) -> bool {
        self.pool == Pool::Inverse
    }

    /// A USD value at index `at_index` in the pool's currency.
    fn in_pool(&self, usd: f64, at_index: f64) -> f64 {
        if self.inverse() {
            usd / at_index
        } else {
            usd
        }
    }

    /// The index in scenario `k`, USD.
    fn scenario_index(&self, k: usize) -> f64 {
        self.index * (1.0 + scenario_spec(self.pack, k).0)
    }

    /// The pool's value in scenario `k` (USD) and its slope in the index there.
    fn scenario_value(&self, k: usize) -> (f64, f64) {
        let (m, vol, _) = scenario_spec(self.pack, k);
        let kernel = self.kernel;
        let vols = match vol {
            VolScenario::Up => &kernel.vol_up,
            VolScenario::Unchanged => &kernel.options.total_vol,
            VolScenario::Down => &kernel.vol_down,
        };
        kernel.pool_value_and_delta(self.pool, &Move::new(self.factor * (1.0 + m)), vols)
    }

    /// Scenario `k`'s P&L from the pool's value in it (USD), extended-table scaling applied but
    /// not the dampener or the pnl offset: the part that adds over positions.
    fn linear_pnl(&self, k: usize, value: f64) -> f64 {
        let (m, _, extended) = scenario_spec(self.pack, k);
        let pack = self.pack;
        let pnl = self.in_pool(value, self.index * (1.0 + m)) - self.base;
        if !extended {
            return pnl;
        }
        let range = pack.price_range;
        let sign = m.signum();
        pnl * pack.extended_table_factor * (range / m.abs()) * (1.0 + m) / (1.0 + sign * range)
    }

    /// The extended-table dampener of scenario `k` in the pool's currency (0 in the risk matrix).
    fn dampener(&self, k: usize) -> f64 {
        let (m, _, extended) = scenario_spec(self.pack, k);
        if !extended {
            return 0.0;
        }
        self.in_pool(extended_dampener_usd(self.pack, m), self.index)
    }

    /// Scenario `k`'s P&L from the pool's value in it (USD): extended-table scaling, dampener
    /// and pnl offset applied, the figure the worst case is the worst of. Non-decreasing in
    /// `value`.
    fn pnl_of(&self, k: usize, value: f64) -> f64 {
        let pack = self.pack;
        let offset = |pnl: f64| {
            if pnl > 0.0 {
                pnl * pack.pnl_offset
            } else {
                pnl
            }
        };
        let scaled = self.linear_pnl(k, value);
        if !scenario_spec(pack, k).2 {
            return offset(scaled);
        }
        let damped = if scaled < 0.0 {
            (scaled + self.dampener(k)).min(0.0)
        } else {
            scaled
        };
        offset(damped)
    }

    /// Scenario `k`'s P&L ([`Valued::pnl_of`] its value), 0 for the middle scenario.
    fn pnl(&self, k: usize) -> f64 {
        if k == MIDDLE {
            return 0.0;
        }
        self.pnl_of(k, self.scenario_value(k).0)
    }

    /// The pool's deltas in its delta unit (coin delta in the coin pool, USD delta in the USD
    /// pool), coins: per expiry of the kernel, the perpetuals' Σ |delta|, and the net delta.
    fn deltas(&self) -> Deltas {
        let (kernel, pool, index) = (self.kernel, self.pool, self.index);
        let options = &kernel.options;
        let slot = pool.slot();
        let mut by_expiry = vec![0.0; kernel.expiries.len()];
        for (i, (price, delta)) in options.range(pool).zip(self.priced.iter()) {
            by_expiry[options.expiry[i]] +=
                kernel.option_pool_delta(pool, i, &self.here, *price, *delta) * options.coins[i];
        }
        let options_delta: f64 = by_expiry.iter().sum();
        for (e, c) in kernel.future_delta_by_expiry[slot].iter().enumerate() {
            by_expiry[e] += Kernel::future_delta(pool, *c, index);
        }
        Deltas {
            by_expiry,
            perpetual: Kernel::future_delta(pool, kernel.perpetual_delta_abs[slot], index),
            net: options_delta + Kernel::future_delta(pool, kernel.future_delta_net[slot], index),
        }
    }

    /// The roll shock's move per coin of delta of an expiry `years` away.
    fn roll_move(&self, years: f64) -> f64 {
        let pack = self.pack;
        pack.min_annualised_move
            .max((pack.annualised_move_risk * years).exp_m1())
    }

    /// A quantity of coins in the pool's currency (coins in the coin pool, USD in the USD pool).
    fn coins_in_pool(&self, coins: f64) -> f64 {
        if self.inverse() {
            coins
        } else {
            coins * self.index
        }
    }

    /// The pool's margin given its worst case (the negated worst scenario P&L, or 0).
    fn margin(&self, worst_case: f64, worst_scenario: Option<Scenario>) -> PoolMargin {
        let (kernel, pack, index) = (self.kernel, self.pack, self.index);
        // Roll shock: per expiry, the annualised move over its time applied to its net delta;
        // for perpetuals the minimum move on their size. Deltas in coins: coin delta in the coin
        // pool, USD delta in the USD pool.
        let deltas = self.deltas();
        let roll_coins: f64 = deltas
            .by_expiry
            .iter()
            .zip(&kernel.expiries)
            .map(|(delta, years)| self.roll_move(*years) * delta.abs())
            .sum::<f64>()
            + pack.min_annualised_move * deltas.perpetual;
        let delta_usd = deltas.net.abs() * index;
        let delta_shock_coins = ((delta_usd - pack.delta_total_liq_shock_threshold).max(0.0)
            * deltas.net.abs()
            * pack.m_inc)
            .min(pack.max_delta_shock * delta_usd)
            / index;
        let inverse = self.inverse();
        let roll_shock = self.coins_in_pool(roll_coins);
        let delta_shock = self.coins_in_pool(delta_shock_coins);

        let initial = worst_case + roll_shock + delta_shock;
        let maintenance = pack.mm_factor * initial;
        let usd = |x: f64| if inverse { x * index } else { x };
        PoolMargin {
            worst_case,
            worst_scenario,
            roll_shock,
            delta_shock,
            initial,
            maintenance,
            initial_usd: usd(initial),
            maintenance_usd: usd(maintenance),
            scenarios: Vec::new(),
        }
    }
}

/// A pool's deltas (see [`Valued::deltas`]).
struct Deltas {
    by_expiry: Vec<f64>,
    perpetual: f64,
    net: f64,
}

/// The dampener of the extended move `m`, USD.
fn extended_dampener_usd(pack: &PmPack, m: f64) -> f64 {
    let range = pack.price_range;
    ((m.abs() / range).max(1.0) - 1.0) * pack.extended_dampener / (1.0 + m.signum() * range)
}

/// A margin of nothing: the pool holds no derivative.
fn empty_pool() -> PoolMargin {
    PoolMargin {
        worst_case: 0.0,
        worst_scenario: None,
        roll_shock: 0.0,
        delta_shock: 0.0,
        initial: 0.0,
        maintenance: 0.0,
        initial_usd: 0.0,
        maintenance_usd: 0.0,
        scenarios: Vec::new(),
    }
}

/// Portfolio margin of one pool of an underlying (its coin-settled or its USD-settled
/// derivatives) with the index at `factor` times its level, every scenario listed. The kernel
/// must have been [`prepare`]d with the same pack.
pub fn pool_margin(kernel: &Kernel, pool: Pool, factor: f64, pack: &PmPack) -> PoolMargin {
    if !kernel.has_pool(pool) {
        return empty_pool();
    }
    let valued = Valued::new(kernel, pool, factor, pack);
    let scenarios: Vec<Scenario> = (0..SCENARIO_COUNT)
        .map(|k| {
            let (price_move, vol, extended) = scenario_spec(pack, k);
            Scenario {
                price_move,
                vol,
                extended,
                pnl: valued.pnl(k),
            }
        })
        .collect();
    let worst_scenario = scenarios
        .iter()
        .copied()
        .filter(|s| s.pnl < 0.0)
        .min_by(|a, b| a.pnl.total_cmp(&b.pnl));
    let worst_case = worst_scenario.map_or(0.0, |s| -s.pnl);
    PoolMargin {
        scenarios,
        ..valued.margin(worst_case, worst_scenario)
    }
}

/// A pool's margin as pieces that add over positions, from which its requirement is a convex
/// piecewise-linear function of the positions' sizes (what the rebalance's exact program is
/// built from):
///
/// `IM = max(0, maxₖ (losses[k] + constants[k])) + Σₑ moves[e]·|deltas[e]| + perpetual`, in
/// the pool's currency, and `MM = mm_factor · IM`, while `|net_delta| ≤ delta_limit` (no delta
/// shock). The pnl offset scales only gains and the dampener only adds to a loss's part, so
/// the worst case is exactly that maximum. Every field but `constants`, the scalars and the
/// expiries' years and moves adds over the pools of two sets of positions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoolPieces {
    /// Per scenario other than the pool itself (no move, vol unchanged): its loss, scaled as the
    /// extended table scales it, pool currency.
    pub losses: Vec<f64>,
    /// Per scenario: the extended table's dampener, negated (0 in the risk matrix).
    pub constants: Vec<f64>,
    /// Per expiry: years, the roll shock's charge per coin of |delta| (pool currency), and the
    /// pool's delta there (coins).
    pub expiries: Vec<(f64, f64, f64)>,
    /// The perpetuals' roll shock, pool currency, and its charge per coin of |delta|.
    pub perpetual: f64,
    pub perpetual_rate: f64,
    /// Net delta, coins, and the largest with no delta shock.
    pub net_delta: f64,
    pub delta_limit: f64,
    /// USD per unit of the pool's currency, and MM / IM.
    pub usd: f64,
    pub mm_factor: f64,
}

/// [`PoolPieces`] of one pool at `factor` (the kernel [`prepare`]d with the pack). A pool with
/// no derivatives has no losses (its constants and scalars are still given).
pub fn pool_pieces(kernel: &Kernel, pool: Pool, factor: f64, pack: &PmPack) -> PoolPieces {
    let valued = Valued::new(kernel, pool, factor, pack);
    let scenarios = (0..SCENARIO_COUNT).filter(|k| *k != MIDDLE);
    let has = kernel.has_pool(pool);
    let losses = scenarios
        .clone()
        .map(|k| {
            if has {
                -valued.linear_pnl(k, valued.scenario_value(k).0)
            } else {
                0.0
            }
        })
        .collect();
    let deltas = valued.deltas();
    let charge = valued.coins_in_pool(1.0);
    PoolPieces {
        losses,
        constants: scenarios.map(|k| -valued.dampener(k)).collect(),
        expiries: kernel
            .expiries
            .iter()
            .zip(&deltas.by_expiry)
            .map(|(years, delta)| (*years, charge * valued.roll_move(*years), *delta))
            .collect(),
        perpetual: charge * pack.min_annualised_move * deltas.perpetual,
        perpetual_rate: charge * pack.min_annualised_move,
        net_delta: deltas.net,
        delta_limit: pack.delta_total_liq_shock_threshold / valued.index,
        usd: if valued.inverse() { valued.index } else { 1.0 },
        mm_factor: pack.mm_factor,
    }
}

impl PoolPieces {
    /// The IM the pieces give (pool currency), or `None` when the delta shock applies.
    pub fn initial(&self) -> Option<f64> {
        if self.net_delta.abs() > self.delta_limit {
            return None;
        }
        let worst = self
            .losses
            .iter()
            .zip(&self.constants)
            .fold(0.0f64, |w, (l, c)| w.max(l + c));
        let roll: f64 = self.expiries.iter().map(|(_, m, d)| m * d.abs()).sum();
        Some(worst + roll + self.perpetual)
    }
}

/// A pool's value as computed in one volatility column at one index: the index, the value and
/// its slope, USD.
#[derive(Clone, Copy, Debug)]
struct Computed {
    index: f64,
    value: f64,
    delta: f64,
}

/// The volatility columns of the risk matrix, in the order of [`ScenarioBounds::columns`].
fn column(vol: VolScenario) -> usize {
    match vol {
        VolScenario::Up => 0,
        VolScenario::Unchanged => 1,
        VolScenario::Down => 2,
    }
}

/// What valuing a pool at some factors tells of its scenarios at others: every value of the pool
/// computed so far, per volatility column, with its slope, and the pool's curvature in each
/// column. A scenario's value depends only on its column and its index, so a bucket of one
/// factor bounds the neighbouring bucket of the next. Kept by the caller across calls of
/// [`pool_requirement`] on one kernel and pack.
#[derive(Clone, Debug, Default)]
pub struct ScenarioBounds {
    /// Per column (vol up, unchanged, down), by index.
    columns: [Vec<Computed>; 3],
    /// [`Kernel::curvature`] of each column; the values' size bounds.
    curvature: Option<([Curvature; 3], ValueBounds)>,
    /// How many scenario values were computed.
    count: usize,
}

impl ScenarioBounds {
    /// How many scenario values the calls so far have computed.
    pub fn computed(&self) -> usize {
        self.count
    }

    fn insert(&mut self, column: usize, c: Computed) {
        let values = &mut self.columns[column];
        let at = values.partition_point(|x| x.index < c.index);
        if values.get(at).is_some_and(|x| x.index == c.index) {
            return;
        }
        values.insert(at, c);
    }

    /// The lowest the pool's value in `column` at `index` can be, from the values computed
    /// nearest it on either side (−∞ when none is): V(S′) ≥ V(S) + V′(S)·(S′ − S) − remainder.
    fn lowest_value(&self, column: usize, index: f64) -> f64 {
        let Some((curvature, size)) = &self.curvature else {
            return f64::NEG_INFINITY;
        };
        let values = &self.columns[column];
        let at = values.partition_point(|x| x.index < index);
        let neighbours = [at.checked_sub(1), Some(at)];
        let mut lowest = f64::NEG_INFINITY;
        for c in neighbours
            .into_iter()
            .flatten()
            .filter_map(|i| values.get(i))
        {
            let h = index - c.index;
            let room = ROUNDING_ROOM
                * (size.proportional * index.max(c.index) + size.constant + size.slope * h.abs());
            let bound = c.value + c.delta * h - curvature[column].remainder(c.index, index) - room;
            // A bound that is not a number bounds nothing.
            if bound > lowest {
                lowest = bound;
            }
        }
        lowest
    }
}

/// Room left for rounding in a bound, relative to the size of the values compared: far above
/// the 1e-12 relative error of a price and the sum's rounding.
const ROUNDING_ROOM: f64 = 1e-9;

/// An upper bound of one pool's MM (USD) at `factor` from what `bounds` knows, computing no
/// scenario: each scenario's P&L is bounded below as [`pool_requirement`] bounds it, and MM
/// rises with the worst P&L. `None` when some scenario is not bounded yet. What a liquidation
/// scan needs at a probe where the account is far from liquidation.
pub fn pool_maintenance_bound(
    kernel: &Kernel,
    pool: Pool,
    factor: f64,
    pack: &PmPack,
    priced: &[(f64, f64)],
    bounds: &mut ScenarioBounds,
) -> Option<f64> {
    if !kernel.has_pool(pool) {
        return Some(0.0);
    }
    let valued = Valued::priced(kernel, pool, factor, pack, Cow::Borrowed(priced));
    learn_base(&valued, bounds);
    let mut worst = 0.0_f64;
    for k in (0..SCENARIO_COUNT).filter(|k| *k != MIDDLE) {
        let column = column(scenario_spec(pack, k).1);
        let low = valued.pnl_of(k, bounds.lowest_value(column, valued.scenario_index(k)));
        // A bound of −∞ or not a number bounds nothing.
        if low.is_nan() || low == f64::NEG_INFINITY {
            return None;
        }
        worst = worst.min(low);
    }
    Some(valued.margin(-worst, None).maintenance_usd)
}

/// Records in `bounds` what [`pool_requirement`] and [`pool_maintenance_bound`] start from: the
/// pool's curvature and size (once per kernel) and its value and slope at the factor itself,
/// the unchanged-vol column's point there.
fn learn_base(valued: &Valued, bounds: &mut ScenarioBounds) {
    let kernel = valued.kernel;
    let pool = valued.pool;
    if bounds.curvature.is_none() {
        let o = &kernel.options;
        bounds.curvature = Some((
            [
                kernel.curvature(pool, &kernel.vol_up),
                kernel.curvature(pool, &o.total_vol),
                kernel.curvature(pool, &kernel.vol_down),
            ],
            kernel.value_bounds(pool),
        ));
    }
    let (usd, delta) = valued.base_usd;
    bounds.insert(
        column(VolScenario::Unchanged),
        Computed {
            index: valued.index,
            value: usd,
            delta,
        },
    );
}

/// IM and MM (USD) of one pool at `factor`, exactly as [`pool_margin`] gives them, computing only
/// the scenarios that can be the worst. `priced` is the pool's part of
/// [`crate::kernel::Options::priced`] at `factor`.
///
/// A scenario's value at its index S′ is bounded below by a value V of the same volatility
/// column computed at an index S before (an earlier factor's scenario, or the pool itself), with
/// its slope V′: V(S′) ≥ V + V′·(S′ − S) − remainder, the remainder bounded by the options'
/// largest possible gamma ([`Kernel::curvature`]). Each scenario's P&L rises with its value, so
/// that bounds its P&L here. Scenarios are computed from the lowest bound up, each one computed
/// tightening the bounds of its column; once the lowest bound is above the worst P&L computed
/// (or above 0, the middle scenario's), the rest cannot be the worst and are skipped. The
/// liquidation search probes factors close together, where most are.
pub fn pool_requirement(
    kernel: &Kernel,
    pool: Pool,
    factor: f64,
    pack: &PmPack,
    priced: &[(f64, f64)],
    bounds: &mut ScenarioBounds,
) -> (f64, f64) {
    if !kernel.has_pool(pool) {
        return (0.0, 0.0);
    }
    let valued = Valued::priced(kernel, pool, factor, pack, Cow::Borrowed(priced));
    learn_base(&valued, bounds);
    let column_of = |k: usize| column(scenario_spec(pack, k).1);
    let bound_of = |bounds: &ScenarioBounds, k: usize| {
        valued.pnl_of(
            k,
            bounds.lowest_value(column_of(k), valued.scenario_index(k)),
        )
    };
    let mut lower = [f64::NEG_INFINITY; SCENARIO_COUNT];
    let mut open = [true; SCENARIO_COUNT];
    open[MIDDLE] = false;
    for k in 0..SCENARIO_COUNT {
        if open[k] {
            lower[k] = bound_of(bounds, k);
        }
    }
    // The middle scenario's 0 is the worst until a scenario is found below it.
    let mut worst = 0.0_f64;
    loop {
        // The open scenario of the lowest bound (a bound that is not a number bounds nothing).
        let next = (0..SCENARIO_COUNT)
            .filter(|k| open[*k])
            .map(|k| {
                (
                    k,
                    if lower[k].is_nan() {
                        f64::NEG_INFINITY
                    } else {
                        lower[k]
                    },
                )
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, low)) = next else { break };
        if low >= worst {
            break;
        }
        open[k] = false;
        let (value, delta) = valued.scenario_value(k);
        bounds.count += 1;
        let c = column_of(k);
        bounds.insert(
            c,
            Computed {
                index: valued.scenario_index(k),
                value,
                delta,
            },
        );
        let pnl = valued.pnl_of(k, value);
        if pnl < worst {
            worst = pnl;
        }
        for j in 0..SCENARIO_COUNT {
            if open[j] && column_of(j) == c {
                let tighter = bound_of(bounds, j);
                if tighter > lower[j] {
                    lower[j] = tighter;
                }
            }
        }
    }
    let margin = valued.margin(-worst, None);
    (margin.initial_usd, margin.maintenance_usd)
}
