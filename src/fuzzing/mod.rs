//! What the fuzz targets (`fuzz/`) and the round-trip properties drive: the real stages that
//! read outside input, each reachable from bytes with no file system and no network. Not an
//! API: it moves with the stages it exposes.
//!
//! ```text
//! SOAP answer bytes ──gateway::answer::read_message / read_answer──> JSON | Fault | Problem
//! JSON body + path + query ──gateway::encode_request──> envelope | Problem
//! WSDL/XSD bytes ──load_contract (memory only)──> Wsdl | WsdlError
//! mapping bytes ──compile_mapping (preloaded contract)──> Mappings | Diagnostics
//! Gen value ──element/type/envelope_round_trip──> equal, or why not
//! ```
//!
//! Sits above every floor, like the tests: may import anything.

pub mod values;

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use proptest::strategy::{BoxedStrategy, Strategy as _, ValueTree as _};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

pub use crate::gateway::answer::{Answer, read_answer, read_message};
pub use crate::gateway::encode_request;
use crate::mapping::{Compiler, Diagnostic, Mappings, Options};
use crate::soap::{self, Response};
pub use crate::translate::Select;
use crate::translate::decode::Flush;
use crate::translate::events::{Ev, Limits, LiveSource, Source as _};
use crate::translate::stream::StreamSource;
use crate::translate::{Decoder, Encoder, XmlWriter};
use crate::wsdl::{self, ElemId, Location, Operation, Schema, SoapVersion, Sources, TypeId, Wsdl};

/// Sources that hold `docs` (virtual path, text) and read nothing else.
pub fn memory_sources(docs: impl IntoIterator<Item = (String, String)>) -> Sources {
    let mut sources = Sources {
        memory_only: true,
        ..Sources::default()
    };
    for (path, text) in docs {
        sources.memory.insert(path, Cow::Owned(text));
    }
    sources
}

/// Loads the contract whose entry is `entry`, reading only `sources`.
pub fn load_contract(entry: &str, sources: &Sources) -> Result<Wsdl, wsdl::WsdlError> {
    wsdl::load(&Location::Memory(entry.to_owned()), sources)
}

/// Compiles the mapping `text` (named `path`) with `contract` already loaded at `location`,
/// an empty environment, no gateway configuration and `sources` for any other contract.
pub fn compile_mapping(
    path: &Path,
    text: &str,
    contract: (&Location, Arc<Wsdl>),
    sources: Sources,
) -> Result<Mappings, Vec<Diagnostic>> {
    let opts = Options {
        endpoint_override: None,
        sources,
        policies: None,
    };
    let env = |_: &str| None;
    let mut c = Compiler::new(opts, &env);
    c.preload(contract.0, contract.1);
    c.add_text(path, text);
    c.finish()
}

/// A value of `strategy` drawn with `bytes` as its randomness, so that a coverage-guided
/// fuzzer steers the generator; `None` when the strategy gives up.
///
/// The bytes seed a ChaCha stream ([`seed_of`]); they are not read one for one. Proptest's
/// pass-through generator, which reads them one for one, yields zeros once they run out, and
/// rand's unbiased integer sampling (Lemire's method) rejects a zero draw for most ranges and
/// draws again: a generator that needed more numbers than the input held spun forever (with
/// 48 bytes of input, and again with 256 KiB of derived bytes after them). A stream never
/// runs out. Coverage still steers the search: an input whose seed reaches new code is kept
/// and mutated, and the same input always draws the same value.
pub fn draw(strategy: &BoxedStrategy<Value>, bytes: &[u8]) -> Option<Value> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_of(bytes));
    // A filter that keeps rejecting the fuzzer's bytes gives up soon, not after proptest's
    // tens of thousands of tries (each run must stay fast).
    let config = Config {
        failure_persistence: None,
        max_local_rejects: 16,
        max_global_rejects: 64,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng);
    strategy.new_tree(&mut runner).ok().map(|t| t.current())
}

/// 32 bytes that depend on every byte of `bytes` (a seed, not a secret): fastrand's
/// generator seeded with their hash.
fn seed_of(bytes: &[u8]) -> [u8; 32] {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    let mut seed = [0u8; 32];
    fastrand::Rng::with_seed(h.finish()).fill(&mut seed);
    seed
}

/// `v` as the global element `e`, written and read back: `Err` says how it came back.
pub fn element_round_trip(schema: &Schema, e: ElemId, v: &Value) -> Result<(), String> {
    let mut w = XmlWriter::new();
    Encoder::new(schema, false)
        .element(&mut w, e, v)
        .map_err(|err| format!("encode refused {v}: {err}"))?;
    let xml = w.finish();
    let back = read_back(schema, schema.element(e).ty, &xml)?;
    same(&back, v, &xml)
}

/// `v` as the content of type `ty` inside a `<root>` element, written and read back.
pub fn type_round_trip(schema: &Schema, ty: TypeId, v: &Value) -> Result<(), String> {
    let mut w = XmlWriter::new();
    w.start("urn:test", "root");
    Encoder::new(schema, false)
        .content(&mut w, ty, v)
        .map_err(|err| format!("encode refused {v}: {err}"))?;
    w.end();
    let xml = w.finish();
    let back = read_back(schema, ty, &xml)?;
    same(&back, v, &xml)
}

/// `v` as the input of `op` in a whole request envelope, written and read back.
pub fn envelope_round_trip(
    schema: &Schema,
    op: &Operation,
    version: SoapVersion,
    v: &Value,
) -> Result<(), String> {
    let xml = soap::build_request(schema, op, version, v, None, &[])
        .map_err(|err| format!("encode refused {v}: {err}"))?;
    match soap::parse_request(schema, op, &xml, Limits::default()) {
        Ok(Response::Ok { body, .. }) => same(&body, v, &xml),
        other => Err(format!("{other:?}\nXML: {xml}")),
    }
}

fn read_back(schema: &Schema, ty: TypeId, xml: &str) -> Result<Value, String> {
    let mut src = LiveSource::new(xml, Limits::default());
    let start = match src.next() {
        Ok(Ev::Start(s)) => s,
        other => return Err(format!("no root in {xml}: {other:?}")),
    };
    let tree = Decoder::new(schema)
        .element(&mut src, &start, ty)
        .map_err(|err| format!("decode failed: {err}\nXML: {xml}"))?;
    // The streaming decoder writes exactly the text the tree serialises to.
    let mut src = LiveSource::new(xml, Limits::default());
    let Ok(Ev::Start(start)) = src.next() else {
        return Err(format!("no root in {xml}"));
    };
    let mut out = Vec::new();
    match Decoder::new(schema).element_to_json(&mut src, &start, ty, &mut out) {
        Ok(true) => {
            let text = serde_json::to_string(&tree).map_err(|e| e.to_string())?;
            if String::from_utf8_lossy(&out) != text {
                return Err(format!(
                    "streaming wrote {}\ntree gives {text}\nXML: {xml}",
                    String::from_utf8_lossy(&out)
                ));
            }
        }
        // Left to the tree decoder (out of schema order, anyType content).
        Ok(false) => return Ok(tree),
        Err(err) => return Err(format!("streaming decode failed: {err}\nXML: {xml}")),
    }
    // Read from a stream, a few bytes at a time, every finished element handed on at once:
    // the same text again.
    let streamed = stream_json(schema, ty, xml)?;
    if String::from_utf8_lossy(&streamed) != String::from_utf8_lossy(&out) {
        return Err(format!(
            "read from a stream, wrote {}\nheld whole, wrote {}\nXML: {xml}",
            String::from_utf8_lossy(&streamed),
            String::from_utf8_lossy(&out)
        ));
    }
    Ok(tree)
}

/// A reader that hands out a few bytes at a time, as a network stream does.
pub struct Trickle<'a>(pub &'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The element of `xml` decoded as `ty` from a stream, with a flush after every finished
/// element: what was flushed and what was left, together.
fn stream_json(schema: &Schema, ty: TypeId, xml: &str) -> Result<Vec<u8>, String> {
    let input = std::io::BufReader::with_capacity(16, Trickle(xml.as_bytes()));
    let mut src = StreamSource::new(input, Limits::default());
    let Ok(Ev::Start(start)) = src.next() else {
        return Err(format!("no root in {xml}"));
    };
    let flushed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = flushed.clone();
    let flush: Flush<'_> = Box::new(move |out: &mut Vec<u8>| {
        if let Ok(mut f) = sink.lock() {
            f.append(out);
        }
        Ok(())
    });
    let mut out = Vec::new();
    let mut dec = Decoder::streaming(schema, flush, 1);
    match dec.element_to_json(&mut src, &start, ty, &mut out) {
        Ok(true) => {}
        Ok(false) => return Err(format!("the stream needed the tree\nXML: {xml}")),
        Err(err) => return Err(format!("stream decode failed: {err}\nXML: {xml}")),
    }
    let mut all = flushed.lock().map(|f| f.clone()).unwrap_or_default();
    all.extend_from_slice(&out);
    Ok(all)
}

fn same(back: &Value, v: &Value, xml: &str) -> Result<(), String> {
    if back == v {
        Ok(())
    } else {
        Err(format!("sent {v}\nread {back}\nXML: {xml}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs the `roundtrip` target spun on: a case selector, then 48 bytes, fewer than
    /// the rpc/literal `Path` request's and the demo's `Customer` generators draw. Past their
    /// end, zeros made the integer sampler reject forever; seeding a stream, they draw a value
    /// at once.
    #[test]
    fn a_generator_that_outdraws_its_input_still_finishes() {
        let root = env!("CARGO_MANIFEST_DIR");
        let load = |p: &str| -> &'static Wsdl {
            Box::leak(Box::new(
                wsdl::load_path(&format!("{root}/{p}")).expect("fixture"),
            ))
        };
        let conv = load("tests/fixtures/conventions.wsdl");
        let path = conv
            .binding_by_name("RpcBinding")
            .and_then(|(_, b)| b.operation("Path"))
            .expect("the Path operation")
            .input
            .body
            .content;
        let demo = load("wsdl/customers.wsdl");
        let customer = demo.schema.global_types
            [&crate::wsdl::QName::new("http://example.com/soapbridge/customers", "Customer")];
        let cases = [
            (conv, path, (b'b'..=0x91).collect::<Vec<u8>>()),
            (demo, customer, (b'1'..=b'`').collect()),
        ];
        for (w, ty, seed) in cases {
            let (tx, rx) = std::sync::mpsc::channel();
            // A hang is the failure this test pins: it runs on its own thread, so the test
            // fails instead of hanging the suite.
            let input = seed.clone();
            std::thread::spawn(move || {
                let strategy = values::Gen::new(w).typed(ty, 0);
                let _ = tx.send(draw(&strategy, &input).is_some());
            });
            let drawn = rx
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("the draw finished");
            assert!(drawn, "the generator gave up instead of drawing a value");
            // The same input draws the same value.
            let again = values::Gen::new(w).typed(ty, 0);
            assert_eq!(draw(&again, &seed), draw(&again, &seed));
        }
    }
}
