//! The command line: `serve`, `check`, `openapi`, `graphql-schema`, `inspect`, `mock`,
//! `generate`, and the embedded demo.
//!
//! With no command, soapbridge runs the demo: the example contract and mapping compiled into
//! the binary, served against a mock backend started in the same process.
//!
//! May import anything: it is the top floor (only `main.rs` stands above it).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Gateway;
use crate::http::server::{Shutdown, run_server};
use crate::http::{AppState, RouteTable, ServerConfig};
use crate::mapping::{self, Diagnostic, Mappings};
use crate::wsdl;

pub const DEMO_WSDL_PATH: &str = "wsdl/customers.wsdl";
pub const DEMO_WSDL: &str = include_str!("../wsdl/customers.wsdl");
pub const DEMO_MAPPING_PATH: &str = "mappings/customers.yaml";
pub const DEMO_MAPPING: &str = include_str!("../mappings/customers.yaml");

#[derive(Parser, Debug)]
#[command(
    name = "soapbridge",
    version,
    about = "A REST/JSON face for SOAP backends."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Log format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "SOAPBRIDGE_LOG_FORMAT")]
    pub log_format: LogFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the REST routes of mapping files (default: the `mappings/` folder).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "SOAPBRIDGE_LISTEN")]
        listen: SocketAddr,
        /// Mapping files or folders of them.
        paths: Vec<PathBuf>,
        /// Reload when a mapping file changes (SIGHUP always reloads).
        #[arg(long)]
        watch: bool,
        /// The gateway configuration: authentication providers and policies
        /// (docs/configuration.md).
        #[arg(long, env = "SOAPBRIDGE_CONFIG")]
        config: Option<PathBuf>,
        /// Largest request body, in bytes.
        #[arg(long, default_value_t = 1 << 20)]
        max_body_bytes: usize,
        /// Bytes of backend answers held in memory at once, all calls together (`256MiB`);
        /// past it answers stream and new calls get 503 over-capacity.
        #[arg(long, env = "SOAPBRIDGE_ANSWER_MEMORY", default_value = "256MiB", value_parser = size_arg)]
        answer_memory: usize,
        #[command(flatten)]
        shutdown: ShutdownArgs,
    },
    /// Check mapping files against their contracts, offline; exit 1 on any error.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The gateway configuration the mappings name policies of (checked too).
        #[arg(long, env = "SOAPBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Print the OpenAPI 3.1 description of mapping files (default: the `mappings/` folder).
    Openapi {
        /// Mapping files or folders of them.
        paths: Vec<PathBuf>,
        /// The base URL clients call, written as the document's `servers` entry.
        #[arg(long)]
        server: Option<String>,
        /// The gateway configuration the mappings name policies of (its security schemes
        /// are described).
        #[arg(long, env = "SOAPBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL) of mapping files (default: the `mappings/` folder): the
    /// routes served on `/graphql` (docs/graphql.md).
    GraphqlSchema {
        /// Mapping files or folders of them.
        paths: Vec<PathBuf>,
        /// Every route, also those of files that do not switch GraphQL on.
        #[arg(long)]
        all: bool,
        /// The gateway configuration (its `graphql:` section).
        #[arg(long, env = "SOAPBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Show a WSDL's services, ports, bindings and operations.
    Inspect {
        /// Path or URL of the WSDL.
        wsdl: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Run a SOAP backend made from a WSDL (schema-valid sample answers).
    ///
    /// It answers POSTs on the paths of the contract's soap:address (every path when it has
    /// none), SOAP 1.1 or 1.2 as the request is, with sample values (the request's values
    /// echoed into same-named fields).
    ///
    /// Faults on demand: put `fault:NAME` (a fault the operation declares, e.g.
    /// `fault:CustomerNotFound`), `fault:client` or `fault:server` in any text field of the
    /// request, or send the header `X-Mock-Fault: NAME`.
    #[command(verbatim_doc_comment)]
    Mock {
        /// Path or URL of the WSDL.
        wsdl: String,
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: SocketAddr,
        /// Folder of canned responses: `<Operation>.xml` or `<Operation>.json`.
        #[arg(long)]
        responses: Option<PathBuf>,
    },
    /// Write a starter mapping for a WSDL: one REST route per operation, every choice commented.
    Generate(crate::generate::Command),
    /// Run the built-in demo (the default when no command is given).
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080", env = "SOAPBRIDGE_LISTEN")]
        listen: SocketAddr,
        #[command(flatten)]
        shutdown: ShutdownArgs,
    },
}

/// How `serve` and `demo` stop on SIGTERM.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ShutdownArgs {
    /// After SIGTERM, keep accepting new connections this long (load balancers need a
    /// moment to see /readyz fail). Ctrl-C skips it.
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration, env = "SOAPBRIDGE_SHUTDOWN_GRACE")]
    pub shutdown_grace: Duration,
    /// Then let requests in flight finish for at most this long.
    #[arg(long, default_value = "25s", value_parser = humantime::parse_duration, env = "SOAPBRIDGE_DRAIN_TIMEOUT")]
    pub drain_timeout: Duration,
}

impl ShutdownArgs {
    fn shutdown(self) -> Shutdown {
        Shutdown {
            grace: self.shutdown_grace,
            drain: self.drain_timeout,
        }
    }
}

/// The trace settings of the gateway configuration a `serve` command names, if any.
pub fn telemetry_settings(cli: &Cli) -> crate::telemetry::Settings {
    match &cli.command {
        Some(Command::Serve {
            config: Some(path), ..
        }) => crate::config::telemetry_settings(path),
        _ => Default::default(),
    }
}

pub fn init_logging(format: LogFormat, telemetry: &crate::telemetry::Settings) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::prelude::*;
    let filter = EnvFilter::try_from_env("SOAPBRIDGE_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let (otel, otel_error) = match crate::telemetry::layer(telemetry) {
        Ok(l) => (l, None),
        Err(e) => (None, Some(e)),
    };
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let fmt = match format {
        LogFormat::Json => fmt.json().flatten_event(true).boxed(),
        LogFormat::Text => fmt.boxed(),
    };
    // The log level does not decide which spans are traced: soapbridge's own spans are.
    let fmt = fmt.with_filter(filter);
    let otel = otel.map(|l| {
        l.with_filter(
            tracing_subscriber::filter::Targets::new()
                .with_target("soapbridge", tracing::Level::INFO),
        )
    });
    tracing_subscriber::registry().with(fmt).with(otel).init();
    if let Some(e) = otel_error {
        tracing::error!(error = %e, "Traces are off.");
    } else if crate::telemetry::enabled(telemetry) {
        tracing::info!("Traces are exported over OTLP/HTTP.");
    }
}

/// A size such as `256MiB`, for the command line.
fn size_arg(s: &str) -> Result<usize, String> {
    crate::mapping::compile::parse_size(s)
        .ok_or_else(|| format!("`{s}` is not a size: write bytes with a unit, such as `256MiB`"))
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => demo("127.0.0.1:8080".parse()?, Shutdown::default()),
        Some(Command::Demo { listen, shutdown }) => demo(listen, shutdown.shutdown()),
        Some(Command::Serve {
            listen,
            paths,
            watch,
            config,
            max_body_bytes,
            answer_memory,
            shutdown,
        }) => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from("mappings")]
            } else {
                paths
            };
            serve(
                listen,
                paths,
                watch,
                config,
                ServerConfig {
                    max_body_bytes,
                    answer_memory,
                    ..ServerConfig::default()
                },
                shutdown.shutdown(),
            )
        }
        Some(Command::Check { paths, config }) => check(&paths, config.as_deref()),
        Some(Command::Openapi {
            paths,
            server,
            config,
        }) => openapi(&paths, server.as_deref(), config.as_deref()),
        Some(Command::GraphqlSchema { paths, all, config }) => {
            graphql_schema(&paths, all, config.as_deref())
        }
        Some(Command::Inspect { wsdl, json }) => inspect(&wsdl, json),
        Some(Command::Mock {
            wsdl,
            listen,
            responses,
        }) => mock(&wsdl, listen, responses),
        Some(Command::Generate(cmd)) => crate::generate::run(&cmd),
    }
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("error: {d}");
    }
    eprintln!(
        "{} error{} found; nothing was started.",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    );
}

fn log_notes(m: &Mappings) {
    for n in &m.notes {
        tracing::info!(note = %n, "Contract note.");
    }
}

fn check(paths: &[PathBuf], config: Option<&Path>) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let loaded = gateway_config(config).and_then(|(gw, opts)| {
        let m = mapping::load(paths, opts)?;
        // JWKS files are read now; URLs are not fetched (`check` stays offline).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| vec![Diagnostic::new(Path::new("-"), None, e.to_string())])?;
        rt.block_on(gw.start_offline()).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| Diagnostic::new(config.unwrap_or(Path::new("-")), None, e))
                .collect::<Vec<_>>()
        })?;
        Ok(m)
    });
    // Written with `writeln!`, not `println!`: `check ... | head` closes the pipe early,
    // which must end the output, not panic.
    let mut out = std::io::stdout().lock();
    match loaded {
        Ok(m) => {
            let (routes, backends) = (&m.routes, m.backends.len());
            for n in &m.notes {
                let _ = writeln!(out, "note: {n}");
            }
            let _ = writeln!(
                out,
                "ok: {} route{} from {} backend{}",
                routes.len(),
                if routes.len() == 1 { "" } else { "s" },
                backends,
                if backends == 1 { "" } else { "s" },
            );
            for r in routes {
                let _ = writeln!(out, "  {} {} -> {}", r.method, r.path, r.operation().name);
            }
            for b in &m.backends {
                ws_report(&mut out, b);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            let mut err = std::io::stderr().lock();
            for d in &diags {
                let _ = writeln!(err, "error: {d}");
            }
            let _ = writeln!(
                err,
                "{} error{}",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What a backend's WS-* settings make each request carry, against what its contract asks.
fn ws_report(out: &mut impl std::io::Write, b: &mapping::Backend) {
    let name = &b.name;
    let said = b.binding().addressing.as_ref();
    let addressing = match (b.addressing, said) {
        (Some(v), Some(a)) => Some(format!(
            "WS-Addressing {} headers on every request ({} by {})",
            v.name(),
            if a.required { "required" } else { "offered" },
            a.source
        )),
        (Some(v), None) => Some(format!(
            "WS-Addressing {} headers on every request (the mapping asks)",
            v.name()
        )),
        (None, Some(a)) => Some(format!(
            "the contract offers WS-Addressing ({}); not sent (`addressing: off`)",
            a.source
        )),
        (None, None) => None,
    };
    let mtom = b.mtom_threshold.map(|t| {
        format!("asks for MTOM answers; sends binaries of {t} bytes (base64) or more as MTOM parts")
    });
    let mut sent: Vec<String> = Vec::new();
    if b.ws_security.is_some() {
        sent.push("a UsernameToken".into());
    }
    if let Some(s) = &b.signature {
        sent.push(format!(
            "an X.509 signature ({:?}, certificate of {} serial {})",
            s.algorithm, s.credentials.certificate.issuer, s.credentials.certificate.serial
        ));
    }
    let verify = b.verify_answers.as_ref().map(|v| {
        format!(
            "answers must be signed by a trusted CA (clock skew {:?})",
            v.max_clock_skew
        )
    });
    let sp = &b.binding().security_policy;
    let security = (!sp.is_empty() || !sent.is_empty()).then(|| {
        let what = if sent.is_empty() {
            "nothing is configured for it (ws_security)".to_owned()
        } else {
            format!("requests carry {} (ws_security)", sent.join(" and "))
        };
        if sp.is_empty() {
            what
        } else {
            format!(
                "the contract's WS-SecurityPolicy names {}; {what}",
                sp.join(", ")
            )
        }
    });
    for line in [addressing, mtom, security, verify].into_iter().flatten() {
        let _ = writeln!(out, "backend {name}: {line}");
    }
}

fn inspect(location: &str, json: bool) -> anyhow::Result<ExitCode> {
    let w = wsdl::load_path(location).map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&crate::inspect::to_json(&w))?
        );
    } else {
        print!("{}", crate::inspect::to_text(&w));
    }
    Ok(ExitCode::SUCCESS)
}

fn mock(
    location: &str,
    listen: SocketAddr,
    responses: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let w = Arc::new(wsdl::load_path(location).map_err(|e| anyhow::anyhow!("{e}"))?);
    let ops: usize = w.bindings.iter().map(|b| b.operations.len()).sum();
    let paths = crate::mock::endpoint_paths(&w);
    actix_web::rt::System::new().block_on(async move {
        let (addr, server) = crate::mock::start(w, listen, crate::mock::MockOptions { responses })
            .with_context(|| format!("cannot listen on {listen}"))?;
        tracing::info!(%addr, operations = ops, "Mock SOAP backend listening.");
        let shown = if paths.is_empty() {
            vec!["/".to_owned()]
        } else {
            paths
        };
        for p in shown {
            println!("mock SOAP backend: http://{addr}{p} ({ops} operations)");
        }
        server.await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The gateway configuration (none: an empty one) and what the mapping compiler needs of it.
fn gateway_config(
    path: Option<&Path>,
) -> Result<(Arc<Gateway>, mapping::Options), Vec<Diagnostic>> {
    let Some(path) = path else {
        return Ok((Arc::new(Gateway::default()), mapping::Options::default()));
    };
    let gw = crate::config::load(path)?;
    let opts = mapping::Options {
        policies: Some(gw.mapping_policies()),
        ..mapping::Options::default()
    };
    Ok((Arc::new(gw), opts))
}

/// `soapbridge openapi`: the document of the mapping files under `paths` (default
/// `mappings/`), with the security of the gateway configuration when one is given.
fn openapi(
    paths: &[PathBuf],
    server: Option<&str>,
    config: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let paths = if paths.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        paths.to_vec()
    };
    let loaded =
        gateway_config(config).and_then(|(gw, opts)| Ok((mapping::load(&paths, opts)?, gw)));
    match loaded {
        Ok((m, gw)) => {
            let security = config.map(|_| gw.openapi_security());
            let doc = crate::openapi::spec_for_routes(&m.routes, server, security.as_ref());
            // A closed pipe (`| head`) ends the output; it is not an error.
            let _ = writeln!(
                std::io::stdout().lock(),
                "{}",
                serde_json::to_string_pretty(&doc)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            print_diagnostics(&diags);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `soapbridge graphql-schema`: the SDL of the routes the mapping files under `paths` (default
/// `mappings/`) serve on `/graphql`; with `all`, of every route.
fn graphql_schema(paths: &[PathBuf], all: bool, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let paths = if paths.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        paths.to_vec()
    };
    let loaded =
        gateway_config(config).and_then(|(gw, opts)| Ok((mapping::load(&paths, opts)?, gw)));
    let (m, gw) = match loaded {
        Ok(x) => x,
        Err(diags) => {
            print_diagnostics(&diags);
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut settings = gw.graphql.clone();
    settings.enabled |= all;
    match crate::graphql::build(&m.routes, &settings) {
        Ok(Some(face)) => {
            // A closed pipe (`| head`) ends the output; it is not an error.
            let _ = write!(std::io::stdout().lock(), "{}", face.sdl());
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            eprintln!(
                "error: no route is served on /graphql\n  hint: write `graphql: true` in a mapping file, set `graphql.enabled` in the gateway configuration, or pass --all"
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The gateway configuration and the mappings, compiled into a route table.
fn load_table(
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

fn serve(
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
        tracing::info!(%addr, routes, tls = tls.is_some(), "soapbridge listening.");
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
fn demo(listen: SocketAddr, shutdown: Shutdown) -> anyhow::Result<ExitCode> {
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
