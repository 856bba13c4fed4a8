//! The verifier against real tokens (RS256, ES256, hand-signed) and a real JWKS endpoint on
//! 127.0.0.1: each way a token can be wrong, scopes, the cache, and what `Debug` shows.
//! `rotation` covers key changes, refreshes and start-up; `support` builds the parts.

mod rotation;
mod support;

use serde_json::json;

use super::*;
use support::*;

/// A verifier for RS256 + ES256 over HTTP, with the server (keep it alive).
async fn verifier_with(settings_edit: impl FnOnce(&mut JwtSettings)) -> (JwtVerifier, JwksServer) {
    let server = JwksServer::start(jwks(&[RSA_A.jwk(), EC_A.jwk()]), "max-age=3600").await;
    let mut s = settings(server.source(), &[Algorithm::RS256, Algorithm::ES256]);
    settings_edit(&mut s);
    let verifier = JwtVerifier::new(s).await.expect("verifier starts");
    (verifier, server)
}

async fn verifier() -> (JwtVerifier, JwksServer) {
    verifier_with(|_| {}).await
}

async fn refused(v: &JwtVerifier, token: &str) -> JwtError {
    let err = v
        .verify(token)
        .await
        .expect_err("the token must be refused");
    assert_eq!(
        err.code(),
        if token.is_empty() {
            None
        } else {
            Some(ErrorCode::InvalidToken)
        }
    );
    err
}

fn with(mut claims: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    claims[key] = value;
    claims
}

fn without(mut claims: serde_json::Value, key: &str) -> serde_json::Value {
    claims.as_object_mut().expect("object").remove(key);
    claims
}

#[tokio::test]
async fn good_rs256_token_verifies_with_subject_scopes_and_expiry() {
    let (v, server) = verifier().await;
    let claims = good_claims();
    let verified = v.verify(&RSA_A.sign(&claims)).await.expect("valid token");
    assert_eq!(verified.subject.as_deref(), Some("user-42"));
    assert_eq!(verified.scopes, ["orders:read", "customers:write"]);
    let exp = claims["exp"].as_u64().expect("exp");
    assert_eq!(
        verified.expires,
        Some(UNIX_EPOCH + Duration::from_secs(exp))
    );
    assert_eq!(verified.claims.get("iss"), Some(&json!(ISSUER)));
    assert_eq!(server.hits(), 1, "one fetch at start-up");
}

#[tokio::test]
async fn good_es256_token_verifies() {
    let (v, _server) = verifier().await;
    let verified = v
        .verify(&EC_A.sign(&good_claims()))
        .await
        .expect("valid ES256 token");
    assert_eq!(verified.subject.as_deref(), Some("user-42"));
}

#[tokio::test]
async fn audience_may_be_an_array_naming_one_accepted_audience() {
    let (v, _server) = verifier().await;
    let claims = with(good_claims(), "aud", json!(["someone-else", "other-api"]));
    assert!(v.verify(&RSA_A.sign(&claims)).await.is_ok());
}

#[tokio::test]
async fn scopes_come_from_an_array_claim_when_configured() {
    let (v, _server) = verifier_with(|s| s.scope_claim = "roles".to_owned()).await;
    let claims = with(good_claims(), "roles", json!(["admin", "auditor"]));
    let verified = v.verify(&RSA_A.sign(&claims)).await.expect("valid token");
    assert_eq!(verified.scopes, ["admin", "auditor"]);

    let claims = with(good_claims(), "roles", json!(["admin", 7]));
    let err = refused(&v, &RSA_A.sign(&claims)).await;
    assert!(matches!(err.kind(), JwtErrorKind::Malformed(_)), "{err:?}");

    let verified = v
        .verify(&RSA_A.sign(&good_claims()))
        .await
        .expect("no roles claim");
    assert!(verified.scopes.is_empty());
}

#[tokio::test]
async fn no_token_gives_a_challenge_without_error_code() {
    let (v, _server) = verifier().await;
    let err = refused(&v, "").await;
    assert_eq!(err.kind(), &JwtErrorKind::Missing);
    assert_eq!(err.www_authenticate("api"), r#"Bearer realm="api""#);
    assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), Err(JwtError::missing()));
    assert_eq!(bearer_token("Bearer "), Err(JwtError::missing()));
    assert_eq!(bearer_token("bearer abc.def.ghi"), Ok("abc.def.ghi"));
    assert!(bearer_token("Bearer a.b.c d.e.f").is_err());
}

#[tokio::test]
async fn malformed_tokens_are_invalid_token() {
    let (v, _server) = verifier().await;
    let good = RSA_A.sign(&good_claims());
    let (input, _) = good.rsplit_once('.').expect("three parts");
    let long = "a".repeat(20_000);
    for token in [
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        input,
        &format!("{input}.not*base64"),
        long.as_str(),
    ] {
        let err = refused(&v, token).await;
        assert!(
            matches!(
                err.kind(),
                JwtErrorKind::Malformed(_) | JwtErrorKind::BadSignature
            ),
            "{token:.40}: {err:?}"
        );
    }
    // A known algorithm, but a header field of the wrong type.
    let odd = RSA_A.sign_with_header(&json!({"alg": "RS256", "kid": 5}), &good_claims());
    let err = refused(&v, &odd).await;
    assert_eq!(
        err.kind(),
        &JwtErrorKind::Malformed("its header has a field of the wrong type")
    );
    // An algorithm no one knows.
    let strange =
        RSA_A.sign_with_header(&json!({"alg": "XS999", "kid": RSA_A.kid}), &good_claims());
    let err = refused(&v, &strange).await;
    assert!(
        matches!(err.kind(), JwtErrorKind::DisallowedAlgorithm(_)),
        "{err:?}"
    );
    // Correctly signed, but the claims are not a JSON object.
    let header = json!({"alg": "RS256", "kid": RSA_A.kid}).to_string();
    let not_json = RSA_A.sign_input(&format!("{}.{}", b64(header.as_bytes()), b64(b"[1,2")));
    assert!(matches!(
        refused(&v, &not_json).await.kind(),
        JwtErrorKind::Malformed(_)
    ));
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused_beyond_the_leeway() {
    let (v, _server) = verifier().await;
    let expired = with(good_claims(), "exp", json!(now() - 3600));
    assert_eq!(
        refused(&v, &RSA_A.sign(&expired)).await.kind(),
        &JwtErrorKind::Expired
    );
    let early = with(good_claims(), "nbf", json!(now() + 3600));
    assert_eq!(
        refused(&v, &RSA_A.sign(&early)).await.kind(),
        &JwtErrorKind::NotYetValid
    );
    // Within the 60 s leeway both are accepted.
    let skewed = with(
        with(good_claims(), "exp", json!(now() - 20)),
        "nbf",
        json!(now() + 20),
    );
    assert!(v.verify(&RSA_A.sign(&skewed)).await.is_ok());
}

#[tokio::test]
async fn wrong_issuer_and_wrong_audience_are_refused() {
    let (v, _server) = verifier().await;
    let claims = with(good_claims(), "iss", json!("https://evil.example.test/"));
    assert_eq!(
        refused(&v, &RSA_A.sign(&claims)).await.kind(),
        &JwtErrorKind::WrongIssuer
    );
    let claims = with(good_claims(), "aud", json!("another-service"));
    assert_eq!(
        refused(&v, &RSA_A.sign(&claims)).await.kind(),
        &JwtErrorKind::WrongAudience
    );
    // Absent iss or aud is not a way around the checks.
    let claims = without(good_claims(), "iss");
    let err = refused(&v, &RSA_A.sign(&claims)).await;
    assert_eq!(err.kind(), &JwtErrorKind::MissingClaim("iss".to_owned()));
    let claims = without(good_claims(), "aud");
    let err = refused(&v, &RSA_A.sign(&claims)).await;
    assert_eq!(err.kind(), &JwtErrorKind::MissingClaim("aud".to_owned()));
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (v, _server) = verifier().await;
    for alg in ["none", "None", "NONE"] {
        let input = signing_input(&json!({"alg": alg, "kid": RSA_A.kid}), &good_claims());
        let err = refused(&v, &format!("{input}.")).await;
        assert!(
            matches!(err.kind(), JwtErrorKind::DisallowedAlgorithm(_)),
            "{err:?}"
        );
        assert!(err.description().contains("none"), "{}", err.description());
    }
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let (v, _server) = verifier().await;
    for secret in [
        RSA_A.public_pem().into_bytes(),
        RSA_A.jwk().to_string().into_bytes(),
    ] {
        let token = sign_hs256(&secret, RSA_A.kid, &good_claims());
        let err = refused(&v, &token).await;
        assert!(
            matches!(err.kind(), JwtErrorKind::DisallowedAlgorithm(_)),
            "{err:?}"
        );
    }
    // An RS256 key named by an ES256 token: the key does not fit the algorithm.
    let input = signing_input(&json!({"alg": "ES256", "kid": RSA_A.kid}), &good_claims());
    let err = refused(&v, &format!("{input}.{}", b64(&[0; 64]))).await;
    assert!(
        matches!(err.kind(), JwtErrorKind::DisallowedAlgorithm(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_tampered_token_has_a_bad_signature() {
    let (v, _server) = verifier().await;
    let good = RSA_A.sign(&good_claims());
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged = b64(with(good_claims(), "sub", json!("admin"))
        .to_string()
        .as_bytes());
    parts[1] = &forged;
    let err = refused(&v, &parts.join(".")).await;
    assert_eq!(err.kind(), &JwtErrorKind::BadSignature);
    // Signed by a key that is not in the set, under a kid that is.
    let other = RSA_B.sign_with_header(&json!({"alg": "RS256", "kid": RSA_A.kid}), &good_claims());
    assert_eq!(
        refused(&v, &other).await.kind(),
        &JwtErrorKind::BadSignature
    );
}

#[tokio::test]
async fn an_unknown_kid_is_refused_after_one_refetch() {
    let (v, server) = verifier().await;
    let token = RSA_B.sign(&good_claims());
    assert_eq!(refused(&v, &token).await.kind(), &JwtErrorKind::UnknownKey);
    assert_eq!(server.hits(), 2, "start-up + one re-fetch");
    assert_eq!(refused(&v, &token).await.kind(), &JwtErrorKind::UnknownKey);
    assert_eq!(
        server.hits(),
        2,
        "no second re-fetch within min_refetch_interval"
    );
}

#[tokio::test]
async fn required_claims_must_be_present() {
    let (v, _server) = verifier_with(|s| {
        s.required_claims = vec!["exp".into(), "sub".into(), "tenant".into()];
    })
    .await;
    let claims = with(good_claims(), "tenant", json!("acme"));
    assert!(v.verify(&RSA_A.sign(&claims)).await.is_ok());
    let err = refused(&v, &RSA_A.sign(&good_claims())).await;
    assert_eq!(err.kind(), &JwtErrorKind::MissingClaim("tenant".to_owned()));
    assert!(err.description().contains("`tenant`"));
    let claims = without(with(good_claims(), "tenant", json!("acme")), "sub");
    let err = refused(&v, &RSA_A.sign(&claims)).await;
    assert_eq!(err.kind(), &JwtErrorKind::MissingClaim("sub".to_owned()));
    let claims = without(with(good_claims(), "tenant", json!("acme")), "exp");
    let err = refused(&v, &RSA_A.sign(&claims)).await;
    assert_eq!(err.kind(), &JwtErrorKind::MissingClaim("exp".to_owned()));
}

#[tokio::test]
async fn a_repeated_token_is_served_from_the_cache() {
    let (v, _server) = verifier().await;
    let token = RSA_A.sign(&good_claims());
    let first = v.verify(&token).await.expect("valid token");
    assert_eq!(v.cache.len(), 1);
    let again = v.verify(&token).await.expect("cached token");
    assert_eq!(first, again);
    assert_eq!(v.cache.len(), 1);
    // An entry of an older key set is void.
    let digest = cache::digest(&token);
    let generation = v.keys.keys.load().generation;
    assert!(
        v.cache
            .get(&digest, SystemTime::now(), generation)
            .is_some()
    );
    assert!(
        v.cache
            .get(&digest, SystemTime::now(), generation + 1)
            .is_none()
    );
    // And so is one past its exp.
    let later = SystemTime::now() + Duration::from_secs(3600);
    assert!(v.cache.get(&digest, later, generation).is_none());
}

#[tokio::test]
async fn errors_and_debug_output_never_contain_the_token() {
    let (v, _server) = verifier().await;
    let good = RSA_A.sign(&good_claims());
    v.verify(&good).await.expect("valid token");
    let shown = format!("{v:?}");
    assert!(shown.contains("rsa-a") && shown.contains(ISSUER), "{shown}");
    let signature = good.rsplit('.').next().expect("signature");
    assert!(
        !shown.contains(&good) && !shown.contains(signature),
        "{shown}"
    );

    let expired = RSA_A.sign(&with(good_claims(), "exp", json!(now() - 3600)));
    let hs = sign_hs256(RSA_A.public_pem().as_bytes(), RSA_A.kid, &good_claims());
    let unknown = RSA_B.sign(&good_claims());
    let wrong_iss = RSA_A.sign(&with(good_claims(), "iss", json!("x\"y")));
    for token in [expired, hs, unknown, wrong_iss, "a.b.c".to_owned()] {
        let err = refused(&v, &token).await;
        let challenge = err.www_authenticate("soapbridge");
        for text in [format!("{err:?}"), err.to_string(), challenge.clone()] {
            for part in token.split('.').filter(|p| p.len() > 2) {
                assert!(!text.contains(part), "{text} shows a part of the token");
            }
        }
        assert!(challenge.starts_with(
            r#"Bearer realm="soapbridge", error="invalid_token", error_description=""#
        ));
        assert!(
            challenge.ends_with('"') && challenge.is_ascii(),
            "{challenge}"
        );
    }
}

#[test]
fn www_authenticate_escapes_the_realm() {
    let err = JwtError::new(JwtErrorKind::Expired);
    assert_eq!(
        err.www_authenticate("my \"api\"\n"),
        r#"Bearer realm="my \"api\"?", error="invalid_token", error_description="the token has expired""#
    );
    assert_eq!(err.http_status(), 401);
}
