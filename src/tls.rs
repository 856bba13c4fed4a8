//! TLS set-up: soapbridge uses rustls with the `ring` provider for every outgoing call.
//!
//! May import nothing from soapbridge.

/// Installs the process-wide rustls crypto provider once. Safe to call many times.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
