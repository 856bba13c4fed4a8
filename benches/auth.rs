//! Cost of verifying a bearer token (`edge::jwt::JwtVerifier::verify`) on one core.
//!
//! ```text
//! cached             a token seen before: SHA-256 + cache lookup + clone of the claims
//! first_seen_rs256   full check of an RS256 token (cache off): header, key lookup,
//!                    RSA-2048 signature, iss/aud/exp/nbf, scopes
//! first_seen_es256   the same for an ES256 (P-256) token
//! sha256_token       baseline: the digest alone
//! ```
//!
//! Targets: cached ≤ 5 µs, first_seen_rs256 ≤ 60 µs. Keys are generated at start; the
//! JWKS is a file, so nothing but the verifier runs. `verify` never waits here (the key is
//! known), so each call is polled once with `now_or_never`.

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use soapbridge::edge::jwt::{Algorithm, JwksSource, JwtSettings, JwtVerifier};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn claims() -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    json!({
        "iss": "https://idp.example.test/", "aud": "soapbridge", "sub": "user-42",
        "iat": now, "nbf": now - 10, "exp": now + 3600, "jti": "4f1c1a9e-bench",
        "scope": "orders:read orders:write customers:read",
        "email": "ada@example.test", "tenant": "acme",
    })
}

fn input(header: Value) -> String {
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims().to_string().as_bytes())
    )
}

struct Keys {
    jwks: String,
    rs256: String,
    es256: String,
}

fn keys() -> Keys {
    let rsa = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
    let signing = input(json!({"alg": "RS256", "typ": "JWT", "kid": "rsa"}));
    let mut sig = vec![0; rsa.public_modulus_len()];
    rsa.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signing.as_bytes(),
        &mut sig,
    )
    .expect("RSA signing");
    let rs256 = format!("{signing}.{}", b64(&sig));

    let ec = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key");
    let signing = input(json!({"alg": "ES256", "typ": "JWT", "kid": "ec"}));
    let sig = ec
        .sign(&SystemRandom::new(), signing.as_bytes())
        .expect("EC signing");
    let es256 = format!("{signing}.{}", b64(sig.as_ref()));

    let public = rsa.public_key();
    let point = ec.public_key().as_ref();
    let jwks = json!({"keys": [
        {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "rsa",
         "n": b64(public.modulus().big_endian_without_leading_zero()),
         "e": b64(public.exponent().big_endian_without_leading_zero())},
        {"kty": "EC", "crv": "P-256", "use": "sig", "kid": "ec",
         "x": b64(&point[1..33]), "y": b64(&point[33..])},
    ]})
    .to_string();
    Keys { jwks, rs256, es256 }
}

fn verifier(rt: &tokio::runtime::Runtime, path: &std::path::Path, cache: usize) -> JwtVerifier {
    let settings = JwtSettings {
        issuer: "https://idp.example.test/".to_owned(),
        audiences: vec!["soapbridge".to_owned()],
        algorithms: vec![Algorithm::RS256, Algorithm::ES256],
        jwks: JwksSource::File(path.to_owned()),
        cache_capacity: cache,
        ..JwtSettings::default()
    };
    rt.block_on(JwtVerifier::new(settings)).expect("verifier")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let keys = keys();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, &keys.jwks).expect("write JWKS");
    let cached = verifier(&rt, &path, 10_000);
    let uncached = verifier(&rt, &path, 0);
    let verify = |v: &JwtVerifier, token: &str| {
        v.verify(token)
            .now_or_never()
            .expect("verify does not wait for a known key")
            .expect("valid token")
    };
    verify(&cached, &keys.rs256);

    let mut group = c.benchmark_group("jwt");
    group.bench_function("cached", |b| {
        b.iter(|| verify(&cached, black_box(&keys.rs256)))
    });
    group.bench_function("first_seen_rs256", |b| {
        b.iter(|| verify(&uncached, black_box(&keys.rs256)))
    });
    group.bench_function("first_seen_es256", |b| {
        b.iter(|| verify(&uncached, black_box(&keys.es256)))
    });
    group.bench_function("sha256_token", |b| {
        b.iter(|| Sha256::digest(black_box(keys.rs256.as_bytes())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
