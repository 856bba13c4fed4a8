//! The `soapbridge serve` binary: start-up, reload on file change and on SIGHUP (a broken
//! mapping keeps the running routes), and refusal to start on a bad mapping.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::backend::{self, PING, Reply};
use crate::support;

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn mapping_text(with_ping: bool) -> String {
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text =
        std::fs::read_to_string(support::root().join("mappings/customers.yaml")).expect("mapping");
    let text = text.replace("../wsdl/customers.wsdl", &wsdl.display().to_string());
    if with_ping {
        text
    } else {
        text.replace("  - route: GET /ping\n    operation: Ping\n", "")
    }
}

async fn routes(port: u16) -> Option<u64> {
    let r = support::client()
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .ok()?;
    let v: serde_json::Value = r.json_text().await?;
    v["routes"].as_u64()
}

trait JsonText {
    async fn json_text(self) -> Option<serde_json::Value>;
}

impl JsonText for reqwest::Response {
    async fn json_text(self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.text().await.ok()?).ok()
    }
}

async fn wait_for(port: u16, want: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if routes(port).await == Some(want) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[actix_web::test]
async fn serve_reloads_on_change_and_on_sighup_and_keeps_routes_when_a_reload_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("customers.yaml");
    std::fs::write(&file, mapping_text(true)).expect("write");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--watch", "--listen", &format!("127.0.0.1:{port}")])
        .arg(dir.path())
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start soapbridge serve");
    let server = Server(child);
    assert!(wait_for(port, 6).await, "serves the 6 routes");
    // A changed file is picked up.
    std::fs::write(&file, mapping_text(false)).expect("write");
    assert!(wait_for(port, 5).await, "reloads after the file changes");
    // A broken file is refused and the running routes stay.
    std::fs::write(
        &file,
        mapping_text(true).replace("operation: Ping", "operation: Pnig"),
    )
    .expect("write");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut refused = false;
    while Instant::now() < deadline && !refused {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let text = support::client()
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        refused = text.contains("soapbridge_config_reloads_total{result=\"error\"} 1");
    }
    assert!(refused, "the broken reload is counted");
    assert_eq!(routes(port).await, Some(5), "the previous routes stay");
    // SIGHUP reloads too (the watcher would also see this change; either reload is fine).
    std::fs::write(&file, mapping_text(true)).expect("write");
    let pid = server.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill -HUP");
    assert!(killed.success());
    assert!(wait_for(port, 6).await, "reloads on SIGHUP");
}

#[test]
fn serve_refuses_to_start_on_a_bad_mapping_and_names_every_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = mapping_text(true)
        .replace("operation: Ping", "operation: Pnig")
        .replace(
            "body: order\n      status: 201",
            "body: ordr\n      status: 201",
        );
    std::fs::write(dir.path().join("m.yaml"), text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("operation `Pnig` is not in"), "{stderr}");
    assert!(stderr.contains("response body `ordr`"), "{stderr}");
    assert!(
        stderr.contains("2 errors found; nothing was started."),
        "{stderr}"
    );
}

#[actix_web::test]
async fn the_demo_runs_from_an_empty_folder_on_its_embedded_contract() {
    // An installed binary or a container has no `wsdl/` or `mappings/` beside it.
    let dir = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start soapbridge demo");
    let _server = Server(child);
    assert!(wait_for(port, 6).await, "the demo serves its routes");
    let r = support::client()
        .get(format!("http://127.0.0.1:{port}/customers/42"))
        .send()
        .await
        .expect("GET /customers/42");
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json_text().await.expect("JSON");
    assert_eq!(v["customerId"], 42, "{v}");
}

#[actix_web::test]
async fn watch_reloads_when_a_kubernetes_configmap_swaps_its_data_symlink() {
    // The kubelet's layout: customers.yaml -> ..data/customers.yaml, ..data -> ..<stamp>/;
    // an update writes a new ..<stamp>/ and renames a new ..data symlink over the old one.
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tmp");
    let old = dir.path().join("..2026_12_01_10_00_00.000000001");
    let new = dir.path().join("..2026_12_01_10_05_00.000000002");
    std::fs::create_dir(&old).expect("mkdir");
    std::fs::create_dir(&new).expect("mkdir");
    let with_ping = mapping_text(true);
    // The same length and modification time: only the file the link resolves to changes.
    let without_ping = mapping_text(false);
    let pad = with_ping.len() - without_ping.len();
    let without_ping = format!("{without_ping}#{}\n", " ".repeat(pad - 2));
    assert_eq!(with_ping.len(), without_ping.len());
    std::fs::write(old.join("customers.yaml"), &with_ping).expect("write");
    std::fs::write(new.join("customers.yaml"), &without_ping).expect("write");
    let stamp = std::fs::metadata(old.join("customers.yaml"))
        .and_then(|m| m.modified())
        .expect("mtime");
    std::fs::File::options()
        .write(true)
        .open(new.join("customers.yaml"))
        .and_then(|f| f.set_modified(stamp))
        .expect("set mtime");
    symlink(old.file_name().expect("name"), dir.path().join("..data")).expect("..data");
    symlink("..data/customers.yaml", dir.path().join("customers.yaml")).expect("link");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--watch", "--listen", &format!("127.0.0.1:{port}")])
        .arg(dir.path())
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start soapbridge serve");
    let _server = Server(child);
    assert!(wait_for(port, 6).await, "serves the 6 routes");
    symlink(
        new.file_name().expect("name"),
        dir.path().join("..data_tmp"),
    )
    .expect("tmp link");
    std::fs::rename(dir.path().join("..data_tmp"), dir.path().join("..data")).expect("swap");
    assert!(
        wait_for(port, 5).await,
        "reloads after the ..data symlink swap"
    );
}

/// `--workers` sets the server's worker threads, and each keeps its own connections to the
/// backends: calls from many connections at once all get their answer.
#[actix_web::test]
async fn workers_sets_the_server_threads() {
    let be = backend::start(Reply::soap12(200, PING)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mapping = dir.path().join("customers.yaml");
    std::fs::write(&mapping, mapping_text(true)).expect("write");
    let served = support::TracedServe::start(
        &["--workers".as_ref(), "3".as_ref(), mapping.as_os_str()],
        &[("CUSTOMERS_SOAP_URL", &be.url("/customers"))],
    )
    .await;
    let workers = std::fs::read_dir(format!("/proc/{}/task", served.pid()))
        .expect("the server's threads")
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("actix-rt|system"))
        .count();
    assert_eq!(workers, 3, "actix worker threads");
    // Separate connections, so that the calls spread over the workers.
    let calls = (0..12).map(|_| {
        let url = format!("{}/ping", served.base);
        async move {
            let r = support::client().get(url).send().await.expect("request");
            (r.status().as_u16(), r.text().await.expect("body"))
        }
    });
    for (status, body) in futures_util::future::join_all(calls).await {
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("2026-12-02T10:00:00Z"), "{body}");
    }
    assert_eq!(be.count(), 12);
    let log = served.stop();
    assert!(log.contains("workers=3"), "{log}");
}

#[test]
fn workers_must_be_at_least_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--workers", "0"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--workers"), "{stderr}");
    assert!(stderr.contains("0 is not in 1..=1024"), "{stderr}");
}
