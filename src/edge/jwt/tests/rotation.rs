//! Keys that change while the verifier runs (unknown-kid re-fetch and its rate limit, the
//! background refresh on `Cache-Control: max-age`, removed keys voiding cached tokens),
//! key sets from a file, and start-up errors that say what to fix.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

use super::super::*;
use super::support::*;

#[tokio::test]
async fn a_new_kid_verifies_after_one_refetch_and_a_second_unknown_kid_does_not_fetch() {
    let server = JwksServer::start(jwks(&[RSA_A.jwk()]), "max-age=3600").await;
    let v = JwtVerifier::new(settings(server.source(), &[Algorithm::RS256]))
        .await
        .expect("verifier starts");
    assert_eq!(server.hits(), 1);
    let old = RSA_A.sign(&good_claims());
    v.verify(&old).await.expect("key A verifies");

    // The provider rotates: B appears beside A.
    server.serve(jwks(&[RSA_A.jwk(), RSA_B.jwk()]));
    let verified = v
        .verify(&RSA_B.sign(&good_claims()))
        .await
        .expect("key B after re-fetch");
    assert_eq!(verified.subject.as_deref(), Some("user-42"));
    assert_eq!(server.hits(), 2, "exactly one re-fetch for the new kid");
    v.verify(&old).await.expect("key A still in the set");

    // Another unknown kid within min_refetch_interval: refused without a fetch.
    let stranger = RSA_B.sign_with_header(&json!({"alg": "RS256", "kid": "rsa-c"}), &good_claims());
    let err = v.verify(&stranger).await.expect_err("unknown kid");
    assert_eq!(err.kind(), &JwtErrorKind::UnknownKey);
    assert_eq!(server.hits(), 2, "the re-fetch is rate-limited");
}

#[tokio::test]
async fn a_removed_key_voids_its_cached_tokens() {
    let server = JwksServer::start(jwks(&[RSA_A.jwk()]), "max-age=3600").await;
    let v = JwtVerifier::new(settings(server.source(), &[Algorithm::RS256]))
        .await
        .expect("verifier starts");
    let old = RSA_A.sign(&good_claims());
    v.verify(&old).await.expect("key A verifies");
    assert_eq!(v.cache.len(), 1);

    server.serve(jwks(&[RSA_B.jwk()]));
    v.verify(&RSA_B.sign(&good_claims()))
        .await
        .expect("key B after re-fetch");
    let err = v.verify(&old).await.expect_err("key A is gone");
    assert_eq!(err.kind(), &JwtErrorKind::UnknownKey);
}

#[tokio::test]
async fn a_url_is_refreshed_in_the_background_on_its_max_age() {
    // refresh is an hour; only max-age=1 (raised to min_refetch_interval = 1 s) can make
    // a second fetch happen within the wait below.
    let server = JwksServer::start(jwks(&[RSA_A.jwk()]), "public, max-age=1").await;
    let mut s = settings(server.source(), &[Algorithm::RS256]);
    s.min_refetch_interval = Duration::from_secs(1);
    let v = JwtVerifier::new(s).await.expect("verifier starts");
    server.serve(jwks(&[RSA_A.jwk(), RSA_B.jwk()]));
    let deadline = Instant::now() + Duration::from_secs(20);
    while v.keys.keys.load().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(v.keys.keys.load().kids(), ["rsa-a", "rsa-b"]);
    assert!(server.hits() >= 2);
    drop(v);
}

#[test]
fn cache_control_gives_the_freshness() {
    assert_eq!(
        fetch::max_age("public, max-age=300"),
        Some(Duration::from_secs(300))
    );
    assert_eq!(
        fetch::max_age("Max-Age=\"60\", must-revalidate"),
        Some(Duration::from_secs(60))
    );
    assert_eq!(fetch::max_age("no-store"), Some(Duration::ZERO));
    assert_eq!(fetch::max_age("private"), None);
    assert_eq!(fetch::max_age("max-age=soon"), None);
}

#[tokio::test]
async fn a_jwks_file_is_read_and_read_again_for_an_unknown_kid() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(jwks(&[EC_A.jwk()]).as_bytes())
        .expect("write");
    let path = file.path().to_owned();
    let v = JwtVerifier::new(settings(
        JwksSource::File(path.clone()),
        &[Algorithm::ES256, Algorithm::RS256],
    ))
    .await
    .expect("verifier starts");
    v.verify(&EC_A.sign(&good_claims()))
        .await
        .expect("ES256 from the file");
    std::fs::write(&path, jwks(&[EC_A.jwk(), RSA_A.jwk()])).expect("rewrite");
    v.verify(&RSA_A.sign(&good_claims()))
        .await
        .expect("RS256 after re-reading");
}

#[tokio::test]
async fn start_up_fails_with_a_precise_message() {
    let missing = std::path::PathBuf::from("/nonexistent/keys/jwks.json");
    let err = JwtVerifier::new(settings(JwksSource::File(missing), &[Algorithm::RS256]))
        .await
        .expect_err("no file");
    assert!(err.contains("/nonexistent/keys/jwks.json"), "{err}");

    let server = JwksServer::start(jwks(&[RSA_A.jwk()]), "max-age=60").await;
    let mut url = server.url.clone();
    url.set_path("/missing.json");
    let err = JwtVerifier::new(settings(JwksSource::Url(url), &[Algorithm::RS256]))
        .await
        .expect_err("404");
    assert!(
        err.contains("HTTP 404") && err.contains("/missing.json"),
        "{err}"
    );

    // The set holds only an EC key, the issuer signs RS256.
    server.serve(jwks(&[EC_A.jwk()]));
    let err = JwtVerifier::new(settings(server.source(), &[Algorithm::RS256]))
        .await
        .expect_err("no usable key");
    assert!(
        err.contains("no key usable for RS256") && err.contains("ec-a"),
        "{err}"
    );

    server.serve(r#"{"issuer": "https://idp.example.test/"}"#.to_owned());
    let err = JwtVerifier::new(settings(server.source(), &[Algorithm::RS256]))
        .await
        .expect_err("not a JWKS");
    assert!(err.contains("no `keys` array"), "{err}");

    let closed = url::Url::parse("http://127.0.0.1:1/jwks.json").expect("url");
    let err = JwtVerifier::new(settings(JwksSource::Url(closed), &[Algorithm::RS256]))
        .await
        .expect_err("connection refused");
    assert!(
        err.contains("cannot fetch the key set from http://127.0.0.1:1/jwks.json"),
        "{err}"
    );
}

#[tokio::test]
async fn settings_mistakes_are_all_reported() {
    let url = url::Url::parse("http://idp.example.test/jwks").expect("url");
    let mut s = settings(JwksSource::Url(url), &[Algorithm::HS256, Algorithm::RS256]);
    s.issuer = String::new();
    s.audiences.clear();
    let err = JwtVerifier::new(s).await.expect_err("bad settings");
    for part in [
        "issuer: missing",
        "audiences: empty",
        "cannot be mixed",
        "plain http",
    ] {
        assert!(err.contains(part), "{part} not in {err}");
    }
    let err = JwtVerifier::new(JwtSettings::default())
        .await
        .expect_err("empty");
    assert!(
        err.contains("algorithms: empty") && err.contains("jwks: missing"),
        "{err}"
    );

    let secret = url::Url::parse("https://client:hunter2@idp.example.test/jwks").expect("url");
    let shown = format!(
        "{:?} {}",
        JwksSource::Url(secret.clone()),
        JwksSource::Url(secret)
    );
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[tokio::test]
async fn weak_and_non_signing_keys_are_skipped() {
    let mut enc = RSA_B.jwk();
    enc["use"] = json!("enc");
    let mut short = RSA_B.jwk();
    short["kid"] = json!("short");
    short["n"] = json!(b64(&[0xC5; 128]));
    let server = JwksServer::start(jwks(&[enc, short, RSA_A.jwk()]), "max-age=60").await;
    let v = JwtVerifier::new(settings(server.source(), &[Algorithm::RS256]))
        .await
        .expect("verifier starts with the one good key");
    assert_eq!(v.keys.keys.load().kids(), ["rsa-a"]);
}
