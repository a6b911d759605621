package dev.netfence.cli.lint;

import dev.netfence.crds.manifest.ManifestObject;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.policy.analysis.AnalysisConfig;
import dev.netfence.policy.analysis.CriticalFlow;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.PolicyAnalyzer;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code netfence lint} without the command line: the analysis of the admission webhook on the
 * objects of manifest files. Namespaces, pods and nodes come from the files; DNS is the default
 * cluster DNS unless a {@code CriticalFlow} named {@code dns} says otherwise, and DNS pods that the
 * files do not hold are assumed.
 */
public final class ManifestLinter {

    private final PolicyAnalyzer analyzer;
    private final ClusterDns dns;
    private final List<Cidr> serviceCidrs;

    public ManifestLinter(AnalysisConfig config, ClusterDns dns, List<Cidr> serviceCidrs) {
        this.analyzer = new PolicyAnalyzer(config);
        this.dns = dns;
        this.serviceCidrs = List.copyOf(serviceCidrs);
    }

    public ManifestLinter() {
        this(AnalysisConfig.DEFAULT, ClusterDns.DEFAULT, List.of());
    }

    public List<LocatedFinding> lint(Manifests manifests) {
        return lint(manifests, null);
    }

    /**
     * {@code cluster}: where the namespaces, pods and nodes live when the repository holds only
     * policies ({@code --cluster-from}), or null; its other objects are not linted.
     */
    public List<LocatedFinding> lint(Manifests manifests, Manifests cluster) {
        return lint(manifests, cluster, List.of());
    }

    /** {@code workloadPods}: the pods the workloads of the input stand for ({@code WorkloadPods}), judged like pods. */
    public List<LocatedFinding> lint(Manifests manifests, Manifests cluster, List<Pod> workloadPods) {
        ClusterSnapshot.Builder context = ClusterSnapshot.builder().dns(dns);
        workloadPods.forEach(context::pod);
        if (cluster != null) {
            for (ManifestObject o : cluster.objects()) {
                if (o.model() instanceof Namespace n) {
                    context.namespace(n);
                } else if (o.model() instanceof Pod p) {
                    context.pod(p);
                } else if (o.model() instanceof Node n) {
                    context.node(n);
                }
            }
        }
        List<PolicyObject> objects = new ArrayList<>();
        List<CriticalFlow> flows = new ArrayList<>();
        Map<ObjectRef, ManifestObject> byRef = new HashMap<>();
        for (ManifestObject o : manifests.objects()) {
            byRef.put(o.ref(), o);
            Object m = o.model();
            if (m instanceof Namespace n) {
                context.namespace(n);
            } else if (m instanceof Pod p) {
                context.pod(p);
            } else if (m instanceof Node n) {
                context.node(n);
            } else if (m instanceof NetworkPolicy np) {
                objects.add(PolicyObject.of(np));
            } else if (m instanceof DefaultDeny dd) {
                Map<String, String> annotations = o.resource().getMetadata().getAnnotations();
                objects.add(PolicyObject.of(dd, annotations));
            } else if (m instanceof dev.netfence.policy.model.ClusterNetworkPolicy cnp) {
                objects.add(PolicyObject.of(cnp, o.resource().getMetadata().getAnnotations()));
            } else if (m instanceof CriticalFlow cf) {
                flows.add(cf);
            }
        }
        List<LocatedFinding> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>(analyzer.lint(context.build(), objects, flows));
        findings.addAll(ServiceIpRule.check(manifests, serviceCidrs));
        for (Finding f : findings) {
            ManifestObject o = byRef.get(f.object());
            if (o == null) {
                out.add(new LocatedFinding(f, "", 0, 0));
            } else {
                out.add(new LocatedFinding(f, o.file().toString(), o.fields().lineOf(f.fieldPath()), o.line()));
            }
        }
        return out;
    }
}
