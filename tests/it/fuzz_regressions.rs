//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found to break soapbridge, each pinned by
//! a test named after what it caught, driving the same entry point as its target.

use soapbridge::soap::{self, Response};
use soapbridge::translate::{DecodeError, Limits};
use soapbridge::wsdl::{self, Location, Sources, Wsdl};

fn load(name: &str, text: &str) -> Wsdl {
    let mut sources = Sources {
        memory_only: true,
        ..Sources::default()
    };
    sources.memory.insert(name.into(), text.to_owned().into());
    wsdl::load(&Location::Memory(name.into()), &sources).expect("the contract loads")
}

/// rpc/encoded, answering a binary tree: a type that refers to itself twice.
const TREE_WSDL: &str = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:tree" targetNamespace="urn:tree">
  <types>
    <xsd:schema targetNamespace="urn:tree">
      <xsd:complexType name="Tree">
        <xsd:sequence>
          <xsd:element name="left" type="tns:Tree" minOccurs="0"/>
          <xsd:element name="right" type="tns:Tree" minOccurs="0"/>
          <xsd:element name="leaf" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
    </xsd:schema>
  </types>
  <message name="GrowIn"><part name="seed" type="xsd:string"/></message>
  <message name="GrowOut"><part name="tree" type="tns:Tree"/></message>
  <portType name="TreePort">
    <operation name="Grow"><input message="tns:GrowIn"/><output message="tns:GrowOut"/></operation>
  </portType>
  <binding name="TreeBinding" type="tns:TreePort">
    <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Grow">
      <soap:operation soapAction="urn:tree#Grow"/>
      <input><soap:body use="encoded" namespace="urn:tree" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
      <output><soap:body use="encoded" namespace="urn:tree" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output>
    </operation>
  </binding>
  <service name="Tree">
    <port name="TreePort" binding="tns:TreeBinding"><soap:address location="http://127.0.0.1:9/tree"/></port>
  </service>
</definitions>"#;

/// An answer whose multiRef `#t{i}` refers twice to `#t{i+1}`: `depth` levels make
/// 2^depth leaves out of a few kilobytes.
fn reused_references(depth: usize) -> String {
    let mut xml = String::from(
        r##"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:t="urn:tree"><soapenv:Body><t:GrowResponse><tree href="#t0"/></t:GrowResponse>"##,
    );
    for i in 0..depth {
        let n = i + 1;
        xml.push_str(&format!(
            r##"<multiRef id="t{i}"><left href="#t{n}"/><right href="#t{n}"/></multiRef>"##
        ));
    }
    xml.push_str(&format!(
        r#"<multiRef id="t{depth}"><leaf>{}</leaf></multiRef></soapenv:Body></soapenv:Envelope>"#,
        "x".repeat(64)
    ));
    xml
}

#[test]
fn multiref_reused_references_do_not_expand_exponentially() {
    let w = load("tree.wsdl", TREE_WSDL);
    let op = w
        .binding_by_name("TreeBinding")
        .and_then(|(_, b)| b.operation("Grow"))
        .expect("Grow");
    // 2^40 leaves: without a bound this aborts on a failed allocation.
    let xml = reused_references(40);
    let err = soap::parse_response(&w.schema, op, &xml, Limits::default())
        .expect_err("the expansion is refused");
    assert!(matches!(err, DecodeError::TooLarge(_)), "{err:?}");
}

#[test]
fn multiref_reused_a_few_times_still_decodes() {
    let w = load("tree.wsdl", TREE_WSDL);
    let op = w
        .binding_by_name("TreeBinding")
        .and_then(|(_, b)| b.operation("Grow"))
        .expect("Grow");
    // Two levels: the leaf's multiRef is read four times, well within the budget.
    let xml = reused_references(2);
    let Ok(Response::Ok { body, .. }) =
        soap::parse_response(&w.schema, op, &xml, Limits::default())
    else {
        panic!("the answer decodes");
    };
    let leaf = &body["tree"]["left"]["right"]["leaf"];
    assert_eq!(leaf.as_str().map(str::len), Some(64), "{body}");
}

/// load_contract: a target namespace whose fourth byte falls inside a character (here `é`)
/// made the default WS-Addressing action panic while it looked for a `urn:` prefix.
#[test]
fn a_namespace_starting_with_a_multibyte_character_gets_its_default_actions() {
    let text = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urné" targetNamespace="urné">
  <message name="In"><part name="a" type="xsd:string"/></message>
  <message name="Out"><part name="b" type="xsd:string"/></message>
  <portType name="P">
    <operation name="Op"><input message="tns:In"/><output message="tns:Out"/></operation>
  </portType>
  <binding name="B" type="tns:P">
    <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Op">
      <soap:operation soapAction=""/>
      <input><soap:body use="literal" namespace="urné"/></input>
      <output><soap:body use="literal" namespace="urné"/></output>
    </operation>
  </binding>
</definitions>"#;
    let w = load("urn.wsdl", text);
    let op = w.bindings[0].operation("Op").expect("Op");
    assert_eq!(op.input_action, "urné/P/OpRequest");
    assert_eq!(op.output_action.as_deref(), Some("urné/P/OpResponse"));
}
