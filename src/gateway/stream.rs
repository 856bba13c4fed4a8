//! Answers larger than the streaming threshold: decoded while they arrive, and sent on to
//! the caller as they are decoded.
//!
//! ```text
//! backend ──Rest::chunk (task)──> bytes channel ──> decoder (blocking thread):
//!    StreamSource ─ soap::stream_response_json ─ flush every finished 32 KiB of JSON
//!                                                 ──> JSON channel ──> JsonStream (the body)
//! ```
//!
//! Everything that can be known before the first byte of JSON is ready (a fault, HTML, not
//! XML, an invalid value early on) is still a problem, because [`start`] waits for that first
//! part. A problem after it (an invalid value further on, a connection cut, a pause longer
//! than the backend's timeout) can no longer change the status: the body ends with an error,
//! so the HTTP connection is broken off and the caller sees an incomplete transfer, never
//! a well-formed but truncated JSON. Each such abort is logged and counted
//! (`soapbridge_backend_answers_aborted_total`).
//!
//! Memory per streamed answer: the part read before streaming began (the threshold),
//! released as the decoder goes through it, plus a few pieces in each channel and the JSON
//! being written (about [`FLUSH_AT`] bytes). May import `soap`, `translate`, `mapping`,
//! `metrics`.

use std::io::Read;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes};
use prometheus_client::metrics::counter::Counter;
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot};

use super::answer::{decode_problem, fault_problem, refuse_early};
use super::problem::Problem;
use crate::mapping::Route;
use crate::metrics::BackendSeries;
use crate::soap::budget::Reservation;
use crate::soap::client::{RawResponse, Rest};
use crate::soap::{JsonResponse, stream_response_json};
use crate::translate::decode::FLUSH_AT;
use crate::translate::{DecodeError, Limits, Select};

/// Why a streamed answer's body ended early.
#[derive(Debug, thiserror::Error)]
#[error("the answer was broken off: {0}")]
pub struct Aborted(String);

/// The JSON text of a streamed answer, as the HTTP body reads it: the first part, then the
/// rest as the decoder finishes it; an error ends it early.
pub struct JsonStream {
    first: Option<Bytes>,
    rest: mpsc::Receiver<Result<Bytes, Aborted>>,
    /// The backend's connection slot, held until the caller has the whole answer.
    slot: Option<OwnedSemaphorePermit>,
}

impl std::fmt::Debug for JsonStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonStream").finish_non_exhaustive()
    }
}

impl JsonStream {
    /// Holds the backend's connection slot until the stream ends.
    pub fn hold(&mut self, slot: OwnedSemaphorePermit) {
        self.slot = Some(slot);
    }
}

impl futures_util::Stream for JsonStream {
    type Item = Result<Bytes, Aborted>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(first)));
        }
        let polled = self.rest.poll_recv(cx);
        if let Poll::Ready(None) = polled {
            self.slot = None;
        }
        polled
    }
}

/// What the decoder thread reports before the first byte is sent.
enum First {
    /// The whole JSON was decoded before a part was flushed.
    Whole(Vec<u8>),
    /// The first part; the rest follows on the channel.
    Part(Bytes),
    Fault(Box<crate::soap::Fault>),
    Failed(Failure),
}

/// An answer that could not be decoded.
enum Failure {
    Decode(DecodeError),
    /// The backend's connection broke, paused too long or went over `max_response_size`.
    Cut(crate::soap::client::CallError),
}

/// What a streamed answer gives the pipeline: its whole JSON when it was short after all, or
/// the stream.
pub enum Streamed {
    Whole(Vec<u8>),
    Stream(JsonStream),
}

/// Reads an answer whose first part is `raw.body` and whose rest is still arriving: waits
/// until the first part of its JSON is ready (or the answer is known to be a fault or
/// broken), then hands back the stream.
pub async fn start(
    route: &Arc<Route>,
    mut raw: RawResponse,
    limits: Limits,
    series: &BackendSeries,
    request_id: &str,
    sent: Option<&str>,
) -> Result<Streamed, Problem> {
    let status = raw.status;
    let Some(rest) = raw.rest.take() else {
        return Err(Problem::backend_unavailable(
            "the answer has no rest to stream",
        ));
    };
    refuse_early(status, raw.content_type.as_deref(), &raw.body)?;
    series.answers_streamed.inc();
    let abort = |reason| series.aborted(reason).clone();
    let counters = Counters {
        invalid: abort("invalid"),
        cut: abort("cut"),
        client_gone: abort("client_gone"),
    };
    // The rest of the answer, piece by piece; the task ends when the decoder stops reading.
    let (bytes_tx, bytes_rx) = mpsc::channel::<Result<Bytes, Failure>>(8);
    tokio::spawn(feed(rest, bytes_tx));
    let (first_tx, first_rx) = oneshot::channel::<First>();
    let (json_tx, json_rx) = mpsc::channel::<Result<Bytes, Aborted>>(4);
    let thread_route = route.clone();
    let head = std::mem::take(&mut raw.body);
    let reservation = std::mem::replace(&mut raw.reservation, Reservation::none());
    let span = tracing::Span::current();
    let request_id = request_id.to_owned();
    let sent = sent.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let _span = span.enter();
        decode(
            &thread_route,
            head,
            bytes_rx,
            limits,
            first_tx,
            json_tx,
            &counters,
            &request_id,
            sent.as_deref(),
        );
        drop(reservation);
    });
    match first_rx.await {
        Ok(First::Whole(json)) => Ok(Streamed::Whole(json)),
        Ok(First::Part(part)) => Ok(Streamed::Stream(JsonStream {
            first: Some(part),
            rest: json_rx,
            slot: None,
        })),
        Ok(First::Fault(f)) => Err(fault_problem(route, &f, status)),
        Ok(First::Failed(Failure::Decode(e))) => Err(decode_problem(status, e)),
        Ok(First::Failed(Failure::Cut(e))) => {
            Err(Problem::backend_unavailable(e.summary(&route.backend.name)).cause(e.to_string()))
        }
        Err(_) => Err(Problem::backend_unavailable(
            "the answer's decoder stopped without a word",
        )),
    }
}

/// Aborts counted by reason, for one backend.
struct Counters {
    invalid: Counter,
    cut: Counter,
    client_gone: Counter,
}

/// Moves the rest of the answer into the decoder's channel until it ends, fails, or the
/// decoder stops reading.
async fn feed(mut rest: Rest, tx: mpsc::Sender<Result<Bytes, Failure>>) {
    loop {
        let piece = match rest.chunk().await {
            Ok(Some(chunk)) => Ok(chunk),
            Ok(None) => return,
            Err(e) => Err(Failure::Cut(e)),
        };
        let failed = piece.is_err();
        if tx.send(piece).await.is_err() || failed {
            return;
        }
    }
}

/// The answer's bytes as `Read`: the part already read, then the pieces as they arrive. A
/// broken connection is kept aside (for the log and the abort's reason) and read as an I/O
/// error.
struct Pieces {
    current: Bytes,
    rx: mpsc::Receiver<Result<Bytes, Failure>>,
    cut: Arc<Mutex<Option<crate::soap::client::CallError>>>,
}

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                Some(Err(Failure::Cut(e))) => {
                    let text = e.to_string();
                    if let Ok(mut slot) = self.cut.lock() {
                        *slot = Some(e);
                    }
                    return Err(std::io::Error::other(text));
                }
                Some(Err(Failure::Decode(e))) => return Err(std::io::Error::other(e.to_string())),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current.advance(n);
        Ok(n)
    }
}

/// Decodes the answer on this (blocking) thread: the first part, fault or failure goes to
/// `first`; every later part, and a late failure as an error, to `json`.
#[allow(clippy::too_many_arguments)]
fn decode(
    route: &Route,
    head: Bytes,
    rx: mpsc::Receiver<Result<Bytes, Failure>>,
    limits: Limits,
    first: oneshot::Sender<First>,
    json: mpsc::Sender<Result<Bytes, Aborted>>,
    counters: &Counters,
    request_id: &str,
    sent: Option<&str>,
) {
    let cut = Arc::new(Mutex::new(None));
    let input = std::io::BufReader::with_capacity(
        64 * 1024,
        Pieces {
            current: head,
            rx,
            cut: cut.clone(),
        },
    );
    // The first flushed part goes to `first`, the others to `json`; a send that fails means
    // the caller left.
    let first = Arc::new(Mutex::new(Some(first)));
    let gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flush = {
        let first = first.clone();
        let json = json.clone();
        let gone = gone.clone();
        Box::new(move |out: &mut Vec<u8>| {
            let part = Bytes::from(std::mem::replace(out, Vec::with_capacity(2 * FLUSH_AT)));
            let waiting = first.lock().ok().and_then(|mut f| f.take());
            let sent = match waiting {
                Some(tx) => tx.send(First::Part(part)).is_ok(),
                None => json.blocking_send(Ok(part)).is_ok(),
            };
            if sent {
                Ok(())
            } else {
                gone.store(true, std::sync::atomic::Ordering::Relaxed);
                Err(DecodeError::Structure("the caller left".into()))
            }
        })
    };
    let sel = Select {
        path: &route.response.path,
        repeated: route.response.repeated,
    };
    let mut out = Vec::with_capacity(2 * FLUSH_AT);
    let result = stream_response_json(
        &route.backend.wsdl.schema,
        route.operation(),
        input,
        limits,
        sel,
        &mut out,
        flush,
        FLUSH_AT,
    )
    .and_then(|r| match (&r, sent) {
        // The answer must relate to the request (WS-Addressing), known only once read.
        (JsonResponse::Ok { relates_to, .. }, Some(id)) => {
            match crate::soap::addressing::check_relates_to(id, relates_to.as_deref()) {
                Some(why) => Err(DecodeError::Structure(why)),
                None => Ok(r),
            }
        }
        _ => Ok(r),
    });
    let waiting = first.lock().ok().and_then(|mut f| f.take());
    let cut = cut.lock().ok().and_then(|mut c| c.take());
    match waiting {
        // Nothing was sent yet: the pipeline turns this into the answer or a problem.
        Some(tx) => {
            let report = match (result, cut) {
                (_, Some(e)) => First::Failed(Failure::Cut(e)),
                (Ok(JsonResponse::Ok { .. }), None) => First::Whole(out),
                (Ok(JsonResponse::Fault(f)), None) => First::Fault(f),
                (Err(e), None) => First::Failed(Failure::Decode(e)),
            };
            let _ = tx.send(report);
        }
        // The caller has the first part: the rest, or an error that breaks the transfer off.
        None => {
            let failure = match (result, cut) {
                (_, Some(e)) => Some(("cut", e.to_string())),
                (_, None) if gone.load(std::sync::atomic::Ordering::Relaxed) => {
                    Some(("client_gone", "the caller left".to_owned()))
                }
                (Ok(JsonResponse::Ok { .. }), None) => None,
                (Ok(JsonResponse::Fault(_)), None) => Some((
                    "invalid",
                    "a fault arrived after the answer had begun".to_owned(),
                )),
                (Err(e), None) => Some(("invalid", e.to_string())),
            };
            match failure {
                None => {
                    if !out.is_empty() {
                        let _ = json.blocking_send(Ok(Bytes::from(out)));
                    }
                }
                Some((reason, why)) => {
                    let counter = match reason {
                        "cut" => &counters.cut,
                        "client_gone" => &counters.client_gone,
                        _ => &counters.invalid,
                    };
                    counter.inc();
                    if reason == "client_gone" {
                        tracing::info!(
                            request_id,
                            reason,
                            "The caller left while the answer streamed."
                        );
                    } else {
                        tracing::warn!(
                            request_id,
                            reason,
                            error = %why,
                            "A streamed answer failed after its first byte; the transfer is broken off."
                        );
                    }
                    let _ = json.blocking_send(Err(Aborted(why)));
                }
            }
        }
    }
}
