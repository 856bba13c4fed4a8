//! The GraphQL face against the demo's mock backend: the same values as REST, partial
//! results when one backend is down, limits, malformed queries, introspection switched off,
//! the demo's SDL (snapshot), every corpus mapping's schema, and an independent client
//! (Python's graphql-core) that rebuilds the schema from introspection.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::support;

/// Starts the demo's mock backend; its `/customers` URL.
fn start_mock() -> String {
    let w = Arc::new(
        soapbridge::wsdl::load_path(
            &support::root()
                .join("wsdl/customers.wsdl")
                .to_string_lossy(),
        )
        .expect("demo contract"),
    );
    let (addr, server) = soapbridge::mock::start(
        w,
        "127.0.0.1:0".parse().expect("addr"),
        soapbridge::mock::MockOptions::default(),
    )
    .expect("mock starts");
    actix_web::rt::spawn(server);
    format!("http://{addr}/customers")
}

fn demo_mappings(endpoint: Option<&str>) -> soapbridge::mapping::Mappings {
    let path = support::root().join("mappings/customers.yaml");
    let text = std::fs::read_to_string(&path).expect("demo mapping");
    let opts = soapbridge::mapping::Options {
        endpoint_override: endpoint.map(|e| e.parse().expect("url")),
        ..Default::default()
    };
    support::compile(&[(path.as_path(), text.as_str())], opts)
}

async fn start_demo(settings: soapbridge::graphql::Settings) -> support::Bridge {
    let endpoint = start_mock();
    let gw = soapbridge::config::Gateway {
        graphql: settings,
        ..Default::default()
    };
    let table = soapbridge::http::RouteTable::build_with(demo_mappings(Some(&endpoint)), &gw)
        .expect("table");
    support::start_table(table, Default::default()).await
}

async fn post(b: &support::Bridge, query: &str) -> (u16, Value) {
    post_body(b, json!({ "query": query })).await
}

async fn post_body(b: &support::Bridge, body: Value) -> (u16, Value) {
    let r = support::client()
        .post(b.url("/graphql"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let bytes = r.bytes().await.expect("body");
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, v)
}

async fn get_json(b: &support::Bridge, path: &str) -> Value {
    let r = support::client()
        .get(b.url(path))
        .send()
        .await
        .expect("request");
    serde_json::from_slice(&r.bytes().await.expect("body")).expect("json")
}

#[test]
fn demo_sdl_snapshot() {
    let m = demo_mappings(None);
    let face = soapbridge::graphql::build(&m.routes, &Default::default())
        .expect("builds")
        .expect("the demo mapping switches GraphQL on");
    insta::assert_snapshot!("demo_sdl", face.sdl());
}

#[test]
fn routes_are_left_out_unless_switched_on_and_names_clash_loudly() {
    let path = support::root().join("mappings/customers.yaml");
    let text = std::fs::read_to_string(&path).expect("demo mapping");
    let off = text.replace("graphql: true", "graphql: false");
    let m = support::compile(&[(path.as_path(), off.as_str())], Default::default());
    let on = soapbridge::graphql::Settings {
        enabled: true,
        ..Default::default()
    };
    assert!(
        soapbridge::graphql::build(&m.routes, &on)
            .expect("builds")
            .is_none(),
        "a file's `graphql: false` wins over the configuration"
    );
    let unsaid = text.replace("graphql: true", "");
    let m = support::compile(&[(path.as_path(), unsaid.as_str())], Default::default());
    assert!(
        soapbridge::graphql::build(&m.routes, &Default::default())
            .expect("builds")
            .is_none()
    );
    let face = soapbridge::graphql::build(&m.routes, &on)
        .expect("builds")
        .expect("on");
    assert_eq!(face.fields.len(), 6);
    // A route's own name and kind; two routes asking for one name are an error.
    let named = text.replace(
        "    operation: Ping\n",
        "    operation: Ping\n    graphql: { kind: mutation, name: customer }\n",
    );
    let m = support::compile(&[(path.as_path(), named.as_str())], Default::default());
    let face = soapbridge::graphql::build(&m.routes, &on)
        .expect("builds")
        .expect("on");
    assert!(face.sdl().contains("type Mutation {"));
    assert!(
        face.fields
            .iter()
            .any(|f| f.name == "customer" && f.kind == soapbridge::mapping::GraphqlKind::Mutation)
    );
    let clash = named.replace(
        "    summary: One customer\n",
        "    summary: One customer\n    graphql: { name: customer }\n",
    );
    let m = support::compile(&[(path.as_path(), clash.as_str())], Default::default());
    let err = soapbridge::graphql::build(&m.routes, &on).expect_err("clash");
    assert!(err.contains("graphql name `customer` is taken"), "{err}");
    let bad = text.replace(
        "    operation: Ping\n",
        "    operation: Ping\n    graphql: { kind: subscription, name: 2ping }\n",
    );
    let err =
        soapbridge::mapping::load_texts(&[(path.as_path(), bad.as_str())], Default::default())
            .expect_err("bad graphql settings");
    assert_eq!(err.len(), 2, "{err:?}");
}

/// One query, two root fields, answered concurrently: the same values as the REST routes.
#[actix_web::test]
async fn a_query_answers_what_the_rest_routes_answer() {
    let b = start_demo(Default::default()).await;
    let (status, v) = post(
        &b,
        "{ getCustomer(id: 42) { customerId name email status vip creditLimit since balance { _value currency } address { city } phone { _value kind } } listOrders(id: 42) { orderId status total { _value currency } line { sku quantity unitPrice } } }",
    )
    .await;
    assert_eq!(status, 200);
    assert!(v.get("errors").is_none(), "{v}");
    let rest = get_json(&b, "/customers/42").await;
    let c = &v["data"]["getCustomer"];
    for k in [
        "customerId",
        "name",
        "email",
        "status",
        "vip",
        "creditLimit",
        "since",
    ] {
        assert_eq!(c[k], rest[k], "{k}: {v}");
    }
    assert_eq!(c["balance"]["_value"], rest["balance"]["$value"]);
    assert_eq!(c["balance"]["currency"], rest["balance"]["currency"]);
    assert_eq!(c["address"]["city"], rest["address"]["city"]);
    assert_eq!(
        c["phone"].as_array().map(Vec::len),
        rest["phone"].as_array().map(Vec::len)
    );
    let orders = get_json(&b, "/customers/42/orders").await;
    let o = &v["data"]["listOrders"];
    assert_eq!(o.as_array().map(Vec::len), orders.as_array().map(Vec::len));
    assert_eq!(o[0]["orderId"], orders[0]["orderId"]);
    assert_eq!(
        o[0]["line"][0]["unitPrice"],
        orders[0]["line"][0]["unitPrice"]
    );
    // Only the selected fields.
    assert!(c.get("address").and_then(|a| a.get("street")).is_none());
    assert_eq!(
        c.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(
            [
                "customerId",
                "name",
                "email",
                "status",
                "vip",
                "creditLimit",
                "since",
                "balance",
                "address",
                "phone"
            ]
            .map(str::to_owned)
            .to_vec()
        )
    );
    // Root fields in query order, whichever finished first.
    let keys: Vec<&String> = v["data"].as_object().expect("data").keys().collect();
    assert_eq!(keys, ["getCustomer", "listOrders"]);
    // The README's query answers 2xx JSON with data.
    let line = soapbridge::cli::demo_curls(b.addr)
        .into_iter()
        .find(|l| l.contains("/graphql"))
        .expect("the demo prints a GraphQL line");
    let data = line
        .split("-d '")
        .nth(1)
        .expect("data")
        .trim_end_matches('\'');
    let asked: Value = serde_json::from_str(data).expect("the line's body is JSON");
    let (status, v) = post(&b, asked["query"].as_str().expect("query")).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["data"]["getCustomer"]["name"].is_string(), "{v}");
    assert!(v.get("errors").is_none(), "{v}");
}

/// Decimals and longs keep every digit both ways; enums map back to the XSD values; a GET
/// may not run a mutation.
#[actix_web::test]
async fn mutations_send_exact_numbers_and_get_refuses_them() {
    let b = start_demo(Default::default()).await;
    let (_, v) = post(
        &b,
        r#"mutation { placeOrder(body: {customerId: 42, line: [{sku: "ABC-1234", quantity: 2, unitPrice: "9.990000000000000000001"}]}) { orderId line { unitPrice } } }"#,
    )
    .await;
    assert!(v.get("errors").is_none(), "{v}");
    assert_eq!(
        serde_json::to_string(&v["data"]["placeOrder"]["line"][0]["unitPrice"]).expect("json"),
        "9.990000000000000000001"
    );
    let (_, v) = post(&b, "{ findCustomers(status: SUSPENDED) { status } }").await;
    assert_eq!(v["data"]["findCustomers"][0]["status"], "SUSPENDED", "{v}");
    let r = support::client()
        .get(b.url("/graphql?query=mutation%7BupdateCustomerEmail(id%3A1%2Cbody%3A%7Bemail%3A%22a%40b%22%7D)%7Bupdated%7D%7D"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 405);
    let r = support::client()
        .get(b.url("/graphql?query=%7Bping%7Bversion%7D%7D"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
    assert!(v["data"]["ping"]["version"].is_string(), "{v}");
}

/// Two backends, one down: one value, one error with the problem's code, the other field
/// still answered.
#[actix_web::test]
async fn one_backend_down_gives_one_value_and_one_error() {
    let up = start_mock();
    let down = format!("http://127.0.0.1:{}/customers", support::free_port());
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let file = |endpoint: &str, base: &str| {
        format!(
            "version: 1\nbase_path: {base}\ngraphql: true\nbackend:\n  wsdl: {}\n  endpoint: {endpoint}\n  port: CustomerServiceSoap12\n  retries: 0\nroutes:\n  - route: GET /customers/{{id}}\n    operation: GetCustomer\n    request: {{ customerId: \"{{path.id}}\" }}\n    response: {{ body: customer }}\n",
            wsdl.display()
        )
    };
    let (a, bb) = (file(&up, "/crm"), file(&down, "/billing"));
    let m = support::compile(
        &[
            (Path::new("crm.yaml"), &a),
            (Path::new("billing.yaml"), &bb),
        ],
        Default::default(),
    );
    let b = support::start_bridge(m, Default::default()).await;
    let (status, v) = post(
        &b,
        "{ getCustomer(id: 7) { customerId } getCustomer_billing(id: 7) { customerId } }",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["data"]["getCustomer"]["customerId"], 7, "{v}");
    assert_eq!(v["data"]["getCustomer_billing"], Value::Null, "{v}");
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["path"], json!(["getCustomer_billing"]));
    assert_eq!(
        errors[0]["extensions"]["code"], "backend-unavailable",
        "{v}"
    );
    assert_eq!(errors[0]["extensions"]["status"], 502, "{v}");
    assert!(errors[0]["locations"][0]["line"].is_number());
}

#[actix_web::test]
async fn limits_and_bad_queries_answer_errors_with_locations() {
    let b = start_demo(soapbridge::graphql::Settings {
        max_depth: 3,
        max_complexity: 6,
        max_root_fields: 2,
        max_body_bytes: 4096,
        ..Default::default()
    })
    .await;
    let (status, v) = post(&b, "{ getCustomer(id: 1) { address { city } } }").await;
    assert_eq!(status, 200);
    assert!(v.get("errors").is_none(), "depth 3 is allowed: {v}");
    let (_, v) = post(
        &b,
        "{ getCustomer(id: 1) { address { city } phone { kind } balance { currency } } }",
    )
    .await;
    assert!(v["data"].is_null(), "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("complex")),
        "{v}"
    );
    let (_, v) = post(
        &b,
        "{ listOrders(id: 1) { line { sku } total { currency } } }",
    )
    .await;
    assert!(v.get("errors").is_none(), "{v}");
    // Parsed documents are kept by query text: the limits and the validation still hold for
    // a text sent again, and an answer for it is the same.
    for _ in 0..2 {
        let (_, v) = post(
            &b,
            "{ a: ping { version } b: ping { version } c: ping { version } }",
        )
        .await;
        assert!(v["data"].is_null(), "{v}");
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("3 root fields")),
            "{v}"
        );
    }
    let deep = "{ findCustomers { name } getCustomer(id: 1) { address { city } } }";
    let (_, first) = post(&b, deep).await;
    assert!(first.get("errors").is_none(), "{first}");
    let (_, again) = post(&b, deep).await;
    assert_eq!(again, first);
    // A text that passed validation without variables is validated again when it comes
    // with variables: their values are checked against the arguments every time.
    let with_var = "query Q($id: Int! = 1) { getCustomer(id: $id) { name } }";
    let (_, plain) = post(&b, with_var).await;
    assert!(plain["data"]["getCustomer"]["name"].is_string(), "{plain}");
    let (_, good) = post_body(&b, json!({ "query": with_var, "variables": { "id": 1 } })).await;
    assert!(good.get("errors").is_none(), "{good}");
    assert!(good["data"]["getCustomer"]["name"].is_string(), "{good}");
    for _ in 0..2 {
        let (_, bad) = post_body(
            &b,
            json!({ "query": with_var, "variables": { "id": "one" } }),
        )
        .await;
        assert!(bad["data"].is_null(), "{bad}");
        assert!(
            bad["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Invalid value")),
            "{bad}"
        );
    }
    for _ in 0..2 {
        let (_, v) = post(&b, "query { getCustomer(id: 1) { nope } }").await;
        assert!(v["data"].is_null());
        assert_eq!(
            v["errors"][0]["locations"][0],
            json!({"line": 1, "column": 30}),
            "{v}"
        );
    }
    let (_, v) = post(&b, "{ getCustomer(id: ").await;
    assert!(v["errors"][0]["locations"][0]["column"].is_number(), "{v}");
    let (_, v) = post(&b, "{ getCustomer(id: \"x\") { name } }").await;
    assert!(v["errors"][0]["message"].as_str().is_some(), "{v}");
    // Depth: Query → listOrders → line → sku is 3; a fourth level is refused.
    let (_, v) = post(&b, "{ getCustomer(id: 1) { address { city } } __typename }").await;
    assert!(v.get("errors").is_none(), "{v}");
    let r = support::client()
        .post(b.url("/graphql"))
        .header("content-type", "application/json")
        .body(
            json!({ "query": format!("{{ ping {{ version }} }} # {}", "x".repeat(5000)) })
                .to_string(),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 413);
    let r = support::client()
        .post(b.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 400);
}

#[actix_web::test]
async fn introspection_can_be_switched_off() {
    let b = start_demo(soapbridge::graphql::Settings {
        introspection: false,
        ..Default::default()
    })
    .await;
    let (_, v) = post(&b, "{ __schema { queryType { name } } }").await;
    assert!(v.get("errors").is_some(), "{v}");
    let (_, v) = post(&b, "{ ping { version } }").await;
    assert!(v["data"]["ping"]["version"].is_string(), "{v}");
    let on = start_demo(Default::default()).await;
    let (_, v) = post(&on, "{ __schema { queryType { name } } }").await;
    assert_eq!(v["data"]["__schema"]["queryType"]["name"], "Query", "{v}");
    // The page and its assets are served.
    for path in [
        "/graphiql",
        "/graphiql/graphiql.min.js",
        "/graphiql/react.production.min.js",
    ] {
        let r = support::client()
            .get(on.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }
}

/// Python's graphql-core runs the standard introspection query against the served endpoint,
/// rebuilds the schema and validates queries against it.
#[actix_web::test]
async fn an_independent_client_rebuilds_and_validates_the_schema() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import graphql"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        support::not_run(
            "GraphQL independent client",
            "python3 with graphql-core is not installed",
            "python3 -m pip install 'graphql-core>=3.2,<3.3'",
        );
        return;
    }
    let b = start_demo(Default::default()).await;
    let queries = json!({
        "valid": [
            "{ getCustomer(id: 1) { name status balance { _value currency } } }",
            "query($s: OrderStatus) { listOrders(id: 1, status: $s) { orderId line { unitPrice } } }",
            "mutation { placeOrder(body: {customerId: 1, line: [{sku: \"A\", quantity: 1, unitPrice: 1.5}]}) { orderId } }",
        ],
        "invalid": [
            "{ getCustomer { name } }",
            "{ getCustomer(id: 1) { nope } }",
            "{ listOrders(id: 1, status: LOST) { orderId } }",
            "mutation { placeOrder(body: {customerId: 1, line: [{sku: \"A\"}]}) { orderId } }",
        ],
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let qpath = dir.path().join("queries.json");
    std::fs::write(&qpath, queries.to_string()).expect("write");
    let url = b.url("/graphql");
    let script = support::root().join("tests/graphql/check_schema.py");
    let out = actix_web::rt::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .arg(url)
            .arg(qpath)
            .output()
    })
    .await
    .expect("join")
    .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("8 passed, 0 failed"), "{stdout}");
}

/// Every corpus contract that `generate` maps: its generated routes give a GraphQL schema
/// that builds (async-graphql checks it) and answers introspection.
#[test]
fn every_generated_corpus_mapping_gives_a_schema() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let on = soapbridge::graphql::Settings {
        enabled: true,
        ..Default::default()
    };
    let (mut schemas, mut fields, mut failures) = (0usize, 0usize, Vec::new());
    // Entries `generate` has nothing to map for (no SOAP operation): named, not failures.
    let mut unmapped = Vec::new();
    for entry in support::corpus_entries(&dir) {
        let path = dir.join(&entry);
        let w = match soapbridge::wsdl::load_path(&path.to_string_lossy()) {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!("{entry}: does not load: {e}"));
                continue;
            }
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let g = match soapbridge::generate::generate(
            &w,
            &soapbridge::generate::Options {
                wsdl_ref: file_name,
                ..Default::default()
            },
        ) {
            Ok(g) => g,
            Err(e) => {
                unmapped.push(format!("{entry} ({e})"));
                continue;
            }
        };
        let mapping_path = path.with_file_name("soapbridge-generated.yaml");
        let m = match soapbridge::mapping::load_texts(
            &[(mapping_path.as_path(), &g.yaml)],
            Default::default(),
        ) {
            Ok(m) => m,
            Err(d) => {
                failures.push(format!(
                    "{entry}: the generated mapping does not compile: {d:?}"
                ));
                continue;
            }
        };
        match soapbridge::graphql::build(&m.routes, &on) {
            Ok(Some(face)) => {
                let q = "{ __schema { types { name } } }";
                let r = futures_util::FutureExt::now_or_never(
                    face.schema.execute(async_graphql::Request::new(q)),
                )
                .expect("introspection needs no waiting");
                if !r.errors.is_empty() {
                    failures.push(format!("{entry}: introspection: {:?}", r.errors));
                }
                schemas += 1;
                fields += face.fields.len();
                if face.fields.len() != m.routes.len() {
                    failures.push(format!(
                        "{entry}: {} fields for {} routes",
                        face.fields.len(),
                        m.routes.len()
                    ));
                }
            }
            Ok(None) => failures.push(format!("{entry}: no schema")),
            Err(e) => failures.push(format!("{entry}: {e}")),
        }
    }
    eprintln!(
        "graphql corpus: {schemas} schemas, {fields} root fields; not mapped by generate: {}",
        if unmapped.is_empty() {
            "none".to_owned()
        } else {
            unmapped.join("; ")
        }
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(schemas > 0 && fields > 1000, "the corpus gives schemas");
}

/// The schema's `xsd:documentation` becomes the descriptions of the types and fields it
/// annotates, with white space collapsed, in GraphQL and OpenAPI; a renamed GraphQL field
/// still says its REST key.
#[test]
fn xsd_documentation_describes_types_and_fields() {
    let mapping = "version: 1\ngraphql: true\nbackend:\n  wsdl: documented.wsdl\nroutes:\n  - route: GET /accounts/{id}\n    operation: GetAccount\n    request: { id: \"{path.id}\" }\n    response: { body: account }\n";
    let path = support::root().join("tests/fixtures/documented.yaml");
    let m = soapbridge::mapping::load_texts(&[(path.as_path(), mapping)], Default::default())
        .unwrap_or_else(|e| panic!("the mapping compiles: {e:?}"));
    let face = soapbridge::graphql::build(&m.routes, &Default::default())
        .expect("builds")
        .expect("switched on");
    let sdl = face.sdl();
    for want in [
        "A ledger account, as the bank keeps it.\n\nXSD type `Account` of `urn:doc`.",
        "The account's IBAN.",
        "Who holds it. (`owner-name` in REST.)",
    ] {
        assert!(sdl.contains(want), "the SDL lacks {want:?}:\n{sdl}");
    }
    // The OpenAPI document says the same.
    let doc = soapbridge::openapi::spec(&m, None);
    let account = &doc["components"]["schemas"]["Account"];
    assert_eq!(
        account["description"], "A ledger account, as the bank keeps it.",
        "{account}"
    );
    assert_eq!(
        account["properties"]["owner-name"]["description"], "Who holds it.",
        "{account}"
    );
    let plain = sdl
        .lines()
        .position(|l| l.trim() == "plain: String!")
        .expect("the undocumented field");
    assert!(
        !sdl.lines().nth(plain - 1).unwrap_or("").contains("\"\"\""),
        "a field the schema does not document has no description:\n{sdl}"
    );
}
