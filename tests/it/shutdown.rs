//! SIGTERM loses no request: `/readyz` turns 503 at once, new connections are accepted for
//! the grace period, requests in flight finish, and the process exits 0. The real binary
//! against a real loopback backend that takes a second to answer.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::backend::PING;
use crate::support;

/// A SOAP backend on 127.0.0.1 that answers every request after `delay`; counts requests.
async fn slow_backend(delay: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/customers", listener.local_addr().expect("addr"));
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // The head, then the announced body.
                loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    PING.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(PING.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, seen)
}

#[actix_web::test]
async fn sigterm_turns_unready_and_finishes_every_request_in_flight() {
    const N: usize = 50;
    let (backend, seen) = slow_backend(Duration::from_secs(1)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = std::fs::read_to_string(support::root().join("mappings/customers.yaml"))
        .expect("mapping")
        .replace("../wsdl/customers.wsdl", &wsdl.display().to_string());
    std::fs::write(dir.path().join("customers.yaml"), text).expect("write");
    let port = support::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--shutdown-grace", "1s", "--drain-timeout", "10s"])
        .arg(dir.path())
        .env("CUSTOMERS_SOAP_URL", &backend)
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("stderr")).expect("log file"))
        .spawn()
        .expect("start soapbridge serve");
    let mut child = crate::support::KillOnDrop(child);
    let base = format!("http://127.0.0.1:{port}");
    support::wait_ready(&base, Some(&dir.path().join("stderr"))).await;
    // One client for all (building one per call costs more than the calls on a busy machine).
    let client = support::client();
    let calls: Vec<_> = (0..N)
        .map(|_| {
            let url = format!("{base}/ping");
            let client = client.clone();
            tokio::spawn(async move {
                let r = client.get(url).send().await.map_err(|e| e.to_string())?;
                let status = r.status().as_u16();
                let body = r.text().await.map_err(|e| e.to_string())?;
                Ok::<_, String>((status, body))
            })
        })
        .collect();
    // Every call has reached the backend, which holds them for a second.
    let all_in = Instant::now() + Duration::from_secs(20);
    while seen.load(Ordering::SeqCst) < N {
        if Instant::now() > all_in {
            let log = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
            panic!("only {} calls arrived\n{log}", seen.load(Ordering::SeqCst));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Within the grace: not ready, but a new connection is still served.
    let r = support::client()
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("a new connection during the grace period");
    assert_eq!(r.status().as_u16(), 503);
    let v: serde_json::Value = serde_json::from_str(&r.text().await.expect("t")).expect("json");
    assert_eq!(v["code"], "shutting-down");
    let mut ok = 0;
    for c in calls {
        match c.await.expect("join") {
            Ok((200, body)) if body.contains("\"serverTime\":\"2026-12-02T10:00:00Z\"") => ok += 1,
            other => panic!("a request in flight was lost: {other:?}"),
        }
    }
    assert_eq!(ok, N);
    let exit = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            Instant::now() < exit,
            "soapbridge did not exit after draining"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status:?}");
}
