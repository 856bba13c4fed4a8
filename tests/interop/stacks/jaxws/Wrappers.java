package soapbridge.interop.files;

import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlElement;
import javax.xml.bind.annotation.XmlRootElement;
import javax.xml.bind.annotation.XmlType;

/**
 * The request and response wrapper elements of the four operations (document/literal wrapped),
 * written out by hand: these are the beans the JAX-WS runtime would otherwise generate with ASM
 * at start-up, and the Debian build of the runtime references a bundled copy of ASM that the
 * package does not ship (NoClassDefFoundError com/sun/xml/ws/org/objectweb/asm/Type).
 *
 * They follow the runtime's own naming (element and type `op` / `opResponse` in the target
 * namespace, unqualified children), so the WSDL is the one the runtime would have produced.
 * FileService names each class with @RequestWrapper / @ResponseWrapper.
 */
public final class Wrappers {
    private Wrappers() {
    }

    @XmlRootElement(name = "echo")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "echo")
    public static class Echo {
        @XmlElement(name = "text", namespace = "")
        public String text;
    }

    @XmlRootElement(name = "echoResponse")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "echoResponse")
    public static class EchoResponse {
        @XmlElement(name = "text", namespace = "")
        public String text;
    }

    @XmlRootElement(name = "upload")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "upload", propOrder = {"name", "data"})
    public static class Upload {
        @XmlElement(name = "name", namespace = "")
        public String name;
        @XmlElement(name = "data", namespace = "")
        public byte[] data;
    }

    @XmlRootElement(name = "uploadResponse")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "uploadResponse")
    public static class UploadResponse {
        @XmlElement(name = "result", namespace = "")
        public UploadResult result;
    }

    @XmlRootElement(name = "download")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "download")
    public static class Download {
        @XmlElement(name = "size", namespace = "")
        public int size;
    }

    @XmlRootElement(name = "downloadResponse")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "downloadResponse")
    public static class DownloadResponse {
        @XmlElement(name = "data", namespace = "")
        public byte[] data;
    }

    @XmlRootElement(name = "whoAmI")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "whoAmI")
    public static class WhoAmI {
    }

    @XmlRootElement(name = "whoAmIResponse")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "whoAmIResponse")
    public static class WhoAmIResponse {
        @XmlElement(name = "seen", namespace = "")
        public AddressingSeen seen;
    }
}
