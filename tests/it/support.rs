//! Shared helpers for the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether this run is CI (`CI=true`), where a missing tool or corpus is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Says loudly that a suite did not run; in CI that is a failure.
pub fn not_run(suite: &str, why: &str, how: &str) {
    let msg = format!(
        "\n==================== NOT RUN: {suite} ====================\n{why}\nTo run it: {how}\n=========================================================\n"
    );
    if in_ci() {
        panic!("{msg}(CI=true: a suite that cannot run is a failure)");
    }
    eprintln!("{msg}");
}

/// The shared real-world WSDL corpus (`../shared/wsdl-corpus`, or `SOAPBRIDGE_CORPUS`).
/// `None` (after saying so loudly) when it is absent outside CI.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SOAPBRIDGE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/wsdl-corpus"));
    if dir.join("ENTRIES.txt").is_file() {
        Some(dir)
    } else {
        not_run(
            "WSDL corpus",
            &format!("the corpus is not at {}", dir.display()),
            "put the corpus at ../shared/wsdl-corpus or set SOAPBRIDGE_CORPUS",
        );
        None
    }
}

/// Corpus entries (paths relative to the corpus folder).
pub fn corpus_entries(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("ENTRIES.txt"))
        .expect("ENTRIES.txt is readable")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Compiles mapping texts (virtual paths anchor relative WSDL paths), panicking with every
/// diagnostic on failure.
pub fn compile(
    files: &[(&Path, &str)],
    opts: soapbridge::mapping::Options,
) -> soapbridge::mapping::Mappings {
    match soapbridge::mapping::load_texts(files, opts) {
        Ok(m) => m,
        Err(d) => panic!(
            "mappings do not compile:\n{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// A running soapbridge on 127.0.0.1 (ephemeral port). Stops when dropped.
pub struct Bridge {
    pub addr: std::net::SocketAddr,
    pub state: actix_web::web::Data<soapbridge::http::AppState>,
    handle: actix_web::dev::ServerHandle,
}

impl Bridge {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        client()
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }
}

/// The value of the sample `name_and_labels` (the name, its labels and the space before the
/// value, as exported) in a `/metrics` text, or `None` when it is absent.
pub fn metric(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels))
        .and_then(|v| v.trim().parse().ok())
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let h = self.handle.clone();
        // Stopping is asynchronous; the runtime of the test ends the server anyway.
        std::mem::drop(h.stop(false));
    }
}

/// Starts the bridge for `mappings` (inside an actix/tokio runtime).
pub async fn start_bridge(
    mappings: soapbridge::mapping::Mappings,
    config: soapbridge::http::ServerConfig,
) -> Bridge {
    let table = soapbridge::http::RouteTable::build(mappings).expect("route table builds");
    start_table(table, config).await
}

/// Starts the bridge on a route table already built (with a gateway configuration).
pub async fn start_table(
    table: soapbridge::http::RouteTable,
    config: soapbridge::http::ServerConfig,
) -> Bridge {
    let state = actix_web::web::Data::new(soapbridge::http::AppState::new(table, config));
    let s2 = state.clone();
    let server = actix_web::HttpServer::new(move || soapbridge::http::server::app(s2.clone()))
        .workers(2)
        .disable_signals()
        .bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Bridge {
        addr,
        state,
        handle,
    }
}

/// An HTTP client for the tests (no proxy, short timeout).
pub fn client() -> reqwest::Client {
    soapbridge::tls::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A port that was free a moment ago on 127.0.0.1, for a server the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Waits until `GET {base}/readyz` answers 200; after 20 s, fails with the server's log.
pub async fn wait_ready(base: &str, log: Option<&Path>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = client().get(format!("{base}/readyz")).send().await;
        if r.map(|r| r.status().as_u16()).ok() == Some(200) {
            return;
        }
        if std::time::Instant::now() > deadline {
            let text = log
                .and_then(|l| std::fs::read_to_string(l).ok())
                .unwrap_or_default();
            panic!("soapbridge at {base} did not become ready:\n{text}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A child process (a `soapbridge serve` the test started) that is killed when the test
/// ends, however it ends: a failed assertion leaves no server behind.
pub struct KillOnDrop(pub std::process::Child);

impl std::ops::Deref for KillOnDrop {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// `soapbridge serve` started by a test at `SOAPBRIDGE_LOG=trace`, with its stderr in a file,
/// for the tests that read the whole log afterwards (no secret may be in it).
pub struct TracedServe {
    pub base: String,
    child: KillOnDrop,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl TracedServe {
    /// Starts `serve --listen ... --shutdown-grace 0s ARGS...` with `envs`, and waits until
    /// it is ready.
    pub async fn start(args: &[&std::ffi::OsStr], envs: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path().join("stderr");
        let port = free_port();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"));
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--shutdown-grace", "0s"])
            .args(args)
            .env("SOAPBRIDGE_LOG", "trace")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = KillOnDrop(cmd.spawn().expect("start soapbridge serve"));
        let base = format!("http://127.0.0.1:{port}");
        wait_ready(&base, Some(&log)).await;
        Self {
            base,
            child,
            log,
            _dir: dir,
        }
    }

    /// The process id of the server.
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Stops it with SIGTERM, waits for it, and returns everything it logged.
    pub fn stop(mut self) -> String {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).expect("log")
    }
}
