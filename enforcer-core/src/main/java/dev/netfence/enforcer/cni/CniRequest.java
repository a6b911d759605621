package dev.netfence.enforcer.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One plugin call as the front end ({@code enforcer-core/src/main/c/netfence-cni.c}) forwards it:
 * the line {@code NETFENCE-CNI 1}, the CNI variables as {@code NAME=value} lines, an empty line, then
 * the network configuration (the plugin's stdin) up to the end of the stream.
 */
public record CniRequest(Map<String, String> env, byte[] config) {
    public static final String MAGIC = "NETFENCE-CNI 1";
    /** Far above any conflist a runtime sends; a bound so a broken client cannot exhaust memory. */
    public static final int MAX_BYTES = 4 * 1024 * 1024 + 64 * 1024;

    public CniRequest {
        env = Map.copyOf(env);
    }

    public String get(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    public String command() {
        return get("CNI_COMMAND");
    }

    /** Reads one request; a malformed frame is an {@link IOException} (the front end is out of date or broken). */
    public static CniRequest read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            all.write(buf, 0, n);
            if (all.size() > MAX_BYTES) {
                throw new IOException("request larger than " + MAX_BYTES + " bytes");
            }
        }
        byte[] bytes = all.toByteArray();
        Map<String, String> env = new LinkedHashMap<>();
        int pos = 0;
        boolean first = true;
        while (true) {
            int nl = indexOf(bytes, pos);
            if (nl < 0) {
                throw new IOException("request ends inside its header");
            }
            String line = new String(bytes, pos, nl - pos, StandardCharsets.UTF_8);
            pos = nl + 1;
            if (first) {
                if (!line.equals(MAGIC)) {
                    throw new IOException("request does not start with '" + MAGIC + "'");
                }
                first = false;
                continue;
            }
            if (line.isEmpty()) {
                break;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IOException("header line is not NAME=value");
            }
            env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        byte[] config = new byte[bytes.length - pos];
        System.arraycopy(bytes, pos, config, 0, config.length);
        return new CniRequest(env, config);
    }

    /** The request as the front end writes it (tests and the benchmark drive the server with it). */
    public byte[] encode() {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n');
        env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        sb.append('\n');
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + config.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(config, 0, out, head.length, config.length);
        return out;
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
