package dev.netfence.policy.analysis;

import java.util.List;

/**
 * A change to the policies of one namespace: objects removed and objects added. An UPDATE removes
 * the old version and adds the new one; lint "adds" every object of a namespace found in the files.
 * {@code subject} is the object findings are reported on (the new version, or the old one on DELETE).
 */
public record Change(Operation operation, List<PolicyObject> removed, List<PolicyObject> added, PolicyObject subject) {

    public enum Operation { CREATE, UPDATE, DELETE }

    public Change {
        removed = List.copyOf(removed);
        added = List.copyOf(added);
    }

    public static Change create(PolicyObject object) {
        return new Change(Operation.CREATE, List.of(), List.of(object), object);
    }

    public static Change update(PolicyObject oldObject, PolicyObject newObject) {
        return new Change(Operation.UPDATE, List.of(oldObject), List.of(newObject), newObject);
    }

    public static Change delete(PolicyObject oldObject) {
        return new Change(Operation.DELETE, List.of(oldObject), List.of(), oldObject);
    }

    /** The namespace of the change's objects, or null for a ClusterNetworkPolicy (cluster-scoped). */
    public String namespace() {
        return subject.namespace();
    }
}
