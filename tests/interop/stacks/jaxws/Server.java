package soapbridge.interop.files;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.xml.ws.Endpoint;

import com.sun.net.httpserver.HttpServer;

/**
 * usage: Server PORT
 *
 * Publishes FileService (SOAP 1.1, /files) and FileService12 (SOAP 1.2, /files12) with
 * javax.xml.ws.Endpoint on the JDK's built-in HTTP server.
 *
 * The HttpServer is created here rather than by Endpoint.publish(url) so that the socket is
 * bound to 127.0.0.1 explicitly and both endpoints share one server and one thread pool (the
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
        http.start();

        // stop.sh sends TERM: close the listening socket promptly so the port is free again.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            soap11.stop();
            soap12.stop();
            http.stop(0);
            pool.shutdownNow();
        }));
        System.out.println("listening on http://127.0.0.1:" + port + "/files and /files12");
    }
}
