package dev.netfence.enforcer.source;

import dev.netfence.policy.compile.AddressRanges;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the node's rule set from a YAML file, or from {@code <node>.yaml} in a directory (one
 * directory can then serve every node, as a ConfigMap would). A file that does not exist means
 * "nothing published yet". The file is parsed again only when it changed. Writers must replace the
 * file atomically (write a temporary file, then rename it over), as a mounted ConfigMap does: a
 * file read while half-written may still be valid YAML and describe fewer rules.
 */
public final class FileRuleSetSource implements RuleSetSource {
    private final Path path;
    private final String node;
    private FileTime lastModified;
    private long lastSize = -1;
    private Optional<ResolvedRuleSet> last = Optional.empty();

    public FileRuleSetSource(Path path, String node) {
        this.path = path;
        this.node = node;
    }

    /** The file read for this node. */
    public Path file() {
        return Files.isDirectory(path) ? path.resolve(node + ".yaml") : path;
    }

    @Override
    public synchronized Optional<ResolvedRuleSet> current() {
        Path file = file();
        try {
            if (!Files.exists(file)) {
                lastModified = null;
                last = Optional.empty();
                return last;
            }
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(lastModified) && size == lastSize) {
                return last;
            }
            ResolvedRuleSet rs = RuleSetYaml.read(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            check(rs, file);
            lastModified = modified;
            lastSize = size;
            last = Optional.of(rs);
            return last;
        } catch (IOException e) {
            throw new RuleSetSourceException("cannot read rule set file " + file + ": " + e.getMessage(), e);
        }
    }

    private void check(ResolvedRuleSet rs, Path file) {
        if (!node.equals(rs.ruleSet().node())) {
            throw new RuleSetSourceException(file + ": field ruleSet.node is \"" + rs.ruleSet().node()
                    + "\" but this enforcer runs on node \"" + node + "\": publish the rule set of " + node
                    + " or fix netfence.enforcer.node-name");
        }
        Set<String> provided = new HashSet<>();
        rs.addressSets().forEach(a -> provided.add(a.name()));
        Set<String> policyIds = new HashSet<>();
        for (PolicyRules p : rs.ruleSet().policies()) {
            policyIds.add(p.id());
            for (int i = 0; i < p.rules().size(); i++) {
                CompiledRule r = p.rules().get(i);
                for (String as : r.peers()) {
                    if (!provided.contains(as)) {
                        throw new RuleSetSourceException(file + ": field ruleSet.policies[" + p.id() + "].rules[" + i
                                + "].peers names AddressSet " + as + " which is not in addressSets: add it");
                    }
                }
            }
        }
        rs.ruleSet().pods().forEach(pod -> {
            for (String id : pod.ingressPolicies()) {
                requirePolicy(policyIds, id, pod.key(), "ingressPolicies", file);
            }
            for (String id : pod.egressPolicies()) {
                requirePolicy(policyIds, id, pod.key(), "egressPolicies", file);
            }
            for (String id : pod.clusterIngress()) {
                requirePolicy(policyIds, id, pod.key(), "clusterIngress", file);
            }
            for (String id : pod.clusterEgress()) {
                requirePolicy(policyIds, id, pod.key(), "clusterEgress", file);
            }
        });
        for (AddressSet a : rs.addressSets()) {
            if (a.name() == null || !a.name().startsWith("as-")) {
                throw new RuleSetSourceException(file + ": field addressSets[].name \"" + a.name()
                        + "\" is not an AddressSet name (as-<hash>)");
            }
            for (String entry : a.entries()) {
                try {
                    AddressRanges.parse(entry);
                } catch (IllegalArgumentException e) {
                    throw new RuleSetSourceException(file + ": field addressSets[" + a.name() + "].entries: \"" + entry
                            + "\" is not an address, network or range: " + e.getMessage());
                }
            }
        }
    }

    private static void requirePolicy(Set<String> ids, String id, String pod, String field, Path file) {
        if (!ids.contains(id)) {
            throw new RuleSetSourceException(file + ": field ruleSet.pods[" + pod + "]." + field + " names policy " + id
                    + " which is not in ruleSet.policies: add it or remove the reference");
        }
    }

    @Override
    public String describe() {
        return "file " + file();
    }
}
