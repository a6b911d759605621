package dev.netfence.enforcer.revoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.datapath.RecordingDatapath;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The revoker against the recording datapath's conntrack table: exactly the denied entries of the
 * targets are deleted, and with more targets than {@link ConnectionRevoker#FILTERED_DUMPS_MAX} one
 * unfiltered dump per family gives the same deletions as one filtered dump per target.
 */
class ConnectionRevokerTest {
    /** The shop with db's ingress closed: web -> db:5432 is denied now, api -> web:8080 still allowed. */
    private static final ResolvedRuleSet DB_CLOSED = RuleSetCompiler.compile(SampleClusters.shop().toBuilder()
            .policy(new NetworkPolicy("shop", "db-ingress", LabelSelector.of("app", "db"), List.of("Ingress"), List.of(),
                    null, Map.of())).build()).forNode("n1");

    private static RecordingDatapath tracked() {
        RecordingDatapath d = new RecordingDatapath();
        d.track(entry(1, "10.77.0.2", "10.77.0.1", 8080));   // api -> web: allowed
        d.track(entry(2, "10.77.0.1", "10.77.0.3", 5432));   // web -> db: denied now
        d.track(entry(3, "10.77.1.1", "10.77.0.3", 5432));   // remote -> db: denied now
        d.track(entry(4, "10.77.0.3", "10.77.9.9", 53));     // db -> outside: not a target's ingress
        return d;
    }

    @Test
    void onlyTheDeniedEntriesOfTheTargetsAreDeleted() {
        RecordingDatapath d = tracked();
        ConnectionRevoker.Result r = new ConnectionRevoker(d).revoke(
                List.of(new RevocationTarget(IpAddress.parse("10.77.0.3"), Direction.INGRESS, "shop/db")), DB_CLOSED);
        assertThat(r.deleted()).isEqualTo(2);
        assertThat(d.tracked()).extracting(Conntrack.Entry::id).containsExactly(1L, 4L);
        assertThat(d.connectionDumps()).isZero();
    }

    @Test
    void manyTargetsReadTheTableOncePerFamilyAndDeleteTheSame() {
        List<RevocationTarget> many = new ArrayList<>();
        many.add(new RevocationTarget(IpAddress.parse("10.77.0.3"), Direction.INGRESS, "shop/db"));
        for (int i = 0; i < ConnectionRevoker.FILTERED_DUMPS_MAX; i++) {
            many.add(new RevocationTarget(IpAddress.parse("10.77.5." + i), Direction.EGRESS, "shop/p" + i));
        }
        RecordingDatapath filtered = tracked();
        RecordingDatapath whole = tracked();
        new ConnectionRevoker(filtered).revoke(many.subList(0, 1), DB_CLOSED);
        ConnectionRevoker.Result r = new ConnectionRevoker(whole).revoke(many, DB_CLOSED);
        assertThat(whole.connectionDumps()).isEqualTo(2);
        assertThat(r.checked()).isEqualTo(2);
        assertThat(whole.tracked()).extracting(Conntrack.Entry::id)
                .isEqualTo(filtered.tracked().stream().map(Conntrack.Entry::id).toList()).containsExactly(1L, 4L);
    }

    private static Conntrack.Entry entry(long id, String from, String to, int port) {
        return new Conntrack.Entry(6, IpAddress.parse(from), 40000 + (int) id, IpAddress.parse(to), port, id, 0, new byte[0]);
    }
}
