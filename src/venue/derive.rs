//! Derive (ex-Lyra v2): its on-chain Standard Risk Manager, `StandardManager.sol` of
//! derivexyz/v2-core (venue-margin.md §6.1), and an engine that margins a Derive account by it.
//!
//! The manager returns a *net margin*: cash plus, per market, the margin of its perpetual, its
//! options (per expiry, the better of the summed isolated margins and the max loss), its base
//! asset (spot held, counted at a margin factor) and the perpetual's unrealised P&L; negative
//! means short of margin. Initial margin (IM) adds oracle-confidence and stablecoin-depeg charges.
//! An account is liquidatable when its maintenance net margin is below 0.

use super::derive_pm::{PmExpiry, PmOption, PmPortfolio, PmrmParams, Scenario, VolShock};
use super::{AccountLeg, AccountMode, MarginPool, Pack, PackInfo, PoolSpec, PreparedAccount};
use super::{VenueEngine, VenueParams};
use crate::account::AccountState;
use crate::instrument::{Kind, Venue};
use crate::margin::standard::Requirement;
use crate::pricing::black::{undiscounted_black, OptionKind};
use crate::valuation::Model;

/// An oracle confidence in 1e18 units, compared exactly as the contract does (a threshold of
/// `0.4e18` and a confidence of `0.4e18 − 1` differ).
pub type Confidence = u64;

/// Full confidence (1e18).
pub const FULL: Confidence = 1_000_000_000_000_000_000;

/// One market's Standard Risk Manager parameters (`IStandardManager`), fractions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SrmParams {
    pub mm_perp_req: f64,
    pub im_perp_req: f64,
    pub max_spot_req: f64,
    pub min_spot_req: f64,
    pub mm_call_spot_req: f64,
    pub mm_put_spot_req: f64,
    pub mm_put_mtm_req: f64,
    pub unpaired_im_scale: f64,
    pub unpaired_mm_scale: f64,
    pub mm_offset_scale: f64,
    pub base_margin_factor: f64,
    pub base_im_scale: f64,
    pub perp_threshold: Confidence,
    pub option_threshold: Confidence,
    pub base_threshold: Confidence,
    pub oc_factor: f64,
}

impl SrmParams {
    /// `scripts/config-mainnet.sol` of derivexyz/v2-core (the repository at 2026-01-21), ETH's
    /// and BTC's markets.
    pub fn mainnet(underlying: &str) -> SrmParams {
        let (base_margin_factor, base_im_scale) = match underlying {
            "BTC" => (0.75, 0.93),
            _ => (0.8, 0.9375),
        };
        SrmParams {
            mm_perp_req: 0.065,
            im_perp_req: 0.1,
            max_spot_req: 0.15,
            min_spot_req: 0.13,
            mm_call_spot_req: 0.09,
            mm_put_spot_req: 0.09,
            mm_put_mtm_req: 0.09,
            unpaired_im_scale: 1.2,
            unpaired_mm_scale: 1.1,
            mm_offset_scale: 1.05,
            base_margin_factor,
            base_im_scale,
            perp_threshold: 550_000_000_000_000_000,
            option_threshold: 550_000_000_000_000_000,
            base_threshold: 550_000_000_000_000_000,
            oc_factor: 1.0,
        }
    }
}

/// The stablecoin-depeg charge of IM: `(threshold − stable price)·factor·spot·(|perp| + Σ shorts)`
/// when the stablecoin trades below the threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DepegParams {
    pub threshold: f64,
    pub factor: f64,
}

/// One option position of an expiry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SrmOption {
    pub strike: f64,
    pub call: bool,
    /// Signed, in coins.
    pub amount: f64,
    pub vol: f64,
}

/// One expiry of a market: its forward, time and the confidences of its feeds.
#[derive(Clone, Debug, PartialEq)]
pub struct SrmExpiry {
    pub forward: f64,
    pub forward_confidence: Confidence,
    pub vol_confidence: Confidence,
    /// Years to expiry (seconds / 365 days); 0 once expired.
    pub years: f64,
    pub options: Vec<SrmOption>,
}

/// One market (underlying) of an account.
#[derive(Clone, Debug, PartialEq)]
pub struct SrmMarket {
    pub params: SrmParams,
    pub spot: f64,
    pub spot_confidence: Confidence,
    /// Signed perpetual position in coins, its oracle price and confidence, and its unsettled
    /// P&L and funding in USD.
    pub perp: f64,
    pub perp_price: f64,
    pub perp_confidence: Confidence,
    pub perp_pnl: f64,
    /// Coins of the base asset held (≥ 0).
    pub base: f64,
    pub expiries: Vec<SrmExpiry>,
}

/// Net margin (negative: short of margin) and mark-to-market of an account, USD: `cash` plus each
/// market's margin, as `StandardManager._getMarginAndMarkToMarket`.
pub fn net_margin(
    markets: &[SrmMarket],
    cash: f64,
    stable_price: f64,
    depeg: DepegParams,
    initial: bool,
) -> (f64, f64) {
    let depeg_multiplier = if initial && stable_price < depeg.threshold {
        (depeg.threshold - stable_price) * depeg.factor
    } else {
        0.0
    };
    let (mut margin, mut mtm) = (cash, cash);
    for m in markets {
        let (market_margin, market_mtm) = market_margin(m, stable_price, depeg_multiplier, initial);
        margin += market_margin;
        mtm += market_mtm;
    }
    (margin, mtm)
}

fn below(confidence: Confidence, threshold: Confidence) -> bool {
    threshold != 0 && confidence < threshold
}

fn shortfall(confidence: Confidence) -> f64 {
    (FULL - confidence.min(FULL)) as f64 / FULL as f64
}

fn market_margin(m: &SrmMarket, stable: f64, depeg_multiplier: f64, initial: bool) -> (f64, f64) {
    let p = &m.params;
    let mut margin = 0.0;
    let mut shorts = m.perp.abs();
    // Perpetual: a rate of its notional at the perp's own price; IM's oracle contingency.
    if m.perp != 0.0 {
        let req = if initial {
            p.im_perp_req
        } else {
            p.mm_perp_req
        };
        margin -= m.perp.abs() * m.perp_price * req;
        let confidence = m.perp_confidence.min(m.spot_confidence);
        if initial && below(confidence, p.perp_threshold) {
            margin -= shortfall(confidence) * p.oc_factor * m.spot * m.perp.abs();
        }
    }
    // Options, expiry by expiry.
    let mut options_mtm = 0.0;
    for e in &m.expiries {
        let (expiry_margin, expiry_mtm, expiry_shorts) = expiry_margin(e, m.spot, p, initial);
        margin += expiry_margin;
        options_mtm += expiry_mtm;
        shorts += expiry_shorts;
        let confidence = m
            .spot_confidence
            .min(e.forward_confidence)
            .min(e.vol_confidence);
        if initial && below(confidence, p.option_threshold) {
            margin -= shortfall(confidence) * p.oc_factor * m.spot * expiry_shorts;
        }
    }
    if depeg_multiplier != 0.0 {
        margin -= shorts * depeg_multiplier * m.spot;
    }
    // Base asset: counted at its margin factor (and IM scale), valued in the stablecoin.
    let notional = m.base * m.spot;
    let mut base_margin = notional * p.base_margin_factor;
    if initial && m.base != 0.0 {
        base_margin *= p.base_im_scale;
        if base_margin != 0.0 && below(m.spot_confidence, p.base_threshold) {
            base_margin -= shortfall(m.spot_confidence) * p.oc_factor * notional;
        }
    }
    margin += base_margin + m.perp_pnl;
    (margin, options_mtm + m.perp_pnl + notional / stable)
}

/// One expiry's margin (the better of the isolated margins and the max loss), its
/// mark-to-market and its total short size.
fn expiry_margin(e: &SrmExpiry, spot: f64, p: &SrmParams, initial: bool) -> (f64, f64, f64) {
    let max_loss_at = |price: f64| {
        e.options
            .iter()
            .map(|o| {
                let diff = price - o.strike;
                match (o.call, diff) {
                    (true, d) if d > 0.0 => d * o.amount,
                    (false, d) if d < 0.0 => -d * o.amount,
                    _ => 0.0,
                }
            })
            .sum::<f64>()
            .min(0.0)
    };
    let mut max_loss = max_loss_at(0.0);
    let (mut isolated, mut mtm, mut shorts, mut net_calls) = (0.0, 0.0, 0.0, 0.0);
    for o in &e.options {
        let kind = if o.call {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        let value = undiscounted_black(kind, e.forward, o.strike, e.years, o.vol) * o.amount;
        mtm += value;
        if o.call {
            net_calls += o.amount;
        }
        if o.amount < 0.0 {
            shorts -= o.amount;
            isolated += if o.call {
                isolated_call(value, o.strike, o.amount, spot, p, initial)
            } else {
                isolated_put(value, o.strike, o.amount, spot, p, initial)
            };
        }
        max_loss = max_loss.min(max_loss_at(o.strike));
    }
    if net_calls < 0.0 {
        let scale = if initial {
            p.unpaired_im_scale
        } else {
            p.unpaired_mm_scale
        };
        max_loss += scale * e.forward * net_calls;
    }
    (isolated.max(max_loss), mtm, shorts)
}

fn im_multiplier(otm_ratio: f64, p: &SrmParams) -> f64 {
    if p.max_spot_req > otm_ratio && p.max_spot_req - otm_ratio > p.min_spot_req {
        p.max_spot_req - otm_ratio
    } else {
        p.min_spot_req
    }
}

fn isolated_call(
    mtm: f64,
    strike: f64,
    amount: f64,
    spot: f64,
    p: &SrmParams,
    initial: bool,
) -> f64 {
    if !initial {
        return mtm + p.mm_call_spot_req * spot * amount;
    }
    let otm = if strike > spot {
        (strike - spot) / spot
    } else {
        0.0
    };
    im_multiplier(otm, p) * spot * amount + mtm
}

fn isolated_put(
    mtm: f64,
    strike: f64,
    amount: f64,
    spot: f64,
    p: &SrmParams,
    initial: bool,
) -> f64 {
    let maintenance = (p.mm_put_spot_req * spot * amount).min(p.mm_put_mtm_req * mtm) + mtm;
    if !initial {
        return maintenance;
    }
    let otm = if spot > strike {
        (spot - strike) / spot
    } else {
        0.0
    };
    (im_multiplier(otm, p) * spot * amount + mtm).min(maintenance * p.mm_offset_scale)
}

/// The Derive engine: one cross account under the Standard Risk Manager (the portfolio margin
/// managers are not modelled).
pub struct DeriveEngine;

/// The pack: the standard manager's depeg parameters (its per-market parameters are
/// [`SrmParams::mainnet`]), or the portfolio manager's parameters and scenarios.
#[derive(Clone, Debug)]
pub struct DerivePack {
    pub depeg: DepegParams,
    /// `Some` under portfolio margin.
    pub portfolio: Option<(PmrmParams, Vec<Scenario>)>,
}

/// PMRM v1's mainnet parameters and 23 scenarios (`scripts/config-mainnet.sol`).
pub fn pmrm_mainnet() -> (PmrmParams, Vec<Scenario>) {
    let params = PmrmParams {
        scenario_spot_up: 1.05,
        scenario_spot_down: 0.95,
        basis_cont_add_factor: 1.0,
        basis_cont_mult_factor: 1.2,
        peg_loss_threshold: 0.99,
        peg_loss_factor: 4.0,
        conf_threshold: 550_000_000_000_000_000,
        conf_margin: 1.0,
        base_percent: 0.03,
        perp_percent: 0.03,
        option_percent: 0.02,
        im_factor: 1.25,
        base_static_discount: 0.95,
        rate_mult_scale: 1.0,
        rate_add_scale: 0.12,
        vol_range_up: 0.6,
        vol_range_down: 0.3,
        short_term_power: 0.3,
        long_term_power: 0.13,
        dte_floor_days: 1.0,
    };
    let mut scenarios = vec![Scenario {
        spot: 1.2,
        vol: VolShock::Up,
    }];
    for spot in [1.15, 1.1, 1.05, 1.0, 0.95, 0.9, 0.85] {
        for vol in [VolShock::Up, VolShock::None, VolShock::Down] {
            scenarios.push(Scenario { spot, vol });
        }
    }
    scenarios.push(Scenario {
        spot: 0.8,
        vol: VolShock::Up,
    });
    (params, scenarios)
}

impl VenueEngine for DeriveEngine {
    fn venue(&self) -> Venue {
        Venue::Derive
    }

    fn modes(&self) -> &'static [AccountMode] {
        &[AccountMode::Cross, AccountMode::Portfolio]
    }

    fn pack(&self, mode: AccountMode, params: &VenueParams) -> Result<(Pack, PackInfo), String> {
        if !params.maintenance_tiers.is_empty() || !params.max_leverage.is_empty() {
            return Err("Derive's risk managers have no tiers or max leverage to override".into());
        }
        let depeg = DepegParams {
            threshold: 0.99,
            factor: 2.0,
        };
        if mode == AccountMode::Portfolio {
            return Ok((
                Pack::Derive(DerivePack {
                    depeg,
                    portfolio: Some(pmrm_mainnet()),
                }),
                PackInfo {
                    name: "derive-pmrm-v1-mainnet".into(),
                    date: "scripts/config-mainnet.sol of derivexyz/v2-core at 7736900 (2026-01-21)"
                        .into(),
                    source: "derivexyz/v2-core src/risk-managers/PMRM.sol, PMRMLib.sol".into(),
                    rules: vec![
                        "MM = worst of 23 spot × vol scenarios (each expiry re-valued, gains \
                         discounted) and the basis contingency, less static contingencies (3 % of \
                         perp and base, 2 % of naked shorts), plus mark-to-market and cash; IM \
                         scales the loss by 1.25; liquidatable below 0"
                            .into(),
                        "one market per subaccount; oracle confidences full, stablecoin at 1 USD"
                            .into(),
                    ],
                },
            ));
        }
        Ok((
            Pack::Derive(DerivePack {
                depeg,
                portfolio: None,
            }),
            PackInfo {
                name: "derive-srm-mainnet".into(),
                date: "scripts/config-mainnet.sol of derivexyz/v2-core at 7736900 (2026-01-21)"
                    .into(),
                source: "derivexyz/v2-core src/risk-managers/StandardManager.sol".into(),
                rules: vec![
                    "net margin = cash + per market: perp (6.5 % MM / 10 % IM of notional) + \
                     options (per expiry the better of isolated margins and max loss) + base \
                     assets at their margin factor + unrealised perp P&L; liquidatable below 0"
                        .into(),
                    "oracle confidences are taken as full and the stablecoin at 1 USD (Headroom \
                     has no feeds of them): no contingency charges"
                        .into(),
                    "options valued by Black-76 on the market's forward with the vol Headroom \
                     resolves for the row (Derive uses its own vol feed)"
                        .into(),
                ],
            },
        ))
    }

    fn check(
        &self,
        mode: AccountMode,
        legs: &[AccountLeg],
        collateral: &[crate::account::Collateral],
    ) -> Result<(), String> {
        if mode != AccountMode::Portfolio {
            return Ok(());
        }
        let mut markets: Vec<&str> = legs.iter().map(|l| l.leg.underlying.as_str()).collect();
        markets.extend(collateral.iter().filter_map(|c| c.underlying.as_deref()));
        markets.sort_unstable();
        markets.dedup();
        if markets.len() > 1 {
            return Err(format!(
                "a Derive portfolio-margin subaccount holds one market, this one has {}: give each its own account",
                markets.join(", ")
            ));
        }
        Ok(())
    }

    fn refuses(&self, leg: &AccountLeg) -> Option<String> {
        match (leg.mode, leg.kind) {
            (Some(crate::input::RowMarginMode::Isolated), _) => Some(
                "Derive's standard manager margins the whole account: no isolated positions".into(),
            ),
            (_, Kind::Future { .. }) => {
                Some("Derive lists perpetuals and options, not dated futures".into())
            }
            _ => None,
        }
    }

    fn pools<'a>(&self, account: &'a PreparedAccount) -> Vec<Box<dyn MarginPool + 'a>> {
        let Pack::Derive(pack) = &account.pack else {
            return Vec::new();
        };
        account
            .pools
            .iter()
            .map(|spec| Box::new(DerivePool { spec, pack }) as Box<dyn MarginPool + 'a>)
            .collect()
    }

    fn default_isolated_margin(&self, _: &Pack, _: &AccountLeg) -> f64 {
        0.0
    }
}

struct DerivePool<'a> {
    spec: &'a PoolSpec,
    pack: &'a DerivePack,
}

impl DerivePool<'_> {
    /// The account's markets with each index at `factor_of` and option vols through `vol_of`.
    fn markets(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        vol_of: &dyn Fn(&str, f64, f64) -> f64,
    ) -> (Vec<SrmMarket>, f64) {
        let mut markets: Vec<(String, SrmMarket)> = Vec::new();
        let mut cash = 0.0;
        let market = |markets: &mut Vec<(String, SrmMarket)>, u: &str, index: f64| -> usize {
            match markets.iter().position(|(name, _)| name == u) {
                Some(i) => i,
                None => {
                    markets.push((
                        u.to_string(),
                        SrmMarket {
                            params: SrmParams::mainnet(u),
                            spot: index * factor_of(u),
                            spot_confidence: FULL,
                            perp: 0.0,
                            perp_price: index * factor_of(u),
                            perp_confidence: FULL,
                            perp_pnl: 0.0,
                            base: 0.0,
                            expiries: Vec::new(),
                        },
                    ));
                    markets.len() - 1
                }
            }
        };
        for c in &self.spec.collateral {
            match &c.underlying {
                None => cash += c.amount * c.price,
                Some(u) => {
                    let i = market(&mut markets, u, c.price);
                    markets[i].1.base += c.amount;
                }
            }
        }
        for l in &self.spec.legs {
            let u = l.leg.underlying.as_str();
            let i = market(&mut markets, u, l.leg.index);
            let f = factor_of(u);
            let index = l.leg.index * f;
            let m = &mut markets[i].1;
            match l.leg.model {
                Model::LinearFuture {
                    coins,
                    entry,
                    mark_ratio,
                } => {
                    let price = mark_ratio * index;
                    m.perp += coins;
                    m.perp_price = price;
                    m.perp_pnl += coins * (price - entry);
                }
                Model::InverseFuture {
                    notional,
                    entry,
                    mark_ratio,
                } => {
                    let price = mark_ratio * index;
                    m.perp += notional / entry;
                    m.perp_price = price;
                    m.perp_pnl += notional * (1.0 / entry - 1.0 / price) * index;
                }
                Model::Option(o) => {
                    let forward = o.forward_ratio * index;
                    let years = o.years.max(0.0);
                    let position = m
                        .expiries
                        .iter()
                        .position(|e| e.years == years && e.forward == forward);
                    let e = match position {
                        Some(i) => &mut m.expiries[i],
                        None => {
                            m.expiries.push(SrmExpiry {
                                forward,
                                forward_confidence: FULL,
                                vol_confidence: FULL,
                                years,
                                options: Vec::new(),
                            });
                            let last = m.expiries.len() - 1;
                            &mut m.expiries[last]
                        }
                    };
                    e.options.push(SrmOption {
                        strike: o.strike,
                        call: o.kind == OptionKind::Call,
                        amount: o.coins,
                        vol: vol_of(u, years * 365.0, o.vol),
                    });
                }
                Model::Spot { coins, .. } => m.base += coins,
                Model::Settled { coins, usd, .. } => {
                    m.base += coins;
                    cash += usd;
                }
            }
        }
        (markets.into_iter().map(|(_, m)| m).collect(), cash)
    }

    fn state(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        vol_of: &dyn Fn(&str, f64, f64) -> f64,
    ) -> AccountState {
        let (markets, cash) = self.markets(factor_of, vol_of);
        if let Some((params, scenarios)) = &self.pack.portfolio {
            let portfolio = pm_portfolio(&markets, cash);
            let (mm, equity) = super::derive_pm::margin(&portfolio, params, scenarios, false);
            let (im, _) = super::derive_pm::margin(&portfolio, params, scenarios, true);
            return AccountState {
                equity,
                balance: equity,
                initial: equity - im,
                maintenance: equity - mm,
            };
        }
        let (mm, equity) = net_margin(&markets, cash, 1.0, self.pack.depeg, false);
        let (im, _) = net_margin(&markets, cash, 1.0, self.pack.depeg, true);
        AccountState {
            equity,
            balance: equity,
            initial: equity - im,
            maintenance: equity - mm,
        }
    }
}

/// The one market of a portfolio-margin subaccount (checked when the account was read), as the
/// portfolio manager sees it.
fn pm_portfolio(markets: &[SrmMarket], cash: f64) -> PmPortfolio {
    let Some(m) = markets.first() else {
        return PmPortfolio {
            spot: 1.0,
            spot_confidence: FULL,
            stable_price: 1.0,
            cash,
            perp: 0.0,
            perp_price: 1.0,
            perp_confidence: FULL,
            perp_value: 0.0,
            base: 0.0,
            expiries: Vec::new(),
        };
    };
    PmPortfolio {
        spot: m.spot,
        spot_confidence: FULL,
        stable_price: 1.0,
        cash,
        perp: m.perp,
        perp_price: m.perp_price,
        perp_confidence: FULL,
        perp_value: m.perp_pnl,
        base: m.base,
        expiries: m
            .expiries
            .iter()
            .map(|e| PmExpiry {
                forward: e.forward,
                forward_confidence: FULL,
                rate: 0.0,
                rate_confidence: FULL,
                seconds: e.years * 31_536_000.0,
                options: e
                    .options
                    .iter()
                    .map(|o| PmOption {
                        strike: o.strike,
                        call: o.call,
                        amount: o.amount,
                        vol: o.vol,
                        confidence: FULL,
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl MarginPool for DerivePool<'_> {
    fn spec(&self) -> &PoolSpec {
        self.spec
    }

    fn state_with(&self, factor_of: &dyn Fn(&str) -> f64) -> AccountState {
        self.state(factor_of, &|_, _, vol| vol)
    }

    fn stressed(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        shock: &dyn Fn(&str, f64, f64) -> f64,
    ) -> AccountState {
        self.state(factor_of, shock)
    }

    /// Derive's requirement is an account's, not a position's.
    fn position_margin(&self, _: usize) -> Option<Requirement> {
        None
    }
}
