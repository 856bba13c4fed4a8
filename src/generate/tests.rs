//! Tests over the demo contract (`wsdl/customers.wsdl`): classification, ids, and the
//! generated mapping compiling in memory.

use std::path::Path;

use super::classify::{Verb, classify};
use super::paths::id_input;
use super::{Options, generate};
use crate::wsdl::{self, SoapVersion, Wsdl};

/// The demo contract the CLI also ships.
const DEMO_WSDL: &str = include_str!("../../wsdl/customers.wsdl");

fn demo() -> Wsdl {
    let mut sources = wsdl::Sources::default();
    sources
        .memory
        .insert("demo.wsdl".to_owned(), DEMO_WSDL.into());
    wsdl::load(&wsdl::Location::Memory("demo.wsdl".to_owned()), &sources)
        .expect("the demo contract loads")
}

#[test]
fn get_or_post_by_name_and_inputs() {
    let w = demo();
    let b = &w.bindings[0];
    let verb = |name: &str| classify(&w.schema, b.operation(name).expect("operation")).verb;
    assert_eq!(verb("GetCustomer"), Verb::Get);
    assert_eq!(verb("FindCustomers"), Verb::Get);
    assert_eq!(verb("ListOrders"), Verb::Get);
    // Not a read name.
    assert_eq!(verb("UpdateCustomerEmail"), Verb::Post);
    assert_eq!(verb("Ping"), Verb::Post);
    // A read name, but a list of complex lines as input would not be (PlaceOrder is not
    // a read anyway); the reason names the verb.
    let c = classify(&w.schema, b.operation("PlaceOrder").expect("operation"));
    assert_eq!(c.verb, Verb::Post);
    assert!(c.why.contains("does not start with"), "{}", c.why);
}

#[test]
fn ids_prefer_the_resource_name() {
    let w = demo();
    let b = &w.bindings[0];
    let content = |name: &str| b.operation(name).expect("operation").input.body.content;
    assert_eq!(
        id_input(&w.schema, content("GetCustomer"), "customer").as_deref(),
        Some("customerId")
    );
    // Optional inputs are never the id.
    assert_eq!(
        id_input(&w.schema, content("FindCustomers"), "customers"),
        None
    );
}

#[test]
fn the_demo_mapping_compiles_in_memory() {
    let w = demo();
    let g = generate(
        &w,
        &Options {
            wsdl_ref: "demo.wsdl".into(),
            ..Options::default()
        },
    )
    .expect("generates");
    let mut sources = wsdl::Sources::default();
    sources
        .memory
        .insert("demo.wsdl".to_owned(), DEMO_WSDL.into());
    let opts = crate::mapping::Options {
        endpoint_override: None,
        sources,
        policies: None,
    };
    let env = |_: &str| None;
    let mut c = crate::mapping::Compiler::new(opts, &env);
    c.add_text(Path::new("generated.yaml"), &g.yaml);
    let m = c.finish().unwrap_or_else(|d| {
        panic!(
            "{}\n{}",
            g.yaml,
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(m.routes.len(), 6);
    assert_eq!(g.binding, "CustomerServiceSoap11");
}

#[test]
fn bad_options_are_refused() {
    let w = demo();
    let with = |o: Options| generate(&w, &o).map(|_| ()).map_err(|e| e.to_string());
    let e = with(Options {
        binding: Some("Nope".into()),
        ..Options::default()
    })
    .expect_err("unknown binding");
    assert!(e.contains("CustomerServiceSoap12"), "{e}");
    assert!(
        with(Options {
            endpoint: Some("ftp://x".into()),
            ..Options::default()
        })
        .is_err()
    );
    assert!(
        with(Options {
            base_path: Some("api".into()),
            ..Options::default()
        })
        .is_err()
    );
    assert!(
        with(Options {
            binding: Some("CustomerServiceSoap12".into()),
            soap_version: Some(SoapVersion::V11),
            ..Options::default()
        })
        .is_err()
    );
}
