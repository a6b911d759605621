package dev.netfence.cli.demo;

import com.sun.net.httpserver.HttpServer;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogReader;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.flow.FlowQuery;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The flow log of each demo node's enforcer, as the enforcer application runs it with its defaults
 * ({@link FlowLogSettings#DEFAULTS}: denials logged, 300 records/s for the node): a {@link FlowLog}
 * given to the node's enforcer loop (which adds the logging rules to every table it applies), a
 * {@link FlowLogReader} bound to the NFLOG group inside the node's namespace, and {@code GET /flows}
 * answered by {@link FlowQuery} as the enforcer's HTTP port answers it, here on a loopback port of
 * the demo's own namespace per node, so that {@code netfence flows --url} reads a demo node as it
 * reads a cluster node. Records are not written as JSON log lines (the demo's screen is the terminal).
 */
final class NodeFlowLogs implements AutoCloseable {
    private final Map<String, FlowLog> logs = new LinkedHashMap<>();
    private final Map<String, FlowLogReader> readers = new LinkedHashMap<>();
    private final Map<String, HttpServer> servers = new HashMap<>();

    /** The node's flow log, its reader bound in the node's namespace; give it to the node's loop before it starts. */
    synchronized FlowLog start(Lab lab, LabNode node) {
        FlowLog log = new FlowLog(node.name(), FlowLogSettings.DEFAULTS).jsonLines(false);
        readers.put(node.name(), FlowLogReader.start(log, Optional.of(lab.nodeNamespace(node.name()))));
        logs.put(node.name(), log);
        return log;
    }

    synchronized FlowLog log(String node) {
        FlowLog log = logs.get(node);
        if (log == null) {
            throw new IllegalStateException("node " + node + " has no flow log; nodes: " + logs.keySet());
        }
        return log;
    }

    /**
     * The node's {@code GET /flows} address, {@code http://127.0.0.1:PORT}, served from here on. Call
     * from the demo's own thread: the server binds in the calling thread's network namespace.
     */
    synchronized String url(String node) {
        HttpServer server = servers.get(node);
        if (server == null) {
            FlowLog log = log(node);
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serve node " + node + "'s flow log on the loopback", e);
            }
            server.createContext("/flows", exchange -> {
                Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
                FlowQuery.Answer answer = "GET".equals(exchange.getRequestMethod()) ? FlowQuery.answer(log, params::get)
                        : new FlowQuery.Answer(405, "text/plain", "GET /flows only\n");
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("content-type", answer.contentType());
                exchange.sendResponseHeaders(answer.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            servers.put(node, server);
        }
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                String[] p = kv.split("=", 2);
                out.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), p.length < 2 ? "" : URLDecoder.decode(p[1], StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(s -> s.stop(0));
        readers.values().forEach(FlowLogReader::close);
        servers.clear();
        readers.clear();
    }
}
