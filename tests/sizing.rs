//! Volatility-adjusted sizing (issue "Risk beyond the next move", item 4): the largest size of a
//! proposed trade that keeps every cap, checked against closed forms (the delta-normal vol
//! target, fractional Kelly, the normal ES of a linear book) and against the what-if at the size
//! found (initial margin, liquidation distance).

mod common;

use common::{assert_close, run};
use serde_json::{json, Value};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

fn request(sizing: Value) -> Value {
    json!({
        "positions": "instrument,size,entry,venue\nBTCUSDT,1,100000,binance",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000, "vol": 0.8}}},
        "account": {"collateral": {"USDT": 100000}},
        "stress": {"library": false},
        "sizing": sizing,
    })
}

fn cap<'a>(r: &'a headroom::report::Report, name: &str) -> &'a headroom::analyze::CapReport {
    r.sizing
        .as_ref()
        .unwrap()
        .caps
        .iter()
        .find(|c| c.cap == name)
        .unwrap()
}

#[test]
fn vol_target_kelly_and_es_match_closed_forms() {
    let r = run(request(
        json!({"instrument": "BTCUSDT", "volTargetUsd": 5000,
        "kelly": {"edge": 0.2, "fraction": 0.25}, "esBudgetUsd": 20000}),
    ));
    let s = r.sizing.as_ref().unwrap();
    assert_eq!(
        (s.instrument.as_str(), s.side, s.size_unit),
        ("BTCUSDT", "buy", "coin")
    );
    // (1 + q)·S·σ/√365 = 5,000.
    let vol = 5000.0 * 365f64.sqrt() / (100000.0 * 0.8) - 1.0;
    assert_close(
        cap(&r, "volatility target").max_size.unwrap(),
        vol,
        1e-9,
        "vol target",
    );
    // Kelly: 0.25 × 0.2 / 0.8² of 100,000 USD equity, in BTC.
    let kelly = 0.25 * 0.2 / 0.64 * 100000.0 / 100000.0;
    assert_close(
        cap(&r, "fractional Kelly").max_size.unwrap(),
        kelly,
        1e-12,
        "Kelly",
    );
    // A linear book's 1-day P&L is normal: ES = (1 + q)·S·σ√h·φ(z)/0.025.
    let n = Normal::standard();
    let z = n.inverse_cdf(0.975);
    let es_one = 100000.0 * 0.8 * (1.0f64 / 365.0).sqrt() * n.pdf(z) / 0.025;
    let es = 20000.0 / es_one - 1.0;
    let found = cap(&r, "expected shortfall budget").max_size.unwrap();
    assert!((found / es - 1.0).abs() < 0.05, "{found} vs {es}");
    // The binding cap is the smallest.
    let smallest = s
        .caps
        .iter()
        .filter_map(|c| c.max_size)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(s.max_size, smallest);
    assert_eq!(s.binding, "fractional Kelly");
}

#[test]
fn margin_and_liquidation_caps_hold_at_the_size_found() {
    let r = run(request(
        json!({"instrument": "BTCUSDT", "liquidationDistance": 0.2}),
    ));
    let s = r.sizing.as_ref().unwrap();
    let im = cap(&r, "initial margin within available").max_size.unwrap();
    let liq = cap(&r, "liquidation distance").max_size.unwrap();
    assert!(im > 0.0 && liq > 0.0);
    let at = |q: f64| {
        run(json!({
            "positions": "instrument,size,entry,venue\nBTCUSDT,1,100000,binance",
            "whatIf": format!("instrument,size,venue\nBTCUSDT,{q},binance"),
            "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000, "vol": 0.8}}},
            "account": {"collateral": {"USDT": 100000}},
            "stress": {"library": false},
        }))
        .what_if
        .unwrap()
        .after
    };
    // At the size found the cap holds, just beyond it fails.
    assert!(at(im).available_usd >= 0.0);
    assert!(at(im * 1.001).available_usd < 0.0);
    let down = |q: f64| -at(q).underlyings["BTC"].down.unwrap();
    assert!(
        down(liq) >= 0.2 && down(liq * 1.001) < 0.2,
        "{} {}",
        down(liq),
        down(liq * 1.001)
    );
    assert_eq!(s.max_size, im.min(liq));
    // A cap breached before any trade allows nothing.
    let breached = run(request(
        json!({"instrument": "BTCUSDT", "volTargetUsd": 100}),
    ));
    assert_eq!(breached.sizing.as_ref().unwrap().max_size, 0.0);
    assert!(cap(&breached, "volatility target").breached_now);
    // Selling the perpetual reduces the book's delta first: the vol target allows a larger size.
    let sell = run(request(
        json!({"instrument": "BTCUSDT", "side": "sell", "volTargetUsd": 5000}),
    ));
    assert_close(
        cap(&sell, "volatility target").max_size.unwrap(),
        1.0 + 5000.0 * 365f64.sqrt() / 80000.0,
        1e-9,
        "sell",
    );
}
