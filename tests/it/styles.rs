//! Binding styles and XSD constructs (`tests/fixtures/styles/`): the model, the codecs, and
//! round trips through the bridge and a real HTTP backend for document/literal wrapped and
//! bare, rpc/literal and rpc/encoded, with SOAP headers.

use std::sync::{Arc, LazyLock};

use serde_json::{Value, json};
use soapbridge::translate::events::{Ev, Limits, LiveSource, Source};
use soapbridge::translate::{Decoder, EncodeErrorKind, Encoder, XmlWriter};
use soapbridge::wsdl::{QName, SlotKind, Wsdl};

use crate::backend::{self, Reply};
use crate::support;

const T: &str = "urn:styles:types";

fn entry() -> std::path::PathBuf {
    support::root().join("tests/fixtures/styles/styles.xml")
}

static WSDL: LazyLock<Arc<Wsdl>> = LazyLock::new(|| {
    Arc::new(soapbridge::wsdl::load_path(&entry().to_string_lossy()).expect("styles loads"))
});

fn ty(local: &str) -> soapbridge::wsdl::TypeId {
    WSDL.schema.global_types[&QName::new(T, local)]
}

fn slot_keys(local: &str) -> Vec<String> {
    WSDL.schema
        .complex(ty(local))
        .expect("complex")
        .slots
        .iter()
        .map(|s| s.key.to_string())
        .collect()
}

fn roundtrip(element: &str, v: Value) -> Result<Value, String> {
    let e = WSDL.schema.global_elements[&QName::new(T, element)];
    let mut w = XmlWriter::new();
    Encoder::new(&WSDL.schema, false)
        .element(&mut w, e, &v)
        .map_err(|e| e.to_string())?;
    let xml = w.finish();
    let mut src = LiveSource::new(&xml, Limits::default());
    let Ev::Start(start) = src.next().map_err(|e| e.to_string())? else {
        return Err("no root".into());
    };
    Decoder::new(&WSDL.schema)
        .element(&mut src, &start, WSDL.schema.element(e).ty)
        .map_err(|e| e.to_string())
}

#[test]
fn imports_includes_and_redefinitions_resolve() {
    let w = &*WSDL;
    assert_eq!(
        w.documents, 5,
        "entry, types.xsd, common, redefined.xsd, soap encoding"
    );
    // Redefinition: Contact extends the original with `phone`.
    assert_eq!(slot_keys("Contact"), ["email", "phone"]);
    // Chameleon include: `Code` lands in the includer's namespace and is usable there.
    let code = w.schema.simple(ty("Code")).expect("simple");
    assert_eq!(code.facets.patterns[0].source.as_ref(), "[A-Z]{2}[0-9]{2}");
    assert_eq!(slot_keys("Tagged"), ["code"]);
    // Extension chains and complex restriction.
    assert_eq!(slot_keys("Leaf"), ["id", "label", "weight"]);
    assert_eq!(slot_keys("ShortLeaf"), ["id"]);
    assert!(w.schema.derives_from(ty("Leaf"), ty("Base")));
    // Substitution group members stand for the abstract head.
    let head = w.schema.global_elements[&QName::new(T, "vehicle")];
    let members: Vec<String> = w
        .schema
        .element(head)
        .substitutes
        .iter()
        .map(|e| w.schema.element(*e).name.local.to_string())
        .collect();
    assert_eq!(members, ["bike", "car"]);
    // HTTP bindings are skipped with a note; four SOAP bindings remain.
    assert_eq!(w.bindings.len(), 4);
    assert!(
        w.notes
            .iter()
            .any(|n| n.contains("HttpBinding is an HTTP GET/POST binding")),
        "{:?}",
        w.notes
    );
    // soap:header parts are headers, not body parts.
    let submit = w.bindings[0].operation("Submit").expect("Submit");
    assert_eq!(submit.input.headers.len(), 1);
    assert_eq!(&*submit.input.headers[0].key, "Auth");
    let submit_ty = w
        .schema
        .complex(submit.input.body.content)
        .expect("content");
    assert!(
        submit_ty
            .slots
            .iter()
            .any(|s| &*s.key == "version" && matches!(s.kind, SlotKind::Attribute(_)))
    );
}

#[test]
fn choices_groups_substitutions_and_attribute_groups_round_trip() {
    let v =
        json!({"version": 3, "createdBy": "ann", "car": {"wheels": 4, "seats": 5}, "priority": 1});
    let back = roundtrip("Submit", v).expect("round trip");
    assert_eq!(
        back,
        json!({"version": 3, "channel": "web", "createdBy": "ann", "car": {"wheels": 4, "seats": 5}, "priority": 1})
    );
    let v = json!({"version": 1, "createdBy": "b", "walk": true, "km": 2.5});
    assert_eq!(
        roundtrip("Submit", v).expect("nested choice")["km"],
        json!(2.5)
    );
    let e = roundtrip(
        "Submit",
        json!({"version": 1, "createdBy": "b", "walk": true, "km": 1, "steps": 3}),
    )
    .expect_err("both inner branches");
    assert!(e.contains("alternatives (xsd:choice)"), "{e}");
    let e = roundtrip(
        "Submit",
        json!({"version": 1, "createdBy": "b", "bike": {"wheels": 2}, "walk": true, "km": 1}),
    )
    .expect_err("both outer branches");
    assert!(e.contains("`bike`") && e.contains("`walk`"), "{e}");
    let e = roundtrip("Submit", json!({"createdBy": "b", "bike": {"wheels": 2}}))
        .expect_err("required attribute");
    assert!(
        e.contains("missing required field `version` (attribute, xsd:int)"),
        "{e}"
    );
}

#[test]
fn recursion_mixed_content_unions_and_redefined_types_round_trip() {
    let tree = json!({"name": "a", "child": [{"name": "b", "child": [{"name": "c", "child": []}]}, {"name": "d", "child": []}]});
    let v = json!({"version": 1, "createdBy": "x", "bike": {"wheels": 2}, "tree": tree, "note": {"b": ["bold"], "$text": "plain"},
                   "score": "N/A", "contact": {"email": "e@x", "phone": "1"}, "leaf": {"id": 9007199254740993i64, "label": "l", "weight": 0.1}});
    let back = roundtrip("Submit", v).expect("round trip");
    assert_eq!(back["tree"], tree);
    assert_eq!(back["note"], json!({"b": ["bold"], "$text": "plain"}));
    assert_eq!(back["score"], json!("N/A"));
    assert_eq!(back["contact"], json!({"email": "e@x", "phone": "1"}));
    assert_eq!(
        serde_json::to_string(&back["leaf"]).expect("json"),
        r#"{"id":9007199254740993,"label":"l","weight":0.1}"#
    );
    let back = roundtrip(
        "Submit",
        json!({"version": 1, "createdBy": "x", "bike": {"wheels": 2}, "score": 7}),
    )
    .expect("union int");
    assert_eq!(back["score"], json!(7));
    let e = roundtrip(
        "Submit",
        json!({"version": 1, "createdBy": "x", "bike": {"wheels": 2}, "score": "seven"}),
    )
    .expect_err("union");
    assert!(e.contains("/score"), "{e}");
}

#[test]
fn substitution_head_cannot_be_used_directly() {
    let e = WSDL.schema.global_elements[&QName::new(T, "Submit")];
    let mut w = XmlWriter::new();
    let err = Encoder::new(&WSDL.schema, false)
        .element(
            &mut w,
            e,
            &json!({"version": 1, "createdBy": "x", "vehicle": {"wheels": 1}}),
        )
        .expect_err("abstract head");
    assert!(
        matches!(err.kind, EncodeErrorKind::UnknownField { .. }),
        "{err}"
    );
}

fn mapping(port: &str, extra: &str) -> String {
    format!(
        "version: 1\nbackend:\n  wsdl: styles.xml\n  port: {port}\n  endpoint: http://127.0.0.1:9/x\n{extra}"
    )
}

async fn bridge(port: &str, endpoint: &str, extra: &str) -> support::Bridge {
    let path = support::root().join("tests/fixtures/styles/m.yaml");
    let text = mapping(port, extra);
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    support::start_bridge(
        support::compile(&[(path.as_path(), &text)], opts),
        Default::default(),
    )
    .await
}

async fn post(b: &support::Bridge, path: &str, v: Value) -> (u16, Value) {
    let r = support::client()
        .post(b.url(path))
        .header("content-type", "application/json")
        .header("x-auth-token", "s3cret")
        .body(v.to_string())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("text");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn mock() -> std::net::SocketAddr {
    let (addr, server) = soapbridge::mock::start(
        WSDL.clone(),
        "127.0.0.1:0".parse().expect("addr"),
        Default::default(),
    )
    .expect("mock");
    actix_web::rt::spawn(server);
    addr
}

#[actix_web::test]
async fn every_style_round_trips_through_the_bridge_and_a_mock_backend() {
    let addr = mock().await;
    // The mock answers on each port's soap:address path.
    let url = |path: &str| format!("http://{addr}/{path}");
    // document/literal wrapped, SOAP 1.1 and 1.2.
    for port in ["Doc", "Doc12"] {
        let b = bridge(port, &url("doc"), "").await;
        let (status, body) = post(
            &b,
            "/Styles/Submit",
            json!({"version": 2, "createdBy": "ann", "bike": {"wheels": 2}}),
        )
        .await;
        assert_eq!(status, 200, "{port}: {body}");
        assert!(body["ticket"].is_string(), "{port}: {body}");
        // document bare: one key per part.
        let (status, body) = post(
            &b,
            "/Styles/Lookup",
            json!({"Key": 5, "Options": {"verbose": true}}),
        )
        .await;
        assert_eq!(status, 200, "{port}: {body}");
        assert_eq!(body["found"], json!(true), "{port}: {body}");
    }
    // rpc/literal and rpc/encoded: one key per part; arrays stay arrays; the mock echoes
    // same-named values back.
    for (port, path) in [("RpcLiteral", "rpc"), ("RpcEncoded", "rpcenc")] {
        let b = bridge(port, &url(path), "").await;
        let input =
            json!({"a": 7, "items": {"item": [{"sku": "AB12", "qty": 2}]}, "tags": ["x", "y"]});
        let (status, body) = post(&b, "/Styles/Compute", input).await;
        assert_eq!(status, 200, "{port}: {body}");
        assert!(body["sum"].is_number(), "{port}: {body}");
        assert!(body["tags"].is_array(), "{port}: {body}");
        assert!(body["items"]["item"].is_array(), "{port}: {body}");
    }
}

#[actix_web::test]
async fn rpc_encoded_requests_carry_types_and_arrays_and_responses_resolve_multirefs() {
    let answer = r##"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:styles:types"><soap:Body>
<r:ComputeResponse xmlns:r="urn:styles:rpc" soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
<sum xsi:type="xsd:decimal">10.50</sum><items href="#id0"/><tags xsi:type="soapenc:Array" soapenc:arrayType="xsd:string[2]"><item href="#id1"/><item xsi:type="xsd:string">b</item></tags>
</r:ComputeResponse>
<multiRef id="id0" xsi:type="t:ItemList"><t:item href="#id2"/><t:item href="#id2"/></multiRef>
<multiRef id="id1" xsi:type="xsd:string">a</multiRef>
<multiRef id="id2" xsi:type="t:Item"><t:sku>AB12</t:sku><t:qty xsi:type="xsd:int">3</t:qty></multiRef>
</soap:Body></soap:Envelope>"##;
    let be = backend::start(Reply::soap11(200, answer)).await;
    let b = bridge("RpcEncoded", &be.url("/rpc"), "").await;
    let (status, body) = post(
        &b,
        "/Styles/Compute",
        json!({"a": 1, "items": {"item": [{"sku": "AB12", "qty": 1}]}, "tags": ["x"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::to_string(&body).expect("json"),
        r#"{"sum":10.50,"items":{"item":[{"sku":"AB12","qty":3},{"sku":"AB12","qty":3}]},"tags":["a","b"]}"#
    );
    let sent = be.last().body;
    insta::assert_snapshot!("rpc_encoded_request", sent);
    for needle in [
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\"",
        "soapenv:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"",
        "<a xsi:type=\"xsd:int\">1</a>",
        "xsi:type=\"soapenc:Array\" soapenc:arrayType=\"xsd:string[1]\"><item xsi:type=\"xsd:string\">x</item>",
        "<items xmlns:ns2=\"urn:styles:types\" xsi:type=\"ns2:ItemList\"><ns2:item xsi:type=\"ns2:Item\">",
    ] {
        assert!(sent.contains(needle), "missing {needle} in {sent}");
    }
    assert_eq!(
        be.last().header("soapaction"),
        Some("\"urn:styles#Compute\"")
    );
}

#[actix_web::test]
async fn soap_headers_come_from_the_mapping() {
    let be = backend::start(Reply::soap11(
        200,
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><t:SubmitResponse xmlns:t=\"urn:styles:types\"><t:ticket>T1</t:ticket></t:SubmitResponse></s:Body></s:Envelope>",
    ))
    .await;
    let routes = "routes:\n  - route: POST /submit\n    operation: Submit\n    request: \"{body}\"\n    soap_headers:\n      Auth:\n        token: \"{header.X-Auth-Token}\"\n    response:\n      body: ticket\n";
    let b = bridge("Doc", &be.url("/doc"), routes).await;
    let (status, body) = post(
        &b,
        "/submit",
        json!({"version": 1, "createdBy": "c", "bike": {"wheels": 2}}),
    )
    .await;
    assert_eq!((status, body), (200, json!("T1")));
    let sent = be.last().body;
    assert!(
        sent.contains("<soapenv:Header><ns1:Auth xmlns:ns1=\"urn:styles:types\"><ns1:token>s3cret</ns1:token></ns1:Auth></soapenv:Header>"),
        "{sent}"
    );
    // A header the binding does not declare is a start-up error.
    let bad = "routes:\n  - route: POST /submit\n    operation: Submit\n    soap_headers:\n      Token: x\n";
    let path = support::root().join("tests/fixtures/styles/m.yaml");
    let err = soapbridge::mapping::load_texts(
        &[(path.as_path(), &mapping("Doc", bad))],
        Default::default(),
    )
    .expect_err("unknown header");
    assert!(
        err[0]
            .to_string()
            .contains("`Token` is not a SOAP header of Submit"),
        "{}",
        err[0]
    );
}

#[actix_web::test]
async fn a_mapping_picks_soap_12_or_11_and_defaults_to_11() {
    let path = support::root().join("tests/fixtures/styles/m.yaml");
    let text = |extra: &str| {
        format!(
            "version: 1\nbackend:\n  wsdl: styles.xml\n  service: Styles\n  endpoint: http://127.0.0.1:9/x\n{extra}"
        )
    };
    // The service offers four ports of two port types: naming the binding is required.
    let err = soapbridge::mapping::load_texts(&[(path.as_path(), &text(""))], Default::default())
        .expect_err("ambiguous");
    assert!(
        err[0]
            .to_string()
            .contains("bindings of different port types"),
        "{}",
        err[0]
    );
    let m = support::compile(
        &[(path.as_path(), &text("  binding: DocBinding12\n"))],
        Default::default(),
    );
    assert_eq!(
        m.backends[0].soap_version,
        soapbridge::wsdl::SoapVersion::V12
    );
}

/// Serves the fixture folder over HTTP, as a backend serves `?wsdl` and its imports.
async fn serve_fixtures() -> std::net::SocketAddr {
    async fn file(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
        let name = req.path().trim_start_matches('/');
        let path = support::root().join("tests/fixtures/styles").join(name);
        match std::fs::read(&path) {
            Ok(bytes) if !name.contains("..") => actix_web::HttpResponse::Ok()
                .content_type("text/xml")
                .body(bytes),
            _ => actix_web::HttpResponse::NotFound().finish(),
        }
    }
    let server = actix_web::HttpServer::new(|| {
        actix_web::App::new().default_service(actix_web::web::to(file))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .expect("bind");
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    addr
}

#[actix_web::test]
async fn a_wsdl_named_by_url_is_fetched_with_its_imports_at_start_up() {
    let addr = serve_fixtures().await;
    let path = support::root().join("mappings/remote.yaml");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: http://{addr}/styles.xml\n  port: Doc\n  endpoint: http://127.0.0.1:9/x\n"
    );
    let m = tokio::task::spawn_blocking(move || {
        support::compile(&[(path.as_path(), &text)], Default::default())
    })
    .await
    .expect("compile");
    let w = &m.backends[0].wsdl;
    assert_eq!(w.location, format!("http://{addr}/styles.xml"));
    assert_eq!(
        w.documents, 5,
        "entry, its three imports by URL, and the bundled encoding schema"
    );
    assert_eq!(m.routes.len(), 2);
    // A URL that does not answer is a start-up error that names it.
    let path = support::root().join("mappings/remote.yaml");
    let text = format!("version: 1\nbackend:\n  wsdl: http://{addr}/missing.wsdl\n");
    let err = tokio::task::spawn_blocking(move || {
        soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default())
    })
    .await
    .expect("compile")
    .expect_err("404");
    assert!(
        err[0]
            .message
            .contains(&format!("http://{addr}/missing.wsdl: HTTP 404")),
        "{}",
        err[0]
    );
}

#[test]
fn a_local_contract_never_fetches_an_unknown_remote_import() {
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns:o="urn:other">
  <types><xsd:schema targetNamespace="urn:t">
    <xsd:import namespace="urn:other" schemaLocation="http://example.invalid/other.xsd"/>
    <xsd:import namespace="http://schemas.xmlsoap.org/soap/encoding/" schemaLocation="http://schemas.xmlsoap.org/soap/encoding/"/>
    <xsd:element name="Thing"><xsd:complexType><xsd:sequence><xsd:element name="x" type="o:Remote"/></xsd:sequence></xsd:complexType></xsd:element>
  </xsd:schema></types>
</definitions>"#;
    let p = dir.path().join("t.wsdl");
    std::fs::write(&p, wsdl).expect("write");
    let w = soapbridge::wsdl::load_path(&p.to_string_lossy()).expect("loads offline");
    assert_eq!(
        w.documents, 2,
        "the entry and the bundled SOAP encoding schema"
    );
    assert!(
        w.warnings
            .iter()
            .any(|m| m.contains("http://example.invalid/other.xsd was not fetched")),
        "{:?}",
        w.warnings
    );
    assert!(
        w.warnings
            .iter()
            .any(|m| m.contains("type {urn:other}Remote is not defined")
                && m.contains("read as xsd:anyType")),
        "{:?}",
        w.warnings
    );
}

#[test]
fn a_soap_header_taken_from_the_body_without_a_request_template_is_a_check_error() {
    let path = support::root().join("tests/fixtures/styles/m.yaml");
    let text = mapping(
        "Doc",
        "routes:\n  - route: POST /submit\n    operation: Submit\n    soap_headers:\n      Auth:\n        token: \"{body.Auth.token}\"\n",
    );
    let diags = soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default())
        .expect_err("refused at check time, not at every call");
    let all = diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("m.yaml:10:7: `soap_headers` reads `{body.Auth.token}`, but without `request:` the whole body is the input of `Submit`, which has no field `Auth`"),
        "{all}"
    );
    // With a request template, the same header from the body is fine.
    let text = mapping(
        "Doc",
        "routes:\n  - route: POST /submit\n    operation: Submit\n    request: { version: \"{body.version}\", createdBy: \"{body.createdBy}\" }\n    soap_headers:\n      Auth:\n        token: \"{body.Auth.token}\"\n",
    );
    let r = soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default());
    assert!(r.is_ok(), "{:?}", r.err());
}

#[actix_web::test]
async fn answer_soap_headers_reach_the_caller_under_the_mapped_key() {
    // Trace and Auth are declared for Submit's output; Other is not, and is not read.
    let answer = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:t=\"urn:styles:types\"><s:Header><t:Trace><t:id>tr-1</t:id><t:hops>3</t:hops></t:Trace><t:Other>x</t:Other><t:Auth><t:token>renewed</t:token></t:Auth></s:Header><s:Body><t:SubmitResponse><t:ticket>T1</t:ticket></t:SubmitResponse></s:Body></s:Envelope>";
    let be = backend::start(Reply::soap11(200, answer)).await;
    let routes = "routes:\n  - route: POST /submit\n    operation: Submit\n    request: \"{body}\"\n    soap_headers:\n      Auth:\n        token: \"{header.X-Auth-Token}\"\n    response:\n      soap_headers: $headers\n";
    let b = bridge("Doc", &be.url("/doc"), routes).await;
    let (status, body) = post(
        &b,
        "/submit",
        json!({"version": 1, "createdBy": "c", "bike": {"wheels": 2}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["$headers"],
        json!({"Trace": {"id": "tr-1", "hops": 3}, "Auth": {"token": "renewed"}}),
        "{body}"
    );
    assert_eq!(body["ticket"], "T1", "{body}");
    // An answer without header blocks still has the key, empty.
    be.set_reply(Reply::soap11(
        200,
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><t:SubmitResponse xmlns:t=\"urn:styles:types\"><t:ticket>T2</t:ticket></t:SubmitResponse></s:Body></s:Envelope>",
    ));
    let (status, body) = post(
        &b,
        "/submit",
        json!({"version": 1, "createdBy": "c", "bike": {"wheels": 2}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["$headers"], json!({}), "{body}");
    assert_eq!(body["ticket"], "T2", "{body}");
}

#[test]
fn the_openapi_document_describes_the_answers_soap_headers() {
    let path = support::root().join("tests/fixtures/styles/m.yaml");
    let text = mapping(
        "Doc",
        "routes:\n  - route: POST /submit\n    operation: Submit\n    request: \"{body}\"\n    response:\n      soap_headers: $headers\n",
    );
    let m = soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default())
        .expect("compiles");
    let doc = soapbridge::openapi::spec(&m, None);
    let ok = &doc["paths"]["/submit"]["post"]["responses"]["200"];
    assert!(
        ok["description"]
            .as_str()
            .unwrap_or("")
            .contains("SOAP headers are under `$headers`"),
        "{ok}"
    );
    let all_of = &ok["content"]["application/json"]["schema"]["allOf"];
    let headers = &all_of[1];
    assert_eq!(headers["required"], json!(["$headers"]), "{ok}");
    let blocks = &headers["properties"]["$headers"]["properties"];
    let keys: Vec<&String> = blocks.as_object().expect("blocks").keys().collect();
    assert_eq!(keys, ["Trace", "Auth"], "{ok}");
}

#[test]
fn response_soap_headers_are_checked_at_start_up() {
    let path = support::root().join("tests/fixtures/styles/m.yaml");
    let refused = |route: &str| -> String {
        let text = mapping("Doc", &format!("routes:\n  - route: POST /x\n{route}"));
        soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default())
            .expect_err("refused")
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let all = refused("    operation: Lookup\n    response:\n      soap_headers: $headers\n");
    assert!(
        all.contains(
            "m.yaml:10:21: response soap_headers: the answer of Lookup declares no SOAP headers"
        ),
        "{all}"
    );
    let all = refused(
        "    operation: Submit\n    request: \"{body}\"\n    response:\n      body: ticket\n      soap_headers: $headers\n",
    );
    assert!(
        all.contains("the body is xsd:string, not an object the headers could be added to"),
        "{all}"
    );
    let all = refused(
        "    operation: Submit\n    request: \"{body}\"\n    response:\n      soap_headers: ticket\n",
    );
    assert!(
        all.contains("`ticket` is already a field of the body"),
        "{all}"
    );
}
