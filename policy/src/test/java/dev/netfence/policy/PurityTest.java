package dev.netfence.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Guards the one rule that keeps the engine easy to reuse: {@code policy/} does no I/O and imports
 * no Kubernetes client, Quarkus or JNA. Scans the main sources as text (comments and string
 * literals removed, so prose may name anything) for imports and fully qualified uses.
 */
class PurityTest {

    /** What may not appear in code, and why. Wildcard imports of the packages count too. */
    static final Map<Pattern, String> FORBIDDEN = Map.of(
            Pattern.compile("\\bio\\.fabric8\\.kubernetes\\.client\\b"), "the Kubernetes client (adapters live at the edge)",
            Pattern.compile("\\bio\\.quarkus\\b"), "Quarkus",
            Pattern.compile("\\bcom\\.sun\\.jna\\b"), "JNA",
            Pattern.compile("\\bjava\\.io\\.(File\\w*|RandomAccessFile|\\*)"), "file I/O (java.io.File*)",
            Pattern.compile("\\bjava\\.nio\\.(file|channels)\\b"), "file I/O (java.nio.file)",
            Pattern.compile("\\bjava\\.net\\.(Socket|ServerSocket|DatagramSocket|URL\\w*|HttpURLConnection|InetAddress"
                    + "|Inet4Address|Inet6Address|InetSocketAddress|http\\b|\\*)"), "network I/O or name resolution (java.net)",
            Pattern.compile("\\bProcessBuilder\\b|\\bRuntime\\s*\\.\\s*getRuntime\\b"), "running processes");

    static Path mainSources() {
        Path base = Path.of(System.getProperty("basedir", "."));
        Path sources = base.resolve("src/main/java");
        if (!Files.isDirectory(sources)) {
            sources = base.resolve("policy/src/main/java");
        }
        return sources;
    }

    @Test
    void policyMainSourcesArePure() throws IOException {
        Path root = mainSources();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("Java sources under %s", root.toAbsolutePath()).hasSizeGreaterThan(20);
        List<String> violations = new ArrayList<>();
        for (Path f : files) {
            violations.addAll(violations(root.relativize(f).toString(), Files.readString(f)));
        }
        assertThat(violations).as("policy/ must stay pure (see ARCHITECTURE.md)").isEmpty();
    }

    /** The scanner itself: it must see real uses and ignore prose. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            import io.fabric8.kubernetes.client.KubernetesClient;   | 1
            import io.quarkus.runtime.Startup;                       | 1
            import com.sun.jna.Native;                               | 1
            import java.io.File;                                     | 1
            import java.io.FileInputStream;                          | 1
            import java.io.*;                                        | 1
            import java.nio.file.Files;                              | 1
            import java.nio.file.*;                                  | 1
            import java.net.Socket;                                  | 1
            import java.net.URL;                                     | 1
            import java.net.http.HttpClient;                         | 1
            import java.net.*;                                       | 1
            var a = java.net.InetAddress.getByName(host);            | 1
            new ProcessBuilder("nft").start();                       | 1
            import java.io.UncheckedIOException;                     | 0
            import java.util.Map;                                    | 0
            // parsed here rather than with java.net.InetAddress    | 0
            /* java.nio.file.Files would read the disk */            | 0
            String s = "io.quarkus is not used";                     | 0
            String t = "quote \\" then java.io.File";                | 0
            """)
    void scannerFindsUsesAndIgnoresProse(String line, int expected) {
        assertThat(violations("Sample.java", line)).hasSize(expected);
    }

    static List<String> violations(String file, String source) {
        List<String> out = new ArrayList<>();
        String[] lines = code(source).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (Map.Entry<Pattern, String> f : FORBIDDEN.entrySet()) {
                Matcher m = f.getKey().matcher(lines[i]);
                if (m.find()) {
                    out.add(file + ":" + (i + 1) + ": " + m.group() + " (" + f.getValue() + ")");
                }
            }
        }
        return out;
    }

    /** The source with comments, string, text-block and char literals blanked; line breaks kept. */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                end = end < 0 ? src.length() : end + 2;
                keepNewlines(src, i, end, out);
                i = end;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                end = end < 0 ? src.length() : end + 3;
                keepNewlines(src, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(' ');
                i = Math.min(j + 1, src.length());
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void keepNewlines(String src, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            if (src.charAt(k) == '\n') {
                out.append('\n');
            }
        }
    }
}
