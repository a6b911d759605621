package dev.netfence.cli.simulate;

import dev.netfence.cli.common.JsonText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code {"port": 80, "protocol": "TCP", "pods": ["x/a", ...], "allowed": [[true, false, ...], ...]}}, plus
 * {@code "audit"} (same shape: the verdicts with audited policies enforcing) when some policy is audited.
 */
public final class MatrixJson {

    private MatrixJson() {
    }

    public static String render(ReachabilityMatrix m) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("port", m.port());
        json.put("protocol", m.protocol().name());
        json.put("pods", m.names());
        json.put("allowed", rows(m.allowed()));
        if (m.audited()) {
            json.put("audit", rows(m.audit()));
        }
        return JsonText.write(json);
    }

    private static List<List<Boolean>> rows(boolean[][] cells) {
        List<List<Boolean>> rows = new ArrayList<>();
        for (boolean[] r : cells) {
            List<Boolean> row = new ArrayList<>();
            for (boolean b : r) {
                row.add(b);
            }
            rows.add(row);
        }
        return rows;
    }
}
