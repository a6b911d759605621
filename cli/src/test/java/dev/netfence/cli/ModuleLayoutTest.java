package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The module layout drawn in docs/architecture.md, checked against the poms: plain cores and thin
 * Quarkus shells. A core never pulls in Quarkus (so the lab, the demo and the tests construct the
 * same classes the applications run, without Maven exclusions), the applications are leaves (nothing
 * depends on a Quarkus app), and each module depends only on the modules the drawing allows.
 */
class ModuleLayoutTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** module directory -> the Netfence modules it may depend on (compile scope), as docs/architecture.md draws it. */
    private static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("policy", Set.of());
        ALLOWED.put("crds", Set.of("policy"));
        ALLOWED.put("cluster", Set.of("policy", "crds"));
        ALLOWED.put("enforcer-core", Set.of("policy", "crds"));
        ALLOWED.put("operator-core", Set.of("policy", "crds", "cluster"));
        ALLOWED.put("webhook-core", Set.of("policy", "crds", "cluster"));
        ALLOWED.put("lab", Set.of("policy", "enforcer-core"));
        ALLOWED.put("enforcer", Set.of("enforcer-core", "cluster"));
        ALLOWED.put("operator", Set.of("operator-core"));
        ALLOWED.put("webhook", Set.of("webhook-core"));
        ALLOWED.put("cli", Set.of("policy", "crds", "cluster", "enforcer-core", "operator-core", "webhook-core", "lab"));
        ALLOWED.put("benchmarks", Set.of("policy", "crds", "cluster", "operator-core"));
        // test scope only: the image tests run the built images next to the lab and the mock API server
        ALLOWED.put("images", Set.of());
    }

    private static final Set<String> PLAIN = Set.of("policy", "crds", "cluster", "enforcer-core", "operator-core",
            "webhook-core", "lab");
    private static final Set<String> APPS = Set.of("enforcer", "operator", "webhook");

    @Test
    void everyModuleOfTheBuildIsInTheDrawing() throws Exception {
        Document parent = pom(ROOT.resolve("pom.xml"));
        List<String> modules = texts(parent.getDocumentElement(), "modules", "module");
        assertThat(modules).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
    }

    @Test
    void modulesDependOnlyOnWhatTheDrawingAllows() throws Exception {
        for (var e : ALLOWED.entrySet()) {
            assertThat(netfenceDependencies(e.getKey(), false)).as("compile dependencies of " + e.getKey())
                    .isSubsetOf(e.getValue());
        }
    }

    @Test
    void coresPullInNoQuarkus() throws Exception {
        for (String module : PLAIN) {
            assertThat(groupIds(module)).as(module + " is a plain Java core")
                    .noneMatch(g -> g.startsWith("io.quarkus") || g.startsWith("io.quarkiverse"));
        }
    }

    @Test
    void noModuleDependsOnAnApplication() throws Exception {
        for (String module : ALLOWED.keySet()) {
            if (module.equals("images")) {
                continue;   // theImagesModuleOrdersItselfAfterTheApplicationsWithoutTheirClasses
            }
            assertThat(netfenceDependencies(module, true)).as(module + " depends on an application module")
                    .doesNotContainAnyElementsOf(APPS);
        }
    }

    /**
     * images/ packages the applications (images/build reads their target/quarkus-app): it names them as
     * pom-type test dependencies, which order it after them in the reactor and put none of their classes
     * on its class path. That is the one reference to an application, and it must stay of that type.
     */
    @Test
    void theImagesModuleOrdersItselfAfterTheApplicationsWithoutTheirClasses() throws Exception {
        Set<String> apps = new TreeSet<>();
        for (Element d : dependencies("images")) {
            String artifact = text(d, "artifactId");
            if (artifact.startsWith("netfence-") && APPS.contains(artifact.substring("netfence-".length()))) {
                assertThat(text(d, "type")).as("images depends on " + artifact).isEqualTo("pom");
                assertThat(text(d, "scope")).as("images depends on " + artifact).isEqualTo("test");
                apps.add(artifact.substring("netfence-".length()));
            }
        }
        assertThat(apps).isEqualTo(APPS);
    }

    @Test
    void noExclusionsOfQuarkusAnywhere() throws Exception {
        // the one exclusion the build needs is documented in ../shared/VERSIONS.md: quarkus-operator-sdk's
        // conditional Helm add-on is not served by the package mirror (operator/pom.xml)
        List<String> found = new ArrayList<>();
        for (String module : ALLOWED.keySet()) {
            NodeList exclusions = pom(ROOT.resolve(module).resolve("pom.xml")).getElementsByTagName("exclusion");
            for (int i = 0; i < exclusions.getLength(); i++) {
                Element x = (Element) exclusions.item(i);
                String what = text(x, "groupId") + ":" + text(x, "artifactId");
                if (!what.equals("io.quarkiverse.operatorsdk:quarkus-operator-sdk-helm")) {
                    found.add(module + " excludes " + what);
                }
            }
        }
        assertThat(found).isEmpty();
    }

    private static Set<String> netfenceDependencies(String module, boolean withTestScope) throws Exception {
        Set<String> out = new TreeSet<>();
        for (Element d : dependencies(module)) {
            String artifact = text(d, "artifactId");
            String scope = text(d, "scope");
            if (artifact.startsWith("netfence-") && (withTestScope || !"test".equals(scope))) {
                out.add(artifact.substring("netfence-".length()));
            }
        }
        return out;
    }

    private static Set<String> groupIds(String module) throws Exception {
        Set<String> out = new TreeSet<>();
        for (Element d : dependencies(module)) {
            out.add(text(d, "groupId"));
        }
        return out;
    }

    private static List<Element> dependencies(String module) throws Exception {
        Element project = pom(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
        List<Element> out = new ArrayList<>();
        for (Element deps : children(project, "dependencies")) {
            out.addAll(children(deps, "dependency"));
        }
        return out;
    }

    private static Document pom(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is missing");
        }
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<String> texts(Element parent, String list, String item) {
        List<String> out = new ArrayList<>();
        for (Element l : children(parent, list)) {
            children(l, item).forEach(e -> out.add(e.getTextContent().trim()));
        }
        return out;
    }

    private static String text(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0).getTextContent().trim();
    }
}
