package soapbridge.interop.files;

import javax.jws.WebService;
import javax.xml.ws.BindingType;
import javax.xml.ws.soap.Addressing;
import javax.xml.ws.soap.MTOM;
import javax.xml.ws.soap.SOAPBinding;

/**
 * SOAP 1.2 endpoint (/files12): the same operations as FileService, inherited.
 *
 * The class-level annotations are repeated because the runtime reads @WebService, @Addressing
 * and @MTOM from the implementation class only; the port name differs so the two WSDLs can be
 * told apart.
 */
@WebService(name = "FilePortType", serviceName = "FileService", portName = "FilePort12",
        targetNamespace = FileService.TNS)
@BindingType(SOAPBinding.SOAP12HTTP_MTOM_BINDING)
@Addressing(enabled = true, required = true)
@MTOM(enabled = true, threshold = 0)
public class FileService12 extends FileService {
}
