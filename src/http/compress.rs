//! Compressed answers for callers that accept them (`Accept-Encoding: gzip` or `deflate`),
//! but only above [`MIN_BYTES`] (or streamed): below that, gzip's header and the CPU cost
//! more than the bytes saved.
//!
//! One middleware instead of actix-web's `Compress`, which has no size threshold and wraps
//! every answer, accepted encoding or not (its content type parsed, its body wrapped):
//! most callers of a JSON API send no `Accept-Encoding`, and their answers go through
//! untouched here. The negotiation (q-values, `identity;q=0`) is actix-web's
//! [`AcceptEncoding`], the encoding actix-http's [`Encoder`], as `Compress` uses them.
//!
//! May import the REST face's problem answers.

use actix_http::encoding::Encoder;
use actix_web::Error;
use actix_web::HttpMessage as _;
use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    ACCEPT_ENCODING, AcceptEncoding, CONTENT_ENCODING, CONTENT_TYPE, ContentEncoding, Encoding,
    HeaderValue, VARY,
};
use actix_web::middleware::Next;

use crate::gateway::Problem;

/// Answers shorter than this are sent as they are.
pub const MIN_BYTES: u64 = 1024;

/// The content codings this bridge can apply, `identity` first.
static SUPPORTED: &[Encoding] = &[Encoding::identity(), Encoding::gzip(), Encoding::deflate()];

/// Compresses a large answer with the coding the caller prefers.
pub async fn compress(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    let coding = if req.headers().contains_key(ACCEPT_ENCODING) {
        // A header that does not parse counts as absent, as with `Compress`.
        match req.get_header::<AcceptEncoding>() {
            None => ContentEncoding::Identity,
            Some(accepted) => match accepted.negotiate(SUPPORTED.iter()) {
                Some(Encoding::Known(coding)) => coding,
                Some(Encoding::Unknown(_)) => ContentEncoding::Identity,
                // `identity;q=0` and nothing else this bridge can send.
                None => return Ok(not_acceptable(req).map_into_right_body()),
            },
        }
    } else {
        ContentEncoding::Identity
    };
    let res = next.call(req).await?;
    if coding == ContentEncoding::Identity || !worth_compressing(&res) {
        return Ok(res.map_into_left_body());
    }
    Ok(res.map_body(|head, body| EitherBody::right(Encoder::response(coding, head, body).boxed())))
}

/// The problem answer to a caller that refuses every coding in [`SUPPORTED`].
fn not_acceptable(req: ServiceRequest) -> ServiceResponse {
    let accepted = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let offered: Vec<String> = SUPPORTED.iter().map(Encoding::to_string).collect();
    let rid = super::handler::request_id(req.request());
    let mut res = Problem::not_acceptable(accepted, &offered).response(req.path(), &rid);
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static("accept-encoding"));
    req.into_response(res)
}

/// A large or streamed answer, not encoded already, of a type that compresses (not an
/// image other than SVG, nor a video: the rule of actix-web's `Compress`).
fn worth_compressing<B: MessageBody>(res: &ServiceResponse<B>) -> bool {
    let large = match res.response().body().size() {
        BodySize::Sized(n) => n >= MIN_BYTES,
        BodySize::Stream => true,
        BodySize::None => false,
    };
    let compressible = match res.headers().get(CONTENT_TYPE).map(HeaderValue::as_bytes) {
        Some(t) if t.starts_with(b"image/") => t.starts_with(b"image/svg"),
        Some(t) => !t.starts_with(b"video/"),
        None => true,
    };
    large && compressible && !res.headers().contains_key(CONTENT_ENCODING)
}

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    fn big() -> String {
        "{\"name\":\"a customer\"}".repeat(100)
    }

    async fn get(
        path: &str,
        accept: Option<&str>,
    ) -> (u16, Option<String>, Option<String>, Vec<u8>) {
        let app = test::init_service(
            App::new()
                .route(
                    "/big",
                    web::get().to(|| async { HttpResponse::Ok().body(big()) }),
                )
                .route(
                    "/small",
                    web::get().to(|| async { HttpResponse::Ok().body("{}") }),
                )
                .route(
                    "/stream",
                    web::get().to(|| async {
                        let chunks = (0..3).map(|_| Ok::<_, Error>(web::Bytes::from(big())));
                        HttpResponse::Ok().streaming(futures_util::stream::iter(chunks))
                    }),
                )
                .route(
                    "/png",
                    web::get()
                        .to(|| async { HttpResponse::Ok().content_type("image/png").body(big()) }),
                )
                .route(
                    "/svg",
                    web::get().to(|| async {
                        HttpResponse::Ok().content_type("image/svg+xml").body(big())
                    }),
                )
                .wrap(actix_web::middleware::from_fn(compress)),
        )
        .await;
        let mut req = test::TestRequest::get().uri(path);
        if let Some(a) = accept {
            req = req.insert_header((ACCEPT_ENCODING, a));
        }
        let res = test::call_service(&app, req.to_request()).await;
        let header = |n| {
            res.headers()
                .get(n)
                .map(|v: &HeaderValue| v.to_str().unwrap_or("?").to_owned())
        };
        let (status, coding, vary) = (
            res.status().as_u16(),
            header(CONTENT_ENCODING),
            header(VARY),
        );
        (status, coding, vary, test::read_body(res).await.to_vec())
    }

    fn inflate(coding: &str, bytes: &[u8]) -> String {
        use std::io::Read as _;
        let mut text = String::new();
        match coding {
            "gzip" => flate2::read::GzDecoder::new(bytes).read_to_string(&mut text),
            "deflate" => flate2::read::ZlibDecoder::new(bytes).read_to_string(&mut text),
            other => panic!("unexpected coding {other}"),
        }
        .expect("decompresses");
        text
    }

    #[actix_web::test]
    async fn large_answers_take_the_coding_the_caller_prefers() {
        for (accept, want) in [
            ("gzip", "gzip"),
            ("deflate", "deflate"),
            ("gzip;q=0.5, deflate", "deflate"),
            ("br, gzip;q=0.1", "gzip"),
        ] {
            let (status, coding, vary, body) = get("/big", Some(accept)).await;
            assert_eq!(status, 200);
            assert_eq!(coding.as_deref(), Some(want), "{accept}");
            assert_eq!(vary.as_deref(), Some("accept-encoding"), "{accept}");
            assert_eq!(inflate(want, &body), big(), "{accept}");
        }
        let (_, coding, _, body) = get("/stream", Some("gzip")).await;
        assert_eq!(coding.as_deref(), Some("gzip"));
        assert_eq!(inflate("gzip", &body), big().repeat(3));
        let (_, coding, _, _) = get("/svg", Some("gzip")).await;
        assert_eq!(coding.as_deref(), Some("gzip"));
    }

    #[actix_web::test]
    async fn other_answers_go_as_they_are() {
        for (path, accept) in [
            ("/big", None),
            ("/big", Some("identity")),
            ("/big", Some("br")),
            ("/big", Some("gzip;q=0")),
            ("/big", Some("not a header;;q=x")),
            ("/small", Some("gzip")),
            ("/png", Some("gzip")),
        ] {
            let (status, coding, _, body) = get(path, accept).await;
            assert_eq!(status, 200, "{path} {accept:?}");
            assert_eq!(coding, None, "{path} {accept:?}");
            assert!(
                body.len() == 2 || body == big().as_bytes(),
                "{path} {accept:?}"
            );
        }
    }

    #[actix_web::test]
    async fn a_caller_that_refuses_every_coding_we_send_is_told_so() {
        let (status, coding, vary, body) = get("/big", Some("identity;q=0, br")).await;
        assert_eq!(status, 406);
        assert_eq!(coding, None);
        assert_eq!(vary.as_deref(), Some("accept-encoding"));
        assert!(String::from_utf8_lossy(&body).contains("gzip"));
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("problem+json");
        assert_eq!(problem["code"], "not-acceptable", "{problem}");
        assert_eq!(problem["status"], 406, "{problem}");
        assert_eq!(
            problem["offered"],
            serde_json::json!(["identity", "gzip", "deflate"])
        );
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("identity;q=0, br")),
            "{problem}"
        );
    }
}
