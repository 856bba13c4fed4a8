//! Codec throughput on the demo contract (`wsdl/customers.wsdl`), with baselines measured in
//! the same run.
//!
//! ```text
//! small: GetCustomerResponse, one Customer (~1 KB envelope, 13 fields)
//! large: ListOrdersResponse, 250 orders with 1-3 lines each (~500 lines, ~120 KB envelope)
//!
//! encode       JSON ──soap::build_message (output message)──> envelope text
//! decode       envelope text ──soap::parse_response_json──> JSON text (the answer path)
//! decode_tree  envelope text ──soap::parse_response──> Value ──serde_json──> JSON text
//!              (the tree decoder, kept as the reference and for the rare documents)
//! baselines on the same bytes:
//!   quick_xml_scan     quick-xml Reader, every event read, nothing resolved
//!   quick_xml_ns_scan  quick-xml NsReader, element names resolved, text read
//!   json_parse         serde_json text -> Value of the same JSON
//!   json_serialize     serde_json Value -> text
//! ```
//!
//! `build_request` is `build_message` on the input message; the output message is used here
//! so that encode writes exactly the envelope decode reads. Throughput is bytes of XML for
//! the codec and quick-xml benches and bytes of JSON for the serde_json ones, so every line
//! reads as MB/s. After criterion, a same-run check prints each codec line as a fraction of
//! `quick_xml_scan` on the same bytes (medians of interleaved rounds, so load on the machine
//! hits both alike). `scripts/bench.sh` prints the medians, MB/s and the ratios.
//!
//! The documents are generated here, deterministically; set `SOAPBRIDGE_BENCH_DUMP=dir` to
//! write them out for inspection.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput};
use quick_xml::events::Event;
use quick_xml::reader::{NsReader, Reader};
use serde_json::Value;
use soapbridge::soap::{self, JsonResponse, Response};
use soapbridge::translate::{Limits, Select};
use soapbridge::wsdl::{self, Location, Operation, SoapVersion, Sources, Wsdl};

/// One benchmarked message: its JSON (value and text) and its envelope.
struct Doc {
    name: &'static str,
    op: &'static str,
    json: Value,
    json_text: String,
    xml: String,
}

fn load_contract() -> Arc<Wsdl> {
    let mut sources = Sources::default();
    sources.memory.insert(
        "customers.wsdl".into(),
        include_str!("../wsdl/customers.wsdl").into(),
    );
    let wsdl = wsdl::load(&Location::Memory("customers.wsdl".into()), &sources)
        .expect("customers.wsdl loads");
    Arc::new(wsdl)
}

fn operation<'w>(wsdl: &'w Wsdl, name: &str) -> &'w Operation {
    wsdl.binding_by_name("CustomerServiceSoap11")
        .and_then(|(_, b)| b.operation(name))
        .expect("operation in customers.wsdl")
}

fn encode(wsdl: &Wsdl, op: &Operation, json: &Value) -> String {
    let out = op.output.as_ref().expect("operation has an output");
    soap::build_message(&wsdl.schema, out, SoapVersion::V11, json, None, &[]).expect("encodes")
}

fn decode(wsdl: &Wsdl, op: &Operation, xml: &str) -> Value {
    match soap::parse_response(&wsdl.schema, op, xml, Limits::default()).expect("decodes") {
        Response::Ok { body, .. } => body,
        Response::Fault(f) => panic!("unexpected fault: {f:?}"),
    }
}

fn decode_json(wsdl: &Wsdl, op: &Operation, xml: &str, out: &mut Vec<u8>) {
    out.clear();
    match soap::parse_response_json(
        &wsdl.schema,
        op,
        xml,
        Limits::default(),
        Select::default(),
        out,
    )
    .expect("decodes")
    {
        JsonResponse::Ok { .. } => {}
        JsonResponse::Fault(f) => panic!("unexpected fault: {f:?}"),
    }
}

fn decode_tree(wsdl: &Wsdl, op: &Operation, xml: &str) -> Vec<u8> {
    serde_json::to_vec(&decode(wsdl, op, xml)).expect("serializes")
}

/// JSON text with exact numbers (`serde_json` keeps the digits as written).
fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("generated JSON parses")
}

fn customer_json() -> String {
    r#"{"customer":{
        "customerId":4711,
        "name":"Zoë Müller & Söhne <GmbH>",
        "email":"zoe.mueller@example.com",
        "status":"ACTIVE",
        "vip":true,
        "balance":{"currency":"EUR","$value":12345.50},
        "creditLimit":9223372036854775807,
        "rating":4.75,
        "since":"2019-03-14",
        "lastLogin":"2024-05-06T07:08:09.123+02:00",
        "tags":["gold","early-adopter","newsletter","b2b"],
        "address":{"street":"Königstraße 12","city":"Stuttgart","postalCode":"70173","country":"DE"},
        "phone":[{"kind":"mobile","$value":"+49 171 5550100"},{"kind":"work","$value":"+49 711 5550199"},{"$value":"+49 711 5550100"}]
    }}"#
    .to_owned()
}

/// A small deterministic generator (xorshift), so the documents vary without a seed file.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn orders_json(orders: usize) -> String {
    const STATUS: [&str; 3] = ["OPEN", "SHIPPED", "CANCELLED"];
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut out = String::from("{\"order\":[");
    for i in 0..orders {
        if i > 0 {
            out.push(',');
        }
        let lines = 1 + g.below(3) as usize;
        let mut total_cents = 0u64;
        let mut line_json = Vec::with_capacity(lines);
        for _ in 0..lines {
            let sku = format!(
                "{}{}{}-{:04}",
                (b'A' + g.below(26) as u8) as char,
                (b'A' + g.below(26) as u8) as char,
                (b'A' + g.below(26) as u8) as char,
                g.below(10_000)
            );
            let qty = 1 + g.below(20);
            let cents = 99 + g.below(50_000);
            total_cents += qty * cents;
            line_json.push(format!(
                "{{\"sku\":\"{sku}\",\"quantity\":{qty},\"unitPrice\":{}.{:02}}}",
                cents / 100,
                cents % 100
            ));
        }
        let day = 1 + g.below(28);
        let month = 1 + g.below(12);
        let (h, m, s) = (g.below(24), g.below(60), g.below(60));
        let note = if g.below(4) == 0 {
            format!(",\"note\":\"Deliver to dock {} & call ahead\"", g.below(9))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{{\"orderId\":\"ORD-2024-{i:06}\",\"customerId\":{},\"placedAt\":\"2024-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z\",\
             \"status\":\"{}\",\"total\":{{\"currency\":\"EUR\",\"$value\":{}.{:02}}},\"line\":[{}]{note}}}",
            1000 + g.below(9000),
            STATUS[g.below(3) as usize],
            total_cents / 100,
            total_cents % 100,
            line_json.join(",")
        ));
    }
    out.push_str("]}");
    out
}

fn docs(wsdl: &Wsdl) -> Vec<Doc> {
    let mut docs = Vec::new();
    for (name, op, text) in [
        ("small", "GetCustomer", customer_json()),
        ("large", "ListOrders", orders_json(250)),
    ] {
        let json = parse(&text);
        let xml = encode(wsdl, operation(wsdl, op), &json);
        // The benchmarks below must measure a faithful round trip.
        assert_eq!(
            decode(wsdl, operation(wsdl, op), &xml),
            json,
            "{name}: the envelope does not read back as its JSON"
        );
        let json_text = serde_json::to_string(&json).expect("serializes");
        let mut streamed = Vec::new();
        decode_json(wsdl, operation(wsdl, op), &xml, &mut streamed);
        assert_eq!(
            streamed,
            json_text.as_bytes(),
            "{name}: the streaming decoder and the tree decoder disagree"
        );
        docs.push(Doc {
            name,
            op,
            json,
            json_text,
            xml,
        });
    }
    if let Some(dir) = std::env::var_os("SOAPBRIDGE_BENCH_DUMP") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("dump folder");
        for d in &docs {
            std::fs::write(dir.join(format!("{}.xml", d.name)), &d.xml).expect("write xml");
            std::fs::write(dir.join(format!("{}.json", d.name)), &d.json_text).expect("write json");
        }
    }
    docs
}

fn quick_xml_scan(xml: &str) -> usize {
    let mut reader = Reader::from_str(xml);
    let mut events = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return events,
            Ok(e) => {
                black_box(&e);
                events += 1;
            }
            Err(e) => panic!("scan: {e}"),
        }
    }
}

fn quick_xml_ns_scan(xml: &str) -> usize {
    let mut reader = NsReader::from_str(xml);
    let mut bytes = 0usize;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Eof)) => return bytes,
            Ok((ns, Event::Start(e) | Event::Empty(e))) => {
                black_box(&ns);
                bytes += e.local_name().into_inner().len();
            }
            Ok((_, Event::Text(t))) => bytes += t.xml10_content().len(),
            Ok(other) => {
                black_box(&other);
            }
            Err(e) => panic!("scan: {e}"),
        }
    }
}

fn bench(c: &mut Criterion) {
    let wsdl = load_contract();
    for d in docs(&wsdl) {
        let op = operation(&wsdl, d.op);
        let mut group = c.benchmark_group(d.name);
        let xml_bytes = Throughput::Bytes(d.xml.len() as u64);
        let json_bytes = Throughput::Bytes(d.json_text.len() as u64);

        group.throughput(xml_bytes.clone());
        group.bench_function("encode", |b| {
            b.iter(|| encode(&wsdl, op, black_box(&d.json)))
        });
        let mut out = Vec::with_capacity(d.xml.len());
        group.bench_function("decode", |b| {
            b.iter(|| decode_json(&wsdl, op, black_box(&d.xml), &mut out))
        });
        group.bench_function("decode_tree", |b| {
            b.iter(|| decode_tree(&wsdl, op, black_box(&d.xml)))
        });
        group.bench_function("quick_xml_scan", |b| {
            b.iter(|| quick_xml_scan(black_box(&d.xml)))
        });
        group.bench_function("quick_xml_ns_scan", |b| {
            b.iter(|| quick_xml_ns_scan(black_box(&d.xml)))
        });

        group.throughput(json_bytes);
        group.bench_function("json_parse", |b| b.iter(|| parse(black_box(&d.json_text))));
        group.bench_function("json_serialize", |b| {
            b.iter(|| serde_json::to_string(black_box(&d.json)).expect("serializes"))
        });
        group.finish();
    }
}

/// Median time of one call of `f`, over `rounds` rounds of enough calls to last ~20 ms.
fn median_of(rounds: usize, mut f: impl FnMut()) -> Vec<f64> {
    let start = std::time::Instant::now();
    let mut calls = 0u32;
    while start.elapsed().as_millis() < 20 {
        f();
        calls += 1;
    }
    let calls = calls.max(1);
    (0..rounds)
        .map(|_| {
            let t = std::time::Instant::now();
            for _ in 0..calls {
                f();
            }
            t.elapsed().as_secs_f64() / f64::from(calls)
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Each codec line against `quick_xml_scan` on the same bytes, measured in interleaved
/// rounds.
fn raw_scan_ratios() {
    let wsdl = load_contract();
    println!("\nsame-run ratios to a raw quick-xml scan of the same bytes (higher is faster):");
    for d in docs(&wsdl) {
        let op = operation(&wsdl, d.op);
        let mut out = Vec::with_capacity(d.xml.len());
        let (mut scan, mut dec, mut tree, mut enc) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..9 {
            scan.extend(median_of(1, || {
                black_box(quick_xml_scan(black_box(&d.xml)));
            }));
            dec.extend(median_of(1, || {
                decode_json(&wsdl, op, black_box(&d.xml), &mut out)
            }));
            tree.extend(median_of(1, || {
                black_box(decode_tree(&wsdl, op, black_box(&d.xml)));
            }));
            enc.extend(median_of(1, || {
                black_box(encode(&wsdl, op, black_box(&d.json)));
            }));
        }
        let (scan, dec, tree, enc) = (median(scan), median(dec), median(tree), median(enc));
        let mbs = |t: f64| d.xml.len() as f64 / t / (1024.0 * 1024.0);
        println!(
            "  {:5}  quick_xml_scan {:7.1} MiB/s | decode {:6.1} MiB/s = {:4.0} % | decode_tree {:6.1} MiB/s = {:4.0} % | encode {:6.1} MiB/s = {:4.0} %",
            d.name,
            mbs(scan),
            mbs(dec),
            100.0 * scan / dec,
            mbs(tree),
            100.0 * scan / tree,
            mbs(enc),
            100.0 * scan / enc,
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    // `cargo bench -- <filter>` and `--list` ask for criterion alone.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().all(|a| a.starts_with('-')) && !args.iter().any(|a| a == "--list") {
        raw_scan_ratios();
    }
}
