//! Stress tests: historical moves applied exactly, worst first, with margin usage after each;
//! user scenarios; coins a scenario does not list follow BTC with a beta and are marked assumed.

mod common;
use common::*;
use headroom::pricing::quote::{quote, QuoteRequest};
use serde_json::json;

#[test]
fn historical_shocks_on_a_future_lose_move_times_size() {
    let report = run(json!({
        "positions": "instrument,size,entry\nBTC_USDC-PERPETUAL,1,100000",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
        "account": {"collateral": {"USDC": 30000}}
    }));
    assert_eq!(report.stress.len(), 13);
    for s in &report.stress {
        // The index's move on 1 BTC, and a depeg's on the 30,000 USDC of collateral.
        let depeg = s.collateral_moves.get("USDC").copied().unwrap_or(0.0) * 30000.0;
        assert_close(s.pnl_usd, s.moves["BTC"] * 100000.0 + depeg, 1e-12, &s.name);
    }
    let worst = &report.stress[0];
    assert_eq!(worst.name, "Black Thursday");
    assert!(
        worst.pnl_usd <= report.stress[1].pnl_usd,
        "ranked worst first"
    );
    // −48.1 %: equity 30,000 − 48,100 < 0: liquidated.
    assert!(worst.liquidatable && worst.mm_usage.is_none());
    let rally = report
        .stress
        .iter()
        .find(|s| s.name == "February 2021 rally")
        .unwrap();
    assert_close(rally.pnl_usd, 18700.0, 1e-12, "rally");
}

#[test]
fn user_scenarios_and_assumed_moves() {
    let report = run(json!({
        "positions": "instrument,size,iv\nDOGE-261225-0.2-C,100,80",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"DOGE": {"index": 0.2, "forwards": {"25DEC26": 0.2}}}},
        "stress": {"library": true, "scenarios": [{"name": "DOGE vol +50 %", "moves": {"DOGE": 0}, "volChange": {"DOGE": 0.5}}]}
    }));
    let ftx = report
        .stress
        .iter()
        .find(|s| s.name == "FTX collapse")
        .unwrap();
    assert_close(ftx.moves["DOGE"], -0.228 * 1.5, 1e-15, "BTC's move × 1.5");
    assert!(
        ftx.assumed.iter().any(|a| a.contains("DOGE move")),
        "{:?}",
        ftx.assumed
    );
    let user = report
        .stress
        .iter()
        .find(|s| s.name == "DOGE vol +50 %")
        .unwrap();
    assert!(user.assumed.is_empty());
    // 100 contracts × 1000 DOGE; vol 80 % → 80·(1 + 0.5·(30/days)^p).
    let p = &report.positions[0];
    let days = p.years.unwrap() * 365.0;
    let power = if days < 30.0 { 0.30 } else { 0.13 };
    let vol = 0.8 * (1.0 + 0.5 * (30.0 / days).powf(power));
    let price = |v: f64| {
        quote(&QuoteRequest {
            forward: 0.2,
            strike: 0.2,
            years: p.years.unwrap(),
            vol: v,
            is_call: true,
            rate: 0.0,
        })
        .unwrap()
        .price
    };
    assert_close(
        user.pnl_usd,
        100_000.0 * (price(vol) - price(0.8)),
        1e-12,
        "vol-only P&L",
    );
}

#[test]
fn bad_user_scenarios_name_their_index() {
    let error = try_run(json!({
        "positions": "instrument,size\nBTC,1",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
        "stress": {"scenarios": [{"name": "ok", "moves": {"BTC": -0.1}}, {"name": "bad", "moves": {"BTC": -1.5}}]}
    }))
    .unwrap_err();
    assert_eq!(error.field, "stress.scenarios[1]");
}

/// Stablecoins are not fixed at 1 USD: `market.collateralPrices` prices them (a price off its peg
/// is warned about), and the library's USDC depeg (March 2023: 0.88 USD) and Terra week (USDT
/// 0.95) move them, as a user scenario's `collateral` does. A 100,000 USDC account holding
/// 50,000 USD of BTC-PERPETUAL loses 12,000 USD on the USDC alone.
#[test]
fn stablecoin_depegs_move_collateral() {
    let request = |prices: serde_json::Value| {
        json!({"positions": "instrument,size,entry\nBTC-PERPETUAL,50000,100000",
               "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}},
                          "collateralPrices": prices},
               "account": {"collateral": {"USDC": 100000, "USDT": 20000}},
               "stress": {"scenarios": [{"name": "USDT to 0.5", "collateral": {"USDT": -0.5}}]}})
    };
    let r = run(request(json!({})));
    let usdc = r.stress.iter().find(|s| s.name == "USDC depeg").unwrap();
    // BTC −9.6 % on 50,000 USD of an inverse perpetual entered at 100,000: its coin P&L
    // 50,000·(1/100,000 − 1/90,400) BTC, in USD at 90,400.
    let moved = 100000.0 * 0.904;
    let perp = 50000.0 * (1.0 / 100000.0 - 1.0 / moved) * moved;
    assert!(
        (usdc.pnl_usd - (perp - 12000.0)).abs() < 1e-6,
        "{}",
        usdc.pnl_usd
    );
    assert_eq!(usdc.collateral_moves.get("USDC"), Some(&-0.12));
    let terra = r
        .stress
        .iter()
        .find(|s| s.name == "Terra/LUNA week")
        .unwrap();
    assert_eq!(terra.collateral_moves.get("USDT"), Some(&-0.05));
    let user = r.stress.iter().find(|s| s.name == "USDT to 0.5").unwrap();
    assert!((user.pnl_usd + 10000.0).abs() < 1e-9, "{}", user.pnl_usd);
    // Priced off the peg: the equity counts it, and a warning says so.
    let depegged = run(request(json!({"USDC": 0.9})));
    assert!((depegged.account.equity_usd - (90000.0 + 20000.0)).abs() < 1e-9);
    assert!(
        depegged
            .warnings
            .iter()
            .any(|w| w.contains("USDC collateral priced at 0.9 USD (-10.0 % from its peg)")),
        "{:?}",
        depegged.warnings
    );
    let refused = common::try_run(request(json!({"BTC": 0.9})));
    assert!(refused
        .unwrap_err()
        .to_string()
        .starts_with("market.collateralPrices.BTC"));
}

/// stETH held as collateral loses ETH's move and its June 2022 discount in the Celsius/3AC
/// scenario: 10 stETH at 3,000 USD lose 10 × 3,000 × 0.248.
#[test]
fn steth_collateral_takes_its_discount_in_the_celsius_scenario() {
    let r = run(json!({
        "positions": "",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"STETH": {"index": 3000}}},
        "account": {"collateral": {"STETH": 10}},
    }));
    let celsius = r.stress.iter().find(|s| s.name == "Celsius / 3AC").unwrap();
    assert_close(celsius.pnl_usd, -10.0 * 3000.0 * 0.248, 1e-12, "stETH");
    assert!(celsius.source.contains("stETH at 0.94 ETH"));
}
