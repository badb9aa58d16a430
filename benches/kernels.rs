//! Native benchmarks of the kernels the browser benchmark times in WebAssembly (scripts/bench):
//! one option's price and Greeks, a whole chain in columns, implied volatility, and `analyze` on
//! generated books (bench/books.mjs) under standard and portfolio margin.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use headroom::pricing::black::{price_and_greeks, OptionInputs, OptionKind};
use headroom::pricing::chain::{price_chain, ChainInputs};
use headroom::pricing::implied::implied_vols;
use std::hint::black_box;

/// The benchmark chain: deterministic, 10 expiries from 1 day to 2 years, strikes ±2.5 sd.
struct Chain {
    forward: Vec<f64>,
    strike: Vec<f64>,
    years: Vec<f64>,
    vol: Vec<f64>,
    is_call: Vec<u8>,
}

fn chain(n: usize) -> Chain {
    let mut c = Chain {
        forward: Vec::with_capacity(n),
        strike: Vec::with_capacity(n),
        years: Vec::with_capacity(n),
        vol: Vec::with_capacity(n),
        is_call: Vec::with_capacity(n),
    };
    let expiries: [f64; 10] = [1.0, 3.0, 7.0, 14.0, 30.0, 60.0, 91.0, 182.0, 365.0, 730.0];
    let per_expiry = n / expiries.len();
    for (e, days) in expiries.iter().enumerate() {
        let t = days / 365.0;
        let f = 91250.0 * (0.05 * t).exp();
        for j in 0..per_expiry.max(1) {
            if c.forward.len() == n {
                break;
            }
            let u = (j as f64 + 0.5) / per_expiry as f64 * 2.0 - 1.0; // −1 … 1
            let vol = 0.5 + 0.15 * u * u + 0.01 * e as f64;
            let k = f * (2.5 * u * vol * t.sqrt()).exp();
            c.forward.push(f);
            c.strike.push(k);
            c.years.push(t);
            c.vol.push(vol);
            c.is_call.push(u8::from(k >= f));
        }
    }
    c
}

fn pricing(cr: &mut Criterion) {
    let n = 10_000;
    let c = chain(n);
    let mut group = cr.benchmark_group("pricing");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("price_and_greeks (one at a time, all Greeks)", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for i in 0..n {
                let g = price_and_greeks(&OptionInputs {
                    kind: if c.is_call[i] != 0 {
                        OptionKind::Call
                    } else {
                        OptionKind::Put
                    },
                    spot: c.forward[i],
                    strike: c.strike[i],
                    years: c.years[i],
                    rate: 0.0,
                    carry: 0.0,
                    vol: c.vol[i],
                });
                sum += g.price + g.delta + g.gamma + g.vega + g.theta;
            }
            black_box(sum)
        })
    });
    let inputs = ChainInputs {
        forward: &c.forward,
        strike: &c.strike,
        years: &c.years,
        vol: &c.vol,
        is_call: &c.is_call,
        rate: 0.0,
    };
    group.bench_function("price_chain (columns, price and first-order Greeks)", |b| {
        b.iter(|| black_box(price_chain(&inputs).map(|g| g.price[n - 1])))
    });
    let prices: Vec<f64> = price_chain(&inputs).map(|g| g.price).unwrap_or_default();
    group.bench_function(
        "implied_vols (Householder in lanes, then Let's Be Rational)",
        |b| {
            b.iter(|| {
                black_box(
                    implied_vols(&prices, &c.forward, &c.strike, &c.years, &c.is_call)
                        .map(|v| v[n - 1]),
                )
            })
        },
    );
    group.finish();
}

/// `analyze` on the generated books in `HEADROOM_BENCH_BOOKS` (default target/bench-books),
/// written by `node bench/books.mjs DIR`.
fn books(cr: &mut Criterion) {
    let dir = std::env::var("HEADROOM_BENCH_BOOKS").unwrap_or_else(|_| "target/bench-books".into());
    let mut group = cr.benchmark_group("analyze");
    group.sample_size(10);
    for n in [1_000_u64, 10_000, 100_000] {
        for model in ["standard", "deribit-pm"] {
            let path = format!("{dir}/book-{n}-{model}.json");
            let Ok(text) = std::fs::read_to_string(&path) else {
                eprintln!(
                    "{path} is missing: run `node bench/books.mjs {dir}` (scripts/bench does)"
                );
                continue;
            };
            let mut de = serde_json::Deserializer::from_str(&text);
            let Ok(request) = headroom::request::from_deserializer(&mut de) else {
                eprintln!("{path}: not a request");
                continue;
            };
            group.throughput(Throughput::Elements(n));
            group.bench_with_input(BenchmarkId::new(model, n), &request, |b, request| {
                b.iter_batched(
                    || (),
                    |_| black_box(headroom::analyze(request).is_ok()),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(benches, pricing, books);
criterion_main!(benches);
