//! A venue's balance or account-summary response, pasted or passed whole, read into amounts per
//! currency: the collateral of an account whose user typed none.
//!
//! Two kinds of figure come back, and each venue's is documented here:
//! - **equity** (the currency's balance with the open positions' value or unrealised P&L in it):
//!   Deribit `private/get_account_summary` `equity` (and `get_account_summaries`), OKX
//!   `/api/v5/account/balance` `details[].eq`, Bybit `/v5/account/wallet-balance`
//!   `coin[].equity`, Binance `fapi`/`dapi` `balance` (`balance + crossUnPnl`) and `account`
//!   (`assets[].marginBalance`), Binance `eapi/v1/account` (`asset[].equity`), Hyperliquid
//!   `clearinghouseState` (`crossMarginSummary.accountValue`, USDC: isolated positions carry
//!   their own margin), dYdX v4 subaccount `equity` (USDC). `analyze` takes from each currency the value of the positions settled in it, as it
//!   values them, so that the account's equity today is the venue's.
//! - **wallet** amounts (cash, no positions in them): Derive `get_collaterals` and
//!   `get_subaccount` (`collaterals[].amount`), ccxt `fetchBalance` (`total`).

use super::{Loose, PositionsInput};
use serde_json::Value;

/// What a balance figure holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BalanceKind {
    /// The currency's equity: cash plus the positions settled in it.
    Equity,
    /// Cash (collateral) only.
    Wallet,
}

/// One currency's figure.
#[derive(Clone, Debug, PartialEq)]
pub struct BalanceEntry {
    /// Upper case (`BTC`, `USDC`).
    pub currency: String,
    pub amount: f64,
    pub kind: BalanceKind,
}

/// A balance response read: whose it is (for notes), and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    /// The venue's endpoint and field, e.g. "Deribit get_account_summary `equity`".
    pub source: &'static str,
    pub entries: Vec<BalanceEntry>,
}

/// Reads a balance response. The error is a sentence saying what was expected.
pub fn read_balance(input: &PositionsInput) -> Result<Balance, String> {
    let value = match input {
        PositionsInput::Text(text) | PositionsInput::Response(text) => {
            serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("the balance is not JSON: {e}"))?
        }
        PositionsInput::Objects(items) => Value::Array(items.iter().map(to_value).collect()),
    };
    if let Some(code) = text_of(value.get("code")).or_else(|| text_of(value.get("retCode"))) {
        if code != "0" && !code.is_empty() {
            return Err(format!(
                "the venue answered with error {code}, not a balance"
            ));
        }
    }
    if value.get("error").is_some_and(|e| !e.is_null()) {
        return Err("the venue answered with an error, not a balance".into());
    }
    let result = value.get("result").unwrap_or(&value);
    // Deribit: one summary, or `summaries`.
    if result.get("currency").is_some() && result.get("equity").is_some() {
        return entries(
            "Deribit get_account_summary `equity`",
            [result],
            "currency",
            "equity",
            BalanceKind::Equity,
        );
    }
    if let Some(list) = result.get("summaries").and_then(Value::as_array) {
        return entries(
            "Deribit get_account_summaries `equity`",
            list,
            "currency",
            "equity",
            BalanceKind::Equity,
        );
    }
    // OKX: data[0].details[].
    if let Some(details) = value
        .get("data")
        .and_then(|d| d.get(0))
        .and_then(|d| d.get("details"))
        .and_then(Value::as_array)
    {
        return entries(
            "OKX account/balance `eq`",
            details,
            "ccy",
            "eq",
            BalanceKind::Equity,
        );
    }
    // Bybit: result.list[0].coin[].
    if let Some(coins) = result
        .get("list")
        .and_then(|l| l.get(0))
        .and_then(|l| l.get("coin"))
        .and_then(Value::as_array)
    {
        return entries(
            "Bybit wallet-balance `equity`",
            coins,
            "coin",
            "equity",
            BalanceKind::Equity,
        );
    }
    // Hyperliquid clearinghouseState and dYdX subaccount: USDC equity.
    // Hyperliquid's cross account: isolated positions hold their own margin (read with them).
    if let Some(value) = value
        .get("crossMarginSummary")
        .and_then(|m| m.get("accountValue"))
    {
        return usdc(
            "Hyperliquid clearinghouseState `crossMarginSummary.accountValue`",
            value,
        );
    }
    if let Some(value) = value
        .get("marginSummary")
        .and_then(|m| m.get("accountValue"))
    {
        return usdc(
            "Hyperliquid clearinghouseState `marginSummary.accountValue`",
            value,
        );
    }
    if let Some(sub) = value
        .get("subaccount")
        .filter(|s| s.get("equity").is_some())
    {
        return usdc("dYdX subaccount `equity`", &sub["equity"]);
    }
    // Derive: result.collaterals[].
    if let Some(list) = result.get("collaterals").and_then(Value::as_array) {
        return entries(
            "Derive collaterals `amount`",
            list,
            "asset_name",
            "amount",
            BalanceKind::Wallet,
        );
    }
    // Binance: futures account (`assets`), options account (`asset`), futures balance (array).
    if let Some(list) = value.get("assets").and_then(Value::as_array) {
        return entries(
            "Binance futures account `marginBalance`",
            list,
            "asset",
            "marginBalance",
            BalanceKind::Equity,
        );
    }
    if let Some(list) = value.get("asset").and_then(Value::as_array) {
        return entries(
            "Binance options account `equity`",
            list,
            "asset",
            "equity",
            BalanceKind::Equity,
        );
    }
    if let Some(list) = value
        .as_array()
        .filter(|l| l.iter().any(|i| i.get("crossUnPnl").is_some()))
    {
        let mut out = Vec::new();
        for item in list {
            let (Some(currency), Some(balance)) =
                (text_of(item.get("asset")), number(item.get("balance")))
            else {
                continue;
            };
            let unrealised = number(item.get("crossUnPnl")).unwrap_or(0.0);
            push(
                &mut out,
                &currency,
                balance + unrealised,
                BalanceKind::Equity,
            );
        }
        return finish("Binance futures balance `balance + crossUnPnl`", out);
    }
    // ccxt fetchBalance: `total` by currency.
    if let Some(total) = value.get("total").and_then(Value::as_object) {
        let mut out = Vec::new();
        for (currency, amount) in total {
            if let Some(a) = number(Some(amount)) {
                push(&mut out, currency, a, BalanceKind::Wallet);
            }
        }
        return finish("ccxt fetchBalance `total`", out);
    }
    Err(
        "a balance of no known shape: paste Deribit get_account_summary, OKX account/balance, \
         Bybit wallet-balance, Binance balance or account, Hyperliquid clearinghouseState, a dYdX \
         subaccount, Derive get_collaterals or ccxt fetchBalance, or type the collateral"
            .into(),
    )
}

fn entries<'v>(
    source: &'static str,
    list: impl IntoIterator<Item = &'v Value>,
    currency_key: &str,
    amount_key: &str,
    kind: BalanceKind,
) -> Result<Balance, String> {
    let mut out = Vec::new();
    for item in list {
        if let (Some(currency), Some(amount)) = (
            text_of(item.get(currency_key)),
            number(item.get(amount_key)),
        ) {
            push(&mut out, &currency, amount, kind);
        }
    }
    finish(source, out)
}

fn usdc(source: &'static str, value: &Value) -> Result<Balance, String> {
    let amount = number(Some(value)).ok_or_else(|| format!("{source} is not a number"))?;
    let mut out = Vec::new();
    push(&mut out, "USDC", amount, BalanceKind::Equity);
    finish(source, out)
}

/// Adds a currency's figure: amounts of one currency add up, zeros are left out.
fn push(out: &mut Vec<BalanceEntry>, currency: &str, amount: f64, kind: BalanceKind) {
    let currency = currency.trim().to_ascii_uppercase();
    if currency.is_empty() || !amount.is_finite() || amount == 0.0 {
        return;
    }
    match out.iter_mut().find(|e| e.currency == currency) {
        Some(e) => e.amount += amount,
        None => out.push(BalanceEntry {
            currency,
            amount,
            kind,
        }),
    }
}

fn finish(source: &'static str, entries: Vec<BalanceEntry>) -> Result<Balance, String> {
    if entries.is_empty() {
        return Err(format!("{source}: no currency with a non-zero amount"));
    }
    Ok(Balance { source, entries })
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number, or a number written as a string (`""` is absent).
fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn to_value(loose: &Loose) -> Value {
    match loose {
        Loose::Missing | Loose::List => Value::Null,
        Loose::Bool(b) => Value::Bool(*b),
        Loose::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Loose::Text(t) => Value::String(t.clone()),
        Loose::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
    }
}
