//! The market seeded from what was pasted (issue "Paste what the venue gives you", items 3 and
//! 6): the index from a response's index price (else a perpetual's mark, said as an
//! approximation), forwards from quoted forwards, smiles from a market snapshot's mark IVs, and a
//! mark price that outranks a typed IV, with a note when they disagree.
//!
//! Fixtures are the venues' own documentation examples where the documentation has one (each
//! test names its page); the numbers checked are the documents' own.

mod common;

use common::{assert_close, run};
use serde_json::json;

/// Deribit's documented `private/get_positions` answer
/// (docs.deribit.com/api-reference/account-management/private-get_positions): a 50 USD long
/// BTC-PERPETUAL with `index_price` 7466.79, `mark_price` 7476.65 and `size_currency`
/// 0.006687487. With no index typed, the index is the response's; the size in coin is the
/// documented `size_currency`.
#[test]
fn deribit_documented_positions_seed_the_index() {
    let response = r#"{"jsonrpc":"2.0","id":2236,"result":[{"average_price":7440.18,"delta":0.006687487,"direction":"buy","estimated_liquidation_price":1.74,"floating_profit_loss":0,"index_price":7466.79,"initial_margin":0.000197283,"instrument_name":"BTC-PERPETUAL","interest_value":1.7362511643080387,"kind":"future","leverage":34,"maintenance_margin":0.000143783,"mark_price":7476.65,"open_orders_margin":0.000197288,"realized_funding":-1e-8,"realized_profit_loss":-9e-9,"settlement_price":7476.65,"size":50,"size_currency":0.006687487,"total_profit_loss":0.000032781}]}"#;
    let r = run(json!({
        "positions": response,
        "market": {"valuationTime": "2019-12-01T00:00:00Z"},
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions[0].index, 7466.79);
    assert_close(r.positions[0].quantity, 0.006687487, 1e-7, "size_currency");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("BTC index 7466.79 USD from the index price of line 1")),
        "{:?}",
        r.warnings
    );
    // Passed as an object (a front end's parsed response), it reads the same, line = item.
    let parsed: serde_json::Value = serde_json::from_str(response).unwrap();
    let r2 = run(json!({
        "positions": parsed,
        "market": {"valuationTime": "2019-12-01T00:00:00Z"},
        "stress": {"library": false},
    }));
    assert_eq!(r2.positions.len(), 1);
    assert_eq!(r2.positions[0].line, 1);
    assert_eq!(r2.positions[0].quantity, r.positions[0].quantity);
}

/// A typed index always wins; a perpetual's mark stands in only where no index is quoted, and
/// is said to be an approximation; quoted indexes far apart are warned about.
#[test]
fn typed_index_wins_and_a_perpetual_mark_is_an_approximation() {
    let okx = r#"{"code":"0","data":[
      {"instId":"BTC-USDT-SWAP","posSide":"net","pos":"10","avgPx":"90000","markPx":"91000","idxPx":"90950"},
      {"instId":"ETH-USDT-SWAP","posSide":"net","pos":"10","avgPx":"3000","markPx":"3010"}
    ]}"#;
    let typed = run(json!({
        "positions": okx,
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 91250}}},
        "stress": {"library": false},
    }));
    assert_eq!(typed.positions[0].index, 91250.0);
    assert!(!typed.warnings.iter().any(|w| w.starts_with("BTC index")));
    assert_eq!(typed.positions[1].index, 3010.0);
    assert!(
        typed.warnings.iter().any(|w| w
            .contains("ETH index 3010.00 USD approximated by the mark of ETH-USDT-SWAP on line 3")),
        "{:?}",
        typed.warnings
    );
    let apart = run(json!({
        "positions": "instrument,size,indexPrice\nBTC-PERPETUAL,1000,90000\nBTC-25DEC26,1000,93000",
        "market": {"valuationTime": "2026-11-23T12:00:00Z"},
        "stress": {"library": false},
    }));
    assert_eq!(apart.positions[1].index, 90000.0);
    assert!(
        apart
            .warnings
            .iter()
            .any(|w| w.contains("range from 90000.00 to 93000.00 USD (3.3 % apart)")),
        "{:?}",
        apart.warnings
    );
}

/// Binance's documented `GET /eapi/v1/mark` answer
/// (developers.binance.com/docs/derivatives/option/market-data/Option-Mark-Price): BTC-200730-
/// 9000-C with `markIV` "1.45000000", a fraction (145 %). (The page's example carries comments
/// and two missing commas; here it is valid JSON with the same values.) A position on that
/// option with neither an IV nor a mark is valued at 145 %, from the snapshot's smile.
#[test]
fn binance_documented_mark_snapshot_gives_the_iv_as_a_fraction() {
    let snapshot = r#"[{"symbol":"BTC-200730-9000-C","markPrice":"1343.2883","bidIV":"1.40000077","askIV":"1.50000153","markIV":"1.45000000","delta":"0.55937056","theta":"3739.82509871","gamma":"0.00010969","vega":"978.58874732","highPriceLimit":"1618.241","lowPriceLimit":"1068.3356","riskFreeInterest":"0.1"}]"#;
    let r = run(json!({
        "positions": "instrument,size\nBTC-200730-9000-C,-1\nBTC-200730-9500-C,1",
        "market": {"valuationTime": "2020-07-20T08:00:00Z",
                   "underlyings": {"BTC": {"index": 9200}}, "snapshot": snapshot},
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    for p in &r.positions {
        assert_eq!(p.iv, Some(1.45), "{}", p.instrument);
        assert_eq!(p.iv_source, Some("smile"));
    }
    assert!(
        r.warnings.iter().any(|w| w
            .contains("BTC 30JUL20 smile from the mark IVs in the Binance snapshot: 1 strikes")),
        "{:?}",
        r.warnings
    );
}

/// Deribit's documented `markprice.options` notification
/// (docs.deribit.com/subscriptions/market-data/markpriceoptionsindex_name): five options with
/// `iv` 0.9, a fraction there (Deribit's `mark_iv` elsewhere is percent). Each expiry's smile is
/// built from its strikes; an option between them is valued at 90 %.
#[test]
fn deribit_documented_markprice_channel_as_snapshot() {
    let snapshot = r#"{"data":[
      {"timestamp":1622470378005,"mark_price":0.0333,"iv":0.9,"instrument_name":"BTC-2JUN21-37000-P"},
      {"timestamp":1622470378005,"mark_price":0.117,"iv":0.9,"instrument_name":"BTC-4JUN21-40500-P"},
      {"timestamp":1622470378005,"mark_price":0.0177,"iv":0.9,"instrument_name":"BTC-4JUN21-38250-C"},
      {"timestamp":1622470378005,"mark_price":0.0098,"iv":0.9,"instrument_name":"BTC-1JUN21-37000-C"},
      {"timestamp":1622470378005,"mark_price":0.0371,"iv":0.9,"instrument_name":"BTC-4JUN21-36500-P"}
    ]}"#;
    let r = run(json!({
        "positions": "instrument,size\nBTC-4JUN21-39000-C,1\nBTC-2JUN21-37000-P,-1",
        "market": {"valuationTime": "2021-05-31T14:12:58Z",
                   "underlyings": {"BTC": {"index": 37200}}, "snapshot": snapshot},
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    for p in &r.positions {
        assert_close(p.iv.unwrap(), 0.9, 1e-12, &p.instrument);
    }
    assert!(
        r.warnings
            .iter()
            .any(|w| w
                .contains("BTC 4JUN21 smile from the mark IVs in the Deribit snapshot: 3 strikes")),
        "{:?}",
        r.warnings
    );
}

/// Deribit's documented `public/get_book_summary_by_instrument` answer
/// (docs.deribit.com/api-reference/market-data/public-get_book_summary_by_instrument):
/// ETH-22FEB19-140-P priced on `underlying_price` 121.38. That is the expiry's forward where the
/// user typed none, reported as quoted. (Its `mark_price` of 80 ETH implies no volatility, so it
/// adds no smile point.)
#[test]
fn deribit_documented_book_summary_gives_the_forward() {
    let snapshot = r#"{"jsonrpc":"2.0","id":3659,"result":[{"volume":0.55,"underlying_price":121.38,"underlying_index":"index_price","quote_currency":"USD","price_change":-26.7793594,"open_interest":0.55,"mid_price":0.2444,"mark_price":80,"low":0.34,"last":0.34,"interest_rate":0.207,"instrument_name":"ETH-22FEB19-140-P","high":0.34,"creation_timestamp":1550227952163,"bid_price":0.1488,"base_currency":"ETH","ask_price":0.34}]}"#;
    let r = run(json!({
        "positions": "instrument,size,iv\nETH-22FEB19-140-P,1,80",
        "market": {"valuationTime": "2019-02-15T10:52:32Z",
                   "underlyings": {"ETH": {"index": 121}}, "snapshot": snapshot},
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let expiry = &r.underlyings["ETH"].expiries[0];
    assert_eq!(expiry.forward, Some(121.38));
    assert_eq!(expiry.forward_source, Some("quoted"));
    assert_eq!(r.positions[0].forward_source, Some("quoted"));
}

/// Bybit's documented `GET /v5/market/tickers?category=inverse&symbol=BTCUSD` answer
/// (bybit-exchange.github.io/docs/v5/market/tickers): `indexPrice` 16598.54 beside `markPrice`
/// 16596.00. The index is the quoted one, not the perpetual's mark.
#[test]
fn bybit_documented_tickers_give_the_index() {
    let snapshot = r#"{"retCode":0,"retMsg":"OK","result":{"category":"inverse","list":[{"symbol":"BTCUSD","lastPrice":"16597.00","indexPrice":"16598.54","markPrice":"16596.00","prevPrice24h":"16464.50","price24hPcnt":"0.008047","openInterest":"373504107","fundingRate":"-0.000212","nextFundingTime":"1672387200000"}]}}"#;
    let r = run(json!({
        "positions": "instrument,size,venue\nBTCUSD,1000,bybit",
        "market": {"valuationTime": "2022-12-30T08:00:00Z", "snapshot": snapshot},
        "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.positions[0].index, 16598.54);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("BTC index 16598.54 USD from the index price in the snapshot")),
        "{:?}",
        r.warnings
    );
}

/// A mark and an IV on one row: the mark (the venue's number) values the option; an IV more than
/// 2 vol points away is named beside it, and a mark outside the no-arbitrage bounds leaves the IV
/// in use, also said.
#[test]
fn mark_outranks_a_typed_iv_and_a_disagreement_is_said() {
    let market = json!({"valuationTime": "2026-11-23T12:00:00Z",
                        "underlyings": {"BTC": {"index": 91250.5, "forwards": {"25DEC26": 91250.5}}}});
    let r = run(json!({
        "positions": "instrument,size,mark,iv\nBTC-25DEC26-100000-C,1,0.0198,60\nBTC-25DEC26-100000-P,1,0.0001,55",
        "market": market, "stress": {"library": false},
    }));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let call = &r.positions[0];
    assert_eq!(call.iv_source, Some("mark"));
    // The mark is the value: 0.0198 BTC × index.
    assert_close(
        call.value_usd,
        0.0198 * 91250.5,
        1e-9,
        "call valued at its mark",
    );
    assert!(
        call.notes
            .iter()
            .any(|n| n.contains("the mark 0.0198 BTC implies IV")
                && n.contains("the row's IV is 60.00 %")),
        "{:?}",
        call.notes
    );
    // The put's mark is below its intrinsic value (100,000 − 91,250.5 USD ≈ 0.0959 BTC).
    let put = &r.positions[1];
    assert_eq!((put.iv_source, put.iv), (Some("row"), Some(0.55)));
    assert!(
        put.notes
            .iter()
            .any(|n| n.contains("implies no volatility")),
        "{:?}",
        put.notes
    );
}
