//! Edge policies: who may call what (authentication, authorization, limits), decided
//! before a call enters the pipeline, the same for every face.
//!
//! ```text
//! face: credentials (headers, query, client certificate)
//!   ──policy::Policy::admit──> Identity (the caller, for templates, logs, metrics)
//!                           └─> Denied: 401 + WWW-Authenticate | 403
//! ```
//!
//! Policies are compiled from the gateway configuration (`config`) at start-up; the request
//! path only reads them. May import `gateway` (the identity and problem types); `jwt` (bearer
//! tokens against an issuer's JWKS) imports only `tls` and `net`.

pub mod apikey;
pub mod jwt;
pub mod policy;

pub use policy::{Credentials, Denied, Policy, Provider};
