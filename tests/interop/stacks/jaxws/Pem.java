package soapbridge.interop.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads the test PKI's PEM files (examples/ws-security/keys/) with the JDK alone: the armour is
 * stripped and the base64 decoded, then CertificateFactory or PKCS8EncodedKeySpec do the rest.
 */
final class Pem {
    private Pem() {
    }

    static X509Certificate certificate(Path file) throws IOException, GeneralSecurityException {
        byte[] der = decode(file, "CERTIFICATE");
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /** An unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"), RSA or EC. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(decode(file, "PRIVATE KEY"));
        // PKCS#8 names its algorithm only as an OID inside the DER; trying the two key
        // factories the test PKI uses is simpler than parsing it.
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException(file + ": neither an RSA nor an EC PKCS#8 key", last);
    }

    /** The DER bytes of the first block of the given type in the file. */
    private static byte[] decode(Path file, String type) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = from < 0 ? -1 : text.indexOf(end, from);
        if (to < 0) {
            throw new IOException(file + ": no " + begin + " block");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }
}
