package dev.netfence.enforcer.nft;

import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.ContentHash;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.model.Direction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds the flow log to a rendered table (pure): the packets the policies deny, and optionally the
 * new connections they allow, are copied to an NFLOG group ({@code log group N}, read by the
 * enforcer's {@code NflogSocket}) within one per-node budget.
 *
 * <ul>
 *   <li>The budget is one named {@code limit} object, {@code flowlog} ({@code rate N/second burst B
 *       packets}), that every logging rule refers to: a named limit is one token bucket however many
 *       rules use it, so a flood of denials on many pods cannot log more than N per second in all
 *       (an anonymous {@code limit} in each profile chain would be one bucket per profile).</li>
 *   <li>A profile chain's final {@code counter drop} (for audited policies: {@code counter accept}, a
 *       would-deny, prefix {@code nf W}) becomes two rules with the same comment (the
 *       rule counters sum by comment, so the per-profile drop count is unchanged): the first logs
 *       and drops while the limit has tokens, the second (the limit's "over" branch: a packet the
 *       limit did not let through falls to it) drops without logging and adds to the named counter
 *       {@code flowlog_lost}, which the flow log reports as records lost to the rate limit.</li>
 *   <li>With {@code allowed}, each accepting rule of a policy chain becomes the same pair, accepting, and so
 *       does each accepting rule of a policy written into its only profile chain (the renderer's inlining).
 *       Only new connections reach these rules: the base chains accept established and related
 *       packets first.</li>
 *   <li>A ClusterNetworkPolicy rule of a tier chain ({@code adm_}, {@code base_}): each Deny rule becomes
 *       the same pair, dropping, with the policy and its rule as the decider ({@code ClusterNetworkPolicy
 *       guard spec.egress[0] (no-metadata) Deny}); with {@code allowed}, each Accept rule likewise. A
 *       Pass rule, and Baseline's Accept in front of an audit check (a {@code return}), log nothing.</li>
 *   <li>The NFLOG prefix is a compact id, {@code nf D <profile chain>} or {@code nf A <hash>}, that
 *       {@link Result#deciders()} maps to the verdict, direction and deciding policies: the kernel
 *       names the rule that decided, so a record is explained from the rule set the kernel ran, not
 *       from what the enforcer guesses later from the addresses.</li>
 * </ul>
 */
public final class FlowLogRules {
    public static final String LIMIT = "flowlog";
    public static final String LOST_COUNTER = "flowlog_lost";
    /** Every prefix starts with it, so the reader ignores other tools' logs to the same group. */
    public static final String PREFIX = "nf ";

    private FlowLogRules() {
    }

    /** The table with logging rules, and the prefix id to decider map of those rules. */
    public record Result(RenderedTable table, Map<String, FlowDecider> deciders) {
        public Result {
            deciders = Map.copyOf(deciders);
        }
    }

    public static Result add(RenderedTable table, NodeRuleSet ruleSet, FlowLogSettings settings) {
        if (!settings.enabled()) {
            return new Result(table, Map.of());
        }
        Map<String, FlowDecider> deciders = new HashMap<>();
        Map<String, String> profilePrefixes = new HashMap<>();
        Map<String, PolicyRules> byId = new HashMap<>();
        ruleSet.policies().forEach(p -> byId.put(p.id(), p));
        if (settings.denied()) {
            for (LocalPod pod : ruleSet.pods()) {
                for (Direction d : Direction.values()) {
                    List<String> ids = pod.policies(d);
                    if (ids.isEmpty()) {
                        // only ClusterNetworkPolicies: the profile ends without a drop (their Deny rules log below)
                        continue;
                    }
                    String chain = NftablesRenderer.profileChain(d, pod.clusterPolicies(d), ids);
                    // a profile of audited policies only ends in an accept: what reaches it is a would-deny
                    boolean audit = ids.stream().allMatch(id -> byId.get(id) != null && byId.get(id).audit());
                    String prefix = PREFIX + (audit ? "W " : "D ") + chain;
                    if (profilePrefixes.putIfAbsent(chain, prefix) == null) {
                        deciders.put(prefix, new FlowDecider(audit ? FlowDecider.Verdict.WOULD_DENY : FlowDecider.Verdict.DENIED,
                                d.apiName(), ids.stream().map(id -> ref(byId.get(id), id)).toList(), null));
                    }
                }
            }
        }
        // the chains holding a policy's accepting rules: its own chain, or the one profile chain the renderer wrote them
        // into (found by their comments there)
        Map<String, List<PolicyRules>> policyChains = new HashMap<>();
        if (settings.allowed()) {
            // an audited policy's accepts are not what allowed the connection (its pods are not isolated)
            ruleSet.policies().stream().filter(p -> !p.audit() && !p.clusterTier())
                    .forEach(p -> policyChains.put(NftablesRenderer.policyChain(p.id()), List.of(p)));
            for (LocalPod pod : ruleSet.pods()) {
                for (Direction d : Direction.values()) {
                    List<String> ids = pod.policies(d);
                    if (ids.isEmpty()) {
                        continue;
                    }
                    policyChains.computeIfAbsent(NftablesRenderer.profileChain(d, pod.clusterPolicies(d), ids),
                            k -> ids.stream().map(byId::get).filter(p -> p != null && !p.audit() && !p.clusterTier()).toList());
                }
            }
        }
        // the rules of the tier chains by their comment: a ClusterNetworkPolicy's Deny rules log as denials
        // (the kernel names the deciding policy and rule), its Accept rules as allowed connections
        Map<String, TierRule> tierRules = new HashMap<>();
        for (PolicyRules p : ruleSet.policies()) {
            if (p.clusterTier()) {
                p.rules().forEach(r -> tierRules.putIfAbsent(NftablesRenderer.ruleComment(p, r), new TierRule(p, r)));
            }
        }
        String log = "limit name \"" + LIMIT + "\" log prefix ";
        String group = " group " + settings.group() + " ";
        String over = "counter name \"" + LOST_COUNTER + "\" ";
        List<NftChain> chains = new ArrayList<>();
        for (NftChain c : table.chains()) {
            String prefix = profilePrefixes.get(c.name());
            List<PolicyRules> accepting = policyChains.get(c.name());
            if ((prefix != null && !c.rules().isEmpty()) || (accepting != null && !accepting.isEmpty())) {
                List<String> rules = accepting == null ? new ArrayList<>(c.rules()) : allowed(c.rules(), accepting, deciders,
                        log, group, over);
                if (prefix != null && !rules.isEmpty()) {
                    String last = rules.remove(rules.size() - 1);   // "counter drop comment ..."
                    rules.add(log + "\"" + prefix + "\"" + group + last);
                    rules.add(over + last);
                }
                chains.add(new NftChain(c.name(), c.hook(), c.comment(), rules));
            } else if (NftablesRenderer.isTierChain(c.name())) {
                List<String> rules = new ArrayList<>();
                for (String rule : c.rules()) {
                    int at = rule.indexOf("counter ");
                    String tail = at < 0 ? "" : rule.substring(at);
                    String verdict = tail.startsWith("counter drop comment ") ? "drop"
                            : tail.startsWith("counter accept comment ") ? "accept" : null;
                    TierRule tr = verdict == null ? null : tierRules.get(tail.substring(("counter " + verdict + " comment ").length()));
                    boolean logs = tr != null && (verdict.equals("drop") ? settings.denied() : settings.allowed());
                    if (!logs) {
                        rules.add(rule);
                        continue;
                    }
                    PolicyRules cnp = tr.policy();
                    String id = PREFIX + (verdict.equals("drop") ? "D " : "A ") + ContentHash.of(cnp.id() + " " + tr.rule().fieldPath());
                    deciders.put(id, new FlowDecider(verdict.equals("drop") ? FlowDecider.Verdict.DENIED : FlowDecider.Verdict.ALLOWED,
                            cnp.direction().apiName(), List.of(ref(cnp, cnp.id())), NftablesRenderer.ruleText(tr.rule())));
                    String matches = rule.substring(0, at);
                    rules.add(matches + log + "\"" + id + "\"" + group + tail);
                    rules.add(matches + over + tail);
                }
                chains.add(new NftChain(c.name(), c.hook(), c.comment(), rules));
            } else {
                chains.add(c);
            }
        }
        List<String> objects = new ArrayList<>(table.objects());
        objects.add("limit " + LIMIT + " { rate " + settings.ratePerSecond() + "/second burst " + settings.burst() + " packets }");
        objects.add("counter " + LOST_COUNTER + " { }");
        return new Result(new RenderedTable(table.sets(), chains, objects), deciders);
    }

    /**
     * {@code chainRules} with each accepting rule of {@code policies} (known by its comment) as the pair that logs the
     * allowed connection within the limit and counts it as lost beyond; every other rule as it is.
     */
    private static List<String> allowed(List<String> chainRules, List<PolicyRules> policies, Map<String, FlowDecider> deciders,
                                        String log, String group, String over) {
        Map<String, PolicyRules> byComment = new HashMap<>();
        Map<String, String> fieldPaths = new HashMap<>();
        for (PolicyRules policy : policies) {
            for (CompiledRule r : policy.rules()) {
                String comment = NftablesRenderer.ruleComment(policy, r);
                byComment.putIfAbsent(comment, policy);
                fieldPaths.putIfAbsent(comment, r.fieldPath());
            }
        }
        List<String> rules = new ArrayList<>();
        for (String rule : chainRules) {
            int at = rule.indexOf("counter accept comment ");
            String comment = at < 0 ? null : rule.substring(at + "counter accept comment ".length());
            PolicyRules policy = comment == null ? null : byComment.get(comment);
            if (policy == null) {
                rules.add(rule);
                continue;
            }
            String fieldPath = fieldPaths.get(comment);
            String id = PREFIX + "A " + ContentHash.of(policy.id() + " " + fieldPath);
            deciders.put(id, new FlowDecider(FlowDecider.Verdict.ALLOWED, policy.direction().apiName(),
                    List.of(ref(policy, policy.id())), fieldPath));
            String matches = rule.substring(0, at);
            String tail = rule.substring(at);
            rules.add(matches + log + "\"" + id + "\"" + group + tail);
            rules.add(matches + over + tail);
        }
        return rules;
    }

    private record TierRule(PolicyRules policy, CompiledRule rule) {
    }

    /** {@code NetworkPolicy shop/web}, {@code ClusterNetworkPolicy guard}: the name {@code netfence explain} prints. */
    private static String ref(PolicyRules p, String id) {
        if (p != null) {
            return p.kind() + " " + (p.clusterTier() ? "" : p.namespace() + "/") + p.name();
        }
        String[] parts = id.split("/");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + "/" + parts[2] : id;
    }
}
