//! Edge policies: who may call what (authentication, authorization, limits), decided
//! before a call enters the pipeline, the same for every face.
//!
//! ```text
//! face: Origin + preflight? ──cors::CorsPolicy──> 204 + Access-Control-* | 403
//! face: credentials (headers, query, client certificate)
//!   ──policy::Policy::admit──> Identity (the caller, for templates, logs, metrics)
//!                           └─> Denied: 401 + WWW-Authenticate | 403
//!   ──limit::RateLimit::check (route, consumer)──> RateLimit-* headers | 429 + Retry-After
//! ```
//!
//! Policies are compiled from the gateway configuration (`config`) at start-up; the request
//! path only reads them. May import `gateway` (the identity and problem types); `jwt` (bearer
//! tokens against an issuer's JWKS) imports only `tls` and `net`.

pub mod apikey;
pub mod cors;
pub mod jwt;
pub mod limit;
pub mod policy;

pub use policy::{Credentials, Denied, JwtProvider, Policy, Provider};
