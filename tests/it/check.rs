//! `soapbridge check` as a tool: errors on stderr, located and in the mapping's terms, and
//! output that ends quietly when a pipe closes early.

use std::io::Read as _;
use std::process::{Command, Stdio};

use crate::support;

/// `soapbridge check FILE`, run to its end.
fn check(file: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("check")
        .arg(file)
        .output()
        .expect("run soapbridge check")
}

fn mapping_with(routes: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let file = dir.path().join("m.yaml");
    std::fs::write(
        &file,
        format!(
            "version: 1\nbackend:\n  wsdl: {}\nroutes:\n{routes}",
            wsdl.display()
        ),
    )
    .expect("write");
    (dir, file)
}

#[test]
fn overlapping_routes_are_named_with_both_places_and_no_router_internals() {
    let (_dir, file) = mapping_with(
        "  - route: GET /customers/{id}\n    operation: GetCustomer\n    request: { customerId: \"{path.id}\" }\n  - route: GET /customers/{name}\n    operation: FindCustomers\n    request: { name: \"{path.name}\" }\n",
    );
    let out = check(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty(), "errors go to stderr");
    let f = file.display();
    assert!(
        err.contains(&format!(
            "{f}:8:12: route `GET /customers/{{name}}` overlaps `GET /customers/{{id}}` (declared at {f}:5)"
        )),
        "{err}"
    );
    assert!(!err.contains("Insertion failed"), "{err}");
}

#[test]
fn check_output_into_a_closed_pipe_ends_without_a_panic() {
    // Many routes, so the output outgrows what the pipe takes before it is closed.
    let routes: String = (0..4000)
        .map(|i| format!("  - route: GET /r{i}\n    operation: Ping\n"))
        .collect();
    let (_dir, file) = mapping_with(&routes);
    let mut child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("check")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("check");
    // Read one line, then close the pipe, as `| head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("a first line");
    drop(stdout);
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        status.success() || status.code() == Some(0),
        "{status:?}: {err}"
    );
}

#[test]
fn a_wsdl_given_as_a_mapping_is_recognised_with_the_generate_command() {
    for cmd in ["check", "serve"] {
        let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
            .arg(cmd)
            .arg(support::root().join("wsdl/customers.wsdl"))
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {err}");
        assert!(err.contains("not a mapping file"), "{cmd}: {err}");
        assert!(err.contains("soapbridge generate "), "{cmd}: {err}");
        assert!(!err.contains("expected mapping"), "{cmd}: {err}");
    }
}

#[test]
fn unknown_fields_are_named_after_what_the_user_sees() {
    let (_dir, file) = mapping_with(
        "  - route: GET /customers/{id}\n    operation: GetCustomer\n    request: { customerId: \"{path.id}\", bogus: 1 }\n",
    );
    let out = check(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`bogus` is not a field of the input of `GetCustomer`"),
        "{err}"
    );
    assert!(!err.contains("anonymous"), "{err}");
}

#[test]
fn one_unknown_key_and_two_misspelled_operations_are_three_located_errors() {
    let text = std::fs::read_to_string(support::root().join("mappings/customers.yaml"))
        .expect("demo mapping")
        .replace("  timeout: 10s", "  timout: 10s")
        .replace("operation: GetCustomer\n", "operation: GetCustomr\n")
        .replace("operation: Ping\n", "operation: Pnig\n")
        .replace(
            "../wsdl/customers.wsdl",
            &support::root()
                .join("wsdl/customers.wsdl")
                .display()
                .to_string(),
        );
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("customers.yaml");
    std::fs::write(&file, &text).expect("write");
    let out = check(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 3, "{err}");
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).expect("line") + 1;
    let f = file.display();
    assert_eq!(
        errors[0],
        format!("error: {f}:{}:3: unknown key `timout`", line_of("timout"))
    );
    assert!(err.contains("hint: did you mean `timeout`?"), "{err}");
    assert!(
        errors[1].contains(&format!(
            ":{}:16: operation `GetCustomr`",
            line_of("GetCustomr")
        )),
        "{err}"
    );
    assert!(
        errors[2].contains(&format!(":{}:16: operation `Pnig`", line_of("Pnig"))),
        "{err}"
    );
    assert!(
        !err.contains("at line"),
        "the position is given once: {err}"
    );
}
