package dev.netfence.cli.lint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.ObjectRef;
import java.util.List;
import java.util.Locale;

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

    /**
     * {@code failOn}: findings at or above it are failures (JUnit) — the others are reported too.
     * {@code findings} are in the order to print (by file and line); their files relative to the
     * repository's root where they are under it.
     */
    public String render(List<LocatedFinding> findings, Severity failOn) {
        return switch (this) {
            case TEXT -> text(findings);
            case JSON -> json(findings);
            case SARIF -> sarif(findings);
            case JUNIT -> junit(findings, failOn);
            case GITHUB -> github(findings);
        };
    }

    /** The object, or {@code -} for a problem found before there was one (a file that does not parse). */
    private static String object(ObjectRef r) {
        return r == null ? "-" : r.toString();
    }

    private static String path(Finding f) {
        return f.fieldPath() == null ? "" : f.fieldPath();
    }

    /** {@code path: message}, or the message alone when the finding has no field. */
    private static String pathAndMessage(Finding f) {
        return path(f).isEmpty() ? f.message() : f.fieldPath() + ": " + f.message();
    }

    static String text(List<LocatedFinding> findings) {
        StringBuilder out = new StringBuilder();
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            out.append(lf.file()).append(':').append(lf.line()).append(": ").append(f.severity().label()).append(' ')
                    .append(f.ruleId()).append(' ').append(object(f.object())).append(' ').append(pathAndMessage(f)).append('\n');
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
            if (f.object() == null) {
                n.putNull("object");
            } else {
                ObjectNode o = n.putObject("object");
                o.put("kind", f.object().kind());
                o.put("namespace", f.object().namespace());
                o.put("name", f.object().name());
            }
            n.put("fieldPath", path(f));
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

    /**
     * SARIF 2.1.0 as GitHub code scanning reads it: URIs relative to the repository root
     * ({@code uriBaseId %SRCROOT%}), the tool's version, every rule with its help, and
     * {@code partialFingerprints} from what the finding is about (rule, object, field, flow) rather
     * than its line, so that an alert survives edits elsewhere in the file.
     */
    static String sarif(List<LocatedFinding> findings) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "netfence");
        driver.put("version", dev.netfence.cli.NetfenceVersion.version());
        driver.put("informationUri", "https://netfence.dev");
        ArrayNode rules = driver.putArray("rules");
        for (RuleDescriptions.Rule rule : RuleDescriptions.ALL) {
            ObjectNode r = rules.addObject();
            r.put("id", rule.id());
            r.putObject("shortDescription").put("text", rule.shortText());
            r.putObject("fullDescription").put("text", rule.shortText() + ".");
            r.putObject("help").put("text", rule.help());
            r.putObject("defaultConfiguration").put("level", rule.defaultLevel());
        }
        run.putObject("originalUriBaseIds").putObject(SRCROOT).putObject("description")
                .put("text", "The repository root: netfence lint --base-dir (default: the current directory)");
        ArrayNode results = run.putArray("results");
        for (LocatedFinding lf : findings) {
            Finding f = lf.finding();
            ObjectNode r = results.addObject();
            r.put("ruleId", f.ruleId());
            int index = RuleDescriptions.index(f.ruleId());
            if (index >= 0) {
                r.put("ruleIndex", index);
            }
            r.put("level", f.severity() == Severity.ERROR ? "error" : "warning");
            r.putObject("message").put("text", pathAndMessage(f) + (f.fix() != null ? "\nFix:\n" + f.fix() : ""));
            ObjectNode loc = r.putArray("locations").addObject();
            ObjectNode phys = loc.putObject("physicalLocation");
            phys.putObject("artifactLocation").put("uri", lf.file().replace('\\', '/')).put("uriBaseId", SRCROOT);
            phys.putObject("region").put("startLine", Math.max(1, lf.line()));
            if (f.object() != null) {
                loc.putArray("logicalLocations").addObject()
                        .put("fullyQualifiedName", (object(f.object()) + " " + path(f)).strip()).put("kind", "object");
            }
            r.putObject("partialFingerprints").put("netfence/v1", fingerprint(lf));
        }
        return write(root);
    }

    static final String SRCROOT = "%SRCROOT%";

    /** A hash of what the finding is about; for a problem without an object, of its file and message. */
    static String fingerprint(LocatedFinding lf) {
        Finding f = lf.finding();
        String key = f.object() == null ? f.ruleId() + "|" + lf.file() + "|" + f.message()
                : f.ruleId() + "|" + f.object() + "|" + path(f) + "|" + (f.flow() == null ? "" : f.flow());
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);   // every JVM has SHA-256
        }
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
            x.append("    <testcase classname=\"").append(xml(object(f.object()))).append("\" name=\"").append(xml((f.ruleId() + " "
                    + path(f)).strip())).append("\" file=\"").append(xml(lf.file())).append("\" line=\"").append(lf.line()).append("\"");
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
                    .append("::").append(ghData(pathAndMessage(f) + (f.fix() != null ? "\nfix:\n" + f.fix() : "")))
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
