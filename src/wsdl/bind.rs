//! WSDL 1.1 messages, port types, bindings and services → operations soapbridge can call.
//!
//! ```text
//! binding ──type──> portType ──operation──> input/output/fault message ──part──> element | type
//!    └─ soap:binding / soap12:binding (version, style), soap:operation (soapAction, style),
//!       soap:body (use, namespace, parts), soap:header, soap:fault
//! service ──port──> binding + soap:address
//! ```
//!
//! Each direction of an operation becomes a [`Body`]: the wrapper element and a complex type
//! whose JSON form is the message's JSON form, so the codecs never see WSDL concepts.
//!
//! May import `xmlutil` and the loader's own modules.

use std::collections::HashMap;

use super::addressing::{self, ActionAt, Direction};
use super::dom::Element;
use super::loader::WsdlDoc;
use super::model::*;
use super::xsd::Resolver;
use crate::xmlutil::{WSDL_HTTP_NS, WSDL_NS, WSDL_SOAP11_NS, WSDL_SOAP12_NS};

struct Def<'a> {
    el: &'a Element,
    doc: &'a WsdlDoc,
}

struct Defs<'a> {
    messages: HashMap<QName, Def<'a>>,
    port_types: HashMap<QName, Def<'a>>,
}

/// Finds a definition by QName; failing that, by local name when only one definition has it.
/// Old toolkits wrote `message="getTermRequest"` under a default namespace that is not the
/// target namespace, and every other reader accepts it.
fn lookup<'m, 'a>(map: &'m HashMap<QName, Def<'a>>, name: &QName) -> Option<&'m Def<'a>> {
    if let Some(d) = map.get(name) {
        return Some(d);
    }
    let mut found = map.iter().filter(|(q, _)| q.local == name.local);
    match (found.next(), found.next()) {
        (Some((_, d)), None) => Some(d),
        _ => None,
    }
}

fn qname_of(el: &Element, value: &str) -> QName {
    match el.resolve_qname(value) {
        Some((ns, local)) => QName::new(&ns, &local),
        None => QName::new("", value.rsplit(':').next().unwrap_or(value)),
    }
}

pub(super) struct Bound {
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

pub(super) fn bind(docs: &[WsdlDoc], r: &mut Resolver<'_>) -> Bound {
    let mut defs = Defs {
        messages: HashMap::new(),
        port_types: HashMap::new(),
    };
    for doc in docs {
        for child in doc.root.children_in(WSDL_NS) {
            let Some(name) = child.attr("name") else {
                continue;
            };
            let q = QName::new(&doc.tns, name);
            let def = Def { el: child, doc };
            match child.local.as_str() {
                "message" => {
                    defs.messages.entry(q).or_insert(def);
                }
                "portType" => {
                    defs.port_types.entry(q).or_insert(def);
                }
                _ => {}
            }
        }
    }
    let mut out = Bound {
        bindings: Vec::new(),
        services: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    let mut binding_index: HashMap<QName, usize> = HashMap::new();
    for doc in docs {
        for b in doc.root.children_named(WSDL_NS, "binding") {
            let Some(name) = b.attr("name") else { continue };
            let qname = QName::new(&doc.tns, name);
            if binding_index.contains_key(&qname) {
                continue;
            }
            let (version, soap_el) = if let Some(s) = b.child(WSDL_SOAP11_NS, "binding") {
                (SoapVersion::V11, s)
            } else if let Some(s) = b.child(WSDL_SOAP12_NS, "binding") {
                (SoapVersion::V12, s)
            } else {
                let kind = if b.child(WSDL_HTTP_NS, "binding").is_some() {
                    "an HTTP GET/POST binding"
                } else {
                    "not a SOAP binding"
                };
                out.notes.push(format!(
                    "binding {name} is {kind}: skipped (soapbridge calls SOAP bindings)"
                ));
                continue;
            };
            let style = match soap_el.attr("style") {
                Some("rpc") => Style::Rpc,
                _ => Style::Document,
            };
            let port_type_name = b.attr("type").map(|t| qname_of(b, t));
            let Some(pt) = port_type_name
                .as_ref()
                .and_then(|q| lookup(&defs.port_types, q))
            else {
                out.warnings.push(format!(
                    "{}:{}: binding {name} names port type {} which is not defined: skipped",
                    doc.location,
                    b.line,
                    port_type_name.map_or_else(|| "(none)".to_owned(), |q| q.to_string())
                ));
                continue;
            };
            let ns_attr = match version {
                SoapVersion::V11 => WSDL_SOAP11_NS,
                SoapVersion::V12 => WSDL_SOAP12_NS,
            };
            let mut operations = Vec::new();
            for pt_op in pt.el.children_named(WSDL_NS, "operation") {
                let Some(op_name) = pt_op.attr("name") else {
                    continue;
                };
                if operations.iter().any(|o: &Operation| o.name == op_name) {
                    out.notes.push(format!(
                        "binding {name}: operation {op_name} is overloaded; only its first form is served"
                    ));
                    continue;
                }
                let b_op = b
                    .children_named(WSDL_NS, "operation")
                    .find(|o| o.attr("name") == Some(op_name));
                let soap_op = b_op.and_then(|o| o.child(ns_attr, "operation"));
                let op_style = match soap_op.and_then(|s| s.attr("style")) {
                    Some("rpc") => Style::Rpc,
                    Some("document") => Style::Document,
                    _ => style,
                };
                let soap_action = soap_op
                    .and_then(|s| s.attr("soapAction"))
                    .unwrap_or("")
                    .to_owned();
                let ctx = OpCtx {
                    defs: &defs,
                    pt_doc: pt.doc,
                    op_name,
                    style: op_style,
                    soap_ns: ns_attr,
                };
                let input = pt_op.child(WSDL_NS, "input").map(|i| {
                    ctx.message(
                        r,
                        i,
                        b_op.and_then(|o| o.child(WSDL_NS, "input")),
                        false,
                        &mut out.warnings,
                    )
                });
                let output = pt_op.child(WSDL_NS, "output").map(|o| {
                    ctx.message(
                        r,
                        o,
                        b_op.and_then(|x| x.child(WSDL_NS, "output")),
                        true,
                        &mut out.warnings,
                    )
                });
                let Some(input) = input else {
                    out.notes.push(format!(
                        "binding {name}: operation {op_name} has no input (notification): skipped"
                    ));
                    continue;
                };
                let faults = pt_op
                    .children_named(WSDL_NS, "fault")
                    .filter_map(|f| ctx.fault(r, f, b_op))
                    .collect();
                let at = ActionAt {
                    tns: &pt.doc.tns,
                    port_type: pt.el.attr("name").unwrap_or(""),
                    operation: op_name,
                    one_way: output.is_none(),
                };
                let input_action = addressing::action(
                    pt_op.child(WSDL_NS, "input"),
                    Direction::Input,
                    &soap_action,
                    at,
                );
                let output_action = output.as_ref().map(|_| {
                    addressing::action(
                        pt_op.child(WSDL_NS, "output"),
                        Direction::Output,
                        &soap_action,
                        at,
                    )
                });
                let documentation = pt_op
                    .child(WSDL_NS, "documentation")
                    .map(|d| d.text.trim().to_owned())
                    .filter(|d| !d.is_empty());
                operations.push(Operation {
                    name: op_name.to_owned(),
                    soap_action,
                    input_action,
                    output_action,
                    style: op_style,
                    input,
                    output,
                    faults,
                    documentation,
                });
            }
            let ports: Vec<&Element> = docs
                .iter()
                .flat_map(|d| d.root.children_named(WSDL_NS, "service"))
                .flat_map(|s| s.children_named(WSDL_NS, "port"))
                .filter(|p| p.attr("binding").is_some_and(|r| qname_of(p, r) == qname))
                .collect();
            let asked = addressing::of_binding(b, &ports, docs);
            binding_index.insert(qname.clone(), out.bindings.len());
            out.bindings.push(Binding {
                name: qname,
                port_type: pt_qname(pt),
                soap_version: version,
                style,
                operations,
                addressing: asked.addressing,
                mtom: asked.mtom,
                security_policy: asked.security,
            });
        }
    }
    for doc in docs {
        for s in doc.root.children_named(WSDL_NS, "service") {
            let Some(name) = s.attr("name") else { continue };
            let mut ports = Vec::new();
            for p in s.children_named(WSDL_NS, "port") {
                let (Some(pname), Some(bref)) = (p.attr("name"), p.attr("binding")) else {
                    continue;
                };
                let bq = qname_of(p, bref);
                let Some(&bi) = binding_index.get(&bq) else {
                    continue;
                };
                let address = p
                    .child(WSDL_SOAP11_NS, "address")
                    .or_else(|| p.child(WSDL_SOAP12_NS, "address"))
                    .and_then(|a| a.attr("location"))
                    .map(str::to_owned);
                ports.push(Port {
                    name: pname.to_owned(),
                    binding: bi,
                    address,
                });
            }
            out.services.push(Service {
                name: QName::new(&doc.tns, name),
                ports,
            });
        }
    }
    if out.bindings.is_empty() {
        out.notes
            .push("the contract defines no SOAP binding: no operation can be served".into());
    }
    out
}

fn pt_qname(pt: &Def<'_>) -> QName {
    QName::new(&pt.doc.tns, pt.el.attr("name").unwrap_or(""))
}

struct OpCtx<'a, 'b> {
    defs: &'b Defs<'a>,
    pt_doc: &'a WsdlDoc,
    op_name: &'b str,
    style: Style,
    soap_ns: &'static str,
}

impl OpCtx<'_, '_> {
    fn message(
        &self,
        r: &mut Resolver<'_>,
        pt_io: &Element,
        b_io: Option<&Element>,
        output: bool,
        warnings: &mut Vec<String>,
    ) -> MessageBinding {
        let body_el = b_io.and_then(|io| io.child(self.soap_ns, "body"));
        let use_ = match body_el.and_then(|b| b.attr("use")) {
            Some("encoded") => Use::Encoded,
            _ => Use::Literal,
        };
        let encoding_style = body_el
            .and_then(|b| b.attr("encodingStyle"))
            .map(|s| s.split_whitespace().next().unwrap_or(s).to_owned());
        let namespace = body_el
            .and_then(|b| b.attr("namespace"))
            .map(str::to_owned)
            .unwrap_or_else(|| self.pt_doc.tns.clone());
        let msg_name = pt_io.attr("message").map(|m| qname_of(pt_io, m));
        let msg = msg_name
            .as_ref()
            .and_then(|q| lookup(&self.defs.messages, q));
        if msg.is_none() {
            warnings.push(format!(
                "{}:{}: operation {}: message {} is not defined; the message is read as empty",
                self.pt_doc.location,
                pt_io.line,
                self.op_name,
                msg_name
                    .as_ref()
                    .map_or_else(|| "(none)".to_owned(), |q| q.to_string())
            ));
        }
        // Headers first: parts bound to headers are not in the body.
        let mut headers = Vec::new();
        let mut header_parts: Vec<String> = Vec::new();
        if let Some(io) = b_io {
            for h in io.children_named(self.soap_ns, "header") {
                let (Some(m), Some(part)) = (h.attr("message"), h.attr("part")) else {
                    continue;
                };
                let mq = qname_of(h, m);
                if Some(&mq) == msg_name.as_ref() {
                    header_parts.push(part.to_owned());
                }
                let Some(hmsg) = lookup(&self.defs.messages, &mq) else {
                    warnings.push(format!(
                        "{}:{}: header message {mq} is not defined: header skipped",
                        self.pt_doc.location, h.line
                    ));
                    continue;
                };
                let h_use = match h.attr("use") {
                    Some("encoded") => Use::Encoded,
                    _ => Use::Literal,
                };
                let h_ns = h.attr("namespace").unwrap_or(&self.pt_doc.tns).to_owned();
                if let Some(p) = hmsg
                    .el
                    .children_named(WSDL_NS, "part")
                    .find(|p| p.attr("name") == Some(part))
                    && let Some(element) = self.part_element(r, p, &h_ns)
                {
                    let key = r.schema.element(element).name.local.clone();
                    headers.push(HeaderDecl {
                        key,
                        element,
                        use_: h_use,
                    });
                }
            }
        }
        let wanted: Option<Vec<&str>> = body_el
            .and_then(|b| b.attr("parts"))
            .map(|p| p.split_whitespace().collect());
        let mut parts = Vec::new();
        if let Some(msg) = msg {
            for p in msg.el.children_named(WSDL_NS, "part") {
                let Some(pname) = p.attr("name") else {
                    continue;
                };
                if let Some(w) = &wanted
                    && !w.contains(&pname)
                {
                    continue;
                }
                if wanted.is_none() && header_parts.iter().any(|h| h == pname) {
                    continue;
                }
                let kind = if let Some(e) = p.attr("element") {
                    let q = qname_of(p, e);
                    match r.element_by_name(&q, None) {
                        Some(id) => PartKind::Element(id),
                        None => {
                            let name = q.clone();
                            PartKind::Element(r.new_element(ElementDecl {
                                name,
                                ty: well_known::ANY_TYPE,
                                nillable: false,
                                is_abstract: false,
                                default: None,
                                fixed: None,
                                substitutes: Vec::new(),
                                global: true,
                            }))
                        }
                    }
                } else if let Some(t) = p.attr("type") {
                    PartKind::Type(r.type_by_name(&qname_of(p, t), None))
                } else {
                    PartKind::Type(well_known::ANY_TYPE)
                };
                parts.push(Part {
                    name: pname.to_owned(),
                    kind,
                });
            }
        }
        let body = self.body(r, parts, &namespace, output);
        MessageBinding {
            use_,
            body,
            headers,
            encoding_style,
        }
    }

    /// The element a header or fault part stands for; a type part gets an element named
    /// after the part.
    fn part_element(&self, r: &mut Resolver<'_>, p: &Element, ns: &str) -> Option<ElemId> {
        if let Some(e) = p.attr("element") {
            return r.element_by_name(&qname_of(p, e), None);
        }
        let ty = p.attr("type").map_or(well_known::ANY_TYPE, |t| {
            r.type_by_name(&qname_of(p, t), None)
        });
        let name = QName::new(ns, p.attr("name")?);
        Some(r.new_element(ElementDecl {
            name,
            ty,
            nillable: true,
            is_abstract: false,
            default: None,
            fixed: None,
            substitutes: Vec::new(),
            global: false,
        }))
    }

    fn body(&self, r: &mut Resolver<'_>, parts: Vec<Part>, namespace: &str, output: bool) -> Body {
        if self.style == Style::Document
            && let [
                Part {
                    kind: PartKind::Element(e),
                    ..
                },
            ] = parts.as_slice()
        {
            let decl = r.schema.element(*e);
            if matches!(r.schema.ty(decl.ty), Type::Complex(_)) && decl.ty != well_known::ANY_TYPE {
                return Body {
                    wrapper: Some(decl.name.clone()),
                    content: decl.ty,
                    parts,
                    shape: BodyShape::Wrapped,
                };
            }
        }
        // One element per part, in order.
        let mut items = Vec::with_capacity(parts.len());
        for p in &parts {
            let e = match p.kind {
                PartKind::Element(e) => e,
                PartKind::Type(t) => r.new_element(ElementDecl {
                    // rpc accessors and document type-parts are unqualified, named by part.
                    name: QName::new("", &p.name),
                    ty: t,
                    nillable: true,
                    is_abstract: false,
                    default: None,
                    fixed: None,
                    substitutes: Vec::new(),
                    global: false,
                }),
            };
            items.push(Particle {
                min: 1,
                max: 1,
                term: Term::Element(e),
            });
        }
        let content = r.new_type(Type::Complex(ComplexType {
            name: None,
            is_abstract: false,
            base: None,
            content: if items.is_empty() {
                Content::Empty
            } else {
                Content::Elements(Particle {
                    min: 1,
                    max: 1,
                    term: Term::Sequence(items),
                })
            },
            attributes: Vec::new(),
            any_attribute: false,
            mixed: false,
            array: None,
            derived: Vec::new(),
            slots: Vec::new(),
            slot_index: SlotIndex::default(),
            open: false,
        }));
        match self.style {
            Style::Rpc => {
                let local = if output {
                    format!("{}Response", self.op_name)
                } else {
                    self.op_name.to_owned()
                };
                Body {
                    wrapper: Some(QName::new(namespace, &local)),
                    content,
                    parts,
                    shape: BodyShape::Rpc,
                }
            }
            Style::Document => Body {
                wrapper: None,
                content,
                parts,
                shape: BodyShape::Bare,
            },
        }
    }

    fn fault(
        &self,
        r: &mut Resolver<'_>,
        pt_fault: &Element,
        b_op: Option<&Element>,
    ) -> Option<FaultDecl> {
        let name = pt_fault.attr("name")?.to_owned();
        let mq = qname_of(pt_fault, pt_fault.attr("message")?);
        let msg = lookup(&self.defs.messages, &mq)?;
        let part = msg.el.child(WSDL_NS, "part")?;
        let ns = b_op
            .and_then(|o| {
                o.children_named(WSDL_NS, "fault")
                    .find(|f| f.attr("name") == Some(name.as_str()))
            })
            .and_then(|f| f.child(self.soap_ns, "fault"))
            .and_then(|f| f.attr("namespace"))
            .unwrap_or(&self.pt_doc.tns)
            .to_owned();
        let type_name = part.attr("type").map(|t| qname_of(part, t));
        let element = self.part_element(r, part, &ns);
        Some(FaultDecl {
            name,
            element,
            type_name,
        })
    }
}
