package soapbridge.interop.files;

import javax.xml.namespace.QName;

/** A refused request: the WSS fault code (Wss.FAILED_CHECK, ...) and which check failed. */
final class WssFault extends Exception {
    private static final long serialVersionUID = 1L;

    final QName code;

    WssFault(QName code, String message) {
        super(message);
        this.code = code;
    }

    WssFault(QName code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }
}
