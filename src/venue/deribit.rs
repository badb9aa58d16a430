//! Deribit: standard margin cross (the whole account in USD), segregated (one cross pool per
//! settlement currency) and portfolio margin — the models of `crate::margin`, each pool an
//! [`Account`] of its positions and collateral.

use super::{AccountLeg, AccountMode, MarginPool, Pack, PackInfo, PoolSpec, PreparedAccount};
use super::{VenueEngine, VenueParams};
use crate::account::{Account, AccountState, Liquidation};
use crate::instrument::Venue;
use crate::margin::portfolio::PmPack;
use crate::margin::standard::Requirement;
use crate::margin::{MarginModel, StandardMargin};
use std::collections::BTreeMap;

pub struct DeribitEngine;

impl VenueEngine for DeribitEngine {
    fn venue(&self) -> Venue {
        Venue::Deribit
    }

    fn modes(&self) -> &'static [AccountMode] {
        &[
            AccountMode::Cross,
            AccountMode::Segregated,
            AccountMode::Portfolio,
        ]
    }

    fn pack(&self, mode: AccountMode, params: &VenueParams) -> Result<(Pack, PackInfo), String> {
        if !params.maintenance_tiers.is_empty() || !params.max_leverage.is_empty() {
            return Err("Deribit's margin has no tiers or max leverage to override".into());
        }
        if mode == AccountMode::Portfolio {
            let packs: BTreeMap<String, PmPack> = ["BTC", "ETH"]
                .into_iter()
                .map(|u| (u.to_string(), PmPack::published(u)))
                .collect();
            let names: Vec<String> = packs.values().map(|p| p.name.clone()).collect();
            return Ok((
                Pack::Deribit(MarginModel::DeribitPm(packs)),
                PackInfo {
                    name: names.join("; "),
                    date: "see each pack's name".into(),
                    source: "Deribit portfolio margin (margin.md §2)".into(),
                    rules: vec!["risk matrix per underlying and settlement pool".into()],
                },
            ));
        }
        let margin = StandardMargin::deribit();
        Ok((
            Pack::Deribit(MarginModel::Standard(margin.clone())),
            PackInfo {
                name: margin.name.to_string(),
                date: "2022-01-11".into(),
                source: "Deribit knowledge base, standard margin (margin.md §1)".into(),
                rules: vec![
                    "long options are not collateral: the margin balance is equity less their value"
                        .into(),
                ],
            },
        ))
    }

    fn refuses(&self, leg: &AccountLeg) -> Option<String> {
        leg.mode
            .filter(|m| *m == crate::input::RowMarginMode::Isolated)
            .map(|_| {
                "Deribit has no isolated margin: use marginMode segregated for per-currency pools"
                    .to_string()
            })
    }

    fn pools<'a>(&self, account: &'a PreparedAccount) -> Vec<Box<dyn MarginPool + 'a>> {
        let Pack::Deribit(model) = &account.pack else {
            return Vec::new();
        };
        account
            .pools
            .iter()
            .map(|spec| {
                Box::new(DeribitPool {
                    spec,
                    model,
                    account: Account::new(
                        spec.legs.iter().map(|l| &l.leg),
                        &spec.collateral,
                        model,
                    ),
                }) as Box<dyn MarginPool + 'a>
            })
            .collect()
    }

    fn default_isolated_margin(&self, _: &Pack, _: &AccountLeg) -> f64 {
        0.0
    }
}

/// A Deribit pool: an [`Account`] of the pool's positions and collateral under the model.
struct DeribitPool<'a> {
    spec: &'a PoolSpec,
    model: &'a MarginModel,
    account: Account<'a>,
}

impl MarginPool for DeribitPool<'_> {
    fn spec(&self) -> &PoolSpec {
        self.spec
    }

    fn state_with(&self, factor_of: &dyn Fn(&str) -> f64) -> AccountState {
        self.account.state_with(factor_of)
    }

    fn stressed(
        &self,
        factor_of: &dyn Fn(&str) -> f64,
        shock: &dyn Fn(&str, f64, f64) -> f64,
    ) -> AccountState {
        self.account
            .with_vols(|u, days| {
                let u = u.to_string();
                move |vol| shock(&u, days, vol)
            })
            .state_with(factor_of)
    }

    fn position_margin(&self, leg: usize) -> Option<Requirement> {
        let MarginModel::Standard(margin) = self.model else {
            return None;
        };
        self.spec
            .legs
            .get(leg)
            .map(|l| l.leg.state(1.0, margin).margin)
    }

    fn liquidation(&self, underlying: &str) -> Liquidation {
        self.account.liquidation(underlying)
    }

    fn liquidation_all(&self) -> Liquidation {
        self.account.liquidation_all()
    }
}
