package dev.netfence.enforcer.flow;

/**
 * The flow log's settings ({@code netfence.enforcer.flow-log.*}; defaults here only, the Quarkus
 * config repeats them and {@code EnforcerConfigTest} checks they agree).
 *
 * @param denied        log the packets the policies deny (the final drop of an isolated pod's profile chain)
 * @param allowed       also log the new connections a policy rule allows (one record per side that
 *                      decided: a flow between two pods of the node is logged by the source's egress
 *                      rule and by the destination's ingress rule)
 * @param group         the NFLOG group the rules log to and the enforcer reads (0-65535)
 * @param ratePerSecond the node's budget of logged packets per second, shared by every logging rule
 *                      (one named nft {@code limit}); packets over it are not logged, and counted
 * @param burst         packets the limit lets through at once above the rate
 * @param ringSize      flow records kept in memory for {@code GET /flows}; older ones are evicted, and counted
 */
public record FlowLogSettings(boolean denied, boolean allowed, int group, int ratePerSecond, int burst, int ringSize) {
    public static final int DEFAULT_GROUP = 2718;
    public static final int DEFAULT_RATE = 300;
    public static final int DEFAULT_BURST = 300;
    public static final int DEFAULT_RING_SIZE = 10_000;

    /** Denials logged, allowed connections not, 300 per second. */
    public static final FlowLogSettings DEFAULTS = new FlowLogSettings(true, false, DEFAULT_GROUP, DEFAULT_RATE,
            DEFAULT_BURST, DEFAULT_RING_SIZE);

    /** Nothing logged, no NFLOG socket. */
    public static final FlowLogSettings OFF = new FlowLogSettings(false, false, DEFAULT_GROUP, DEFAULT_RATE,
            DEFAULT_BURST, DEFAULT_RING_SIZE);

    public FlowLogSettings {
        if (group < 0 || group > 65535) {
            throw new IllegalArgumentException("netfence.enforcer.flow-log.group must be an NFLOG group 0-65535, not " + group);
        }
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("netfence.enforcer.flow-log.rate must be at least 1 (packets per second), not "
                    + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("netfence.enforcer.flow-log.burst must be at least 1, not " + burst);
        }
        if (ringSize < 1) {
            throw new IllegalArgumentException("netfence.enforcer.flow-log.ring-size must be at least 1, not " + ringSize);
        }
    }

    public boolean enabled() {
        return denied || allowed;
    }

    public FlowLogSettings withAllowed(boolean on) {
        return new FlowLogSettings(denied, on, group, ratePerSecond, burst, ringSize);
    }

    public FlowLogSettings withRate(int perSecond, int burstPackets) {
        return new FlowLogSettings(denied, allowed, group, perSecond, burstPackets, ringSize);
    }

    public FlowLogSettings withGroup(int g) {
        return new FlowLogSettings(denied, allowed, g, ratePerSecond, burst, ringSize);
    }
}
