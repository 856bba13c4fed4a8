package soapbridge.interop.files;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.security.auth.x500.X500Principal;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.MarshalException;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.datatype.DatatypeConfigurationException;
import javax.xml.datatype.DatatypeConstants;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.datatype.XMLGregorianCalendar;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks the WS-Security 1.0 X.509 signature of a request with the JDK's XML Digital
 * Signature API only (javax.xml.crypto.dsig): who signed (the token the STR points to), that the
 * CA issued that certificate, that the signature verifies, that it covers the Body and the
 * Timestamp, and that the Timestamp is current. Each failure is a WssFault naming the check.
 */
final class WssVerifier {
    /** How far a sender's clock may run ahead of ours (wsu:Created in the future). */
    static final Duration SKEW = Duration.ofMinutes(5);

    /** Reference transforms that keep the whole element: canonicalisation only, so a Reference
     * cannot point at the Body and then filter part of it out (XPath, XSLT). */
    private static final Set<String> C14N = Set.of(
            CanonicalizationMethod.EXCLUSIVE, CanonicalizationMethod.EXCLUSIVE_WITH_COMMENTS,
            CanonicalizationMethod.INCLUSIVE, CanonicalizationMethod.INCLUSIVE_WITH_COMMENTS,
            "http://www.w3.org/2006/12/xml-c14n11", "http://www.w3.org/2006/12/xml-c14n11#WithComments");

    private final X509Certificate ca;
    /** The client certificate a message may name by IssuerSerial or SubjectKeyIdentifier. */
    private final X509Certificate known;
    private final byte[] knownSki;

    WssVerifier(X509Certificate ca, X509Certificate known) {
        this.ca = ca;
        this.known = known;
        this.knownSki = subjectKeyIdentifier(known);
    }

    /** Verifies the request; returns the certificate that signed it. */
    X509Certificate verify(Document doc) throws WssFault {
        Element env = doc.getDocumentElement();
        String soap = env.getNamespaceURI();
        Element header = Wss.child(env, soap, "Header");
        Element body = Wss.child(env, soap, "Body");
        if (body == null) {
            throw new WssFault(Wss.INVALID_SECURITY, "the envelope has no Body");
        }
        List<Element> headers = header == null ? List.of() : Wss.children(header, Wss.WSSE, "Security");
        if (headers.isEmpty()) {
            throw new WssFault(Wss.INVALID_SECURITY, "no wsse:Security header");
        }
        if (headers.size() > 1) {
            throw new WssFault(Wss.INVALID_SECURITY, "more than one wsse:Security header");
        }
        Element security = headers.get(0);
        Element signature = Wss.child(security, Wss.DS, "Signature");
        if (signature == null) {
            throw new WssFault(Wss.INVALID_SECURITY, "wsse:Security holds no ds:Signature");
        }
        Element timestamp = Wss.child(security, Wss.WSU, "Timestamp");
        if (timestamp == null) {
            throw new WssFault(Wss.INVALID_SECURITY, "wsse:Security holds no wsu:Timestamp");
        }

        Map<String, Element> ids = wsuIds(doc);
        X509Certificate cert = signer(signature, security, ids);
        trust(cert);

        DOMValidateContext vc = new DOMValidateContext(KeySelector.singletonKeySelector(cert.getPublicKey()), signature);
        // The wsu:Id attributes are IDs only by the WSS schema, which the DOM does not know:
        // declare each, or "#id" references would not resolve.
        for (Element e : ids.values()) {
            vc.setIdAttributeNS(e, Wss.WSU, "Id");
        }
        // The JDK's limits on algorithms, key sizes, transforms and reference counts.
        vc.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
        XMLSignature sig;
        try {
            sig = XMLSignatureFactory.getInstance("DOM").unmarshalXMLSignature(vc);
        } catch (MarshalException e) {
            throw new WssFault(Wss.INVALID_SECURITY, "unreadable ds:Signature: " + e.getMessage(), e);
        }
        covers(sig, ids, body, timestamp);
        validate(sig, vc, cert);
        fresh(timestamp);
        return cert;
    }

    /** Every element with a wsu:Id, by id; a repeated id could make a reference point at a
     * decoy copy of the Body, so it is refused. */
    private static Map<String, Element> wsuIds(Document doc) throws WssFault {
        Map<String, Element> ids = new HashMap<>();
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.hasAttributeNS(Wss.WSU, "Id") && ids.put(e.getAttributeNS(Wss.WSU, "Id"), e) != null) {
                throw new WssFault(Wss.INVALID_SECURITY, "wsu:Id \"" + e.getAttributeNS(Wss.WSU, "Id") + "\" occurs twice");
            }
        }
        return ids;
    }

    /** The certificate the ds:KeyInfo's wsse:SecurityTokenReference designates. */
    private X509Certificate signer(Element signature, Element security, Map<String, Element> ids) throws WssFault {
        Element keyInfo = Wss.child(signature, Wss.DS, "KeyInfo");
        Element str = keyInfo == null ? null : Wss.child(keyInfo, Wss.WSSE, "SecurityTokenReference");
        if (str == null) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "ds:KeyInfo holds no wsse:SecurityTokenReference");
        }
        Element ref = Wss.child(str, Wss.WSSE, "Reference");
        if (ref != null) {
            return fromToken(ref, security, ids);
        }
        Element data = Wss.child(str, Wss.DS, "X509Data");
        Element issuerSerial = data == null ? null : Wss.child(data, Wss.DS, "X509IssuerSerial");
        if (issuerSerial != null) {
            return byIssuerSerial(issuerSerial);
        }
        Element keyId = Wss.child(str, Wss.WSSE, "KeyIdentifier");
        if (keyId != null) {
            return bySubjectKeyIdentifier(keyId);
        }
        throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:SecurityTokenReference holds no wsse:Reference, "
                + "ds:X509Data/ds:X509IssuerSerial or wsse:KeyIdentifier");
    }

    /** wsse:Reference URI="#id": an X509v3 BinarySecurityToken in this Security header. */
    private static X509Certificate fromToken(Element ref, Element security, Map<String, Element> ids) throws WssFault {
        String uri = Wss.attr(ref, "URI");
        String valueType = Wss.attr(ref, "ValueType");
        if (uri == null || !uri.startsWith("#")) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:Reference URI " + uri + " is not a #id in this message");
        }
        if (valueType != null && !valueType.equals(Wss.X509V3)) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:Reference ValueType " + valueType + " is not X509v3");
        }
        Element bst = ids.get(uri.substring(1));
        if (bst == null || bst.getParentNode() != security
                || !Wss.WSSE.equals(bst.getNamespaceURI()) || !"BinarySecurityToken".equals(bst.getLocalName())) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:Reference " + uri
                    + " names no wsse:BinarySecurityToken in the wsse:Security header");
        }
        if (!Wss.X509V3.equals(Wss.attr(bst, "ValueType"))) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:BinarySecurityToken " + uri + " is not an X509v3 token");
        }
        String encoding = Wss.attr(bst, "EncodingType");
        if (encoding != null && !encoding.equals(Wss.BASE64)) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:BinarySecurityToken EncodingType " + encoding + " is not Base64Binary");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(bst.getTextContent().trim());
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:BinarySecurityToken " + uri + " is not a certificate: " + e.getMessage(), e);
        }
    }

    /** ds:X509IssuerSerial: only the known client certificate can be named this way. */
    private X509Certificate byIssuerSerial(Element issuerSerial) throws WssFault {
        Element name = Wss.child(issuerSerial, Wss.DS, "X509IssuerName");
        Element serial = Wss.child(issuerSerial, Wss.DS, "X509SerialNumber");
        if (name == null || serial == null) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "ds:X509IssuerSerial lacks X509IssuerName or X509SerialNumber");
        }
        try {
            // X500Principal compares the canonical form: case, spacing and escapes do not matter.
            X500Principal issuer = new X500Principal(name.getTextContent().trim());
            BigInteger number = new BigInteger(serial.getTextContent().trim());
            if (issuer.equals(known.getIssuerX500Principal()) && number.equals(known.getSerialNumber())) {
                return known;
            }
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "ds:X509IssuerSerial (" + issuer + ", " + number
                    + ") is not the known client certificate");
        } catch (IllegalArgumentException e) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "unreadable ds:X509IssuerSerial: " + e.getMessage(), e);
        }
    }

    /** wsse:KeyIdentifier of type X509SubjectKeyIdentifier: compared with the known certificate's. */
    private X509Certificate bySubjectKeyIdentifier(Element keyId) throws WssFault {
        if (!Wss.SKI.equals(Wss.attr(keyId, "ValueType"))) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:KeyIdentifier ValueType " + Wss.attr(keyId, "ValueType")
                    + " is not supported (only X509SubjectKeyIdentifier)");
        }
        String encoding = Wss.attr(keyId, "EncodingType");
        if (encoding != null && !encoding.equals(Wss.BASE64)) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:KeyIdentifier EncodingType " + encoding + " is not Base64Binary");
        }
        byte[] value;
        try {
            value = Base64.getMimeDecoder().decode(keyId.getTextContent().trim());
        } catch (IllegalArgumentException e) {
            throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:KeyIdentifier is not base64", e);
        }
        if (knownSki != null && Arrays.equals(value, knownSki)) {
            return known;
        }
        throw new WssFault(Wss.TOKEN_UNAVAILABLE, "wsse:KeyIdentifier matches no known certificate's subject key identifier");
    }

    /** Issued by the trusted CA, valid today, and an end-entity certificate. */
    private void trust(X509Certificate cert) throws WssFault {
        String who = cert.getSubjectX500Principal().getName();
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new WssFault(Wss.FAILED_CHECK, "certificate " + who + " is not issued by the trusted CA "
                    + ca.getSubjectX500Principal().getName(), e);
        }
        try {
            cert.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new WssFault(Wss.FAILED_CHECK, "certificate " + who + " is not valid now (" + cert.getNotBefore()
                    + " to " + cert.getNotAfter() + ")", e);
        }
        // The CA's own certificate also verifies with the CA's key: it must not sign messages.
        if (cert.getBasicConstraints() >= 0) {
            throw new WssFault(Wss.FAILED_CHECK, "certificate " + who + " is a CA certificate");
        }
    }

    /** The signed references must include the Body and the Timestamp of this message, whole. */
    private static void covers(XMLSignature sig, Map<String, Element> ids, Element body, Element timestamp) throws WssFault {
        boolean bodySigned = false;
        boolean timestampSigned = false;
        for (Object o : sig.getSignedInfo().getReferences()) {
            Reference ref = (Reference) o;
            String uri = ref.getURI();
            if (uri == null || !uri.startsWith("#")) {
                throw new WssFault(Wss.FAILED_CHECK, "ds:Reference URI " + uri + " is not a #id in this message");
            }
            for (Object t : ref.getTransforms()) {
                String alg = ((Transform) t).getAlgorithm();
                if (!C14N.contains(alg)) {
                    throw new WssFault(Wss.FAILED_CHECK, "ds:Reference " + uri + " uses transform " + alg
                            + " (only canonicalisation is accepted)");
                }
            }
            Element target = ids.get(uri.substring(1));
            bodySigned |= target == body;
            timestampSigned |= target == timestamp;
        }
        if (!bodySigned) {
            throw new WssFault(Wss.FAILED_CHECK, "the signature does not cover the SOAP Body");
        }
        if (!timestampSigned) {
            throw new WssFault(Wss.FAILED_CHECK, "the signature does not cover the wsu:Timestamp");
        }
    }

    /** XMLSignature.validate, and on failure which part failed: the value or a digest. */
    private static void validate(XMLSignature sig, DOMValidateContext vc, X509Certificate cert) throws WssFault {
        try {
            if (sig.validate(vc)) {
                return;
            }
            if (!sig.getSignatureValue().validate(vc)) {
                throw new WssFault(Wss.FAILED_CHECK, "ds:SignatureValue does not verify with the key of "
                        + cert.getSubjectX500Principal().getName());
            }
            for (Object o : sig.getSignedInfo().getReferences()) {
                Reference ref = (Reference) o;
                if (!ref.validate(vc)) {
                    throw new WssFault(Wss.FAILED_CHECK, "the digest of ds:Reference " + ref.getURI()
                            + " does not match: the element was changed after signing");
                }
            }
            throw new WssFault(Wss.FAILED_CHECK, "the signature does not verify");
        } catch (XMLSignatureException e) {
            throw new WssFault(Wss.FAILED_CHECK, "the signature could not be checked: " + e.getMessage(), e);
        }
    }

    /** Expires still ahead, Created not more than SKEW ahead of this server's clock. */
    private static void fresh(Element timestamp) throws WssFault {
        Instant created = instant(Wss.child(timestamp, Wss.WSU, "Created"), "Created");
        Instant expires = instant(Wss.child(timestamp, Wss.WSU, "Expires"), "Expires");
        Instant now = Instant.now();
        if (!expires.isAfter(now)) {
            throw new WssFault(Wss.MESSAGE_EXPIRED, "wsu:Timestamp expired at " + expires + " (server time " + now + ")");
        }
        if (created.isAfter(now.plus(SKEW))) {
            throw new WssFault(Wss.FAILED_CHECK, "wsu:Timestamp Created " + created
                    + " is more than " + SKEW.toMinutes() + " minutes ahead of the server time " + now);
        }
    }

    private static Instant instant(Element e, String what) throws WssFault {
        if (e == null) {
            throw new WssFault(Wss.INVALID_SECURITY, "wsu:Timestamp has no wsu:" + what);
        }
        try {
            XMLGregorianCalendar c = DatatypeFactory.newInstance().newXMLGregorianCalendar(e.getTextContent().trim());
            if (c.getTimezone() == DatatypeConstants.FIELD_UNDEFINED) {
                throw new WssFault(Wss.INVALID_SECURITY, "wsu:" + what + " has no time zone (WSS wants UTC, ...Z)");
            }
            return c.toGregorianCalendar().toInstant();
        } catch (IllegalArgumentException | DatatypeConfigurationException ex) {
            throw new WssFault(Wss.INVALID_SECURITY, "wsu:" + what + " is not an xsd:dateTime", ex);
        }
    }

    /** The key identifier of the certificate's SubjectKeyIdentifier extension (2.5.29.14), or
     * null. getExtensionValue gives an OCTET STRING wrapping the extension's own OCTET STRING. */
    private static byte[] subjectKeyIdentifier(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue("2.5.29.14");
        return ext == null ? null : octets(octets(ext));
    }

    /** The contents of a DER OCTET STRING (tag 4, short or long length form). */
    private static byte[] octets(byte[] der) {
        if (der.length < 2 || der[0] != 0x04) {
            throw new IllegalArgumentException("not a DER OCTET STRING");
        }
        int len = der[1] & 0xff;
        int at = 2;
        if (len > 0x7f) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (der[at++] & 0xff);
            }
        }
        return Arrays.copyOfRange(der, at, at + len);
    }
}
