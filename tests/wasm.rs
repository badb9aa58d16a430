//! The WebAssembly build, called the way JavaScript calls it. Runs on Node by default and in
//! headless Chromium with WASM_BINDGEN_USE_BROWSER=1 (scripts/test runs both).
#![cfg(target_arch = "wasm32")]

use headroom::wasm::{
    analyze, analyze_columnar, analyze_scenarios, implied_vol, implied_vols, price_chain,
    price_option, ChainPricer,
};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

mod golden_cases;

const MARKET: &str = r#"{"valuationTime": "2026-11-23T12:00:00Z", "rate": 0, "underlyings": {
  "BTC": {"index": 91250.5, "vol": 0.55, "forwards": {"27NOV26": 91340, "25DEC26": 91880, "26MAR27": 93410.5, "25JUN27": 95120}},
  "ETH": {"index": 3120.75, "vol": 0.65, "forwards": {"27NOV26": 3122.1, "25DEC26": 3131.9, "26MAR27": 3170, "25JUN27": 3211.4}}}}"#;

/// Builds the request as a JavaScript object, as a page would.
fn request(positions: &str, collateral: &str) -> JsValue {
    let text = format!(
        r#"{{"positions": {}, "market": {MARKET}, "account": {{"collateral": {collateral}}}}}"#,
        serde_json::to_string(positions).unwrap()
    );
    js_sys::JSON::parse(&text).unwrap()
}

fn call(request: JsValue) -> Result<Value, String> {
    match analyze(request) {
        Ok(report) => {
            // Through JSON.stringify: what a front end would persist or send to a worker.
            let json: String = js_sys::JSON::stringify(&report).unwrap().into();
            Ok(serde_json::from_str(&json).unwrap())
        }
        Err(error) => {
            let value = JsValue::from(error);
            let error = value.dyn_into::<js_sys::Error>().expect("a JS Error");
            Err(String::from(error.message()))
        }
    }
}

#[wasm_bindgen_test]
fn sample_book_through_the_js_boundary() {
    let report = call(request(
        include_str!("../www/samples/deribit-desk.csv"),
        r#"{"BTC": 1.2, "ETH": 12}"#,
    ))
    .unwrap();
    assert_eq!(report["positions"].as_array().unwrap().len(), 13);
    assert!(report["errors"].as_array().unwrap().is_empty());
    let first = &report["positions"][0];
    assert_eq!(first["line"], 2);
    assert_eq!(first["instrument"], "BTC-27NOV26-90000-C");
    assert!(first["vega"].as_f64().unwrap() > 0.0);
    assert!(
        report["underlyings"]["BTC"]["delta"].is_number(),
        "maps arrive as plain objects"
    );
    let down = report["account"]["liquidation"]["BTC"]["down"]
        .as_f64()
        .unwrap();
    assert!((-0.99..0.0).contains(&down), "{down}");
    assert!(report["account"]["mmUsage"].as_f64().unwrap() > 0.0);
    assert_eq!(first["units"], Value::Null);
    assert_eq!(report["units"]["vega"], "USD per 1 vol point");
}

#[wasm_bindgen_test]
fn bad_rows_are_entries_not_traps() {
    let report = call(request(include_str!("../www/samples/bad-rows.csv"), "{}")).unwrap();
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, (3..=14).collect::<Vec<u64>>());
    assert_eq!(report["positions"].as_array().unwrap().len(), 1);
    assert_eq!(
        report["errors"][7]["text"],
        "<img src=x onerror=alert(1)>,1,1,1"
    );
    // The instance is still alive for the next call.
    assert!(call(request("instrument,size\nBTC,1", "{}")).is_ok());
}

#[wasm_bindgen_test]
fn malformed_requests_throw_errors_naming_the_field() {
    let bad_time =
        js_sys::JSON::parse(r#"{"positions": "", "market": {"valuationTime": "later"}}"#).unwrap();
    assert!(call(bad_time)
        .unwrap_err()
        .starts_with("market.valuationTime:"));
    let bad_index = js_sys::JSON::parse(r#"{"positions": "", "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": "lots"}}}}"#).unwrap();
    assert!(call(bad_index)
        .unwrap_err()
        .starts_with("market.underlyings.BTC.index:"));
    assert!(call(JsValue::from_f64(42.0))
        .unwrap_err()
        .contains("expected struct Request"));
    assert!(call(JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
fn hostile_text_never_traps() {
    let nested = "[".repeat(10_000);
    let long_line = format!("instrument,size\n{}", "9".repeat(100_000));
    let inputs = [
        "",
        "[",
        "]",
        "\u{feff}",
        "instrument\n\"",
        &nested,
        &long_line,
        "instrument,size\nBTC-1-1-1-1,1e308",
        "\0\0\0",
    ];
    for positions in inputs {
        assert!(
            call(request(positions, "{}")).is_ok(),
            "{:?}",
            &positions[..positions.len().min(20)]
        );
    }
}

#[wasm_bindgen_test]
fn single_quotes_and_implied_vol() {
    let request = js_sys::JSON::parse(
        r#"{"forward": 100, "strike": 100, "years": 0.5, "vol": 0.2, "isCall": true}"#,
    )
    .unwrap();
    let quote: Value = serde_wasm_bindgen::from_value(price_option(request).unwrap()).unwrap();
    // test-vectors.md: undiscounted Black F = K = 100, T = 0.5, σ = 20 %: 5.637197779701664.
    assert!((quote["price"].as_f64().unwrap() - 5.637197779701664).abs() < 1e-13);
    let vol = implied_vol(5.637197779701664, 100.0, 100.0, 0.5, true).unwrap();
    assert!((vol - 0.2).abs() < 1e-14);
    assert_eq!(
        implied_vol(150.0, 100.0, 100.0, 0.5, true),
        None,
        "above the forward: no vol"
    );
    let bad = js_sys::JSON::parse(
        r#"{"forward": 100, "strike": 100, "years": 0.5, "vol": -1, "isCall": true}"#,
    )
    .unwrap();
    let error: js_sys::Error = JsValue::from(price_option(bad).unwrap_err())
        .dyn_into()
        .unwrap();
    assert!(String::from(error.message()).starts_with("vol:"));
}

/// A `Float64Array` field of a result object, as a Vec.
fn float64_column(object: &JsValue, name: &str) -> Vec<f64> {
    js_sys::Reflect::get(object, &name.into())
        .unwrap()
        .dyn_into::<js_sys::Float64Array>()
        .unwrap()
        .to_vec()
}

/// The chain pricer's four-lane code as this build runs it (WebAssembly SIMD when built with
/// simd128, as scripts/build does) against the option-by-option closed form, on a grid from
/// an hour to five years and ±7 standard deviations, calls and puts mixed.
#[wasm_bindgen_test]
fn chain_lanes_match_the_closed_form() {
    use headroom::pricing::black::{price_and_greeks, OptionInputs, OptionKind};
    let (mut forward, mut strike, mut years, mut vol, mut is_call) =
        (vec![], vec![], vec![], vec![], vec![]);
    for t in [1.0 / 8760.0, 1.0 / 365.0, 0.1, 1.0, 5.0] {
        for v in [0.05, 0.5, 2.0] {
            for z in -14..=14 {
                let f = 91250.0;
                forward.push(f);
                strike.push(f * (f64::from(z) * 0.5 * v * f64::sqrt(t)).exp());
                years.push(t);
                vol.push(v);
                is_call.push(u8::from(z % 3 != 0));
            }
        }
    }
    let rate = 0.03;
    let out = price_chain(&forward, &strike, &years, &vol, &is_call, rate).unwrap();
    let column = |name: &str| float64_column(&out, name);
    let (price, vega) = (column("price"), column("vega"));
    for i in 0..forward.len() {
        let g = price_and_greeks(&OptionInputs {
            kind: if is_call[i] == 1 {
                OptionKind::Call
            } else {
                OptionKind::Put
            },
            spot: forward[i],
            strike: strike[i],
            years: years[i],
            rate,
            carry: 0.0,
            vol: vol[i],
        })
        .in_report_units();
        let near =
            |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance * b.abs().max(1e-300);
        assert!(
            near(price[i], g.price, 3e-12),
            "price {i}: {} vs {}",
            price[i],
            g.price
        );
        assert!(
            near(vega[i], g.vega, 1e-9),
            "vega {i}: {} vs {}",
            vega[i],
            g.vega
        );
    }
}

/// The re-valuation kernel's four-lane code as this build runs it (WebAssembly SIMD) against
/// the 60-digit golden file, as tests/golden.rs checks it natively.
#[wasm_bindgen_test]
fn kernel_lanes_match_the_60_digit_reference() {
    golden_cases::kernel_prices_match_the_reference();
}

/// The chain pricer's lanes as this build runs it (WebAssembly SIMD), against the 60-digit
/// golden file with the native test's tolerances (price 1e-12 relative).
#[wasm_bindgen_test]
fn chain_lanes_match_the_60_digit_reference() {
    golden_cases::chain_prices_match_the_reference();
}

/// The four-lane implied-vol solver as this build runs it, against the 60-digit hard set.
#[wasm_bindgen_test]
fn implied_vol_lanes_match_the_60_digit_reference() {
    golden_cases::implied_vol_columns_match_the_reference();
}

/// The columnar API: typed arrays in and out; the figures of Haug's Black-76 example and of
/// priceOption, a bad option as NaN with its index, mismatched columns as an Error.
#[wasm_bindgen_test]
fn chain_in_typed_arrays() {
    let forward = [620.0, 60000.0, 60000.0];
    let strike = [600.0, 65000.0, -1.0];
    let out = price_chain(
        &forward,
        &strike,
        &[0.5, 30.0 / 365.0, 0.1],
        &[0.2, 0.65, 0.5],
        &[1, 1, 0],
        0.05,
    )
    .unwrap();
    let column = |name: &str| float64_column(&out, name);
    // Haug, Black-76: F = 620, K = 600, r = 5 %, T = 0.5, σ = 20 % → 44.1868533121.
    assert!((column("price")[0] - 44.18685331211).abs() < 1e-9);
    let single = price_option(
        js_sys::JSON::parse(r#"{"forward": 60000, "strike": 65000, "years": 0.0821917808219178, "vol": 0.65, "isCall": true, "rate": 0.05}"#)
            .unwrap(),
    )
    .unwrap();
    for name in ["price", "delta", "gamma", "vega", "theta", "rho"] {
        let expected = js_sys::Reflect::get(&single, &name.into())
            .unwrap()
            .as_f64()
            .unwrap();
        let got = column(name)[1];
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1e-300),
            "{name}: {got} vs {expected}"
        );
    }
    assert!(column("vega")[2].is_nan());
    let invalid = js_sys::Reflect::get(&out, &"invalid".into())
        .unwrap()
        .dyn_into::<js_sys::Uint32Array>()
        .unwrap()
        .to_vec();
    assert_eq!(invalid, vec![2]);
    let error =
        price_chain(&forward, &strike[..2], &[0.5; 3], &[0.2; 3], &[1; 3], 0.0).unwrap_err();
    let message: String = js_sys::Error::from(JsValue::from(error)).message().into();
    assert!(message.starts_with("strike: has 2 values"), "{message}");
    let vols = implied_vols(
        &[5.637197779701664, 0.0],
        &[100.0; 2],
        &[100.0; 2],
        &[0.5; 2],
        &[1; 2],
    )
    .unwrap()
    .to_vec();
    assert!((vols[0] - 0.2).abs() < 1e-14 && vols[1].is_nan());
}

/// ChainPricer: inputs written into its views, `compute` twice (the second chain with an
/// invalid option where the first had a valid one), the outputs read from its views:
/// priceChain's figures to the bit, the invalid option NaN and listed. A view taken before a call
/// that grows the memory is detached (empty), not stale.
#[wasm_bindgen_test]
fn chain_priced_in_place() {
    let n = 9;
    let forward: Vec<f64> = (0..n).map(|i| 60000.0 + 100.0 * i as f64).collect();
    let years: Vec<f64> = (0..n).map(|i| (1 + 10 * i) as f64 / 365.0).collect();
    let vol: Vec<f64> = (0..n).map(|i| 0.4 + 0.05 * i as f64).collect();
    let is_call: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
    let first: Vec<f64> = (0..n).map(|i| 50000.0 + 2500.0 * i as f64).collect();
    let mut second = first.clone();
    second[5] = -1.0;
    let mut pricer = ChainPricer::new(n);
    let inputs = pricer.inputs();
    let input = |name: &str| js_sys::Reflect::get(&inputs, &name.into()).unwrap();
    for (name, column) in [("forward", &forward), ("years", &years), ("vol", &vol)] {
        input(name)
            .unchecked_into::<js_sys::Float64Array>()
            .copy_from(column);
    }
    input("isCall")
        .unchecked_into::<js_sys::Uint8Array>()
        .copy_from(&is_call);
    let mut quotes = Vec::new();
    for strike in [&first, &second] {
        input("strike")
            .unchecked_into::<js_sys::Float64Array>()
            .copy_from(strike);
        let quote = pricer.compute(0.03).unwrap();
        let invalid = js_sys::Reflect::get(&quote, &"invalid".into()).unwrap();
        quotes.push((
            quote.clone(),
            invalid.unchecked_into::<js_sys::Uint32Array>(),
        ));
        let fresh = price_chain(&forward, strike, &years, &vol, &is_call, 0.03).unwrap();
        for name in ["price", "delta", "gamma", "vega", "theta", "rho"] {
            let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<u64>>();
            assert_eq!(
                bits(float64_column(&quote, name)),
                bits(float64_column(&fresh, name)),
                "{name}"
            );
        }
    }
    // The second call returned the first's object (its views still attached), with a fresh
    // `invalid`: the first's is left as it was.
    let (quote, invalid) = &quotes[1];
    assert!(js_sys::Object::is(&quotes[0].0, quote));
    assert!(js_sys::Object::is(&inputs, &pricer.inputs()));
    assert!(float64_column(quote, "price")[5].is_nan());
    assert_eq!(quotes[0].1.to_vec(), Vec::<u32>::new());
    assert_eq!(invalid.to_vec(), vec![5]);
    // A frozen quote cannot take the next `invalid`: the next call makes a new object.
    js_sys::Object::freeze(quote.unchecked_ref::<js_sys::Object>());
    input("strike")
        .unchecked_into::<js_sys::Float64Array>()
        .copy_from(&first);
    let unfrozen = pricer.compute(0.03).unwrap();
    assert!(!js_sys::Object::is(quote, &unfrozen));
    let invalid = js_sys::Reflect::get(&unfrozen, &"invalid".into()).unwrap();
    assert_eq!(invalid.unchecked_into::<js_sys::Uint32Array>().length(), 0);
    // While no option is invalid the empty `invalid` stays; the next invalid one shows.
    assert!(js_sys::Object::is(
        &pricer.compute(0.03).unwrap(),
        &unfrozen
    ));
    input("strike")
        .unchecked_into::<js_sys::Float64Array>()
        .copy_from(&second);
    assert!(js_sys::Object::is(
        &pricer.compute(0.03).unwrap(),
        &unfrozen
    ));
    let invalid = js_sys::Reflect::get(&unfrozen, &"invalid".into()).unwrap();
    assert_eq!(
        invalid.unchecked_into::<js_sys::Uint32Array>().to_vec(),
        vec![5]
    );
    assert!(pricer.compute(2.0).is_err());
    // A view over memory that has since grown is empty.
    let price = js_sys::Reflect::get(quote, &"price".into())
        .unwrap()
        .unchecked_into::<js_sys::Float64Array>();
    let grown = std::hint::black_box(vec![1u8; 64 << 20]);
    assert_eq!(price.length(), 0, "{}", grown[grown.len() - 1]);
    // Then both objects are built again, over the grown memory.
    assert_eq!(
        float64_column(&pricer.compute(0.03).unwrap(), "price").len(),
        n
    );
    let inputs = pricer.inputs();
    let view = js_sys::Reflect::get(&inputs, &"forward".into()).unwrap();
    assert_eq!(
        view.unchecked_into::<js_sys::Float64Array>().to_vec(),
        forward
    );
}

/// The page's two workers: `analyzeColumnar` without scenarios and `analyzeScenarios`, merged,
/// are `analyze`'s report (positions compared through their columns' counts and one column).
#[wasm_bindgen_test]
fn split_requests_give_the_whole_report() {
    let text = format!(
        r#"{{"positions": {}, "market": {MARKET}, "account": {{"collateral": {{"BTC": 1.2, "ETH": 12}}}},
            "margin": {{"model": "deribit-pm"}},
            "scenarios": {{"matrix": {{}}, "curves": {{"points": 11}}}}}}"#,
        serde_json::to_string(include_str!("../www/samples/deribit-desk.csv")).unwrap()
    );
    let json = |v: &JsValue| -> Value {
        serde_json::from_str(&String::from(js_sys::JSON::stringify(v).unwrap())).unwrap()
    };
    let whole = json(&analyze(js_sys::JSON::parse(&text).unwrap()).unwrap());
    let scenarios = json(&analyze_scenarios(js_sys::JSON::parse(&text).unwrap()).unwrap());
    assert_eq!(scenarios, whole["scenarios"]);
    assert!(!scenarios["curves"].as_array().unwrap().is_empty());

    let mut without: Value = serde_json::from_str(&text).unwrap();
    without.as_object_mut().unwrap().remove("scenarios");
    let columnar = analyze_columnar(js_sys::JSON::parse(&without.to_string()).unwrap()).unwrap();
    let mut report = json(&js_sys::Reflect::get(&columnar, &"report".into()).unwrap());
    assert_eq!(report["positions"], Value::Array(Vec::new()));
    report["positions"] = whole["positions"].clone();
    report["scenarios"] = scenarios;
    assert_eq!(report, whole);
    let positions = js_sys::Reflect::get(&columnar, &"positions".into()).unwrap();
    let count = js_sys::Reflect::get(&positions, &"count".into()).unwrap();
    assert_eq!(count.as_f64(), Some(13.0));
    let numbers = js_sys::Reflect::get(&positions, &"numbers".into()).unwrap();
    let delta: js_sys::Float64Array = js_sys::Reflect::get(&numbers, &"delta".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let expected: Vec<f64> = whole["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["delta"].as_f64().unwrap())
        .collect();
    assert_eq!(delta.to_vec(), expected);
}
