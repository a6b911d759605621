package dev.netfence.images;

import dev.netfence.lab.netns.NamespaceExecutor;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain HTTP GET as a kubelet's httpGet probe sends it, from a socket in a given network namespace. */
final class Http {
    private Http() {
    }

    /** The status code of {@code GET path} on host:port, connecting from {@code in}'s namespace; -1 when nothing answers. */
    static int get(NamespaceExecutor in, String host, int port, String path) throws Exception {
        return in.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUser-Agent: kube-probe/1.30\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in2 = s.getInputStream();
                String head = new String(in2.readNBytes(12), StandardCharsets.US_ASCII);   // HTTP/1.1 200
                return head.length() == 12 ? Integer.parseInt(head.substring(9, 12)) : -1;
            } catch (java.io.IOException e) {
                return -1;
            }
        });
    }
}
