//! `soapbridge serve` and the demo: the route table loaded, the listener (TLS when the
//! configuration says), reloads on SIGHUP or file changes, and the embedded demo with its
//! mock backend.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::bail;

use super::{
    DEMO_MAPPING, DEMO_MAPPING_PATH, DEMO_WSDL, DEMO_WSDL_PATH, gateway_config, log_notes,
    print_diagnostics,
};
use crate::config::Gateway;
use crate::http::server::{Shutdown, run_server};
use crate::http::{AppState, RouteTable, ServerConfig};
use crate::mapping::{self, Diagnostic};
use crate::wsdl;

/// The gateway configuration and the mappings, compiled into a route table.
pub(super) fn load_table(
    paths: &[PathBuf],
    config: Option<&Path>,
) -> Result<(RouteTable, usize, Arc<Gateway>), Vec<Diagnostic>> {
    let (gw, opts) = gateway_config(config)?;
    let m = mapping::load(paths, opts)?;
    log_notes(&m);
    let n = m.routes.len();
    RouteTable::build_with(m, &gw)
        .map(|t| (t, n, gw))
        .map_err(|e| vec![Diagnostic::new(config.unwrap_or(Path::new("-")), None, e)])
}

/// The listener's TLS from the configuration (the certificate files are read here).
fn listener_tls(t: &crate::config::ListenerTls) -> anyhow::Result<crate::http::tls::TlsListener> {
    use crate::config::ClientAuthMode;
    use crate::http::tls::{ClientAuth, TlsListener, TlsSettings};
    let settings = TlsSettings {
        cert_chain: t.cert.clone(),
        key: t.key.clone(),
        client_ca: t.client_ca.clone(),
        client_auth: match t.client_auth {
            ClientAuthMode::None => ClientAuth::None,
            ClientAuthMode::Optional => ClientAuth::Optional,
            ClientAuthMode::Require => ClientAuth::Require,
        },
        reload_every: t.reload_every,
    };
    TlsListener::new(&settings).map_err(|e| anyhow::anyhow!("TLS: {e}"))
}

pub(super) fn serve(
    listen: SocketAddr,
    paths: Vec<PathBuf>,
    watch: bool,
    config: Option<PathBuf>,
    server_config: ServerConfig,
    shutdown: Shutdown,
) -> anyhow::Result<ExitCode> {
    let (table, routes, gw) = match load_table(&paths, config.as_deref()) {
        Ok(t) => t,
        Err(diags) => {
            print_diagnostics(&diags);
            return Ok(ExitCode::FAILURE);
        }
    };
    actix_web::rt::System::new().block_on(async move {
        if let Err(errors) = gw.start().await {
            for e in &errors {
                tracing::error!(error = %e, "Cannot start the authentication providers.");
                eprintln!("error: {e}");
            }
            return Ok(ExitCode::FAILURE);
        }
        let state = actix_web::web::Data::new(AppState::new(table, server_config));
        let tls = match &gw.tls {
            None => None,
            Some(t) => Some(listener_tls(t)?),
        };
        let (addr, server) = run_server(state.clone(), listen, shutdown, tls.as_ref()).await?;
        tracing::info!(
            %addr,
            routes,
            tls = tls.is_some(),
            workers = crate::soap::client::server_threads(),
            "soapbridge listening."
        );
        spawn_reloader(state, paths, config, watch);
        server.await?;
        Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
    })
}

/// Reloads the mappings on SIGHUP, and when `watch` is set, when a mapping file changes.
/// A reload that fails keeps the running routes and logs every error.
fn spawn_reloader(
    state: actix_web::web::Data<AppState>,
    paths: Vec<PathBuf>,
    config: Option<PathBuf>,
    watch: bool,
) {
    let watched_config = config.clone();
    let reload = {
        let state = state.clone();
        let paths = paths.clone();
        move |why: &'static str| {
            let state = state.clone();
            let paths = paths.clone();
            let config = config.clone();
            async move {
                let loaded =
                    tokio::task::spawn_blocking(move || load_table(&paths, config.as_deref()))
                        .await;
                let started = match loaded {
                    Ok(Ok((t, n, gw))) => match gw.start().await {
                        Ok(()) => Ok(Ok((t, n))),
                        Err(errors) => Ok(Err(errors
                            .into_iter()
                            .map(|e| Diagnostic::new(Path::new("-"), None, e))
                            .collect::<Vec<_>>())),
                    },
                    Ok(Err(diags)) => Ok(Err(diags)),
                    Err(e) => Err(e),
                };
                let result = match started {
                    Ok(Ok((t, n))) => {
                        state.swap(t);
                        tracing::info!(routes = n, reason = why, "Mappings reloaded.");
                        "ok"
                    }
                    Ok(Err(diags)) => {
                        for d in &diags {
                            tracing::error!(diagnostic = %d, "Reload failed; the previous routes stay.");
                        }
                        "error"
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "Reload failed; the previous routes stay.");
                        "error"
                    }
                };
                state
                    .core
                    .metrics
                    .reloads
                    .get_or_create(&crate::metrics::ReloadLabels { result })
                    .inc();
            }
        }
    };
    #[cfg(unix)]
    {
        let reload = reload.clone();
        actix_web::rt::spawn(async move {
            let Ok(mut hup) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            else {
                return;
            };
            while hup.recv().await.is_some() {
                reload("SIGHUP").await;
            }
        });
    }
    if watch {
        actix_web::rt::spawn(async move {
            let contracts = |state: &AppState| -> Vec<PathBuf> {
                let table = state.table.load();
                let mut files: Vec<PathBuf> = table
                    .routes
                    .iter()
                    .map(|r| PathBuf::from(&r.backend.wsdl.location))
                    .filter(|p| p.is_file())
                    .chain(watched_config.clone())
                    .collect();
                files.sort();
                files.dedup();
                files
            };
            let mut last = fingerprint(&paths, &contracts(&state));
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let now = fingerprint(&paths, &contracts(&state));
                if now != last {
                    last = now;
                    reload("file change").await;
                }
            }
        });
    }
}

/// What the watcher compares: each mapping file and each local entry WSDL, with the file it
/// resolves to, its modification time and its size (a change means reload).
///
/// The resolved path matters for Kubernetes: a mounted ConfigMap is updated by pointing the
/// `..data` symlink at a new folder, so `customers.yaml` resolves to another file even when
/// the new file's time and size happen to match.
pub fn fingerprint(paths: &[PathBuf], contracts: &[PathBuf]) -> Vec<FileStamp> {
    let files = mapping::expand_paths(paths).unwrap_or_default();
    files
        .iter()
        .chain(contracts)
        .map(|f| {
            let meta = std::fs::metadata(f).ok();
            FileStamp {
                path: f.clone(),
                resolved: std::fs::canonicalize(f).ok(),
                modified: meta.as_ref().and_then(|m| m.modified().ok()),
                len: meta.map(|m| m.len()),
            }
        })
        .collect()
}

/// One watched file, as [`fingerprint`] saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub path: PathBuf,
    pub resolved: Option<PathBuf>,
    pub modified: Option<SystemTime>,
    pub len: Option<u64>,
}

/// The demo: the embedded contract and mapping against an in-process mock backend.
pub(super) fn demo(listen: SocketAddr, shutdown: Shutdown) -> anyhow::Result<ExitCode> {
    let mut sources = wsdl::Sources::default();
    sources
        .memory
        .insert(DEMO_WSDL_PATH.to_owned(), DEMO_WSDL.into());
    let w = Arc::new(
        wsdl::load(&wsdl::Location::Memory(DEMO_WSDL_PATH.to_owned()), &sources)
            .map_err(|e| anyhow::anyhow!("the embedded contract does not load: {e}"))?,
    );
    actix_web::rt::System::new().block_on(async move {
        let (mock_addr, mock_server) = crate::mock::start(
            w,
            "127.0.0.1:0".parse()?,
            crate::mock::MockOptions::default(),
        )?;
        actix_web::rt::spawn(mock_server);
        let endpoint: url::Url = format!("http://{mock_addr}/customers").parse()?;
        let opts = mapping::Options {
            endpoint_override: Some(endpoint.clone()),
            sources,
            policies: None,
        };
        let mappings = mapping::load_texts(&[(Path::new(DEMO_MAPPING_PATH), DEMO_MAPPING)], opts)
            .map_err(|d| {
            anyhow::anyhow!(
                "the embedded mapping does not compile: {}",
                d.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
        let routes = mappings.routes.len();
        let table = RouteTable::build(mappings).map_err(|e| anyhow::anyhow!(e))?;
        let state = actix_web::web::Data::new(AppState::new(table, ServerConfig::default()));
        let (addr, server) = match run_server(state, listen, shutdown, None).await {
            Ok(x) => x,
            Err(e) => bail!("{e:#}"),
        };
        tracing::info!(%addr, routes, mock = %endpoint, "soapbridge demo listening.");
        println!("{}", demo_banner(addr, &endpoint));
        server.await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The curl lines of the demo (the README shows the same ones).
pub fn demo_curls(addr: SocketAddr) -> Vec<String> {
    let base = format!("http://{addr}");
    vec![
        format!("curl -s {base}/customers/42"),
        format!("curl -s '{base}/customers?name=Ada&limit=5'"),
        format!("curl -s {base}/customers/42/orders"),
        format!(
            "curl -s -X POST {base}/orders -H 'Content-Type: application/json' -d '{{\"customerId\": 42, \"line\": [{{\"sku\": \"ABC-1234\", \"quantity\": 2, \"unitPrice\": 9.99}}]}}'"
        ),
        format!("curl -s {base}/ping"),
        format!(
            "curl -s -X POST {base}/graphql -H 'Content-Type: application/json' -d '{{\"query\": \"{{ getCustomer(id: 42) {{ name email status }} listOrders(id: 42) {{ orderId status total {{ _value currency }} }} }}\"}}'"
        ),
    ]
}

fn demo_banner(addr: SocketAddr, mock: &url::Url) -> String {
    let mut s =
        format!("soapbridge demo: REST on http://{addr}, SOAP 1.2 mock backend on {mock}\nTry:\n");
    for c in demo_curls(addr) {
        s.push_str("  ");
        s.push_str(&c);
        s.push('\n');
    }
    s.push_str(&format!(
        "  curl -s http://{addr}/metrics\nGraphiQL: http://{addr}/graphiql\nStop with Ctrl-C."
    ));
    s
}
