//! An account's collateral from its venue's balance response (`account.balance`,
//! `accounts[].balance`), merged with what the user typed (typed amounts win, per currency).
//!
//! A venue's **equity** figure holds the positions settled in that currency; Headroom values those
//! positions itself, so it takes their value (as it computes it, at the valuation) out of the
//! equity: the account's equity today is then the venue's, and every move from there is
//! Headroom's. Inverse positions come out of their coin, linear ones out of the largest USD
//! stablecoin (all count at 1 USD), holdings out of their coin. A **wallet** figure is cash and
//! is taken as it is. Each step is said in a note.

use super::collateral_of;
use crate::account::Collateral;
use crate::figure::Figure;
use crate::input::balance::{read_balance, BalanceKind};
use crate::input::{Book, PositionsInput, RowMarginMode};
use crate::instrument::{Settlement, USD_LIKE};
use crate::margin::StandardMargin;
use crate::market::Market;
use crate::request::RequestError;
use crate::valuation::resolve;
use std::collections::BTreeMap;

/// The collateral of one account: `typed` amounts, completed from `balance` where given. `at`
/// names the account in errors and notes (`account`, `accounts[1]`). Positions margined in
/// isolation (the row says so, or `isolated_by_default`) hold their own margin and are not in
/// the venue's cross equity.
pub(super) fn account_collateral(
    typed: &BTreeMap<String, Option<f64>>,
    balance: Option<&PositionsInput>,
    at: &str,
    market: &Market,
    book: &Book,
    isolated_by_default: bool,
) -> Result<(Vec<Collateral>, Vec<String>), RequestError> {
    let Some(input) = balance else {
        return Ok((collateral_of(typed, at, market)?, Vec::new()));
    };
    let field = format!("{at}.balance");
    let read = read_balance(input).map_err(|m| RequestError::new(&field, m))?;
    let mut amounts: BTreeMap<String, Option<f64>> = typed.clone();
    let typed_codes: Vec<String> = typed
        .iter()
        .filter(|(_, a)| a.is_some())
        .map(|(c, _)| c.trim().to_ascii_uppercase())
        .collect();
    let mut notes = Vec::new();

    // The positions' value by the currency they settle in, where the balance gives equity.
    let mut held: BTreeMap<String, f64> = BTreeMap::new();
    let equity = read.entries.iter().any(|e| e.kind == BalanceKind::Equity);
    if equity {
        let margin = StandardMargin::deribit();
        let stable = read
            .entries
            .iter()
            .filter(|e| USD_LIKE.contains(&e.currency.as_str()))
            .max_by(|a, b| a.amount.total_cmp(&b.amount))
            .map(|e| e.currency.clone())
            .unwrap_or_else(|| "USDC".into());
        for row in &book.rows {
            let isolated = match row.margin_mode {
                Some(mode) => mode == RowMarginMode::Isolated,
                None => isolated_by_default,
            };
            if isolated {
                continue;
            }
            let Ok(leg) = resolve(row, market) else {
                continue;
            };
            let value_usd = leg.state(1.0, &margin).value_usd;
            let (currency, units) = match row.instrument.settlement {
                Settlement::Linear => (stable.clone(), value_usd),
                Settlement::Inverse | Settlement::Spot => {
                    (row.instrument.underlying.clone(), value_usd / leg.index)
                }
            };
            *held.entry(currency).or_insert(0.0) += units;
        }
    }

    for entry in &read.entries {
        if typed_codes.contains(&entry.currency) {
            notes.push(format!(
                "{at}: the typed {} collateral is used, not the balance's {} {}",
                entry.currency,
                Figure(entry.amount),
                entry.currency
            ));
            continue;
        }
        let positions = match entry.kind {
            BalanceKind::Equity => held.remove(&entry.currency).unwrap_or(0.0),
            BalanceKind::Wallet => 0.0,
        };
        let amount = entry.amount - positions;
        amounts.insert(entry.currency.clone(), Some(amount));
        notes.push(if positions == 0.0 {
            format!(
                "{at}: collateral {} {} from {}",
                Figure(amount),
                entry.currency,
                read.source
            )
        } else {
            format!(
                "{at}: collateral {} {} = {} {} from {} less {} {} of positions settled in it, as \
                 Headroom values them (so the account's equity today is the venue's)",
                Figure(amount),
                entry.currency,
                Figure(entry.amount),
                entry.currency,
                read.source,
                Figure(positions),
                entry.currency
            )
        });
    }
    for (currency, units) in held {
        if typed_codes.contains(&currency) {
            continue;
        }
        notes.push(format!(
            "{at}: the balance gives no {currency} figure, so the {} {currency} of positions \
             settled in it are not taken out of any: the equity may count them twice — type the \
             {currency} collateral",
            Figure(units)
        ));
    }
    Ok((collateral_of(&amounts, at, market)?, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_book;
    use crate::request::MarketRequest;

    fn market() -> Market {
        let request: MarketRequest = serde_json::from_value(serde_json::json!({
            "valuationTime": "2026-11-23T12:00:00Z",
            "underlyings": {"BTC": {"index": 100000}}
        }))
        .unwrap();
        request.validate().unwrap()
    }

    #[test]
    fn equity_less_the_positions_settled_in_it() {
        let book = read_book(
            &PositionsInput::Text(
                "instrument,size,entry\nBTC-PERPETUAL,10000,90000\nBTCUSDT,1,99000".into(),
            ),
            None,
        );
        let balance = PositionsInput::Text(
            r#"{"result":{"summaries":[{"currency":"BTC","equity":1.5},{"currency":"USDC","equity":2000}]}}"#
                .into(),
        );
        let (collateral, notes) = account_collateral(
            &BTreeMap::new(),
            Some(&balance),
            "account",
            &market(),
            &book,
            false,
        )
        .unwrap();
        // The inverse perpetual: 10,000 USD from 90,000 to 100,000 is worth
        // 10000·(1/90000 − 1/100000) BTC; the linear one 1,000 USD.
        let btc = collateral.iter().find(|c| c.currency == "BTC").unwrap();
        let expected = 1.5 - 10000.0 * (1.0 / 90000.0 - 1.0 / 100000.0);
        assert!(
            (btc.amount - expected).abs() < 1e-12,
            "{} {expected}",
            btc.amount
        );
        let usdc = collateral.iter().find(|c| c.currency == "USDC").unwrap();
        assert!((usdc.amount - 1000.0).abs() < 1e-9, "{}", usdc.amount);
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
