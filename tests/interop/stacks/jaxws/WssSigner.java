package soapbridge.interop.files;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.xml.crypto.MarshalException;
import javax.xml.crypto.dom.DOMStructure;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Signs an answer the way the gateway signs its requests (WSS 1.0 X.509 token profile): a
 * wsse:Security header (mustUnderstand) holding a wsu:Timestamp, the certificate as an X509v3
 * BinarySecurityToken, and a ds:Signature over the Body and the Timestamp (exclusive C14N,
 * SHA-256 digests, RSA-SHA256 or ECDSA-SHA256 by the key) whose KeyInfo points at the token.
 */
final class WssSigner {
    static final Duration LIFETIME = Duration.ofMinutes(5);

    private final PrivateKey key;
    private final X509Certificate cert;
    private final String signatureMethod;

    WssSigner(PrivateKey key, X509Certificate cert) {
        this.key = key;
        this.cert = cert;
        this.signatureMethod = key instanceof ECPrivateKey ? SignatureMethod.ECDSA_SHA256 : SignatureMethod.RSA_SHA256;
    }

    /** Adds the Security header to the SOAP 1.1 or 1.2 envelope in doc and signs it. */
    void sign(Document doc) throws GeneralSecurityException, MarshalException, XMLSignatureException {
        Element env = doc.getDocumentElement();
        String soap = env.getNamespaceURI();
        Element body = Wss.children(env, soap, "Body").get(0);
        Element header = Wss.children(env, soap, "Header").stream().findFirst().orElse(null);
        if (header == null) {
            header = doc.createElementNS(soap, prefixed(env, "Header"));
            env.insertBefore(header, body);
        }

        Element security = doc.createElementNS(Wss.WSSE, "wsse:Security");
        // The namespaces are declared as attributes, not left to a serializer's fix-up, so that
        // the canonical form computed here is the one a receiver computes after parsing.
        security.setAttributeNS(Wss.XMLNS, "xmlns:wsse", Wss.WSSE);
        security.setAttributeNS(Wss.XMLNS, "xmlns:wsu", Wss.WSU);
        String soapPrefix = env.getPrefix();
        if (soapPrefix == null || soapPrefix.isEmpty()) {
            // An attribute in a namespace needs a prefix even where the envelope uses none.
            soapPrefix = "soapenv";
            security.setAttributeNS(Wss.XMLNS, "xmlns:soapenv", soap);
        }
        security.setAttributeNS(soap, soapPrefix + ":mustUnderstand", Wss.SOAP11.equals(soap) ? "1" : "true");
        header.insertBefore(security, header.getFirstChild());

        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Element timestamp = element(doc, Wss.WSU, "wsu:Timestamp", null);
        String timestampId = id(timestamp, "TS-");
        timestamp.appendChild(element(doc, Wss.WSU, "wsu:Created", now.toString()));
        timestamp.appendChild(element(doc, Wss.WSU, "wsu:Expires", now.plus(LIFETIME).toString()));
        security.appendChild(timestamp);

        Element token = element(doc, Wss.WSSE, "wsse:BinarySecurityToken", Base64.getEncoder().encodeToString(cert.getEncoded()));
        token.setAttributeNS(null, "EncodingType", Wss.BASE64);
        token.setAttributeNS(null, "ValueType", Wss.X509V3);
        String tokenId = id(token, "X509-");
        security.appendChild(token);

        body.setAttributeNS(Wss.XMLNS, "xmlns:wsu", Wss.WSU);
        String bodyId = body.hasAttributeNS(Wss.WSU, "Id") ? body.getAttributeNS(Wss.WSU, "Id") : id(body, "Body-");

        XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
        List<Transform> excC14n = List.of(fac.newTransform(CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null));
        DigestMethod sha256 = fac.newDigestMethod(DigestMethod.SHA256, null);
        SignedInfo signedInfo = fac.newSignedInfo(
                fac.newCanonicalizationMethod(CanonicalizationMethod.EXCLUSIVE, (C14NMethodParameterSpec) null),
                fac.newSignatureMethod(signatureMethod, null),
                List.<Reference>of(fac.newReference("#" + bodyId, sha256, excC14n, null, null),
                        fac.newReference("#" + timestampId, sha256, excC14n, null, null)));

        // KeyInfo: wsse:SecurityTokenReference/wsse:Reference to the token, which the dsig API
        // does not model; it takes it as a DOM fragment.
        Element str = element(doc, Wss.WSSE, "wsse:SecurityTokenReference", null);
        Element ref = element(doc, Wss.WSSE, "wsse:Reference", null);
        ref.setAttributeNS(null, "URI", "#" + tokenId);
        ref.setAttributeNS(null, "ValueType", Wss.X509V3);
        str.appendChild(ref);
        KeyInfo keyInfo = fac.getKeyInfoFactory().newKeyInfo(List.of(new DOMStructure(str)));

        DOMSignContext sc = new DOMSignContext(key, security);
        sc.setDefaultNamespacePrefix("ds");
        sc.setIdAttributeNS(body, Wss.WSU, "Id");
        sc.setIdAttributeNS(timestamp, Wss.WSU, "Id");
        fac.newXMLSignature(signedInfo, keyInfo).sign(sc);
    }

    private static Element element(Document doc, String ns, String qname, String text) {
        Element e = doc.createElementNS(ns, qname);
        if (text != null) {
            e.setTextContent(text);
        }
        return e;
    }

    /** Gives e a fresh wsu:Id and returns it. */
    private static String id(Element e, String prefix) {
        String id = prefix + UUID.randomUUID();
        e.setAttributeNS(Wss.WSU, "wsu:Id", id);
        return id;
    }

    /** A name with the envelope's own prefix (JAX-WS writes S:Envelope). */
    private static String prefixed(Element env, String local) {
        String p = env.getPrefix();
        return p == null || p.isEmpty() ? local : p + ":" + local;
    }
}
