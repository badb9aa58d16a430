//! The distance to liquidation, checked three independent ways: against closed forms for single
//! futures positions (margin.md §5), for option books by re-running `analyze` at the moved
//! index and finding MM usage at 100 %, and on random books against the account valued on a
//! dense grid of indices (no liquidation window stepped over).

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

/// A random BTC book: options (expiry slot, strike as a fraction of the index, call, size in
/// coins, IV %, USDC-settled) and both perpetuals.
fn random_book(
    options: &[(usize, f64, bool, f64, f64, bool)],
    inverse_usd: f64,
    linear_coins: f64,
) -> String {
    let expiries = ["27NOV26", "25DEC26", "26MAR27", "25JUN27"];
    let mut book = String::from("Instrument,Size,Average Price,Mark Price,IV\n");
    for &(e, moneyness, call, size, iv, linear) in options {
        let strike = (91250.5 * moneyness / 100.0).round() * 100.0;
        let kind = if call { "C" } else { "P" };
        let name = if linear { "BTC_USDC" } else { "BTC" };
        book += &format!(
            "{name}-{}-{strike}-{kind},{size:.2},,,{iv:.1}\n",
            expiries[e]
        );
    }
    book +=
        &format!("BTC-PERPETUAL,{inverse_usd:.0},,,\nBTC_USDC-PERPETUAL,{linear_coins:.2},,,\n");
    book
}

/// Values the account at `points` indices from 1 % to 11 times today's (the searched range),
/// evenly spaced in log-price (3,000 are 0.23 % apart, finer than the scan's finest step of
/// 1 %), and checks that it is safe exactly between the
/// distances to liquidation the scan reports: a liquidation window the scan stepped over would
/// show as a liquidatable index between them. Under standard margin also checks that the margin
/// gap is concave in the index. Returns whether the account was safe today.
fn check_against_dense_grid(
    book: &str,
    coins: f64,
    usdc: f64,
    model: &headroom::margin::MarginModel,
    points: usize,
) -> Result<bool, proptest::test_runner::TestCaseError> {
    use headroom::account::{Account, Collateral, Liquidation, MOVE_DOWN_LIMIT, MOVE_UP_LIMIT};
    use headroom::margin::MarginModel;
    let legs = sample_legs(book);
    let collateral = [
        Collateral {
            currency: "BTC".into(),
            amount: coins,
            price: 91250.5,
            underlying: Some("BTC".into()),
        },
        Collateral {
            currency: "USDC".into(),
            amount: usdc,
            price: 1.0,
            underlying: None,
        },
    ];
    let account = Account::new(&legs, &collateral, model);
    let (low, high) = ((1.0 + MOVE_DOWN_LIMIT).ln(), (1.0 + MOVE_UP_LIMIT).ln());
    let factors: Vec<f64> = (0..points)
        .map(|i| (low + (high - low) * i as f64 / (points - 1) as f64).exp())
        .collect();
    let states: Vec<_> = factors.iter().map(|f| account.state_with(|_| *f)).collect();
    if matches!(model, MarginModel::Standard(_)) {
        let gap = |i: usize| states[i].margin_balance() - states[i].maintenance;
        for i in 1..factors.len() - 1 {
            let (x0, x1, x2) = (factors[i - 1], factors[i], factors[i + 1]);
            let chord = gap(i - 1) + (gap(i + 1) - gap(i - 1)) * (x1 - x0) / (x2 - x0);
            let scale = (i - 1..=i + 1)
                .map(|j| states[j].equity.abs() + states[j].balance.abs() + states[j].maintenance)
                .fold(0.0, f64::max);
            proptest::prop_assert!(
                gap(i) >= chord - 1e-9 * scale,
                "not concave at factor {}: gap {} below the chord {}",
                x1,
                gap(i),
                chord
            );
        }
    }
    let liquidation = account.liquidation("BTC");
    if account.state().is_liquidatable() {
        proptest::prop_assert_eq!(
            liquidation,
            Liquidation {
                down: Some(0.0),
                up: Some(0.0)
            }
        );
        return Ok(false);
    }
    let down = liquidation.down.unwrap_or(f64::NEG_INFINITY);
    let up = liquidation.up.unwrap_or(f64::INFINITY);
    for (f, state) in factors.iter().zip(&states) {
        let m = f - 1.0;
        let near = |edge: f64| (m - edge).abs() <= 1e-9 * (1.0 + edge.abs());
        if near(down) || near(up) {
            continue;
        }
        proptest::prop_assert_eq!(
            state.is_liquidatable(),
            !(down < m && m < up),
            "move {} with distances {:?}",
            m,
            liquidation
        );
    }
    Ok(true)
}

proptest::proptest! {
    #![proptest_config(proptest_config(48))]
    /// Under standard margin the margin gap (balance − MM) is concave in the index: long options
    /// are left out of the balance, short options' values are concave (Black's price is convex
    /// in the forward), futures, perpetuals and coins are linear, and MM is convex (short
    /// options: 7.5 % of the index, or of the mark for puts, plus the mark; futures: a rate of
    /// a value that is linear in the index, or for coin-settled ones a constant plus a size
    /// term c/S). So the safe moves form one interval around today's index, and the scan, which
    /// steps outwards, cannot step over a liquidation window. Random books: both settlements,
    /// every expiry, vols from 5 % to 300 %, long and short, futures of both kinds, coin and
    /// USDC collateral (30 of the 48 are safe today).
    #[test]
    fn standard_margin_has_no_liquidation_window(
        options in proptest::collection::vec(
            (0usize..4, 0.3f64..3.0, proptest::bool::ANY, -20.0f64..20.0, 5.0f64..300.0,
             proptest::bool::ANY),
            1..30,
        ),
        inverse_future in -2e6f64..2e6,
        linear_future in -20.0f64..20.0,
        coins in 0.0f64..100.0,
        usdc in 0.0f64..1e7,
    ) {
        use headroom::margin::{MarginModel, StandardMargin};
        let model = MarginModel::Standard(StandardMargin::deribit());
        let book = random_book(&options, inverse_future, linear_future);
        check_against_dense_grid(&book, coins, usdc, &model, 3000)?;
    }
}

proptest::proptest! {
    #![proptest_config(proptest_config(24))]
    /// Under portfolio margin long options count in the balance and the gap is not concave,
    /// so there is no such proof: a window narrower than the scan's step could exist. On these
    /// books, weighted towards the case where one would (long options of the two nearest
    /// expiries near the money, thin collateral; 21 of these 24 are safe today), the scan
    /// agrees with a grid of 1,500 indices (0.47 % apart). In an exploratory run, 1,000 such
    /// books and 400 of the standard-margin test's kind on 3,000 indices showed no window either.
    #[test]
    fn portfolio_margin_scan_agrees_with_a_dense_grid(
        options in proptest::collection::vec(
            (0usize..2, 0.7f64..1.5, proptest::bool::ANY, -5.0f64..20.0, 5.0f64..100.0,
             proptest::bool::ANY),
            1..30,
        ),
        inverse_future in -2e6f64..2e6,
        linear_future in -20.0f64..20.0,
        coins in 0.0f64..3.0,
        usdc in 0.0f64..1e5,
    ) {
        let packs = [("BTC".to_string(), headroom::margin::portfolio::PmPack::published("BTC"))];
        let model = headroom::margin::MarginModel::DeribitPm(packs.into_iter().collect());
        let book = random_book(&options, inverse_future, linear_future);
        check_against_dense_grid(&book, coins, usdc, &model, 1500)?;
    }
}

proptest::proptest! {
    #![proptest_config(proptest_config(12))]
    /// SPAN-16 (default parameters) counts long options in its scenarios and the balance too:
    /// the same check on random books of every kind (up to 12 options: SPAN keeps no bounds
    /// between probes, so each of the 1,500 indices is a full revaluation).
    #[test]
    fn span_scan_agrees_with_a_dense_grid(
        options in proptest::collection::vec(
            (0usize..4, 0.3f64..3.0, proptest::bool::ANY, -20.0f64..20.0, 5.0f64..300.0,
             proptest::bool::ANY),
            1..12,
        ),
        inverse_future in -2e6f64..2e6,
        linear_future in -20.0f64..20.0,
        coins in 0.0f64..100.0,
        usdc in 0.0f64..1e7,
    ) {
        let model = headroom::margin::MarginModel::Span(Default::default());
        let book = random_book(&options, inverse_future, linear_future);
        check_against_dense_grid(&book, coins, usdc, &model, 1500)?;
    }
}
