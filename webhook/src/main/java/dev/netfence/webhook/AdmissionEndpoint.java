package dev.netfence.webhook;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /validate}: AdmissionReview v1 in, AdmissionReview v1 out; 400 with a reason for anything else. */
@Path("/validate")
public class AdmissionEndpoint {

    private final AdmissionReviewHandler handler;

    AdmissionEndpoint(AdmissionReviewHandler handler) {
        this.handler = handler;
    }

    /**
     * Non-blocking signature on purpose: the body is then read in full on the I/O thread before the
     * method runs. A blocking method would read it with blocking I/O, which under HTTP/2 (what the API
     * server speaks) deadlocks worker threads against the connection once several streams are in flight.
     * The judging itself runs on a worker thread.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> validate(byte[] body) {
        return Uni.createFrom().item(() -> {
            AdmissionReviewHandler.Answer a = handler.handle(body);
            return Response.status(a.status()).type(a.contentType()).entity(a.body()).build();
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
