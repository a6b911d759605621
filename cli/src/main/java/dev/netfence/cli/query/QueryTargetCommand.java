package dev.netfence.cli.query;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.common.Endpoints;
import dev.netfence.cli.common.JsonText;
import dev.netfence.cli.common.InputOptions;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code netfence query-target NS/POD}: which policies select a pod, per direction, and why. The
 * isolating objects come from the engine ({@link PolicyEngine#isolatingPolicies}); this command
 * only says in words why each selects the pod and how many rules it brings.
 */
@Command(name = "query-target", mixinStandardHelpOptions = true,
        description = {"Show which NetworkPolicies and DefaultDenies select a pod, for ingress and for egress, and why.",
                "A pod no object selects in a direction is not isolated there: all its traffic in that direction is allowed.",
                "Reads manifests (-f) or a live cluster (--kubeconfig, --context)."})
public class QueryTargetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Parameters(index = "0", paramLabel = "NS/POD", description = "The pod, as namespace/name; the pod of a workload as "
            + "namespace/KIND/NAME (shop/deploy/web).")
    String target;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        ClusterSnapshot snapshot = input.load(spec.commandLine().getErr()).snapshot();
        Pod pod = Endpoints.pod(snapshot, "NS/POD", target);
        PolicyEngine engine = new PolicyEngine(snapshot);
        Map<Direction, List<Selection>> byDirection = new LinkedHashMap<>();
        for (Direction d : List.of(Direction.INGRESS, Direction.EGRESS)) {
            List<Selection> list = new ArrayList<>();
            for (ObjectRef ref : engine.isolatingPolicies(pod, d)) {
                list.add(why(snapshot, ref, pod, d));
            }
            byDirection.put(d, list);
        }
        Map<Direction, List<String>> tiers = new LinkedHashMap<>();
        for (Direction d : List.of(Direction.INGRESS, Direction.EGRESS)) {
            List<String> lines = new ArrayList<>();
            for (Tier tier : Tier.values()) {
                for (ClusterNetworkPolicy cnp : engine.clusterPoliciesOf(pod, tier, d)) {
                    lines.add(tier.apiName() + " tier: " + cnp.ref() + " (priority " + cnp.priority() + ", "
                            + cnp.rules(d).size() + " " + d.field() + (cnp.rules(d).size() == 1 ? " rule" : " rules") + ")");
                }
            }
            tiers.put(d, lines);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(output.json() ? json(pod, byDirection, tiers) + "\n" : text(pod, byDirection, tiers));
        out.flush();
        return ExitCodes.OK;
    }

    /** One object selecting the pod in one direction: why, and how many rules of that direction it has. */
    record Selection(ObjectRef object, String why, int rules) {
    }

    private static Selection why(ClusterSnapshot snapshot, ObjectRef ref, Pod pod, Direction d) {
        if (ref.kind().equals("DefaultDeny")) {
            DefaultDeny dd = snapshot.defaultDeniesInNamespace(ref.namespace()).stream()
                    .filter(x -> x.name().equals(ref.name())).findFirst().orElseThrow();
            List<String> carveOuts = new ArrayList<>();
            if (d == Direction.EGRESS && dd.allowDNS()) {
                carveOuts.add("allowDNS keeps egress to the cluster DNS");
            }
            if (dd.allowSameNamespace()) {
                carveOuts.add("allowSameNamespace keeps traffic within " + dd.namespace());
            }
            String exempt = dd.exemptPodSelector() == null ? "" : "; " + pod.key() + " does not match its exemptPodSelector "
                    + dd.exemptPodSelector();
            return new Selection(ref, "isolates every pod of namespace " + dd.namespace() + " for " + d.apiName() + exempt
                    + (carveOuts.isEmpty() ? "" : "; " + String.join("; ", carveOuts)), 0);
        }
        NetworkPolicy np = snapshot.policiesInNamespace(ref.namespace()).stream()
                .filter(x -> x.name().equals(ref.name())).findFirst().orElseThrow();
        String selector = np.podSelector().isEmpty() ? "podSelector {} selects every pod of " + np.namespace()
                : "podSelector " + np.podSelector() + " matches its labels";
        String types;
        if (np.policyTypes() == null || np.policyTypes().isEmpty()) {
            types = d == Direction.INGRESS ? "no policyTypes: Ingress is always included"
                    : "no policyTypes: Egress is included because the policy has egress rules";
        } else {
            types = "policyTypes " + np.policyTypes();
        }
        int rules = np.rules(d).size();
        String ruleText = rules == 0 ? "no " + d.field() + " rules: it isolates the pod and allows nothing itself"
                : rules + " " + d.field() + (rules == 1 ? " rule" : " rules");
        return new Selection(ref, selector + "; " + types + "; " + ruleText, rules);
    }

    private static String text(Pod pod, Map<Direction, List<Selection>> byDirection, Map<Direction, List<String>> tiers) {
        StringBuilder sb = new StringBuilder("pod ").append(pod.key());
        if (!pod.ips().isEmpty()) {
            sb.append(" (").append(pod.ips().stream().map(Object::toString).collect(Collectors.joining(", "))).append(')');
        }
        sb.append(", labels ").append(labels(pod.labels())).append('\n');
        if (dev.netfence.crds.manifest.WorkloadPods.isHypothetical(pod)) {
            sb.append("  stands for the pods of ").append(pod.name())
                    .append(" (labels and ports of its pod template; no Pod object in the input)\n");
        }
        if (pod.hostNetwork()) {
            sb.append("  uses the host network: NetworkPolicy never selects it (its traffic is node traffic)\n");
        }
        byDirection.forEach((d, list) -> {
            if (list.isEmpty()) {
                sb.append(d.apiName()).append(": not isolated: no object selects it for ").append(d.apiName())
                        .append(", so all its ").append(d == Direction.INGRESS ? "incoming" : "outgoing").append(" traffic is allowed\n");
                return;
            }
            sb.append(d.apiName()).append(": isolated by ").append(list.size()).append(list.size() == 1 ? " object" : " objects")
                    .append("; a flow is allowed when any of them allows it\n");
            list.forEach(s -> sb.append("  - ").append(s.object()).append(": ").append(s.why()).append('\n'));
        });
        tiers.forEach((d, lines) -> {
            if (!lines.isEmpty()) {
                sb.append(d.apiName()).append(": ClusterNetworkPolicies selecting it, in evaluation order (Admin before the "
                        + "NetworkPolicy tier; Baseline only when no NetworkPolicy selects it)\n");
                lines.forEach(l -> sb.append("  - ").append(l).append('\n'));
            }
        });
        return sb.toString();
    }

    private static String json(Pod pod, Map<Direction, List<Selection>> byDirection, Map<Direction, List<String>> tiers) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("pod", pod.key());
        root.put("labels", new TreeMap<>(pod.labels()));
        byDirection.forEach((d, list) -> {
            Map<String, Object> side = new LinkedHashMap<>();
            side.put("isolated", !list.isEmpty());
            List<Object> by = new ArrayList<>();
            for (Selection s : list) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("object", s.object().toString());
                o.put("why", s.why());
                o.put("rules", s.rules());
                by.add(o);
            }
            side.put("selectedBy", by);
            if (!tiers.get(d).isEmpty()) {
                side.put("clusterPolicies", tiers.get(d));
            }
            root.put(d.field(), side);
        });
        return JsonText.write(root);
    }

    private static String labels(Map<String, String> labels) {
        return labels.isEmpty() ? "none" : new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
