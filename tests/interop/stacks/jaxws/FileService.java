package soapbridge.interop.files;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import javax.annotation.Resource;
import javax.jws.WebMethod;
import javax.jws.WebParam;
import javax.jws.WebResult;
import javax.jws.WebService;
import javax.xml.namespace.QName;
import javax.xml.ws.Action;
import javax.xml.ws.RequestWrapper;
import javax.xml.ws.ResponseWrapper;
import javax.xml.ws.WebServiceContext;
import javax.xml.ws.WebServiceException;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.soap.Addressing;
import javax.xml.ws.soap.MTOM;

import com.sun.xml.ws.api.addressing.AddressingVersion;
import com.sun.xml.ws.api.addressing.WSEndpointReference;
import com.sun.xml.ws.api.message.Header;
import com.sun.xml.ws.api.message.MessageHeaders;
import com.sun.xml.ws.developer.JAXWSProperties;

/**
 * SOAP 1.1 endpoint (/files) of the JAX-WS RI interop service: document/literal wrapped,
 * WS-Addressing required, MTOM on for every binary (threshold 0).
 *
 * echo carries explicit wsam:Action values; upload, download and whoAmI keep the actions the
 * runtime derives from the WSDL names, so clients see both forms.
 *
 * The wrapper children (text, name, data, size) are unqualified, which is what a JAX-WS service
 * produces unless told otherwise; package-info.java puts the two result types in the same
 * namespace so the WSDL carries a single schema.
 */
@WebService(name = "FilePortType", serviceName = "FileService", portName = "FilePort",
        targetNamespace = FileService.TNS)
@Addressing(enabled = true, required = true)
@MTOM(enabled = true, threshold = 0)
public class FileService {
    public static final String TNS = "urn:soapbridge:interop:files";
    /** The W3C WS-Addressing 1.0 namespace (2005/08), the one @Addressing speaks. */
    static final String WSA = "http://www.w3.org/2005/08/addressing";
    /** Prefix of the hand-written wrapper beans (see Wrappers.java). */
    static final String W = "soapbridge.interop.files.Wrappers$";
    /** download answers are built in memory; refuse sizes that could exhaust the heap. */
    static final int MAX_DOWNLOAD = 64 * 1024 * 1024;

    @Resource
    private WebServiceContext context;

    @WebMethod(operationName = "echo")
    @RequestWrapper(localName = "echo", targetNamespace = TNS, className = W + "Echo")
    @ResponseWrapper(localName = "echoResponse", targetNamespace = TNS, className = W + "EchoResponse")
    @Action(input = TNS + ":echo", output = TNS + ":echoResponse")
    @WebResult(name = "text")
    public String echo(@WebParam(name = "text") String text) {
        return text;
    }

    @WebMethod(operationName = "upload")
    @RequestWrapper(localName = "upload", targetNamespace = TNS, className = W + "Upload")
    @ResponseWrapper(localName = "uploadResponse", targetNamespace = TNS, className = W + "UploadResponse")
    @WebResult(name = "result")
    public UploadResult upload(@WebParam(name = "name") String name, @WebParam(name = "data") byte[] data) {
        byte[] bytes = data == null ? new byte[0] : data;
        return new UploadResult(name, bytes.length, hex(sha256(bytes)));
    }

    @WebMethod(operationName = "download")
    @RequestWrapper(localName = "download", targetNamespace = TNS, className = W + "Download")
    @ResponseWrapper(localName = "downloadResponse", targetNamespace = TNS, className = W + "DownloadResponse")
    @WebResult(name = "data")
    public byte[] download(@WebParam(name = "size") int size) {
        if (size < 0 || size > MAX_DOWNLOAD) {
            throw new WebServiceException("size must be between 0 and " + MAX_DOWNLOAD + ", got " + size);
        }
        // Deterministic content, so a client can check any length without a reference file.
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) ((i * 31 + 7) & 0xff);
        }
        return out;
    }

    @WebMethod(operationName = "whoAmI")
    @RequestWrapper(localName = "whoAmI", targetNamespace = TNS, className = W + "WhoAmI")
    @ResponseWrapper(localName = "whoAmIResponse", targetNamespace = TNS, className = W + "WhoAmIResponse")
    @WebResult(name = "seen")
    public AddressingSeen whoAmI() {
        // Report the WS-Addressing headers exactly as they arrived (null when absent), rather than
        // the defaults the runtime would fill in, so a client test can assert what it sent.
        MessageContext mc = context.getMessageContext();
        MessageHeaders headers = (MessageHeaders) mc.get(JAXWSProperties.INBOUND_HEADER_LIST_PROPERTY);
        AddressingSeen seen = new AddressingSeen();
        if (headers == null) {
            return seen;
        }
        seen.action = text(headers.get(new QName(WSA, "Action"), false));
        seen.messageId = text(headers.get(new QName(WSA, "MessageID"), false));
        seen.to = text(headers.get(new QName(WSA, "To"), false));
        Header replyTo = headers.get(new QName(WSA, "ReplyTo"), false);
        if (replyTo != null) {
            try {
                WSEndpointReference epr = replyTo.readAsEPR(AddressingVersion.W3C);
                seen.replyTo = epr.getAddress();
            } catch (Exception e) {
                throw new WebServiceException("unreadable wsa:ReplyTo", e);
            }
        }
        return seen;
    }

    private static String text(Header h) {
        return h == null ? null : h.getStringContent().trim();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }
}
