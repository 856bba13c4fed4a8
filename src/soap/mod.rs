//! SOAP envelopes, faults and the backend client.

pub mod client;
