use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;

use super::*;

/// Reads one request (head and announced body); `None` at the end of the connection.
fn read_request(conn: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).ok()?;
    Some(head)
}

/// A single-threaded server answering like SOAP::Lite's daemon (HTTP/1.1, no
/// `Connection` header, the recorded answer), one connection at a time. `keep_alive`:
/// serve the connection until the client closes it (the daemon as shipped); otherwise
/// close it after one answer, unannounced (the daemon with `force_last_request`).
/// Returns its URL and, per connection accepted, the request heads read on it.
fn soaplite_like(keep_alive: bool) -> (url::Url, Arc<Mutex<Vec<Vec<String>>>>) {
    let body =
        include_str!("../../../tests/fixtures/interop/soaplite/EchoScalars.soap11.response.xml");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = url::Url::parse(&format!(
        "http://{}/CustomerService",
        listener.local_addr().expect("address")
    ))
    .expect("url");
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut heads = Vec::new();
            while let Some(head) = read_request(&mut conn) {
                let closes = head.contains("\r\nconnection: close");
                heads.push(head);
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/xml; \
                     charset=utf-8\r\nSOAPServer: SOAP::Lite/Perl/1.27\r\n\r\n{body}",
                    body.len()
                );
                if conn.write_all(answer.as_bytes()).is_err() || !keep_alive || closes {
                    break;
                }
            }
            seen.lock().expect("lock").push(heads);
        }
    });
    (url, log)
}

fn settings(endpoint: url::Url, max_concurrency: usize) -> ClientSettings {
    ClientSettings {
        name: "soaplite".into(),
        endpoint,
        soap_version: SoapVersion::V11,
        timeout: Duration::from_secs(5),
        attempt_timeout: None,
        queue_timeout: None,
        connect_timeout: Duration::from_secs(1),
        max_concurrency,
        retries: 0,
        max_response_bytes: Some(1 << 20),
        stream_threshold: STREAM_THRESHOLD,
        headers: Vec::new(),
        basic_auth: None,
        mtom: false,
        breaker: BreakerSettings::default(),
        retry: RetrySettings::default(),
        tls: BackendTls::default(),
        proxy: None,
    }
}

/// Waits (up to five seconds) until the server has logged `n` connections: it logs one
/// after answering on it.
async fn connections_logged(log: &Mutex<Vec<Vec<String>>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.lock().expect("lock").len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn calls(client: &Arc<SoapClient>, n: usize) -> Vec<Result<u16, String>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                c.call(
                    "http://example.com/interop/customer#EchoScalars",
                    "<x/>".into(),
                    "rid",
                )
                .await
                .map(|r| r.status)
                .map_err(|e| e.to_string())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap_or_else(|e| Err(e.to_string())));
    }
    out
}

#[test]
fn each_thread_keeps_to_the_client_of_its_slot() {
    let clients = Arc::new(ThreadClients::new(3, || Ok(Mutex::new(0usize))).expect("build"));
    let on_thread = |c: Arc<ThreadClients<Mutex<usize>>>| {
        std::thread::spawn(move || {
            let slot = thread_slot();
            for _ in 0..10 {
                assert_eq!(thread_slot(), slot, "a thread changed its slot");
                assert!(
                    std::ptr::eq(c.get(), &c.0[slot % 3]),
                    "not the slot's client"
                );
                *c.get().lock().expect("lock") += 1;
            }
            slot
        })
    };
    let (a, b) = (on_thread(clients.clone()), on_thread(clients.clone()));
    let (a, b) = (a.join().expect("thread a"), b.join().expect("thread b"));
    assert_ne!(a, b, "two threads share a slot");
    let counts: Vec<usize> = clients.0.iter().map(|c| *c.lock().expect("lock")).collect();
    assert_eq!(counts.iter().sum::<usize>(), 20, "{counts:?}");
}

#[test]
fn debug_output_leaves_secrets_out() {
    let mut s = settings(url::Url::parse("http://127.0.0.1:1/x").expect("url"), 1);
    s.basic_auth = Some(("svc".into(), "s3cret-pw".into()));
    s.headers = vec![("X-Api-Key".into(), "s3cret-key".into())];
    let text = format!("{s:?}");
    assert!(text.contains("svc") && text.contains("X-Api-Key"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

/// A real HTTP/2 server (h2c) that refuses the first stream (`REFUSED_STREAM`: not
/// processed) and resets the second with `INTERNAL_ERROR` (maybe processed).
#[tokio::test]
async fn an_http2_refusal_is_a_nothing_sent_error_and_is_tried_once() {
    use std::sync::atomic::AtomicUsize;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let streams = Arc::new(AtomicUsize::new(0));
    let seen = streams.clone();
    let server = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.expect("a connection");
        let mut conn = h2::server::handshake(sock).await.expect("an h2c handshake");
        while let Some(Ok((_req, mut respond))) = conn.accept().await {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            respond.send_reset(if n == 0 {
                h2::Reason::REFUSED_STREAM
            } else {
                h2::Reason::INTERNAL_ERROR
            });
        }
    });
    crate::tls::install_crypto_provider();
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .retry(no_retries())
        .build()
        .expect("an h2c client");
    let url = format!("http://{addr}/soap");
    let send = || client.post(&url).body("<x/>").send();
    let refused = send().await.expect_err("the stream is refused");
    assert!(refused_unread(&refused), "{refused:?}");
    assert!(
        matches!(classify(&url, &url, &refused), CallError::Connect { .. }),
        "{refused:?}"
    );
    // Tried once: reqwest's own retry would have sent it again.
    assert_eq!(streams.load(Ordering::SeqCst), 1);
    let reset = send().await.expect_err("the stream is reset");
    assert!(!refused_unread(&reset), "{reset:?}");
    assert!(
        matches!(classify(&url, &url, &reset), CallError::Transport { .. }),
        "{reset:?}"
    );
    assert_eq!(streams.load(Ordering::SeqCst), 2);
    server.abort();
}

#[tokio::test]
async fn one_at_a_time_backend_never_holds_a_connection_open() {
    // The daemon as shipped serves one keep-alive connection until its client closes
    // it; a connection the bridge kept would lock every other client out.
    const N: usize = 20;
    let (url, log) = soaplite_like(true);
    let client = Arc::new(SoapClient::new(settings(url, 1)).expect("client"));
    let results = calls(&client, N).await;
    assert!(results.iter().all(|r| r == &Ok(200)), "{results:?}");
    // The server records a connection after answering on it: let it finish the last.
    connections_logged(&log, N).await;
    let log = log.lock().expect("lock");
    assert_eq!(log.len(), N, "one connection per call: {log:?}");
    assert!(
        log.iter()
            .all(|heads| heads.len() == 1 && heads[0].contains("\r\nconnection: close")),
        "{log:?}"
    );
}

#[tokio::test]
async fn one_at_a_time_backend_that_closes_unannounced_never_fails() {
    // With `force_last_request` the daemon closes after each answer without saying so;
    // a pooled connection would be reused as it closes.
    const N: usize = 200;
    let (url, log) = soaplite_like(false);
    let client = Arc::new(SoapClient::new(settings(url, 1)).expect("client"));
    let results = calls(&client, N).await;
    let failed: Vec<_> = results.iter().filter(|r| r != &&Ok(200)).collect();
    assert!(
        failed.is_empty(),
        "{} of {N} failed: {:?}",
        failed.len(),
        failed[0]
    );
    connections_logged(&log, N).await;
    assert_eq!(log.lock().expect("lock").len(), N);
}

#[test]
fn the_worker_count_is_fixed_once() {
    // Asked first (as building a client asks), the count is fixed: `--workers` read later
    // is refused with the count in use, and nothing changes.
    let n = server_threads();
    assert!(n >= 1);
    assert_eq!(set_server_threads(n + 1), Err(n));
    assert_eq!(server_threads(), n);
}
