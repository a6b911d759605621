package dev.netfence.policy.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ClusterSnapshot#podAddressIn}, the range query on the address index that lint's
 * "ipBlock covers pods" rule asks on every admission request, against the walk over every pod it
 * replaces: random pods (IPv4 and IPv6, shared addresses, host-network pods, pods without an
 * address) in a small address space, random blocks of every prefix length with random except
 * blocks (nested, overlapping, of the other family), on fresh builds and on snapshots updated by
 * {@link ClusterSnapshot#apply}. Both must find the same lowest address and the same pod.
 */
class PodAddressInTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void theIndexAnswersLikeAWalkOverEveryPod(long seed) {
        Random random = new Random(seed);
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Pod p = pod(random, "ns" + random.nextInt(4), "p" + i);
            pods.add(p);
            b.pod(p);
        }
        ClusterSnapshot s = b.build();
        int queries = 0;
        int found = 0;
        for (int step = 0; step < 40; step++) {
            for (int q = 0; q < 50; q++) {
                Cidr block = cidr(random);
                List<Cidr> except = new ArrayList<>();
                for (int e = random.nextInt(4); e > 0; e--) {
                    except.add(random.nextInt(3) == 0 ? cidr(random) : within(random, block));
                }
                Optional<Map.Entry<IpAddress, Pod>> expected = walk(s, block, except);
                assertThat(s.podAddressIn(block, except)).as("%s except %s, seed %d step %d", block, except, seed, step)
                        .isEqualTo(expected);
                queries++;
                found += expected.isPresent() ? 1 : 0;
            }
            // an incremental update: pods replaced (new addresses), added and removed
            ClusterDelta.Builder d = ClusterDelta.builder();
            for (int n = 0; n < 10; n++) {
                Pod old = pods.get(random.nextInt(pods.size()));
                if (random.nextInt(4) == 0) {
                    d.removePod(old.namespace(), old.name());
                } else {
                    d.pod(pod(random, old.namespace(), old.name()));
                }
            }
            s = s.apply(d.build());
        }
        // the random blocks hit and miss alike, so both outcomes were compared
        assertThat(found).isBetween(queries / 10, queries * 9 / 10);
    }

    /** The walk lint did before: every pod in order, host-network pods skipped, the lowest address that counts. */
    private static Optional<Map.Entry<IpAddress, Pod>> walk(ClusterSnapshot s, Cidr block, List<Cidr> except) {
        IpAddress best = null;
        Pod bestPod = null;
        for (Pod p : s.pods()) {
            if (p.hostNetwork()) {
                continue;
            }
            for (IpAddress ip : p.ips()) {
                if (block.contains(ip) && except.stream().noneMatch(e -> e.contains(ip))
                        && (best == null || ip.compareTo(best) < 0)) {
                    best = ip;
                    bestPod = p;
                }
            }
        }
        return best == null ? Optional.empty() : Optional.of(Map.entry(best, bestPod));
    }

    private static Pod pod(Random random, String ns, String name) {
        List<IpAddress> ips = new ArrayList<>();
        int kind = random.nextInt(10);
        if (kind > 0) {
            ips.add(IpAddress.parse("10.0." + random.nextInt(4) + "." + random.nextInt(64)));
        }
        if (kind > 6) {
            ips.add(IpAddress.parse("fd00::" + Integer.toHexString(random.nextInt(256))));
        }
        return new Pod(ns, name, Map.of("app", "a" + random.nextInt(3)), ips, "node-" + random.nextInt(3),
                random.nextInt(10) == 0, List.of());
    }

    private static Cidr cidr(Random random) {
        if (random.nextInt(5) == 0) {
            return Cidr.parse("fd00::" + Integer.toHexString(random.nextInt(256)) + "/" + (112 + random.nextInt(17)));
        }
        return Cidr.parse("10.0." + random.nextInt(4) + "." + random.nextInt(64) + "/" + (20 + random.nextInt(13)));
    }

    /** A block inside {@code outer}, so that except blocks cut real holes. */
    private static Cidr within(Random random, Cidr outer) {
        int bits = outer.first().bits();
        int prefix = Math.min(bits, outer.prefix() + random.nextInt(bits - outer.prefix() + 1));
        IpAddress first = outer.first();
        long span = outer.v6() ? 256 : 1L << Math.min(16, bits - outer.prefix());
        IpAddress ip = new IpAddress(first.v6(), first.hi(), first.lo() + (long) (random.nextDouble() * span));
        return new Cidr(outer.contains(ip) ? ip.mask(prefix) : first.mask(prefix), prefix);
    }
}
