package soapbridge.interop.files;

import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlType;

/** Answer of whoAmI: the WS-Addressing headers of the request; an absent header is left out. */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "AddressingSeen", propOrder = {"action", "messageId", "to", "replyTo"})
public class AddressingSeen {
    public String action;
    public String messageId;
    public String to;
    /** The Address inside wsa:ReplyTo. */
    public String replyTo;
}
