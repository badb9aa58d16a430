//! Venues' API responses pasted whole (issue "Paste what the venue gives you"): the envelope is
//! unwrapped, the direction is read by sign, side or both when they agree, closed positions
//! (size 0) are skipped with a note, and an error answer is one clear error. The documents follow
//! the venues' documented response shapes (Deribit `private/get_positions`, OKX
//! `/api/v5/account/positions`, Bybit `/v5/position/list`, Binance `fapi/v2/positionRisk` and
//! `eapi/v1/position`, Hyperliquid `clearinghouseState`, dYdX v4 indexer subaccount); the
//! numbers are this test's.

mod common;

use common::{assert_close, run};
use serde_json::{json, Value};

fn market() -> Value {
    json!({"valuationTime": "2026-11-23T12:00:00Z",
           "underlyings": {"BTC": {"index": 100000, "vol": 0.5}, "ETH": {"index": 3000, "vol": 0.6}}})
}

fn book(positions: &str) -> headroom::report::Report {
    run(json!({"positions": positions, "market": market(), "stress": {"library": false}}))
}

#[test]
fn deribit_get_positions_jsonrpc_envelope() {
    let r = book(
        r#"{"jsonrpc":"2.0","id":2236,"result":[
      {"instrument_name":"BTC-PERPETUAL","kind":"future","direction":"sell","size":-20000,"average_price":101000.0,"mark_price":100010.5,"index_price":100000.0,"estimated_liquidation_price":190000.0,"maintenance_margin":0.002,"initial_margin":0.004},
      {"instrument_name":"BTC-27NOV26-100000-C","kind":"option","direction":"buy","size":2.0,"average_price":0.02,"mark_price":0.021},
      {"instrument_name":"ETH-PERPETUAL","kind":"future","direction":"zero","size":0,"average_price":0,"mark_price":3001.0}
    ],"usIn":1,"usOut":2,"usDiff":1,"testnet":false}"#,
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions.len(), 2);
    assert_eq!(
        (r.positions[0].size, r.positions[0].size_unit),
        (-20000.0, "USD")
    );
    assert_close(r.positions[1].quantity, 2.0, 1e-15, "2 BTC of calls");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("size 0 (a closed position), skipped")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn okx_positions_in_net_mode() {
    let r = book(
        r#"{"code":"0","msg":"","data":[
      {"instId":"BTC-USDT-SWAP","instType":"SWAP","mgnMode":"cross","posSide":"net","pos":"-150","avgPx":"100500","markPx":"100010","lever":"10","liqPx":"160000","imr":"1500","mmr":"60"},
      {"instId":"ETH-USDT-SWAP","instType":"SWAP","mgnMode":"isolated","posSide":"net","pos":"30","avgPx":"2950","markPx":"3001","lever":"5","liqPx":"","imr":"","mmr":"180"}
    ]}"#,
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    // OKX sizes are contracts: 150 × 0.01 BTC short, 30 × 0.1 ETH long.
    assert_close(r.positions[0].quantity, -1.5, 1e-12, "BTC");
    assert_close(r.positions[1].quantity, 3.0, 1e-12, "ETH");
    let refused = book(r#"{"code":"50111","msg":"Invalid OK-ACCESS-KEY","data":[]}"#);
    assert_eq!(refused.errors.len(), 1);
    assert!(
        refused.errors[0].message.contains("error 50111"),
        "{}",
        refused.errors[0].message
    );
}

#[test]
fn bybit_position_list_envelope() {
    let r = book(
        r#"{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[
      {"symbol":"BTCUSDT","side":"Sell","size":"0.5","avgPrice":"101000","markPrice":"100010","leverage":"20","liqPrice":"119000","positionIM":"2500","positionMM":"250","tradeMode":0},
      {"symbol":"ETHUSDT","side":"","size":"0","avgPrice":"0","markPrice":"3001","leverage":"10"}
    ],"nextPageCursor":""},"time":1}"#,
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions.len(), 1);
    assert_close(r.positions[0].quantity, -0.5, 1e-15, "short by side");
}

#[test]
fn binance_position_risk_and_options_sign_and_side() {
    let r = book(
        r#"[{"symbol":"BTCUSDT","positionAmt":"0.250","entryPrice":"99000.0","markPrice":"100010.0","liquidationPrice":"75000.1","leverage":"20","marginType":"cross","isolatedMargin":"0.00000000","positionSide":"BOTH"},
                    {"symbol":"ETHUSDT","positionAmt":"0.000","entryPrice":"0.0","markPrice":"3001.0","liquidationPrice":"0","leverage":"20","marginType":"cross","positionSide":"BOTH"},
                    {"symbol":"BTC-261225-120000-C","side":"SHORT","quantity":"-0.1","entryPrice":"2100","markPrice":"2000"}]"#,
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions.len(), 2, "the zero row is skipped");
    assert_close(r.positions[0].quantity, 0.25, 1e-15, "long");
    assert_close(
        r.positions[1].quantity,
        -0.1,
        1e-15,
        "short by sign and side, which agree",
    );
    // A real contradiction is still an error.
    let bad = book("symbol,side,quantity\nBTC-261225-120000-C,BUY,-0.1");
    assert!(
        bad.errors[0].message.contains("contradict"),
        "{}",
        bad.errors[0].message
    );
}

#[test]
fn hyperliquid_clearinghouse_state() {
    let state = r#"{"marginSummary":{"accountValue":"13109.48","totalNtlPos":"104000","totalRawUsd":"-90890.5","totalMarginUsed":"4600"},
      "crossMarginSummary":{"accountValue":"13109.48","totalNtlPos":"104000","totalRawUsd":"-90890.5","totalMarginUsed":"4600"},
      "crossMaintenanceMarginUsed":"1600","withdrawable":"8509.48",
      "assetPositions":[
        {"type":"oneWay","position":{"coin":"BTC","szi":"1.0","entryPx":"99000.0","positionValue":"100000","unrealizedPnl":"1000","returnOnEquity":"0.2","liquidationPx":"88000.0","marginUsed":"2500","maxLeverage":40,"leverage":{"type":"cross","value":40}}},
        {"type":"oneWay","position":{"coin":"ETH","szi":"-2.0","entryPx":"3050.0","positionValue":"6000","unrealizedPnl":"100","liquidationPx":"4400.0","marginUsed":"600","maxLeverage":25,"leverage":{"type":"isolated","value":10,"rawUsd":"6700.0"}}}
      ],"time":1733300000000}"#;
    let r = book(state);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions.len(), 2);
    // `BTC` is Hyperliquid's perpetual (its own fields say so), not a coin held.
    assert_eq!(
        (r.positions[0].venue, r.positions[0].kind),
        ("hyperliquid", "perpetual")
    );
    assert_close(r.positions[1].quantity, -2.0, 1e-15, "szi");
    // In a Hyperliquid account its leverage object gives the margin mode.
    let a = run(json!({"market": market(), "stress": {"library": false},
        "accounts": [{"id": "hl", "venue": "hyperliquid", "collateral": {"USDC": 12000}, "positions": state}]}));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(
        a.positions[1].margin_pool.as_deref(),
        Some("isolated ETH (position 2)")
    );
}

#[test]
fn dydx_subaccount_positions_by_market() {
    let r = run(
        json!({"market": market(), "stress": {"library": false}, "accounts": [{"id": "d", "venue": "dydx", "collateral": {"USDC": 5000},
        "positions": r#"{"subaccount":{"address":"dydx1xyz","subaccountNumber":0,"equity":"5010","freeCollateral":"4000",
          "openPerpetualPositions":{"ETH-USD":{"market":"ETH-USD","status":"OPEN","side":"SHORT","size":"-1.5","entryPrice":"3010"},
                                    "BTC-USD":{"market":"BTC-USD","status":"OPEN","side":"LONG","size":"0.05","entryPrice":"99500"}}}}"#}]}),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let eth = r.positions.iter().find(|p| p.underlying == "ETH").unwrap();
    assert_close(eth.quantity, -1.5, 1e-15, "short by both");
    assert_eq!(r.positions.len(), 2);
}

/// Reconciliation: where a response states the venue's liquidation price and the account's rules
/// are modelled, Headroom's agrees with it. Hyperliquid's documented formula for a cross long
/// (1 BTC, entry 99,000, mark 100,000, 5,000 USDC: account value 6,000, MM 1,250 at 40x):
/// 100,000 − 4,750 / (1 − 1/80) = 95,189.87; Bybit's published isolated example: 1 BTC at 20,000,
/// 50x → 19,700.
#[test]
fn venue_liquidation_prices_reconcile() {
    let hl = run(
        json!({"market": market(), "stress": {"library": false}, "accounts": [{"id": "hl", "venue": "hyperliquid",
        "collateral": {"USDC": 5000},
        "positions": r#"{"assetPositions":[{"type":"oneWay","position":{"coin":"BTC","szi":"1.0","entryPx":"99000.0","liquidationPx":"95189.87","marginUsed":"2500","leverage":{"type":"cross","value":40}}}]}"#}]}),
    );
    let v = hl.positions[0].venue_reported.unwrap();
    assert_eq!(v.liquidation_price, Some(95_189.87));
    assert_eq!(v.initial_margin, Some(2_500.0));
    assert!(
        v.liquidation_price_difference.unwrap().abs() < 1e-7,
        "{v:?}"
    );
    let mut m = market();
    m["underlyings"]["BTC"]["index"] = json!(20000);
    let bybit = run(
        json!({"market": m, "stress": {"library": false}, "accounts": [{"id": "b", "venue": "bybit", "marginMode": "isolated",
        "positions": r#"{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"BTCUSDT","side":"Buy","size":"1","avgPrice":"20000","leverage":"50","liqPrice":"19700","positionIM":"400","positionMM":"100"}]}}"#}]}),
    );
    let v = bybit.positions[0].venue_reported.unwrap();
    assert!(
        v.liquidation_price_difference.unwrap().abs() < 1e-9,
        "{v:?}"
    );
    assert_eq!(v.maintenance_margin, Some(100.0));
    // Without accounts the venue's figures are kept, with nothing to compare them to.
    let single = book(
        r#"[{"symbol":"BTCUSDT","positionAmt":"0.25","entryPrice":"99000","liquidationPrice":"75000.1"}]"#,
    );
    assert_eq!(
        single.positions[0]
            .venue_reported
            .unwrap()
            .liquidation_price,
        Some(75_000.1)
    );
    assert_eq!(
        single.positions[0]
            .venue_reported
            .unwrap()
            .liquidation_price_difference,
        None
    );
}

/// Histories are refused, never read as positions: each says what to paste instead.
#[test]
fn trade_and_transaction_histories_are_refused() {
    for (what, text) in [
        ("OKX trading history", "Order ID,Trade ID,Trade Time,Instrument,Side,Filled Qty,Filled Price,Fee\n1,2,2026-11-20 10:00:00,BTC-USDT-SWAP,buy,10,99000,-0.5\n3,4,2026-11-20 11:00:00,BTC-USDT-SWAP,sell,5,99500,-0.2\n5,6,2026-11-21 09:00:00,ETH-USDT-SWAP,buy,20,3000,-0.1"),
        ("Bybit transaction log", "Uid,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,Fee Paid,Cash Flow,Change,Wallet Balance,Action,Time(UTC)\n1,USDT,BTCUSDT,TRADE,BUY,0.1,0.1,99000,0,0.5,0,-0.5,1000,OPEN,2026-11-20 10:00:00"),
        ("Binance futures transaction history", "Time(UTC),Asset,Type,Amount,Symbol,Realized PnL,Commission\n2026-11-20 10:00:00,USDT,COMMISSION,-0.5,BTCUSDT,0,-0.5"),
        ("OKX fills (JSON)", r#"{"code":"0","data":[{"instId":"BTC-USDT-SWAP","tradeId":"1","ordId":"2","fillPx":"99000","fillSz":"10","side":"buy","ts":"1700000000000"}]}"#),
    ] {
        let r = book(text);
        assert!(r.positions.is_empty(), "{what}: read as positions");
        assert_eq!(r.errors.len(), 1, "{what}: {:?}", r.errors);
        assert!(r.errors[0].message.contains("history") && r.errors[0].message.contains("paste the venue's positions"),
            "{what}: {}", r.errors[0].message);
    }
    // A positions table with a fee column but no time is still read.
    assert_eq!(
        book("instrument,size,fee\nBTC-PERPETUAL,1000,0.1")
            .positions
            .len(),
        1
    );
}

/// Unit slips are said next to the row, never reinterpreted: coins typed for USD on a Deribit
/// inverse perpetual, an IV typed as a fraction in a percent column, a coin premium typed for a
/// USD-priced option.
#[test]
fn unit_slips_are_said_next_to_the_row() {
    let r = book("instrument,size,iv,entry\nBTC-PERPETUAL,0.5,,\nBTC-27NOV26-100000-C,1,0.52,\nBTC-27NOV26-100000-C-USDT,1,,0.021\nETH-PERPETUAL,5000,,");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let notes = |line: usize| {
        r.positions
            .iter()
            .find(|p| p.line == line)
            .unwrap()
            .notes
            .join(" ")
    };
    assert!(
        notes(2).contains("sizes this contract in USD"),
        "{}",
        notes(2)
    );
    assert_eq!(r.positions[0].size, 0.5, "the size is still as typed");
    assert!(notes(3).contains("IV 0.52 read as 0.52 %"), "{}", notes(3));
    assert!(
        notes(4).contains("premium 0.021 USD is under 1 USD"),
        "{}",
        notes(4)
    );
    assert!(!notes(5).contains("USD:"), "{}", notes(5));
}

/// ccxt's `fetchPositions` (its unified position structure: `symbol` unified, `contracts` of
/// `contractSize`, `side` long/short, the raw answer in `info`; the numbers are this test's).
/// The venue named by the request reads the unified symbol as its own name; without one, the
/// default for the settlement is taken and said. A position's update time and realised P&L do
/// not make it a history.
#[test]
fn ccxt_fetch_positions() {
    let positions = r#"[
      {"info":{"instId":"BTC-USDT-SWAP","pos":"-150"},"id":"312269865356374016","symbol":"BTC/USDT:USDT","timestamp":1700000000000,"datetime":"2023-11-14T22:13:20.000Z","lastUpdateTimestamp":1700000000000,"hedged":false,"side":"short","contracts":150,"contractSize":0.01,"entryPrice":100500,"markPrice":100010,"notional":1500.15,"leverage":10,"collateral":150,"initialMargin":150,"maintenanceMargin":6,"initialMarginPercentage":0.1,"maintenanceMarginPercentage":0.004,"unrealizedPnl":7.35,"realizedPnl":0,"liquidationPrice":160000,"marginMode":"cross","marginRatio":0.04,"percentage":4.9},
      {"info":{},"symbol":"ETH/USD:ETH-261225-4000-C","side":"long","contracts":50,"contractSize":0.1,"entryPrice":0.02,"markPrice":0.021,"timestamp":1700000000000,"realizedPnl":0}
    ]"#;
    let okx = run(
        json!({"positions": positions, "venue": "okx", "market": market(), "stress": {"library": false}}),
    );
    assert!(okx.errors.is_empty(), "{:?}", okx.errors);
    assert_eq!(okx.positions[0].instrument, "BTC-USDT-SWAP");
    assert_close(
        okx.positions[0].quantity,
        -1.5,
        1e-12,
        "150 contracts of 0.01 BTC, short",
    );
    assert_eq!(okx.positions[1].instrument, "ETH-USD-261225-4000-C");
    assert_close(
        okx.positions[1].quantity,
        5.0,
        1e-12,
        "50 contracts of 0.1 ETH",
    );
    assert_eq!(
        okx.positions[0].venue_reported.unwrap().liquidation_price,
        Some(160000.0)
    );
    // No venue named: USDT-settled reads as Binance's, coin-settled as Deribit's, each said.
    let auto = book(positions);
    assert!(auto.errors.is_empty(), "{:?}", auto.errors);
    assert_eq!(auto.positions[0].instrument, "BTCUSDT");
    assert_eq!(auto.positions[1].instrument, "ETH-25DEC26-4000-C");
    assert_close(
        auto.positions[1].quantity,
        5.0,
        1e-12,
        "the size does not depend on the venue",
    );
    assert!(auto.positions[1].notes.iter().any(|n| n
        .contains("ccxt symbol ETH/USD:ETH-261225-4000-C read as Deribit's ETH-25DEC26-4000-C")));
    // An inverse perpetual: contracts of 10 USD on Deribit, so the size is USD notional.
    let inverse = run(
        json!({"positions": [{"symbol": "BTC/USD:BTC", "side": "long", "contracts": 2000, "contractSize": 10, "markPrice": 100000}],
        "venue": "deribit", "market": market(), "stress": {"library": false}}),
    );
    assert!(inverse.errors.is_empty(), "{:?}", inverse.errors);
    assert_eq!(inverse.positions[0].instrument, "BTC-PERPETUAL");
    assert_close(
        inverse.positions[0].quantity,
        0.2,
        1e-12,
        "20,000 USD at 100,000",
    );
    // A unified symbol a venue has no name for is an error that says so.
    let unknown = run(
        json!({"positions": [{"symbol": "BTC/USD:BTC-261225", "side": "long", "contracts": 1, "contractSize": 1}],
        "venue": "hyperliquid", "market": market(), "stress": {"library": false}}),
    );
    assert!(
        unknown.errors[0]
            .message
            .contains("has no Hyperliquid name"),
        "{:?}",
        unknown.errors
    );
}

/// Derive's `private/get_positions` (fields as its API returns them: `amount` signed,
/// `instrument_type`, `index_price`, signed health contributions as `initial_margin` and
/// `maintenance_margin`; the numbers are this test's), in a Derive account: the envelope's
/// `result.positions` is read, the sign of `amount` is the direction, and the index the response
/// quotes seeds the market that gave none.
#[test]
fn derive_get_positions_in_an_account() {
    let response = r#"{"id":"8b0f1c1e","result":{"subaccount_id":23818,"positions":[
      {"instrument_type":"perp","instrument_name":"ETH-PERP","amount":"-2","average_price":"3050","mark_price":"3001.5","mark_value":"-6003","index_price":"3000.25","liquidation_price":"4100","initial_margin":"-612","maintenance_margin":"-310","leverage":"4.9","unrealized_pnl":"97","realized_pnl":"0","cumulative_funding":"1.2","pending_funding":"0.1","net_settlements":"0","open_orders_margin":"0","delta":"1","gamma":"0","vega":"0","theta":"0","creation_timestamp":1736155703134},
      {"instrument_type":"option","instrument_name":"ETH-20261225-4000-C","amount":"0","average_price":"0","mark_price":"80","index_price":"3000.25","creation_timestamp":1736155703134}
    ]}}"#;
    let r = run(json!({
        "market": {"valuationTime": "2026-11-23T12:00:00Z"},
        "accounts": [{"id": "derive", "venue": "derive", "collateral": {"USDC": 2000}, "positions": response}],
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions.len(), 1, "the zero-amount option is skipped");
    assert_eq!(r.positions[0].instrument, "ETH-PERP");
    assert_close(r.positions[0].quantity, -2.0, 1e-15, "short 2 ETH");
    assert_eq!(r.positions[0].index, 3000.25);
    assert_eq!(
        r.positions[0].venue_reported.unwrap().liquidation_price,
        Some(4100.0)
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("ETH index 3000.25 USD from the index price of line")),
        "{:?}",
        r.warnings
    );
}

/// Hyperliquid's documented `clearinghouseState` answer (hyperliquid.gitbook.io, Info endpoint,
/// "Retrieve a user's perpetuals account summary"): one isolated ETH long, `szi` 0.0335,
/// `entryPx` 2986.3, `positionValue` 100.02765, `leverage.rawUsd` −95.059824, `marginUsed`
/// 4.967826, `maxLeverage` 50, `liquidationPx` 2866.26936529; the cross account worth
/// 13104.514502 USDC. Passed as both the positions and the balance of a Hyperliquid account, with
/// no index and no collateral typed: the mark is positionValue/|szi| (2985.9), the isolated margin
/// rawUsd + szi·entryPx, the cross collateral the cross account value — and Headroom's isolated
/// liquidation price, on the documented rule with the position's 50x, is Hyperliquid's.
#[test]
fn hyperliquid_documented_state_as_positions_and_balance() {
    let state = r#"{"assetPositions":[{"position":{"coin":"ETH","cumFunding":{"allTime":"514.085417","sinceChange":"0.0","sinceOpen":"0.0"},"entryPx":"2986.3","leverage":{"rawUsd":"-95.059824","type":"isolated","value":20},"liquidationPx":"2866.26936529","marginUsed":"4.967826","maxLeverage":50,"positionValue":"100.02765","returnOnEquity":"-0.0026789","szi":"0.0335","unrealizedPnl":"-0.0134"},"type":"oneWay"}],"crossMaintenanceMarginUsed":"0.0","crossMarginSummary":{"accountValue":"13104.514502","totalMarginUsed":"0.0","totalNtlPos":"0.0","totalRawUsd":"13104.514502"},"marginSummary":{"accountValue":"13109.482328","totalMarginUsed":"4.967826","totalNtlPos":"100.02765","totalRawUsd":"13009.454678"},"time":1708622398623,"withdrawable":"13104.514502"}"#;
    let r = run(json!({
        "market": {"valuationTime": "2024-02-22T17:19:58Z"},
        "accounts": [{"id": "hl", "venue": "hyperliquid", "positions": state, "balance": state,
                      "params": {"maxLeverage": {"ETH": 50}}}],
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let p = &r.positions[0];
    assert_close(
        p.index,
        100.02765 / 0.0335,
        1e-12,
        "index approximated by the mark",
    );
    assert_close(p.quantity, 0.0335, 1e-15, "szi");
    let account = &r.accounts[0];
    assert_close(
        account.collateral_usd - 4.981226,
        13104.514502,
        1e-12,
        "cross + isolated",
    );
    // The documented liquidation price, from the documented rule (MM rate 1/(2·50)).
    let v = p.venue_reported.unwrap();
    assert_eq!(v.liquidation_price, Some(2866.26936529));
    // Agrees to 1.5e-5 USD (5e-9 relative): the response's inputs are rounded to 6 decimals.
    assert_close(
        p.liquidation_price.unwrap(),
        2866.26936529,
        1e-8,
        "Headroom's liquidation price",
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("collateral 13104.514502 USDC from Hyperliquid clearinghouseState `crossMarginSummary.accountValue`")),
        "{:?}",
        r.warnings
    );
}

/// Balances of each venue's shape become collateral: equity less the positions settled in it
/// (Deribit's `get_account_summary`, OKX `account/balance`, Bybit `wallet-balance`, Binance
/// futures `balance`), cash as it is (ccxt `fetchBalance`, Derive `get_collaterals`); a typed
/// amount wins; an error answer is a request error naming the field. (Shapes as documented; the
/// numbers are this test's.)
#[test]
fn balances_of_each_venue_become_collateral() {
    let perp = "instrument,size,entry\nBTC-PERPETUAL,10000,90000";
    let collateral = |balance: &str, typed: serde_json::Value| {
        let r = run(
            json!({"positions": perp, "market": market(), "stress": {"library": false},
                           "account": {"balance": balance, "collateral": typed}}),
        );
        (r.account.equity_usd, r.warnings)
    };
    // The perpetual is worth 10000·(1/90000 − 1/100000) BTC at the index 100,000.
    let pnl_usd = 10000.0 * (1.0 / 90000.0 - 1.0 / 100000.0) * 100000.0;
    for (what, balance) in [
        (
            "Deribit",
            r#"{"jsonrpc":"2.0","result":{"currency":"BTC","balance":1.49,"equity":1.5,"margin_balance":1.5}}"#,
        ),
        (
            "OKX",
            r#"{"code":"0","data":[{"details":[{"ccy":"BTC","eq":"1.5","cashBal":"1.49","upl":"0.01"}]}]}"#,
        ),
        (
            "Bybit",
            r#"{"retCode":0,"result":{"list":[{"accountType":"UNIFIED","coin":[{"coin":"BTC","equity":"1.5","walletBalance":"1.49"}]}]}}"#,
        ),
        (
            "Binance",
            r#"[{"accountAlias":"x","asset":"BTC","balance":"1.49","crossWalletBalance":"1.49","crossUnPnl":"0.01","availableBalance":"1.4"}]"#,
        ),
    ] {
        let (equity, warnings) = collateral(balance, json!({}));
        // Equity today is the venue's: 1.5 BTC at 100,000.
        assert_close(equity, 150000.0, 1e-12, what);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("of positions settled in it")),
            "{what}: {warnings:?}"
        );
    }
    let (equity, _) = collateral(
        r#"{"info":{},"BTC":{"free":1,"used":0.5,"total":1.5},"total":{"BTC":1.5,"USDT":0},"free":{"BTC":1}}"#,
        json!({}),
    );
    assert_close(equity, 150000.0 + pnl_usd, 1e-12, "ccxt total is cash");
    let (equity, warnings) = collateral(
        r#"{"result":{"currency":"BTC","equity":1.5}}"#,
        json!({"BTC": 2}),
    );
    assert_close(equity, 200000.0 + pnl_usd, 1e-12, "typed wins");
    assert!(warnings
        .iter()
        .any(|w| w.contains("the typed BTC collateral is used")));
    let refused = common::try_run(json!({"positions": perp, "market": market(),
        "account": {"balance": r#"{"code":"50111","msg":"Invalid key","data":[]}"#}}));
    assert!(refused
        .unwrap_err()
        .to_string()
        .starts_with("account.balance"));
}
