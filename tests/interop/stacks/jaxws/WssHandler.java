package soapbridge.interop.files;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Set;

import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.soap.SOAPConstants;
import javax.xml.soap.SOAPException;
import javax.xml.soap.SOAPFactory;
import javax.xml.soap.SOAPPart;
import javax.xml.ws.WebServiceException;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;
import javax.xml.ws.soap.SOAPFaultException;

import org.w3c.dom.Document;

/**
 * The verifying half of the /signed endpoint: a request must carry a valid WS-Security X.509
 * signature (WssVerifier), or it is refused with a SOAP 1.1 fault whose faultcode is the WSS
 * code (wsse:InvalidSecurity, ...) and whose faultstring names the failed check; the same goes
 * to the server log. Answers are left to WssSigningHandler.
 *
 * The check runs on a plain DOM copy of the SAAJ message, not on SAAJ's own nodes, which wrap
 * the DOM and are not what the JDK's dsig code expects. The service then reads the SAAJ message
 * the copy was made from, so what it gets is what was verified.
 */
final class WssHandler implements SOAPHandler<SOAPMessageContext> {
    private final WssVerifier verifier;

    WssHandler(WssVerifier verifier) {
        this.verifier = verifier;
    }

    /** The Security header is processed here, so the runtime's mustUnderstand check lets it through. */
    @Override
    public Set<QName> getHeaders() {
        return Set.of(Wss.SECURITY);
    }

    @Override
    public boolean handleMessage(SOAPMessageContext ctx) {
        // Outbound, the message must not even be read here: see WssSigningHandler.
        if (Boolean.TRUE.equals(ctx.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY))) {
            return true;
        }
        try {
            X509Certificate who = verifier.verify(plainCopy(ctx.getMessage().getSOAPPart()));
            log("verified, signed by " + who.getSubjectX500Principal().getName());
        } catch (WssFault f) {
            log("refused (wsse:" + f.code.getLocalPart() + "): " + f.getMessage());
            throw fault(f.code, f.getMessage());
        } catch (Exception e) {
            log("refused (wsse:InvalidSecurity): unreadable message: " + e);
            throw fault(Wss.INVALID_SECURITY, "unreadable message: " + e.getMessage());
        }
        return true;
    }

    /** A SOAP 1.1 fault whose faultcode is the WSS QName (wsse:FailedCheck, ...). Wss4jHandler uses it too. */
    static SOAPFaultException fault(QName code, String reason) {
        try {
            return new SOAPFaultException(SOAPFactory.newInstance(SOAPConstants.SOAP_1_1_PROTOCOL).createFault(reason, code));
        } catch (SOAPException e) {
            throw new WebServiceException(e);
        }
    }

    /** A plain DOM copy of the envelope (Wss4jHandler uses it too). */
    static Document plainCopy(SOAPPart part) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        Document doc = dbf.newDocumentBuilder().newDocument();
        doc.appendChild(doc.importNode(part.getEnvelope(), true));
        return doc;
    }

    static void log(String line) {
        System.err.println(Instant.now() + " /signed WS-Security: " + line);
    }

    @Override
    public boolean handleFault(SOAPMessageContext ctx) {
        return true;
    }

    @Override
    public void close(MessageContext ctx) {
    }
}
