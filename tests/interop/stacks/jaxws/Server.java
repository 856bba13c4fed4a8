package soapbridge.interop.files;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.xml.ws.Endpoint;
import javax.xml.ws.handler.Handler;

import com.sun.net.httpserver.HttpServer;

/**
 * usage: Server PORT
 *
 * Publishes FileService (SOAP 1.1, /files) and FileService12 (SOAP 1.2, /files12) with
 * javax.xml.ws.Endpoint on the JDK's built-in HTTP server, and FileService a third time at
 * /signed behind WS-Security: WssHandler requires an X.509 signature on every request,
 * WssSigningHandler signs every answer. A fourth time at /wss4j, where Apache WSS4J verifies each
 * request's signature instead (Wss4jHandler) and answers go out unsigned.
 *
 * The /signed and /wss4j keys come from system properties (start.sh passes absolute paths); the
 * defaults are the repository's test PKI, relative to the working directory:
 *   soapbridge.wss.ca           the trusted CA (examples/ws-security/keys/ca.pem)
 *   soapbridge.wss.clientCert   the client certificate a request may name by IssuerSerial or
 *                               SubjectKeyIdentifier instead of sending it (cert.pem)
 * and, for /signed only:
 *   soapbridge.wss.signKey      the key answers are signed with (backend-key.pem)
 *   soapbridge.wss.signCert     its certificate, sent as the BinarySecurityToken (backend-cert.pem)
 *
 * The HttpServer is created here rather than by Endpoint.publish(url) so that the socket is
 * bound to 127.0.0.1 explicitly and the endpoints share one server and one thread pool (the
 * JDK server would otherwise run every exchange on its single dispatcher thread).
 */
public final class Server {
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Server PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        HttpServer http = HttpServer.create(new InetSocketAddress(loopback, port), 64);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        http.setExecutor(pool);

        Endpoint soap11 = Endpoint.create(new FileService());
        soap11.publish(http.createContext("/files"));
        Endpoint soap12 = Endpoint.create(new FileService12());
        soap12.publish(http.createContext("/files12"));
        // Same implementation and WSDL as /files; only the handler chain differs. The keys are
        // read now, so a missing PEM file stops the start-up instead of failing each request.
        Endpoint signed = Endpoint.create(new FileService());
        signed.getBinding().setHandlerChain(wssHandlers());
        signed.publish(http.createContext("/signed"));
        // WSS4J is set up here too, so that a missing jar stops the start-up.
        Endpoint wss4j = Endpoint.create(new FileService());
        wss4j.getBinding().setHandlerChain(wss4jHandlers());
        wss4j.publish(http.createContext("/wss4j"));
        http.start();

        // stop.sh sends TERM: close the listening socket promptly so the port is free again.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            soap11.stop();
            soap12.stop();
            signed.stop();
            wss4j.stop();
            http.stop(0);
            pool.shutdownNow();
        }));
        System.out.println("listening on http://127.0.0.1:" + port + "/files, /files12, /signed and /wss4j");
    }

    @SuppressWarnings("rawtypes") // Binding.setHandlerChain takes the raw List<Handler>
    private static List<Handler> wssHandlers() throws Exception {
        X509Certificate ca = Pem.certificate(key("soapbridge.wss.ca", "ca.pem"));
        X509Certificate client = Pem.certificate(key("soapbridge.wss.clientCert", "cert.pem"));
        WssSigner signer = new WssSigner(Pem.privateKey(key("soapbridge.wss.signKey", "backend-key.pem")),
                Pem.certificate(key("soapbridge.wss.signCert", "backend-cert.pem")));
        return List.of(new WssHandler(new WssVerifier(ca, client)), new WssSigningHandler(signer));
    }

    @SuppressWarnings("rawtypes") // as above
    private static List<Handler> wss4jHandlers() throws Exception {
        return List.of(new Wss4jHandler(Pem.certificate(key("soapbridge.wss.ca", "ca.pem")),
                Pem.certificate(key("soapbridge.wss.clientCert", "cert.pem"))));
    }

    private static Path key(String property, String file) {
        return Path.of(System.getProperty(property, "examples/ws-security/keys/" + file));
    }
}
