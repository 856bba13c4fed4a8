//! OpenAPI: the generated document is valid OpenAPI 3.1 (the official schema, offline), every
//! `$ref` resolves, every Schema Object is valid JSON Schema 2020-12 in the OAS dialect, and
//! the schemas accept the JSON the bridge really sends and refuse what it refuses. Checked on
//! the demo (with a snapshot), on a fixture with one XSD construct per rule, and on every
//! contract of the WSDL corpus.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use jsonschema::{Registry, Validator};
use serde_json::{Value, json};

use crate::support;

/// The URI the document under test is registered at, for `$ref`s into it.
const DOC_URI: &str = "urn:soapbridge:openapi-under-test";

fn fixture_json(name: &str) -> Value {
    let path = support::root().join("tests/fixtures/openapi").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The official OpenAPI 3.1 schema (structure; Schema Objects only as object or boolean).
fn oas_validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .offline()
            .build(&fixture_json("oas-3.1-schema-2022-10-07.json"))
            .expect("the OAS 3.1 schema compiles offline")
    })
}

/// The OAS 3.1 Schema Object dialect (draft 2020-12 plus the OAS vocabulary).
fn dialect_validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        let dialect = fixture_json("oas-3.1-dialect-base.json");
        let registry = Registry::new()
            .add(
                "https://spec.openapis.org/oas/3.1/meta/base",
                fixture_json("oas-3.1-meta-base.json"),
            )
            .expect("meta/base registers")
            .prepare()
            .expect("registry prepares offline");
        jsonschema::options()
            .offline()
            .with_registry(&registry)
            .build(&dialect)
            .expect("the OAS dialect compiles offline")
    })
}

/// What a checked document contains, for reports.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    operations: usize,
    components: usize,
    refs: usize,
    schemas: usize,
}

/// A JSON Pointer as a URI fragment (`{` and `}` of path templates are percent-encoded).
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "/~-._!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// A long message cut to its start and end.
fn short(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 400 {
        return s.to_owned();
    }
    let head: String = chars[..150].iter().collect();
    let tail: String = chars[chars.len() - 200..].iter().collect();
    format!("{head} … {tail}")
}

fn json_pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Every Schema Object of the document, by JSON Pointer: components, parameters, bodies.
fn schema_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Object(c)) = doc.pointer("/components/schemas") {
        for k in c.keys() {
            out.push(format!("/components/schemas/{}", json_pointer_escape(k)));
        }
    }
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return out;
    };
    for (path, item) in paths {
        let Value::Object(item) = item else { continue };
        for (method, op) in item {
            let base = format!("/paths/{}/{method}", json_pointer_escape(path));
            if let Some(Value::Array(params)) = op.get("parameters") {
                for i in 0..params.len() {
                    out.push(format!("{base}/parameters/{i}/schema"));
                }
            }
            if let Some(Value::Object(content)) = op.pointer("/requestBody/content") {
                for media in content.keys() {
                    out.push(format!(
                        "{base}/requestBody/content/{}/schema",
                        json_pointer_escape(media)
                    ));
                }
            }
            if let Some(Value::Object(responses)) = op.get("responses") {
                for (status, r) in responses {
                    if let Some(Value::Object(content)) = r.get("content") {
                        for media in content.keys() {
                            out.push(format!(
                                "{base}/responses/{status}/content/{}/schema",
                                json_pointer_escape(media)
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

fn collect_refs<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref"
                    && let Value::String(r) = x
                {
                    out.push(r);
                } else {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// The document registered for `$ref`s into it.
fn doc_registry(doc: &Value) -> Registry<'static> {
    Registry::new()
        .add(DOC_URI, doc.clone())
        .expect("document registers")
        .prepare()
        .expect("document registry prepares offline")
}

/// A validator for the Schema Object at `pointer` in the registered document.
fn validator_at(registry: &Registry<'_>, pointer: &str) -> Validator {
    jsonschema::options()
        .offline()
        .with_registry(registry)
        .build(&json!({ "$ref": format!("{DOC_URI}#{}", fragment(pointer)) }))
        .unwrap_or_else(|e| panic!("schema at {pointer} does not compile: {e}"))
}

/// Validates `doc` in every way this module knows; panics with all problems found.
pub fn check_document(doc: &Value, label: &str) -> Counts {
    let mut problems: Vec<String> = Vec::new();
    for e in oas_validator().iter_errors(doc).take(20) {
        problems.push(format!(
            "OpenAPI 3.1 schema: {} at {}",
            e,
            e.instance_path()
        ));
    }
    assert_eq!(doc["openapi"], "3.1.0", "{label}: openapi version");

    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    for r in &refs {
        match r.strip_prefix('#') {
            Some(ptr) if doc.pointer(ptr).is_some() => {}
            _ => problems.push(format!("$ref {r} does not resolve")),
        }
    }

    let pointers = schema_pointers(doc);
    for p in &pointers {
        let Some(schema) = doc.pointer(p) else {
            problems.push(format!("{p}: missing"));
            continue;
        };
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            problems.push(format!("{p}: not JSON Schema 2020-12: {e}"));
        }
        for e in dialect_validator().iter_errors(schema).take(3) {
            problems.push(format!("{p}: not in the OAS 3.1 dialect: {e}"));
        }
    }
    // One validator over every Schema Object: references resolve, patterns compile.
    let registry = doc_registry(doc);
    let all: Vec<Value> = pointers
        .iter()
        .map(|p| json!({ "$ref": format!("{DOC_URI}#{}", fragment(p)) }))
        .collect();
    if let Err(e) = jsonschema::options()
        .offline()
        .with_registry(&registry)
        .build(&json!({ "anyOf": all }))
    {
        problems.push(format!("the schemas do not compile together: {e}"));
    }

    let mut op_ids = HashSet::new();
    let mut operations = 0;
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for item in paths.values() {
            for op in item.as_object().into_iter().flat_map(|m| m.values()) {
                operations += 1;
                let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                if !op_ids.insert(id.clone()) {
                    problems.push(format!("operationId {id} is not unique"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{label}: {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    Counts {
        operations,
        components: doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map_or(0, |m| m.len()),
        refs: refs.len(),
        schemas: pointers.len(),
    }
}

fn assert_valid(v: &Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: {instance} should be valid:\n{}",
        errors.join("\n")
    );
}

fn assert_invalid(v: &Validator, instance: &Value, what: &str) {
    assert!(
        !v.is_valid(instance),
        "{what}: {instance} should be invalid"
    );
}

// ----- the demo ---------------------------------------------------------------------------

fn demo_files() -> (PathBuf, String) {
    let path = support::root().join("mappings/customers.yaml");
    let text = std::fs::read_to_string(&path).expect("demo mapping");
    (path, text)
}

fn demo_mappings(opts: soapbridge::mapping::Options) -> soapbridge::mapping::Mappings {
    let (path, text) = demo_files();
    support::compile(&[(path.as_path(), text.as_str())], opts)
}

fn demo_spec() -> Value {
    soapbridge::openapi::spec(
        &demo_mappings(Default::default()),
        Some("http://127.0.0.1:8080"),
    )
}

#[test]
fn demo_document_is_valid_openapi_3_1() {
    let doc = demo_spec();
    let counts = check_document(&doc, "demo");
    assert_eq!(counts.operations, 6, "one operation per route of the demo");
    assert_eq!(doc["servers"], json!([{ "url": "http://127.0.0.1:8080" }]));
}

/// The checks above are only worth something if they fail on broken documents.
#[test]
fn the_checks_catch_broken_documents() {
    type Breakage = fn(&mut Value);
    let cases: [(&str, Breakage); 7] = [
        ("no info", |d| {
            d.as_object_mut().map(|m| m.remove("info"));
        }),
        ("OpenAPI 3.0", |d| d["openapi"] = json!("3.0.3")),
        ("a parameter without `in`", |d| {
            d["paths"]["/customers/{id}"]["get"]["parameters"][0]
                .as_object_mut()
                .map(|m| m.remove("in"));
        }),
        ("a dangling $ref", |d| {
            d["paths"]["/ping"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
                json!({"$ref": "#/components/schemas/Nope"});
        }),
        ("a schema keyword of the wrong type", |d| {
            d["components"]["schemas"]["Sku"]["pattern"] = json!(5);
        }),
        ("a pattern that is not a regex", |d| {
            d["components"]["schemas"]["Sku"]["pattern"] = json!("([A-Z");
        }),
        ("an operationId twice", |d| {
            d["paths"]["/ping"]["get"]["operationId"] = json!("customers_GetCustomer_get");
        }),
    ];
    let good = demo_spec();
    check_document(&good, "demo");
    for (what, breakage) in cases {
        let mut doc = good.clone();
        breakage(&mut doc);
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_document(&doc, what)));
        assert!(caught.is_err(), "{what} was not caught");
    }
}

#[test]
fn demo_document_says_what_the_routes_do() {
    let doc = demo_spec();
    let get = &doc["paths"]["/customers/{id}"]["get"];
    assert_eq!(
        get["parameters"],
        json!([{
            "name": "id", "in": "path", "required": true,
            "schema": {"type": "integer", "format": "int32",
                       "minimum": -2147483648_i64, "maximum": 2147483647_i64},
        }])
    );
    assert_eq!(get["tags"], json!(["customers"]));
    assert_eq!(get["summary"], "One customer");
    assert_eq!(
        get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Customer"
    );
    let not_found = &get["responses"]["404"]["content"]["application/problem+json"]["schema"];
    assert_eq!(not_found["$ref"], "#/components/schemas/Problem");
    assert_eq!(
        not_found["properties"]["fault"]["properties"]["name"]["const"],
        "CustomerNotFound"
    );
    for status in ["400", "502", "504"] {
        assert_eq!(
            get["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "GET /customers/{{id}} {status}"
        );
    }
    assert!(
        get["responses"].get("413").is_none(),
        "GET routes take no body"
    );

    let schemas = &doc["components"]["schemas"];
    let customer = &schemas["Customer"];
    assert_eq!(customer["type"], "object");
    assert_eq!(
        customer["properties"]["balance"]["$ref"],
        "#/components/schemas/Money"
    );
    assert_eq!(schemas["Money"]["type"], "object");
    assert_eq!(
        schemas["Money"]["properties"]["$value"],
        json!({"type": "number", "format": "decimal"})
    );
    assert_eq!(
        schemas["Money"]["properties"]["currency"]["$ref"],
        "#/components/schemas/CurrencyCode"
    );
    assert_eq!(schemas["Money"]["required"], json!(["currency"]));
    assert_eq!(
        schemas["CurrencyCode"],
        json!({"type": "string", "minLength": 3, "maxLength": 3})
    );
    assert_eq!(customer["properties"]["phone"]["type"], "array");
    assert_eq!(
        customer["properties"]["phone"]["items"]["$ref"],
        "#/components/schemas/Phone"
    );
    assert_eq!(
        customer["properties"]["status"]["$ref"],
        "#/components/schemas/CustomerStatus"
    );
    assert_eq!(
        schemas["CustomerStatus"]["enum"],
        json!(["ACTIVE", "SUSPENDED", "CLOSED"])
    );
    assert_eq!(
        customer["properties"]["lastLogin"],
        json!({"type": ["string", "null"], "format": "date-time"})
    );
    assert_eq!(
        customer["properties"]["creditLimit"]["format"], "int64",
        "xsd:long"
    );
    assert_eq!(
        customer["properties"]["tags"]["$ref"],
        "#/components/schemas/TagList"
    );
    assert_eq!(schemas["TagList"]["type"], "array", "xsd:list");
    assert_eq!(
        schemas["Sku"]["pattern"], "^(?:[A-Z]{3}-[0-9]{4})$",
        "anchored pattern"
    );
    let required: Vec<&str> = customer["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"customerId") && required.contains(&"address"));
    assert!(
        !required.contains(&"email") && !required.contains(&"lastLogin"),
        "optional and nillable elements are not required: {required:?}"
    );

    let search = &doc["paths"]["/customers"]["get"]["parameters"];
    let limit = search
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "limit"))
        .expect("limit parameter");
    assert_eq!(limit["in"], "query");
    assert_eq!(limit["required"], false);
    assert_eq!(limit["schema"]["default"], 20);
    assert_eq!(
        doc["paths"]["/customers"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/CustomerSummary"}})
    );

    let post = &doc["paths"]["/orders"]["post"];
    assert!(
        post["responses"]["201"]["content"]["application/json"]["schema"].is_object(),
        "POST /orders answers 201 with a body"
    );
    assert!(post["responses"].get("200").is_none());
    let body = &post["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        body["properties"]["line"]["items"]["$ref"],
        "#/components/schemas/OrderLine"
    );
    assert_eq!(
        body["required"],
        json!(["line"]),
        "customerId may come from the query instead"
    );
    for status in ["409", "413", "415", "422"] {
        assert!(
            post["responses"].get(status).is_some(),
            "POST /orders documents {status}"
        );
    }

    let email = &doc["paths"]["/customers/{id}/email"]["put"]["requestBody"];
    assert_eq!(email["required"], true);
    assert_eq!(
        email["content"]["application/json"]["schema"],
        json!({"type": "object", "properties": {"email": {"type": "string"}},
               "required": ["email"]})
    );

    assert!(doc["paths"]["/ping"]["get"].get("requestBody").is_none());

    let problem = &schemas["Problem"];
    for key in [
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "code",
        "request_id",
        "errors",
        "fault",
        "backend_status",
    ] {
        assert!(
            problem["properties"].get(key).is_some(),
            "Problem has {key}"
        );
    }
    for key in ["code", "string", "actor", "name", "detail", "subcodes"] {
        assert!(
            problem["properties"]["fault"]["properties"]
                .get(key)
                .is_some(),
            "Problem.fault has {key}"
        );
    }
}

#[test]
fn demo_document_snapshot() {
    insta::assert_json_snapshot!("demo_openapi", demo_spec(), {
        ".info.version" => "[version]",
    });
}

async fn json_of(resp: reqwest::Response) -> Value {
    let bytes = resp.bytes().await.expect("body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// The demo served for real: the answers of a mock backend, through the bridge, fit the
/// response schemas; `/openapi.json` serves the same document and follows reloads; `/docs`
/// serves the bundled page.
#[actix_web::test]
async fn demo_answers_fit_their_schemas_and_docs_are_served() {
    let w = Arc::new(
        soapbridge::wsdl::load_path(
            support::root()
                .join("wsdl/customers.wsdl")
                .to_str()
                .expect("utf-8 path"),
        )
        .expect("demo contract"),
    );
    let (mock_addr, mock_server) = soapbridge::mock::start(
        w,
        "127.0.0.1:0".parse().expect("addr"),
        soapbridge::mock::MockOptions::default(),
    )
    .expect("mock starts");
    actix_web::rt::spawn(mock_server);
    let opts = || soapbridge::mapping::Options {
        endpoint_override: Some(
            format!("http://{mock_addr}/customers")
                .parse()
                .expect("url"),
        ),
        ..Default::default()
    };
    let doc = soapbridge::openapi::spec(&demo_mappings(opts()), None);
    let bridge = support::start_bridge(demo_mappings(opts()), Default::default()).await;
    let client = support::client();
    let registry = doc_registry(&doc);

    let calls: &[(&str, &str, Option<Value>, &str, u16)] = &[
        (
            "GET",
            "/customers/42",
            None,
            "/paths/~1customers~1{id}/get",
            200,
        ),
        (
            "GET",
            "/customers?name=Ada&limit=5",
            None,
            "/paths/~1customers/get",
            200,
        ),
        (
            "GET",
            "/customers/42/orders?status=OPEN",
            None,
            "/paths/~1customers~1{id}~1orders/get",
            200,
        ),
        (
            "PUT",
            "/customers/42/email",
            Some(json!({"email": "ada@example.com"})),
            "/paths/~1customers~1{id}~1email/put",
            200,
        ),
        (
            "POST",
            "/orders",
            Some(json!({"customerId": 42, "line": [
                {"sku": "ABC-1234", "quantity": 2, "unitPrice": 9.99}]})),
            "/paths/~1orders/post",
            201,
        ),
        ("GET", "/ping", None, "/paths/~1ping/get", 200),
        // Refused by the bridge: the answer is a problem, as documented.
        (
            "GET",
            "/customers?bogus=1",
            None,
            "/paths/~1customers/get",
            400,
        ),
        (
            "POST",
            "/orders",
            Some(json!({"customerId": 42})),
            "/paths/~1orders/post",
            400,
        ),
    ];
    for (method, path, body, op, status) in calls {
        if let Some(b) = body
            && *status < 300
        {
            let v = validator_at(
                &registry,
                &format!("{op}/requestBody/content/application~1json/schema"),
            );
            assert_valid(&v, b, &format!("request body of {method} {path}"));
        }
        let mut req = client.request(method.parse().expect("method"), bridge.url(path));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("bridge answers");
        assert_eq!(resp.status().as_u16(), *status, "{method} {path}");
        let media = if *status < 300 {
            "application~1json"
        } else {
            "application~1problem+json"
        };
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let answer = json_of(resp).await;
        if *status >= 300 {
            assert_eq!(content_type, "application/problem+json", "{method} {path}");
        }
        let v = validator_at(
            &registry,
            &format!("{op}/responses/{status}/content/{media}/schema"),
        );
        assert_valid(&v, &answer, &format!("answer of {method} {path}"));
    }

    // The served document is the one built from the same mappings.
    let resp = client
        .get(bridge.url("/openapi.json"))
        .send()
        .await
        .expect("openapi.json");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/json")
    );
    let served = json_of(resp).await;
    assert_eq!(served, doc);
    let resp = client
        .post(bridge.url("/openapi.json"))
        .send()
        .await
        .expect("POST /openapi.json");
    assert_eq!(resp.status(), 405);

    // A reload swaps the table: the next document describes the new routes.
    let ping_only = "version: 1\nbackend:\n  wsdl: ../wsdl/customers.wsdl\n  endpoint: http://127.0.0.1:9/x\n  port: CustomerServiceSoap12\nroutes:\n  - route: GET /health/ping\n    operation: Ping\n";
    let mapping_path = support::root().join("mappings/ping-only.yaml");
    let m = support::compile(&[(mapping_path.as_path(), ping_only)], Default::default());
    bridge
        .state
        .swap(soapbridge::http::RouteTable::build(m).expect("table"));
    let reloaded = json_of(
        client
            .get(bridge.url("/openapi.json"))
            .send()
            .await
            .expect("openapi.json after reload"),
    )
    .await;
    let paths: Vec<&String> = reloaded["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    assert_eq!(paths, ["/health/ping"]);

    let resp = client.get(bridge.url("/docs")).send().await.expect("docs");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let html = resp.text().await.expect("page");
    assert!(html.contains("swagger-ui"), "the page loads Swagger UI");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no asset comes from elsewhere"
    );
    for (asset, file, content_type) in [
        (
            "/docs/swagger-ui-bundle.js",
            "swagger-ui-bundle.js",
            "text/javascript",
        ),
        ("/docs/swagger-ui.css", "swagger-ui.css", "text/css"),
    ] {
        let page_ref = asset.trim_start_matches('/');
        assert!(html.contains(page_ref), "the page refers to {page_ref}");
        let resp = client.get(bridge.url(asset)).send().await.expect("asset");
        assert_eq!(resp.status(), 200, "{asset}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with(content_type),
            "{asset}"
        );
        let bytes = resp.bytes().await.expect("asset body");
        let on_disk =
            std::fs::read(support::root().join("assets/docs").join(file)).expect("asset file");
        assert!(bytes == on_disk, "{asset} is the bundled file");
    }
}

// ----- one construct per rule -------------------------------------------------------------

const FEATURES_MAPPING: &str = r#"
version: 1
backend:
  wsdl: features.wsdl
  port: FeaturesPort
routes:
  - route: POST /things
    operation: Store
    response: { body: everything }
  - route: GET /things/{id}
    operation: Find
    summary: Find things
    request:
      id: "{path.id}"
      level: "{query.level}"
      limit: "{query.limit:10}"
      tenant: "{header.X-Tenant}"
    response: { body: everything }
    faults:
      - match: NotFound
        status: 404
  - route: PUT /things/{id}/contact
    operation: Find
    request:
      id: "{path.id}"
      contact: "{body.contact}"
      flags: "{body.meta.flags}"
      code: "{body.code}"
      hash: "{body.hash}"
  - route: POST /notify
    operation: Notify
"#;

const FEATURES_RPC_MAPPING: &str = r#"
version: 1
backend:
  wsdl: features.wsdl
  port: RpcPort
base_path: /rpc
"#;

fn features_spec() -> Value {
    features().1
}

fn features() -> (soapbridge::mapping::Mappings, Value) {
    let dir = support::root().join("tests/fixtures/openapi");
    let a = dir.join("features.yaml");
    let b = dir.join("features-rpc.yaml");
    let m = support::compile(
        &[
            (a.as_path(), FEATURES_MAPPING),
            (b.as_path(), FEATURES_RPC_MAPPING),
        ],
        Default::default(),
    );
    let doc = soapbridge::openapi::spec(&m, None);
    (m, doc)
}

#[test]
fn features_document_is_valid_openapi_3_1() {
    let (m, doc) = features();
    let counts = check_document(&doc, "features");
    assert_eq!(counts.operations, 5);
    assert!(counts.components > 20, "{counts:?}");
    let (checked, unencodable) = samples_fit(&m, &doc);
    assert_eq!(
        (checked, unencodable),
        (7, 0),
        "Store and Path in and out, Find out twice, Notify in"
    );
}

#[test]
fn features_follow_the_json_conventions() {
    let doc = features_spec();
    let registry = doc_registry(&doc);
    let schemas = &doc["components"]["schemas"];
    let component = |name: &str| validator_at(&registry, &format!("/components/schemas/{name}"));
    let everything = &schemas["Everything"]["properties"];

    // Name clashes: another namespace's Item, and the contract's own Problem.
    assert_eq!(
        schemas["Item"]["properties"]["other"]["$ref"],
        "#/components/schemas/Item_other"
    );
    assert!(schemas["Item_other"]["properties"].get("code").is_some());
    assert!(schemas["Problem"]["properties"].get("request_id").is_some());
    assert_eq!(
        everything["problem"]["$ref"],
        "#/components/schemas/Problem_feat"
    );

    // Scalars.
    assert_eq!(
        everything["big"],
        json!({"type": "integer", "minimum": 0, "maximum": 18446744073709551615_u64})
    );
    assert_eq!(
        everything["small"],
        json!({"type": "integer", "minimum": -128, "maximum": 127})
    );
    assert_eq!(
        everything["positive"],
        json!({"type": "integer", "minimum": 1})
    );
    assert_eq!(
        everything["f"],
        json!({"type": "number", "format": "float"})
    );
    assert_eq!(
        everything["d"],
        json!({"type": "number", "format": "double"})
    );
    assert_eq!(
        everything["at"],
        json!({"type": "string", "format": "time"})
    );
    assert_eq!(
        everything["took"],
        json!({"type": "string", "format": "duration"})
    );
    assert_eq!(
        everything["link"],
        json!({"type": "string", "format": "uri-reference"})
    );
    assert_eq!(
        everything["blob"],
        json!({"type": "string", "contentEncoding": "base64"})
    );
    assert_eq!(everything["year"], json!({"type": "string"}));
    assert_eq!(everything["anything"], json!({}), "xsd:anyType");
    assert_eq!(
        everything["note"],
        json!({"type": ["string", "null"]}),
        "nillable"
    );
    assert_eq!(
        everything["$any"]["items"],
        json!({"type": "string"}),
        "xsd:any"
    );
    assert_eq!(
        everything["inline"],
        json!({"type": "object", "properties": {"deep": {"type": "string"}},
               "required": ["deep"]}),
        "anonymous types are inline"
    );
    assert!(everything.get("dog").is_some() && everything.get("cat").is_some());
    assert!(everything.get("animal").is_none(), "abstract head");

    // Facets.
    assert_eq!(
        schemas["Level"],
        json!({"type": "integer", "format": "int32",
        "minimum": -2147483648_i64, "maximum": 2147483647_i64, "enum": [1, 2, 3]})
    );
    assert_eq!(schemas["Code"]["minLength"], 2);
    assert_eq!(schemas["Code"]["maxLength"], 8);
    let code = component("Code");
    assert_valid(&code, &json!("ab-1"), "Code");
    assert_invalid(&code, &json!("1ab"), "Code: \\i first");
    assert_invalid(&code, &json!("a"), "Code: minLength");
    assert!(
        schemas["Latin"].get("pattern").is_none(),
        "untranslatable patterns are left out"
    );
    assert_eq!(schemas["Ratio"]["exclusiveMinimum"], 0);
    assert_eq!(schemas["Ratio"]["maximum"], 1.5);
    let hash = component("Hash");
    assert_valid(&hash, &json!("0a1B2c3D"), "Hash");
    assert_invalid(&hash, &json!("0a1B2c"), "Hash: 4 octets");
    assert_invalid(&hash, &json!("0a1B2c3G"), "Hash: hex");
    assert_eq!(schemas["Words"]["type"], "array", "xsd:list");
    assert_eq!(
        schemas["IntOrWord"]["anyOf"][0]["type"], "integer",
        "xsd:union"
    );

    // Attributes, simple content, mixed content.
    let tagged = &schemas["Tagged"];
    assert_eq!(tagged["properties"]["id"], json!({"type": "string"}));
    assert_eq!(tagged["properties"]["@id"]["type"], "integer");
    assert_eq!(tagged["properties"]["version"]["default"], 1);
    assert_eq!(tagged["properties"]["kind"]["const"], "tag");
    assert!(tagged["properties"].get("$attributes").is_some());
    let tagged_v = component("Tagged");
    assert_valid(
        &tagged_v,
        &json!({"id": "abc", "@id": 5, "version": 1}),
        "Tagged",
    );
    assert_invalid(&tagged_v, &json!({"id": "abc"}), "Tagged: @id required");
    let amount = component("Amount");
    assert_valid(
        &amount,
        &json!({"currency": "EUR", "$value": 12.50}),
        "Amount",
    );
    assert_invalid(&amount, &json!({"$value": 12.50}), "Amount: currency");
    assert_eq!(
        schemas["Plain"],
        json!({"type": "string"}),
        "simple content without attributes is the value"
    );
    assert!(schemas["Note"]["properties"].get("$text").is_some());

    // Choice: exactly one branch.
    let contact = component("Contact");
    assert_valid(&contact, &json!({"name": "n", "email": "e"}), "Contact");
    assert_valid(
        &contact,
        &json!({"name": "n", "street": "s", "city": "c"}),
        "Contact",
    );
    assert_valid(
        &contact,
        &json!({"name": "n", "phone": "p", "fax": "f"}),
        "Contact",
    );
    assert_invalid(&contact, &json!({"name": "n"}), "Contact: no branch");
    assert_invalid(
        &contact,
        &json!({"name": "n", "email": "e", "phone": "p"}),
        "Contact: two branches",
    );
    assert_invalid(
        &contact,
        &json!({"name": "n", "street": "s"}),
        "Contact: half a branch",
    );
    assert_invalid(
        &contact,
        &json!({"name": "n", "email": "e", "fax": "f", "pager": "p"}),
        "Contact: optional choice, two branches",
    );

    let colors = component("Colors");
    assert_valid(&colors, &json!({"rgb": ["#fff"], "named": []}), "Colors");
    assert_valid(&colors, &json!({"named": ["red"]}), "Colors");
    assert_invalid(
        &colors,
        &json!({"rgb": ["#fff"], "named": ["red"]}),
        "Colors: two branches",
    );
    assert_invalid(
        &colors,
        &json!({"rgb": [], "named": []}),
        "Colors: no branch",
    );

    // Polymorphism: `$type`.
    let shape = component("Shape");
    assert_valid(
        &shape,
        &json!({"$type": "Circle", "name": "c", "radius": 2.5}),
        "Shape",
    );
    assert_valid(
        &shape,
        &json!({"$type": "Square", "name": "s", "side": 1}),
        "Shape",
    );
    assert_invalid(
        &shape,
        &json!({"name": "c", "radius": 2.5}),
        "abstract: $type",
    );
    assert_invalid(&shape, &json!({"$type": "Shape", "name": "c"}), "abstract");
    assert_invalid(&shape, &json!({"$type": "Circle", "name": "c"}), "radius");
    assert!(
        schemas.get("Shape.exact").is_none(),
        "abstract: no own form"
    );
    let vehicle = component("Vehicle");
    assert_valid(&vehicle, &json!({"wheels": 4}), "Vehicle");
    assert_valid(
        &vehicle,
        &json!({"$type": "Car", "wheels": 4, "seats": 2}),
        "Vehicle",
    );
    assert_valid(
        &vehicle,
        &json!({"$type": "SportsCar", "wheels": 4, "seats": 2, "topSpeed": 300}),
        "Vehicle",
    );
    assert_invalid(&vehicle, &json!({"$type": "Bus", "wheels": 4}), "Vehicle");
    assert_invalid(
        &vehicle,
        &json!({"$type": "Car", "wheels": 4}),
        "Car: seats",
    );
    assert!(schemas.get("Car.exact").is_some(), "Car has derived types");

    // Recursion ends at a component.
    assert_eq!(
        schemas["Node"]["properties"]["child"]["items"]["$ref"],
        "#/components/schemas/Node"
    );
    assert_eq!(everything["Tree"]["$ref"], "#/components/schemas/Tree");
    assert_eq!(
        schemas["Tree"]["properties"]["Tree"]["items"]["$ref"],
        "#/components/schemas/Tree"
    );
    assert_valid(
        &component("Tree"),
        &json!({"leaf": "a", "Tree": [{"Tree": [{"leaf": "b"}]}]}),
        "Tree",
    );

    // Routes.
    let find = &doc["paths"]["/things/{id}"]["get"];
    let params = find["parameters"].as_array().expect("parameters");
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("parameter {name}"))
    };
    assert_eq!(param("id")["schema"]["format"], "int64");
    assert_eq!(param("level")["schema"]["type"], "array");
    assert_eq!(
        param("level")["schema"]["items"]["$ref"],
        "#/components/schemas/Level"
    );
    assert_eq!(param("level")["explode"], true);
    assert_eq!(param("limit")["schema"]["default"], 10);
    assert_eq!(
        param("x-tenant")["in"],
        "header",
        "header names are case-insensitive"
    );
    assert_eq!(
        find["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Everything"}})
    );
    let nf = &find["responses"]["404"]["content"]["application/problem+json"]["schema"];
    assert_eq!(
        nf["properties"]["fault"]["properties"]["detail"]["$ref"],
        "#/components/schemas/NotFound"
    );
    let put = &doc["paths"]["/things/{id}/contact"]["put"];
    let body = &put["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        body["properties"]["contact"]["$ref"],
        "#/components/schemas/Contact"
    );
    assert_eq!(
        body["properties"]["meta"],
        json!({"type": "object", "properties": {
            "flags": {"type": "array", "items": {"type": "boolean"}}}})
    );
    let store = &doc["paths"]["/things"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(
        store,
        &json!({"oneOf": [{"$ref": "#/components/schemas/Everything"}, {"type": "null"}]}),
        "an optional response element may be absent"
    );
    let notify = &doc["paths"]["/notify"]["post"]["responses"];
    assert_eq!(notify["202"], json!({"description": "Accepted"}), "one-way");
    let path = &doc["paths"]["/rpc/Features/Path"]["post"];
    let rpc_body = &path["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        rpc_body["properties"]["points"],
        json!({"oneOf": [{"$ref": "#/components/schemas/ArrayOfPoint"}, {"type": "null"}]}),
        "rpc parts are nillable"
    );
    assert_eq!(
        schemas["ArrayOfPoint"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Point"}}),
        "soapenc arrays"
    );
    assert_eq!(path["tags"], json!(["features-rpc"]));
}

// ----- the corpus -------------------------------------------------------------------------

/// One mapping per SOAP binding of each corpus contract (auto routes, a base path per
/// binding); the document of each contract must validate, and sample values of every
/// operation's input and output must fit the request and response schemas.
#[test]
fn corpus_documents_are_valid_openapi_3_1() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let started = Instant::now();
    let entries = support::corpus_entries(&dir);
    let mut totals = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for entry in &entries {
        let path = dir.join(entry);
        let t0 = Instant::now();
        let Some(location) = path.to_str() else {
            skipped.push(format!("{entry}: path is not UTF-8"));
            continue;
        };
        let w = match soapbridge::wsdl::load_path(location) {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!("{entry}: the contract does not load: {e}"));
                continue;
            }
        };
        if w.bindings.is_empty() {
            skipped.push(format!("{entry}: no SOAP binding"));
            continue;
        }
        let entry_dir = path.parent().unwrap_or(Path::new("/"));
        let texts: Vec<(PathBuf, String)> = w
            .bindings
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (
                    entry_dir.join(format!("openapi-corpus-{i}.yaml")),
                    format!(
                        "version: 1\nbackend:\n  wsdl: {location:?}\n  binding: {:?}\n  endpoint: http://127.0.0.1:9/x\nbase_path: /b{i}\n",
                        &*b.name.local
                    ),
                )
            })
            .collect();
        let files: Vec<(&Path, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_path(), t.as_str()))
            .collect();
        let m = match soapbridge::mapping::load_texts(&files, Default::default()) {
            Ok(m) => m,
            Err(d) => {
                failures.push(format!(
                    "{entry}: mappings do not compile: {}",
                    d.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
                continue;
            }
        };
        let t_spec = Instant::now();
        let doc = soapbridge::openapi::spec(&m, None);
        let spec_time = t_spec.elapsed();
        let t_check = Instant::now();
        let counts = match std::panic::catch_unwind(|| check_document(&doc, entry)) {
            Ok(c) => c,
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "check panicked".into());
                failures.push(msg.chars().take(4000).collect());
                continue;
            }
        };
        let check_time = t_check.elapsed();
        let t_samples = Instant::now();
        let (samples, unencodable) = match std::panic::catch_unwind(|| samples_fit(&m, &doc)) {
            Ok(n) => n,
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "sample check panicked".into());
                failures.push(format!(
                    "{entry}: {}",
                    msg.chars().take(4000).collect::<String>()
                ));
                continue;
            }
        };
        assert!(
            spec_time.as_secs() < 10,
            "{entry}: building the document took {spec_time:?}"
        );
        totals.0 += 1;
        totals.1 += w.bindings.len();
        totals.2 += counts.operations;
        totals.3 += counts.components;
        totals.4 += samples;
        totals.5 += unencodable;
        eprintln!(
            "openapi corpus: {entry}: {} binding(s), {} operation(s), {} component(s), {} schema(s), {} $ref(s), {} sample(s) ({} not encodable); spec {:?}, checks {:?}, samples {:?}, all {:?}",
            w.bindings.len(),
            counts.operations,
            counts.components,
            counts.schemas,
            counts.refs,
            samples,
            unencodable,
            spec_time,
            check_time,
            t_samples.elapsed(),
            t0.elapsed()
        );
    }
    eprintln!(
        "openapi corpus: {} of {} entries, {} bindings, {} operations, {} components, {} samples validated ({} samples not encodable) in {:?}; skipped: {:?}",
        totals.0,
        entries.len(),
        totals.1,
        totals.2,
        totals.3,
        totals.4,
        totals.5,
        started.elapsed(),
        skipped
    );
    assert!(
        failures.is_empty(),
        "{} corpus entries fail:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(totals.2 > 0, "the corpus gave no operation to check");
}

/// One compiled validator for many Schema Objects of a document: the instance is
/// `{POINTER: VALUE}` and `VALUE` is checked against the schema at `POINTER` (`properties`
/// picks it; compiling once is what keeps the largest contracts fast).
struct Dispatcher {
    validator: Validator,
}

impl Dispatcher {
    fn new(registry: &Registry<'_>, pointers: &[String]) -> Self {
        let properties: serde_json::Map<String, Value> = pointers
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    json!({ "$ref": format!("{DOC_URI}#{}", fragment(p)) }),
                )
            })
            .collect();
        let validator = jsonschema::options()
            .offline()
            .with_registry(registry)
            .build(&json!({ "properties": properties }))
            .unwrap_or_else(|e| panic!("the schemas do not compile: {e}"));
        Self { validator }
    }

    fn errors(&self, pointer: &str, value: Value) -> Vec<String> {
        let mut instance = serde_json::Map::new();
        instance.insert(pointer.to_owned(), value);
        let instance = Value::Object(instance);
        let prefix = format!("/{}", json_pointer_escape(pointer));
        self.validator
            .iter_errors(&instance)
            .take(3)
            .map(|e| {
                let at = e.instance_path().to_string();
                format!(
                    "at {}: {}",
                    at.strip_prefix(&prefix).unwrap_or(&at),
                    short(&e.to_string())
                )
            })
            .collect()
    }
}

/// Sample input and output values of every operation of `m`, written as SOAP and read
/// back the way the bridge reads them (so in the JSON form the bridge sends and accepts),
/// fit the request body and success response schemas. Returns how many were checked, and
/// how many samples the encoder refused (a matter for the sampler, not checked here).
fn samples_fit(m: &soapbridge::mapping::Mappings, doc: &Value) -> (usize, usize) {
    use soapbridge::soap::{Response, build_message, parse_request, parse_response};
    let limits = soapbridge::translate::Limits::default();
    let mut unencodable = 0;
    let mut cases: Vec<(String, Value, String)> = Vec::new();
    for r in &m.routes {
        let schema = &r.backend.wsdl.schema;
        let version = r.backend.soap_version;
        let sampler = soapbridge::mock::sample::Sampler::new(schema);
        let op = r.operation();
        let base = format!(
            "/paths/{}/{}",
            json_pointer_escape(&r.path),
            r.method.as_str().to_ascii_lowercase()
        );
        let what = |dir: &str| format!("{} {} ({dir})", r.method, r.path);
        let mut read_back = |msg: &soapbridge::wsdl::MessageBinding, output: bool| {
            let sample = sampler.value(msg.body.content, "");
            let xml = match build_message(schema, msg, version, &sample, None, &[]) {
                Ok(x) => x,
                Err(e) => {
                    if std::env::var_os("OPENAPI_DEBUG").is_some() {
                        eprintln!("{} {}: {e}; sample {sample}", r.method, r.path);
                    }
                    unencodable += 1;
                    return None;
                }
            };
            let parsed = if output {
                parse_response(schema, op, &xml, limits)
            } else {
                parse_request(schema, op, &xml, limits)
            };
            match parsed {
                Ok(Response::Ok { body, .. }) => Some(body),
                _ => {
                    unencodable += 1;
                    None
                }
            }
        };
        // A template's body is not the input; auto routes take the input as the body.
        if r.body.is_some()
            && matches!(r.input, soapbridge::mapping::Input::Auto { .. })
            && let Some(v) = read_back(&op.input, false)
        {
            cases.push((
                format!("{base}/requestBody/content/application~1json/schema"),
                v,
                what("input"),
            ));
        }
        if let (Some(out), Some(_)) = (&op.output, r.response.ty)
            && let Some(v) = read_back(out, true)
        {
            cases.push((
                format!(
                    "{base}/responses/{}/content/application~1json/schema",
                    r.response.status
                ),
                soapbridge::mapping::bind::shape(r, v),
                what("output"),
            ));
        }
    }
    let mut pointers: Vec<String> = cases.iter().map(|(p, _, _)| p.clone()).collect();
    pointers.sort();
    pointers.dedup();
    let dispatcher = Dispatcher::new(&doc_registry(doc), &pointers);
    let mut problems = Vec::new();
    let checked = cases.len();
    for (pointer, value, what) in cases {
        let shown = short(&value.to_string());
        let errors = dispatcher.errors(&pointer, value);
        if !errors.is_empty() {
            problems.push(format!("{what}: {}; value: {shown}", errors.join("; ")));
        }
    }
    assert!(
        problems.is_empty(),
        "{} sample(s) do not fit:\n{}",
        problems.len(),
        problems
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    (checked, unencodable)
}
