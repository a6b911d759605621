package dev.netfence.cli.simulate;

import java.util.List;

/**
 * The matrix as a table: a header row of destination {@code ns/pod} names, then one row per source
 * with {@code .} (allowed) or {@code X} (denied) under each destination. Columns are padded to the
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
                row.append("  ").append(pad(m.allowed()[i][j] ? "." : "X", names.get(j).length()));
            }
            sb.append(row.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
