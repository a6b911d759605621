package dev.netfence.cli.lint;

import dev.netfence.crds.manifest.ManifestObject;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.ServiceModel;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.Rules;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@value Rules#IPBLOCK_COVERS_SERVICE_IP}: an ipBlock that contains a Service's ClusterIP (or overlaps
 * the service CIDR, when given). kube-proxy rewrites a packet to a ClusterIP into one to an endpoint
 * (DNAT) before NetworkPolicy filters it, so the policy sees the endpoint's address: a rule written
 * for the ClusterIP matches nothing sent to the Service. The fix selects the Service's pods.
 */
final class ServiceIpRule {

    private ServiceIpRule() {
    }

    static List<Finding> check(Manifests manifests, List<Cidr> serviceCidrs) {
        List<ServiceModel> services = manifests.objects().stream().flatMap(o -> o.model(ServiceModel.class).stream()).toList();
        List<Finding> out = new ArrayList<>();
        for (ManifestObject o : manifests.objectsOf(NetworkPolicy.class)) {
            NetworkPolicy np = (NetworkPolicy) o.model();
            for (Direction d : Direction.values()) {
                List<PolicyRule> rules = np.rules(d);
                for (int r = 0; r < rules.size(); r++) {
                    List<Peer> peers = rules.get(r).peers();
                    for (int i = 0; i < peers.size(); i++) {
                        IpBlock block = peers.get(i).ipBlock();
                        if (block == null) {
                            continue;
                        }
                        String path = "spec." + d.field() + "[" + r + "]." + (d == Direction.INGRESS ? "from" : "to") + "[" + i
                                + "].ipBlock.cidr";
                        check(np, path, block, services, serviceCidrs, out);
                    }
                }
            }
        }
        return out;
    }

    private static void check(NetworkPolicy np, String path, IpBlock block, List<ServiceModel> services, List<Cidr> serviceCidrs,
                              List<Finding> out) {
        Cidr cidr = Cidr.parse(block.cidr());
        List<Cidr> except = block.except().stream().map(Cidr::parse).toList();
        for (ServiceModel s : services) {
            for (IpAddress ip : s.clusterIps()) {
                if (cidr.contains(ip) && except.stream().noneMatch(e -> e.contains(ip))) {
                    out.add(new Finding(Rules.IPBLOCK_COVERS_SERVICE_IP, Severity.WARNING, np.ref(), path, "ipBlock " + block.cidr()
                            + " covers " + ip + ", the ClusterIP of Service " + s.key() + ": NetworkPolicy sees traffic after "
                            + "kube-proxy's DNAT, addressed to the Service's endpoints, so this peer never matches traffic sent to "
                            + "the Service; select its pods instead", fix(np, s), null));
                    return;
                }
            }
        }
        for (Cidr serviceCidr : serviceCidrs) {
            if (serviceCidr.v6() == cidr.v6() && (cidr.contains(serviceCidr.first()) || serviceCidr.contains(cidr.first()))) {
                out.add(new Finding(Rules.IPBLOCK_COVERS_SERVICE_IP, Severity.WARNING, np.ref(), path, "ipBlock " + block.cidr()
                        + " overlaps the service CIDR " + serviceCidr + ": NetworkPolicy sees traffic to Services after DNAT, "
                        + "addressed to their endpoints, so those addresses are never matched; select the pods instead", null, null));
                return;
            }
        }
    }

    /** The peer that selects the Service's pods, or null when the Service has no selector. */
    private static String fix(NetworkPolicy np, ServiceModel s) {
        if (s.selector() == null) {
            return null;
        }
        StringBuilder y = new StringBuilder("- ");
        if (!s.namespace().equals(np.namespace())) {
            y.append("namespaceSelector:\n    matchLabels:\n      kubernetes.io/metadata.name: ").append(s.namespace()).append("\n  ");
        }
        y.append("podSelector:\n    matchLabels:\n");
        Map<String, String> labels = new TreeMap<>(s.selector());
        labels.forEach((k, v) -> y.append("      ").append(k).append(": ").append(v).append('\n'));
        return y.toString();
    }
}
