package dev.netfence.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/** {@code POST /validate}: AdmissionReview v1 in, AdmissionReview v1 out; 400 with a reason for anything else. */
@Path("/validate")
public class AdmissionEndpoint {

    private static final Logger LOG = Logger.getLogger(AdmissionEndpoint.class);

    private final ObjectMapper mapper;
    private final AdmissionReviewHandler handler;

    AdmissionEndpoint(ObjectMapper mapper, AdmissionReviewHandler handler) {
        this.mapper = mapper;
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
    public Uni<Response> validate(String body) {
        return Uni.createFrom().item(() -> answer(body)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Response answer(String body) {
        try {
            if (body == null || body.isBlank()) {
                return badRequest("empty body: send an AdmissionReview (admission.k8s.io/v1) as JSON");
            }
            JsonNode review;
            try {
                review = mapper.readTree(body);
            } catch (JsonProcessingException e) {
                return badRequest("the body is not JSON: " + e.getOriginalMessage());
            }
            return Response.ok(handler.answer(review), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (BadAdmissionRequest e) {
            return badRequest(e.getMessage());
        } catch (RuntimeException e) {
            // A bug must not turn into a 500 that the API server reports without context: answer 400 with the reason.
            LOG.error("cannot judge admission request", e);
            return badRequest("netfence could not judge this request: " + e);
        }
    }

    private static Response badRequest(String reason) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.TEXT_PLAIN_TYPE).entity(reason + "\n").build();
    }
}
