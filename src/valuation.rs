//! One position resolved against the market into a [`Leg`]: everything fixed except the index,
//! so it can be re-valued cheaply at any move of its underlying (for the liquidation search).
//!
//! Model (conventions.md): options are Black-76 on the forward of their expiry; a move of the
//! index by a factor f moves every forward and mark of that underlying by the same factor, with
//! volatility and time held fixed.

use crate::calendar::year_fraction;
use crate::figure::Figure;
use crate::input::PositionRow;
use crate::instrument::{Kind, Settlement, SizeUnit};
use crate::margin::standard::{Requirement, StandardMargin};
use crate::market::{ForwardSource, Market};
use crate::pricing::black::{
    intrinsic, price_and_greeks, undiscounted_black, OptionInputs, OptionKind,
};
use crate::pricing::implied_black_vol;
pub use crate::volatility::VolSource;

/// A live option: Black-76 on `forward_ratio · index`.
#[derive(Clone, Copy, Debug)]
pub struct OptionLeg {
    pub kind: OptionKind,
    pub strike: f64,
    pub years: f64,
    pub vol: f64,
    pub vol_source: VolSource,
    /// The user's vol shift included in `vol` (absolute, 0 without one).
    pub vol_shift: f64,
    /// Forward over index at the valuation; held fixed under a move.
    pub forward_ratio: f64,
    pub forward_source: ForwardSource,
    pub rate: f64,
    pub inverse: bool,
    /// Signed size in coins of the underlying.
    pub coins: f64,
    /// Entry price per coin: coin for inverse, USD for linear.
    pub entry: Option<f64>,
}

/// How a leg is valued.
#[derive(Clone, Copy, Debug)]
pub enum Model {
    Option(OptionLeg),
    /// Inverse future or perpetual of `notional` USD (signed), entered at `entry`, marked at
    /// `mark_ratio · index`.
    InverseFuture {
        notional: f64,
        entry: f64,
        mark_ratio: f64,
    },
    /// Linear future or perpetual of `coins` (signed).
    LinearFuture {
        coins: f64,
        entry: f64,
        mark_ratio: f64,
    },
    /// Coins held outright.
    Spot {
        coins: f64,
        entry: Option<f64>,
    },
    /// An expired instrument, settled at the index: a fixed amount of coin and of USD, and what
    /// was paid for it (for the P&L).
    Settled {
        coins: f64,
        usd: f64,
        cost_coins: f64,
        cost_usd: f64,
        has_cost: bool,
        mark: f64,
    },
}

/// One position ready to be re-valued.
#[derive(Clone, Debug)]
pub struct Leg {
    pub line: usize,
    pub underlying: String,
    /// Index at the valuation, USD.
    pub index: f64,
    /// Size in coins of the underlying (inverse futures: USD notional over their mark).
    pub quantity: f64,
    /// Years to expiry of a live dated future (roll shock); `None` otherwise.
    pub future_years: Option<f64>,
    pub model: Model,
}

/// Value and margin of a leg at one index level, USD unless named otherwise.
#[derive(Clone, Copy, Debug, Default)]
pub struct LegState {
    /// Contribution to equity.
    pub value_usd: f64,
    /// Value in coin, for coin-settled legs.
    pub value_coin: Option<f64>,
    /// Value that standard margin does not count as collateral (long options).
    pub long_option_usd: f64,
    pub margin: Requirement,
    /// Mark in the instrument's price unit (coin for inverse options, USD otherwise).
    pub mark: f64,
}

/// Sensitivities in the report's units (conventions.md), for the whole position.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LegGreeks {
    /// ∂V_usd/∂S, coins.
    pub delta: f64,
    /// ∂²V_usd/∂S², coins per USD.
    pub gamma: f64,
    /// USD per vol point.
    pub vega: f64,
    /// USD per calendar day.
    pub theta: f64,
    /// USD per percentage point of rate.
    pub rho: f64,
    /// Coins of delta per vol point.
    pub vanna: f64,
    /// USD per (vol point)².
    pub volga: f64,
    /// Coins of delta per calendar day.
    pub charm: f64,
    /// S·∂V_coin/∂S, coins; coin-settled legs only.
    pub coin_delta: Option<f64>,
}

/// Resolves a checked row against the market. The error is a sentence for the user.
pub fn resolve(row: &PositionRow, market: &Market) -> Result<Leg, String> {
    let instrument = &row.instrument;
    let symbol = &instrument.underlying;
    let index = market.index(symbol).ok_or_else(|| {
        format!(
            "no index price for {symbol}: set it in the market (market.underlyings.{symbol}.index)"
        )
    })?;
    let multiplier = |per_contract: f64| row.multiplier.unwrap_or(per_contract);
    let amount = row.size
        * match instrument.size_unit {
            SizeUnit::Coin | SizeUnit::Usd => row.multiplier.unwrap_or(1.0),
            SizeUnit::Contracts { coins } => multiplier(coins),
            SizeUnit::UsdContracts { usd } => multiplier(usd),
        };
    if !amount.is_finite() {
        return Err("the size times the multiplier is too large".into());
    }
    let usd_sized = matches!(
        instrument.size_unit,
        SizeUnit::Usd | SizeUnit::UsdContracts { .. }
    );
    let coins_for = |mark: f64| {
        if usd_sized {
            amount / mark
        } else {
            amount
        }
    };
    let inverse = instrument.settlement == Settlement::Inverse;
    let years = instrument
        .expiry()
        .map(|e| year_fraction(market.valuation, e));
    let future_years = match instrument.kind {
        Kind::Future { .. } => years.filter(|t| *t > 0.0),
        _ => None,
    };
    let leg = |model, quantity| {
        Ok(Leg {
            line: row.line,
            underlying: symbol.clone(),
            index,
            quantity,
            future_years,
            model,
        })
    };

    match instrument.kind {
        Kind::Spot => leg(
            Model::Spot {
                coins: amount,
                entry: row.entry,
            },
            amount,
        ),
        Kind::Option {
            strike,
            option,
            expiry,
        } if years.is_some_and(|t| t <= 0.0) => {
            let settle = market.settlement(symbol, expiry).unwrap_or(index);
            let payoff_usd = intrinsic(option, settle, strike);
            let (coins, usd, mark) = if inverse {
                (payoff_usd / settle * amount, 0.0, payoff_usd / settle)
            } else {
                (0.0, payoff_usd * amount, payoff_usd)
            };
            let cost = row.entry.unwrap_or(0.0) * amount;
            let (cost_coins, cost_usd) = if inverse { (cost, 0.0) } else { (0.0, cost) };
            leg(
                Model::Settled {
                    coins,
                    usd,
                    cost_coins,
                    cost_usd,
                    has_cost: row.entry.is_some(),
                    mark,
                },
                amount,
            )
        }
        Kind::Option {
            strike,
            option,
            expiry,
        } => {
            let years = year_fraction(market.valuation, expiry);
            let (forward, forward_source) = market.forward(symbol, expiry).ok_or("no forward")?;
            let (vol, vol_source) =
                option_vol(row, market, option, strike, years, forward, index, inverse)?;
            // The user's vol shift (all options, then the expiry's), floored at 1 %.
            let shift = market.vol_shift(symbol, expiry);
            let shifted = if shift == 0.0 {
                vol
            } else {
                (vol + shift).max(0.01)
            };
            leg(
                Model::Option(OptionLeg {
                    kind: option,
                    strike,
                    years,
                    vol: shifted,
                    vol_shift: shifted - vol,
                    vol_source,
                    forward_ratio: forward / index,
                    forward_source,
                    rate: market.rate,
                    inverse,
                    coins: amount,
                    entry: row.entry,
                }),
                amount,
            )
        }
        Kind::Future { expiry } if years.is_some_and(|t| t <= 0.0) => {
            let settle = market.settlement(symbol, expiry).unwrap_or(index);
            let entry = row.entry.unwrap_or(settle);
            let (coins, usd) = if inverse {
                (amount * (1.0 / entry - 1.0 / settle), 0.0)
            } else {
                (0.0, amount * (settle - entry))
            };
            leg(
                Model::Settled {
                    coins,
                    usd,
                    cost_coins: 0.0,
                    cost_usd: 0.0,
                    has_cost: true,
                    mark: settle,
                },
                coins_for(settle),
            )
        }
        Kind::Future { expiry } => {
            let (forward, _) = market.forward(symbol, expiry).ok_or("no forward")?;
            leg(
                future_model(
                    inverse,
                    amount,
                    row.entry.unwrap_or(forward),
                    forward / index,
                ),
                coins_for(forward),
            )
        }
        Kind::Perpetual => {
            let mark = row.mark.unwrap_or(index);
            leg(
                future_model(inverse, amount, row.entry.unwrap_or(mark), mark / index),
                coins_for(mark),
            )
        }
    }
}

fn future_model(inverse: bool, amount: f64, entry: f64, mark_ratio: f64) -> Model {
    if inverse {
        Model::InverseFuture {
            notional: amount,
            entry,
            mark_ratio,
        }
    } else {
        Model::LinearFuture {
            coins: amount,
            entry,
            mark_ratio,
        }
    }
}

/// The IV implied by the row's mark price (the venue's own number), else the row's IV, else the
/// expiry's smile, the ATM term structure or the underlying's default. A mark and an IV that
/// disagree are said next to the position (see `analyze`), never silently reconciled.
#[allow(clippy::too_many_arguments)]
fn option_vol(
    row: &PositionRow,
    market: &Market,
    kind: OptionKind,
    strike: f64,
    years: f64,
    forward: f64,
    index: f64,
    inverse: bool,
) -> Result<(f64, VolSource), String> {
    if let Some(mark) = row.mark {
        let price_usd = if inverse { mark * index } else { mark };
        let undiscounted = price_usd * (market.rate * years).exp();
        let unit = if inverse {
            row.instrument.underlying.as_str()
        } else {
            "USD"
        };
        match implied_black_vol(undiscounted, forward, strike, years, kind) {
            Some(vol) => return Ok((vol, VolSource::Mark)),
            // The row's IV stands in; the report says the mark implied none.
            None if row.iv.is_some() => {}
            None => {
                return Err(format!(
                    "the mark price {} {unit} implies no volatility (forward {}, strike {}): \
                     it must lie strictly between the option's intrinsic value and its upper bound",
                    Figure(mark),
                    Figure(forward),
                    Figure(strike)
                ))
            }
        }
    }
    if let Some(iv) = row.iv {
        return Ok((iv, VolSource::Row));
    }
    let symbol = &row.instrument.underlying;
    let surface = row
        .instrument
        .expiry()
        .and_then(|e| market.surface_vol(symbol, e, strike, forward, years));
    if let Some(found) = surface {
        return Ok(found);
    }
    market
        .underlying(symbol)
        .and_then(|u| u.vol)
        .map(|v| (v, VolSource::Default))
        .ok_or_else(|| {
            format!(
                "no volatility: give the row an IV or a mark price, or set a smile, ATM vols or a \
             default vol for {symbol} (market.underlyings.{symbol}.vol)"
            )
        })
}

impl OptionLeg {
    /// Price per coin, USD, with the index at `index` and volatility `vol` (no Greeks computed).
    pub fn price_at(&self, index: f64, vol: f64) -> f64 {
        (-self.rate * self.years).exp()
            * undiscounted_black(
                self.kind,
                self.forward_ratio * index,
                self.strike,
                self.years,
                vol,
            )
    }

    fn inputs(&self, index: f64) -> OptionInputs {
        OptionInputs {
            kind: self.kind,
            spot: self.forward_ratio * index,
            strike: self.strike,
            years: self.years,
            rate: self.rate,
            carry: 0.0,
            vol: self.vol,
        }
    }
}

impl Leg {
    /// The same position `k` times as large (its entry unchanged).
    pub fn scaled(&self, k: f64) -> Leg {
        let mut leg = self.clone();
        leg.quantity *= k;
        match &mut leg.model {
            Model::Option(o) => o.coins *= k,
            Model::InverseFuture { notional, .. } => *notional *= k,
            Model::LinearFuture { coins, .. } | Model::Spot { coins, .. } => *coins *= k,
            Model::Settled { .. } => {}
        }
        leg
    }

    /// Value and margin with the index at `factor` times its current level.
    pub fn state(&self, factor: f64, margin: &StandardMargin) -> LegState {
        let index = self.index * factor;
        match self.model {
            Model::Option(o) => {
                let price = o.price_at(index, o.vol);
                let value_usd = price * o.coins;
                let requirement = if o.coins < 0.0 {
                    margin.short_option(o.kind, -o.coins, index, o.strike, price)
                } else {
                    Requirement::default()
                };
                LegState {
                    value_usd,
                    value_coin: o.inverse.then(|| value_usd / index),
                    long_option_usd: value_usd.max(0.0),
                    margin: requirement,
                    mark: if o.inverse { price / index } else { price },
                }
            }
            Model::InverseFuture {
                notional,
                entry,
                mark_ratio,
            } => {
                let mark = mark_ratio * index;
                let value_coin = notional * (1.0 / entry - 1.0 / mark);
                let coins = notional.abs() / mark;
                LegState {
                    value_usd: value_coin * index,
                    value_coin: Some(value_coin),
                    long_option_usd: 0.0,
                    margin: margin.future(&self.underlying, coins, coins * index),
                    mark,
                }
            }
            Model::LinearFuture {
                coins,
                entry,
                mark_ratio,
            } => {
                let mark = mark_ratio * index;
                LegState {
                    value_usd: coins * (mark - entry),
                    value_coin: None,
                    long_option_usd: 0.0,
                    margin: margin.future(&self.underlying, coins.abs(), coins.abs() * mark),
                    mark,
                }
            }
            Model::Spot { coins, .. } => LegState {
                value_usd: coins * index,
                value_coin: None,
                long_option_usd: 0.0,
                margin: Requirement::default(),
                mark: index,
            },
            Model::Settled {
                coins, usd, mark, ..
            } => LegState {
                value_usd: coins * index + usd,
                value_coin: (coins != 0.0).then_some(coins),
                long_option_usd: 0.0,
                margin: Requirement::default(),
                mark,
            },
        }
    }

    /// The leg `days` later, index unchanged: options lose time (an option past its expiry is
    /// worth its payoff at the scenario's index), forwards converge to the index at the same basis.
    pub fn aged(&self, days: f64) -> Leg {
        let mut leg = self.clone();
        let elapsed = days / 365.0;
        if let Model::Option(o) = &mut leg.model {
            let remaining = o.years - elapsed;
            o.forward_ratio = if remaining > 0.0 {
                o.forward_ratio.powf(remaining / o.years)
            } else {
                1.0
            };
            o.years = remaining;
        }
        if let Model::InverseFuture { mark_ratio, .. } | Model::LinearFuture { mark_ratio, .. } =
            &mut leg.model
        {
            if let Some(t) = self.future_years {
                let remaining = t - elapsed;
                *mark_ratio = if remaining > 0.0 {
                    mark_ratio.powf(remaining / t)
                } else {
                    1.0
                };
            }
        }
        leg.future_years = self.future_years.map(|t| t - elapsed).filter(|t| *t > 0.0);
        leg
    }

    /// Years to expiry of an option or dated future; `None` for perpetuals.
    pub fn years(&self) -> Option<f64> {
        self.option().map(|o| o.years).or(self.future_years)
    }

    /// P&L against the entry price at the valuation, USD; `None` without an entry price.
    pub fn pnl_usd(&self, state: &LegState) -> Option<f64> {
        match self.model {
            Model::Option(o) => o.entry.map(|entry| {
                if o.inverse {
                    (state.mark - entry) * o.coins * self.index
                } else {
                    (state.mark - entry) * o.coins
                }
            }),
            Model::InverseFuture { .. } | Model::LinearFuture { .. } => Some(state.value_usd),
            Model::Spot { coins, entry } => entry.map(|e| coins * (self.index - e)),
            Model::Settled {
                coins,
                usd,
                cost_coins,
                cost_usd,
                has_cost,
                ..
            } => has_cost.then_some((coins - cost_coins) * self.index + (usd - cost_usd)),
        }
    }

    /// Sensitivities at the valuation, in the report's units.
    pub fn greeks(&self) -> LegGreeks {
        self.greeks_at(1.0)
    }

    /// Sensitivities with the index at `factor` times its level, in the report's units.
    pub fn greeks_at(&self, factor: f64) -> LegGreeks {
        let index = self.index * factor;
        match self.model {
            Model::Option(o) if o.years <= 0.0 => LegGreeks::default(),
            Model::Option(o) => {
                let g = price_and_greeks(&o.inputs(index)).in_report_units();
                let r = o.forward_ratio;
                let delta = g.delta * r;
                LegGreeks {
                    delta: delta * o.coins,
                    gamma: g.gamma * r * r * o.coins,
                    vega: g.vega * o.coins,
                    theta: g.theta * o.coins,
                    rho: g.rho * o.coins,
                    vanna: g.vanna * r * o.coins,
                    volga: g.volga * o.coins,
                    charm: g.charm * r * o.coins,
                    coin_delta: o.inverse.then(|| (delta - g.price / index) * o.coins),
                }
            }
            Model::InverseFuture {
                notional,
                entry,
                mark_ratio,
            } => LegGreeks {
                delta: notional / entry,
                coin_delta: Some(notional / (mark_ratio * index)),
                ..LegGreeks::default()
            },
            Model::LinearFuture {
                coins, mark_ratio, ..
            } => LegGreeks {
                delta: coins * mark_ratio,
                ..LegGreeks::default()
            },
            Model::Spot { coins, .. } => LegGreeks {
                delta: coins,
                ..LegGreeks::default()
            },
            Model::Settled { coins, .. } => LegGreeks {
                delta: coins,
                coin_delta: (coins != 0.0).then_some(0.0),
                ..LegGreeks::default()
            },
        }
    }

    pub fn option(&self) -> Option<&OptionLeg> {
        match &self.model {
            Model::Option(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_expired(&self) -> bool {
        matches!(self.model, Model::Settled { .. })
    }
}
