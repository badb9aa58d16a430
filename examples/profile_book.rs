//! Times `analyze` on one request file, for profiling (`perf record`) outside criterion:
//!
//!     node bench/books.mjs target/bench-books
//!     cargo run --release --example profile_book target/bench-books/book-10000-deribit-pm.json 5
//!
//! Prints each run's time to stderr; with one run, the report's JSON to stdout.
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: profile_book REQUEST.json [RUNS]");
        return ExitCode::FAILURE;
    };
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    let request = match headroom::request::from_deserializer(&mut de) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let report = headroom::analyze(&request);
        let elapsed = start.elapsed();
        match report {
            Ok(report) if runs == 1 => {
                eprintln!("{elapsed:?}");
                println!("{}", serde_json::to_string(&report).unwrap_or_default());
            }
            Ok(_) => eprintln!("{elapsed:?}"),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
