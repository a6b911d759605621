package dev.netfence.cli.demo;

import dev.netfence.cli.simulate.ReachabilityMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * One port's matrix measured with real packets next to the one the engine predicts, as text:
 * rows are sources, columns the same pods numbered; {@code .} reached/allowed, {@code X} not, and
 * a measured cell that disagrees with the prediction is shown as {@code !}.
 */
record MatrixPair(dev.netfence.lab.ReachabilityMatrix measured, ReachabilityMatrix predicted) {

    MatrixPair {
        if (!measured.pods().equals(predicted.names())) {
            throw new IllegalArgumentException("measured pods " + measured.pods() + " differ from predicted " + predicted.names());
        }
    }

    /** "from -> to" of every cell where the kernel did something else than the engine said. */
    List<String> differences() {
        List<String> out = new ArrayList<>();
        List<String> pods = measured.pods();
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                if (measured.allowed(i, j) != predicted.allowed()[i][j]) {
                    out.add(pods.get(i) + " -> " + pods.get(j) + ": " + (measured.allowed(i, j) ? "reached" : "not reached")
                            + ", predicted " + (predicted.allowed()[i][j] ? "allowed" : "denied"));
                }
            }
        }
        return out;
    }

    boolean matches() {
        return differences().isEmpty();
    }

    String render() {
        List<String> pods = measured.pods();
        int n = pods.size();
        int label = 0;
        for (String p : pods) {
            label = Math.max(label, p.length());
        }
        String numbers = numbers(n);
        String title = measured.port() + "/" + measured.protocol();
        int block = Math.max(numbers.length(), "predicted".length());
        StringBuilder sb = new StringBuilder();
        sb.append("    ").append(pad(title, label + 3)).append(pad("measured", block)).append("   ").append("predicted\n");
        sb.append("    ").append(" ".repeat(label + 3)).append(pad(numbers, block)).append("   ").append(numbers).append('\n');
        for (int i = 0; i < n; i++) {
            StringBuilder m = new StringBuilder();
            StringBuilder p = new StringBuilder();
            for (int j = 0; j < n; j++) {
                boolean reached = measured.allowed(i, j);
                boolean allowed = predicted.allowed()[i][j];
                m.append(j == 0 ? "" : " ").append(reached != allowed ? '!' : reached ? '.' : 'X');
                p.append(j == 0 ? "" : " ").append(allowed ? '.' : 'X');
            }
            sb.append("    ").append(pad((i + 1) + " " + pods.get(i), label + 3)).append(pad(m.toString(), block))
                    .append("   ").append(p).append('\n');
        }
        return sb.toString();
    }

    private static String numbers(int n) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < n; j++) {
            sb.append(j == 0 ? "" : " ").append((j + 1) % 10);
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
