//! What every fuzz target shares: the contracts and routes they run against (loaded once,
//! from the repository at compile time) and the invariants they check beyond "no panic".
//!
//! ```text
//! tests/fixtures + wsdl/ + mappings/ ──include_str!──> CONTRACTS, DEMO (routes)
//! docs/errors.md ──the code column──> DOCUMENTED_CODES ──check_problem──> every Problem
//! ```

use std::path::Path;
use std::sync::{Arc, LazyLock};

use soapbridge::fuzzing;
use soapbridge::gateway::Problem;
use soapbridge::http::RouteTable;
use soapbridge::mapping::Route;
use soapbridge::wsdl::{Location, Operation, Wsdl};

/// A contract the answer and round-trip targets read against.
pub struct Contract {
    pub name: &'static str,
    pub wsdl: Wsdl,
}

impl Contract {
    /// Every operation of every binding, in document order.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.wsdl.bindings.iter().flat_map(|b| b.operations.iter())
    }
}

fn load(name: &'static str, docs: &[(&str, &str)]) -> Contract {
    let sources =
        fuzzing::memory_sources(docs.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())));
    let wsdl = fuzzing::load_contract(docs[0].0, &sources)
        .unwrap_or_else(|e| panic!("the fixture {name} does not load: {e}"));
    Contract { name, wsdl }
}

/// The demo (document/literal, SOAP 1.1 and 1.2).
pub const DEMO_WSDL: &str = include_str!("../../wsdl/customers.wsdl");
pub const DEMO_MAPPING: &str = include_str!("../../mappings/customers.yaml");
/// Where the demo mapping lives, so that its `../wsdl/customers.wsdl` names DEMO_WSDL.
pub const DEMO_MAPPING_PATH: &str = "mappings/customers.yaml";

/// The contracts, each with every document it imports: the demo; one construct per
/// convention with an rpc/encoded binding; every binding style over imported, included and
/// redefined schemas (rpc/literal among them); the interop stacks' contract; and a large
/// rpc/encoded corpus entry with SOAP-encoded arrays.
pub static CONTRACTS: LazyLock<Vec<Contract>> = LazyLock::new(|| {
    vec![
        load("customers", &[("customers.wsdl", DEMO_WSDL)]),
        load(
            "conventions",
            &[(
                "conventions.wsdl",
                include_str!("../../tests/fixtures/conventions.wsdl"),
            )],
        ),
        load(
            "styles",
            &[
                (
                    "styles/styles.xml",
                    include_str!("../../tests/fixtures/styles/styles.xml"),
                ),
                (
                    "styles/types.xsd",
                    include_str!("../../tests/fixtures/styles/types.xsd"),
                ),
                (
                    "styles/common",
                    include_str!("../../tests/fixtures/styles/common"),
                ),
                (
                    "styles/redefined.xsd",
                    include_str!("../../tests/fixtures/styles/redefined.xsd"),
                ),
            ],
        ),
        load(
            "interop",
            &[(
                "service.wsdl",
                include_str!("../../tests/fixtures/interop/soaplite/service.wsdl"),
            )],
        ),
        load(
            "mms_MizGIS",
            &[(
                "mms_MizGIS.wsdl",
                include_str!("../../tests/fixtures/corpus/soap4r/mms_MizGIS.wsdl"),
            )],
        ),
    ]
});

/// The demo contract as the mapping compiler finds it, and the demo's compiled routes.
pub struct Demo {
    pub location: Location,
    pub wsdl: Arc<Wsdl>,
    pub routes: Vec<Arc<Route>>,
    pub table: RouteTable,
}

pub static DEMO: LazyLock<Demo> = LazyLock::new(|| {
    let location = Location::File(Path::new("mappings/../wsdl/customers.wsdl").to_path_buf());
    let wsdl = Arc::new(load("customers", &[("customers.wsdl", DEMO_WSDL)]).wsdl);
    let mappings = fuzzing::compile_mapping(
        Path::new(DEMO_MAPPING_PATH),
        DEMO_MAPPING,
        (&location, wsdl.clone()),
        fuzzing::memory_sources([]),
    )
    .unwrap_or_else(|d| panic!("the demo mapping does not compile: {d:?}"));
    let routes = mappings.routes.clone();
    let table = RouteTable::build(mappings).unwrap_or_else(|e| panic!("demo routes: {e}"));
    Demo {
        location,
        wsdl,
        routes,
        table,
    }
});

/// The `code` column of every table in docs/errors.md: the only codes a problem may carry.
pub static DOCUMENTED_CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../docs/errors.md")
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(code, _)| code))
        .collect()
});

/// A problem's code is documented, its status is an error status, and nothing it says
/// outgrows what the caller or backend sent (`input_len`) by more than a fixed margin.
pub fn check_problem(p: &Problem, input_len: usize) {
    assert!(
        DOCUMENTED_CODES.contains(&p.code),
        "undocumented problem code `{}`: {p:?}",
        p.code
    );
    assert!((400..600).contains(&p.status), "status {}: {p:?}", p.status);
    let said = p.body("/", "-").to_string().len();
    check_bounded("problem body", said, input_len);
}

/// Output larger than this multiple of the input (plus a constant for fixed texts) is an
/// amplification: something read once was written many times.
pub const MAX_GROWTH: usize = 64;
pub const FIXED_OVERHEAD: usize = 16 * 1024;

pub fn check_bounded(what: &str, out_len: usize, input_len: usize) {
    assert!(
        out_len <= input_len * MAX_GROWTH + FIXED_OVERHEAD,
        "{what} is {out_len} bytes for {input_len} bytes of input"
    );
}
