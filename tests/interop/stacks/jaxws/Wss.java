package soapbridge.interop.files;

import java.util.ArrayList;
import java.util.List;

import javax.xml.namespace.QName;

import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The WS-Security 1.0 names (OASIS X.509 token profile) and the few DOM look-ups that
 * WssVerifier and WssSigner share.
 */
final class Wss {
    private Wss() {
    }

    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String XMLNS = "http://www.w3.org/2000/xmlns/";
    static final String SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";

    private static final String PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-";
    static final String X509V3 = PROFILE + "x509-token-profile-1.0#X509v3";
    static final String SKI = PROFILE + "x509-token-profile-1.0#X509SubjectKeyIdentifier";
    static final String BASE64 = PROFILE + "soap-message-security-1.0#Base64Binary";

    static final QName SECURITY = new QName(WSSE, "Security", "wsse");

    // The WSS 1.0 fault codes (SOAP Message Security 1.0, section 12) this service answers.
    static final QName INVALID_SECURITY = new QName(WSSE, "InvalidSecurity", "wsse");
    static final QName TOKEN_UNAVAILABLE = new QName(WSSE, "SecurityTokenUnavailable", "wsse");
    static final QName FAILED_CHECK = new QName(WSSE, "FailedCheck", "wsse");
    static final QName MESSAGE_EXPIRED = new QName(WSSE, "MessageExpired", "wsse");

    /** The element children of parent with this namespace and local name, in document order. */
    static List<Element> children(Node parent, String ns, String local) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && ns.equals(n.getNamespaceURI())
                    && local.equals(n.getLocalName())) {
                out.add((Element) n);
            }
        }
        return out;
    }

    /** The only such child, or null when there is none; more than one is an error. */
    static Element child(Node parent, String ns, String local) throws WssFault {
        List<Element> all = children(parent, ns, local);
        if (all.size() > 1) {
            throw new WssFault(INVALID_SECURITY, "more than one " + local + " in " + parent.getLocalName());
        }
        return all.isEmpty() ? null : all.get(0);
    }

    /** The value of an attribute without namespace, or null when it is absent. */
    static String attr(Element e, String name) {
        return e.hasAttributeNS(null, name) ? e.getAttributeNS(null, name) : null;
    }
}
