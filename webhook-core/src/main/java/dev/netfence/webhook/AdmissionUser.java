package dev.netfence.webhook;

import java.util.List;

/** Who asks: the AdmissionReview's {@code request.userInfo} (authenticated by the API server). */
public record AdmissionUser(String username, List<String> groups) {

    public static final AdmissionUser NOBODY = new AdmissionUser("", List.of());

    public AdmissionUser {
        username = username == null ? "" : username;
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
