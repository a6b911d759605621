package dev.netfence.enforcer.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.net.IpAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Turns logged packets into flow records (the same class on a node, in the lab and the demo): finds
 * the rule that logged each packet by its NFLOG prefix ({@link FlowDecider}, from the tables this
 * enforcer applied), names the addresses that are pods of the node's rule set, and hands the record
 * to the ring ({@code GET /flows}), the counters (Prometheus) and the log (one JSON line per record,
 * category {@code netfence.flows}).
 *
 * <p>Nothing is lost silently: packets over the node's rate limit (the kernel's
 * {@code flowlog_lost} counter), datagrams the kernel dropped because the socket's buffer was full,
 * records evicted from the ring before anyone read them, messages that could not be decoded and
 * prefixes of no table this enforcer applied are each counted ({@link #lost()}).
 *
 * <p>Counters per (namespace of the judged pod, deciding policy, verdict) are bounded to
 * {@link #MAX_SERIES} label sets: the namespace and policy come from the node's own rule set (at most
 * its policies times three verdicts), and anything past the bound counts under
 * {@code namespace="_other", policy="_other"}, so a node with many policies cannot grow the series without end.
 */
public final class FlowLog {
    private static final Logger JSON_LOG = Logger.getLogger("netfence.flows");
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_SERIES = 1_000;

    /** One counter's labels. */
    public record SeriesKey(String namespace, String policy, String verdict) {
    }

    /** The counts of what did not become a record, or not one a reader saw. */
    public record Lost(long rateLimited, long socketOverruns, long ringEvicted, long malformed, long unknownPrefix) {
        public long total() {
            return rateLimited + socketOverruns + ringEvicted + malformed + unknownPrefix;
        }
    }

    private final String node;
    private final FlowLogSettings settings;
    private final Clock clock;
    private final FlowRing ring;
    private final List<Consumer<FlowRecord>> listeners = new CopyOnWriteArrayList<>();
    private final Map<SeriesKey, AtomicLong> series = new ConcurrentHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong overruns = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unknownPrefix = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    /** The kernel counter's last value and what earlier tables counted (a full replacement starts it at 0). */
    private long lastKernelLost;
    private long earlierTablesLost;
    private volatile Map<String, FlowDecider> deciders = Map.of();
    private volatile Map<String, String> pods = Map.of();
    private volatile boolean jsonLines = true;

    public FlowLog(String node, FlowLogSettings settings, Clock clock) {
        this.node = node;
        this.settings = settings;
        this.clock = clock;
        this.ring = new FlowRing(settings.ringSize());
    }

    public FlowLog(String node, FlowLogSettings settings) {
        this(node, settings, Clock.systemUTC());
    }

    public FlowLogSettings settings() {
        return settings;
    }

    public String node() {
        return node;
    }

    /** Whether each record is written to the log as a JSON line (on by default; the demo turns it off for its screen). */
    public FlowLog jsonLines(boolean on) {
        this.jsonLines = on;
        return this;
    }

    /**
     * Called before a table goes to the kernel: its deciders join those of the previous table (a
     * packet logged just before the switch still carries an old prefix), and the rule set's pods name
     * the addresses from now on.
     */
    public void installing(NodeRuleSet ruleSet, Map<String, FlowDecider> tableDeciders) {
        Map<String, FlowDecider> merged = new HashMap<>(tableDeciders);
        deciders.forEach(merged::putIfAbsent);
        if (merged.size() > 4 * Math.max(64, tableDeciders.size())) {
            merged = new HashMap<>(tableDeciders);   // only the current table's: the union does not grow without end
        }
        deciders = Map.copyOf(merged);
        Map<String, String> byAddress = new HashMap<>();
        for (LocalPod p : ruleSet.pods()) {
            p.ips().forEach(ip -> byAddress.put(ip, p.key()));
        }
        pods = Map.copyOf(byAddress);
    }

    public void addListener(Consumer<FlowRecord> listener) {
        listeners.add(listener);
    }

    /** One datagram of the NFLOG socket, decoded. */
    public void received(NflogDecoder.Decoded decoded) {
        malformed.addAndGet(decoded.malformed());
        for (NflogPacket p : decoded.packets()) {
            record(p);
        }
    }

    /** The kernel dropped messages for this socket (its buffer was full): how many is unknown, counted once. */
    public void overrun() {
        overruns.incrementAndGet();
    }

    /** The kernel's {@code flowlog_lost} counter as just read. */
    public synchronized void kernelLost(long value) {
        if (value < lastKernelLost) {
            earlierTablesLost += lastKernelLost;   // the table was replaced: its counter started again
        }
        lastKernelLost = value;
        rateLimited.set(earlierTablesLost + value);
    }

    FlowRecord record(NflogPacket p) {
        if (p.prefix() == null || !p.prefix().startsWith("nf ")) {
            return null;   // another tool's log to the same group
        }
        FlowDecider decider = deciders.get(p.prefix());
        var headers = PacketHeaders.parse(p.payload());
        if (decider == null || headers.isEmpty()) {
            (decider == null ? unknownPrefix : malformed).incrementAndGet();
            return null;
        }
        PacketHeaders h = headers.get();
        Instant time = p.time() != null ? p.time() : clock.instant();
        String src = h.source().toString();
        String dst = h.destination().toString();
        Map<String, String> named = pods;
        FlowRecord r = ring.add(seq -> new FlowRecord(seq, time.toString(), node, decider.verdict().word(), decider.direction(),
                h.protocol() != null ? h.protocol().name() : String.valueOf(h.protocolNumber()),
                named.getOrDefault(src, src), src, h.sourcePort(), named.getOrDefault(dst, dst), dst, h.destinationPort(),
                decider.policies(), decider.rule()));
        records.incrementAndGet();
        for (String policy : decider.policies()) {
            count(new SeriesKey(r.subjectNamespace(), policy, r.verdict()));
        }
        if (jsonLines) {
            try {
                JSON_LOG.info(JSON.writeValueAsString(r));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a flow record is plain strings and numbers", e);
            }
        }
        listeners.forEach(l -> l.accept(r));
        return r;
    }

    private void count(SeriesKey key) {
        AtomicLong c = series.get(key);
        if (c == null) {
            if (series.size() >= MAX_SERIES) {
                key = new SeriesKey("_other", "_other", key.verdict());
            }
            c = series.computeIfAbsent(key, k -> new AtomicLong());
        }
        c.incrementAndGet();
    }

    /** Records in the ring after {@code since} that match every given filter (null: any), oldest first. */
    public List<FlowRecord> query(long since, String verdict, String pod, String namespace, int limit) {
        Predicate<FlowRecord> filter = r -> (verdict == null || verdict.equals(r.verdict()))
                && (pod == null || r.involves(pod))
                && (namespace == null || namespaceOf(r.source()).equals(namespace) || namespaceOf(r.destination()).equals(namespace));
        return ring.since(since, filter, limit);
    }

    private static String namespaceOf(String end) {
        int slash = end.indexOf('/');
        return slash < 0 || IpAddress.isValid(end) ? "" : end.substring(0, slash);
    }

    public long nextSeq() {
        return ring.nextSeq();
    }

    public long records() {
        return records.get();
    }

    public Lost lost() {
        return new Lost(rateLimited.get(), overruns.get(), ring.evicted(), malformed.get(), unknownPrefix.get());
    }

    /** The per-(namespace, policy, verdict) record counts, for the metrics. */
    public Map<SeriesKey, Long> series() {
        Map<SeriesKey, Long> out = new HashMap<>();
        series.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** {@code {"next": N, "records": [...], "lost": {...}}}: what {@code GET /flows} answers. */
    public String queryJson(long since, String verdict, String pod, String namespace, int limit) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        List<FlowRecord> found = query(since, verdict, pod, namespace, limit);
        out.put("node", node);
        out.put("next", found.isEmpty() ? Math.max(since, nextSeq() - 1) : found.get(found.size() - 1).seq());
        out.put("records", new ArrayList<>(found));
        out.put("lost", lost());
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("flow records are plain strings and numbers", e);
        }
    }
}
