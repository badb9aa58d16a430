//! The report: plain data, camelCase, every number in the unit named in [`UNITS`].

use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The valuation instant used, RFC 3339 UTC.
    pub valuation_time: String,
    pub margin: MarginReport,
    pub positions: Vec<PositionReport<'static>>,
    pub underlyings: BTreeMap<String, UnderlyingReport>,
    /// The whole portfolio: one account, or the sums of `accounts` in USD.
    pub account: AccountReport,
    /// Each venue account on its venue's own rules, when the request has `accounts`.
    pub accounts: Vec<VenueAccountReport>,
    pub errors: Vec<ErrorReport>,
    /// Stress scenarios, worst P&L first.
    pub stress: Vec<StressReport>,
    /// Risk matrices and curves, when the request asked for them.
    pub scenarios: ScenariosReport,
    /// The effect of the request's hypothetical trades, when it has some.
    pub what_if: Option<WhatIfReport>,
    /// VaR, ES and the probability of liquidation over a horizon, when the request asked
    /// (`risk`).
    pub risk: Option<crate::risk::RiskReport>,
    /// Where the P&L since an earlier snapshot came from, when the request asked
    /// (`attribution`).
    pub attribution: Option<crate::attribution::AttributionReport>,
    /// The largest size of a proposed trade that keeps every cap, when the request asked
    /// (`sizing`).
    pub sizing: Option<crate::analyze::SizingReport>,
    /// The cheapest trades reaching the request's targets, and Greek hedges (`rebalance`).
    pub rebalance: Option<crate::rebalance::RebalanceReport>,
    /// Things the user should know that did not stop the computation (e.g. ignored fields).
    pub warnings: Vec<String>,
    pub input: InputReport,
    /// Unit of each numeric field, by field name.
    pub units: BTreeMap<&'static str, &'static str>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MarginReport {
    pub model: String,
    /// The parameter pack used.
    pub pack: String,
    /// How the margin balance was formed.
    pub margin_balance_rule: String,
    /// Absolute vol shock of the vol-shocked distances to liquidation.
    pub vol_shock_up: f64,
}

/// One position's report. Its text borrows from the book where it can (`'a`): the columnar
/// report copies it straight into its columns; [`Report::positions`] holds owned copies.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PositionReport<'a> {
    pub line: usize,
    /// 1-based number of the row among the input's rows (tells apart JSON rows on one line).
    pub item: usize,
    pub instrument: Cow<'a, str>,
    pub underlying: Cow<'a, str>,
    /// `deribit`, `okx`, `bybit` or `binance`.
    pub venue: &'static str,
    /// Why that venue: `column`, `setting`, `headers`, `premium`, `size`, `name` or `default`.
    pub venue_source: &'static str,
    /// How the row was read, in words (venue, settlement, kind, size and its conversion to coins).
    pub read_as: Cow<'a, str>,
    /// Assumptions made for this row (a venue guessed, a contract term not published).
    pub notes: Vec<Cow<'a, str>>,
    /// `option`, `future`, `perpetual` or `spot`.
    pub kind: &'static str,
    /// `inverse` (coin-settled), `linear` (USD-settled) or `spot`.
    pub settlement: &'static str,
    pub expiry: Option<Cow<'a, str>>,
    pub strike: Option<f64>,
    /// `call` or `put`.
    pub option_type: Option<&'static str>,
    pub expired: bool,
    /// Signed size as given, in `sizeUnit`.
    pub size: f64,
    /// `coin`, `USD` or `contracts`.
    pub size_unit: &'static str,
    /// Signed size in coins of the underlying.
    pub quantity: f64,
    pub index: f64,
    pub years: Option<f64>,
    pub forward: Option<f64>,
    /// `market`, `future` or `basis`.
    pub forward_source: Option<&'static str>,
    /// Volatility used, fraction.
    pub iv: Option<f64>,
    /// `row`, `mark` or `default`.
    pub iv_source: Option<&'static str>,
    /// Model mark price in `priceUnit`.
    pub mark_price: f64,
    /// Entry price as given, in `priceUnit`.
    pub entry_price: Option<f64>,
    /// Currency of `markPrice` and `entryPrice`: the coin for inverse options, else USD.
    pub price_unit: Cow<'a, str>,
    pub value_usd: f64,
    pub value_coin: Option<f64>,
    pub pnl_usd: Option<f64>,
    pub delta: f64,
    pub gamma: f64,
    /// Γ·S/100: coins of delta gained per 1 % rise of the index.
    pub gamma_pct: f64,
    pub vega: f64,
    /// Vega in coin (USD vega over the index).
    pub vega_coin: f64,
    pub theta: f64,
    /// Theta in coin (USD theta over the index).
    pub theta_coin: f64,
    pub rho: f64,
    pub vanna: f64,
    pub volga: f64,
    pub charm: f64,
    pub coin_delta: Option<f64>,
    /// Standard margin of this position; `null` under portfolio models (margin is a portfolio's).
    pub initial_margin_usd: Option<f64>,
    pub maintenance_margin_usd: Option<f64>,
    /// The id of the venue account holding it (`null` without `accounts`).
    pub account: Option<Cow<'a, str>>,
    /// The pool it is margined in: `cross`, `isolated …`, `segregated BTC`.
    pub margin_pool: Option<Cow<'a, str>>,
    /// The index price (USD) at which its pool reaches maintenance margin, every other price
    /// held: the nearer of the moves down and up; `null` when none within −99 %…+1000 %.
    pub liquidation_price: Option<f64>,
    /// With accounts, the figures of the position's pool (its own for an isolated position):
    /// equity (USD; an isolated position's margin plus its P&L), MM (USD), MM usage (fraction).
    pub pool_equity_usd: Option<f64>,
    pub pool_maintenance_margin_usd: Option<f64>,
    pub pool_mm_usage: Option<f64>,
    /// The venue's own figures where the pasted response states them; `null` otherwise.
    pub venue_reported: Option<VenueReported>,
}

/// What a venue's API response says of a position, for reconciliation with Headroom's figures.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VenueReported {
    /// USD.
    pub liquidation_price: Option<f64>,
    /// In the venue's unit (coin for Deribit's coin-settled positions, USD elsewhere).
    pub maintenance_margin: Option<f64>,
    pub initial_margin: Option<f64>,
    /// Headroom's liquidation price over the venue's, less 1 (with accounts).
    pub liquidation_price_difference: Option<f64>,
}

impl PositionReport<'_> {
    /// The same report owning its text.
    pub fn into_owned(self) -> PositionReport<'static> {
        let own = |text: Cow<str>| Cow::Owned(text.into_owned());
        PositionReport {
            instrument: own(self.instrument),
            underlying: own(self.underlying),
            read_as: own(self.read_as),
            notes: self.notes.into_iter().map(own).collect(),
            expiry: self.expiry.map(own),
            price_unit: own(self.price_unit),
            line: self.line,
            item: self.item,
            venue: self.venue,
            venue_source: self.venue_source,
            kind: self.kind,
            settlement: self.settlement,
            strike: self.strike,
            option_type: self.option_type,
            expired: self.expired,
            size: self.size,
            size_unit: self.size_unit,
            quantity: self.quantity,
            index: self.index,
            years: self.years,
            forward: self.forward,
            forward_source: self.forward_source,
            iv: self.iv,
            iv_source: self.iv_source,
            mark_price: self.mark_price,
            entry_price: self.entry_price,
            value_usd: self.value_usd,
            value_coin: self.value_coin,
            pnl_usd: self.pnl_usd,
            delta: self.delta,
            gamma: self.gamma,
            gamma_pct: self.gamma_pct,
            vega: self.vega,
            vega_coin: self.vega_coin,
            theta: self.theta,
            theta_coin: self.theta_coin,
            rho: self.rho,
            vanna: self.vanna,
            volga: self.volga,
            charm: self.charm,
            coin_delta: self.coin_delta,
            initial_margin_usd: self.initial_margin_usd,
            maintenance_margin_usd: self.maintenance_margin_usd,
            account: self.account.map(own),
            margin_pool: self.margin_pool.map(own),
            liquidation_price: self.liquidation_price,
            pool_equity_usd: self.pool_equity_usd,
            pool_maintenance_margin_usd: self.pool_maintenance_margin_usd,
            pool_mm_usage: self.pool_mm_usage,
            venue_reported: self.venue_reported,
        }
    }
}

/// The field lists of [`PositionColumns`]: each field's JSON name and how to read it from a
/// report `$p`, written once for the names and the code that fills the columns.
macro_rules! position_fields {
    ($p:ident; numbers: [$($number:literal => $get_number:expr),* $(,)?];
     texts: [$($text:literal => $get_text:expr),* $(,)?] $(;)?) => {
        /// Every numeric field of [`PositionReport`], by JSON name, in [`PositionColumns::numbers`]'s order.
        pub const POSITION_NUMBERS: &[&str] = &[$($number),*];
        /// Every text field of [`PositionReport`] but `notes`, by JSON name, in
        /// [`PositionColumns::texts`]' order.
        pub const POSITION_TEXTS: &[&str] = &[$($text),*];

        impl PositionColumns {
            /// Appends every field of `$p` but `expired` and `notes`.
            fn push_fields(&mut self, $p: &PositionReport) {
                let mut numbers = self.numbers.iter_mut();
                $(if let Some(column) = numbers.next() {
                    let value: Option<f64> = $get_number;
                    column.push(value.unwrap_or(f64::NAN));
                })*
                let mut texts = self.texts.iter_mut();
                $(if let Some(column) = texts.next() {
                    let value: Option<&str> = $get_text;
                    column.push(value);
                })*
            }
        }
    };
}

position_fields! { p;
    numbers: [
        "line" => Some(p.line as f64),
        "item" => Some(p.item as f64),
        "strike" => p.strike,
        "size" => Some(p.size),
        "quantity" => Some(p.quantity),
        "index" => Some(p.index),
        "years" => p.years,
        "forward" => p.forward,
        "iv" => p.iv,
        "markPrice" => Some(p.mark_price),
        "entryPrice" => p.entry_price,
        "valueUsd" => Some(p.value_usd),
        "valueCoin" => p.value_coin,
        "pnlUsd" => p.pnl_usd,
        "delta" => Some(p.delta),
        "gamma" => Some(p.gamma),
        "gammaPct" => Some(p.gamma_pct),
        "vega" => Some(p.vega),
        "vegaCoin" => Some(p.vega_coin),
        "theta" => Some(p.theta),
        "thetaCoin" => Some(p.theta_coin),
        "rho" => Some(p.rho),
        "vanna" => Some(p.vanna),
        "volga" => Some(p.volga),
        "charm" => Some(p.charm),
        "coinDelta" => p.coin_delta,
        "initialMarginUsd" => p.initial_margin_usd,
        "maintenanceMarginUsd" => p.maintenance_margin_usd,
        "liquidationPrice" => p.liquidation_price,
        "poolEquityUsd" => p.pool_equity_usd,
        "poolMaintenanceMarginUsd" => p.pool_maintenance_margin_usd,
        "poolMmUsage" => p.pool_mm_usage,
        "venueLiquidationPrice" => p.venue_reported.and_then(|v| v.liquidation_price),
        "venueMaintenanceMargin" => p.venue_reported.and_then(|v| v.maintenance_margin),
        "venueInitialMargin" => p.venue_reported.and_then(|v| v.initial_margin),
        "venueLiquidationPriceDifference" => p.venue_reported.and_then(|v| v.liquidation_price_difference),
    ];
    texts: [
        "instrument" => Some(&p.instrument),
        "underlying" => Some(&p.underlying),
        "venue" => Some(p.venue),
        "venueSource" => Some(p.venue_source),
        "readAs" => Some(&p.read_as),
        "kind" => Some(p.kind),
        "settlement" => Some(p.settlement),
        "expiry" => p.expiry.as_deref(),
        "optionType" => p.option_type,
        "sizeUnit" => Some(p.size_unit),
        "forwardSource" => p.forward_source,
        "ivSource" => p.iv_source,
        "priceUnit" => Some(&p.price_unit),
        "account" => p.account.as_deref(),
        "marginPool" => p.margin_pool.as_deref(),
    ];
}

/// Positions in columns, filled one report at a time: every field of [`PositionReport`] in the
/// order of [`POSITION_NUMBERS`] and [`POSITION_TEXTS`]. What `analyzeColumnar` hands to
/// JavaScript as typed arrays.
#[derive(Clone, Debug, PartialEq)]
pub struct PositionColumns {
    pub count: usize,
    /// One column per [`POSITION_NUMBERS`] entry; NaN for `None`.
    pub numbers: Vec<Vec<f64>>,
    /// 1 where the position is expired.
    pub expired: Vec<u8>,
    /// One column per [`POSITION_TEXTS`] entry.
    pub texts: Vec<TextColumn>,
    /// Every position's notes one after another, and how many each has.
    pub notes: TextColumn,
    pub note_counts: Vec<u32>,
}

impl Default for PositionColumns {
    fn default() -> Self {
        PositionColumns {
            count: 0,
            numbers: vec![Vec::new(); POSITION_NUMBERS.len()],
            expired: Vec::new(),
            texts: vec![TextColumn::default(); POSITION_TEXTS.len()],
            notes: TextColumn::default(),
            note_counts: Vec::new(),
        }
    }
}

impl PositionColumns {
    pub fn push(&mut self, p: &PositionReport) {
        self.count += 1;
        self.push_fields(p);
        self.expired.push(u8::from(p.expired));
        for note in &p.notes {
            self.notes.push(Some(note));
        }
        self.note_counts.push(p.notes.len() as u32);
    }

    /// Whether some text column outgrew its UTF-16 positions (over 4 G characters).
    pub fn too_long(&self) -> bool {
        self.notes.too_long || self.texts.iter().any(|t| t.too_long)
    }
}

/// Strings one after another, with the UTF-16 position where each ends ([`TextColumn::NULL`]
/// for `None`): one JavaScript string and a `Uint32Array` per column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextColumn {
    pub text: String,
    pub ends: Vec<u32>,
    /// The UTF-16 length of `text`.
    units: u32,
    /// Set when the text passed `u32::MAX - 1` UTF-16 units; its ends are then wrong.
    too_long: bool,
}

impl TextColumn {
    /// The `ends` entry of `None`.
    pub const NULL: u32 = u32::MAX;

    fn push(&mut self, value: Option<&str>) {
        let Some(s) = value else {
            self.ends.push(Self::NULL);
            return;
        };
        self.text.push_str(s);
        // ASCII (every name and code Headroom writes) is one UTF-16 unit a byte.
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        let end = u32::try_from(units)
            .ok()
            .and_then(|u| self.units.checked_add(u))
            .filter(|e| *e != Self::NULL);
        match end {
            Some(end) => {
                self.units = end;
                self.ends.push(end);
            }
            None => {
                self.too_long = true;
                self.ends.push(Self::NULL);
            }
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UnderlyingReport {
    pub index: Option<f64>,
    pub positions: usize,
    pub value_usd: f64,
    pub pnl_usd: f64,
    pub delta: f64,
    pub gamma: f64,
    pub gamma_pct: f64,
    pub vega: f64,
    pub vega_coin: f64,
    /// Σ vega × √(30 / days to expiry): vega with short expiries weighted up.
    pub weighted_vega: f64,
    pub theta: f64,
    pub theta_coin: f64,
    pub rho: f64,
    pub vanna: f64,
    pub volga: f64,
    pub charm: f64,
    /// Sum over coin-settled positions.
    pub coin_delta: f64,
    /// Coins of this underlying held as collateral.
    pub collateral: f64,
    /// delta + collateral: coins to sell to flatten the account's USD value in this underlying.
    pub delta_with_collateral: f64,
    pub initial_margin_usd: f64,
    pub maintenance_margin_usd: f64,
    pub expiries: Vec<ExpiryReport>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryReport {
    /// Venue code, `25DEC26`.
    pub expiry: String,
    pub expiry_time: String,
    pub years: f64,
    /// `null` while the underlying has no index.
    pub forward: Option<f64>,
    pub forward_source: Option<&'static str>,
    /// F/S − 1: the forward's premium over the index.
    pub basis: Option<f64>,
    /// ln(F/S)/T: the basis as an annual rate.
    pub basis_annualized: Option<f64>,
    pub expired: bool,
    /// For an expired expiry, the price its instruments settled at (USD).
    pub settlement: Option<f64>,
    /// Number of this underlying's positions in this expiry.
    pub positions: usize,
    /// Their value and P&L, USD.
    pub value_usd: f64,
    pub pnl_usd: f64,
    /// Their USD delta (coins), gamma (coins per USD) and theta (USD per day).
    pub delta: f64,
    pub gamma: f64,
    pub theta: f64,
    /// Vega of this underlying's positions in this expiry, USD per vol point.
    pub vega: f64,
    /// vega × √(30 / days to expiry).
    pub weighted_vega: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccountReport {
    pub collateral_usd: f64,
    pub equity_usd: f64,
    pub margin_balance_usd: f64,
    pub initial_margin_usd: f64,
    pub maintenance_margin_usd: f64,
    pub available_usd: f64,
    pub headroom_usd: f64,
    pub im_usage: Option<f64>,
    pub mm_usage: Option<f64>,
    pub liquidatable: bool,
    pub liquidation: BTreeMap<String, LiquidationReport>,
    /// Every underlying's index moving together by the same fraction.
    pub liquidation_all: LiquidationReport,
    /// Absolute vol shock used by the `…VolUp` distances.
    pub vol_shock_up: f64,
    /// Why the requirement is what it is: per pool (portfolio margin) or underlying (SPAN).
    pub margin_detail: Vec<MarginDetailReport>,
    /// With `accounts`: the account (and pool) liquidated first when every index moves together,
    /// down and up.
    pub first_to_liquidate: Option<FirstToLiquidate>,
    /// With two or more venue accounts: the stablecoin transfer between them that maximises the
    /// smallest distance to liquidation.
    pub collateral_transfer: Option<CollateralTransfer>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CollateralTransfer {
    /// Empty when no transfer brings the nearest liquidation further away.
    pub transfers: Vec<Transfer>,
    /// Fractions of the index, either way; the account they belong to.
    pub smallest_distance_before: Option<f64>,
    pub account_before: Option<String>,
    pub smallest_distance_after: Option<f64>,
    pub account_after: Option<String>,
    pub rule: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    pub from: String,
    pub to: String,
    /// USD stablecoins.
    pub amount_usd: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FirstToLiquidate {
    pub down: Option<LiquidationEvent>,
    pub up: Option<LiquidationEvent>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LiquidationEvent {
    pub account: String,
    pub venue: &'static str,
    pub pool: String,
    /// Common move of every index, fraction.
    pub r#move: f64,
}

/// One venue account on its venue's rules; USD unless named.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VenueAccountReport {
    pub id: String,
    pub venue: &'static str,
    pub margin_mode: &'static str,
    pub pack: PackReport,
    /// Where a figure follows an approximation instead of the venue's published rule, and how.
    pub approximations: Vec<String>,
    pub positions: usize,
    pub collateral_usd: f64,
    pub equity_usd: f64,
    pub margin_balance_usd: f64,
    pub initial_margin_usd: f64,
    pub maintenance_margin_usd: f64,
    pub available_usd: f64,
    pub headroom_usd: f64,
    pub mm_usage: Option<f64>,
    pub liquidatable: bool,
    /// Per underlying, the nearest liquidation of any of the account's pools.
    pub liquidation: BTreeMap<String, LiquidationReport>,
    pub liquidation_all: LiquidationReport,
    /// The pools positions share (cross, segregated currencies); an isolated position's figures
    /// are on the position (`poolEquityUsd`, `poolMaintenanceMarginUsd`, `poolMmUsage`).
    pub pools: Vec<PoolReport>,
    /// How many positions are isolated.
    pub isolated_positions: usize,
    /// The account's Greeks per underlying.
    pub underlyings: BTreeMap<String, SnapshotUnderlying>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PackReport {
    pub name: String,
    pub date: String,
    pub source: String,
    pub rules: Vec<String>,
}

/// Part of an account margined and liquidated on its own; USD.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PoolReport {
    pub name: String,
    pub isolated: bool,
    /// Lines of its positions.
    pub lines: Vec<usize>,
    pub equity_usd: f64,
    pub initial_margin_usd: f64,
    pub maintenance_margin_usd: f64,
    pub headroom_usd: f64,
    pub mm_usage: Option<f64>,
    pub liquidatable: bool,
    pub liquidation: BTreeMap<String, LiquidationReport>,
    pub liquidation_all: LiquidationReport,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MarginDetailReport {
    pub underlying: String,
    /// Currency of the figures without `Usd`: the coin for a coin-settled pool, else USD.
    pub currency: String,
    /// The parameter pack or method.
    pub method: String,
    /// The worst scenario loss (≥ 0).
    pub worst_case: f64,
    pub worst_scenario: Option<crate::margin::portfolio::Scenario>,
    pub roll_shock: Option<f64>,
    pub delta_shock: Option<f64>,
    pub spread_charge: Option<f64>,
    pub short_option_minimum: Option<f64>,
    pub initial_margin: f64,
    pub maintenance_margin: f64,
    pub initial_margin_usd: f64,
    pub maintenance_margin_usd: f64,
    /// Every scenario with its P&L, in `currency`.
    pub scenarios: Vec<crate::margin::portfolio::Scenario>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LiquidationReport {
    pub down: Option<f64>,
    pub up: Option<f64>,
    pub down_price: Option<f64>,
    pub up_price: Option<f64>,
    /// The same with every option's volatility shocked up by `volShockUp`.
    pub down_vol_up: Option<f64>,
    pub up_vol_up: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfReport {
    /// The hypothetical positions, valued like the book's.
    pub positions: Vec<PositionReport<'static>>,
    /// Hypothetical rows that could not be used.
    pub errors: Vec<ErrorReport>,
    /// Premium the trades pay (positive) or receive (negative), USD: options at their entry
    /// price, else at their mark; taken from the collateral in the "after" account.
    pub premium_usd: f64,
    /// How the margin model counts long options, when it matters to the trade.
    pub long_options_rule: Option<String>,
    pub before: AccountSnapshot,
    pub after: AccountSnapshot,
}

/// The figures a trade changes, for the account as it is and with the trade.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccountSnapshot {
    pub equity_usd: f64,
    pub initial_margin_usd: f64,
    pub maintenance_margin_usd: f64,
    pub available_usd: f64,
    pub headroom_usd: f64,
    pub mm_usage: Option<f64>,
    /// Per underlying: distance to liquidation (signed fractions) and summed Greeks.
    pub underlyings: BTreeMap<String, SnapshotUnderlying>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotUnderlying {
    pub down: Option<f64>,
    pub up: Option<f64>,
    /// Coins.
    pub delta: f64,
    /// Coins per USD.
    pub gamma: f64,
    /// USD per vol point.
    pub vega: f64,
    /// USD per day.
    pub theta: f64,
}

impl SnapshotUnderlying {
    /// Adds a position's Greeks.
    pub fn add(&mut self, g: &crate::valuation::LegGreeks) {
        self.delta += g.delta;
        self.gamma += g.gamma;
        self.vega += g.vega;
        self.theta += g.theta;
    }
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScenariosReport {
    pub matrix: Vec<crate::scenarios::MatrixReport>,
    pub curves: Vec<crate::scenarios::CurveReport>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StressReport {
    pub name: String,
    /// When it happened, or "user".
    pub date: String,
    pub source: String,
    /// Fractional index move applied to each underlying.
    pub moves: BTreeMap<String, f64>,
    /// Relative implied-vol change applied (0.5 = × 1.5 at 30 days, tenor-scaled).
    pub vol_change: BTreeMap<String, f64>,
    /// Figures not in the source, and how they were derived.
    pub assumed: Vec<String>,
    /// Fractional move of each stablecoin's USD price (a depeg), by currency.
    pub collateral_moves: BTreeMap<String, f64>,
    /// Change in equity, USD.
    pub pnl_usd: f64,
    pub equity_usd: f64,
    pub margin_balance_usd: f64,
    pub maintenance_margin_usd: f64,
    pub mm_usage: Option<f64>,
    pub liquidatable: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    /// The venue account of the row, with `accounts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub line: usize,
    /// 1-based number of the row among the input's rows; 0 for the header or the whole text.
    pub item: usize,
    pub message: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InputReport {
    pub format: &'static str,
    pub columns: Vec<ColumnReport>,
    pub rows_read: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ColumnReport {
    pub column: String,
    /// The field the column was read as, or `null` when ignored.
    pub field: Option<&'static str>,
}

/// Units of the report's numbers (conventions.md).
pub const UNITS: &[(&str, &str)] = &[
    ("size", "sizeUnit: coin, USD notional or contracts"),
    ("quantity", "coins of the underlying"),
    ("index", "USD"),
    ("strike", "USD"),
    ("forward", "USD"),
    ("years", "calendar years (days / 365)"),
    ("iv", "fraction (0.65 = 65 %)"),
    ("markPrice", "priceUnit per coin"),
    ("entryPrice", "priceUnit per coin"),
    ("valueUsd", "USD"),
    ("valueCoin", "coins of the underlying"),
    ("pnlUsd", "USD"),
    ("premiumUsd", "USD (paid positive)"),
    ("delta", "coins of the underlying (∂V_usd/∂S)"),
    ("gamma", "coins per 1 USD move of the index"),
    (
        "gammaPct",
        "coins of delta per 1 % move of the index (Γ·S/100)",
    ),
    ("vega", "USD per 1 vol point"),
    ("vegaCoin", "coins of the underlying per 1 vol point"),
    (
        "weightedVega",
        "USD per 1 vol point, × √(30 / days to expiry)",
    ),
    ("theta", "USD per calendar day"),
    ("thetaCoin", "coins of the underlying per calendar day"),
    ("basis", "fraction (F/S − 1)"),
    ("basisAnnualized", "fraction per year (ln(F/S)/T)"),
    ("settlement", "USD"),
    ("moves", "signed fractional move of each index"),
    (
        "volChange",
        "relative change of implied vol (0.5 = × 1.5), tenor-scaled",
    ),
    ("rho", "USD per 1 percentage point of rate"),
    ("vanna", "coins of delta per 1 vol point"),
    ("volga", "USD per (1 vol point)²"),
    ("charm", "coins of delta per calendar day"),
    ("coinDelta", "coins (S·∂V_coin/∂S, coin-settled only)"),
    ("collateral", "coins of the underlying"),
    ("deltaWithCollateral", "coins of the underlying"),
    ("initialMarginUsd", "USD"),
    ("maintenanceMarginUsd", "USD"),
    ("collateralUsd", "USD"),
    ("equityUsd", "USD"),
    ("marginBalanceUsd", "USD"),
    ("availableUsd", "USD"),
    ("headroomUsd", "USD"),
    ("imUsage", "fraction of margin balance (1 = 100 %)"),
    (
        "mmUsage",
        "fraction of margin balance (1 = 100 %; liquidation)",
    ),
    (
        "down",
        "signed fractional move of the index (−0.23 = −23 %)",
    ),
    ("up", "signed fractional move of the index (0.5 = +50 %)"),
    ("downPrice", "USD"),
    ("upPrice", "USD"),
    ("varUsd", "USD, a loss (positive)"),
    ("esUsd", "USD, a loss (positive)"),
    ("varStandardErrorUsd", "USD"),
    ("esStandardErrorUsd", "USD"),
    ("cornishFisherVarUsd", "USD, a loss (positive)"),
    ("tableErrorUsd", "USD"),
    ("edgesUsd", "USD of P&L"),
    ("horizonDays", "calendar days"),
    ("confidence", "fraction"),
    ("liquidationProbability", "fraction of paths"),
    ("liquidationStandardError", "fraction"),
    ("realizedVol", "annual fraction (√365)"),
    ("ewmaVol", "annual fraction (√365)"),
    ("impliedVol", "annual fraction"),
    ("nextDayVol", "annual fraction (√365)"),
    ("horizonVol", "annual fraction (√365)"),
    ("longRunVol", "annual fraction (√365)"),
    ("omega", "daily variance"),
    ("cumulativeProbability", "fraction"),
    ("kupiecPValue", "fraction"),
    ("deltaUsd", "USD"),
    ("gammaUsd", "USD"),
    ("vegaUsd", "USD"),
    ("thetaUsd", "USD"),
    ("vannaUsd", "USD"),
    ("volgaUsd", "USD"),
    ("rhoUsd", "USD"),
    ("basisUsd", "USD"),
    ("unexplainedUsd", "USD"),
];
