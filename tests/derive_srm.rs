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
    assert_cases(&cases, |name, data| {
        let (markets, cash, stable) = markets(name, data);
        let (mm, _) = net_margin(&markets, cash, stable, depeg, false);
        let (im, _) = net_margin(&markets, cash, stable, depeg, true);
        (im, mm)
    });
}

/// Every case's IM and MM, truncated to dollars as the contract's test does, against the file's.
/// The contract's figures are exact 18-decimal fixed point; ours are doubles within ~1e-12 of them,
/// so they are first rounded to 1e-6 (0.9·0.4·2000 is 720.0000000000001 in doubles, 720 in the
/// contract).
fn assert_cases(
    cases: &serde_json::Map<String, Value>,
    margins: impl Fn(&str, &Value) -> (f64, f64),
) {
    let dollars = |x: f64| ((x * 1e6).round() / 1e6).trunc() as i64;
    let mut failed = Vec::new();
    for (name, data) in cases {
        let (im, mm) = margins(name, data);
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
        let got = (dollars(im), dollars(mm));
        if got != expected {
            failed.push(format!(
                "{name}: IM/MM {got:?}, expected {expected:?} ({im:.4}, {mm:.4})"
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases differ:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

mod pmrm {
    //! Derive's Portfolio Margin Risk Manager (v1) against the protocol's 44 portfolio cases
    //! (`test/risk-managers/unit-tests/PMRM/test-cases-portfolio-pm.json`, copied beside the SRM's),
    //! set up as `TestPMRM_ProtfolioCases.t.sol` does: ETH at 2,000, perp at 2,001, rates 2 %,
    //! the test configuration's parameters with its overrides (rateAddScale 0.12, confMargin 0.4,
    //! basePercent and perpPercent 0.025) and the special set-ups of cases 39–44.

    use super::*;
    use headroom::venue::derive_pm::{
        margin, test_scenarios, PmExpiry, PmOption, PmPortfolio, PmrmParams,
    };

    fn params() -> PmrmParams {
        PmrmParams {
            scenario_spot_up: 1.05,
            scenario_spot_down: 0.95,
            basis_cont_add_factor: 0.25,
            basis_cont_mult_factor: 0.01,
            peg_loss_threshold: 0.98,
            peg_loss_factor: 2.0,
            conf_threshold: 6 * E,
            conf_margin: 0.4,
            base_percent: 0.025,
            perp_percent: 0.025,
            option_percent: 0.01,
            im_factor: 1.3,
            base_static_discount: 0.95,
            rate_mult_scale: 4.0,
            rate_add_scale: 0.12,
            vol_range_up: 0.45,
            vol_range_down: 0.3,
            short_term_power: 0.3,
            long_term_power: 0.13,
            dte_floor_days: 1.0,
        }
    }

    /// The feeds before a case is loaded: stable price, spot and its confidence, perp price and
    /// confidence, forward overrides, and (expiry, strike) → vol set, with the expiry's confidence.
    struct Env {
        stable: f64,
        spot: f64,
        spot_confidence: Confidence,
        perp_price: f64,
        perp_confidence: Confidence,
        forwards: Vec<(&'static str, f64, Confidence)>,
        vols: Vec<(String, f64, f64)>,
        vol_confidence: Vec<(String, Confidence)>,
    }

    fn env(case: &str) -> Env {
        let mut env = Env {
            stable: 1.0,
            spot: 2000.0,
            spot_confidence: FULL,
            perp_price: 2001.0,
            perp_confidence: FULL,
            forwards: Vec::new(),
            vols: Vec::new(),
            vol_confidence: Vec::new(),
        };
        let set_vol =
            |env: &mut Env, expiry: &str, strike: f64, vol: f64, confidence: Confidence| {
                env.vols.push((expiry.into(), strike, vol));
                env.vol_confidence.push((expiry.into(), confidence));
            };
        match case {
            "test_depeg_contingency_pm" => env.stable = 0.2,
            "test_oracle_cont_long_call_pm" | "test_oracle_cont_short_call_pm" => {
                env.spot_confidence = E;
                let c = if case.contains("long") { 3 * E } else { E };
                set_vol(&mut env, "20230118", 1700.0, 0.5, c);
                env.forwards.push(("20230118", 2004.75, 4 * E));
            }
            "test_oracle_cont_base_asset_pm" => {
                env.spot_confidence = E;
                set_vol(&mut env, "20230118", 1700.0, 0.01, E);
                env.forwards.push(("20230118", 2004.75, E / 5));
            }
            "test_oracle_cont_long_perp_asset_pm" => {
                env.spot_confidence = 3 * E;
                set_vol(&mut env, "20230118", 1700.0, 0.5, E);
                env.forwards.push(("20230118", 2004.75, E / 5));
                env.perp_confidence = E;
            }
            "test_general_portfolio_pm" => {
                env.spot = 2004.0;
                env.spot_confidence = 3 * E;
                set_vol(&mut env, "20230118", 1700.0, 0.15, E);
                set_vol(&mut env, "20230118", 2100.0, 1.01, E);
                set_vol(&mut env, "20230118", 1000.0, 0.33, E);
                env.forwards.push(("20230227", 2014.7545, 2 * E));
                env.perp_price = 2017.0;
                env.perp_confidence = 3 * E;
            }
            _ => {}
        }
        env
    }

    fn portfolio(case: &str, data: &Value) -> PmPortfolio {
        let mut env = env(case);
        let options = data["options"].as_array().unwrap();
        // The harness sets a strike's vol (0.5, confidence 1) where none was set.
        for o in options {
            let (e, strike) = (o["expiry"].as_str().unwrap(), o["strike"].as_f64().unwrap());
            if !env.vols.iter().any(|(ve, vs, _)| ve == e && *vs == strike) {
                env.vols.push((e.into(), strike, 0.5));
                env.vol_confidence.push((e.into(), FULL));
            }
        }
        let mut expiries: Vec<(String, PmExpiry)> = Vec::new();
        // PMRM._arrangeOptions fills each expiry's options from its end.
        for o in options.iter().rev() {
            let e = o["expiry"].as_str().unwrap();
            let i = EXPIRIES.iter().position(|(d, _)| *d == e).unwrap();
            let strike = o["strike"].as_f64().unwrap();
            let vol = env
                .vols
                .iter()
                .find(|(ve, vs, _)| ve == e && *vs == strike)
                .unwrap()
                .2;
            let confidence = env
                .vol_confidence
                .iter()
                .rev()
                .find(|(ve, _)| ve == e)
                .map_or(FULL, |c| c.1);
            let (forward, forward_confidence) = env
                .forwards
                .iter()
                .find(|(fe, _, _)| *fe == e)
                .map_or((2000.0 + ETH_FORWARD_ADD[i], FULL), |f| (f.1, f.2));
            let k = match expiries.iter().position(|(name, _)| name == e) {
                Some(k) => k,
                None => {
                    expiries.push((
                        e.into(),
                        PmExpiry {
                            forward,
                            forward_confidence,
                            rate: 0.02,
                            rate_confidence: FULL,
                            seconds: EXPIRIES[i].1 * 86_400.0 + 8.0 * 3_600.0,
                            options: Vec::new(),
                        },
                    ));
                    expiries.len() - 1
                }
            };
            expiries[k].1.options.push(PmOption {
                strike,
                call: o["type"] == "call",
                amount: coins(&o["amount"]),
                vol,
                confidence,
            });
        }
        // Expiries in the order first seen (the contract counts them in the assets' order).
        let order: Vec<&str> = {
            let mut seen: Vec<&str> = Vec::new();
            for o in options {
                let e = o["expiry"].as_str().unwrap();
                if !seen.contains(&e) {
                    seen.push(e);
                }
            }
            seen
        };
        expiries.sort_by_key(|(name, _)| order.iter().position(|o| o == name));
        let (mut perp, mut perp_value) = (0.0, 0.0);
        for p in data["perps"].as_array().unwrap() {
            let amount = coins(&p["amount"]);
            perp += amount;
            perp_value += (env.perp_price - coins(&p["entryPrice"])) * amount;
        }
        let base: f64 = data["bases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| coins(&b["amount"]))
            .sum();
        PmPortfolio {
            spot: env.spot,
            spot_confidence: env.spot_confidence,
            stable_price: env.stable,
            cash: coins(&data["cash"]),
            perp,
            perp_price: env.perp_price,
            perp_confidence: env.perp_confidence,
            perp_value,
            base,
            expiries: expiries.into_iter().map(|(_, e)| e).collect(),
        }
    }

    #[test]
    fn derive_portfolio_manager_reproduces_the_protocols_portfolio_cases() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/venue_cases/derive/pmrm-test-cases-portfolio-pm.json"
        ))
        .unwrap();
        let cases: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(cases.len(), 44);
        let scenarios = test_scenarios();
        assert_cases(&cases, |name, data| {
            let p = portfolio(name, data);
            let (im, _) = margin(&p, &params(), &scenarios, true);
            let (mm, _) = margin(&p, &params(), &scenarios, false);
            (im, mm)
        });
    }
}
