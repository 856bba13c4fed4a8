//! `soapbridge generate`: the starter mapping for the demo contract (routes, snapshot, served
//! end to end against the mock), every entry of the real-world corpus compiles, and the
//! command line writes a file that `soapbridge check` accepts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use soapbridge::generate::{self, GenerateError, Options, RouteSummary};
use soapbridge::wsdl::{self, SoapVersion};

use crate::support;

fn customers_wsdl() -> wsdl::Wsdl {
    let path = support::root().join("wsdl/customers.wsdl");
    wsdl::load_path(&path.to_string_lossy()).expect("the demo contract loads")
}

/// A mapping beside the demo WSDL (so `wsdl: customers.wsdl` resolves).
fn beside_the_wsdl() -> PathBuf {
    support::root().join("wsdl/generated.yaml")
}

fn route(method: &'static str, path: &str, operation: &str) -> RouteSummary {
    RouteSummary {
        method,
        path: path.to_owned(),
        operation: operation.to_owned(),
    }
}

#[test]
fn customers_routes_are_rest_style_and_compile() {
    let w = customers_wsdl();
    let g = generate::generate(
        &w,
        &Options {
            wsdl_ref: "customers.wsdl".into(),
            ..Options::default()
        },
    )
    .expect("generates");
    assert_eq!(g.binding, "CustomerServiceSoap11");
    assert_eq!(
        g.routes,
        vec![
            route("GET", "/customers/{customerId}", "GetCustomer"),
            route("GET", "/customers", "FindCustomers"),
            route("POST", "/update-customer-email", "UpdateCustomerEmail"),
            route("GET", "/customers/{customerId}/orders", "ListOrders"),
            route("POST", "/place-order", "PlaceOrder"),
            route("POST", "/ping", "Ping"),
        ]
    );
    let path = beside_the_wsdl();
    let m = support::compile(
        &[(path.as_path(), &g.yaml)],
        soapbridge::mapping::Options::default(),
    );
    let compiled: Vec<(String, String, String)> = m
        .routes
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.path.clone(),
                r.operation().name.clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = g
        .routes
        .iter()
        .map(|r| (r.method.to_owned(), r.path.clone(), r.operation.clone()))
        .collect();
    assert_eq!(compiled, expected);
    let get_customer = &m.routes[0];
    assert_eq!(get_customer.response.path.len(), 1);
    assert_eq!(&*get_customer.response.path[0], "customer");
    assert_eq!(get_customer.path_params[0].name, "customerId");
    assert_eq!(get_customer.faults.len(), 1);
    assert_eq!(get_customer.faults[0].status, 404);
    let place_order = &m.routes[4];
    assert_eq!(
        place_order
            .faults
            .iter()
            .map(|f| f.status)
            .collect::<Vec<_>>(),
        [404, 422]
    );
    assert_eq!(
        m.backends[0].endpoint.as_str(),
        "http://127.0.0.1:8081/customers"
    );
    // The route table (which refuses soapbridge's own paths) accepts it too.
    soapbridge::tls::install_crypto_provider();
    soapbridge::http::RouteTable::build(m).expect("the route table builds");
    insta::assert_snapshot!("customers_generated_mapping", g.yaml);
}

#[test]
fn soap12_base_path_and_endpoint_options() {
    let w = customers_wsdl();
    let g = generate::generate(
        &w,
        &Options {
            wsdl_ref: "customers.wsdl".into(),
            soap_version: Some(SoapVersion::V12),
            base_path: Some("/api/v1/".into()),
            endpoint: Some("http://backend.test:9000/soap".into()),
            ..Options::default()
        },
    )
    .expect("generates");
    assert_eq!(g.binding, "CustomerServiceSoap12");
    assert!(
        g.yaml.contains("\n  port: CustomerServiceSoap12\n"),
        "{}",
        g.yaml
    );
    assert!(g.yaml.contains("\nbase_path: /api/v1\n"), "{}", g.yaml);
    assert!(g.routes.iter().all(|r| r.path.starts_with("/api/v1/")));
    let path = beside_the_wsdl();
    let m = support::compile(
        &[(path.as_path(), &g.yaml)],
        soapbridge::mapping::Options::default(),
    );
    assert_eq!(m.backends[0].soap_version, SoapVersion::V12);
    assert_eq!(
        m.backends[0].endpoint.as_str(),
        "http://backend.test:9000/soap"
    );
    assert!(
        m.routes
            .iter()
            .any(|r| r.path == "/api/v1/customers/{customerId}")
    );
}

#[test]
fn a_binding_without_address_gets_a_required_endpoint_with_a_default() {
    let text = std::fs::read_to_string(support::root().join("wsdl/customers.wsdl"))
        .expect("demo contract");
    // The same contract without its service: the bindings have no address.
    let start = text.find("<wsdl:service").expect("service");
    let end = text.find("</wsdl:service>").expect("service end") + "</wsdl:service>".len();
    let no_service = format!("{}{}", &text[..start], &text[end..]);
    let dir = tempfile::tempdir().expect("temp dir");
    let wsdl_path = dir.path().join("bare.wsdl");
    std::fs::write(&wsdl_path, no_service).expect("write");
    let w = wsdl::load_path(&wsdl_path.to_string_lossy()).expect("loads");
    let g = generate::generate(
        &w,
        &Options {
            wsdl_ref: "bare.wsdl".into(),
            ..Options::default()
        },
    )
    .expect("generates");
    assert!(
        g.yaml.contains("\n  binding: CustomerServiceSoap11\n"),
        "{}",
        g.yaml
    );
    assert!(
        g.yaml.contains(
            "\n  endpoint: \"${CUSTOMER_SERVICE_SOAP11_URL:-http://127.0.0.1:8081/customer-service-soap11}\"\n"
        ),
        "{}",
        g.yaml
    );
    let path = dir.path().join("m.yaml");
    let m = support::compile(
        &[(path.as_path(), &g.yaml)],
        soapbridge::mapping::Options::default(),
    );
    assert_eq!(m.routes.len(), 6);
}

async fn json_of(r: reqwest::Response) -> Value {
    let text = r.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[actix_web::test]
async fn generated_routes_serve_the_mock_backend() {
    let w = Arc::new(customers_wsdl());
    let (mock_addr, mock) = soapbridge::mock::start(
        w.clone(),
        "127.0.0.1:0".parse().expect("addr"),
        soapbridge::mock::MockOptions::default(),
    )
    .expect("mock starts");
    actix_web::rt::spawn(mock);
    let g = generate::generate(
        &w,
        &Options {
            wsdl_ref: "customers.wsdl".into(),
            ..Options::default()
        },
    )
    .expect("generates");
    let path = beside_the_wsdl();
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(
            format!("http://{mock_addr}/customers")
                .parse()
                .expect("url"),
        ),
        ..Default::default()
    };
    let m = support::compile(&[(path.as_path(), &g.yaml)], opts);
    let b = support::start_bridge(m, soapbridge::http::ServerConfig::default()).await;
    let c = support::client();

    let r = c.get(b.url("/customers/42")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let v = json_of(r).await;
    assert!(v.get("customerId").is_some_and(Value::is_number), "{v}");

    let r = c
        .get(b.url("/customers?name=Ada&maxResults=5"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let v = json_of(r).await;
    assert!(v.is_array(), "{v}");

    let r = c
        .get(b.url("/customers/abc"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 400, "a non-integer id is the caller's");

    let r = c
        .post(b.url("/place-order"))
        .header("content-type", "application/json")
        .body(
            json!({"customerId": 42, "line": [{"sku": "ABC-1234", "quantity": 2, "unitPrice": 9.99}]})
                .to_string(),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let v = json_of(r).await;
    assert!(v.get("orderId").is_some(), "{v}");

    let r = c.post(b.url("/ping")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let v = json_of(r).await;
    assert!(v.get("serverTime").is_some(), "{v}");
}

/// Whether a contract offers nothing to map (no SOAP binding, or none with operations).
fn nothing_to_map(w: &wsdl::Wsdl) -> bool {
    w.bindings.iter().all(|b| b.operations.is_empty())
}

#[test]
fn every_corpus_entry_generates_a_mapping_that_compiles() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let entries = support::corpus_entries(&dir);
    let mut failures = Vec::new();
    let (mut generated, mut refused, mut routes, mut gets) = (0usize, 0usize, 0usize, 0usize);
    for entry in &entries {
        let path = dir.join(entry);
        let w = match wsdl::load_path(&path.to_string_lossy()) {
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
        let result = generate::generate(
            &w,
            &Options {
                wsdl_ref: file_name,
                ..Options::default()
            },
        );
        let g = match result {
            Ok(g) => g,
            Err(e @ (GenerateError::NoSoapBinding { .. } | GenerateError::NoOperations { .. })) => {
                let msg = e.to_string();
                if !nothing_to_map(&w) {
                    failures.push(format!("{entry}: refused, but it has operations: {msg}"));
                } else if !msg.contains("defines no SOAP") {
                    failures.push(format!("{entry}: unclear refusal: {msg}"));
                }
                refused += 1;
                continue;
            }
            Err(e) => {
                failures.push(format!("{entry}: {e}"));
                continue;
            }
        };
        if nothing_to_map(&w) {
            failures.push(format!(
                "{entry}: nothing to map, yet a mapping was generated"
            ));
        }
        let binding = w
            .bindings
            .iter()
            .find(|b| *b.name.local == *g.binding)
            .expect("the binding named exists");
        if g.routes.len() != binding.operations.len() {
            failures.push(format!(
                "{entry}: {} routes for {} operations",
                g.routes.len(),
                binding.operations.len()
            ));
        }
        let mapping_path = path.with_file_name("soapbridge-generated.yaml");
        match soapbridge::mapping::load_texts(
            &[(mapping_path.as_path(), &g.yaml)],
            soapbridge::mapping::Options::default(),
        ) {
            Ok(m) => {
                if m.routes.len() != g.routes.len() {
                    failures.push(format!(
                        "{entry}: {} routes compiled of {} generated",
                        m.routes.len(),
                        g.routes.len()
                    ));
                }
                if let Some(r) = m
                    .routes
                    .iter()
                    .find(|r| soapbridge::http::router::RESERVED.contains(&r.path.as_str()))
                {
                    failures.push(format!("{entry}: reserved path {}", r.path));
                }
            }
            Err(diags) => failures.push(format!(
                "{entry}: does not compile:\n  {}",
                diags
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n  ")
            )),
        }
        generated += 1;
        routes += g.routes.len();
        gets += g.routes.iter().filter(|r| r.method == "GET").count();
    }
    eprintln!(
        "generate corpus: {} entries, {generated} mappings ({routes} routes: {gets} GET, {} POST), {refused} refused for lack of SOAP operations",
        entries.len(),
        routes - gets
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(generated + refused, entries.len());
    assert!(generated > 0 && routes > 1000, "the corpus yields routes");
}

#[test]
fn the_cisco_axl_contract_generates_every_route_once() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let path = dir.join("ciscoaxl-dev/ciscoaxl/schema/11.0/AXLAPI.wsdl");
    let w = wsdl::load_path(&path.to_string_lossy()).expect("AXL loads");
    let started = Instant::now();
    let g = generate::generate(
        &w,
        &Options {
            wsdl_ref: "AXLAPI.wsdl".into(),
            ..Options::default()
        },
    )
    .expect("generates");
    let took = started.elapsed();
    eprintln!(
        "AXL: {} routes, {} bytes of YAML in {took:?}",
        g.routes.len(),
        g.yaml.len()
    );
    // How long it takes is a benchmark's business (benches/load.rs), not a test's: on a
    // loaded machine any bound here fails at random.
    assert!(g.routes.len() > 1000, "{} routes", g.routes.len());
    let mut seen = std::collections::HashSet::new();
    for r in &g.routes {
        assert!(
            seen.insert((r.method, r.path.clone())),
            "{} {} is generated twice",
            r.method,
            r.path
        );
    }
}

fn soapbridge_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_soapbridge"));
    c.current_dir(support::root())
        .env_remove("CUSTOMER_SERVICE_URL");
    c
}

#[test]
fn the_command_writes_a_mapping_that_check_accepts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("m.yaml");
    let o = soapbridge_cmd()
        .args(["generate", "wsdl/customers.wsdl", "--out"])
        .arg(&out)
        .output()
        .expect("soapbridge runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "generate failed: {stderr}");
    assert!(stderr.contains("6 routes"), "{stderr}");
    let text = std::fs::read_to_string(&out).expect("the mapping is written");
    assert!(
        text.contains("- route: GET /customers/{customerId}"),
        "{text}"
    );

    let o = soapbridge_cmd()
        .arg("check")
        .arg(&out)
        .output()
        .expect("soapbridge runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "check failed: {stdout}");
    assert!(
        stdout.contains("GET /customers/{customerId} -> GetCustomer"),
        "{stdout}"
    );

    // An existing file is not replaced without --force.
    let o = soapbridge_cmd()
        .args(["generate", "wsdl/customers.wsdl", "--out"])
        .arg(&out)
        .output()
        .expect("soapbridge runs");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
}

#[test]
fn the_command_refuses_a_contract_without_soap_binding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("http-only.wsdl");
    std::fs::write(
        &path,
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:http="http://schemas.xmlsoap.org/wsdl/http/" xmlns:tns="urn:h" targetNamespace="urn:h">
  <message name="In"/><message name="Out"/>
  <portType name="P"><operation name="Get"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><http:binding verb="GET"/>
    <operation name="Get"><http:operation location="/get"/><input/><output/></operation></binding>
</definitions>"#,
    )
    .expect("write");
    let out = dir.path().join("m.yaml");
    let o = soapbridge_cmd()
        .arg("generate")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("soapbridge runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.contains("defines no SOAP binding"), "{stderr}");
    assert!(stderr.contains("HTTP GET/POST binding"), "{stderr}");
    assert!(!Path::new(&out).exists(), "nothing is written");
}

/// Names that need quoting, a required wrapper attribute, a choice, a repeated query field,
/// an element and an attribute of one name, clashing and reserved paths, a one-way read.
const TRICKY_WSDL: &str = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:tricky" targetNamespace="urn:tricky">
  <types>
    <xsd:schema targetNamespace="urn:tricky" elementFormDefault="qualified">
      <xsd:element name="GetThing"><xsd:complexType>
        <xsd:sequence>
          <xsd:element name="thing-id" type="xsd:int"/>
          <xsd:element name="yes" type="xsd:string" minOccurs="0"/>
          <xsd:element name="tag" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
          <xsd:choice>
            <xsd:element name="a" type="xsd:string"/>
            <xsd:element name="b" type="xsd:string"/>
          </xsd:choice>
        </xsd:sequence>
        <xsd:attribute name="mode" type="xsd:string" use="required"/>
        <xsd:attribute name="tag" type="xsd:string"/>
      </xsd:complexType></xsd:element>
      <xsd:element name="GetThingResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="a.b" type="xsd:string"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="get_thing"><xsd:complexType><xsd:sequence>
        <xsd:element name="id" type="xsd:int"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="get_thingResponse"><xsd:complexType>
        <xsd:sequence><xsd:element name="thing" type="xsd:string" maxOccurs="unbounded"/></xsd:sequence>
        <xsd:attribute name="count" type="xsd:int"/>
      </xsd:complexType></xsd:element>
      <xsd:element name="Empty"><xsd:complexType><xsd:sequence/></xsd:complexType></xsd:element>
      <xsd:element name="ThingNotFound"><xsd:complexType><xsd:sequence>
        <xsd:element name="id" type="xsd:int"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="Boom" type="xsd:string"/>
    </xsd:schema>
  </types>
  <message name="GetThingIn"><part name="p" element="tns:GetThing"/></message>
  <message name="GetThingOut"><part name="p" element="tns:GetThingResponse"/></message>
  <message name="get_thingIn"><part name="p" element="tns:get_thing"/></message>
  <message name="get_thingOut"><part name="p" element="tns:get_thingResponse"/></message>
  <message name="EmptyMsg"><part name="p" element="tns:Empty"/></message>
  <message name="NotFoundMsg"><part name="f" element="tns:ThingNotFound"/></message>
  <message name="BoomMsg"><part name="f" element="tns:Boom"/></message>
  <portType name="P">
    <operation name="GetThing">
      <input message="tns:GetThingIn"/><output message="tns:GetThingOut"/>
      <fault name="ThingNotFound" message="tns:NotFoundMsg"/>
      <fault name="Boom" message="tns:BoomMsg"/>
    </operation>
    <operation name="get_thing"><input message="tns:get_thingIn"/><output message="tns:get_thingOut"/></operation>
    <operation name="GetMetrics"><input message="tns:EmptyMsg"/><output message="tns:EmptyMsg"/></operation>
    <operation name="Metrics"><input message="tns:EmptyMsg"/><output message="tns:EmptyMsg"/></operation>
    <operation name="GetLog"><input message="tns:EmptyMsg"/></operation>
  </portType>
  <binding name="B" type="tns:P">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetThing"><soap:operation soapAction="urn:GetThing"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
      <fault name="ThingNotFound"><soap:fault name="ThingNotFound" use="literal"/></fault>
      <fault name="Boom"><soap:fault name="Boom" use="literal"/></fault></operation>
    <operation name="get_thing"><soap:operation soapAction="urn:get_thing"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="GetMetrics"><soap:operation soapAction="urn:GetMetrics"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="Metrics"><soap:operation soapAction="urn:Metrics"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="GetLog"><soap:operation soapAction="urn:GetLog"/>
      <input><soap:body use="literal"/></input></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B"><soap:address location="REPLACE_WITH_ACTUAL_URL"/></port></service>
</definitions>"#;

#[test]
fn tricky_names_clashes_and_reserved_paths_compile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wsdl_path = dir.path().join("tricky.wsdl");
    std::fs::write(&wsdl_path, TRICKY_WSDL).expect("write");
    let w = wsdl::load_path(&wsdl_path.to_string_lossy()).expect("loads");
    let g = generate::generate(
        &w,
        &Options {
            wsdl_ref: "tricky.wsdl".into(),
            ..Options::default()
        },
    )
    .expect("generates");
    assert_eq!(
        g.routes,
        vec![
            route("GET", "/things/{thing_id}", "GetThing"),
            route("GET", "/get-thing/{id}", "get_thing"),
            route("GET", "/get-metrics", "GetMetrics"),
            route("POST", "/metrics-2", "Metrics"),
            route("POST", "/get-log", "GetLog"),
        ],
        "{}",
        g.yaml
    );
    let y = &g.yaml;
    for line in [
        "thing-id: \"{path.thing_id}\"",
        "\"yes\": \"{query.yes}\"",
        "tag: \"{query.tag}\"",
        "\"@tag\": \"{query.tag_2}\"",
        "mode: \"{query.mode}\"",
        "- match: ThingNotFound",
        "# - match: Boom",
        "body: thing",
        // The WSDL's address is no URL: an endpoint with a default is written.
        "endpoint: \"${S_URL:-http://127.0.0.1:8081/s}\"",
    ] {
        assert!(y.contains(line), "missing `{line}` in\n{y}");
    }
    assert!(y.contains("in a choice"), "{y}");
    assert!(
        y.contains("leaves out the output's attributes count"),
        "{y}"
    );
    let path = dir.path().join("m.yaml");
    let m = support::compile(
        &[(path.as_path(), y)],
        soapbridge::mapping::Options::default(),
    );
    let get_thing = &m.routes[0];
    let required: Vec<&str> = get_thing
        .query_params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(required, ["mode"]);
    assert!(
        get_thing
            .query_params
            .iter()
            .any(|p| p.name == "tag" && p.repeated)
    );
    assert_eq!(m.routes[4].response.status, 202, "one-way");
    soapbridge::tls::install_crypto_provider();
    soapbridge::http::RouteTable::build(m).expect("no reserved path");
}

#[test]
fn every_declared_header_is_shown_both_ways() {
    let Some(corpus) = support::corpus_dir() else {
        return;
    };
    let wsdl = corpus.join("soap4r/usr/share/rubygems-integration/all/gems/soap4r-ruby1.9-2.0.5/sample/showcase/wsdl/googleAdwords/CampaignService.wsdl");
    let o = soapbridge_cmd()
        .arg("generate")
        .arg(&wsdl)
        .output()
        .expect("soapbridge runs");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // All five input headers of getCampaign in the commented example, not only the first.
    let example: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("# soap_headers:"))
        .skip(1)
        .take_while(|l| l.starts_with("    #   "))
        .collect();
    assert_eq!(example.len(), 5, "{example:?}");
    for h in ["email", "clientEmail", "password", "useragent", "token"] {
        assert!(
            example
                .iter()
                .any(|l| l.contains(&format!("{h}: {{ ... }}"))),
            "{h}: {example:?}"
        );
    }
    assert!(
        text.contains("SOAP headers in the answer of getCampaign: responseTime,"),
        "{text}"
    );
    // ...and says how to return them.
    let flat = text
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("add `soap_headers: $headers` under `response:`"),
        "{text}"
    );
}
