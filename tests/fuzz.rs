//! Fuzzing the reader and `analyze` with proptest-driven generators: arbitrary text, tables built
//! from real header aliases and hostile cells, JSON-shaped text, API objects, and extreme market
//! data. Whatever comes in: no panic, no hang (every search is bounded), and every number in the
//! report that is not documented as nullable is finite. The corpus in tests/fuzz_corpus/ always
//! runs; a failure proptest finds gets its input added there.
#![cfg(not(target_arch = "wasm32"))]

use headroom::report::Report;
mod common;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Report fields documented as possibly `null`.
const NULLABLE: &[&str] = &[
    "expiry",
    "rebalance",
    "low",
    "high",
    "before",
    "after",
    "minVarianceDelta",
    "band",
    "strike",
    "optionType",
    "years",
    "forward",
    "forwardSource",
    "iv",
    "ivSource",
    "entryPrice",
    "valueCoin",
    "pnlUsd",
    "coinDelta",
    "index",
    "imUsage",
    "mmUsage",
    "down",
    "up",
    "downPrice",
    "upPrice",
    "field",
    "settlement",
    "basis",
    "basisAnnualized",
    "downVolUp",
    "upVolUp",
    "worstScenario",
    "rollShock",
    "deltaShock",
    "spreadCharge",
    "shortOptionMinimum",
    "initialMarginUsd",
    "maintenanceMarginUsd",
    "whatIf",
    "risk",
    "varStandardErrorUsd",
    "esStandardErrorUsd",
    "liquidationProbability",
    "liquidationStandardError",
    "cornishFisherVarUsd",
    "tableErrorUsd",
    "backtest",
    "garch",
    "har",
    "impliedVol",
    "plusFactor",
    "attribution",
    "longOptionsRule",
    "sizing",
    "maxSize",
    "firstToLiquidate",
    "account",
    "marginPool",
    "liquidationPrice",
    "collateralTransfer",
    "poolEquityUsd",
    "poolMaintenanceMarginUsd",
    "poolMmUsage",
    "venueReported",
    "maintenanceMargin",
    "initialMargin",
    "liquidationPriceDifference",
    "smallestDistanceBefore",
    "accountBefore",
    "smallestDistanceAfter",
    "accountAfter",
    "method",
];

/// serde_json writes NaN and infinity as null, so a null anywhere else is a non-finite number.
fn assert_finite(value: &Value, path: &str) {
    match value {
        Value::Null => {
            let key = path
                .rsplit('.')
                .next()
                .unwrap_or("")
                .split('[')
                .next()
                .unwrap_or("");
            assert!(
                NULLABLE.contains(&key),
                "{path} is null (a NaN or infinity)"
            );
        }
        Value::Number(n) => assert!(n.as_f64().is_some_and(f64::is_finite), "{path}"),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| assert_finite(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| assert_finite(v, &format!("{path}.{k}"))),
        _ => {}
    }
}

fn market(index: f64, vol: f64, valuation: &str) -> Value {
    json!({
        "valuationTime": valuation,
        "underlyings": {
            "BTC": {"index": index, "vol": vol, "forwards": {"25DEC26": index * 1.01}},
            "ETH": {"index": index / 30.0, "vol": vol},
            "SOL": {"index": 142.3},
            "XRP": {"index": 0.5, "vol": 0.9}
        }
    })
}

fn analyze(request: Value) -> Option<Report> {
    let request = headroom::request::from_deserializer(request).ok()?;
    let report = headroom::analyze(&request).ok()?;
    assert_finite(&serde_json::to_value(&report).unwrap(), "report");
    // Every row is either a position or an error, never both, never twice.
    let mut lines: Vec<(Option<String>, usize, usize)> = report
        .positions
        .iter()
        .map(|p| (p.account.as_deref().map(String::from), p.line, p.item))
        .chain(
            report
                .errors
                .iter()
                .map(|e| (e.account.clone(), e.line, e.item)),
        )
        .collect();
    let count = lines.len();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), count, "a row reported twice");
    Some(report)
}

fn sample_run(positions: Value) -> Option<Report> {
    analyze(
        json!({"positions": positions, "market": market(91250.5, 0.55, "2026-11-23T12:00:00Z"),
        "account": {"collateral": {"BTC": 1.5, "USDC": 10000}}}),
    )
}

const HEADERS: &[&str] = &[
    "instrument",
    "Symbol",
    "instId",
    "Contracts",
    "size",
    "Qty",
    "Pos",
    "Position",
    "amount",
    "side",
    "Avg. px",
    "Entry Price",
    "average price",
    "mark",
    "Mark px",
    "IV",
    "markIv",
    "mark_iv",
    "markIV",
    "markVol",
    "index_price",
    "idxPx",
    "indexPrice",
    "underlying_price",
    "fwdPx",
    "instrument_name",
    "venue",
    "multiplier",
    "Delta",
    "",
    "\"quoted, header\"",
];

const CELLS: &[&str] = &[
    "BTC-27NOV26-90000-C",
    "BTC-25DEC26-100000-P",
    "BTC-23NOV26-90000-C",
    "ETH-25DEC26",
    "BTC-PERPETUAL",
    "BTC_USDC-PERPETUAL",
    "SOL_USDC-25DEC26-150-C",
    "XRP_USDC-25DEC26-0d5-P",
    "BTC-USD-261225-100000-C",
    "BTC-USD-SWAP",
    "BTC-USDT-SWAP",
    "BTCUSDT",
    "BTCUSD",
    "BTCUSDZ26",
    "BTC-261225-100000-C",
    "BTCUSD_PERP",
    "DOGE-261225-0.2-C",
    "BTC",
    "ETH",
    "PEPE",
    "BTC-FS-19MAY26_PERP",
    "<script>x</script>",
    "okx",
    "bybit",
    "binance",
    "deribit",
    "ftx",
    "buy",
    "sell",
    "1",
    "-1",
    "0",
    "2.5",
    "-25000",
    "1e15",
    "1e16",
    "1e-9",
    "1e400",
    "NaN",
    "inf",
    "-0",
    "0.0001",
    "0.99",
    "1.5",
    "2350",
    "91250.5",
    "1,000",
    "\"1,000.5\"",
    "48.2%",
    "−3",
    "$90,000",
    "",
    " ",
    "\"",
    "\"\"",
    "é",
    "日本",
    "\u{0}",
    "9999999999999999999999",
    "0x10",
    "1e-320",
];

fn table() -> impl Strategy<Value = String> {
    let header = prop::collection::vec(prop::sample::select(HEADERS), 1..7);
    let delimiter = prop::sample::select(vec![",", "\t", ";"]);
    (
        header,
        delimiter,
        prop::collection::vec(
            prop::collection::vec(prop::sample::select(CELLS), 0..8),
            0..12,
        ),
    )
        .prop_map(|(header, delimiter, rows)| {
            let mut text = header.join(delimiter);
            for row in rows {
                text.push('\n');
                text.push_str(&row.join(delimiter));
            }
            text
        })
}

fn loose_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::num::f64::ANY.prop_map(|x| json!(x)),
        prop::sample::select(CELLS).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(HEADERS), inner), 0..6).prop_map(
                |fields| Value::Object(
                    fields
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect()
                )
            ),
        ]
    })
}

proptest! {
    #![proptest_config(common::proptest_config(300))]

    #[test]
    fn arbitrary_text(text in "(?s).{0,400}") {
        prop_assert!(sample_run(json!(text)).is_some());
    }

    #[test]
    fn tables_of_hostile_cells(text in table(), trade in table()) {
        prop_assert!(sample_run(json!(text)).is_some());
        let with_trade = analyze(json!({"positions": text, "whatIf": trade,
            "market": market(91250.5, 0.55, "2026-11-23T12:00:00Z"), "margin": {"model": "deribit-pm"}}));
        prop_assert!(with_trade.is_some());
    }

    #[test]
    fn json_shaped_text_and_api_objects(items in prop::collection::vec(loose_json(), 0..8)) {
        prop_assert!(sample_run(json!(serde_json::to_string(&items).unwrap())).is_some());
        prop_assert!(sample_run(Value::Array(items)).is_some());
    }

    /// Market snapshots of any shape, pasted (bare, in each venue's envelope) or passed as
    /// objects: never a panic, and a snapshot never turns a row into an error it was not.
    #[test]
    fn snapshots_of_hostile_quotes(items in prop::collection::vec(loose_json(), 0..8), text in table()) {
        let array = Value::Array(items);
        let plain = sample_run(json!(text.clone()));
        prop_assert!(plain.is_some());
        for snapshot in [
            json!(serde_json::to_string(&array).unwrap()),
            array.clone(),
            json!({"jsonrpc": "2.0", "result": array.clone()}),
            json!({"retCode": 0, "result": {"list": array.clone()}}),
            json!(serde_json::to_string(&json!({"code": "0", "data": array.clone()})).unwrap()),
        ] {
            let mut market = market(91250.5, 0.55, "2026-11-23T12:00:00Z");
            market["snapshot"] = snapshot.clone();
            let seeded = analyze(json!({"positions": text.clone(), "market": market.clone()}));
            prop_assert!(seeded.is_some());
            // The same documents as a balance: a request error for a shape not known, never a panic.
            let _ = analyze(json!({"positions": text.clone(), "market": market, "account": {"balance": snapshot}}));
        }
    }

    /// Risk on hostile books: any horizon, method, vol of vol and correlation accepted gives
    /// finite figures (or a request error for an input out of range), never a panic.
    #[test]
    fn risk_on_hostile_books(
        text in table(),
        days in 0.01f64..400.0,
        vol_of_vol in 0.0f64..3.0,
        rho in -0.99f64..0.99,
        delta_gamma in any::<bool>(),
        seed in any::<u32>(),
    ) {
        let request = json!({"positions": text, "market": market(91250.5, 0.55, "2026-11-23T12:00:00Z"),
            "account": {"collateral": {"BTC": 1.5, "USDC": 10000}}, "stress": {"library": false},
            "risk": {"paths": 200, "horizonDays": days, "volOfVol": vol_of_vol, "seed": seed,
                     "correlation": {"underlyings": rho}, "method": if delta_gamma { "delta-gamma" } else { "full" }}});
        if let Some(risk) = analyze(request).and_then(|r| r.risk) {
            prop_assert!(risk.var_usd.is_finite() && risk.es_usd.is_finite());
            prop_assert!(risk.es_usd >= risk.var_usd - 1e-9 * risk.var_usd.abs().max(1.0));
        }
    }

    /// Attribution of hostile books from any earlier index and vol, by every method: finite terms
    /// (or a request error), never a panic.
    #[test]
    fn attribution_of_hostile_books(
        text in table(),
        earlier in prop::option::of(table()),
        log_move in -3.0f64..3.0,
        vol in 0.01f64..5.0,
        method in prop::sample::select(vec!["taylor", "average-greeks", "waterfall"]),
    ) {
        let mut from = json!({"market": {"valuationTime": "2026-11-20T12:00:00Z",
            "underlyings": {"BTC": {"index": 91250.5 * log_move.exp(), "vol": vol}}}});
        if let Some(e) = earlier {
            from["positions"] = json!(e);
        }
        let request = json!({"positions": text, "market": market(91250.5, 0.55, "2026-11-23T12:00:00Z"),
            "account": {"collateral": {"BTC": 1.5}}, "stress": {"library": false},
            "attribution": {"method": method, "from": from}});
        if let Some(a) = analyze(request).and_then(|r| r.attribution) {
            prop_assert!(a.total.pnl_usd.is_finite());
        }
    }

    /// Rebalancing hostile books under every margin model: a report or a warning, never a
    /// panic; a list of trades shown is one whose re-valuation met every target, and the what-if
    /// of its lines (fees aside, which only lower it) gives the same account.
    #[test]
    fn rebalance_of_hostile_books(
        text in table(),
        model in prop::sample::select(vec!["standard", "deribit-pm", "span"]),
        headroom in -1e5f64..2e5,
        distance in prop::option::of(0.01f64..0.5),
        collateral in 0.0f64..5.0,
    ) {
        let mut targets = json!({"headroomUsd": headroom});
        if let Some(d) = distance {
            targets["liquidationDistance"] = json!(d);
        }
        let base = json!({"positions": text, "market": market(91250.5, 0.55, "2026-11-23T12:00:00Z"),
            "account": {"collateral": {"BTC": collateral}}, "stress": {"library": false},
            "margin": {"model": model}});
        let mut request = base.clone();
        request["rebalance"] = json!({"targets": targets, "hedge": {}});
        if let Some(rb) = analyze(request).and_then(|r| r.rebalance) {
            // How the trades were found is said exactly when some were.
            prop_assert_eq!(rb.method.is_some(), rb.status == "solved" && !rb.trades.is_empty());
            if rb.status == "solved" {
                prop_assert!(rb.verified);
                prop_assert!(rb.targets.iter().all(|t| t.met));
                let mut again = base;
                again["whatIf"] = json!(rb.what_if);
                let w = analyze(again).and_then(|r| r.what_if).unwrap();
                prop_assert!(w.after.headroom_usd >= rb.after.headroom_usd - 1e-6 * rb.after.headroom_usd.abs().max(1.0));
            } else {
                prop_assert!(rb.trades.is_empty());
            }
        }
    }

    /// Rebalancing hostile books held in venue accounts (every engine), with a second account to
    /// move collateral from: a report or a warning, never a panic; a list shown met every target
    /// when re-valued, and the venue what-if of its lines gives the same account.
    #[test]
    fn venue_rebalance_of_hostile_books(
        text in table(),
        venue in prop::sample::select(vec!["deribit", "binance", "okx", "bybit", "hyperliquid", "dydx"]),
        mode in 0usize..3,
        headroom in -1e5f64..2e5,
        distance in prop::option::of(0.01f64..0.5),
        usdc in -1e4f64..1e5,
    ) {
        let mut targets = json!({"headroomUsd": headroom});
        if let Some(d) = distance {
            targets["liquidationDistance"] = json!(d);
        }
        // The modes each venue's engine models.
        let mode = match venue {
            "deribit" => ["cross", "portfolio", "segregated"][mode],
            _ => ["cross", "isolated", "cross"][mode],
        };
        let base = json!({"market": market(91250.5, 0.55, "2026-11-23T12:00:00Z"), "stress": {"library": false},
            "accounts": [
                {"id": "a", "venue": venue, "marginMode": mode, "positions": text, "collateral": {"USDC": usdc, "BTC": 0.5}},
                {"id": "b", "venue": "bybit", "positions": "instrument,size\nBTCUSDT,0.1", "collateral": {"USDC": 20000}},
            ]});
        let mut request = base.clone();
        request["rebalance"] = json!({"account": "a", "targets": targets});
        if let Some(rb) = analyze(request).and_then(|r| r.rebalance) {
            if rb.status == "solved" {
                prop_assert!(rb.verified);
                prop_assert!(rb.targets.iter().all(|t| t.met));
                if rb.transfers.is_empty() {
                    let mut again = base;
                    again["whatIf"] = json!(rb.what_if);
                    again["whatIfAccount"] = json!("a");
                    let w = analyze(again).and_then(|r| r.what_if).unwrap();
                    prop_assert!(w.after.headroom_usd >= rb.after.headroom_usd - 1e-6 * rb.after.headroom_usd.abs().max(1.0));
                }
            } else {
                prop_assert!(rb.trades.is_empty() && rb.transfers.is_empty());
            }
        }
    }

    /// Extreme but accepted market data: the whole price range, vols to 2000 %, any valuation
    /// time around the expiries. Requests outside the accepted ranges must be refused, not computed.
    #[test]
    fn extreme_markets(
        log_index in -8.0f64..12.0,
        vol in 1e-4f64..20.0,
        day in 0u32..60,
        text in table(),
        model in prop::sample::select(vec!["standard", "deribit-pm", "span"]),
    ) {
        let valuation = format!("2026-{:02}-{:02}T07:59:59Z", 11 + day / 30, 1 + day % 28);
        let report = analyze(json!({
            "positions": text,
            "market": market(10f64.powf(log_index) * 0.99, vol, &valuation),
            "account": {"collateral": {"BTC": 1e15, "ETH": -3}},
            "margin": {"model": model},
            "scenarios": {"matrix": {"moves": [-0.5, 0.0, 2.0], "volShifts": [-0.5, 0.5]}, "curves": {"points": 5, "horizonDays": [1, 400]}},
        }));
        // Refused only when a derived price leaves the accepted range (ETH's index is BTC's / 30).
        let index = 10f64.powf(log_index) * 0.99;
        let accepted = headroom::market::is_price(index / 30.0) && headroom::market::is_price(index * 1.01);
        prop_assert_eq!(report.is_some(), accepted);
    }
}

proptest! {
    #![proptest_config(common::proptest_config(150))]

    /// Venue accounts of every venue and mode with hostile rows (margin modes, isolated margins,
    /// leverages of every kind among them), in extreme markets: computed or refused, never a
    /// panic, every number finite.
    #[test]
    fn venue_accounts_of_hostile_rows(
        venues in prop::collection::vec((
            prop::sample::select(vec!["deribit", "binance", "okx", "bybit", "hyperliquid", "dydx", "derive"]),
            prop::sample::select(vec!["cross", "isolated", "segregated", "portfolio", ""]),
            table(),
            -1e6f64..1e7,
        ), 1..4),
        log_index in -6.0f64..10.0,
        leverage in prop::sample::select(vec![-1.0, 0.0, 1.0, 20.0, 1e9, f64::MIN_POSITIVE]),
    ) {
        let accounts: Vec<Value> = venues.iter().enumerate().map(|(i, (venue, mode, text, usdc))| {
            let text = format!("{text}\nBTC,1,,,,,isolated,{leverage},5\nETH-USD,-2\nBTCUSDT,3,,,,,cross,100,1e20");
            json!({"id": format!("a{i}"), "venue": venue, "marginMode": mode, "collateral": {"USDC": usdc, "BTC": 0.5},
                   "positions": text, "params": {"leverage": 10}})
        }).collect();
        let _ = analyze(json!({
            "accounts": accounts,
            "market": market(10f64.powf(log_index), 0.6, "2026-11-23T12:00:00Z"),
            "scenarios": {"curves": {"points": 5}},
        }));
    }

    /// Any smile the request accepts prices every option to a finite number.
    #[test]
    fn random_smiles(points in prop::collection::vec((1.0f64..300000.0, 0.001f64..20.0), 1..8), text in table()) {
        let smile: Vec<[f64; 2]> = points.iter().map(|(k, v)| [*k, *v]).collect();
        let mut m = market(91250.5, 0.55, "2026-11-23T12:00:00Z");
        m["underlyings"]["BTC"]["smiles"] = json!({"25DEC26": {"points": smile}, "27NOV26": {"points": smile}});
        let request = json!({"positions": text, "market": m});
        let distinct = { let mut k: Vec<u64> = points.iter().map(|p| p.0.to_bits()).collect(); k.sort_unstable(); k.dedup(); k.len() == points.len() };
        prop_assert_eq!(analyze(request).is_some(), distinct, "refused only for a repeated strike");
    }
}

/// Any f64 the typed arrays can hold: bit patterns of every class (NaN, infinities,
/// subnormals, negative zero) and ordinary magnitudes.
fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::ANY,
        -1e6f64..1e6,
        1e-320f64..1e-300,
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE)
    ]
}

proptest! {
    #![proptest_config(common::proptest_config(300))]

    /// The chain functions take whatever columns arrive: no panic, every implied vol NaN or a
    /// positive finite number, and every priced option either listed as invalid or finite;
    /// `quote` (priceOption) on each row either refuses it or gives finite figures; an option
    /// with an input outside the domain is listed invalid.
    #[test]
    fn chains_of_any_numbers(
        rows in prop::collection::vec((any_number(), any_number(), any_number(), any_number(), any_number(), any::<u8>()), 1..14),
        rate in any_number(),
    ) {
        let column = |i: usize| rows.iter().map(|r| [r.0, r.1, r.2, r.3, r.4][i]).collect::<Vec<f64>>();
        let is_call: Vec<u8> = rows.iter().map(|r| r.5).collect();
        let (price, forward, strike, years, vol) = (column(0), column(1), column(2), column(3), column(4));
        let vols = headroom::pricing::implied::implied_vols(&price, &forward, &strike, &years, &is_call).unwrap();
        prop_assert!(vols.iter().all(|v| v.is_nan() || (v.is_finite() && *v > 0.0)), "{vols:?}");
        for (r, call) in rows.iter().zip(&is_call) {
            let q = headroom::pricing::quote::QuoteRequest { forward: r.1, strike: r.2, years: r.3, vol: r.4, is_call: *call != 0, rate };
            if let Ok(q) = headroom::pricing::quote::quote(&q) {
                let figures = [q.price, q.delta, q.gamma, q.vega, q.theta, q.rho, q.vanna, q.volga, q.charm];
                prop_assert!(figures.iter().all(|x| x.is_finite()), "{figures:?}");
            }
        }
        let inputs = headroom::pricing::chain::ChainInputs { forward: &forward, strike: &strike, years: &years, vol: &vol, is_call: &is_call, rate };
        if let Ok(g) = headroom::pricing::chain::price_chain(&inputs) {
            for (name, column) in [("price", &g.price), ("delta", &g.delta), ("gamma", &g.gamma), ("vega", &g.vega), ("theta", &g.theta), ("rho", &g.rho)] {
                for (i, v) in column.iter().enumerate() {
                    prop_assert!(g.invalid.contains(&i) || v.is_finite(), "option {i}: {name} {v}");
                }
            }
            // An option with an input that is not finite and positive is always listed invalid,
            // whichever path (four lanes or one option) met it.
            for (i, r) in rows.iter().enumerate() {
                let in_domain = [r.1, r.2, r.3, r.4].iter().all(|x| x.is_finite() && *x > 0.0);
                prop_assert!(in_domain || g.invalid.contains(&i), "option {i}: {r:?} not listed invalid");
            }
        }
    }
}

#[test]
fn the_corpus_computes() {
    let dir = format!("{}/tests/fuzz_corpus", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let report = sample_run(json!(text)).unwrap_or_else(|| panic!("{}", path.display()));
        assert!(
            !report.errors.is_empty() || !report.positions.is_empty() || text.trim().is_empty(),
            "{}",
            path.display()
        );
    }
}

/// The market snapshots in `tests/fuzz_corpus/snapshots/` (the venues' documented examples)
/// each seed the market of a book on their own instruments without a panic or a request error.
#[test]
fn the_snapshot_corpus_computes() {
    let dir = format!("{}/tests/fuzz_corpus/snapshots", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut market = market(91250.5, 0.55, "2026-11-23T12:00:00Z");
        market["snapshot"] = json!(text);
        let report =
            analyze(json!({"positions": "instrument,size\nBTC-PERPETUAL,100", "market": market}))
                .unwrap_or_else(|| panic!("{}", path.display()));
        assert_eq!(report.positions.len(), 1, "{}", path.display());
    }
}
