package dev.netfence.policy.testing;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reachability table as the upstream e2e suite prints it: one row per client pod, one column per
 * server pod, {@code .} where the connection is allowed and {@code X} where it is denied.
 * <pre>
 *       x/a x/b x/c
 *   x/a  .   X   X
 *   x/b  .   .   .
 * </pre>
 * Tests compare the {@link #toString()} forms, so a failure prints both tables.
 */
public final class Reachability {

    private final List<String> pods;
    private final boolean[][] allowed;

    private Reachability(List<String> pods, boolean[][] allowed) {
        this.pods = List.copyOf(pods);
        this.allowed = allowed;
    }

    /** Parses a table; blank lines and surrounding spaces are ignored, a leading "-" header cell is allowed. */
    public static Reachability parse(String table) {
        List<String[]> lines = table.lines().map(String::trim).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")).toList();
        String[] header = lines.get(0);
        List<String> columns = new ArrayList<>(Arrays.asList(header));
        if (columns.get(0).equals("-")) {
            columns.remove(0);
        }
        if (lines.size() - 1 != columns.size()) {
            throw new IllegalArgumentException("table has " + columns.size() + " columns but " + (lines.size() - 1) + " rows");
        }
        boolean[][] cells = new boolean[columns.size()][columns.size()];
        for (int i = 1; i < lines.size(); i++) {
            String[] row = lines.get(i);
            if (!row[0].equals(columns.get(i - 1)) || row.length != columns.size() + 1) {
                throw new IllegalArgumentException("row " + i + " must be " + columns.get(i - 1) + " with "
                        + columns.size() + " cells: " + String.join(" ", row));
            }
            for (int j = 1; j < row.length; j++) {
                cells[i - 1][j - 1] = switch (row[j]) {
                    case "." -> true;
                    case "X" -> false;
                    default -> throw new IllegalArgumentException("cell must be . or X: " + row[j]);
                };
            }
        }
        return new Reachability(columns, cells);
    }

    /**
     * Asks the engine about every pair of the model's pods, from each pod's IPv4 (or IPv6) address
     * to the other's.
     */
    public static Reachability probe(ClusterSnapshot snapshot, Protocol protocol, int port, boolean v6) {
        PolicyEngine engine = new PolicyEngine(snapshot);
        List<String> keys = E2eModel.podKeys();
        boolean[][] cells = new boolean[keys.size()][keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            Endpoint from = Endpoint.of(pod(snapshot, keys.get(i)), v6);
            for (int j = 0; j < keys.size(); j++) {
                Endpoint to = Endpoint.of(pod(snapshot, keys.get(j)), v6);
                Flow flow = new Flow(from, to, protocol, port);
                boolean fast = engine.allowed(flow);
                boolean full = engine.evaluate(flow).allowed();
                if (fast != full) {
                    throw new AssertionError("allowed() says " + fast + " but evaluate() says " + full + " for " + flow.describe());
                }
                cells[i][j] = fast;
            }
        }
        return new Reachability(keys, cells);
    }

    public static Reachability probe(ClusterSnapshot snapshot, Protocol protocol, int port) {
        return probe(snapshot, protocol, port, false);
    }

    private static Pod pod(ClusterSnapshot snapshot, String key) {
        String[] nsName = key.split("/");
        return snapshot.pod(nsName[0], nsName[1]).orElseThrow();
    }

    /** The model's table with every cell set to {@code value}. */
    public static Reachability everything(boolean value) {
        List<String> keys = E2eModel.podKeys();
        boolean[][] cells = new boolean[keys.size()][keys.size()];
        for (boolean[] row : cells) {
            Arrays.fill(row, value);
        }
        return new Reachability(keys, cells);
    }

    public boolean allowed(String from, String to) {
        return allowed[pods.indexOf(from)][pods.indexOf(to)];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%-5s", "-"));
        for (String p : pods) {
            sb.append(String.format("%-4s", p));
        }
        sb.append('\n');
        for (int i = 0; i < pods.size(); i++) {
            sb.append(String.format("%-5s", pods.get(i)));
            for (int j = 0; j < pods.size(); j++) {
                sb.append(String.format("%-4s", allowed[i][j] ? "." : "X"));
            }
            sb.append('\n');
        }
        return sb.toString().lines().map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse("") + "\n";
    }
}
