package dev.netfence.crds.ruleset;

/** A published NodeRuleSet or AddressSet that cannot be used, naming the object, the field and what is wrong. */
public class InvalidRuleSetException extends RuntimeException {
    private final String object;
    private final String fieldPath;

    public InvalidRuleSetException(String object, String fieldPath, String problem) {
        super(object + ": field " + fieldPath + ": " + problem);
        this.object = object;
        this.fieldPath = fieldPath;
    }

    public String object() {
        return object;
    }

    public String fieldPath() {
        return fieldPath;
    }
}
