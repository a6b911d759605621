package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.enforcer.revoke.ConnectionRevocation;
import dev.netfence.policy.net.IpAddress;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Revocation with real TCP connections through a real kernel: two live connections from a client pod,
 * one to s1 and one to s2; a rule set change removes s1's allow. With {@code revoke} (the default)
 * the s1 connection stalls in both directions at once, the s2 one keeps exchanging data, and the
 * conntrack table keeps exactly the s2 entry; with {@code keep} both survive.
 */
class ConnectionRevocationIT {
    /** Longer than the kernel's first retransmission (200 ms): an echo that does not come within it is not coming. */
    private static final int STALL_MS = 1500;

    @BeforeEach
    void needsRoot() {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
    }

    @Test
    void aRemovedAllowCutsItsConnectionAndOnlyThatOne() throws Exception {
        try (RevocationLab lab = new RevocationLab(ConnectionRevocation.REVOKE)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.loop().state().ruleSetHash() != null);
            Socket toS1 = lab.connect(RevocationLab.S1);
            Socket serverOfS1 = lab.accepted();
            Socket toS2 = lab.connect(RevocationLab.S2);
            assertThat(RevocationLab.exchange(toS1, 2000)).isTrue();
            assertThat(RevocationLab.exchange(toS2, 2000)).isTrue();
            assertThat(entries(lab, RevocationLab.CLIENT)).hasSize(2);

            String before = lab.loop().state().ruleSetHash();
            lab.removeAllowS1();
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.loop().connectionsRevoked() >= 1);
            assertThat(lab.loop().state().ruleSetHash()).isNotEqualTo(before);
            assertThat(lab.loop().connectionsRevoked()).isEqualTo(1);
            assertThat(lab.lastRevocation().denied()).isEqualTo(1);

            // the revoked one: the client's data is dropped, and so is the server's (no pick-up as a new flow)
            assertThat(RevocationLab.exchange(toS1, STALL_MS)).as("client -> s1 after revocation").isFalse();
            OutputStream push = serverOfS1.getOutputStream();
            push.write('p');
            push.flush();
            toS1.setSoTimeout(STALL_MS);
            InputStream in = toS1.getInputStream();
            assertThat(readOrTimeout(in)).as("s1 -> client after revocation").isLessThan(0);
            // the allowed one keeps working, and its conntrack entry is the only one left of the client
            for (int i = 0; i < 20; i++) {
                assertThat(RevocationLab.exchange(toS2, 2000)).as("client -> s2, exchange " + i).isTrue();
            }
            assertThat(entries(lab, RevocationLab.CLIENT)).extracting(Conntrack.Entry::responder)
                    .containsOnly(IpAddress.parse(RevocationLab.S2));
            // new connections follow the rules as always
            assertThat(Probes.tcp(lab.namespace("client"), RevocationLab.S1, RevocationLab.PORT)).isFalse();
            toS1.close();
            toS2.close();
        }
    }

    @Test
    void keepLeavesEstablishedConnectionsAlone() throws Exception {
        try (RevocationLab lab = new RevocationLab(ConnectionRevocation.KEEP)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.loop().state().ruleSetHash() != null);
            Socket toS1 = lab.connect(RevocationLab.S1);
            assertThat(RevocationLab.exchange(toS1, 2000)).isTrue();
            String before = lab.loop().state().ruleSetHash();
            lab.removeAllowS1();
            await().atMost(Duration.ofSeconds(20)).until(() -> !lab.loop().state().ruleSetHash().equals(before));
            for (int i = 0; i < 10; i++) {
                assertThat(RevocationLab.exchange(toS1, 2000)).as("client -> s1 kept, exchange " + i).isTrue();
            }
            assertThat(lab.loop().connectionsRevoked()).isZero();
            assertThat(Probes.tcp(lab.namespace("client"), RevocationLab.S1, RevocationLab.PORT)).isFalse();
            toS1.close();
        }
    }

    @Test
    void theConntrackDumpIsFilteredByAddressAndSide() throws Exception {
        try (RevocationLab lab = new RevocationLab(ConnectionRevocation.KEEP)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.loop().state().ruleSetHash() != null);
            Socket toS1 = lab.connect(RevocationLab.S1);
            Socket toS2 = lab.connect(RevocationLab.S2);
            try (NamespaceThread t = new NamespaceThread(lab.nodeNamespace())) {
                List<Conntrack.Entry> ofS2 = t.call(() -> Conntrack.dump(IpAddress.parse(RevocationLab.S2),
                        Conntrack.Side.RESPONDER));
                assertThat(ofS2).singleElement().satisfies(e -> {
                    assertThat(e.protocol()).isEqualTo(6);
                    assertThat(e.initiator()).isEqualTo(IpAddress.parse(RevocationLab.CLIENT));
                    assertThat(e.initiatorPort()).isEqualTo(toS2.getLocalPort());
                    assertThat(e.responderPort()).isEqualTo(RevocationLab.PORT);
                });
                assertThat(t.call(() -> Conntrack.dump(IpAddress.parse(RevocationLab.S2), Conntrack.Side.INITIATOR))).isEmpty();
                // the whole table of the family, as a revocation with many targets reads it
                assertThat(t.call(() -> Conntrack.dumpAll(false))).extracting(Conntrack.Entry::responder)
                        .containsExactlyInAnyOrder(IpAddress.parse(RevocationLab.S1), IpAddress.parse(RevocationLab.S2));
                assertThat(t.call(() -> Conntrack.dumpAll(true))).isEmpty();
                assertThat(t.call(() -> Conntrack.delete(ofS2))).isEqualTo(1);
                assertThat(t.call(() -> Conntrack.delete(ofS2))).as("already gone").isZero();
                assertThat(t.call(() -> Conntrack.dump(IpAddress.parse(RevocationLab.CLIENT), Conntrack.Side.INITIATOR)))
                        .extracting(Conntrack.Entry::responder).containsOnly(IpAddress.parse(RevocationLab.S1));
            }
            toS1.close();
            toS2.close();
        }
    }

    private static int readOrTimeout(InputStream in) {
        try {
            return in.read();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static List<Conntrack.Entry> entries(RevocationLab lab, String initiator) {
        try (NamespaceThread t = new NamespaceThread(lab.nodeNamespace())) {
            return t.call(() -> Conntrack.dump(IpAddress.parse(initiator), Conntrack.Side.INITIATOR));
        }
    }
}
