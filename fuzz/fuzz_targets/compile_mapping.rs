//! Bytes as a mapping file, compiled against the demo contract (already loaded, so each run
//! spends its time in the YAML reader and the compiler, not in reloading the WSDL). Any other
//! contract the mapping names is refused: the sources hold nothing.
//!
//! Invariants: no panic; every diagnostic names the file, has a message, and the whole report
//! stays within a fixed multiple of the input; compiled routes build a route table.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use soapbridge::fuzzing;
use soapbridge::http::RouteTable;
use soapbridge_fuzz::{DEMO, DEMO_MAPPING_PATH, check_bounded};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(DEMO_MAPPING_PATH);
    match fuzzing::compile_mapping(
        path,
        text,
        (&DEMO.location, DEMO.wsdl.clone()),
        fuzzing::memory_sources([]),
    ) {
        Ok(m) => {
            check_bounded("routes", m.routes.len(), text.len());
            // A table that cannot be built is a mapping error the compiler should have
            // reported (a reserved path, a clash, a policy it does not know).
            if let Err(e) = RouteTable::build(m) {
                panic!("compiled, but the route table refuses it: {e}");
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "an error without diagnostics");
            let mut total = 0;
            for d in &diags {
                assert_eq!(d.file, path, "a diagnostic for another file: {d}");
                assert!(
                    !d.message.is_empty(),
                    "a diagnostic without a message: {d:?}"
                );
                total += d.to_string().len();
            }
            check_bounded("diagnostics", total, text.len());
        }
    }
});
