package dev.netfence.enforcer.nft;

/** libnftables rejected a command buffer; the message is its error output. */
public class NftablesException extends RuntimeException {
    public NftablesException(String message) {
        super(message);
    }
}
