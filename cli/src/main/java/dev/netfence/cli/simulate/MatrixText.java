package dev.netfence.cli.simulate;

import java.util.List;

/**
 * The matrix as a table: a header row of destination {@code ns/pod} names, then one row per source
 * with {@code .} (allowed) or {@code X} (denied) under each destination; with audited policies, a
 * cell whose audit verdict differs is {@code W} (would-deny) or {@code A} (would-allow), with a legend. Columns are padded to the
 * width of their header, two spaces apart; trailing spaces are trimmed.
 */
public final class MatrixText {

    static final String CORNER = "from\\to";

    private MatrixText() {
    }

    public static String render(ReachabilityMatrix m) {
        List<String> names = m.names();
        int first = CORNER.length();
        for (String n : names) {
            first = Math.max(first, n.length());
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder row = new StringBuilder(pad(CORNER, first));
        for (String n : names) {
            row.append("  ").append(n);
        }
        sb.append(row.toString().stripTrailing()).append('\n');
        for (int i = 0; i < names.size(); i++) {
            row = new StringBuilder(pad(names.get(i), first));
            for (int j = 0; j < names.size(); j++) {
                row.append("  ").append(pad(cell(m, i, j), names.get(j).length()));
            }
            sb.append(row.toString().stripTrailing()).append('\n');
        }
        if (m.audited()) {
            sb.append(LEGEND).append('\n');
        }
        return sb.toString();
    }

    /** Printed under a matrix with audited policies. */
    static final String LEGEND = "audited policies (netfence.dev/enforcement: audit, DefaultDeny spec.enforcement: Audit)"
            + " change nothing: W = allowed, would be denied if they enforced (would-deny); A = denied, would be allowed";

    private static String cell(ReachabilityMatrix m, int i, int j) {
        boolean enforced = m.allowed()[i][j];
        if (m.audited() && enforced != m.audit()[i][j]) {
            return enforced ? "W" : "A";
        }
        return enforced ? "." : "X";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
