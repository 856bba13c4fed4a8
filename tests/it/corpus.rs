//! Every real-world WSDL of the shared corpus loads, with the operation counts its
//! `FEATURES.txt` gives; `inspect` lists every SOAP binding with all its operations.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::support;

/// `ops=` and `bind=` of a FEATURES.txt line.
struct Expected {
    ops: usize,
    soap: bool,
}

fn features(dir: &std::path::Path) -> Vec<(String, Expected)> {
    let text = std::fs::read_to_string(dir.join("FEATURES.txt")).expect("FEATURES.txt");
    let mut out = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split(" | ").map(str::trim).collect();
        if cols.len() < 5 || !cols[1].starts_with('v') {
            continue;
        }
        let ops = cols
            .iter()
            .find_map(|c| c.strip_prefix("ops="))
            .and_then(|n| n.parse().ok())
            .expect("ops=");
        let bind = cols
            .iter()
            .find_map(|c| c.strip_prefix("bind="))
            .unwrap_or("-");
        out.push((
            cols[0].to_owned(),
            Expected {
                ops,
                soap: bind.contains("soap11") || bind.contains("soap12"),
            },
        ));
    }
    out
}

/// FEATURES.txt shortens long paths as `prefix/…/suffix`.
fn matches(feature_path: &str, entry: &str) -> bool {
    match feature_path.split_once("…/") {
        Some((prefix, suffix)) => {
            entry.starts_with(prefix) && entry.ends_with(&format!("/{suffix}"))
        }
        None => feature_path == entry,
    }
}

#[test]
fn every_corpus_entry_loads_with_its_operation_counts() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let entries = support::corpus_entries(&dir);
    let feats = features(&dir);
    assert_eq!(entries.len(), 57, "the corpus lists 57 entries");
    let mut failures = Vec::new();
    let mut totals = (0usize, 0usize, 0usize);
    for entry in &entries {
        let expected = feats
            .iter()
            .filter(|(p, _)| matches(p, entry))
            .map(|(_, e)| e)
            .next()
            .unwrap_or_else(|| panic!("no FEATURES.txt line for {entry}"));
        let path = dir.join(entry);
        let w = match soapbridge::wsdl::load_path(&path.to_string_lossy()) {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!("{entry}: does not load: {e}"));
                continue;
            }
        };
        // Operations per port type, over the SOAP bindings (several bindings may share one).
        let mut per_port_type: BTreeMap<String, usize> = BTreeMap::new();
        for b in &w.bindings {
            let prev = per_port_type.insert(b.port_type.to_string(), b.operations.len());
            if let Some(prev) = prev
                && prev != b.operations.len()
            {
                failures.push(format!(
                    "{entry}: bindings of {} differ in operation count",
                    b.port_type
                ));
            }
        }
        let ops: usize = per_port_type.values().sum();
        if expected.soap {
            if ops != expected.ops {
                failures.push(format!(
                    "{entry}: {ops} operations, FEATURES.txt says {}",
                    expected.ops
                ));
            }
        } else if !w.bindings.is_empty() {
            failures.push(format!(
                "{entry}: has no SOAP binding per FEATURES.txt, loaded {}",
                w.bindings.len()
            ));
        } else if w.notes.is_empty() {
            failures.push(format!("{entry}: no SOAP binding and no note saying so"));
        }
        // inspect lists the same bindings and operations.
        let v = soapbridge::inspect::to_json(&w);
        let listed: usize = v["bindings"]
            .as_array()
            .expect("bindings")
            .iter()
            .map(|b| b["operations"].as_array().map_or(0, Vec::len))
            .sum();
        let loaded: usize = w.bindings.iter().map(|b| b.operations.len()).sum();
        if listed != loaded {
            failures.push(format!(
                "{entry}: inspect lists {listed} operations, {loaded} loaded"
            ));
        }
        totals.0 += 1;
        totals.1 += w.bindings.len();
        totals.2 += loaded;
    }
    eprintln!(
        "corpus: {} entries loaded, {} SOAP bindings, {} binding operations",
        totals.0, totals.1, totals.2
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn axl_loads_with_every_operation() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let path = dir.join("ciscoaxl-dev/ciscoaxl/schema/11.0/AXLAPI.wsdl");
    let started = Instant::now();
    let w = soapbridge::wsdl::load_path(&path.to_string_lossy()).expect("AXL loads");
    let elapsed = started.elapsed();
    // Not a timing assertion (benches/load.rs measures): the size of what was loaded.
    assert_eq!(w.bindings[0].operations.len(), 1009);
    assert!(w.schema.types.len() > 3000, "{}", w.schema.types.len());
    eprintln!(
        "AXL: {} types, {} elements, loaded in {elapsed:?} (debug build)",
        w.schema.types.len(),
        w.schema.elements.len()
    );
}

#[test]
fn a_missing_import_names_the_file_and_the_reference() {
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">
  <types>
    <xsd:schema targetNamespace="urn:t">
      <xsd:import namespace="urn:other" schemaLocation="missing/other.xsd"/>
    </xsd:schema>
  </types>
</definitions>"#;
    let path = dir.path().join("broken.wsdl");
    std::fs::write(&path, wsdl).expect("write");
    let err = soapbridge::wsdl::load_path(&path.to_string_lossy()).expect_err("missing import");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}:4: xsd:import of `missing/other.xsd`",
            path.display()
        )),
        "{msg}"
    );
    assert!(msg.contains("file not found"), "{msg}");
    assert!(
        msg.contains(&dir.path().join("missing/other.xsd").display().to_string()),
        "{msg}"
    );
}

#[test]
fn a_document_that_is_not_a_wsdl_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("page.wsdl");
    std::fs::write(&p, "<html><body>login</body></html>").expect("write");
    let e = soapbridge::wsdl::load_path(&p.to_string_lossy()).expect_err("not a wsdl");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: is not a WSDL 1.1 document: its root element is `html`",
            p.display()
        )
    );
    std::fs::write(&p, "not xml < at all").expect("write");
    let e = soapbridge::wsdl::load_path(&p.to_string_lossy()).expect_err("not xml");
    assert!(
        e.to_string().contains("not a WSDL 1.1 document")
            || e.to_string().contains("not well-formed"),
        "{e}"
    );
    let e = soapbridge::wsdl::load_path(&dir.path().join("absent.wsdl").to_string_lossy())
        .expect_err("absent");
    assert!(
        e.to_string().ends_with("absent.wsdl: file not found"),
        "{e}"
    );
}

/// The corpus copies in `tests/fixtures/corpus/` load offline on any machine, with their
/// operation counts (per port type).
#[test]
fn fixture_copies_of_corpus_entries_load_offline() {
    let cases: &[(&str, usize, usize)] = &[
        // (entry, SOAP bindings, operations over distinct port types)
        ("zeep/wsdl_files/soap_import_main.wsdl", 1, 1),
        ("zeep/wsdl_files/claim.wsdl", 1, 1),
        ("zeep/wsdl_files/soap_header.wsdl", 1, 1),
        ("zeep/integration/hello_world_recursive.wsdl", 1, 6),
        ("zeep/integration/recursive_schema_main.wsdl", 1, 0),
        ("zeep/integration/test_http_post.wsdl", 0, 0),
        ("onvif/remotediscovery.wsdl", 2, 3),
        ("soapbox/SoapBoxWebService.wsdl", 1, 32),
        ("kdsoap/BLZService.wsdl", 2, 1),
        ("soap4r/raa.wsdl", 1, 22),
        ("soap4r/mms_MizGIS.wsdl", 1, 16),
    ];
    for (entry, bindings, ops) in cases {
        let path = support::root().join("tests/fixtures/corpus").join(entry);
        let w = soapbridge::wsdl::load_path(&path.to_string_lossy())
            .unwrap_or_else(|e| panic!("{entry}: {e}"));
        assert_eq!(w.bindings.len(), *bindings, "{entry}");
        let mut per_port_type: BTreeMap<String, usize> = BTreeMap::new();
        for b in &w.bindings {
            per_port_type.insert(b.port_type.to_string(), b.operations.len());
        }
        assert_eq!(per_port_type.values().sum::<usize>(), *ops, "{entry}");
        if *bindings == 0 {
            assert!(
                !w.notes.is_empty(),
                "{entry}: a contract without SOAP bindings says so"
            );
        }
    }
    // The remote WS-Addressing import comes from the bundle, not the network.
    let w = soapbridge::wsdl::load_path(
        &support::root()
            .join("tests/fixtures/corpus/onvif/remotediscovery.wsdl")
            .to_string_lossy(),
    )
    .expect("loads");
    assert_eq!(
        w.documents, 3,
        "remotediscovery.wsdl, ws-discovery.xsd, bundled ws-addressing"
    );
    assert!(
        w.warnings.iter().all(|m| !m.contains("not fetched")),
        "{:?}",
        w.warnings
    );
}

#[test]
fn wsdl_20_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("svc.wsdl");
    std::fs::write(
        &p,
        r#"<description xmlns="http://www.w3.org/ns/wsdl" targetNamespace="urn:x"/>"#,
    )
    .expect("write");
    let e = soapbridge::wsdl::load_path(&p.to_string_lossy()).expect_err("WSDL 2.0");
    assert!(
        e.to_string()
            .contains("this is a WSDL 2.0 document; soapbridge reads WSDL 1.1"),
        "{e}"
    );
}
