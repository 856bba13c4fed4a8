//! soapbridge: a REST/JSON face for SOAP backends.
//!
//! ```text
//! HTTP request ─> http (REST face) ─> gateway::Core::invoke ─> mapping::bind
//!                                        ─> translate::encode ─> gateway::call ─> soap::client
//! HTTP response <─ http (problem+json) <─ mapping::shape <─ translate::decode <─┘
//! ```
//!
//! `wsdl` turns contracts into a resolved schema model at start-up, `mapping` compiles the
//! mapping files against it; everything on the request path works on that immutable model.
//! Every face calls the same pipeline (`gateway`); docs/ARCHITECTURE.md draws the floors.

#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod edge;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod inspect;
pub mod mapping;
pub mod metrics;
pub mod mock;
pub mod net;
pub mod openapi;
#[cfg(test)]
mod proptests;
pub mod soap;
pub mod suggest;
pub mod telemetry;
pub mod tls;
pub mod translate;
pub mod wsdl;
pub mod xmlutil;
