//! Bytes as a contract: a WSDL entry and an XSD it may import or include (`types.xsd`),
//! through the whole loader (imports, includes, redefines, bundled schemas), the XSD
//! resolver and the binding reader. Nothing is read beyond the input: the sources hold only
//! the two documents and the bundled schemas.
//!
//! Invariants: no panic; what is loaded (its operations and types) and any error message stay
//! within a fixed multiple of the input.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use soapbridge::fuzzing;
use soapbridge_fuzz::check_bounded;

#[derive(Arbitrary, Debug)]
struct Contract {
    wsdl: String,
    xsd: String,
}

fuzz_target!(|c: Contract| {
    let input_len = c.wsdl.len() + c.xsd.len();
    let sources = fuzzing::memory_sources([
        ("contract.wsdl".to_owned(), c.wsdl),
        ("types.xsd".to_owned(), c.xsd),
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
