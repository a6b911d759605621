package dev.netfence.enforcer.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the plugin prints and its exit status. Errors are the CNI specification's error object
 * ({@code cniVersion}, {@code code}, {@code msg}, {@code details}) with a non-zero exit.
 */
public record CniResponse(int exitCode, String stdout) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** CNI 1.0 well-known error codes (the spec's "Error" section). */
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODING_FAILURE = 6;
    public static final int INVALID_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;

    public static CniResponse ok(String stdout) {
        return new CniResponse(0, stdout);
    }

    public static CniResponse error(String cniVersion, int code, String msg, String details) {
        ObjectNode e = JSON.createObjectNode();
        e.put("cniVersion", cniVersion);
        e.put("code", code);
        e.put("msg", msg);
        if (details != null) {
            e.put("details", details);
        }
        return new CniResponse(1, e.toString() + "\n");
    }
}
