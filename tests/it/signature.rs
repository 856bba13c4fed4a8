//! WS-Security X.509 signatures checked by an independent implementation: `xmlsec1`
//! (libxmlsec1 over OpenSSL) verifies every envelope `soap::signature::sign` signs, and
//! refuses one whose Body was changed after signing. Keys and certificates (a CA, RSA and
//! P-256 signers, PKCS#8, PKCS#1, SEC1 and PKCS#12 forms) are made by the `openssl` CLI at
//! test time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use soapbridge::soap::security::{SecurityHeader, WsSecurity};
use soapbridge::soap::signature::{
    self, Algorithm, KeySource, SignError, SignatureConfig, SignatureSettings, TokenReference,
    TrustStore, VerifyError,
};
use soapbridge::translate::XmlWriter;
use soapbridge::xmlutil::{SOAP11_ENV_NS, SOAP12_ENV_NS};

use crate::support::not_run;

const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const TX_NS: &str = "urn:example:tx";

/// Whether `xmlsec1` and `openssl` are here; says so loudly when not (a failure in CI).
pub(crate) fn tools_present() -> bool {
    for (tool, arg) in [("xmlsec1", "--version"), ("openssl", "version")] {
        if !Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
        {
            not_run(
                "WS-Security signatures against xmlsec1",
                &format!("`{tool}` is not installed"),
                "apt-get install -y --no-install-recommends xmlsec1 openssl",
            );
            return false;
        }
    }
    true
}

pub(crate) fn run(dir: &Path, program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

/// Runs `openssl` with the words of `cmd`, then `tail` (arguments with spaces).
fn openssl(dir: &Path, cmd: &str, tail: &[&str]) {
    let args: Vec<&str> = cmd.split_whitespace().chain(tail.iter().copied()).collect();
    let out = run(dir, "openssl", &args);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and two signers it issued (RSA 2048, P-256), in every form the loader reads, and
/// another CA of the same name.
struct Pki {
    dir: tempfile::TempDir,
}

const CA_SUBJECT: &str = "/O=soapbridge tests/CN=Signing Test CA";

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(
            d.join("leaf.ext"),
            "basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .expect("ext file");
        for ca in ["ca", "other-ca"] {
            let cmd = format!(
                "req -x509 -newkey rsa:2048 -nodes -keyout {ca}.key -out {ca}.pem -days 2 -subj"
            );
            openssl(d, &cmd, &[CA_SUBJECT]);
        }
        openssl(
            d,
            "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key",
            &[],
        );
        openssl(d, "pkey -in rsa.key -traditional -out rsa-pkcs1.key", &[]);
        openssl(
            d,
            "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key",
            &[],
        );
        openssl(d, "ec -in ec.key -out ec-sec1.key", &[]);
        for (name, serial) in [("rsa", "4660"), ("ec", "4661")] {
            let subject = format!("/O=soapbridge tests/CN={name} signer");
            openssl(
                d,
                &format!("req -new -key {name}.key -out {name}.csr -subj"),
                &[&subject],
            );
            openssl(
                d,
                &format!(
                    "x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -set_serial {serial} \
                     -days 1 -extfile leaf.ext -out {name}.pem"
                ),
                &[],
            );
        }
        openssl(
            d,
            "pkcs12 -export -inkey rsa.key -in rsa.pem -name signer -out rsa.p12 -passout",
            &["pass:s3cret p12"],
        );
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn settings(&self, key: &str, cert: &str) -> SignatureSettings {
        SignatureConfig {
            keys: KeySource::Pem {
                key: self.path(key),
                certificate: self.path(cert),
            },
            algorithm: None,
            token_reference: TokenReference::BinarySecurityToken,
            sign_headers: Vec::new(),
            timestamp_ttl: None,
            inclusive_prefixes: None,
        }
        .load()
        .unwrap_or_else(|e| panic!("{key} + {cert} load: {e}"))
    }

    /// Runs `xmlsec1 --verify` on `xml` with the signer's certificate; its exit status and
    /// output.
    fn xmlsec_verify(&self, xml: &str, cert: &str, extra_ids: &[&str]) -> (bool, String) {
        let file = self.path("signed.xml");
        std::fs::write(&file, xml).expect("write envelope");
        let mut args: Vec<String> =
            vec!["--verify".into(), "--pubkey-cert-pem".into(), cert.into()];
        let mut ids = vec![
            format!("{SOAP11_ENV_NS}:Body"),
            format!("{SOAP12_ENV_NS}:Body"),
            format!("{WSU}:Timestamp"),
        ];
        ids.extend(extra_ids.iter().map(|s| (*s).to_owned()));
        for id in ids {
            args.push("--id-attr:Id".into());
            args.push(id);
        }
        args.push("signed.xml".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(self.dir.path(), "xmlsec1", &args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// Signs and asserts xmlsec1 accepts it; then changes one character of the Body's text
    /// and asserts xmlsec1 refuses it.
    fn assert_verifies(&self, signed: &str, cert: &str, extra_ids: &[&str]) {
        let (ok, out) = self.xmlsec_verify(signed, cert, extra_ids);
        let n = signed.matches("<ds:Reference ").count();
        let all_refs = format!("SignedInfo References (ok/all): {n}/{n}");
        assert!(
            ok && out.starts_with("OK") && out.contains(&all_refs),
            "xmlsec1 refused:\n{out}\n{signed}"
        );
        let tampered = signed.replacen(">42<", ">43<", 1);
        assert_ne!(tampered, signed, "the Body holds the amount");
        let (ok, out) = self.xmlsec_verify(&tampered, cert, extra_ids);
        assert!(
            !ok && out.contains("FAIL"),
            "xmlsec1 accepted a changed Body:\n{out}"
        );
    }
}

/// An envelope as soapbridge writes it (the crate's XmlWriter), optionally with the
/// UsernameToken header and a transaction header block.
fn envelope(env_ns: &str, username: bool, tx_header: bool) -> String {
    let cfg = WsSecurity {
        username: "alice".into(),
        password: "secret".into(),
        digest: true,
        timestamp: false,
    };
    let mut w = XmlWriter::new();
    w.declaration();
    w.start_prefixed(env_ns, "Envelope", "soapenv");
    if username || tx_header {
        w.start(env_ns, "Header");
        if username {
            use soapbridge::soap::envelope::HeaderWriter as _;
            SecurityHeader::fresh(&cfg, env_ns).write(&mut w);
        }
        if tx_header {
            w.start(TX_NS, "TxId");
            w.text("tx-7");
            w.end();
        }
        w.end();
    }
    w.start(env_ns, "Body");
    w.start("urn:example:money", "Transfer");
    w.start("urn:example:money", "amount");
    w.text("42");
    w.end();
    w.start("urn:example:money", "note");
    w.text("rent & \"bills\" <march>");
    w.end();
    w.end();
    w.end();
    w.end();
    w.finish()
}

#[test]
fn rsa_sha256_with_a_binary_security_token_verifies() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let settings = pki.settings("rsa.key", "rsa.pem");
    assert_eq!(settings.algorithm, Algorithm::RsaSha256);
    let signed = signature::sign(
        &envelope(SOAP11_ENV_NS, false, false),
        &settings,
        SystemTime::now(),
    )
    .expect("signs");
    assert!(signed.contains("wsse:BinarySecurityToken"), "{signed}");
    assert!(signed.contains("mustUnderstand=\"1\""), "{signed}");
    assert!(signed.contains("xmldsig-more#rsa-sha256"), "{signed}");
    pki.assert_verifies(&signed, "rsa.pem", &[]);
}

#[test]
fn ecdsa_sha256_from_a_sec1_key_with_issuer_serial_verifies_in_soap12() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let mut settings = pki.settings("ec-sec1.key", "ec.pem");
    assert_eq!(settings.algorithm, Algorithm::EcdsaSha256);
    settings.token_reference = TokenReference::IssuerSerial;
    let signed = signature::sign(
        &envelope(SOAP12_ENV_NS, false, false),
        &settings,
        SystemTime::now(),
    )
    .expect("signs");
    assert!(
        signed.contains("<ds:X509SerialNumber>4661</ds:X509SerialNumber>"),
        "{signed}"
    );
    assert!(
        signed.contains(
            "<ds:X509IssuerName>CN=Signing Test CA,O=soapbridge tests</ds:X509IssuerName>"
        ),
        "{signed}"
    );
    pki.assert_verifies(&signed, "ec.pem", &[]);
}

#[test]
fn ecdsa_from_pkcs8_with_ski_and_inclusive_namespaces_verifies() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let mut settings = pki.settings("ec.key", "ec.pem");
    settings.token_reference = TokenReference::SubjectKeyIdentifier;
    settings.inclusive_prefixes = Some(vec!["soapenv".into(), "#default".into()]);
    let signed = signature::sign(
        &envelope(SOAP11_ENV_NS, true, false),
        &settings,
        SystemTime::now(),
    )
    .expect("signs");
    assert!(signed.contains("#X509SubjectKeyIdentifier"), "{signed}");
    assert!(
        signed.contains("PrefixList=\"soapenv #default\""),
        "{signed}"
    );
    assert!(
        signed.contains(":UsernameToken"),
        "the UsernameToken stays: {signed}"
    );
    pki.assert_verifies(&signed, "ec.pem", &[]);
}

#[test]
fn pkcs1_rsa_key_signs_an_extra_header_chosen_by_qname() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let mut settings = pki.settings("rsa-pkcs1.key", "rsa.pem");
    settings.sign_headers = vec![(TX_NS.into(), "TxId".into())];
    let signed = signature::sign(
        &envelope(SOAP11_ENV_NS, true, true),
        &settings,
        SystemTime::now(),
    )
    .expect("signs");
    assert_eq!(signed.matches("<ds:Reference ").count(), 3, "{signed}");
    let tx_id = format!("{TX_NS}:TxId");
    pki.assert_verifies(&signed, "rsa.pem", &[&tx_id]);
    // The header block is covered: changing it breaks the signature too.
    let tampered = signed.replacen(">tx-7<", ">tx-8<", 1);
    let (ok, out) = pki.xmlsec_verify(&tampered, "rsa.pem", &[&tx_id]);
    assert!(!ok, "xmlsec1 accepted a changed TxId:\n{out}");
}

#[test]
fn pkcs12_with_password_loads_and_verifies() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let config = SignatureConfig {
        keys: KeySource::Pkcs12 {
            path: pki.path("rsa.p12"),
            password: "s3cret p12".into(),
        },
        algorithm: None,
        token_reference: TokenReference::BinarySecurityToken,
        sign_headers: Vec::new(),
        timestamp_ttl: Some(Duration::from_secs(60)),
        inclusive_prefixes: None,
    };
    assert!(
        !format!("{config:?}").contains("s3cret"),
        "Debug hides the password"
    );
    let settings = config.load().expect("the PKCS#12 file opens");
    assert!(!format!("{settings:?}").contains("s3cret"));
    let signed = signature::sign(
        &envelope(SOAP11_ENV_NS, false, false),
        &settings,
        SystemTime::now(),
    )
    .expect("signs");
    pki.assert_verifies(&signed, "rsa.pem", &[]);

    let wrong = SignatureConfig {
        keys: KeySource::Pkcs12 {
            path: pki.path("rsa.p12"),
            password: "not it".into(),
        },
        ..config
    };
    let err = wrong.load().expect_err("a wrong password fails");
    assert!(!err.to_string().contains("not it"), "{err}");
}

#[test]
fn timestamp_spans_the_ttl_and_a_key_of_another_certificate_is_refused() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let mut settings = pki.settings("rsa.key", "rsa.pem");
    settings.timestamp_ttl = Duration::from_secs(90);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let signed =
        signature::sign(&envelope(SOAP11_ENV_NS, false, false), &settings, now).expect("signs");
    assert!(signed.contains(">2023-11-14T22:13:20.000Z<"), "{signed}");
    assert!(signed.contains(">2023-11-14T22:14:50.000Z<"), "{signed}");

    let mismatch = SignatureConfig {
        keys: KeySource::Pem {
            key: pki.path("ec.key"),
            certificate: pki.path("rsa.pem"),
        },
        algorithm: None,
        token_reference: TokenReference::BinarySecurityToken,
        sign_headers: Vec::new(),
        timestamp_ttl: None,
        inclusive_prefixes: None,
    };
    assert_eq!(
        mismatch.load().map(|_| ()),
        Err(signature::KeyError::KeyMismatch)
    );

    // A chosen header the message does not carry is not signed, and not an error.
    settings.sign_headers = vec![(TX_NS.into(), "TxId".into())];
    let without = signature::sign(&envelope(SOAP11_ENV_NS, false, false), &settings, now)
        .expect("signs without the optional header");
    assert_eq!(without.matches("<ds:Reference ").count(), 2, "{without}");
    pki.assert_verifies(&without, "rsa.pem", &[]);
}

#[test]
fn rsa_sha1_legacy_profile_verifies() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let mut settings = pki.settings("rsa.key", "rsa.pem");
    settings.algorithm = Algorithm::RsaSha1;
    settings.token_reference = TokenReference::IssuerSerial;
    let signed = signature::sign(
        &envelope(SOAP11_ENV_NS, false, false),
        &settings,
        SystemTime::now(),
    )
    .expect("signs");
    assert!(
        signed.contains("Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\""),
        "{signed}"
    );
    assert!(
        signed.contains("Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\""),
        "{signed}"
    );
    pki.assert_verifies(&signed, "rsa.pem", &[]);

    // An EC key cannot make an RSA signature.
    let mut ec = pki.settings("ec.key", "ec.pem");
    ec.algorithm = Algorithm::RsaSha1;
    assert_eq!(
        signature::sign(
            &envelope(SOAP11_ENV_NS, false, false),
            &ec,
            SystemTime::now()
        ),
        Err(SignError::Crypto(signature::CryptoError::WrongKey(
            Algorithm::RsaSha1,
            "EC"
        )))
    );
}

fn trust(pki: &Pki, file: &str) -> TrustStore {
    TrustStore::from_pem(&std::fs::read(pki.path(file)).expect("read CA")).expect("trust store")
}

#[test]
fn verify_accepts_what_sign_makes_and_xmlsec1_accepts() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let ca = trust(&pki, "ca.pem");
    let skew = Duration::from_secs(30);
    for (key, cert, alg) in [
        ("rsa.key", "rsa.pem", None),
        ("ec-sec1.key", "ec.pem", None),
        ("rsa-pkcs1.key", "rsa.pem", Some(Algorithm::RsaSha1)),
    ] {
        let mut settings = pki.settings(key, cert);
        if let Some(a) = alg {
            settings.algorithm = a;
        }
        settings.sign_headers = vec![(TX_NS.into(), "TxId".into())];
        settings.inclusive_prefixes = Some(vec!["soapenv".into()]);
        let now = SystemTime::now();
        let signed =
            signature::sign(&envelope(SOAP12_ENV_NS, true, true), &settings, now).expect("signs");
        let parts = signature::verify(&signed, &ca, now, skew)
            .unwrap_or_else(|e| panic!("{key}: {e}\n{signed}"));
        assert_eq!(parts.algorithm, settings.algorithm);
        assert_eq!(parts.signed_ids.len(), 3, "Body, Timestamp, TxId");
        assert_eq!(parts.signer.serial, settings.credentials.certificate.serial);
        pki.assert_verifies(&signed, cert, &[&format!("{TX_NS}:TxId")]);
    }
}

#[test]
fn verify_names_each_failure() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let ca = trust(&pki, "ca.pem");
    let skew = Duration::from_secs(30);
    let now = SystemTime::now();
    let settings = pki.settings("rsa.key", "rsa.pem");
    let signed =
        signature::sign(&envelope(SOAP11_ENV_NS, false, false), &settings, now).expect("signs");
    assert!(signature::verify(&signed, &ca, now, skew).is_ok());

    let tampered = signed.replacen(">42<", ">43<", 1);
    assert!(matches!(
        signature::verify(&tampered, &ca, now, skew),
        Err(VerifyError::DigestMismatch(id)) if id.starts_with("Body-")
    ));

    // Signature wrapping: the signed Body moved into a header, a changed one in its place.
    let body_start = signed.find("<soapenv:Body").expect("Body");
    let body_end = signed.find("</soapenv:Body>").expect("Body end") + "</soapenv:Body>".len();
    let body = &signed[body_start..body_end];
    let wrapped = signed
        .replacen(body, &body.replacen(">42<", ">43<", 1), 1)
        .replacen(
            "</soapenv:Header>",
            &format!("<x:Wrap xmlns:x=\"urn:x\">{body}</x:Wrap></soapenv:Header>"),
            1,
        );
    assert!(matches!(
        signature::verify(&wrapped, &ca, now, skew),
        Err(VerifyError::DuplicateId(id)) if id.starts_with("Body-")
    ));

    let value_at = signed.find("<ds:SignatureValue>").expect("value") + "<ds:SignatureValue>".len();
    let mut bad_value = signed.clone();
    let flipped = if &signed[value_at..=value_at] == "A" {
        "B"
    } else {
        "A"
    };
    bad_value.replace_range(value_at..=value_at, flipped);
    assert_eq!(
        signature::verify(&bad_value, &ca, now, skew),
        Err(VerifyError::BadSignature)
    );

    assert_eq!(
        signature::verify(&signed, &trust(&pki, "other-ca.pem"), now, skew),
        Err(VerifyError::Untrusted),
        "same CA name, another key"
    );
    assert_eq!(
        signature::verify(&signed, &ca, now + Duration::from_secs(3600), skew),
        Err(VerifyError::TimestampExpired)
    );
    let future = now + Duration::from_secs(3600);
    let early =
        signature::sign(&envelope(SOAP11_ENV_NS, false, false), &settings, future).expect("signs");
    assert_eq!(
        signature::verify(&early, &ca, now, skew),
        Err(VerifyError::TimestampInFuture)
    );
    assert_eq!(
        signature::verify(&signed, &ca, now + Duration::from_secs(3 * 86_400), skew),
        Err(VerifyError::CertificateExpired)
    );

    let mut by_serial = pki.settings("rsa.key", "rsa.pem");
    by_serial.token_reference = TokenReference::IssuerSerial;
    let signed =
        signature::sign(&envelope(SOAP11_ENV_NS, false, false), &by_serial, now).expect("signs");
    assert_eq!(
        signature::verify(&signed, &ca, now, skew),
        Err(VerifyError::NoCertificate)
    );

    let unsigned = envelope(SOAP11_ENV_NS, true, false);
    assert_eq!(
        signature::verify(&unsigned, &ca, now, skew),
        Err(VerifyError::NoSignature)
    );
}
