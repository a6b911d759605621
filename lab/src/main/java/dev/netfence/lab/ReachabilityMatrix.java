package dev.netfence.lab;

import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Who reached whom on one port, measured with real packets: {@code pods} are {@code namespace/name}
 * in namespace/name order and {@code allowed[i][j]} says whether {@code pods[i]} reached
 * {@code pods[j]} (the shape of {@code netfence simulate}'s matrix).
 */
public record ReachabilityMatrix(Protocol protocol, int port, List<String> pods, boolean[][] allowed) {

    public ReachabilityMatrix {
        pods = List.copyOf(pods);
        boolean[][] copy = new boolean[pods.size()][];
        for (int i = 0; i < pods.size(); i++) {
            if (allowed[i].length != pods.size()) {
                throw new IllegalArgumentException("row " + i + " has " + allowed[i].length + " cells, not " + pods.size());
            }
            copy[i] = allowed[i].clone();
        }
        allowed = copy;
    }

    public boolean allowed(int from, int to) {
        return allowed[from][to];
    }

    public boolean allowed(String from, String to) {
        return allowed[indexOf(from)][indexOf(to)];
    }

    public int indexOf(String pod) {
        int i = pods.indexOf(pod);
        if (i < 0) {
            throw new IllegalArgumentException("no pod " + pod + " in the matrix; pods: " + pods);
        }
        return i;
    }

    /** The cells where {@code other} (same pods, same order) says something else, as "from -> to". */
    public List<String> differences(ReachabilityMatrix other) {
        if (!pods.equals(other.pods)) {
            throw new IllegalArgumentException("matrices over different pods: " + pods + " vs " + other.pods);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                if (allowed[i][j] != other.allowed[i][j]) {
                    out.add(pods.get(i) + " -> " + pods.get(j) + ": " + (allowed[i][j] ? "allowed" : "denied")
                            + " here, " + (other.allowed[i][j] ? "allowed" : "denied") + " there");
                }
            }
        }
        return out;
    }

    /** Every cell set to {@code value}: what a lab without any rules must measure. */
    public static ReachabilityMatrix uniform(Protocol protocol, int port, List<String> pods, boolean value) {
        boolean[][] cells = new boolean[pods.size()][pods.size()];
        for (boolean[] row : cells) {
            java.util.Arrays.fill(row, value);
        }
        return new ReachabilityMatrix(protocol, port, pods, cells);
    }

    /** A compact text form: one row per source, {@code 1} reached, {@code .} not. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(protocol + "/" + port + "\n");
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                sb.append(allowed[i][j] ? '1' : '.');
            }
            sb.append("  ").append(pods.get(i)).append('\n');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReachabilityMatrix m && protocol == m.protocol && port == m.port && pods.equals(m.pods)
                && java.util.Arrays.deepEquals(allowed, m.allowed);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(protocol, port, pods, java.util.Arrays.deepHashCode(allowed));
    }
}
