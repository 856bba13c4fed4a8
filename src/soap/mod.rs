//! SOAP: envelopes (1.1, 1.2), faults, WS-Security, WS-Addressing, MTOM answers and the
//! backend client.
//!
//! ```text
//! JSON ─build_request─> envelope text ─client::call─> HTTP POST ─> bytes ─parse_response─> Response | Fault
//! ```
//!
//! May import `wsdl`, `translate`, `net`, `tls`, `xmlutil`; never `mapping`, `gateway` or a
//! face.

pub mod addressing;
pub mod budget;
pub mod client;
pub mod envelope;
pub mod fault;
pub mod mtom;
pub mod security;
pub mod signature;

pub use envelope::{
    JsonResponse, Response, build_fault, build_message, build_request, parse_request,
    parse_response, parse_response_json, peek_body, stream_response_json,
};
pub use fault::{Fault, FaultClass};

#[cfg(test)]
mod tests;
