//! Standard margin worked by hand from margin.md §1 on prices published in test-vectors.md, the
//! Deribit futures-margin examples, and inverse futures P&L (test-vectors.md, conventions.md).

mod common;
use common::*;
use serde_json::json;

fn market(
    index: f64,
    forwards: serde_json::Value,
    valuation: &str,
    rate: f64,
) -> serde_json::Value {
    json!({"valuationTime": valuation, "rate": rate, "underlyings": {"BTC": {"index": index, "forwards": forwards}}})
}

/// Short 1 BTC call, F = S = 60,000, K = 65,000, 30 days, σ = 65 %, r = 0. Published price
/// 2559.74182777 USD. OTM = 5,000: IM = max(0.15·60,000 − 5,000, 0.10·60,000) + 2,559.74…
/// = 8,559.74182777; MM = 0.075·60,000 + 2,559.74… = 7,059.74182777.
#[test]
fn short_call_standard_margin_by_hand() {
    let report = run(json!({
        "positions": [{"instrument": "BTC-27NOV26-65000-C", "size": -1, "iv": 0.65}],
        "market": market(60000.0, json!({"27NOV26": 60000}), "2026-10-28T08:00:00Z", 0.0)
    }));
    let p = &report.positions[0];
    assert_matches_published(p.initial_margin_usd.unwrap(), "8559.74182777", "IM");
    assert_matches_published(p.maintenance_margin_usd.unwrap(), "7059.74182777", "MM");
    assert_matches_published(-p.value_usd, "2559.74182777", "short value");
}

/// Short 3 puts, F = S = K = 19, r = 10 %, T = 0.75, σ = 28 %, published price 1.70105073.
/// OTM = 0: IM = 0.15·19 + 1.70105073 = 4.55105073 per coin; MM = max(1.425, 0.1276) + 1.70105073
/// = 3.12605073 per coin (compared per coin: the price is published to 8 decimals).
#[test]
fn short_put_standard_margin_by_hand() {
    let report = run(json!({
        "positions": "instrument,size,iv\nBTC-27NOV26-19-P,-3,28",
        "market": market(19.0, json!({"27NOV26": 19}), "2026-02-26T14:00:00Z", 0.10)
    }));
    let p = &report.positions[0];
    assert_matches_published(
        p.initial_margin_usd.unwrap() / 3.0,
        "4.55105073",
        "IM per coin",
    );
    assert_matches_published(
        p.maintenance_margin_usd.unwrap() / 3.0,
        "3.12605073",
        "MM per coin",
    );
}

#[test]
fn long_options_need_no_margin_and_are_not_collateral() {
    let report = run(json!({
        "positions": [{"instrument": "BTC-27NOV26-65000-C", "size": 1, "iv": 0.65}],
        "market": market(60000.0, json!({"27NOV26": 60000}), "2026-10-28T08:00:00Z", 0.0),
        "account": {"collateral": {"USDC": 1000}}
    }));
    let a = &report.account;
    assert_eq!(report.positions[0].initial_margin_usd, Some(0.0));
    assert_matches_published(
        a.equity_usd,
        "3559.74182777",
        "equity = collateral + long call",
    );
    assert_matches_published(
        a.margin_balance_usd,
        "1000.00000000",
        "margin balance excludes it",
    );
}

/// Deribit's linear perpetual article: 25 BTC at 100,000 → IM 53,125, MM 28,125 USDC; the same
/// book as an inverse perpetual of 2,500,000 USD gives the same USD figures. SOL: 6,000 at 200 →
/// IM 84,000 USDC.
#[test]
fn futures_margin_published_examples() {
    let report = run(json!({
        "positions": "instrument,size\nBTC_USDC-PERPETUAL,25\nBTC-PERPETUAL,-2500000\nSOL_USDC-PERPETUAL,6000",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}, "SOL": {"index": 200}}}
    }));
    let [linear, inverse, sol] = &report.positions[..] else {
        panic!()
    };
    for p in [linear, inverse] {
        assert_matches_published(p.initial_margin_usd.unwrap(), "53125.000000", &p.instrument);
        assert_matches_published(
            p.maintenance_margin_usd.unwrap(),
            "28125.000000",
            &p.instrument,
        );
    }
    assert_matches_published(sol.initial_margin_usd.unwrap(), "84000.000000", "SOL IM");
}

/// Long 10,000 USD at 75,000 marked at 76,000: +10,000·(1/75,000 − 1/76,000) = 0.00175438… BTC,
/// worth 133.33… USD at 76,000. USD delta N/E, coin delta N/P (conventions.md).
#[test]
fn inverse_perpetual_pnl_and_deltas() {
    let report = run(json!({
        "positions": "instrument,size,entry,mark\nBTC-PERPETUAL,10000,75000,76000",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 76000}}}
    }));
    let p = &report.positions[0];
    assert_close(
        p.value_coin.unwrap(),
        10000.0 * (1.0 / 75000.0 - 1.0 / 76000.0),
        1e-14,
        "coin P&L",
    );
    assert_close(
        p.pnl_usd.unwrap(),
        10000.0 * (76000.0 / 75000.0 - 1.0),
        1e-13,
        "USD P&L",
    );
    assert_close(p.delta, 10000.0 / 75000.0, 1e-15, "USD delta N/E");
    assert_close(
        p.coin_delta.unwrap(),
        10000.0 / 76000.0,
        1e-15,
        "coin delta N/P",
    );
}

/// ETH inverse from 1,800 to 1,900 on 10,000 USD: 10,000·(1/1800 − 1/1900) = 0.2924 ETH. The
/// dated future is marked at the forward of its expiry (here given in the market).
#[test]
fn inverse_dated_future_marks_at_its_forward() {
    let report = run(json!({
        "positions": "instrument,size,entry\nETH-25DEC26,10000,1800",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"ETH": {"index": 1890, "forwards": {"25DEC26": 1900}}}}
    }));
    let p = &report.positions[0];
    assert_matches_published(p.value_coin.unwrap(), "0.2924", "ETH P&L in coin");
    assert_close(
        p.value_coin.unwrap(),
        10000.0 * (1.0 / 1800.0 - 1.0 / 1900.0),
        1e-14,
        "exact",
    );
    assert_eq!(p.mark_price, 1900.0);
}

/// A future's mark in the book is the forward for options of the same expiry.
#[test]
fn forward_from_a_dated_future_in_the_book() {
    let report = run(json!({
        "positions": "instrument,size,mark,iv\nBTC-25DEC26,1000,93000,\nBTC-25DEC26-90000-C,1,,50",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 91000}}}
    }));
    let option = &report.positions[1];
    assert_eq!(option.forward, Some(93000.0));
    assert_eq!(option.forward_source, Some("future"));
    assert_eq!(
        report.underlyings["BTC"].expiries[0].forward_source,
        Some("future")
    );
}

#[test]
fn expired_options_are_settled_not_priced() {
    let report = run(json!({
        "positions": "instrument,size,entry,iv\nBTC-27NOV26-80000-C,2,0.05,50",
        "market": {"valuationTime": "2026-11-28T00:00:00Z", "underlyings": {"BTC": {"index": 100000}}}
    }));
    let p = &report.positions[0];
    assert!(p.expired);
    // Inverse call settles 2·(100,000 − 80,000)/100,000 = 0.4 BTC = 40,000 USD.
    assert_close(p.value_usd, 40000.0, 1e-15, "settled value");
    assert_close(
        p.pnl_usd.unwrap(),
        (0.4 - 0.1) * 100000.0,
        1e-14,
        "P&L against 0.05 BTC each",
    );
    assert_eq!(
        (p.gamma, p.vega, p.theta, p.initial_margin_usd.unwrap()),
        (0.0, 0.0, 0.0, 0.0)
    );
}
