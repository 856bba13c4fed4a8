package soapbridge.interop.files;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import javax.xml.namespace.QName;
import javax.xml.soap.SOAPConstants;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;

import org.apache.jcp.xml.dsig.internal.dom.XMLDSigRI;
import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSDataRef;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityEngineResult;
import org.apache.ws.security.WSSecurityException;
import org.apache.ws.security.components.crypto.Merlin;
import org.apache.ws.security.handler.RequestData;
import org.apache.ws.security.message.token.Timestamp;
import org.apache.ws.security.transform.STRTransformProvider;
import org.apache.ws.security.util.WSSecurityUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The request check of the /wss4j endpoint: Apache WSS4J 1.6 (Debian's libwss4j-java) processes
 * the wsse:Security header with its own security engine, as a WSS4J-based service would, so a
 * widely deployed implementation judges what the gateway sends, independently of WssVerifier:
 * WSS4J's own token resolution, trust and Timestamp rules, and Apache Santuario's XML-DSig (of
 * which the JDK's, used by /signed, is an older fork). WSS4J checks the signature, the Basic
 * Security Profile rules on it (exclusive c14n, ...), the signer's certificate (dates, then
 * direct trust or a PKIX path to ca.pem) and the Timestamp (Expires not passed, Created at most
 * 300 s old and 60 s ahead: WSS4J's defaults). Like a security policy, this handler then
 * requires of WSS4J's results that a Timestamp was validated and that one X.509 signature
 * covers both the envelope's own Body and that Timestamp.
 *
 * A refusal is a SOAP 1.1 fault with WSS4J's fault code and message (WSSecurityException), or
 * with wsse:InvalidSecurity / wsse:FailedCheck when one of the policy checks above fails, and a
 * line in the server log. Answers are not signed: the endpoint only verifies.
 */
final class Wss4jHandler implements SOAPHandler<SOAPMessageContext> {
    /**
     * Santuario 2.1.7 warns "The input bytes to the digest operation are null" for every
     * Reference whose last transform writes straight into the digest, that is for every ordinary
     * one (upstream made it INFO in SANTUARIO-630). Only that logger is quietened; it is held
     * here because java.util.logging keeps its loggers only weakly.
     */
    private static final Logger DIGEST_INPUT_LOG =
            Logger.getLogger("org.apache.jcp.xml.dsig.internal.dom.DOMReference");

    static {
        DIGEST_INPUT_LOG.setLevel(Level.SEVERE);
        // WSS4J's default start-up inserts Santuario's XML-DSig provider at position 2 of the
        // JVM's provider list. /signed asks for XMLSignatureFactory.getInstance("DOM") and must
        // keep getting the JDK's own implementation, so the providers WSS4J looks up by name
        // ("ApacheXMLDSig", and "STRTransform" for STR-Transform references) are appended
        // instead, after the JDK's.
        WSSConfig.setAddJceProviders(false);
        WSSConfig.appendJceProvider("ApacheXMLDSig", new XMLDSigRI());
        WSSConfig.appendJceProvider("STRTransform", new STRTransformProvider());
        // Otherwise part of WSS4J's provider set-up: Santuario's algorithm and resolver tables.
        org.apache.xml.security.Init.init();
    }

    /** WSS4J's fault QNames have no prefix, and the faultcode needs one: the usual one. */
    private static final String WSSE_PREFIX = "wsse";

    private final Merlin crypto = new Merlin();
    private final WSSConfig config = WSSConfig.getNewInstance();
    private final WSSecurityEngine engine = new WSSecurityEngine();

    /**
     * @param ca     the CA whose certificates are trusted (ca.pem)
     * @param client the client certificate (cert.pem): WSS4J resolves an IssuerSerial or
     *               SubjectKeyIdentifier reference only to a certificate held by its Crypto
     */
    Wss4jHandler(X509Certificate ca, X509Certificate client) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca);
        trusted.setCertificateEntry("client", client);
        crypto.setTrustStore(trusted);
        engine.setWssConfig(config);
    }

    /** The Security header is processed here, so the runtime's mustUnderstand check lets it through. */
    @Override
    public Set<QName> getHeaders() {
        return Set.of(Wss.SECURITY);
    }

    @Override
    public boolean handleMessage(SOAPMessageContext ctx) {
        if (Boolean.TRUE.equals(ctx.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY))) {
            return true;
        }
        try {
            // A plain DOM copy, as for /signed: the service then reads the SAAJ message the copy
            // was made from, and nothing WSS4J does to its DOM can reach the service.
            log("verified, " + verify(WssHandler.plainCopy(ctx.getMessage().getSOAPPart())));
        } catch (WSSecurityException e) {
            QName code = e.getFaultCode();
            // Codes without a WSS QName (WSS4J's "General security error", ...): Client, as CXF
            // answers them in SOAP 1.1.
            QName faultcode = code == null ? new QName(SOAPConstants.URI_NS_SOAP_1_1_ENVELOPE, "Client", "S")
                    : new QName(code.getNamespaceURI(), code.getLocalPart(), WSSE_PREFIX);
            log("refused by WSS4J (" + faultcode.getPrefix() + ":" + faultcode.getLocalPart() + "): "
                    + e.getMessage() + causes(e));
            throw WssHandler.fault(faultcode, e.getMessage());
        } catch (WssFault f) {
            log("refused by the /wss4j policy (wsse:" + f.code.getLocalPart() + "): " + f.getMessage());
            throw WssHandler.fault(f.code, f.getMessage());
        } catch (Exception e) {
            // SAAJ could not read the message, or WSS4J failed other than by a WSSecurityException.
            log("refused (wsse:InvalidSecurity): the message could not be processed: " + e + causes(e));
            throw WssHandler.fault(Wss.INVALID_SECURITY, "the message could not be processed: " + e);
        }
        return true;
    }

    /** Runs WSS4J on the request; returns what it established, for the log. */
    private String verify(Document doc) throws WSSecurityException, WssFault {
        // WSS4J's own look-up of the header for the ultimate receiver (no actor); it refuses two.
        Element security = WSSecurityUtil.getSecurityHeader(doc, "");
        if (security == null) {
            throw new WssFault(Wss.INVALID_SECURITY, "no wsse:Security header for the ultimate receiver");
        }
        RequestData data = new RequestData();
        data.setWssConfig(config);
        data.setSigCrypto(crypto);
        // Trust rests on the CA alone, as on /signed: any certificate it issued may sign. Saying
        // so stops WSS4J from warning, on every request, that no subject DN constraint is set.
        data.setSubjectCertConstraints(List.of(Pattern.compile(".*")));
        List<WSSecurityEngineResult> results = engine.processSecurityHeader(security, data);

        Element body = Wss.child(doc.getDocumentElement(), doc.getDocumentElement().getNamespaceURI(), "Body");
        Element timestamp = validatedTimestamp(results);
        // WSS4J has verified and trust-checked every signature it returns; one of them must be
        // by an X.509 certificate and cover both parts.
        WssFault refusal = new WssFault(Wss.INVALID_SECURITY, "wsse:Security holds no ds:Signature");
        for (WSSecurityEngineResult r : results) {
            if (!Integer.valueOf(WSConstants.SIGN).equals(r.get(WSSecurityEngineResult.TAG_ACTION))) {
                continue;
            }
            X509Certificate[] certs = (X509Certificate[]) r.get(WSSecurityEngineResult.TAG_X509_CERTIFICATES);
            // Elements, not ids, are compared: a signed Body moved elsewhere does not count.
            boolean signsBody = false;
            boolean signsTimestamp = false;
            for (Object o : (List<?>) r.get(WSSecurityEngineResult.TAG_DATA_REF_URIS)) {
                Element signed = ((WSDataRef) o).getProtectedElement();
                signsBody |= body != null && signed == body;
                signsTimestamp |= signed == timestamp;
            }
            if (certs == null || certs.length == 0
                    || !Boolean.TRUE.equals(r.get(WSSecurityEngineResult.TAG_VALIDATED_TOKEN))) {
                refusal = new WssFault(Wss.FAILED_CHECK, "the signature is not by a trusted X.509 certificate");
            } else if (!signsBody) {
                refusal = new WssFault(Wss.FAILED_CHECK, "the signature does not cover the SOAP Body");
            } else if (!signsTimestamp) {
                refusal = new WssFault(Wss.FAILED_CHECK, "the signature does not cover the wsu:Timestamp");
            } else {
                return "signed by " + certs[0].getSubjectX500Principal().getName() + " (key reference "
                        + r.get(WSSecurityEngineResult.TAG_X509_REFERENCE_TYPE) + ", "
                        + r.get(WSSecurityEngineResult.TAG_SIGNATURE_METHOD) + ")";
            }
        }
        throw refusal;
    }

    /** The wsu:Timestamp WSS4J processed and validated (it refuses more than one). */
    private static Element validatedTimestamp(List<WSSecurityEngineResult> results) throws WssFault {
        for (WSSecurityEngineResult r : results) {
            if (Integer.valueOf(WSConstants.TS).equals(r.get(WSSecurityEngineResult.TAG_ACTION))
                    && Boolean.TRUE.equals(r.get(WSSecurityEngineResult.TAG_VALIDATED_TOKEN))) {
                return ((Timestamp) r.get(WSSecurityEngineResult.TAG_TIMESTAMP)).getElement();
            }
        }
        throw new WssFault(Wss.INVALID_SECURITY, "wsse:Security holds no wsu:Timestamp");
    }

    /** WSS4J's messages are generic ("The signature or decryption was invalid"): the log also
     * gets the underlying exceptions. */
    private static String causes(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            out.append("; caused by ").append(c);
        }
        return out.toString();
    }

    private static void log(String line) {
        System.err.println(Instant.now() + " /wss4j WSS4J: " + line);
    }

    @Override
    public boolean handleFault(SOAPMessageContext ctx) {
        return true;
    }

    @Override
    public void close(MessageContext ctx) {
    }
}
