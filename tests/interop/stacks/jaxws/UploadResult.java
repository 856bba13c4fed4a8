package soapbridge.interop.files;

import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlType;

/** Answer of upload: what the service received, so a client can check a large binary end to end. */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "UploadResult", propOrder = {"name", "size", "sha256"})
public class UploadResult {
    public String name;
    /** Number of bytes received. */
    public long size;
    /** SHA-256 of the bytes received, lower-case hex. */
    public String sha256;

    public UploadResult() {
    }

    public UploadResult(String name, long size, String sha256) {
        this.name = name;
        this.size = size;
        this.sha256 = sha256;
    }
}
