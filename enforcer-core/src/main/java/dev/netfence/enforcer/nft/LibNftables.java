package dev.netfence.enforcer.nft;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The part of {@code libnftables.so.1} Netfence uses (see {@code libnftables(3)}). Loaded by its
 * name "nftables": JNA finds the versioned {@code .so.1} without the -dev package.
 */
interface LibNftables extends Library {
    int NFT_CTX_DEFAULT = 0;
    int NFT_CTX_OUTPUT_STATELESS = 1 << 2;
    int NFT_CTX_OUTPUT_HANDLE = 1 << 3;
    int NFT_CTX_OUTPUT_JSON = 1 << 4;
    /** Omit set elements from listings: counters can be read without dumping 100,000 addresses. */
    int NFT_CTX_OUTPUT_TERSE = 1 << 11;

    Pointer nft_ctx_new(int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_buffer_output(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    String nft_ctx_get_output_buffer(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);

    int nft_ctx_output_get_flags(Pointer ctx);

    void nft_ctx_output_set_flags(Pointer ctx, int flags);

    int nft_run_cmd_from_buffer(Pointer ctx, String buffer);

    static LibNftables load() {
        return Native.load("nftables", LibNftables.class);
    }
}
