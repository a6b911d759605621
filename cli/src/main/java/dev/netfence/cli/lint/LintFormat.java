package dev.netfence.cli.lint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.ObjectRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How lint findings are printed: for people ({@code text}), for tools ({@code json}), for code
 * scanning ({@code sarif} 2.1.0), for CI test reports ({@code junit}) and as GitHub Actions
 * workflow commands ({@code github}, annotations on the pull request diff).
 */
public enum LintFormat {
    TEXT, JSON, SARIF, JUNIT, GITHUB;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static LintFormat parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format \"" + value + "\": use text, json, sarif, junit or github");
        }
    }

    /** {@code failOn}: findings at or above it are failures (JUnit) — the others are reported too. */
    public String render(List<LocatedFinding> findings, Severity failOn) {
        return switch (this) {
            case TEXT -> text(findings);
            case JSON -> json(findings);
            case SARIF -> sarif(findings);
            case JUNIT -> junit(findings, failOn);
            case GITHUB -> github(findings);
        };
    }

    private static String object(ObjectRef r) {
        return r.toString();
    }

    static String text(List<LocatedFinding> findings) {
        StringBuilder out = new StringBuilder();
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            out.append(lf.file()).append(':').append(lf.line()).append(": ").append(f.severity().label()).append(' ')
                    .append(f.ruleId()).append(' ').append(object(f.object())).append(' ').append(f.fieldPath()).append(": ")
                    .append(f.message()).append('\n');
            if (f.fix() != null) {
                out.append("  fix:\n");
                f.fix().lines().forEach(l -> out.append("    ").append(l).append('\n'));
            }
        }
        long errors = findings.stream().filter(f -> f.finding().severity() == Severity.ERROR).count();
        long warnings = findings.size() - errors;
        out.append(errors).append(errors == 1 ? " error, " : " errors, ").append(warnings)
                .append(warnings == 1 ? " warning" : " warnings").append('\n');
        return out.toString();
    }

    static String json(List<LocatedFinding> findings) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode list = root.putArray("findings");
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            ObjectNode n = list.addObject();
            n.put("ruleId", f.ruleId());
            n.put("severity", f.severity().label());
            n.put("file", lf.file());
            n.put("line", lf.line());
            n.put("objectLine", lf.objectLine());
            ObjectNode o = n.putObject("object");
            o.put("kind", f.object().kind());
            o.put("namespace", f.object().namespace());
            o.put("name", f.object().name());
            n.put("fieldPath", f.fieldPath());
            n.put("message", f.message());
            if (f.flow() != null) {
                n.put("flow", f.flow());
            }
            if (f.fix() != null) {
                n.put("fix", f.fix());
            }
        }
        long errors = findings.stream().filter(f -> f.finding().severity() == Severity.ERROR).count();
        root.putObject("summary").put("errors", errors).put("warnings", findings.size() - errors);
        return write(root);
    }

    static String sarif(List<LocatedFinding> findings) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "netfence");
        driver.put("informationUri", "https://netfence.dev");
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        for (LocatedFinding lf : findings) {
            ruleIndex.computeIfAbsent(lf.finding().ruleId(), id -> {
                rules.addObject().put("id", id).putObject("shortDescription").put("text", RuleDescriptions.of(id));
                return ruleIndex.size();
            });
        }
        ArrayNode results = run.putArray("results");
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            ObjectNode r = results.addObject();
            r.put("ruleId", f.ruleId());
            r.put("ruleIndex", ruleIndex.get(f.ruleId()));
            r.put("level", f.severity() == Severity.ERROR ? "error" : "warning");
            r.putObject("message").put("text", f.fieldPath() + ": " + f.message()
                    + (f.fix() != null ? "\nFix:\n" + f.fix() : ""));
            ObjectNode loc = r.putArray("locations").addObject();
            ObjectNode phys = loc.putObject("physicalLocation");
            phys.putObject("artifactLocation").put("uri", lf.file().replace('\\', '/'));
            phys.putObject("region").put("startLine", Math.max(1, lf.line()));
            loc.putArray("logicalLocations").addObject().put("fullyQualifiedName", object(f.object()) + " " + f.fieldPath())
                    .put("kind", "object");
        }
        return write(root);
    }

    static String junit(List<LocatedFinding> findings, Severity failOn) {
        long failures = findings.stream().filter(f -> f.finding().severity().reaches(failOn)).count();
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<testsuites name=\"netfence lint\" tests=\"").append(findings.size()).append("\" failures=\"").append(failures)
                .append("\">\n");
        x.append("  <testsuite name=\"netfence lint\" tests=\"").append(findings.size()).append("\" failures=\"")
                .append(failures).append("\">\n");
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            x.append("    <testcase classname=\"").append(xml(object(f.object()))).append("\" name=\"").append(xml(f.ruleId() + " "
                    + f.fieldPath())).append("\" file=\"").append(xml(lf.file())).append("\" line=\"").append(lf.line()).append("\"");
            String detail = lf.file() + ":" + lf.line() + ": " + f.message() + (f.fix() != null ? "\nfix:\n" + f.fix() : "");
            if (f.severity().reaches(failOn)) {
                x.append(">\n      <failure type=\"").append(xml(f.ruleId())).append("\" message=\"").append(xml(f.severity().label()
                        + ": " + f.message())).append("\">").append(xml(detail)).append("</failure>\n    </testcase>\n");
            } else {
                x.append(">\n      <system-out>").append(xml(f.severity().label() + ": " + detail)).append("</system-out>\n    </testcase>\n");
            }
        }
        x.append("  </testsuite>\n</testsuites>\n");
        return x.toString();
    }

    /** {@code ::error file=F,line=L,title=T::message}, escaped as the Actions runner expects. */
    static String github(List<LocatedFinding> findings) {
        StringBuilder out = new StringBuilder();
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            out.append("::").append(f.severity() == Severity.ERROR ? "error" : "warning")
                    .append(" file=").append(ghProperty(lf.file())).append(",line=").append(lf.line())
                    .append(",title=").append(ghProperty(f.ruleId() + " " + object(f.object())))
                    .append("::").append(ghData(f.fieldPath() + ": " + f.message() + (f.fix() != null ? "\nfix:\n" + f.fix() : "")))
                    .append('\n');
        }
        return out.toString();
    }

    private static String ghData(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static String ghProperty(String s) {
        return ghData(s).replace(":", "%3A").replace(",", "%2C");
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String write(ObjectNode root) {
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
