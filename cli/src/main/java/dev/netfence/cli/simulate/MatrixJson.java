package dev.netfence.cli.simulate;

import dev.netfence.cli.common.JsonText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code {"port": 80, "protocol": "TCP", "pods": ["x/a", ...], "allowed": [[true, false, ...], ...]}}. */
public final class MatrixJson {

    private MatrixJson() {
    }

    public static String render(ReachabilityMatrix m) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("port", m.port());
        json.put("protocol", m.protocol().name());
        json.put("pods", m.names());
        List<List<Boolean>> rows = new ArrayList<>();
        for (boolean[] r : m.allowed()) {
            List<Boolean> row = new ArrayList<>();
            for (boolean b : r) {
                row.add(b);
            }
            rows.add(row);
        }
        json.put("allowed", rows);
        return JsonText.write(json);
    }
}
