//! `cargo run --release --example request FILE [RUNS]`: analyzes a JSON request file and prints the
//! report, or with RUNS the median time of that many runs (a quick native look, not a benchmark).
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: request FILE [RUNS]");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(0);
    if runs == 0 {
        match headroom::analyze_json(&text) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("error: {e}"),
        }
        return;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let report = headroom::analyze_json(&text);
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(report.is_ok());
    }
    times.sort_by(f64::total_cmp);
    println!("median {:.1} ms over {runs} runs", times[runs / 2]);
}
