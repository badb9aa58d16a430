//! Derive's Standard Risk Manager against the protocol's own test cases: the 42 portfolios of
//! derivexyz/v2-core `test/risk-managers/unit-tests/StandardManager/test-cases-portfolio.json`
//! (copied to tests/venue_cases/derive/, commit 7736900, 2026-01-21), each set up as the
//! repository's `TestStandardManager_Portfolio_Cases.t.sol` does: its feeds, parameters, and the
//! special oracle and stablecoin set-ups of cases 20 and 33–42. Expected IM and MM are the
//! contract's integer dollars (truncated toward zero).

use headroom::venue::derive::{
    net_margin, Confidence, DepegParams, SrmExpiry, SrmMarket, SrmOption, SrmParams, FULL,
};
use serde_json::Value;

const E: u64 = 1_000_000_000_000_000_000 / 10; // 0.1 confidence

/// The harness's expiries: days from the test's start (all at +8 hours).
const EXPIRIES: [(&str, f64); 8] = [
    ("20230104", 3.0),
    ("20230111", 10.0),
    ("20230118", 17.0),
    ("20230227", 57.0),
    ("20230804", 215.0),
    ("20230811", 222.0),
    ("20230818", 229.0),
    ("20230825", 238.0),
];
const ETH_FORWARD_ADD: [f64; 8] = [
    0.91345, 2.83305, 4.7545, 15.7696, 59.87416, 61.85933, 63.8284, 66.3744,
];
const BTC_FORWARD_ADD: [f64; 8] = [
    12.7883, 39.66276, 66.56301, 220.77451, 838.23835, 865.90472, 893.59763, 929.24184,
];

fn params() -> SrmParams {
    SrmParams {
        // TestStandardManagerBase: setPerpMarginRequirements(mm 0.05, im 0.065).
        mm_perp_req: 0.05,
        im_perp_req: 0.065,
        // config-test.sol getSRMParams.
        max_spot_req: 0.15,
        min_spot_req: 0.1,
        mm_call_spot_req: 0.075,
        mm_put_spot_req: 0.075,
        mm_put_mtm_req: 0.075,
        unpaired_im_scale: 1.2,
        unpaired_mm_scale: 1.1,
        mm_offset_scale: 1.05,
        // The portfolio harness: setBaseAssetMarginFactor(0.8, 1).
        base_margin_factor: 0.8,
        base_im_scale: 1.0,
        perp_threshold: 4 * E,
        option_threshold: 4 * E,
        base_threshold: 4 * E,
        oc_factor: 0.4,
    }
}

/// The feeds of one test, as the harness leaves them before a case's positions are loaded.
struct Feeds {
    stable: f64,
    eth_spot_confidence: Confidence,
    eth_perp_confidence: Confidence,
    /// (expiry, forward, confidence) overrides for ETH.
    eth_forward: Option<(&'static str, f64, Confidence)>,
    /// The mock vol feed: one confidence per expiry, the last `setVol` wins; (expiry, strike) set.
    vol_confidence: Vec<(String, String, Confidence)>,
    vols_set: Vec<(String, String, f64)>,
}

fn feeds(case: &str) -> Feeds {
    let mut f = Feeds {
        stable: 1.0,
        eth_spot_confidence: FULL,
        eth_perp_confidence: FULL,
        eth_forward: None,
        vol_confidence: Vec::new(),
        vols_set: Vec::new(),
    };
    let set_vol = |f: &mut Feeds, expiry: &str, strike: f64, confidence: Confidence| {
        f.vol_confidence
            .push(("eth".into(), expiry.into(), confidence));
        f.vols_set.push(("eth".into(), expiry.into(), strike));
    };
    match case {
        "test_USDC_depeg" | "test_long_perp_and_USDC_depeg" => f.stable = 0.1,
        "test_short_call_low_vol_conf" => set_vol(&mut f, "20230118", 2000.0, E),
        "test_short_call_low_vol_and_fwd_confidence" => {
            set_vol(&mut f, "20230118", 2000.0, 5 * E);
            f.eth_forward = Some(("20230118", 2004.75, 4 * E - 1));
        }
        "test_short_call_low_spot_vol_fwd_confidence"
        | "test_long_call_low_spot_vol_fwd_confidence" => {
            set_vol(&mut f, "20230118", 2000.0, 5 * E);
            f.eth_forward = Some(("20230118", 2004.75, 4 * E));
            f.eth_spot_confidence = 2 * E;
        }
        "test_short_options_two_expiries_low_conf_one_expiry" => {
            set_vol(&mut f, "20230118", 2000.0, 3 * E);
            f.eth_forward = Some(("20230118", 2004.75, 4 * E));
            f.eth_spot_confidence = 9 * E;
        }
        "test_long_eth_perp_low_perp_confidence" => f.eth_perp_confidence = E,
        "test_base_asset_low_spot_confidence" => f.eth_spot_confidence = E,
        "test_general_portfolio" => {
            f.stable = 0.97;
            set_vol(&mut f, "20230118", 2000.0, 5 * E);
            f.eth_forward = Some(("20230118", 2004.75, 4 * E - 1));
            f.eth_spot_confidence = 2 * E;
        }
        _ => {}
    }
    f
}

fn coins(v: &Value) -> f64 {
    v.as_f64().unwrap() / 1e8
}

/// The account of one case as the harness loads it, as the SRM's markets and cash.
fn markets(case: &str, data: &Value) -> (Vec<SrmMarket>, f64, f64) {
    let mut f = feeds(case);
    let market = |underlying: &str, f: &Feeds| {
        let eth = underlying == "eth";
        SrmMarket {
            params: params(),
            spot: if eth { 2000.0 } else { 28000.0 },
            spot_confidence: if eth { f.eth_spot_confidence } else { FULL },
            perp: 0.0,
            perp_price: if eth { 2001.0 } else { 28020.0 },
            perp_confidence: if eth { f.eth_perp_confidence } else { FULL },
            perp_pnl: 0.0,
            base: 0.0,
            expiries: Vec::new(),
        }
    };
    // Options first, in the file's order: the harness sets a strike's vol (0.5, confidence 1)
    // when none was set, which also resets the expiry's confidence.
    for o in data["options"].as_array().unwrap() {
        let (u, e) = (
            o["underlying"].as_str().unwrap(),
            o["expiry"].as_str().unwrap(),
        );
        let strike = o["strike"].as_f64().unwrap();
        if !f
            .vols_set
            .iter()
            .any(|(vu, ve, vs)| vu == u && ve == e && *vs == strike)
        {
            f.vols_set.push((u.into(), e.into(), strike));
            f.vol_confidence.push((u.into(), e.into(), FULL));
        }
    }
    let mut eth = market("eth", &f);
    let mut btc = market("btc", &f);
    for o in data["options"].as_array().unwrap() {
        let (u, e) = (
            o["underlying"].as_str().unwrap(),
            o["expiry"].as_str().unwrap(),
        );
        let i = EXPIRIES.iter().position(|(d, _)| *d == e).unwrap();
        let m = if u == "eth" { &mut eth } else { &mut btc };
        let (base, adds) = if u == "eth" {
            (2000.0, ETH_FORWARD_ADD)
        } else {
            (28000.0, BTC_FORWARD_ADD)
        };
        let (forward, forward_confidence) = match f.eth_forward {
            Some((fe, fwd, c)) if u == "eth" && fe == e => (fwd, c),
            _ => (base + adds[i], FULL),
        };
        let vol_confidence = f
            .vol_confidence
            .iter()
            .rev()
            .find(|(vu, ve, _)| vu == u && ve == e)
            .map_or(FULL, |c| c.2);
        let years = (EXPIRIES[i].1 * 86_400.0 + 8.0 * 3_600.0) / 31_536_000.0;
        let position = m.expiries.iter().position(|x| x.years == years);
        let expiry = match position {
            Some(k) => &mut m.expiries[k],
            None => {
                m.expiries.push(SrmExpiry {
                    forward,
                    forward_confidence,
                    vol_confidence,
                    years,
                    options: Vec::new(),
                });
                m.expiries.last_mut().unwrap()
            }
        };
        expiry.options.push(SrmOption {
            strike: o["strike"].as_f64().unwrap(),
            call: o["type"] == "call",
            amount: coins(&o["amount"]),
            vol: 0.5,
        });
    }
    for p in data["perps"].as_array().unwrap() {
        let m = if p["underlying"] == "eth" {
            &mut eth
        } else {
            &mut btc
        };
        let amount = coins(&p["amount"]);
        m.perp += amount;
        m.perp_pnl += (m.perp_price - coins(&p["entryPrice"])) * amount;
    }
    for b in data["bases"].as_array().unwrap() {
        let m = if b["underlying"] == "eth" {
            &mut eth
        } else {
            &mut btc
        };
        m.base += coins(&b["amount"]);
    }
    (vec![eth, btc], coins(&data["cash"]), f.stable)
}

#[test]
fn derive_standard_manager_reproduces_the_protocols_portfolio_cases() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/venue_cases/derive/srm-test-cases-portfolio.json"
    ))
    .unwrap();
    let cases: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 42);
    let depeg = DepegParams {
        threshold: 0.98,
        factor: 1.2,
    };
    let mut failed = Vec::new();
    for (name, data) in &cases {
        let (markets, cash, stable) = markets(name, data);
        let (mm, _) = net_margin(&markets, cash, stable, depeg, false);
        let (im, _) = net_margin(&markets, cash, stable, depeg, true);
        // The file names the object `results` in most cases and `result` in a few.
        let results = if data["results"].is_object() {
            &data["results"]
        } else {
            &data["result"]
        };
        let expected = (
            results["im"].as_f64().unwrap() as i64,
            results["mm"].as_f64().unwrap() as i64,
        );
        // The contract's figures are exact 18-decimal fixed point, truncated to dollars; ours are
        // doubles within ~1e-12 of them, so they are first rounded to 1e-6 (0.9·0.4·2000 is
        // 720.0000000000001 in doubles, 720 in the contract).
        let dollars = |x: f64| ((x * 1e6).round() / 1e6).trunc() as i64;
        let got = (dollars(im), dollars(mm));
        if got != expected {
            failed.push(format!(
                "{name}: IM/MM {got:?}, expected {expected:?} ({im:.4}, {mm:.4})"
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of 42 cases differ:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
