package dev.netfence.enforcer.kube;

import java.util.List;

/**
 * Every API call the enforcer makes, as RBAC sees it; {@code src/main/kubernetes/enforcer-rbac.yaml}
 * grants exactly these, and {@code KubernetesRuleSetSourceIT} checks both against the requests sent.
 */
public final class EnforcerApiAccess {

    public record Permission(String apiGroup, String resource, String verb) {
    }

    public static final List<Permission> PERMISSIONS = List.of(
            // KubernetesRuleSetSource: informers (the NodeRuleSet by name, through a field selector)
            new Permission("netfence.dev", "noderulesets", "list"), new Permission("netfence.dev", "noderulesets", "watch"),
            new Permission("netfence.dev", "addresssets", "list"), new Permission("netfence.dev", "addresssets", "watch"),
            // NodeRuleSetStatusReporter
            new Permission("netfence.dev", "noderulesets/status", "update"),
            // NodePodCidrs: an informer on its own Node (by name, through a field selector), when
            // netfence.enforcer.pod-cidrs is not set
            new Permission("", "nodes", "list"), new Permission("", "nodes", "watch"));

    private EnforcerApiAccess() {
    }
}
