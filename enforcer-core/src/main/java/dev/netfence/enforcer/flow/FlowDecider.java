package dev.netfence.enforcer.flow;

import java.util.List;

/**
 * What a logging rule stands for, found by the id in its NFLOG prefix: the verdict it logs, the
 * direction of the pod it judged, and the deciding policies: for a denial the policies isolating
 * the pod in that direction (as {@code netfence explain} names them, {@code NetworkPolicy shop/web}),
 * for an allow the one policy and its rule's field path.
 */
public record FlowDecider(Verdict verdict, String direction, List<String> policies, String rule) {
    public FlowDecider {
        policies = List.copyOf(policies);
    }

    /** The verdicts of the flow log. */
    public enum Verdict {
        DENIED("denied"), ALLOWED("allowed"), WOULD_DENY("would-deny");

        private final String word;

        Verdict(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Verdict of(String word) {
            for (Verdict v : values()) {
                if (v.word.equals(word)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown verdict \"" + word + "\": write denied, allowed or would-deny");
        }
    }
}
