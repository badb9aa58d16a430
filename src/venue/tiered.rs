//! The per-position venues — Binance, OKX, Bybit, Hyperliquid, dYdX — as one engine over their
//! packs: each perpetual or future needs `notional·rate − deduction` of its tier as maintenance
//! and `notional / leverage` as initial margin; each short option its venue's option formula.
//! A cross pool is liquidatable when its equity (collateral + unrealised P&L + option values)
//! falls to the sum; an isolated position when its isolated margin + unrealised P&L falls to its
//! own.

use super::packs::{self, MarginPrice, OptionRule, TieredPack};
use super::tiers::{TierBasis, TierTable};
use super::{AccountLeg, AccountMode, MarginPool, Pack, PackInfo, PoolSpec, PreparedAccount};
use super::{VenueEngine, VenueParams};
use crate::account::AccountState;
use crate::figure::Figure;
use crate::instrument::{Kind, Venue};
use crate::margin::standard::Requirement;
use crate::margin::StandardMargin;
use crate::pricing::black::OptionKind;
use crate::valuation::{Leg, Model};

/// A venue whose rules are a [`TieredPack`].
pub struct TieredEngine {
    venue: Venue,
    published: fn() -> TieredPack,
}

static BINANCE: TieredEngine = TieredEngine {
    venue: Venue::Binance,
    published: packs::binance,
};
static OKX: TieredEngine = TieredEngine {
    venue: Venue::Okx,
    published: packs::okx,
};
static BYBIT: TieredEngine = TieredEngine {
    venue: Venue::Bybit,
    published: packs::bybit,
};
static HYPERLIQUID: TieredEngine = TieredEngine {
    venue: Venue::Hyperliquid,
    published: packs::hyperliquid,
};
static DYDX: TieredEngine = TieredEngine {
    venue: Venue::Dydx,
    published: packs::dydx,
};

/// The engine of a per-position venue (Derive's risk managers are not modelled: see
/// [`super::engine`]'s caller).
pub fn engine(venue: Venue) -> &'static dyn VenueEngine {
    match venue {
        Venue::Okx => &OKX,
        Venue::Bybit => &BYBIT,
        Venue::Hyperliquid => &HYPERLIQUID,
        Venue::Dydx => &DYDX,
        _ => &BINANCE,
    }
}

impl VenueEngine for TieredEngine {
    fn venue(&self) -> Venue {
        self.venue
    }

    fn modes(&self) -> &'static [AccountMode] {
        &[AccountMode::Cross, AccountMode::Isolated]
    }

    fn pack(&self, _: AccountMode, params: &VenueParams) -> Result<(Pack, PackInfo), String> {
        let mut pack = (self.published)();
        for (coin, tiers) in &params.maintenance_tiers {
            let table = TierTable::from_input(tiers)
                .map_err(|e| format!("maintenanceTiers.{coin}: {e}"))?;
            let coin = coin.trim().to_ascii_uppercase();
            pack.tiers.insert(coin.clone(), table);
            pack.overridden.push(coin);
        }
        for (coin, leverage) in &params.max_leverage {
            if !(leverage.is_finite() && *leverage >= 1.0) {
                return Err(format!(
                    "maxLeverage.{coin}: {} must be 1 or more",
                    Figure(*leverage)
                ));
            }
            let table = TierTable::derived(&[(0.0, 0.5 / leverage, *leverage)])
                .map_err(|e| format!("maxLeverage.{coin}: {e}"))?;
            let coin = coin.trim().to_ascii_uppercase();
            pack.tiers.insert(coin.clone(), table);
            pack.overridden.push(coin);
        }
        if let Some(l) = params.leverage {
            if !(l.is_finite() && (1.0..=1000.0).contains(&l)) {
                return Err(format!("leverage: {} must be from 1 to 1000", Figure(l)));
            }
        }
        let mut rules = pack.notes.clone();
        if !pack.overridden.is_empty() {
            pack.name = format!(
                "{} (with the user's tiers for {})",
                pack.name,
                pack.overridden.join(", ")
            );
        }
        if let Some(l) = params.leverage {
            rules.push(format!("leverage {} where a row gives none", Figure(l)));
        }
        let info = PackInfo {
            name: pack.name.clone(),
            date: pack.date.clone(),
            source: pack.source.clone(),
            rules,
        };
        pack.default_leverage = params.leverage;
        Ok((Pack::Tiered(pack), info))
    }

    fn refuses(&self, leg: &AccountLeg) -> Option<String> {
        let option = matches!(leg.kind, Kind::Option { .. });
        if option && (self.published)().options == OptionRule::NotListed {
            return Some(format!(
                "{} lists no options; this option belongs in another venue's account",
                self.venue.label()
            ));
        }
        if option && leg.mode == Some(crate::input::RowMarginMode::Isolated) {
            return Some("options are margined in the cross pool, not isolated".into());
        }
        None
    }

    fn pools<'a>(&self, account: &'a PreparedAccount) -> Vec<Box<dyn MarginPool + 'a>> {
        let Pack::Tiered(pack) = &account.pack else {
            return Vec::new();
        };
        account
            .pools
            .iter()
            .map(|spec| Box::new(TieredPool::new(spec, pack)) as Box<dyn MarginPool + 'a>)
            .collect()
    }

    fn default_isolated_margin(&self, pack: &Pack, leg: &AccountLeg) -> f64 {
        let Pack::Tiered(pack) = pack else {
            return 0.0;
        };
        let table = pack.table(&leg.leg.underlying);
        let entry_notional = notional_at_entry(&leg.leg);
        entry_notional / leverage_of(leg, pack, &table, entry_notional)
    }
}

/// USD notional of a perpetual or future at its entry (the mark when no entry was given).
fn notional_at_entry(leg: &Leg) -> f64 {
    match leg.model {
        Model::LinearFuture { coins, entry, .. } => coins.abs() * entry,
        Model::InverseFuture { notional, .. } => notional.abs(),
        _ => 0.0,
    }
}

/// The position's leverage: its row's, else the account's `params.leverage`, else the tier's max
/// at `notional`; never above the tier's max.
fn leverage_of(leg: &AccountLeg, pack: &TieredPack, table: &TierTable, notional: f64) -> f64 {
    let max = table.tier(notional).max_leverage;
    leg.leverage
        .or(pack.default_leverage)
        .map_or(max, |l| l.min(max))
}

/// A position as the venue margins it: the rows of one perpetual or future in a cross pool net
/// into one position (one-way mode: the tier is the net position's), every other row stands alone.
struct Position<'a> {
    /// Its rows (indices into the pool's legs) and their gross size, for sharing its margin out.
    legs: Vec<usize>,
    gross: f64,
    underlying: usize,
    kind: PositionKind,
    table: std::borrow::Cow<'a, TierTable>,
    leverage: Option<f64>,
}

enum PositionKind {
    /// Net coins, Σ coins·entry (USD) and the mark over the index.
    Linear {
        coins: f64,
        cost: f64,
        mark_ratio: f64,
    },
    /// Net USD face, Σ face/entry (coins) and the mark over the index.
    Inverse {
        face: f64,
        cost_coins: f64,
        mark_ratio: f64,
    },
    /// An option, a holding or a settled leg: valued on its own.
    Leg,
}

pub struct TieredPool<'a> {
    spec: &'a PoolSpec,
    pack: &'a TieredPack,
    positions: Vec<Position<'a>>,
    /// Each leg's position.
    position_of: Vec<usize>,
    /// Whether the margin gap is concave in the price (no options, convex tables), so the
    /// liquidation search can bracket the crossing at once ([`super::scan_concave`]).
    concave: bool,
    /// Deribit's standard option margin, where the venue's option rule is not sourced.
    deribit: StandardMargin,
}

impl<'a> TieredPool<'a> {
    fn new(spec: &'a PoolSpec, pack: &'a TieredPack) -> TieredPool<'a> {
        let mut positions: Vec<Position<'a>> = Vec::new();
        let mut keys: Vec<Option<(&str, bool)>> = Vec::new();
        let mut position_of = Vec::with_capacity(spec.legs.len());
        for (i, l) in spec.legs.iter().enumerate() {
            let (kind, size, inverse) = match l.leg.model {
                Model::LinearFuture {
                    coins,
                    entry,
                    mark_ratio,
                } => (
                    PositionKind::Linear {
                        coins,
                        cost: coins * entry,
                        mark_ratio,
                    },
                    coins,
                    false,
                ),
                Model::InverseFuture {
                    notional,
                    entry,
                    mark_ratio,
                } => (
                    PositionKind::Inverse {
                        face: notional,
                        cost_coins: notional / entry,
                        mark_ratio,
                    },
                    notional,
                    true,
                ),
                _ => (PositionKind::Leg, 0.0, false),
            };
            let key = match kind {
                PositionKind::Leg => None,
                _ => Some((l.instrument.as_str(), inverse)),
            };
            let same = key.and_then(|k| keys.iter().position(|x| *x == Some(k)));
            if let (Some(p), false) = (same, spec.isolated) {
                let position = &mut positions[p];
                position.legs.push(i);
                position.gross += size.abs();
                match (&mut position.kind, kind) {
                    (
                        PositionKind::Linear { coins, cost, .. },
                        PositionKind::Linear {
                            coins: c, cost: k, ..
                        },
                    ) => {
                        *coins += c;
                        *cost += k;
                    }
                    (
                        PositionKind::Inverse {
                            face, cost_coins, ..
                        },
                        PositionKind::Inverse {
                            face: f,
                            cost_coins: k,
                            ..
                        },
                    ) => {
                        *face += f;
                        *cost_coins += k;
                    }
                    _ => {}
                }
                position_of.push(p);
                continue;
            }
            keys.push(key);
            position_of.push(positions.len());
            positions.push(Position {
                legs: vec![i],
                gross: size.abs(),
                underlying: i,
                kind,
                table: pack.table(&l.leg.underlying),
                leverage: l.leverage.or(pack.default_leverage),
            });
        }
        let concave = positions.iter().all(|p| {
            p.table.is_convex() && !matches!(spec.legs[p.underlying].leg.model, Model::Option(_))
        });
        TieredPool {
            spec,
            pack,
            positions,
            position_of,
            concave,
            deribit: StandardMargin::deribit(),
        }
    }

    fn underlying_of(&self, p: &Position) -> &str {
        &self.spec.legs[p.underlying].leg.underlying
    }

    /// Value (USD, the position's contribution to equity) and margin of position `p` with its
    /// index at `factor` times its level and option volatilities through `vol_of(days, vol)`.
    fn position_at(
        &self,
        p: &Position,
        factor: f64,
        vol_of: &dyn Fn(f64, f64) -> f64,
    ) -> (f64, Requirement) {
        let index = self.spec.legs[p.underlying].leg.index * factor;
        match p.kind {
            PositionKind::Linear {
                coins,
                cost,
                mark_ratio,
            } => {
                let mark = mark_ratio * index;
                let price = match self.pack.margin_price {
                    MarginPrice::Mark => mark,
                    // The net position's average entry.
                    MarginPrice::Entry if coins != 0.0 => cost / coins,
                    MarginPrice::Entry => mark,
                };
                let notional = coins.abs() * price;
                let basis = match self.pack.basis {
                    TierBasis::Notional => notional,
                    TierBasis::Quantity => coins.abs(),
                };
                (coins * mark - cost, self.future_margin(p, basis, notional))
            }
            PositionKind::Inverse {
                face,
                cost_coins,
                mark_ratio,
            } => {
                let mark = mark_ratio * index;
                let value_coin = cost_coins - face / mark;
                // The USD face is worth face·index/mark at the mark; at the average entry
                // (face / cost_coins) it is cost_coins·index.
                let usd = match self.pack.margin_price {
                    MarginPrice::Mark => face.abs() * index / mark,
                    MarginPrice::Entry => cost_coins.abs() * index,
                };
                let basis = match self.pack.basis {
                    TierBasis::Notional => usd,
                    TierBasis::Quantity => face.abs(),
                };
                (value_coin * index, self.future_margin(p, basis, usd))
            }
            PositionKind::Leg => self.leg_at(p.underlying, factor, vol_of),
        }
    }

    /// Value and margin of a leg valued on its own (an option, a holding, a settled leg).
    fn leg_at(
        &self,
        i: usize,
        factor: f64,
        vol_of: &dyn Fn(f64, f64) -> f64,
    ) -> (f64, Requirement) {
        let leg = &self.spec.legs[i].leg;
        let index = leg.index * factor;
        match leg.model {
            Model::Option(o) => {
                let days = o.years * 365.0;
                let mark = o.price_at(index, vol_of(days, o.vol));
                let value = mark * o.coins;
                if o.coins >= 0.0 {
                    return (value, Requirement::default());
                }
                let entry_usd = o.entry.map(|e| if o.inverse { e * leg.index } else { e });
                let forward = o.forward_ratio * index;
                let per_coin = short_option_margin(
                    &self.pack.options,
                    &self.deribit,
                    &ShortOption {
                        kind: o.kind,
                        index,
                        forward,
                        strike: o.strike,
                        mark,
                        entry: entry_usd,
                        underlying: &leg.underlying,
                    },
                );
                (
                    value,
                    Requirement {
                        initial: per_coin.initial * -o.coins,
                        maintenance: per_coin.maintenance * -o.coins,
                    },
                )
            }
            Model::Spot { coins, .. } => (coins * index, Requirement::default()),
            Model::Settled { coins, usd, .. } => (coins * index + usd, Requirement::default()),
            // Futures are valued as positions.
            Model::LinearFuture { .. } | Model::InverseFuture { .. } => {
                (0.0, Requirement::default())
            }
        }
    }

    fn future_margin(&self, p: &Position, basis: f64, notional: f64) -> Requirement {
        let tier = p.table.tier(basis);
        let leverage = p
            .leverage
            .map_or(tier.max_leverage, |l| l.min(tier.max_leverage));
        Requirement {
            initial: notional / leverage,
            maintenance: p.table.maintenance(basis, notional),
        }
    }

    /// The pool's isolated margin of position `p` with its index at `factor`.
    fn isolated_at(&self, p: &Position, factor: f64) -> f64 {
        if !self.spec.isolated {
            return 0.0;
        }
        p.legs
            .iter()
            .map(|&i| isolated_margin_at(&self.spec.legs[i], factor))
            .sum()
    }

    fn total(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        vol_of: &dyn Fn(&str, f64, f64) -> f64,
    ) -> AccountState {
        let mut state = AccountState::default();
        for c in &self.spec.collateral {
            let f = c.underlying.as_deref().map_or(1.0, factor_of);
            state.equity += c.amount * c.price * f;
        }
        for p in &self.positions {
            let u = self.underlying_of(p);
            let f = factor_of(u);
            let (value, margin) = self.position_at(p, f, &|days, vol| vol_of(u, days, vol));
            state.equity += value + self.isolated_at(p, f);
            state.initial += margin.initial;
            state.maintenance += margin.maintenance;
        }
        state.balance = state.equity;
        state
    }
}

/// An isolated position's margin in USD with its index at `factor`: fixed USD for a linear
/// contract; coins (bought at the valuation's index) for an inverse one, whose margin is held in
/// the coin.
fn isolated_margin_at(l: &AccountLeg, factor: f64) -> f64 {
    let usd = l.isolated_margin.unwrap_or(0.0);
    match l.leg.model {
        Model::InverseFuture { .. } => usd * factor,
        _ => usd,
    }
}

impl MarginPool for TieredPool<'_> {
    fn spec(&self) -> &PoolSpec {
        self.spec
    }

    fn state_with(&self, factor_of: &dyn Fn(&str) -> f64) -> AccountState {
        self.total(factor_of, &|_, _, vol| vol)
    }

    fn stressed(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        shock: &dyn Fn(&str, f64, f64) -> f64,
    ) -> AccountState {
        self.total(factor_of, shock)
    }

    /// A row's share of its position's margin: the position's, by the row's share of its gross
    /// size (all of it for a row that stands alone).
    fn position_margin(&self, leg: usize) -> Option<Requirement> {
        let p = &self.positions[*self.position_of.get(leg)?];
        let (_, margin) = self.position_at(p, 1.0, &|_, vol| vol);
        let share = match (&p.kind, p.legs.len()) {
            (_, 1) | (PositionKind::Leg, _) => 1.0,
            _ => {
                let size = match self.spec.legs[leg].leg.model {
                    Model::LinearFuture { coins, .. } => coins.abs(),
                    Model::InverseFuture { notional, .. } => notional.abs(),
                    _ => 0.0,
                };
                if p.gross > 0.0 {
                    size / p.gross
                } else {
                    0.0
                }
            }
        };
        Some(Requirement {
            initial: margin.initial * share,
            maintenance: margin.maintenance * share,
        })
    }

    /// The search of [`MarginPool::liquidation`], with the other underlyings' positions and
    /// collateral valued once: only `underlying`'s are re-valued at each probe.
    fn liquidation(&self, underlying: &str) -> crate::account::Liquidation {
        let (moving, others): (Vec<&Position<'_>>, Vec<&Position<'_>>) = self
            .positions
            .iter()
            .partition(|p| self.underlying_of(p) == underlying);
        let mut fixed = AccountState::default();
        for p in others {
            let (value, margin) = self.position_at(p, 1.0, &|_, vol| vol);
            fixed.equity += value + self.isolated_at(p, 1.0);
            fixed.initial += margin.initial;
            fixed.maintenance += margin.maintenance;
        }
        let coin: Vec<(f64, bool)> = self
            .spec
            .collateral
            .iter()
            .map(|c| {
                (
                    c.amount * c.price,
                    c.underlying.as_deref() == Some(underlying),
                )
            })
            .collect();
        let at = |m: f64| {
            let mut state = fixed;
            for (usd, moves) in &coin {
                state.equity += if *moves { usd * (1.0 + m) } else { *usd };
            }
            for p in &moving {
                let (value, margin) = self.position_at(p, 1.0 + m, &|_, vol| vol);
                state.equity += value + self.isolated_at(p, 1.0 + m);
                state.initial += margin.initial;
                state.maintenance += margin.maintenance;
            }
            state.balance = state.equity;
            state
        };
        if self.concave {
            super::scan_concave(&at)
        } else {
            super::scan(&at)
        }
    }

    fn liquidation_all(&self) -> crate::account::Liquidation {
        let at = |m: f64| self.state_with(&|_| 1.0 + m);
        if self.concave {
            super::scan_concave(&at)
        } else {
            super::scan(&at)
        }
    }
}

/// A short option as its venue's formula sees it: index, forward of its expiry, strike, mark and
/// entry per coin (USD).
#[derive(Clone, Copy, Debug)]
pub struct ShortOption<'a> {
    pub kind: OptionKind,
    pub index: f64,
    pub forward: f64,
    pub strike: f64,
    pub mark: f64,
    pub entry: Option<f64>,
    pub underlying: &'a str,
}

/// A short option's IM and MM per coin, USD, by the venue's `rule`.
pub fn short_option_margin(
    rule: &OptionRule,
    deribit: &StandardMargin,
    option: &ShortOption,
) -> Requirement {
    let ShortOption {
        kind,
        index,
        forward,
        strike,
        mark,
        entry,
        underlying,
    } = *option;
    match rule {
        OptionRule::Okx {
            a,
            b,
            c,
            c_default,
            margin_factor,
        } => {
            let c = c
                .iter()
                .find(|(u, _)| *u == underlying)
                .map_or(*c_default, |(_, c)| *c);
            let otm = match kind {
                OptionKind::Call => (strike - forward).max(0.0),
                OptionKind::Put => (forward - strike).max(0.0),
            };
            let initial = a.max(b - otm / forward) * margin_factor * index + mark;
            let maintenance = match kind {
                OptionKind::Call => c * margin_factor * index + mark,
                OptionKind::Put => (c * index).max(c * mark) * margin_factor + mark,
            };
            Requirement {
                initial,
                maintenance,
            }
        }
        OptionRule::Bybit {
            mm_factor,
            liquidation_fee,
            im_high,
            im_low,
        } => {
            let otm = match kind {
                OptionKind::Call => (strike - index).max(0.0),
                OptionKind::Put => (index - strike).max(0.0),
            };
            let maintenance =
                (mm_factor * index).max(mm_factor * mark) + mark + liquidation_fee * index;
            let initial = ((im_high * index - otm).max(im_low * index)
                + entry.unwrap_or(mark).max(mark))
            .max(maintenance);
            Requirement {
                initial,
                maintenance,
            }
        }
        OptionRule::DeribitApproximation | OptionRule::NotListed => {
            deribit.short_option(kind, 1.0, index, strike, mark)
        }
    }
}
