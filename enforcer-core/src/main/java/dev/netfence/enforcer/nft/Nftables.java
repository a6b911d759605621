package dev.netfence.enforcer.nft;

import com.sun.jna.Pointer;

/**
 * Runs nftables command buffers through libnftables. Every call creates its own context on the
 * calling thread and frees it after: the netlink socket is opened in the network namespace of
 * the calling thread, so a thread that entered a namespace with {@code setns(2)} programs that
 * namespace. Nothing per-namespace is cached here; only the library handle is shared.
 */
public final class Nftables {

    private static volatile LibNftables lib;

    private static LibNftables lib() {
        LibNftables l = lib;
        if (l == null) {
            synchronized (Nftables.class) {
                if (lib == null) {
                    lib = LibNftables.load();
                }
                l = lib;
            }
        }
        return l;
    }

    /** True when libnftables.so.1 can be loaded here. */
    public static boolean available() {
        try {
            lib();
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Runs {@code commands} as one transaction and returns the text output. */
    public String run(String commands) {
        return run(commands, 0);
    }

    /** Runs a listing command with JSON output ({@code list table inet netfence}). */
    public String json(String command) {
        return run(command, LibNftables.NFT_CTX_OUTPUT_JSON);
    }

    /** A JSON listing without set elements (counters, rules, set declarations). */
    public String jsonTerse(String command) {
        return run(command, LibNftables.NFT_CTX_OUTPUT_JSON | LibNftables.NFT_CTX_OUTPUT_TERSE);
    }

    /** A text listing without counter values ({@code nft -s}): equal as long as nobody changed the table. */
    public String stateless(String command) {
        return run(command, LibNftables.NFT_CTX_OUTPUT_STATELESS);
    }

    private String run(String commands, int outputFlags) {
        LibNftables l = lib();
        Pointer ctx = l.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        if (ctx == null) {
            throw new NftablesException("nft_ctx_new failed");
        }
        try {
            l.nft_ctx_buffer_output(ctx);
            l.nft_ctx_buffer_error(ctx);
            l.nft_ctx_output_set_flags(ctx, outputFlags);
            int rc = l.nft_run_cmd_from_buffer(ctx, commands);
            if (rc != 0) {
                String err = l.nft_ctx_get_error_buffer(ctx);
                throw new NftablesException(err == null || err.isBlank() ? "nftables failed (" + rc + ")" : err.strip());
            }
            String out = l.nft_ctx_get_output_buffer(ctx);
            return out == null ? "" : out;
        } finally {
            l.nft_ctx_free(ctx);
        }
    }
}
