package dev.netfence.operator.status;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How far one policy object (a NetworkPolicy or a DefaultDeny, both directions together) is in
 * force: the pods it isolates, the nodes that must enforce it (nodes running those pods), the nodes
 * whose enforcer applied the current NodeRuleSet, and the errors enforcers reported.
 */
public final class PolicyRealization {
    private final Set<String> pods = new TreeSet<>();
    private final Set<String> nodesDesired = new TreeSet<>();
    private final Set<String> nodesRealized = new TreeSet<>();
    private final Map<String, String> nodeErrors = new TreeMap<>();

    void addPod(String podKey) {
        pods.add(podKey);
    }

    void addNode(String node, boolean realized, String error) {
        nodesDesired.add(node);
        if (realized) {
            nodesRealized.add(node);
        }
        if (error != null) {
            nodeErrors.put(node, error);
        }
    }

    public int selectedPods() {
        return pods.size();
    }

    public Set<String> nodesDesired() {
        return nodesDesired;
    }

    public Set<String> nodesRealized() {
        return nodesRealized;
    }

    public Map<String, String> nodeErrors() {
        return nodeErrors;
    }

    public boolean enforced() {
        return nodesRealized.size() == nodesDesired.size();
    }

    /** One line for kubectl users, also the NetworkPolicy annotation's value. */
    public String summary() {
        String s = (enforced() ? "Enforced" : nodeErrors.isEmpty() ? "Pending" : "Failed") + ": " + nodesRealized.size()
                + "/" + nodesDesired.size() + " nodes, " + pods.size() + " pods";
        if (!nodeErrors.isEmpty()) {
            Map.Entry<String, String> first = nodeErrors.entrySet().iterator().next();
            s += "; node " + first.getKey() + ": " + first.getValue();
        }
        return s;
    }

    /** Equal when the same pods, nodes and node errors: what the status is built from. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyRealization r && pods.equals(r.pods) && nodesDesired.equals(r.nodesDesired)
                && nodesRealized.equals(r.nodesRealized) && nodeErrors.equals(r.nodeErrors);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(pods, nodesDesired, nodesRealized, nodeErrors);
    }

    public static PolicyRealization none() {
        return new PolicyRealization();
    }
}
