//! The distance to liquidation, checked two independent ways: against closed forms for single
//! futures positions (margin.md §5), and for option books by re-running `analyze` at the moved
//! index and finding MM usage at 100 %.

mod common;
use common::*;
use headroom::report::Report;
use serde_json::{json, Value};

/// Deribit BTC futures MM rate: 1 % + 0.005 % per BTC of size.
const MM_BASE: f64 = 0.01;
const MM_PER_COIN: f64 = 0.00005;

/// Inverse perpetual, long N USD at entry E, W BTC collateral, mark = index = P. Margin balance
/// W·P + N·P/E − N equals MM = (1 % + 0.005 %·N/P)·N where a·P² − b·P − c = 0 with
/// a = W + N/E, b = (1 + 1 %)·N, c = 0.005 %·N²: the closed form of margin.md with the size term.
#[test]
fn inverse_long_perpetual_matches_closed_form() {
    let (n, e, w, s) = (200_000.0, 90_000.0, 0.5, 90_000.0);
    let report = run(json!({
        "positions": format!("instrument,size,entry\nBTC-PERPETUAL,{n},{e}"),
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": s}}},
        "account": {"collateral": {"BTC": w}}
    }));
    let (a, b, c) = (w + n / e, (1.0 + MM_BASE) * n, MM_PER_COIN * n * n);
    let p_liq = (b + (b * b + 4.0 * a * c).sqrt()) / (2.0 * a);
    let liq = report.account.liquidation["BTC"];
    assert_close(liq.down_price.unwrap(), p_liq, 1e-10, "liquidation price");
    assert_close(liq.down.unwrap(), p_liq / s - 1.0, 1e-9, "liquidation move");
    assert_eq!(
        liq.up, None,
        "a long with coin collateral is not liquidated by a rally"
    );
}

/// Linear perpetual, long q BTC at E with W USDC: W + q·(P − E) = (1 % + 0.005 %·q)·q·P.
#[test]
fn linear_long_perpetual_matches_closed_form() {
    let (q, e, w, s) = (3.0, 95_000.0, 20_000.0, 95_000.0);
    let report = run(json!({
        "positions": [{"instrument": "BTC_USDC-PERPETUAL", "size": q, "entryPrice": e}],
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": s}}},
        "account": {"collateral": {"USDC": w}}
    }));
    let mmr = MM_BASE + MM_PER_COIN * q;
    let p_liq = (q * e - w) / (q * (1.0 - mmr));
    assert_close(
        report.account.liquidation["BTC"].down_price.unwrap(),
        p_liq,
        1e-10,
        "liquidation price",
    );
}

fn desk_request(market: &Value) -> Value {
    json!({
        "positions": sample("deribit-desk.csv"),
        "market": market,
        "account": {"collateral": {"BTC": 1.2, "ETH": 12, "USDC": 5000}}
    })
}

/// Re-values the whole desk book at each answer with a fresh `analyze` call on the moved market.
#[test]
fn option_book_revalued_at_its_answer_is_at_100_percent() {
    let market = sample_market();
    let base: Report = run(desk_request(&market));
    assert!(base.errors.is_empty(), "{:?}", base.errors);
    let mut checked = 0;
    for (symbol, liq) in &base.account.liquidation {
        for m in [liq.down, liq.up].into_iter().flatten() {
            let moved = run(desk_request(&moved_market(&market, symbol, 1.0 + m)));
            let usage = moved.account.mm_usage.unwrap();
            assert!(
                (usage - 1.0).abs() < 1e-6,
                "{symbol} {m:+}: MM usage {usage}"
            );
            // Just short of the answer the account is still safe.
            let before = run(desk_request(&moved_market(
                &market,
                symbol,
                1.0 + m * (1.0 - 1e-6),
            )));
            assert!(
                !before.account.liquidatable,
                "{symbol} {m:+} is not the first crossing"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "expected liquidation points on the desk book, got {checked}"
    );
}

#[test]
fn an_account_already_under_water_is_at_zero_distance() {
    let report = run(json!({
        "positions": "instrument,size,iv\nBTC-27NOV26-90000-P,-10,60",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 91000}}},
        "account": {"collateral": {"USDC": 1000}}
    }));
    assert!(report.account.liquidatable);
    assert_eq!(report.account.liquidation["BTC"].down, Some(0.0));
    assert!(report.account.headroom_usd < 0.0);
}
