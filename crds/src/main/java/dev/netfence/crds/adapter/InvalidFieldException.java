package dev.netfence.crds.adapter;

/**
 * A field of a Kubernetes object that cannot be translated into the engine's records (an address
 * that is not an IP, an unknown protocol). {@code fieldPath} is relative to the object
 * ({@code status.podIPs[1].ip}); callers add which object and where it came from.
 */
public class InvalidFieldException extends RuntimeException {

    private final String fieldPath;

    public InvalidFieldException(String fieldPath, String message) {
        super(message);
        this.fieldPath = fieldPath;
    }

    public String fieldPath() {
        return fieldPath;
    }
}
