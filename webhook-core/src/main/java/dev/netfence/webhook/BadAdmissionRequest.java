package dev.netfence.webhook;

/** The request is not a usable AdmissionReview v1; answered with HTTP 400 and this reason. */
public class BadAdmissionRequest extends RuntimeException {
    public BadAdmissionRequest(String reason) {
        super(reason);
    }
}
