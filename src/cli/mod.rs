//! The command line: `serve`, `check`, `openapi`, `graphql-schema`, `inspect`, `mock`,
//! `generate`, and the embedded demo.
//!
//! With no command, soapbridge runs the demo: the example contract and mapping compiled into
//! the binary, served against a mock backend started in the same process.
//!
//! Here: the arguments, logging, and the commands that read and print (`openapi`,
//! `graphql-schema`, `inspect`, `mock`); `check` (mappings compiled offline, the WS-*
//! report) and `serve` (the listener, reloads, the demo) have modules of their own.
//!
//! May import anything: it is the top floor (only `main.rs` stands above it).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Gateway;
use crate::http::ServerConfig;
use crate::http::server::Shutdown;
use crate::mapping::{self, Diagnostic, Mappings};
use crate::wsdl;

mod check;
mod serve;

use check::check;
pub use serve::{FileStamp, demo_curls, fingerprint};
use serve::{demo, serve};

pub const DEMO_WSDL_PATH: &str = "wsdl/customers.wsdl";
pub const DEMO_WSDL: &str = include_str!("../../wsdl/customers.wsdl");
pub const DEMO_MAPPING_PATH: &str = "mappings/customers.yaml";
pub const DEMO_MAPPING: &str = include_str!("../../mappings/customers.yaml");

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
        /// Worker threads serving requests, each with its own connections to the backends
        /// (default: one per available CPU, within the container's CPU limit).
        #[arg(long, env = "SOAPBRIDGE_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
        workers: Option<u16>,
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
            workers,
            shutdown,
        }) => {
            if let Some(n) = workers {
                crate::soap::client::set_server_threads(n.into()).map_err(|fixed| {
                    anyhow::anyhow!("--workers {n}: the worker count was already fixed at {fixed}")
                })?;
            }
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
    let loaded = load_mappings(paths, config);
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

/// The mappings under `paths` (default `mappings/`) with the gateway configuration.
fn load_mappings(
    paths: &[PathBuf],
    config: Option<&Path>,
) -> Result<(Mappings, Arc<Gateway>), Vec<Diagnostic>> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        paths.to_vec()
    };
    gateway_config(config).and_then(|(gw, opts)| Ok((mapping::load(&paths, opts)?, gw)))
}

/// `soapbridge graphql-schema`: the SDL of the routes the mapping files under `paths` (default
/// `mappings/`) serve on `/graphql`; with `all`, of every route.
fn graphql_schema(paths: &[PathBuf], all: bool, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let loaded = load_mappings(paths, config);
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
