//! examples/secured: its tokens are signed by its key, `check` accepts it, and every curl
//! line of its README answers with the status the README gives, against `serve.sh`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::support;

fn dir() -> PathBuf {
    support::root().join("examples/secured")
}

/// 2100-01-01T00:00:00Z: the committed tokens outlive any test run.
const EXPIRES: u64 = 4_102_444_800;
/// 2026-12-01T00:00:00Z.
const ISSUED: u64 = 1_796_083_200;

fn tokens() -> [(&'static str, Value); 2] {
    let claims = |sub: &str, scope: &str| {
        json!({
            "iss": "https://issuer.example.test",
            "aud": "soapbridge-example",
            "sub": sub,
            "scope": scope,
            "iat": ISSUED,
            "exp": EXPIRES,
        })
    };
    [
        ("read.jwt", claims("alice", "customers:read orders:read")),
        ("no-scope.jwt", claims("bob", "profile")),
    ]
}

#[test]
fn secured_example_tokens_are_signed_by_its_key() {
    let pem = std::fs::read(dir().join("keys/test-signing-key.pem")).expect("example key");
    let key = EncodingKey::from_rsa_pem(&pem).expect("RSA key");
    let jwks: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("jwks.json")).expect("jwks.json"))
            .expect("JWKS JSON");
    let kid = jwks["keys"][0]["kid"].as_str().expect("kid");
    let decoding = jsonwebtoken::DecodingKey::from_jwk(
        &serde_json::from_value(jwks["keys"][0].clone()).expect("a JWK"),
    )
    .expect("decoding key");
    let bless = std::env::var_os("SOAPBRIDGE_BLESS").is_some();
    for (file, claims) in tokens() {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        // RSASSA-PKCS1-v1_5 is deterministic: the same key and claims give the same token.
        let token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
        let path = dir().join("tokens").join(file);
        if bless {
            std::fs::write(&path, format!("{token}\n")).expect("write token");
        }
        let committed = std::fs::read_to_string(&path).expect("committed token");
        assert_eq!(
            committed.trim(),
            token,
            "{file} differs; SOAPBRIDGE_BLESS=1 cargo test secured_example_tokens rewrites it"
        );
        // And jwks.json is the public half of the key.
        let mut v = jsonwebtoken::Validation::new(Algorithm::RS256);
        v.set_issuer(&["https://issuer.example.test"]);
        v.set_audience(&["soapbridge-example"]);
        jsonwebtoken::decode::<Value>(&token, &decoding, &v).expect("verifies with jwks.json");
    }
}

#[test]
fn secured_example_passes_check() {
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("check")
        .arg("--config")
        .arg(dir().join("soapbridge.yaml"))
        .arg(dir().join("mappings"))
        .output()
        .expect("run check");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The example as `serve.sh` runs it, on free ports, ready; stopped when dropped.
pub struct Running {
    pub port: u16,
    pub mock_port: u16,
    child: support::KillOnDrop,
    _log: tempfile::TempDir,
}

impl Drop for Running {
    /// serve.sh stops its two servers on SIGTERM; the SIGKILL `KillOnDrop` sends would
    /// leave them running after the test.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

pub async fn start() -> Running {
    // A port from `free_port` can be taken by a server of another test before serve.sh binds
    // it; `wait_ready` would then see that server. The example refuses an anonymous call
    // (401) where no other server does: anything else means the port was not ours, so the
    // example starts again on new ports.
    for _ in 0..3 {
        let r = start_once().await;
        let anonymous = support::client()
            .get(format!("http://127.0.0.1:{}/customers/42", r.port))
            .send()
            .await
            .map(|a| a.status().as_u16())
            .ok();
        if anonymous == Some(401) {
            return r;
        }
        eprintln!(
            "examples/secured: port {} answered {anonymous:?} to an anonymous call, not 401: another server took it; starting again",
            r.port
        );
    }
    panic!("examples/secured did not get a port of its own in three attempts");
}

async fn start_once() -> Running {
    let (port, mock_port) = (support::free_port(), support::free_port());
    let log_dir = tempfile::tempdir().expect("tmp");
    let log = log_dir.path().join("stderr");
    let child = Command::new("bash")
        .arg(dir().join("serve.sh"))
        .arg(format!("127.0.0.1:{port}"))
        .env("SOAPBRIDGE", env!("CARGO_BIN_EXE_soapbridge"))
        .env("MOCK_LISTEN", format!("127.0.0.1:{mock_port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start serve.sh");
    let child = support::KillOnDrop(child);
    support::wait_ready(&format!("http://127.0.0.1:{port}"), Some(&log)).await;
    Running {
        port,
        mock_port,
        child,
        _log: log_dir,
    }
}

/// A committed token of the example (`read.jwt`, `no-scope.jwt`).
pub fn token(file: &str) -> String {
    std::fs::read_to_string(dir().join("tokens").join(file))
        .expect("token")
        .trim()
        .to_owned()
}

/// The README's curl lines with the status each ends with (`# 401: ...`).
fn readme_lines(readme: &Path) -> Vec<(String, u16)> {
    let text = std::fs::read_to_string(readme).expect("README");
    text.lines()
        .filter(|l| l.starts_with("curl "))
        .map(|l| {
            let (cmd, comment) = l
                .rsplit_once('#')
                .expect("each curl line ends with # STATUS");
            let status = comment.trim()[..3].parse().expect("a status after #");
            (cmd.trim().to_owned(), status)
        })
        .collect()
}

#[actix_web::test]
async fn secured_example_answers_as_its_readme_says() {
    if Command::new("curl").arg("--version").output().is_err() {
        support::not_run(
            "the secured example's curl lines",
            "curl is not installed",
            "apt-get install curl",
        );
        return;
    }
    let lines = readme_lines(&dir().join("README.md"));
    assert!(lines.len() >= 6, "{lines:?}");
    let mut running = start().await;
    let port = running.port;
    for (line, want) in &lines {
        let cmd = line
            .replace("curl -i ", "curl -s -o /dev/null -w '%{http_code}' ")
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
        let out = Command::new("bash")
            .args(["-c", &cmd])
            .current_dir(dir())
            .output()
            .expect("run curl");
        let got = String::from_utf8_lossy(&out.stdout);
        assert_eq!(got.trim(), want.to_string(), "{line}");
    }
    // The served document describes the same security.
    let doc = support::client()
        .get(format!("http://127.0.0.1:{port}/openapi.json"))
        .send()
        .await
        .expect("openapi.json")
        .text()
        .await
        .expect("text");
    let doc: Value = serde_json::from_str(&doc).expect("JSON");
    assert_eq!(
        doc["paths"]["/customers/{id}"]["get"]["security"],
        json!([{"staff": ["customers:read"]}])
    );
    // serve.sh stops both of its servers on SIGTERM.
    let _ = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status();
    let _ = running.child.wait();
    let stopped = (0..30).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", running.mock_port)).is_err()
    });
    assert!(stopped, "the mock backend is still running");
}

#[test]
fn check_locates_a_misspelled_provider_in_the_secured_example() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string(dir().join("soapbridge.yaml"))
        .expect("config")
        .replace(
            "providers: [staff]\n      scopes",
            "providers: [staf]\n      scopes",
        );
    let line = text
        .lines()
        .position(|l| l.contains("[staf]"))
        .expect("the misspelling")
        + 1;
    std::fs::copy(dir().join("jwks.json"), tmp.path().join("jwks.json")).expect("copy");
    let config = tmp.path().join("soapbridge.yaml");
    std::fs::write(&config, text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("check")
        .arg("--config")
        .arg(&config)
        .arg(dir().join("mappings"))
        .output()
        .expect("run check");
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(&format!("soapbridge.yaml:{line}:")),
        "file and line: {err}"
    );
    assert!(err.contains("did you mean `staff`?"), "a hint: {err}");
}

#[test]
fn secured_example_openapi_says_who_may_call_each_route_and_no_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("openapi")
        .arg("--config")
        .arg(dir().join("soapbridge.yaml"))
        .arg(dir().join("mappings"))
        .output()
        .expect("run openapi");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    crate::openapi::check_document(&doc, "secured example");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["staff"]["type"], "http", "{schemes}");
    assert_eq!(schemes["staff"]["scheme"], "bearer");
    assert_eq!(schemes["staff"]["bearerFormat"], "JWT");
    assert_eq!(
        schemes["partners"],
        json!({"type": "apiKey", "in": "header", "name": "x-api-key"})
    );
    let op = |path: &str, method: &str| doc["paths"][path][method].clone();
    assert_eq!(
        op("/customers/{id}", "get")["security"],
        json!([{"staff": ["customers:read"]}])
    );
    assert_eq!(
        op("/customers", "get")["security"],
        json!([{"staff": []}]),
        "the default policy"
    );
    assert_eq!(op("/ping", "get")["security"], json!([]), "public");
    assert_eq!(op("/orders", "post")["security"], json!([{"partners": []}]));
    let responses = |path: &str, method: &str| {
        op(path, method)["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    let get_one = responses("/customers/{id}", "get");
    assert!(
        get_one.contains(&"401".into()) && get_one.contains(&"403".into()),
        "{get_one:?}"
    );
    let orders = responses("/orders", "post");
    assert!(
        orders.contains(&"401".into()) && orders.contains(&"429".into()),
        "{orders:?}"
    );
    assert!(!orders.contains(&"403".into()), "{orders:?}");
    assert!(!responses("/ping", "get").contains(&"401".into()));
    for secret in [
        "example-key-1",
        "207d28c47238e89eee33d9249bdbebeb80dd9b6aab9aed05dff24fe783cbc0c0",
    ] {
        assert!(!text.contains(secret), "the document holds a key");
    }
}
