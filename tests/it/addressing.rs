//! WS-Addressing as the contract states it: the captured JAX-WS RI contract
//! (tests/fixtures/jaxws/, a binding with `wsaw:UsingAddressing` and a `wsam:Addressing`
//! policy), what a mapping may say about it, and the headers a request carries. The same
//! service running for real is in interop/jaxws.rs.

use std::path::{Path, PathBuf};

use serde_json::json;
use soapbridge::gateway::{Input, encode_request};
use soapbridge::wsdl::WsaVersion;

use crate::support;

/// The captured SOAP 1.1 WSDL and its schema in `dir`, the schema's URL made a relative path.
pub fn contract(dir: &Path) -> PathBuf {
    contract_of(dir, "service")
}

/// The captured WSDL `name` (`service`: SOAP 1.1, `service12`: SOAP 1.2) and its schema.
pub fn contract_of(dir: &Path, name: &str) -> PathBuf {
    let fixtures = support::root().join("tests/fixtures/jaxws");
    let wsdl = std::fs::read_to_string(fixtures.join(format!("{name}.wsdl"))).expect("wsdl");
    let path = if name == "service12" {
        "files12"
    } else {
        "files"
    };
    let wsdl = wsdl.replace(
        &format!("http://127.0.0.1:PORT/{path}?xsd=1"),
        &format!("{name}.xsd"),
    );
    std::fs::write(dir.join(format!("{name}.wsdl")), wsdl).expect("write");
    std::fs::copy(
        fixtures.join(format!("{name}.xsd")),
        dir.join(format!("{name}.xsd")),
    )
    .expect("copy");
    dir.join(format!("{name}.wsdl"))
}

fn mapping(dir: &Path, wsdl: &Path, addressing: Option<&str>) -> (PathBuf, String) {
    let line = addressing.map_or(String::new(), |a| format!("  addressing: \"{a}\"\n"));
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: http://127.0.0.1:9/files\n{line}routes:\n  - route: GET /whoami\n    operation: whoAmI\n  - route: POST /echo\n    operation: echo\n",
        wsdl.display()
    );
    (dir.join("files.yaml"), text)
}

/// The text of the first element `{ns}local` in `xml`, read with a namespace-aware parser.
fn text_of(xml: &str, ns: &str, local: &str) -> Option<String> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut r = quick_xml::NsReader::from_str(xml);
    let mut inside = false;
    loop {
        match r.read_resolved_event().expect("well-formed XML") {
            (ResolveResult::Bound(n), Event::Start(e))
                if n == quick_xml::name::Namespace(ns) && e.local_name().into_inner() == local =>
            {
                inside = true;
            }
            (_, Event::Text(t)) if inside => {
                return Some(t.into_inner().into_owned());
            }
            (_, Event::Eof) => return None,
            _ => {}
        }
    }
}

/// A plain SOAP request's envelope text.
fn text_body(e: &soapbridge::gateway::Encoded) -> String {
    assert!(e.body.multipart.is_none(), "plain SOAP");
    String::from_utf8(e.body.bytes.to_vec()).expect("UTF-8")
}

#[test]
fn the_contract_says_addressing_is_required_and_gives_each_action() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = soapbridge::wsdl::load_path(&contract(dir.path()).to_string_lossy()).expect("loads");
    let b = &w.bindings[0];
    let a = b.addressing.as_ref().expect("the binding uses addressing");
    assert_eq!(a.version, WsaVersion::V2005);
    assert!(a.required, "wsam:Addressing without wsp:Optional: {a:?}");
    assert_eq!(a.source, "wsam:Addressing policy", "what made it required");
    let echo = b.operation("echo").expect("echo");
    assert_eq!(echo.input_action, "urn:soapbridge:interop:files:echo");
    assert_eq!(
        echo.output_action.as_deref(),
        Some("urn:soapbridge:interop:files:echoResponse")
    );
    let who = b.operation("whoAmI").expect("whoAmI");
    assert_eq!(
        who.input_action,
        "urn:soapbridge:interop:files:FilePortType:whoAmIRequest"
    );
    // A contract without addressing: none, and actions from soapAction.
    let demo = soapbridge::wsdl::load_path(
        &support::root()
            .join("wsdl/customers.wsdl")
            .to_string_lossy(),
    )
    .expect("demo");
    let d = &demo.bindings[0];
    assert!(d.addressing.is_none(), "{:?}", d.addressing);
    for op in &d.operations {
        if !op.soap_action.is_empty() {
            assert_eq!(op.input_action, op.soap_action, "{}", op.name);
        }
    }
}

#[test]
fn a_request_carries_the_headers_the_contract_asks_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wsdl = contract(dir.path());
    let (p, t) = mapping(dir.path(), &wsdl, None);
    let m = support::compile(&[(p.as_path(), t.as_str())], Default::default());
    assert_eq!(m.backends[0].addressing, Some(WsaVersion::V2005));
    let echo = m
        .routes
        .iter()
        .find(|r| r.operation().name == "echo")
        .expect("echo");
    let input = || Input {
        path: vec![],
        query: vec![],
        headers: vec![],
        body: Some(json!({ "text": "hi" })),
    };
    let encoded = encode_request(echo, input(), &[]).expect("encodes");
    let envelope = text_body(&encoded);
    let wsa = "http://www.w3.org/2005/08/addressing";
    let text = |local: &str| text_of(&envelope, wsa, local);
    assert_eq!(
        text("Action").as_deref(),
        Some("urn:soapbridge:interop:files:echo")
    );
    assert_eq!(text("To").as_deref(), Some("http://127.0.0.1:9/files"));
    assert_eq!(
        text("Address").as_deref(),
        Some("http://www.w3.org/2005/08/addressing/anonymous")
    );
    let id = text("MessageID").expect("MessageID");
    assert!(id.starts_with("urn:uuid:"), "{id}");
    assert_eq!(
        encoded.message_id.as_deref(),
        Some(id.as_str()),
        "the id the answer must relate to is the one sent"
    );
    let again = text_body(&encode_request(echo, input(), &[]).expect("encodes"));
    assert!(!again.contains(&id), "a fresh MessageID per request");
    // The headers sit in the SOAP Header, before the Body.
    let header = envelope.find("Header").expect("a Header");
    assert!(envelope.find(wsa).expect("wsa") < envelope.find("Body").expect("Body"));
    assert!(header < envelope.find("Body").expect("Body"));

    // The submission version when the mapping asks for it.
    let (p, t) = mapping(dir.path(), &wsdl, Some("2004/08"));
    let m = support::compile(&[(p.as_path(), t.as_str())], Default::default());
    let echo = m
        .routes
        .iter()
        .find(|r| r.operation().name == "echo")
        .expect("echo");
    let envelope = text_body(&encode_request(echo, input(), &[]).expect("encodes"));
    assert!(
        envelope.contains("http://schemas.xmlsoap.org/ws/2004/08/addressing")
            && envelope.contains("http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"),
        "{envelope}"
    );
}

#[test]
fn a_mapping_cannot_switch_off_what_the_contract_requires() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wsdl = contract(dir.path());
    for (said, expect) in [
        ("off", "requires WS-Addressing"),
        ("sometimes", "addressing `sometimes` is not known"),
    ] {
        let (p, t) = mapping(dir.path(), &wsdl, Some(said));
        let errs =
            soapbridge::mapping::load_texts(&[(p.as_path(), t.as_str())], Default::default())
                .expect_err("refused");
        let all = errs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(all.contains(expect), "{said}: {all}");
        assert!(
            all.contains("files.yaml:5"),
            "{said}: located at the key: {all}"
        );
    }
}

/// The SOAP 1.1 answer JAX-WS RI gave to a captured `echo`, with its `RelatesTo` as given.
fn captured_echo_answer() -> String {
    std::fs::read_to_string(support::root().join("tests/fixtures/jaxws/echo.soap11.response.xml"))
        .expect("fixture")
}

#[actix_web::test]
async fn an_answer_must_relate_to_the_request_it_answers() {
    use crate::backend::{self, Reply};
    let dir = tempfile::tempdir().expect("tempdir");
    let wsdl = contract(dir.path());
    // The captured answer relates to the message that was captured, not to this request.
    let answer = captured_echo_answer();
    assert!(answer.contains("RelatesTo"), "{answer}");
    let be = backend::start(Reply::soap11(200, &answer)).await;
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: {}\n  retries: 0\nroutes:\n  - route: POST /echo\n    operation: echo\n    response: {{ body: text }}\n",
        wsdl.display(),
        be.url("/files")
    );
    let path = dir.path().join("files.yaml");
    let m = support::compile(&[(path.as_path(), text.as_str())], Default::default());
    let b = support::start_bridge(m, soapbridge::http::ServerConfig::default()).await;
    let call = || async {
        let r = support::client()
            .post(b.url("/echo"))
            .header("content-type", "application/json")
            .body(r#"{"text":"hi"}"#)
            .send()
            .await
            .expect("call");
        let status = r.status().as_u16();
        let v: serde_json::Value =
            serde_json::from_slice(&r.bytes().await.expect("body")).expect("JSON");
        (status, v)
    };
    let (status, v) = call().await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["code"], "backend-invalid-response", "{v}");
    let sent = text_of(
        &be.last().body,
        "http://www.w3.org/2005/08/addressing",
        "MessageID",
    )
    .expect("the request's MessageID");
    let detail = v["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("RelatesTo") && detail.contains(&sent),
        "{v}"
    );

    // The same answer relating to nothing: accepted (stacks leave it out of some replies).
    let start = answer.find("<RelatesTo").expect("RelatesTo");
    let end = answer[start..].find("</RelatesTo>").expect("end") + start + "</RelatesTo>".len();
    let unrelated = format!("{}{}", &answer[..start], &answer[end..]);
    be.set_reply(Reply::soap11(200, &unrelated));
    let (status, v) = call().await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!("Grüße & <hello>"), "the captured echo's text");
}

#[test]
fn check_and_inspect_say_what_the_backend_sends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wsdl = contract(dir.path());
    let (p, t) = mapping(dir.path(), &wsdl, None);
    let t = t.replace("routes:", "  mtom: true\nroutes:");
    std::fs::write(&p, t).expect("write");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
            .args(args)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let check = run(&["check".as_ref(), p.as_os_str()]);
    assert!(
        check.contains(
            "backend files: WS-Addressing 2005/08 headers on every request (required by wsam:Addressing policy)"
        ),
        "{check}"
    );
    assert!(
        check.contains("backend files: asks for MTOM answers"),
        "{check}"
    );
    let inspect = run(&["inspect".as_ref(), wsdl.as_os_str()]);
    assert!(
        inspect.contains("WS-Addressing 2005/08, required (wsam:Addressing policy)"),
        "{inspect}"
    );
    let generated = run(&["generate".as_ref(), wsdl.as_os_str()]);
    assert!(generated.contains("# addressing: auto"), "{generated}");
}

/// A contract in WCF's form with message security (tests/fixtures/wcf-security-policy.wsdl):
/// what its policies ask for is reported, and generate writes the keys commented in.
#[test]
fn security_and_mtom_policies_are_reported() {
    let wsdl = support::root().join("tests/fixtures/wcf-security-policy.wsdl");
    let w = soapbridge::wsdl::load_path(&wsdl.to_string_lossy()).expect("loads");
    let b = &w.bindings[0];
    assert_eq!(b.mtom, Some(false), "wsp:Optional=\"true\"");
    assert_eq!(
        b.security_policy,
        [
            "AsymmetricBinding",
            "InitiatorToken",
            "X509Token",
            "IncludeTimestamp"
        ]
    );
    let a = b.addressing.as_ref().expect("addressing");
    assert!(
        a.required,
        "wsaw:UsingAddressing as a policy assertion: {a:?}"
    );
    assert_eq!(
        b.operation("Echo").map(|o| o.input_action.as_str()),
        Some("http://example.com/echo/IEcho/Echo")
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["generate".as_ref(), wsdl.as_os_str()])
        .output()
        .expect("runs");
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    for want in [
        "# mtom: true",
        "# addressing: auto",
        "WS-SecurityPolicy names AsymmetricBinding, InitiatorToken, X509Token,",
        "# ws_security:",
        "#   signature: { key: keys/key.pem, certificate: keys/cert.pem }",
        "#   verify: { trust: keys/backend-ca.pem }",
    ] {
        assert!(yaml.contains(want), "{want}: {yaml}");
    }
}
