package dev.netfence.policy.eval;

import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/** The upstream e2e cases of {@link E2eReachabilityTest} (package-private there) as named policy lists. */
public final class E2eAccess {
    private E2eAccess() {
    }

    public static List<Arguments> tcp80Cases() {
        return E2eReachabilityTest.tcp80Cases().map(a -> {
            @SuppressWarnings("unchecked")
            Named<E2eReachabilityTest.Case> named = (Named<E2eReachabilityTest.Case>) a.get()[0];
            return Arguments.of(Named.of(named.getName(), named.getPayload().policies()));
        }).toList();
    }
}
