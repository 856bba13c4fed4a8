//! Test parts: signing keys generated at test time (aws-lc-rs), tokens signed by hand (so
//! the verifier is checked against independent signing code), and a real JWKS server on
//! 127.0.0.1 that counts its hits.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::super::{Algorithm, JwksSource, JwtSettings};

pub const ISSUER: &str = "https://idp.example.test/";
pub const AUDIENCE: &str = "soapbridge";

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An RSA-2048 signing key with its key id.
pub struct RsaKey {
    pub kid: &'static str,
    pair: RsaKeyPair,
}

impl RsaKey {
    fn generate(kid: &'static str) -> Self {
        Self {
            kid,
            pair: RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
        }
    }

    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// The public key as PEM text (what an attacker would use as an HMAC secret).
    pub fn public_pem(&self) -> String {
        let der = self.pair.public_key().as_der().expect("public key DER");
        let text = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(
            &json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}),
            claims,
        )
    }

    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        self.sign_input(&signing_input(header, claims))
    }

    /// Signs `input` (`header.payload`, already encoded) as it is.
    pub fn sign_input(&self, input: &str) -> String {
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .expect("RSA signing");
        format!("{input}.{}", b64(&sig))
    }
}

/// A P-256 signing key with its key id.
pub struct EcKey {
    pub kid: &'static str,
    pair: EcdsaKeyPair,
}

impl EcKey {
    fn generate(kid: &'static str) -> Self {
        let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
            .expect("EC key generation");
        Self { kid, pair }
    }

    pub fn jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        assert_eq!(point.len(), 65, "uncompressed P-256 point");
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "kid": self.kid,
            "x": b64(&point[1..33]), "y": b64(&point[33..]),
        })
    }

    pub fn sign(&self, claims: &Value) -> String {
        let input = signing_input(&json!({"alg": "ES256", "kid": self.kid}), claims);
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .expect("ECDSA signing");
        format!("{input}.{}", b64(sig.as_ref()))
    }
}

pub static RSA_A: LazyLock<RsaKey> = LazyLock::new(|| RsaKey::generate("rsa-a"));
pub static RSA_B: LazyLock<RsaKey> = LazyLock::new(|| RsaKey::generate("rsa-b"));
pub static EC_A: LazyLock<EcKey> = LazyLock::new(|| EcKey::generate("ec-a"));

pub fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// An HS256 token with `secret` as the HMAC key.
pub fn sign_hs256(secret: &[u8], kid: &str, claims: &Value) -> String {
    let input = signing_input(&json!({"alg": "HS256", "kid": kid}), claims);
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Claims of a token that should verify.
pub fn good_claims() -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-42",
        "iat": now(), "nbf": now() - 10, "exp": now() + 600,
        "scope": "orders:read customers:write",
    })
}

pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

pub fn settings(jwks: JwksSource, algorithms: &[Algorithm]) -> JwtSettings {
    JwtSettings {
        issuer: ISSUER.to_owned(),
        audiences: vec![AUDIENCE.to_owned(), "other-api".to_owned()],
        algorithms: algorithms.to_vec(),
        jwks,
        min_refetch_interval: Duration::from_secs(3600),
        refresh: Duration::from_secs(3600),
        ..JwtSettings::default()
    }
}

/// A JWKS endpoint on 127.0.0.1: serves `body` with `Cache-Control`, counts requests.
pub struct JwksServer {
    pub url: url::Url,
    hits: Arc<AtomicUsize>,
    body: Arc<Mutex<String>>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    pub async fn start(body: String, cache_control: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let hits = Arc::new(AtomicUsize::new(0));
        let body = Arc::new(Mutex::new(body));
        let (h, b) = (hits.clone(), body.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let (h, b) = (h.clone(), b.clone());
                tokio::spawn(async move {
                    let mut req = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 16 * 1024 {
                        match conn.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => req.extend_from_slice(&buf[..n]),
                        }
                    }
                    h.fetch_add(1, Ordering::SeqCst);
                    let (status, text) = if req.starts_with(b"GET /jwks.json ") {
                        ("200 OK", b.lock().expect("body lock").clone())
                    } else {
                        ("404 Not Found", "{}".to_owned())
                    };
                    let answer = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nCache-Control: {cache_control}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = conn.write_all(answer.as_bytes()).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        let url = url::Url::parse(&format!("http://{addr}/jwks.json")).expect("url");
        Self {
            url,
            hits,
            body,
            task,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn serve(&self, body: String) {
        *self.body.lock().expect("body lock") = body;
    }

    pub fn source(&self) -> JwksSource {
        JwksSource::Url(self.url.clone())
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
