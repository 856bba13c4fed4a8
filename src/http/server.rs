//! The listener's life: bind, serve, and stop without losing a request.
//!
//! ```text
//! SIGTERM ──> /readyz answers 503 at once (load balancers stop sending)
//!         ──> `grace`: new connections are still accepted while they notice
//!         ──> stop accepting; requests in flight finish, up to `drain`
//!         ──> exit 0
//! SIGINT (Ctrl-C) skips the grace and drains.
//! ```
//!
//! May import the REST face's own modules.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::web;
use anyhow::Context as _;

use super::AppState;
use super::tls::TlsListener;

/// How the listener stops.
#[derive(Clone, Copy, Debug)]
pub struct Shutdown {
    /// After SIGTERM, how long new connections are still accepted.
    pub grace: Duration,
    /// How long requests in flight may take to finish once accepting stopped.
    pub drain: Duration,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(3),
            drain: Duration::from_secs(25),
        }
    }
}

/// The application one server worker runs: every route, and compression of large answers.
pub fn app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(state)
        .configure(super::configure)
        .wrap(actix_web::middleware::from_fn(super::compress::compress))
}

/// Binds `listen` and returns the address and the running server; SIGTERM and SIGINT stop
/// it as [`Shutdown`] says. Call inside an actix system.
pub async fn run_server(
    state: web::Data<AppState>,
    listen: SocketAddr,
    shutdown: Shutdown,
    tls: Option<&TlsListener>,
) -> anyhow::Result<(SocketAddr, actix_web::dev::Server)> {
    let app_state = state.clone();
    let server = actix_web::HttpServer::new(move || app(app_state.clone()))
        .workers(crate::soap::client::server_threads())
        .disable_signals()
        .shutdown_timeout(shutdown.drain.as_secs().max(1))
        .on_connect(super::tls::store_client_cert);
    let busy = || {
        format!("cannot listen on {listen} (is another process using it? choose one with --listen)")
    };
    let server = match tls {
        None => server.bind(listen).with_context(busy)?,
        Some(t) => {
            t.watch().map_err(|e| anyhow::anyhow!(e))?;
            server
                .bind_rustls_0_23(listen, t.server_config())
                .with_context(busy)?
        }
    };
    let addr = server.addrs().first().copied().unwrap_or(listen);
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let grace = match stop_signal().await {
            Signal::Term => shutdown.grace,
            Signal::Interrupt => Duration::ZERO,
        };
        state.draining.store(true, Ordering::SeqCst);
        tracing::info!(
            grace_ms = grace.as_millis() as u64,
            drain_s = shutdown.drain.as_secs(),
            "Shutting down: not ready any more; finishing requests in flight."
        );
        tokio::time::sleep(grace).await;
        handle.stop(true).await;
        tracing::info!("Stopped.");
    });
    Ok((addr, server))
}

enum Signal {
    Term,
    Interrupt,
}

#[cfg(unix)]
async fn stop_signal() -> Signal {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => tokio::select! {
            _ = term.recv() => Signal::Term,
            _ = int.recv() => Signal::Interrupt,
        },
        _ => {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}

#[cfg(not(unix))]
async fn stop_signal() -> Signal {
    let _ = tokio::signal::ctrl_c().await;
    Signal::Interrupt
}
