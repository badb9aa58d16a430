//! The cheapest trades that restore headroom, and hedges: what a request asks (`rebalance`) and
//! what the report answers. The search itself runs on the account in
//! `analyze::rebalance` (successive linear programs on the margin engine's own figures, every
//! answer re-valued as a what-if); the linear programs are [`lp`], the Greek hedges [`hedge`].

pub mod hedge;
pub mod lp;

use crate::report::AccountSnapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `rebalance` in a request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebalanceRequest {
    #[serde(default)]
    pub targets: Targets,
    /// `"auto"` (default) or a list of instruments with their prices and limits.
    #[serde(default)]
    pub candidates: Candidates,
    /// Half-spreads and fees where a candidate does not give its own.
    #[serde(default)]
    pub costs: CostsRequest,
    /// At most this many trades (default 4).
    #[serde(default)]
    pub max_trades: Option<usize>,
    /// Greek hedges to report beside the trades.
    #[serde(default)]
    pub hedge: Option<HedgeRequest>,
    /// With venue accounts: the account (id) to bring to the targets (default: the one nearest to
    /// liquidation).
    #[serde(default)]
    pub account: Option<String>,
    /// With venue accounts: whether moving USD stablecoins in from the other accounts counts as a
    /// candidate (default true).
    #[serde(default)]
    pub transfers: Option<bool>,
}

/// What the account must reach. At least one target, or a hedge, must be given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    /// Margin balance less MM at least this, USD.
    #[serde(default)]
    pub headroom_usd: Option<f64>,
    /// Every underlying's distance to liquidation, down and up, at least this fraction.
    #[serde(default)]
    pub liquidation_distance: Option<f64>,
    /// MM over margin balance at most this fraction.
    #[serde(default)]
    pub max_mm_usage: Option<f64>,
    /// Delta bands by underlying, coins (`[low, high]`), coin collateral included.
    #[serde(default)]
    pub delta: BTreeMap<String, (f64, f64)>,
    /// Gamma bands by underlying, coins per USD.
    #[serde(default)]
    pub gamma: BTreeMap<String, (f64, f64)>,
    /// Vega bands, USD per vol point, by underlying (`BTC`) or expiry bucket (`BTC-27MAR26`).
    #[serde(default)]
    pub vega: BTreeMap<String, (f64, f64)>,
    /// Vanna bands by underlying, coins per vol point.
    #[serde(default)]
    pub vanna: BTreeMap<String, (f64, f64)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Candidates {
    /// `"auto"`.
    Auto(String),
    List(Vec<CandidateRequest>),
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates::Auto("auto".into())
    }
}

/// One candidate trade.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateRequest {
    /// A name as a book row takes it.
    pub instrument: String,
    /// Mid price in the instrument's price unit (default: its mark).
    #[serde(default)]
    pub price: Option<f64>,
    /// Half the bid–ask spread, in the price's unit (default from `costs`).
    #[serde(default)]
    pub half_spread: Option<f64>,
    /// IV (fraction) for an option the market has none for.
    #[serde(default)]
    pub iv: Option<f64>,
    /// Sizes are multiples of this, in the instrument's size unit.
    #[serde(default)]
    pub lot: Option<f64>,
    /// Largest size either way, in the instrument's size unit.
    #[serde(default)]
    pub max_size: Option<f64>,
    /// `buy`, `sell` or `both` (default).
    #[serde(default)]
    pub side: Option<String>,
}

/// Costs where a candidate gives none. Defaults: the `deribit-taker-2026` pack.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostsRequest {
    /// Option half-spread as a fraction of the option's mark (default 0.02).
    #[serde(default)]
    pub option_half_spread: Option<f64>,
    /// Future and perpetual half-spread as a fraction of the price (default 0.0001).
    #[serde(default)]
    pub future_half_spread: Option<f64>,
    /// Option fee as a fraction of the underlying's notional (default 0.0003), capped at
    /// `optionFeeCap` of the premium (default 0.125).
    #[serde(default)]
    pub option_fee: Option<f64>,
    #[serde(default)]
    pub option_fee_cap: Option<f64>,
    /// Future and perpetual fee as a fraction of the notional (default 0.0005).
    #[serde(default)]
    pub future_fee: Option<f64>,
    /// Cost of a collateral move between venue accounts as a fraction of the amount (default 0).
    #[serde(default)]
    pub transfer_fee: Option<f64>,
}

/// `rebalance.hedge`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HedgeRequest {
    /// Greeks to neutralise: any of `delta`, `gamma`, `vega` (default all three).
    #[serde(default)]
    pub neutral: Option<Vec<String>>,
    /// Risk aversion of the no-trade band, per USD (default 1e-5).
    #[serde(default)]
    pub risk_aversion: Option<f64>,
    /// The delta hedge's cost as a fraction of the notional traded (default: the future fee plus
    /// half-spread).
    #[serde(default)]
    pub cost_fraction: Option<f64>,
}

/// `report.rebalance`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RebalanceReport {
    /// The proposed trades; empty when the account meets its targets already or none was found.
    pub trades: Vec<TradeReport>,
    /// Half-spreads and fees of the trades, USD (premiums are an exchange of value, not a cost).
    pub cost_usd: f64,
    /// What-if lines of the trades (`instrument,size,entry`), to paste or put into the what-if.
    pub what_if: String,
    /// The account as it is and with the trades, as the what-if values it (fees taken).
    pub before: AccountSnapshot,
    pub after: AccountSnapshot,
    pub targets: Vec<TargetReport>,
    /// The targets that bind at the answer.
    pub binding: Vec<String>,
    /// Whether re-valuing the account with the trades (the what-if) met every target.
    pub verified: bool,
    /// `met already`, `solved`, `not found` or `not verified`.
    pub status: &'static str,
    /// How the trades were found: `exact` (one linear program equivalent to the targets, under
    /// portfolio margin) or `successive` (linear programs on the engine's figures, each answer
    /// valued on it); `null` when nothing was searched or found.
    pub method: Option<&'static str>,
    pub candidates: usize,
    pub cost_pack: String,
    pub notes: Vec<String>,
    /// Candidates that could not be used, with the reason.
    pub rejected: Vec<String>,
    pub hedges: Vec<HedgeReport>,
    /// With venue accounts: the account brought to the targets.
    pub account: Option<String>,
    /// With venue accounts: USD stablecoins moved in from the other accounts (their fee is in
    /// `costUsd`).
    pub transfers: Vec<crate::report::Transfer>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TradeReport {
    pub instrument: String,
    pub side: &'static str,
    /// Unsigned, in `sizeUnit`.
    pub size: f64,
    pub size_unit: &'static str,
    /// The price paid or received per unit of size, in the instrument's price unit.
    pub price: f64,
    pub price_unit: &'static str,
    /// The same in USD per unit of size.
    pub price_usd: f64,
    /// Half-spread and fee of this trade, USD.
    pub cost_usd: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetReport {
    pub target: String,
    /// The bounds the figure must keep (`null`: none that way), in `unit`.
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: &'static str,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub met: bool,
}

/// One underlying's Greek hedges.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HedgeReport {
    pub underlying: String,
    /// The Greeks neutralised, in order.
    pub greeks: Vec<String>,
    /// Cheapest trades neutralising them; empty when no candidate moves them.
    pub trades: Vec<TradeReport>,
    /// What is left of each Greek after those trades (delta coins, gamma coins per USD, vega
    /// USD per vol point).
    pub residual: BTreeMap<String, f64>,
    pub cost_usd: f64,
    /// The book's delta with coin collateral, coins.
    pub delta: f64,
    /// The minimum-variance delta under the risk model's spot–vol correlation, coins.
    pub min_variance_delta: Option<f64>,
    /// Whalley–Wilmott no-trade band around the delta.
    pub band: Option<BandReport>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandReport {
    /// Half-width, coins.
    pub half_width: f64,
    /// The book's minimum-variance delta with its coin collateral (the delta itself without a
    /// spot–vol correlation), coins: the band is around 0.
    pub hedged_delta: f64,
    pub inside: bool,
    /// The trade to the band's nearer edge, coins of the underlying (0 inside).
    pub trade_coins: f64,
    /// Expected cost of staying in the band, USD a day.
    pub expected_cost_usd_per_day: f64,
    pub cost_fraction: f64,
    pub risk_aversion: f64,
}
