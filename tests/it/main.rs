//! Integration tests: one binary, one module per area. They start the real server and real
//! HTTP SOAP backends on 127.0.0.1 (ephemeral ports).

mod backend;
mod bridge;
mod corpus;
mod generate;
mod mock;
mod serve;
mod styles;
mod support;
