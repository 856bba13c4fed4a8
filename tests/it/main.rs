//! Integration tests: one binary, one module per area. They start the real server and real
//! HTTP SOAP backends on 127.0.0.1 (ephemeral ports).

// Edge security: API keys and policies from a gateway configuration, 401/403, no key in logs.
// WS-Addressing: what a contract says, what a mapping may say, the headers sent.
mod addressing;
mod auth;
mod backend;
// TLS to backends: a private CA and client certificates, against a mutual-TLS backend.
mod backend_tls;
mod bridge;
// `soapbridge check` as a tool: stderr, located errors, closed pipes.
mod check;
// Answers checked against the contract: required elements, wrappers, namespaces; `lenient`.
mod contract;
// gzip/deflate from backends and to callers.
mod compression;
mod corpus;
// The deployment files (Dockerfile, deploy/) against what the real binary serves and accepts.
mod deploy;
// Inputs the fuzz targets found, each pinned by the test named after what it caught.
mod fuzz_regressions;
mod generate;
// The GraphQL face: values as REST, partial results, limits, the SDL, an independent client.
mod graphql;
// Bearer tokens against a live JWKS endpoint, rate limits and CORS on the same routes.
mod jwt;
// HTTPS on the listener: TLS versions, ALPN, mutual TLS, certificates rotated on disk.
mod listener_tls;
mod mock;
// MTOM/XOP answers JAX-WS RI sent, replayed: binary parts read as base64.
mod mtom;
// OpenAPI 3.1: the document validates and its schemas fit the JSON the bridge sends.
mod openapi;
// The circuit breaker, retries and the bulkhead against failing loopback backends.
// What callers may send: HEAD, /docs/, duplicate keys, characters XML cannot carry.
mod requests;
mod resilience;
// examples/secured: its tokens, its check, and its README's curl lines against serve.sh.
mod secured;
mod serve;
// Answers past the streaming threshold, aborts after the first byte, the memory budget.
mod streaming;
// SIGTERM: unready at once, a grace for new connections, every request in flight finished.
mod shutdown;
// WS-Security X.509 signatures on envelopes, verified by xmlsec1; a changed Body fails.
mod signature;
mod styles;
// OpenTelemetry: OTLP/HTTP to a real receiver; the W3C trace context crosses the bridge.
mod support;
mod traces;
// WS-Security X.509 through the gateway: signed requests, checked answers, MTOM requests.
mod wssec;

// Real SOAP stacks (PHP SoapServer, Spyne, SOAP::Lite) behind the bridge; run by
// scripts/interop.sh, which starts them and passes their URLs.
mod interop;
