//! Portfolio margin against Deribit's published example (test-vectors.md), SPAN worked by hand,
//! and the distance to liquidation under both, re-valued at its answer.

mod common;
use common::*;
use serde_json::{json, Value};

/// Deribit API documentation, `private/pme/simulate` example: BTC-PERPETUAL +0.314538364 BTC and
/// BTC-28JUN24 −0.001187534 BTC at index 65,666.19 → worst case 0.059685872 BTC at the −16 %
/// bucket, roll shock 0.003157259, risk-matrix margin 0.062843131, MM 0.050274505 BTC.
#[test]
fn reproduces_deribits_published_btc_example() {
    let index = 65666.19;
    let report = run(json!({
        "positions": [
            {"instrument": "BTC-PERPETUAL", "size": 0.314538364 * index},
            {"instrument": "BTC-28JUN24", "size": -0.001187534 * index}
        ],
        "market": {"valuationTime": "2024-06-17T10:22:20.501Z",
            "underlyings": {"BTC": {"index": index, "forwards": {"28JUN24": index}}}},
        "margin": {"model": "deribit-pm"},
        // Sizes converted from BTC are fractional USD, which would read as Bybit's coin-sized
        // USDC future: this is a Deribit book.
        "venue": "deribit"
    }));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let [pool] = &report.account.margin_detail[..] else {
        panic!("{:?}", report.account.margin_detail)
    };
    assert_eq!(
        (pool.underlying.as_str(), pool.currency.as_str()),
        ("BTC", "BTC")
    );
    let close = |got: f64, published: f64, what: &str| {
        assert!(
            (got - published).abs() <= 1e-8,
            "{what}: {got:.12} vs published {published}"
        );
    };
    close(pool.worst_case, 0.059685872, "worst case");
    close(pool.roll_shock.unwrap(), 0.003157259, "roll shock");
    close(pool.initial_margin, 0.062843131, "risk-matrix margin");
    close(pool.maintenance_margin, 0.050274505, "MM");
    let worst = pool.worst_scenario.unwrap();
    assert_eq!((worst.price_move, worst.extended), (-0.16, false));
    assert_eq!(
        pool.scenarios.len(),
        27 + 8,
        "9 buckets × 3 vols + 8 extended moves"
    );
    assert_close(
        report.account.maintenance_margin_usd,
        pool.maintenance_margin * index,
        1e-12,
        "MM in USD",
    );
    assert_eq!(
        report.positions[0].initial_margin_usd, None,
        "no per-position margin under PM"
    );
}

/// One long linear BTC perpetual of 1 BTC at S = 100,000, PSR 15 %: the worst of the 14 scans is
/// −15 % (−15,000 USD); the extreme −30 % counts 35 % (−10,500). Requirement 15,000 USD.
#[test]
fn span_on_a_future_by_hand() {
    let report = run(json!({
        "positions": "instrument,size\nBTC_USDC-PERPETUAL,1",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
        "margin": {"model": "span", "span": {"priceScanRange": 0.15}}
    }));
    let detail = &report.account.margin_detail[0];
    assert_close(detail.worst_case, 15000.0, 1e-12, "scan risk");
    assert_eq!(detail.scenarios.len(), 16);
    assert_close(
        report.account.maintenance_margin_usd,
        15000.0,
        1e-12,
        "requirement",
    );
    // With a short-option minimum above the scan risk, the minimum binds.
    let report = run(json!({
        "positions": "instrument,size,iv\nBTC-25DEC26-200000-C,-10,50",
        "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
        "margin": {"model": "span", "span": {"shortOptionMinimum": 0.05}}
    }));
    let detail = &report.account.margin_detail[0];
    assert_close(
        detail.short_option_minimum.unwrap(),
        0.05 * 100000.0 * 10.0,
        1e-12,
        "SOM",
    );
    assert!(detail.worst_case < detail.short_option_minimum.unwrap());
    assert_close(
        report.account.maintenance_margin_usd,
        50000.0,
        1e-12,
        "SOM binds",
    );
}

/// Under each portfolio model, re-running analyze at each answer finds MM usage at 100 %.
#[test]
fn liquidation_under_portfolio_models_is_revalued_at_the_answer() {
    for model in ["deribit-pm", "span"] {
        let market = sample_market();
        let request = |market: &Value| {
            json!({
                "positions": sample("deribit-desk.csv"),
                "market": market,
                "account": {"collateral": {"BTC": 0.4, "ETH": 3}},
                "margin": {"model": model}
            })
        };
        let base = run(request(&market));
        let mut checked = 0;
        for (symbol, liq) in &base.account.liquidation {
            for m in [liq.down, liq.up]
                .into_iter()
                .flatten()
                .filter(|m| *m != 0.0)
            {
                let at = run(request(&moved_market(&market, symbol, 1.0 + m)));
                let usage = at.account.mm_usage.unwrap();
                assert!(
                    (usage - 1.0).abs() < 1e-6,
                    "{model} {symbol} {m:+}: MM usage {usage}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 2, "{model}: {checked} liquidation points");
        let all = base.account.liquidation_all;
        if let Some(m) = all.down {
            let both = moved_market(&moved_market(&market, "BTC", 1.0 + m), "ETH", 1.0 + m);
            let usage = run(request(&both)).account.mm_usage.unwrap();
            assert!(
                (usage - 1.0).abs() < 1e-6,
                "{model} all together {m:+}: {usage}"
            );
        }
    }
}

/// Short options lose more when vol rises: the vol-shocked distance is no farther.
#[test]
fn a_vol_shock_brings_a_short_option_book_closer_to_liquidation() {
    let report = run(json!({
        "positions": sample("btc-short-strangle.json"),
        "market": sample_market(),
        "account": {"collateral": {"BTC": 0.6}},
        "margin": {"model": "deribit-pm", "volShockUp": 0.2}
    }));
    let liq = report.account.liquidation["BTC"];
    let (down, shocked) = (liq.down.unwrap(), liq.down_vol_up.unwrap());
    assert!(
        shocked > down,
        "vol-shocked {shocked} should be closer to 0 than {down}"
    );
}

#[test]
fn pack_overrides_apply_and_are_checked() {
    let request = |packs: Value| {
        json!({
            "positions": "instrument,size\nBTC-PERPETUAL,100000",
            "market": {"valuationTime": "2026-11-23T12:00:00Z", "underlyings": {"BTC": {"index": 100000}}},
            "margin": {"model": "deribit-pm", "packs": packs}
        })
    };
    let wider = run(request(json!({"BTC": {"priceRange": 0.2}})));
    // A long 1 BTC inverse perpetual loses 1 − 1/(1 − R) coins at the −R bucket.
    assert_close(
        wider.account.margin_detail[0].worst_case,
        -(1.0 - 1.0 / 0.8),
        1e-12,
        "worst at −20 %",
    );
    assert!(wider.margin.pack.contains("with overrides"));
    let error = try_run(request(json!({"BTC": {"priceRange": 1.5}}))).unwrap_err();
    assert_eq!(error.field, "margin.packs.BTC");
}

/// The portfolio-margin model with the published packs.
fn pm_model() -> headroom::margin::MarginModel {
    headroom::margin::MarginModel::DeribitPm(
        ["BTC", "ETH"]
            .iter()
            .map(|u| {
                let pack = headroom::margin::portfolio::PmPack::published(u);
                (u.to_string(), pack)
            })
            .collect(),
    )
}

/// Asks `requirement_with` and `requirement` for every factor in turn, for each underlying's
/// kernel of the book (today's, aged close to and past expiries, and vol-shocked), and asserts
/// they agree to the bit. Returns (scenario values computed, scenario values a full matrix
/// would have computed).
fn check_skipping(book: &str, factors: &[f64]) -> (usize, usize) {
    use headroom::kernel::Move;
    use headroom::margin::Known;
    let model = pm_model();
    let legs = sample_legs(book);
    assert!(!legs.is_empty());
    let (mut computed, mut asked) = (0, 0);
    for underlying in ["BTC", "ETH"] {
        let of: Vec<_> = legs.iter().filter(|l| l.underlying == underlying).collect();
        if of.is_empty() {
            continue;
        }
        let today = model.kernel(underlying, &of);
        // Aged, options come close to expiry (tiny σ√T) or expire (payoffs with kinks).
        let mut kernels = vec![today.clone()];
        for days in [3.9, 4.0, 400.0] {
            let mut aged = today.aged(days);
            model.prepare(underlying, &mut aged);
            kernels.push(aged);
        }
        let mut shocked = today.with_vols(|_| |vol| vol + 0.1);
        model.prepare(underlying, &mut shocked);
        kernels.push(shocked);
        for kernel in &kernels {
            let mut known = Known::default();
            for &f in factors {
                let full = model.requirement(underlying, kernel, f);
                let priced = kernel
                    .options
                    .priced(0..kernel.options.len(), &Move::new(f));
                let skipped = model.requirement_with(underlying, kernel, f, &priced, &mut known);
                assert_eq!(
                    (full.initial.to_bits(), full.maintenance.to_bits()),
                    (skipped.initial.to_bits(), skipped.maintenance.to_bits()),
                    "{underlying} at {f}: {full:?} vs {skipped:?}"
                );
            }
            computed += known.computed();
            asked += factors.len() * 34 * 2;
        }
    }
    (computed, asked)
}

/// The liquidation search asks for portfolio margin through `requirement_with`, which skips
/// scenarios that its bounds show cannot be the worst. It must give `requirement`'s figures to
/// the bit at every factor, in any order of asking, and skip most scenarios when the factors
/// asked are close together.
#[test]
fn scenarios_skipped_by_their_bounds_change_no_figure() {
    // A book of hundreds of contracts on every listed expiry, both pools, random sizes.
    let mut seed = 20261202_u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut generated = String::from("Instrument,Size,Average Price,Mark Price,IV\n");
    for (u, index) in [("BTC", 91250.5), ("ETH", 3120.75)] {
        for expiry in ["27NOV26", "25DEC26", "26MAR27", "25JUN27"] {
            for k in 0..40 {
                let strike = (index * (0.5 + 0.03 * k as f64) / 100.0).round() * 100.0;
                let size = (next() - 0.5) * 20.0;
                let kind = if next() < 0.5 { "C" } else { "P" };
                let iv = 35.0 + 60.0 * next();
                generated += &format!("{u}-{expiry}-{strike}-{kind},{size:.1},,,{iv:.1}\n");
                // USD-settled options of the same chain fill the linear pool.
                if k % 3 == 0 {
                    generated +=
                        &format!("{u}_USDC-{expiry}-{strike}-{kind},{size:.2},,,{iv:.1}\n");
                }
            }
            generated += &format!("{u}-{expiry},{:.0},,,\n", (next() - 0.5) * 2e6);
        }
        generated += &format!("{u}-PERPETUAL,{:.0},,,\n", (next() - 0.5) * 2e6);
    }
    let books: Vec<String> = [
        "deribit-desk.csv",
        "basis-trade.csv",
        "btc-market-maker.csv",
        "okx-book.csv",
        "eth-covered-calls.tsv",
    ]
    .iter()
    .map(|f| sample(f))
    .chain([generated])
    .collect();

    // Factors as the searches ask them: a scan out in growing log steps each way, Brent-like
    // clusters closing in on a point, curve moves, then scattered ones.
    let mut factors: Vec<f64> = vec![1.0];
    for direction in [1.0, -1.0] {
        let (mut x, mut step) = (0.0_f64, 0.01);
        while x.abs() < 4.6 {
            x += direction * step;
            step *= 1.15;
            factors.push(x.exp());
        }
    }
    for centre in [0.83, 1.37] {
        for j in 2..=12 {
            factors.push(centre * (1.0 + 10f64.powi(-j)));
            factors.push(centre * (1.0 - 0.5 * 10f64.powi(-j)));
        }
    }
    factors.extend((0..=40).map(|i| 0.5 + i as f64 * 0.025));
    factors.extend((0..60).map(|_| 0.01 + 11.0 * next()));

    let (mut computed, mut asked) = (0, 0);
    for book in &books {
        let (c, a) = check_skipping(book, &factors);
        computed += c;
        asked += a;
    }
    // Pools a book does not hold count as asked, so this is a loose bound on the skipping.
    assert!(
        computed * 3 < asked,
        "{computed} of {asked} scenario values computed"
    );
}

proptest::proptest! {
    #![proptest_config(proptest_config(200))]
    /// Random books (both pools, every expiry, vols from 5 % to 300 %, futures) walked through
    /// random factors, in steps from 1e-9 to 30 % in log-price.
    #[test]
    fn skipping_agrees_on_random_books_and_walks(
        options in proptest::collection::vec(
            (0usize..4, 0.3f64..3.0, proptest::bool::ANY, -20.0f64..20.0, 5.0f64..300.0,
             proptest::bool::ANY),
            1..40,
        ),
        future in -2e6f64..2e6,
        steps in proptest::collection::vec((-1.0f64..1.0, 0u32..9), 1..40),
    ) {
        let expiries = ["27NOV26", "25DEC26", "26MAR27", "25JUN27"];
        let mut book = String::from("Instrument,Size,Average Price,Mark Price,IV\n");
        for (e, moneyness, call, size, iv, usdc) in options {
            let strike = (91250.5 * moneyness / 100.0).round() * 100.0;
            let kind = if call { "C" } else { "P" };
            let (name, size) = if usdc { ("BTC_USDC", size) } else { ("BTC", size) };
            book += &format!("{name}-{}-{strike}-{kind},{size:.2},,,{iv:.1}\n", expiries[e]);
        }
        book += &format!("BTC-PERPETUAL,{future:.0},,,\n");
        let mut x = 0.0_f64;
        let mut factors = vec![1.0];
        for (step, scale) in steps {
            x = (x + 0.3 * step * 10f64.powi(-(scale as i32))).clamp(-4.6, 2.4);
            factors.push(x.exp());
        }
        check_skipping(&book, &factors);
    }
}

/// The rebalance's exact program writes portfolio margin as pieces that add over positions
/// (`PoolPieces`): their IM must be the engine's to rounding for every sample book and pool at
/// several index moves, and the pieces of two books together the sum of each's.
#[test]
fn pool_pieces_give_the_engines_margin_and_add_over_books() {
    use headroom::kernel::Pool;
    let model = pm_model();
    let books = [
        "deribit-desk.csv",
        "basis-trade.csv",
        "btc-market-maker.csv",
        "eth-covered-calls.tsv",
    ];
    let mut compared = 0;
    for book in books {
        let legs = sample_legs(&sample(book));
        for underlying in ["BTC", "ETH"] {
            let of: Vec<_> = legs.iter().filter(|l| l.underlying == underlying).collect();
            if of.len() < 2 {
                continue;
            }
            let (first, second) = of.split_at(of.len() / 2);
            let kernel = model.kernel(underlying, &of);
            let parts = [
                model.kernel(underlying, first),
                model.kernel(underlying, second),
            ];
            for factor in [0.7, 1.0, 1.3] {
                let pieces = model.pool_pieces(underlying, &kernel, factor).unwrap();
                let split = parts
                    .each_ref()
                    .map(|k| model.pool_pieces(underlying, k, factor).unwrap());
                for (p, pool) in Pool::BOTH.into_iter().enumerate() {
                    let margin =
                        headroom::margin::portfolio::pool_margin(&kernel, pool, factor, &{
                            headroom::margin::portfolio::PmPack::published(underlying)
                        });
                    let Some(initial) = pieces[p].initial() else {
                        continue;
                    };
                    assert_close(
                        initial + 1e-12,
                        margin.initial + 1e-12,
                        1e-9,
                        &format!("{book} {underlying} {pool:?} at {factor}: IM"),
                    );
                    for (k, loss) in pieces[p].losses.iter().enumerate() {
                        let sum = split[0][p].losses[k] + split[1][p].losses[k];
                        assert!(
                            (loss - sum).abs() <= 1e-9 * (1.0 + loss.abs()),
                            "{book} {underlying} scenario {k}: {loss} vs {sum}"
                        );
                    }
                    assert_close(
                        pieces[p].net_delta + 1.0,
                        split[0][p].net_delta + split[1][p].net_delta + 1.0,
                        1e-9,
                        "net delta adds",
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 12, "only {compared} pools compared");
}
