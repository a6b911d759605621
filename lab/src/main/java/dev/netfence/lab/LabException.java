package dev.netfence.lab;

/** The lab could not be built, used or removed; the message says what and how to fix it. */
public class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
