package soapbridge.interop.files;

import java.util.Set;

import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.soap.SOAPMessage;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import javax.xml.transform.dom.DOMResult;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.sax.SAXTransformerFactory;
import javax.xml.transform.sax.TransformerHandler;
import javax.xml.ws.WebServiceException;
import javax.xml.ws.handler.MessageContext;

import org.w3c.dom.Document;
import org.xml.sax.helpers.DefaultHandler;

import com.sun.xml.ws.api.handler.MessageHandler;
import com.sun.xml.ws.api.handler.MessageHandlerContext;
import com.sun.xml.ws.api.message.FilterMessageImpl;
import com.sun.xml.ws.api.message.Message;
import com.sun.xml.ws.api.message.Messages;
import com.sun.xml.ws.util.xml.XMLStreamWriterFilter;

/**
 * The signing half of the /signed endpoint: every answer that is not a fault gets a wsse:Security
 * header signed with the backend's key (WssSigner).
 *
 * This is a JAX-WS RI MessageHandler, not a standard SOAPHandler, because of a bug in the Debian
 * runtime: SOAPMessageContext.getMessage() on an answer marshals it with JAXB into SAAJ, and JAXB
 * writes a CR or LF in text as an entity reference (&#xa;), which SAAJ refuses ("SAAJ0543: Entity
 * References are not allowed in SOAP documents", metro-jax-ws issue 1220 / JDK-8196491), so any
 * answer with a line break became a Server fault. Here the answer is written as SAX events
 * straight into a plain DOM instead, which JAXB fills with ordinary text.
 *
 * The signed DOM goes back as a SAAJ message, written out by the JDK's StAX writer, which puts a
 * CR in text on the wire raw: a parser reads it as LF, so the text would change and the Body
 * digest would no longer match. CrAsReference writes it as &#xd; instead, as JAXB does for the
 * unsigned endpoints.
 */
final class WssSigningHandler implements MessageHandler<MessageHandlerContext> {
    private final WssSigner signer;

    WssSigningHandler(WssSigner signer) {
        this.signer = signer;
    }

    /** No header of the request is processed here (WssHandler takes wsse:Security). */
    @Override
    public Set<QName> getHeaders() {
        return Set.of();
    }

    @Override
    public boolean handleMessage(MessageHandlerContext ctx) {
        if (!Boolean.TRUE.equals(ctx.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY))) {
            return true;
        }
        Message answer = ctx.getMessage();
        if (answer == null || answer.isFault()) {
            return true;
        }
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            TransformerHandler toDom = ((SAXTransformerFactory) SAXTransformerFactory.newInstance()).newTransformerHandler();
            toDom.setResult(new DOMResult(doc));
            answer.writeTo(toDom, new DefaultHandler());
            signer.sign(doc);
            // Back into a message through SAAJ, which writes the DOM out as it is.
            SOAPMessage signed = ctx.getWSBinding().getSOAPVersion().getMessageFactory().createMessage();
            signed.getSOAPPart().setContent(new DOMSource(doc));
            ctx.setMessage(new CrAsReference(Messages.create(signed)));
        } catch (Exception e) {
            WssHandler.log("could not sign the answer: " + e);
            throw new WebServiceException("could not sign the answer", e);
        }
        return true;
    }

    /** The message as it is, but written with every CR in text as the reference &#xd;. */
    private static final class CrAsReference extends FilterMessageImpl {
        CrAsReference(Message m) {
            super(m);
        }

        @Override
        public void writeTo(XMLStreamWriter out) throws XMLStreamException {
            super.writeTo(new XMLStreamWriterFilter(out) {
                @Override
                public void writeCharacters(String text) throws XMLStreamException {
                    int from = 0;
                    for (int cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', from)) {
                        super.writeCharacters(text.substring(from, cr));
                        super.writeEntityRef("#xd");
                        from = cr + 1;
                    }
                    super.writeCharacters(text.substring(from));
                }

                @Override
                public void writeCharacters(char[] text, int start, int len) throws XMLStreamException {
                    writeCharacters(new String(text, start, len));
                }
            });
        }
    }

    @Override
    public boolean handleFault(MessageHandlerContext ctx) {
        return true;
    }

    @Override
    public void close(MessageContext ctx) {
    }
}
