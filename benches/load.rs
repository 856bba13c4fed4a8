//! WSDL load time and the memory of the loaded model, on contracts of the real-world corpus.
//!
//! ```text
//! main ──for each contract──> this binary again, `--one <path>` (a fresh process, so the
//!   │                           peaks of one load do not hide in another's)
//!   │                            ├─ load once: heap bytes live after (the model), heap peak,
//!   │                            │             bytes allocated in total, VmRSS delta, VmHWM
//!   │                            └─ load again and again for ~3 s: median, min, max
//!   └─ one table
//! ```
//!
//! Heap figures come from a counting global allocator (`cap`); RSS figures from
//! `/proc/self/status`. The corpus is `../shared/wsdl-corpus` beside the project, or
//! `SOAPBRIDGE_WSDL_CORPUS`; when it is absent, only the demo contract is measured and the
//! run says so. `SOAPBRIDGE_LOAD_SECS` sets the time spent per contract (default 3).
//!
//! `cargo bench --bench load [-- FILTER]` runs it. Without `--bench` (a test run of the
//! benches) it loads the demo contract once and stops.

use std::alloc::System;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cap::Cap;
use soapbridge::wsdl::{self, Location, Sources, Wsdl};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// The contracts measured: a label and a path inside the corpus (`None`: the demo contract).
const CONTRACTS: &[(&str, Option<&str>)] = &[
    ("demo customers.wsdl", None),
    (
        "Cisco AXL 11.0",
        Some("ciscoaxl-dev/ciscoaxl/schema/11.0/AXLAPI.wsdl"),
    ),
    (
        "FedEx Ship v15",
        Some("fedex-npm/package/lib/wsdl/ShipService_v15.wsdl"),
    ),
    (
        "Salesforce Metadata 47",
        Some("salesforce-metadata/package/resources/wsdl/metadata/47.xml"),
    ),
    (
        "ONVIF devicemgmt",
        Some("onvif-zeep/onvif_zeep-0.2.12/wsdl/devicemgmt.wsdl"),
    ),
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("SOAPBRIDGE_WSDL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared/wsdl-corpus"))
}

fn load(path: &Path) -> Wsdl {
    let text = path.to_string_lossy();
    wsdl::load(&Location::parse(&text), &Sources::default())
        .unwrap_or_else(|e| panic!("{text} does not load: {e}"))
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`), in bytes; 0 where unavailable.
fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':').map(str::to_owned))
        })
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Measures one contract in this process and prints one `RESULT key=value ...` line.
fn measure_one(path: &Path) {
    let budget = std::env::var("SOAPBRIDGE_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(Duration::from_secs(3), Duration::from_secs_f64);

    let rss_before = proc_status_kb("VmRSS");
    let live_before = ALLOC.allocated();
    let total_before = ALLOC.total_allocated();
    let started = Instant::now();
    let model = load(path);
    let first = started.elapsed();
    let live_after = ALLOC.allocated();
    let peak = ALLOC.max_allocated();
    let total_after = ALLOC.total_allocated();
    let rss_after = proc_status_kb("VmRSS");
    let hwm = proc_status_kb("VmHWM");

    let operations: usize = model.bindings.iter().map(|b| b.operations.len()).sum();
    let (types, elements, documents) = (
        model.schema.types.len(),
        model.schema.elements.len(),
        model.documents,
    );
    drop(model);

    let mut times = Vec::new();
    let clock = Instant::now();
    while times.len() < 3 || (clock.elapsed() < budget && times.len() < 50) {
        let t = Instant::now();
        let m = load(path);
        times.push(t.elapsed());
        drop(std::hint::black_box(m));
    }
    times.sort();
    let median = times[times.len() / 2];

    println!(
        "RESULT documents={documents} operations={operations} types={types} elements={elements} \
         first_ns={} median_ns={} min_ns={} max_ns={} runs={} model_bytes={} peak_bytes={} \
         allocated_bytes={} rss_delta_bytes={} hwm_bytes={hwm}",
        first.as_nanos(),
        median.as_nanos(),
        times[0].as_nanos(),
        times[times.len() - 1].as_nanos(),
        times.len(),
        live_after.saturating_sub(live_before),
        peak.saturating_sub(live_before),
        total_after.saturating_sub(total_before),
        rss_after.saturating_sub(rss_before),
    );
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn ms(ns: u64) -> String {
    format!("{:.1} ms", ns as f64 / 1e6)
}

/// Runs `--one` for `path` in a child process and parses its result line.
fn measure_in_child(path: &Path) -> Result<BTreeMap<String, u64>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("--bench")
        .arg("--one")
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
        return Err(format!(
            "no result ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    };
    Ok(line
        .split_whitespace()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.to_owned(), v.parse().ok()?))
        })
        .collect())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--one") {
        let path = args.get(i + 1).expect("--one takes a path");
        measure_one(Path::new(path));
        return;
    }
    let demo = manifest_dir().join("wsdl/customers.wsdl");
    if !args.iter().any(|a| a == "--bench") {
        let w = load(&demo);
        println!(
            "load: the demo contract loads ({} operations); run `cargo bench --bench load` to measure",
            w.bindings.iter().map(|b| b.operations.len()).sum::<usize>()
        );
        return;
    }
    let filter: Option<&str> = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str);

    let corpus = corpus_dir();
    let corpus_present = corpus.is_dir();
    if !corpus_present {
        println!(
            "SKIPPED: WSDL corpus not found at {} (set SOAPBRIDGE_WSDL_CORPUS); \
             only the demo contract is measured.",
            corpus.display()
        );
    }

    println!(
        "{:<24} {:>5} {:>5} {:>6} {:>7} {:>10} {:>10} {:>10} {:>5} {:>11} {:>11} {:>11} {:>11} {:>11}",
        "contract",
        "docs",
        "ops",
        "types",
        "elems",
        "median",
        "min",
        "first",
        "runs",
        "model heap",
        "peak heap",
        "allocated",
        "RSS delta",
        "VmHWM"
    );
    for (label, rel) in CONTRACTS {
        if filter.is_some_and(|f| !label.to_lowercase().contains(&f.to_lowercase())) {
            continue;
        }
        let path = match rel {
            None => demo.clone(),
            Some(rel) => corpus.join(rel),
        };
        if !path.is_file() {
            println!("{label:<24} SKIPPED: {} not found", path.display());
            continue;
        }
        match measure_in_child(&path) {
            Ok(r) => {
                let g = |k: &str| r.get(k).copied().unwrap_or(0);
                println!(
                    "{:<24} {:>5} {:>5} {:>6} {:>7} {:>10} {:>10} {:>10} {:>5} {:>11} {:>11} {:>11} {:>11} {:>11}",
                    label,
                    g("documents"),
                    g("operations"),
                    g("types"),
                    g("elements"),
                    ms(g("median_ns")),
                    ms(g("min_ns")),
                    ms(g("first_ns")),
                    g("runs"),
                    mib(g("model_bytes")),
                    mib(g("peak_bytes")),
                    mib(g("allocated_bytes")),
                    mib(g("rss_delta_bytes")),
                    mib(g("hwm_bytes")),
                );
            }
            Err(e) => println!("{label:<24} FAILED: {e}"),
        }
    }
    println!(
        "model heap: bytes still allocated with the model alive; peak heap: the most allocated \
         during the load; allocated: bytes allocated in total by one load; RSS delta and \
         VmHWM: resident memory of the measuring process (first load)."
    );
}
