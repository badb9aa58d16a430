//! The shipped sample books compute; every bad row is reported with its line and reason while the
//! good rows still compute; a malformed request names its field.

mod common;
use common::*;
use serde_json::json;

#[test]
fn every_bad_row_is_reported_on_its_own_line() {
    let report = run(json!({"positions": sample("bad-rows.csv"), "market": sample_market()}));
    assert_eq!(
        report.positions.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![2],
        "line 2 is the one good row"
    );
    let expected = [
        (3, "not a calendar date"),
        (4, "must be C or P"),
        (5, "size 'one' is not a number"),
        (6, "strike is missing"),
        (7, "too large"),
        (8, "IV -5 %"),
        (9, "not a number"),
        (10, "not an instrument name"),
        (11, "3 values but the header has 4"),
        (12, "unbalanced quote"),
        (13, "no values"),
        (14, "must be positive"),
    ];
    let got: Vec<(usize, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for ((line, message), (want_line, want)) in got.iter().zip(expected) {
        assert_eq!(*line, want_line, "{message}");
        assert!(
            message.contains(want),
            "line {line}: '{message}' should say '{want}'"
        );
    }
    let markup = report.errors.iter().find(|e| e.line == 10).unwrap();
    assert_eq!(
        markup.text, "<img src=x onerror=alert(1)>,1,1,1",
        "the raw row is kept as text"
    );
}

#[test]
fn deribit_desk_book_computes_every_row() {
    let report = run(
        json!({"positions": sample("deribit-desk.csv"), "market": sample_market(),
        "account": {"collateral": {"BTC": 1.2, "ETH": 12}}}),
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.positions.len(), 13);
    assert_eq!(report.input.format, "csv");
    let btc = &report.underlyings["BTC"];
    let sum: f64 = report
        .positions
        .iter()
        .filter(|p| p.underlying == "BTC")
        .map(|p| p.delta)
        .sum();
    assert_close(btc.delta, sum, 1e-12, "underlying delta is the sum");
    assert_close(
        btc.delta_with_collateral,
        sum + 1.2,
        1e-12,
        "plus coin collateral",
    );
    let account = &report.account;
    assert_close(
        account.headroom_usd,
        account.margin_balance_usd - account.maintenance_margin_usd,
        1e-12,
        "headroom",
    );
    assert_close(
        account.available_usd,
        account.margin_balance_usd - account.initial_margin_usd,
        1e-12,
        "available",
    );
    // Every number in the report is finite.
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
}

#[test]
fn tsv_and_json_samples_compute() {
    let tsv = run(json!({"positions": sample("eth-covered-calls.tsv"), "market": sample_market()}));
    assert_eq!(tsv.input.format, "tsv");
    assert!(tsv.errors.is_empty(), "{:?}", tsv.errors);
    assert_eq!(tsv.positions[0].kind, "spot");
    assert_close(
        tsv.positions[0].pnl_usd.unwrap(),
        50.0 * (3120.75 - 2450.0),
        1e-14,
        "spot P&L",
    );
    let json_book =
        run(json!({"positions": sample("btc-short-strangle.json"), "market": sample_market()}));
    assert_eq!(json_book.input.format, "json");
    assert!(json_book.errors.is_empty(), "{:?}", json_book.errors);
    assert_eq!(
        json_book
            .positions
            .iter()
            .map(|p| p.line)
            .collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    assert_eq!(
        json_book.positions[0].iv,
        Some(0.52),
        "pasted JSON IVs are percent"
    );
}

/// The trader samples: the market maker is delta-hedged (USD delta with its 25 BTC collateral
/// within 0.05 BTC of flat, by construction of its perpetual); the basis trade is short futures
/// against coins held, so a 10 % move of either index changes its value by little.
#[test]
fn market_maker_and_basis_samples_compute() {
    let maker = run(
        json!({"positions": sample("btc-market-maker.csv"), "market": sample_market(),
        "account": {"collateral": {"BTC": 25}}, "margin": {"model": "deribit-pm"}}),
    );
    assert!(maker.errors.is_empty(), "{:?}", maker.errors);
    assert_eq!(maker.positions.len(), 16);
    let btc = &maker.underlyings["BTC"];
    assert!(
        btc.delta_with_collateral.abs() < 0.05,
        "{}",
        btc.delta_with_collateral
    );
    assert!(btc.gamma != 0.0 && btc.vega != 0.0);
    let basis = run(
        json!({"positions": sample("basis-trade.csv"), "market": sample_market(),
        "account": {"collateral": {"BTC": 2.5, "USDC": 20000}}}),
    );
    assert!(basis.errors.is_empty(), "{:?}", basis.errors);
    for (symbol, held) in [("BTC", 5.0), ("ETH", 30.0)] {
        let u = &basis.underlyings[symbol];
        // Delta with collateral: coins held less the coins the futures are short.
        assert!(
            u.delta_with_collateral.abs() < 0.1 * held,
            "{symbol}: {}",
            u.delta_with_collateral
        );
    }
}

/// Each venue's sample book, read with that venue's contract terms (symbology.md): quantities in
/// coins worked by hand from the pasted contracts.
/// Instrument, venue and signed quantity in coins.
type Expected = (&'static str, &'static str, f64);

#[test]
fn okx_bybit_binance_books_are_read_with_their_contract_terms() {
    let cases: [(&str, &[Expected]); 3] = [
        (
            "okx-book.csv",
            &[
                ("BTC-USD-261225-100000-C", "okx", -120.0 * 0.01),
                ("BTC-USD-261225-80000-P", "okx", 200.0 * 0.01),
                ("BTC-USD-SWAP", "okx", -300.0 * 100.0 / 91250.5),
                ("BTC-USDT-SWAP", "okx", 50.0 * 0.01),
                ("ETH-USD-270326-3000-P", "okx", -80.0 * 0.1),
            ],
        ),
        (
            "bybit-book.csv",
            &[
                ("BTC-25DEC26-100000-C", "bybit", -1.5),
                ("BTC-25DEC26-85000-P-USDT", "bybit", 2.0),
                ("BTCUSDT", "bybit", 0.8),
                ("BTCUSD", "bybit", -20000.0 / 91250.5),
                ("ETHUSDT", "bybit", -12.0),
            ],
        ),
        (
            "binance-book.csv",
            &[
                ("BTC-261225-100000-C", "binance", -1.0),
                ("BTC-261225-80000-P", "binance", 1.0),
                ("BTCUSDT", "binance", 0.25),
                ("BTCUSD_PERP", "binance", -50.0 * 100.0 / 91250.5),
                ("SOL-261225-150-C", "binance", -100.0),
            ],
        ),
    ];
    for (file, expected) in cases {
        let report = run(json!({"positions": sample(file), "market": sample_market()}));
        assert!(report.errors.is_empty(), "{file}: {:?}", report.errors);
        let got: Vec<(&str, &str, f64)> = report
            .positions
            .iter()
            .map(|p| (&*p.instrument, p.venue, p.quantity))
            .collect();
        assert_eq!(got.len(), expected.len(), "{file}");
        for ((name, venue, quantity), (want_name, want_venue, want_quantity)) in
            got.iter().zip(expected)
        {
            assert_eq!((*name, *venue), (*want_name, *want_venue), "{file}");
            assert_close(*quantity, *want_quantity, 1e-14, name);
        }
    }
}

#[test]
fn the_bybit_table_headers_decide_a_shared_option_name() {
    let report = run(json!({"positions": sample("bybit-book.csv"), "market": sample_market()}));
    let first = &report.positions[0];
    assert_eq!(
        (first.venue, first.venue_source, first.settlement),
        ("bybit", "headers", "linear")
    );
    assert!(
        first.notes.iter().any(|n| n.contains("Deribit")),
        "{:?}",
        first.notes
    );
    // Told it is a Deribit book, the USD premium cannot be a coin-settled option's.
    let forced = run(
        json!({"positions": sample("bybit-book.csv"), "market": sample_market(), "venue": "deribit"}),
    );
    let error = forced.errors.iter().find(|e| e.line == 2).unwrap();
    assert!(error.message.contains("not USD"), "{}", error.message);
}

#[test]
fn missing_market_data_is_a_row_error_not_a_request_error() {
    let report = run(json!({
        "positions": "instrument,size\nBTC-PERPETUAL,1000\nDOGE,500\nETH-25DEC26-3000-C,1",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 90000}, "ETH": {"index": 3000}}}
    }));
    assert_eq!(report.positions.len(), 1);
    assert!(report.errors[0].message.contains("no index price for DOGE"));
    assert!(report.errors[1].message.contains("no volatility"));
    assert!(
        report.underlyings.contains_key("DOGE"),
        "the page still learns which underlyings need data"
    );
}

#[test]
fn malformed_requests_name_the_field() {
    let cases = [
        (
            json!({"positions": "", "market": {}}),
            "market",
            "valuationTime",
        ),
        (
            json!({"positions": "", "market": {"valuationTime": "soon"}}),
            "market.valuationTime",
            "ISO-8601",
        ),
        (
            json!({"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": -1}}}}),
            "market.underlyings.BTC.index",
            "positive",
        ),
        (
            json!({"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"vol": 65}}}}),
            "market.underlyings.BTC.vol",
            "fraction",
        ),
        (
            json!({"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z", "rate": "5%"}}),
            "market.rate",
            "invalid type",
        ),
        (
            json!({"positions": 5, "market": {"valuationTime": "2026-11-23T12:00:00Z"}}),
            "positions",
            "pasted text",
        ),
        (
            json!({"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z"}, "margin": {"model": "isolated"}}),
            "margin.model",
            "not one of",
        ),
        (
            json!({"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z"}, "account": {"collateral": {"ETH": 3}}}),
            "account.collateral.ETH",
            "index",
        ),
    ];
    for (request, field, words) in cases {
        let error = try_run(request.clone()).unwrap_err();
        assert_eq!(error.field, field, "{request}");
        assert!(error.to_string().contains(words), "{error}");
    }
}

#[test]
fn unknown_fields_are_ignored_with_a_warning() {
    let report = run(
        json!({"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z", "rates": 0.05,
        "underlyings": {"BTC": {"index": 1, "skew": []}}}, "scenario": {}}),
    );
    assert_eq!(
        report.warnings,
        vec![
            "market.rates: unknown field, ignored",
            "market.underlyings.BTC.skew: unknown field, ignored",
            "scenario: unknown field, ignored",
        ]
    );
    // An empty account is +0, not −0 (which a page would show as "−0.00").
    assert!(report.account.equity_usd == 0.0 && report.account.equity_usd.is_sign_positive());
}

#[test]
fn api_objects_number_lines_from_one_and_take_fractions() {
    let report = run(json!({
        "positions": [
            {"instrument": "BTC-25DEC26-100000-C", "size": -1, "iv": 0.5},
            "not an object",
            {"instrument": "BTC-PERPETUAL", "size": "lots"}
        ],
        "market": sample_market()
    }));
    assert_eq!(report.input.format, "objects");
    assert_eq!(report.positions[0].line, 1);
    assert_eq!(report.positions[0].iv, Some(0.5));
    assert_eq!(
        report.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![2, 3]
    );
}

/// `analyzeColumnar`'s columns hold every field of the reports `analyze` returns, under the
/// reports' own JSON names: numbers (NaN for null), text cells cut at their UTF-16 ends, notes by
/// count. Books with non-ASCII text (a Unicode minus, a note's dash) and bad rows included.
#[test]
fn columns_hold_every_field_of_the_positions() {
    use headroom::report::{TextColumn, POSITION_NUMBERS, POSITION_TEXTS};
    let cells = |column: &TextColumn| -> Vec<Option<String>> {
        let units: Vec<u16> = column.text.encode_utf16().collect();
        let mut start = 0;
        column
            .ends
            .iter()
            .map(|&end| {
                if end == TextColumn::NULL {
                    return None;
                }
                let cell = String::from_utf16(&units[start..end as usize]).unwrap();
                start = end as usize;
                Some(cell)
            })
            .collect()
    };
    for (book, model) in [
        (sample("deribit-desk.csv"), "standard"),
        (sample("okx-book.csv"), "deribit-pm"),
        (sample("bad-rows.csv"), "standard"),
        (
            "instrument,size,iv\nBTC-27NOV26-90000-C,−1,55\nBTCUSDT,0.5,\n".to_string(),
            "standard",
        ),
    ] {
        let request = json!({
            "positions": book,
            "market": sample_market(),
            "margin": {"model": model},
        });
        let objects = run(request.clone());
        let parsed = headroom::request::from_deserializer(request).unwrap();
        let (report, columns) = headroom::analyze::analyze_columns(&parsed).unwrap();
        assert!(report.positions.is_empty());
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::to_value(headroom::Report {
                positions: Vec::new(),
                ..objects.clone()
            })
            .unwrap(),
            "the rest of the report is analyze's"
        );
        let rows = serde_json::to_value(&objects.positions).unwrap();
        let rows = rows.as_array().unwrap();
        assert!(!rows.is_empty());
        assert_eq!(columns.count, rows.len());
        for (name, column) in POSITION_NUMBERS.iter().zip(&columns.numbers) {
            for (row, value) in rows.iter().zip(column) {
                match row[*name].as_f64() {
                    Some(expected) => assert_eq!(expected.to_bits(), value.to_bits(), "{name}"),
                    None => assert!(row[*name].is_null() && value.is_nan(), "{name}"),
                }
            }
        }
        for (name, column) in POSITION_TEXTS.iter().zip(&columns.texts) {
            for (row, cell) in rows.iter().zip(cells(column)) {
                assert_eq!(row[*name].as_str(), cell.as_deref(), "{name}");
            }
        }
        let notes = cells(&columns.notes);
        let mut next = 0;
        for (row, count) in rows.iter().zip(&columns.note_counts) {
            let expected: Vec<&str> = row["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect();
            let got: Vec<&str> = notes[next..next + *count as usize]
                .iter()
                .map(|n| n.as_deref().unwrap())
                .collect();
            assert_eq!(got, expected);
            next += *count as usize;
        }
        for (row, expired) in rows.iter().zip(&columns.expired) {
            assert_eq!(row["expired"].as_bool(), Some(*expired == 1));
        }
    }
}
