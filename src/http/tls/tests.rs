//! Unit tests of the TLS listener's file handling, on certificates rcgen makes in a temp dir.
//!
//! May import the TLS module's own items.

use std::path::Path;

use rustls::pki_types::PrivatePkcs8KeyDer;
use rustls::pki_types::pem::PemObject;
use x509_parser::der_parser::ber::BerObjectContent;

use super::{ClientAuth, TlsListener, TlsSettings};

/// Writes a self-signed `localhost` certificate and its PKCS#8 key; returns the key PEM.
fn write_pair(dir: &Path) -> String {
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    let cert = params.self_signed(&key).expect("cert");
    std::fs::write(dir.join("tls.crt"), cert.pem()).expect("write");
    std::fs::write(dir.join("tls.key"), key.serialize_pem()).expect("write");
    key.serialize_pem()
}

fn settings(dir: &Path) -> TlsSettings {
    TlsSettings::new(dir.join("tls.crt"), dir.join("tls.key"))
}

/// The privateKey OCTET STRING of a PKCS#8 PrivateKeyInfo: for an EC key, its SEC1 form.
fn sec1_inside(pkcs8: &[u8]) -> Vec<u8> {
    let (_, info) = x509_parser::der_parser::parse_der(pkcs8).expect("der");
    let BerObjectContent::Sequence(items) = info.content else {
        panic!("PrivateKeyInfo is a SEQUENCE")
    };
    match &items[2].content {
        BerObjectContent::OctetString(bytes) => bytes.to_vec(),
        other => panic!("privateKey is an OCTET STRING, not {other:?}"),
    }
}

#[test]
fn a_sec1_key_is_read_as_well_as_pkcs8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkcs8 = write_pair(dir.path());
    let der = PrivatePkcs8KeyDer::from_pem_slice(pkcs8.as_bytes()).expect("pkcs8");
    let sec1 = sec1_inside(der.secret_pkcs8_der());
    let pem = format!(
        "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sec1)
    );
    std::fs::write(dir.path().join("tls.key"), pem).expect("write");
    let listener = TlsListener::new(&settings(dir.path())).expect("a SEC1 key loads");
    assert_eq!(listener.status().reloads, 0);
}

#[test]
fn an_encrypted_key_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_pair(dir.path());
    std::fs::write(
        dir.path().join("tls.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .expect("write");
    let err = TlsListener::new(&settings(dir.path())).expect_err("encrypted");
    assert!(
        err.contains("is encrypted") && err.contains("tls.key"),
        "{err}"
    );
}

#[test]
fn a_client_ca_without_client_auth_is_a_mistake() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_pair(dir.path());
    let mut s = settings(dir.path());
    s.client_ca = Some(dir.path().join("tls.crt"));
    let err = TlsListener::new(&s).expect_err("ca without auth");
    assert!(err.contains("client authentication is off"), "{err}");
    s.client_auth = ClientAuth::Optional;
    TlsListener::new(&s).expect("with optional it is fine");
}

#[test]
fn nothing_changed_means_no_reload() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_pair(dir.path());
    let listener = TlsListener::new(&settings(dir.path())).expect("listener");
    assert_eq!(listener.reload_if_changed(), Ok(false));
    write_pair(dir.path());
    // Two writes can share a coarse mtime tick and a length; make the change plain.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    let cert = std::fs::File::options()
        .write(true)
        .open(dir.path().join("tls.crt"));
    cert.expect("open").set_modified(later).expect("touch");
    assert_eq!(listener.reload_if_changed(), Ok(true));
    assert_eq!(listener.status().reloads, 1);
}

#[test]
fn watch_outside_a_runtime_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_pair(dir.path());
    let listener = TlsListener::new(&settings(dir.path())).expect("listener");
    let err = listener.watch().expect_err("no runtime");
    assert!(err.contains("tokio runtime"), "{err}");
}

#[test]
fn debug_output_shows_paths_not_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = write_pair(dir.path());
    let listener = TlsListener::new(&settings(dir.path())).expect("listener");
    let debug = format!("{listener:?}");
    assert!(debug.contains("tls.key"), "{debug}");
    assert!(!debug.contains("PRIVATE"), "{debug}");
    let body_line = key.lines().nth(1).expect("a base64 line");
    assert!(!debug.contains(body_line), "{debug}");
}
