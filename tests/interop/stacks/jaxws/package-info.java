// One namespace for the result types and the operation wrappers, so the WSDL has one schema.
// Child elements stay unqualified (the JAXB and JAX-WS default).
@XmlSchema(namespace = "urn:soapbridge:interop:files")
package soapbridge.interop.files;

import javax.xml.bind.annotation.XmlSchema;
