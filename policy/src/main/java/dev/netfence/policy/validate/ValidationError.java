package dev.netfence.policy.validate;

import dev.netfence.policy.model.ObjectRef;

/** One problem with an object: which object, which field, what is wrong and how to fix it. */
public record ValidationError(ObjectRef object, String fieldPath, String message) {
    @Override
    public String toString() {
        return object + ": " + fieldPath + ": " + message;
    }
}
