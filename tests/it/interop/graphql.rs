//! The GraphQL face against the real stacks: every root field gives what the REST route
//! gives on the same bridge (values, exact decimals, instants), a fault is an error on its
//! field with the code and status of the REST problem, and the other fields still resolve.

use serde_json::{Value, json};

use super::{Live, SERIAL, echo_input, get, interop_dir, normalized, post, read, running};
use crate::support;

/// A bridge serving `l`'s mapping with the GraphQL face on; the mapping's base path.
async fn start_graphql(l: &Live) -> (support::Bridge, String) {
    let path = interop_dir().join("mappings").join(l.v.mapping);
    let text = read(&path);
    let base = text
        .lines()
        .find_map(|l| l.strip_prefix("base_path: "))
        .expect("the interop mappings name a base path")
        .trim()
        .to_owned();
    let mappings = support::compile(
        &[(path.as_path(), text.as_str())],
        soapbridge::mapping::Options::default(),
    );
    let gw = soapbridge::config::Gateway {
        graphql: soapbridge::graphql::Settings {
            enabled: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let table = soapbridge::http::RouteTable::build_with(mappings, &gw).expect("route table");
    (support::start_table(table, Default::default()).await, base)
}

/// `query` (with `variables`) against `/graphql`: the HTTP status and the JSON answer.
async fn graphql(b: &support::Bridge, query: &str, variables: Value) -> (u16, Value) {
    let r = post(
        &support::client(),
        &b.url("/graphql"),
        &json!({ "query": query, "variables": variables }),
    )
    .await;
    (r.status, r.json())
}

/// A GraphQL result as the REST face writes it: an absent optional element is `null` in
/// GraphQL and left out in REST.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

const CUSTOMER: &str =
    "id name email vip balance createdAt address { street city postalCode country }";
const ORDER: &str = "orderId customerId amount status placedAt";

#[actix_web::test]
async fn graphql_gives_the_rest_values_on_every_stack() {
    let Some(live) = running() else { return };
    let _turn = SERIAL.lock().await;
    let c = support::client();
    for l in &live {
        let (b, base) = start_graphql(l).await;
        let name = l.v.name;
        // Queries: two root fields, two SOAP calls, in one request.
        for (id, count) in [(42, 3), (7, 0), (9, 1)] {
            let (status, v) = graphql(
                &b,
                &format!(
                    "query($id: Int!, $count: Int) {{ getCustomer(id: $id) {{ {CUSTOMER} }} \
                     listOrders(id: $id, count: $count) {{ {ORDER} }} }}"
                ),
                json!({ "id": id, "count": count }),
            )
            .await;
            assert_eq!(status, 200, "{name}: {v}");
            assert!(v.get("errors").is_none(), "{name}: {v}");
            let customer = get(&c, &b.url(&format!("{base}/customers/{id}"))).await;
            assert_eq!(customer.status, 200, "{name}: {}", customer.text);
            assert_eq!(
                normalized(&without_nulls(&v["data"]["getCustomer"])),
                normalized(&customer.json()),
                "{name}: customer {id}"
            );
            let orders = get(
                &c,
                &b.url(&format!("{base}/customers/{id}/orders?count={count}")),
            )
            .await;
            assert_eq!(orders.status, 200, "{name}: {}", orders.text);
            assert_eq!(
                normalized(&without_nulls(&v["data"]["listOrders"])),
                normalized(&orders.json()),
                "{name}: {count} orders of {id}"
            );
            assert_eq!(
                v["data"]["listOrders"].as_array().map(Vec::len),
                Some(count),
                "{name}: arrays stay arrays, even of one or none: {v}"
            );
        }
        // A mutation that succeeds, and one the backend refuses with a fault: the error is on
        // its own field, with the REST problem's code and status, and nothing else is lost.
        // The arguments are written in the query text: the input types' names come from each
        // stack's contract.
        let ok = json!({"customerId": 42, "sku": "SKU-1", "quantity": 3});
        let unknown = json!({"customerId": 0, "sku": "SKU-1", "quantity": 3});
        let (status, v) = graphql(
            &b,
            &format!(
                "mutation {{ \
                 placed: placeOrder(body: {{customerId: 42, sku: \"SKU-1\", quantity: 3}}) {{ {ORDER} }} \
                 refused: placeOrder(body: {{customerId: 0, sku: \"SKU-1\", quantity: 3}}) {{ orderId }} }}"
            ),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{name}: {v}");
        let rest_ok = post(&c, &b.url(&format!("{base}/orders")), &ok).await;
        assert_eq!(rest_ok.status, 201, "{name}: {}", rest_ok.text);
        assert_eq!(
            normalized(&without_nulls(&v["data"]["placed"])),
            normalized(&rest_ok.json()),
            "{name}: placeOrder"
        );
        let rest_refused = post(&c, &b.url(&format!("{base}/orders")), &unknown).await;
        let problem = rest_refused.json();
        assert_eq!(rest_refused.status, 404, "{name}: {}", rest_refused.text);
        assert!(v["data"]["refused"].is_null(), "{name}: {v}");
        let errors = v["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{name}: {v}");
        assert_eq!(errors[0]["path"], json!(["refused"]), "{name}: {v}");
        let ext = &errors[0]["extensions"];
        assert_eq!(ext["code"], problem["code"], "{name}: {v}");
        assert_eq!(ext["status"], json!(404), "{name}: {v}");
        assert_eq!(
            ext["fault"]["detail"], problem["fault"]["detail"],
            "{name}: {v}"
        );
        // Scalars of every kind; the decimal as a string, so that it keeps every digit on the
        // way in (a number in the query text is read as a double by the GraphQL parser).
        let e = echo_input();
        let (status, v) = graphql(
            &b,
            &format!(
                "mutation {{ echoScalars(body: {{text: {}, number: {}, flag: {}, amount: \"{}\", \
                 when: {}}}) {{ text number flag amount when }} }}",
                e["text"], e["number"], e["flag"], e["amount"], e["when"]
            ),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{name}: {v}");
        assert!(v.get("errors").is_none(), "{name}: {v}");
        let rest = post(&c, &b.url(&format!("{base}/echo")), &echo_input()).await;
        assert_eq!(rest.status, 200, "{name}: {}", rest.text);
        assert_eq!(
            normalized(&without_nulls(&v["data"]["echoScalars"])),
            normalized(&rest.json()),
            "{name}: echoScalars"
        );
        eprintln!("interop: GraphQL answers what REST answers on {name}");
    }
}
