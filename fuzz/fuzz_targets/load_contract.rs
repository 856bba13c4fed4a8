//! Bytes as a contract: a WSDL entry and an XSD it may import or include (`types.xsd`),
//! through the whole loader (imports, includes, redefines, bundled schemas), the XSD
//! resolver and the binding reader. Nothing is read beyond the input: the sources hold only
//! the two documents and the bundled schemas.
//!
//! Input: the WSDL, a NUL byte, the XSD (so a contract file as it is makes a seed).
//!
//! Invariants: no panic; what is loaded (its operations and types) and any error message stay
//! within a fixed multiple of the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use soapbridge::fuzzing;
use soapbridge_fuzz::check_bounded;

fuzz_target!(|data: &[u8]| {
    let (wsdl, xsd) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let input_len = data.len();
    let sources = fuzzing::memory_sources([
        (
            "contract.wsdl".to_owned(),
            String::from_utf8_lossy(wsdl).into_owned(),
        ),
        (
            "types.xsd".to_owned(),
            String::from_utf8_lossy(xsd).into_owned(),
        ),
    ]);
    match fuzzing::load_contract("contract.wsdl", &sources) {
        Ok(w) => {
            let ops: usize = w.bindings.iter().map(|b| b.operations.len()).sum();
            check_bounded("operations", ops, input_len);
            let described = soapbridge::inspect::to_text(&w);
            check_bounded("the contract's description", described.len(), input_len);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error without a message: {e:?}");
            check_bounded("error message", message.len(), input_len);
        }
    }
});
