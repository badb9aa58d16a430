//! Accounts on their own venue's rules: every engine against the venue's published worked examples
//! and formulas (venue-margin.md names each source), and every reported liquidation price re-valued.

mod common;

use common::{assert_close, run, try_run};
use headroom::margin::StandardMargin;
use headroom::pricing::black::OptionKind;
use headroom::report::{Report, VenueAccountReport};
use headroom::venue::packs::OptionRule;
use headroom::venue::tiered::{short_option_margin, ShortOption};
use serde_json::{json, Value};

fn market(btc: f64, eth: f64) -> Value {
    json!({"valuationTime": "2026-11-23T12:00:00Z",
           "underlyings": {"BTC": {"index": btc, "vol": 0.5}, "ETH": {"index": eth, "vol": 0.6}}})
}

fn accounts(market: Value, accounts: Value) -> Report {
    run(json!({"market": market, "accounts": accounts, "stress": {"library": false}}))
}

fn account<'r>(r: &'r Report, id: &str) -> &'r VenueAccountReport {
    r.accounts.iter().find(|a| a.id == id).unwrap()
}

fn liquidation_price(r: &Report, line: usize, account: &str) -> Option<f64> {
    r.positions
        .iter()
        .find(|p| p.line == line && p.account.as_deref() == Some(account))
        .unwrap()
        .liquidation_price
}

/// Bybit help center (venue-margin.md §3.2), isolated USDT perpetuals: the old article's
/// 9,850 and 8,160, the UTA article's 19,700, 23,300 with 3,000 USDT added and 19,900 after 200
/// USDT of funding. MM 0.5 % of the value at entry; isolated margin = value / leverage unless given.
#[test]
fn bybit_isolated_liquidation_prices_are_the_published_ones() {
    let cases = [
        ("BTCUSDT,1,10000,50,", 10_000.0, 9_850.0),
        ("BTCUSDT,-1,8000,40,", 8_000.0, 8_160.0),
        ("BTCUSDT,1,20000,50,", 20_000.0, 19_700.0),
        ("BTCUSDT,-1,20000,50,3400", 20_000.0, 23_300.0),
        ("BTCUSDT,1,20000,50,200", 20_000.0, 19_900.0),
    ];
    for (row, index, published) in cases {
        let r = accounts(
            market(index, 3000.0),
            json!([{"id": "b", "venue": "bybit", "marginMode": "isolated",
                    "positions": format!("instrument,size,entry,leverage,isolatedMargin\n{row}")}]),
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let got = liquidation_price(&r, 2, "b").unwrap();
        assert_close(got, published, 1e-9, row);
        assert_eq!(account(&r, "b").pack.name, "bybit-help-center-examples");
    }
}

/// Bybit's old cross example: 2 BTC long at 10,000, available balance 2,000, IM 200, MM 100 →
/// sustainable loss 2,100 (C); here the account's equity over MM at entry is that loss.
#[test]
fn bybit_cross_sustainable_loss() {
    let r = accounts(
        market(10_000.0, 3000.0),
        json!([{"id": "b", "venue": "bybit", "collateral": {"USDT": 2200},
                "params": {"maintenanceTiers": {"BTC": [{"floorUsd": 0, "rate": 0.005, "maxLeverage": 100}]}},
                "positions": "instrument,size,entry\nBTCUSDT,2,10000"}]),
    );
    let a = account(&r, "b");
    assert_close(a.initial_margin_usd, 200.0, 1e-12, "IM at 100x");
    assert_close(a.maintenance_margin_usd, 100.0, 1e-12, "MM 0.5 %");
    // Available 2,000 = 2,200 − IM; sustainable loss = available + IM − MM = 2,100 → LP = EP − 2,100/2.
    assert_close(a.available_usd, 2_000.0, 1e-12, "available");
    assert_close(
        liquidation_price(&r, 2, "b").unwrap(),
        10_000.0 - 2_100.0 / 2.0,
        1e-9,
        "LP",
    );
}

/// Binance's published one-way liquidation formula (venue-margin.md §1.2):
/// LP = (WB − TMM1 + UPNL1 + cumB − Side·Pos·EP) / (Pos·MMRB − Side·Pos), with the bracket of the
/// notional at the liquidation price, which is not the bracket at entry in the second case.
#[test]
fn binance_liquidation_price_follows_the_faq_formula_in_the_bracket_at_that_price() {
    let formula = |wb: f64, side: f64, pos: f64, ep: f64, mmr: f64, cum: f64| {
        (wb + cum - side * pos * ep) / (pos * mmr - side * pos)
    };
    let cases: [(f64, f64, f64, f64, f64); 4] = [
        // (wallet, size, entry, bracket MMR and cum at the liquidation price)
        (5_000.0, 2.0, 50_000.0, 0.005, 50.0),
        (100_000.0, 10.0, 30_000.0, 0.005, 50.0),
        (20_000.0, -3.0, 60_000.0, 0.005, 50.0),
        (1_000_000.0, -40.0, 40_000.0, 0.025, 16_300.0),
    ];
    for (wb, size, entry, mmr, cum) in cases {
        let r = accounts(
            market(entry, 3000.0),
            json!([{"id": "x", "venue": "binance", "collateral": {"USDT": wb},
                    "positions": format!("instrument,size,entry\nBTCUSDT,{size},{entry}")}]),
        );
        let side = size.signum();
        let expected = formula(wb, side, size.abs(), entry, mmr, cum);
        let got = liquidation_price(&r, 2, "x").unwrap();
        assert_close(got, expected, 1e-9, &format!("{wb} {size} {entry}"));
        // The bracket at the liquidation price is the one the formula used.
        let notional = size.abs() * expected;
        let bracket = match notional {
            n if n < 50_000.0 => 0.004,
            n if n < 250_000.0 => 0.005,
            n if n < 1e6 => 0.01,
            n if n < 1e7 => 0.025,
            _ => 0.05,
        };
        assert_eq!(bracket, mmr, "{notional}");
    }
    // Isolated: WB is the position's isolated wallet, TMM1 = UPNL1 = 0.
    let r = accounts(
        market(50_000.0, 3000.0),
        json!([{"id": "x", "venue": "binance", "collateral": {"USDT": 1e6},
                "positions": "instrument,size,entry,marginMode,isolatedMargin\nBTCUSDT,1,50000,isolated,2500"}]),
    );
    let got = liquidation_price(&r, 2, "x").unwrap();
    assert_close(
        got,
        formula(2_500.0, 1.0, 1.0, 50_000.0, 0.004, 0.0),
        1e-9,
        "isolated",
    );
}

/// Hyperliquid's documented formula (venue-margin.md §4): liq = price − side·margin_available /
/// size / (1 − l·side), margin_available = margin − MM now, l = MM rate of the tier (BTC 40x:
/// 1/80, ETH 25x: 1/50).
#[test]
fn hyperliquid_liquidation_price_follows_the_docs_formula() {
    let formula = |price: f64, side: f64, size: f64, margin: f64, l: f64| {
        let available = margin - size * price * l;
        price - side * available / size / (1.0 - l * side)
    };
    let r = accounts(
        market(100_000.0, 3_000.0),
        json!([
            {"id": "iso", "venue": "hyperliquid",
             "positions": "instrument,size,entry,marginMode,isolatedMargin\nBTC,1,100000,isolated,5000\nETH,-10,3000,isolated,3000"},
            {"id": "cross", "venue": "hyperliquid", "collateral": {"USDC": 4000},
             "positions": "instrument,size,entry\nETH,-5,3000"}
        ]),
    );
    assert_close(
        liquidation_price(&r, 2, "iso").unwrap(),
        formula(100_000.0, 1.0, 1.0, 5_000.0, 1.0 / 80.0),
        1e-9,
        "isolated long BTC",
    );
    assert_close(
        liquidation_price(&r, 3, "iso").unwrap(),
        formula(3_000.0, -1.0, 10.0, 3_000.0, 1.0 / 50.0),
        1e-9,
        "isolated short ETH",
    );
    assert_close(
        liquidation_price(&r, 2, "cross").unwrap(),
        formula(3_000.0, -1.0, 5.0, 4_000.0, 1.0 / 50.0),
        1e-9,
        "cross short ETH",
    );
    assert_eq!(r.positions[0].venue, "hyperliquid");
    assert_eq!(r.positions[0].kind, "perpetual");
}

/// dYdX v4 (venue-margin.md §5): p' = (e − s·p − MMR_o)/(|s|·MMF − s), the other positions' MMR
/// at their prices held; Large-Cap MMF 3 %; liquidatable when equity < Σ MMR.
#[test]
fn dydx_cross_liquidation_price_follows_the_docs_formula() {
    let r = accounts(
        market(100_000.0, 3_000.0),
        json!([{"id": "d", "venue": "dydx", "collateral": {"USDC": 9000},
                "positions": "instrument,size,entry\nETH-USD,20,3000\nBTC-USD,-0.5,100000"}]),
    );
    let e = 9_000.0;
    let mmr_btc = 0.5 * 100_000.0 * 0.03;
    let expected_eth = (e - 20.0 * 3_000.0 - mmr_btc) / (20.0 * 0.03 - 20.0);
    assert_close(
        liquidation_price(&r, 2, "d").unwrap(),
        expected_eth,
        1e-9,
        "ETH",
    );
    let mmr_eth = 20.0 * 3_000.0 * 0.03;
    let expected_btc = (e + 0.5 * 100_000.0 - mmr_eth) / (0.5 * 0.03 + 0.5);
    assert_close(
        liquidation_price(&r, 3, "d").unwrap(),
        expected_btc,
        1e-9,
        "BTC",
    );
    let a = account(&r, "d");
    assert_close(a.maintenance_margin_usd, mmr_btc + mmr_eth, 1e-12, "Σ MMR");
    assert_close(
        a.initial_margin_usd,
        0.05 * (50_000.0 + 60_000.0),
        1e-12,
        "Σ IMR",
    );
}

/// OKX "Option Margin" worked example (C3, venue-margin.md §2.2): 0.1 BTC short call, OTM 100 USD,
/// F 5,900, mark 0.0575 BTC, margin factor 1.02 → 0.01932 BTC per contract.
#[test]
fn okx_short_call_margin_example() {
    let rule = OptionRule::Okx {
        a: 0.10,
        b: 0.15,
        c: vec![("BTC", 0.03)],
        c_default: 0.05,
        margin_factor: 1.02,
    };
    let r = short_option_margin(
        &rule,
        &StandardMargin::deribit(),
        &ShortOption {
            kind: OptionKind::Call,
            index: 5_900.0,
            forward: 5_900.0,
            strike: 6_000.0,
            mark: 0.0575 * 5_900.0,
            entry: None,
            underlying: "BTC",
        },
    );
    common::assert_matches_published(r.initial * 0.1 / 5_900.0, "0.01932", "IM per contract, BTC");
}

/// Bybit "Initial and Maintenance Margin Calculation (Options)" (venue-margin.md §3.3): short 1
/// BTC 31000 call, index 30,000, mark 300, MM factor 3 %, liquidation fee 0.2 % → 1,260 USDC, and
/// MM usage 12.6 % on a 10,000 USDC margin balance.
#[test]
fn bybit_short_call_maintenance_example() {
    let rule = headroom::venue::packs::bybit().options;
    let r = short_option_margin(
        &rule,
        &StandardMargin::deribit(),
        &ShortOption {
            kind: OptionKind::Call,
            index: 30_000.0,
            forward: 30_000.0,
            strike: 31_000.0,
            mark: 300.0,
            entry: None,
            underlying: "BTC",
        },
    );
    common::assert_matches_published(r.maintenance, "1260", "MM");
    common::assert_matches_published(r.maintenance / 10_000.0, "0.126", "MM usage");
}

/// Deribit segregated margin: each currency's pool is the standard cross account of its own
/// positions and collateral, computed alone (the single-account path).
#[test]
fn deribit_segregated_pools_are_standalone_accounts() {
    let btc = "instrument,size,iv,entry\nBTC-PERPETUAL,-200000,,\nBTC-27NOV26-100000-C,-3,55,";
    let usdc = "instrument,size,iv,entry\nBTC_USDC-PERPETUAL,2,,95000";
    let mkt = json!({"valuationTime": "2026-11-20T12:00:00Z",
                     "underlyings": {"BTC": {"index": 95000, "vol": 0.5}}});
    let r = run(json!({"market": mkt, "stress": {"library": false},
        "accounts": [{"id": "d", "venue": "deribit", "marginMode": "segregated",
                      "collateral": {"BTC": 2, "USDC": 20000},
                      "positions": format!("{btc}\n{}", usdc.lines().nth(1).unwrap())}]}));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let a = account(&r, "d");
    assert_eq!(a.pools.len(), 2);
    for (book, collateral, name) in [
        (btc.to_string(), json!({"BTC": 2}), "segregated BTC"),
        (usdc.to_string(), json!({"USDC": 20000}), "segregated USDC"),
    ] {
        let alone = run(
            json!({"market": mkt, "positions": book, "account": {"collateral": collateral},
                               "stress": {"library": false}}),
        );
        let pool = a.pools.iter().find(|p| p.name == name).unwrap();
        assert_close(pool.equity_usd, alone.account.equity_usd, 1e-12, name);
        assert_close(
            pool.maintenance_margin_usd,
            alone.account.maintenance_margin_usd,
            1e-12,
            name,
        );
        assert_eq!(
            pool.liquidation["BTC"].down, alone.account.liquidation["BTC"].down,
            "{name}"
        );
        assert_eq!(
            pool.liquidation["BTC"].up, alone.account.liquidation["BTC"].up,
            "{name}"
        );
    }
}

/// A request without accounts is one account exactly as before; with them, the portfolio is the
/// accounts' sums and names the first to go.
#[test]
fn portfolio_sums_and_first_to_liquidate() {
    let r = accounts(
        market(100_000.0, 3_000.0),
        json!([
            {"id": "thin", "venue": "binance", "collateral": {"USDT": 3000},
             "positions": "instrument,size,entry\nBTCUSDT,1,100000"},
            {"id": "thick", "venue": "okx", "collateral": {"USDT": 50000},
             "positions": "instrument,size,entry\nBTC-USDT-SWAP,100,100000"}
        ]),
    );
    let sum: f64 = r.accounts.iter().map(|a| a.headroom_usd).sum();
    assert_close(r.account.headroom_usd, sum, 1e-12, "headroom sum");
    let first = r
        .account
        .first_to_liquidate
        .as_ref()
        .unwrap()
        .down
        .as_ref()
        .unwrap();
    assert_eq!(first.account, "thin");
    assert_eq!(
        r.account.liquidation["BTC"].down,
        account(&r, "thin").liquidation["BTC"].down
    );
    // OKX has no published BTC tiers in the pack: the approximation is named.
    let okx = account(&r, "thick");
    assert!(
        okx.approximations
            .iter()
            .any(|a| a.contains("approximated by Deribit")),
        "{:?}",
        okx.approximations
    );
    assert!(r.warnings.iter().any(|w| w.starts_with("thick (okx)")));
}

#[test]
fn bad_accounts_say_which_field() {
    let bad = |accounts: Value| {
        try_run(json!({"market": market(1e5, 3e3), "accounts": accounts})).unwrap_err()
    };
    let e = bad(json!([{"venue": "kraken"}]));
    assert_eq!(e.field, "accounts[0].venue");
    let e = bad(json!([{"venue": "okx", "marginMode": "segregated"}]));
    assert_eq!(e.field, "accounts[0].marginMode");
    assert!(e.message.contains("cross, isolated"), "{}", e.message);
    let e = bad(
        json!([{"venue": "bybit", "params": {"maintenanceTiers": {"BTC": [{"floorUsd": 5, "rate": 0.01}]}}}]),
    );
    assert_eq!(e.field, "accounts[0].params");
    let e = bad(json!([{"venue": "binance", "marginMode": "portfolio"}]));
    assert!(e.message.contains("not modelled"), "{}", e.message);
    let e = bad(json!([{"id": "a", "venue": "okx"}, {"id": "a", "venue": "bybit"}]));
    assert_eq!(e.field, "accounts[1].id");
    // A dYdX option row is an error of its row; the other rows compute.
    let r = accounts(
        market(1e5, 3e3),
        json!([{"id": "d", "venue": "dydx", "collateral": {"USDC": 1000},
                "positions": "instrument,size\nETH-USD,1\nBTC-27NOV26-100000-C,1\nETH-USD,-1"}]),
    );
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        (r.errors[0].line, r.errors[0].account.as_deref()),
        (3, Some("d"))
    );
    assert_eq!(r.positions.len(), 2);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, failure_persistence: None, ..Default::default() })]
    /// Every reported liquidation price, re-valued by `analyze` with the index at that price,
    /// puts its pool at MM usage 1 (random accounts of every per-position venue, cross and
    /// isolated, long and short, two underlyings).
    #[test]
    fn every_liquidation_price_revalues_to_mm_usage_one(
        venue in 0usize..7,
        isolated in proptest::bool::ANY,
        rows in proptest::collection::vec((proptest::bool::ANY, -30.0f64..30.0, 0.8f64..1.2, 1.0f64..40.0), 1..5),
        collateral in 100.0f64..200_000.0,
    ) {
        let (venue, btc, eth) = [
            ("binance", "BTCUSDT", "ETHUSDT"),
            ("okx", "BTC-USDT-SWAP", "ETH-USDT-SWAP"),
            ("bybit", "BTCUSDT", "ETHUSDT"),
            ("hyperliquid", "BTC", "ETH"),
            ("dydx", "BTC-USD", "ETH-USD"),
            ("deribit", "BTC_USDC-PERPETUAL", "ETH_USDC-PERPETUAL"),
            ("derive", "BTC-PERP", "ETH-PERP"),
        ][venue];
        let isolated = isolated && venue != "deribit" && venue != "derive";
        let (btc_index, eth_index) = (90_000.0, 3_000.0);
        let mut text = String::from("instrument,size,entry,leverage\n");
        for (is_btc, size, entry_ratio, leverage) in &rows {
            let (name, index, scale) = if *is_btc { (btc, btc_index, 0.05) } else { (eth, eth_index, 1.0) };
            // OKX sizes are contracts of 0.01 BTC / 0.1 ETH.
            let contracts = if venue == "okx" { if *is_btc { 100.0 } else { 10.0 } } else { 1.0 };
            let size = (size * scale * contracts * 1e4).round() / 1e4;
            if size == 0.0 { continue; }
            text.push_str(&format!("{name},{size},{},{}\n", index * entry_ratio, leverage.round()));
        }
        let request = |btc: f64, eth: f64| json!({
            "market": market(btc, eth),
            "stress": {"library": false},
            "accounts": [{"id": "a", "venue": venue, "marginMode": if isolated { "isolated" } else { "cross" },
                          "collateral": {"USDC": collateral}, "positions": text}],
        });
        let r = run(request(btc_index, eth_index));
        proptest::prop_assert!(r.errors.is_empty(), "{:?}", r.errors);
        for p in &r.positions {
            let Some(price) = p.liquidation_price else { continue };
            let (equity, mm) = (p.pool_equity_usd.unwrap(), p.pool_maintenance_margin_usd.unwrap());
            if equity <= mm {
                // Liquidatable already: the price reported is today's.
                proptest::prop_assert_eq!(price, if p.underlying == "BTC" { btc_index } else { eth_index });
                continue;
            }
            let (btc, eth) = if p.underlying == "BTC" { (price, eth_index) } else { (btc_index, price) };
            let at = run(request(btc, eth));
            let q = at.positions.iter().find(|q| q.line == p.line).unwrap();
            proptest::prop_assert_eq!(&q.margin_pool, &p.margin_pool);
            let (equity, mm) = (q.pool_equity_usd.unwrap(), q.pool_maintenance_margin_usd.unwrap());
            let gap = equity - mm;
            proptest::prop_assert!(gap.abs() <= 1e-6 * mm.max(equity.abs()).max(1e-9) + 1e-6,
                "{venue} {}: at {price} equity {equity} MM {mm}", p.instrument);
            proptest::prop_assert!(gap <= 1e-6 * mm.max(1.0), "{venue}: not liquidatable at {price}");
        }
    }
}

/// The collateral transfer between two accounts: the smallest distance to liquidation after it
/// (verified by the search) is the best a brute-force sweep of transfers finds, and better than
/// before; the stablecoins are conserved.
#[test]
fn collateral_transfer_maximises_the_smallest_distance() {
    let request = |binance: f64, okx: f64| {
        json!({"market": market(100_000.0, 3_000.0), "stress": {"library": false},
        "accounts": [
          {"id": "thin", "venue": "binance", "collateral": {"USDT": binance},
           "positions": "instrument,size,entry\nBTCUSDT,1,100000"},
          {"id": "thick", "venue": "okx", "collateral": {"USDT": okx},
           "positions": "instrument,size,entry\nBTC-USDT-SWAP,-100,100000\nETH-USDT-SWAP,200,3000"}
        ]})
    };
    let smallest = |r: &Report| {
        r.accounts
            .iter()
            .flat_map(|a| a.pools.iter())
            .flat_map(|p| p.liquidation.values().chain([&p.liquidation_all]))
            .flat_map(|l| [l.down, l.up])
            .flatten()
            .map(f64::abs)
            .fold(f64::INFINITY, f64::min)
    };
    let total = 40_000.0;
    let r = run(request(3_000.0, total - 3_000.0));
    let t = r.account.collateral_transfer.as_ref().unwrap();
    assert_eq!(t.account_before.as_deref(), Some("thin"));
    assert_eq!(t.transfers.len(), 1);
    assert_eq!(
        (t.transfers[0].from.as_str(), t.transfers[0].to.as_str()),
        ("thick", "thin")
    );
    let moved = t.transfers[0].amount_usd;
    let after = t.smallest_distance_after.unwrap();
    assert!(after > t.smallest_distance_before.unwrap());
    // Applying the transfer gives the distance reported.
    let applied = run(request(3_000.0 + moved, total - 3_000.0 - moved));
    assert_close(smallest(&applied), after, 1e-9, "verified distance");
    // A sweep of 400 transfers finds nothing better (to its resolution).
    let mut best: f64 = 0.0;
    for k in 0..=400 {
        let to_thin = total * k as f64 / 400.0;
        best = best.max(smallest(&run(request(to_thin, total - to_thin))));
    }
    assert!(after >= best - 1e-6, "after {after}, brute force {best}");
}

/// Derive's standard manager on a perpetual (mainnet pack: MM 6.5 % of the notional at the perp
/// price, unrealised P&L counted): liquidatable when cash + q·(p − E) < 0.065·|q|·p, so a long's
/// liquidation price is (q·E − C) / (q·(1 − 0.065)); a short's (q·E − C) / (q·(1 + 0.065)) with q < 0.
#[test]
fn derive_perpetual_liquidation_price_follows_the_standard_manager() {
    let r = accounts(
        market(100_000.0, 3_000.0),
        json!([
            {"id": "long", "venue": "derive", "collateral": {"USDC": 500}, "positions": "instrument,size,entry\nETH-PERP,2,3000"},
            {"id": "short", "venue": "derive", "collateral": {"USDC": 500}, "positions": "instrument,size,entry\nETH-PERP,-2,3000"}
        ]),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let (c, e) = (500.0, 3_000.0);
    assert_close(
        liquidation_price(&r, 2, "long").unwrap(),
        (2.0 * e - c) / (2.0 * (1.0 - 0.065)),
        1e-9,
        "long",
    );
    assert_close(
        liquidation_price(&r, 2, "short").unwrap(),
        (-2.0 * e - c) / (-2.0 * (1.0 + 0.065)),
        1e-9,
        "short",
    );
    let a = account(&r, "long");
    assert_close(a.maintenance_margin_usd, 2.0 * 3_000.0 * 0.065, 1e-12, "MM");
    assert_close(a.initial_margin_usd, 2.0 * 3_000.0 * 0.1, 1e-12, "IM");
    assert_eq!(a.pack.name, "derive-srm-mainnet");
}

/// Derive's portfolio manager on a perpetual (mainnet pack): the worst scenario for a long is the
/// −20 % spot shock, and the static contingency is 3 % of the perp's notional at the spot, so MM
/// is 0 when C + q·(p − E) = (0.20 + 0.03)·q·p: p = (q·E − C) / (q·(1 − 0.23)). A subaccount holds
/// one market.
#[test]
fn derive_portfolio_manager_on_a_perpetual() {
    let r = accounts(
        market(100_000.0, 3_000.0),
        json!([{"id": "pm", "venue": "derive", "marginMode": "portfolio", "collateral": {"USDC": 2000},
                "positions": "instrument,size,entry\nETH-PERP,2,3000"}]),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_close(
        liquidation_price(&r, 2, "pm").unwrap(),
        (2.0 * 3_000.0 - 2_000.0) / (2.0 * (1.0 - 0.23)),
        1e-9,
        "long",
    );
    let a = account(&r, "pm");
    assert_close(a.maintenance_margin_usd, 0.23 * 2.0 * 3_000.0, 1e-12, "MM");
    assert_close(
        a.initial_margin_usd,
        1.25 * 0.23 * 2.0 * 3_000.0,
        1e-12,
        "IM",
    );
    assert_eq!(a.pack.name, "derive-pmrm-v1-mainnet");
    let e = try_run(json!({"market": market(1e5, 3e3), "accounts": [{"venue": "derive", "marginMode": "portfolio",
        "positions": "instrument,size\nETH-PERP,1\nBTC-PERP,1"}]}))
    .unwrap_err();
    assert_eq!(e.field, "accounts[0]");
    assert!(e.message.contains("one market"), "{}", e.message);
}

/// Bybit's UTA inverse isolated formula (venue-margin.md §3.2): LP_long = Qty / [PV + (IM − MM)]
/// with PV = Qty/EP, IM = PV/leverage and MM = PV·MMR in coin: 60,000 USD long at 50,000, 10x,
/// MMR 0.5 % → PV 1.2 BTC, IM 0.12 BTC, LP 45,662.10 — the isolated margin is held in the coin.
#[test]
fn bybit_inverse_isolated_liquidation_price() {
    let r = accounts(
        market(50_000.0, 3_000.0),
        json!([{"id": "i", "venue": "bybit", "marginMode": "isolated",
                "positions": "instrument,size,entry,leverage\nBTCUSD,60000,50000,10"}]),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let (qty, pv) = (60_000.0, 1.2);
    assert_close(
        liquidation_price(&r, 2, "i").unwrap(),
        qty / (pv + (0.12 - pv * 0.005)),
        1e-9,
        "LP",
    );
    common::assert_matches_published(liquidation_price(&r, 2, "i").unwrap(), "45662.10", "LP");
}

/// Rows of one contract in a cross account are one position on the venue (one-way mode): the
/// bracket is the net position's. Three rows of BTCUSDT (3, 2 and −1 BTC) margin as one 4 BTC
/// position at the average entry, not as three small ones; each row carries its share.
#[test]
fn rows_of_one_contract_net_into_one_position() {
    let run_book = |book: &str| {
        accounts(
            market(100_000.0, 3_000.0),
            json!([{"id": "b", "venue": "binance", "collateral": {"USDT": 60000}, "positions": book}]),
        )
    };
    let rows =
        run_book("instrument,size,entry\nBTCUSDT,3,100000\nBTCUSDT,2,95000\nBTCUSDT,-1,99000");
    let one = run_book("instrument,size,entry\nBTCUSDT,4,97750");
    let (a, b) = (account(&rows, "b"), account(&one, "b"));
    // 4 BTC at 100,000: 400,000 USD notional, the third bracket (1 %, maintenance amount 1,300).
    assert_close(
        a.maintenance_margin_usd,
        400_000.0 * 0.01 - 1_300.0,
        1e-12,
        "net bracket",
    );
    assert_close(
        a.maintenance_margin_usd,
        b.maintenance_margin_usd,
        1e-12,
        "as one position",
    );
    assert_close(a.equity_usd, b.equity_usd, 1e-12, "equity");
    assert_close(
        liquidation_price(&rows, 2, "b").unwrap(),
        liquidation_price(&one, 2, "b").unwrap(),
        1e-12,
        "liquidation",
    );
    let shares: f64 = rows
        .positions
        .iter()
        .map(|p| p.maintenance_margin_usd.unwrap())
        .sum();
    assert_close(shares, a.maintenance_margin_usd, 1e-12, "row shares add up");
}
