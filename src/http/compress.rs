//! Compressed answers for callers that accept them (`Accept-Encoding: gzip`), but only
//! above [`MIN_BYTES`]: below that, gzip's header and the CPU cost more than the bytes
//! saved. actix-web's `Compress` has no size threshold, and it leaves alone any answer that
//! already has a `Content-Encoding`; so small answers are marked `identity` before it and
//! unmarked after it (RFC 9110 keeps `identity` out of `Content-Encoding` on the wire).
//!
//! ```text
//! App.wrap(from_fn(mark_small)).wrap(Compress::default()).wrap(from_fn(unmark))
//! ```
//!
//! May import nothing from soapbridge.

use actix_web::Error;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_ENCODING, HeaderValue};
use actix_web::middleware::Next;

/// Answers shorter than this are sent as they are.
pub const MIN_BYTES: u64 = 1024;

/// Marks answers of a known size below [`MIN_BYTES`] so `Compress` passes them by.
pub async fn mark_small(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    if let BodySize::Sized(n) = res.response().body().size()
        && n < MIN_BYTES
        && !res.headers().contains_key(CONTENT_ENCODING)
    {
        res.headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("identity"));
    }
    Ok(res)
}

/// Removes the mark `mark_small` set.
pub async fn unmark(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    if res
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v == "identity")
    {
        res.headers_mut().remove(CONTENT_ENCODING);
    }
    Ok(res)
}
