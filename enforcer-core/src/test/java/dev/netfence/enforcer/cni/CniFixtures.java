package dev.netfence.enforcer.cni;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** CNI calls as a container runtime makes them (libcni: the env of the spec, the config with prevResult on stdin). */
final class CniFixtures {
    private CniFixtures() {
    }

    /** What ptp + host-local return for a pod with one IPv4 and one IPv6 address. */
    static final String PREV_RESULT = """
            {"cniVersion":"1.0.0","interfaces":[{"name":"veth1a2b3c4d","mac":"ee:ee:ee:ee:ee:ee"},
             {"name":"eth0","mac":"02:42:0a:f4:01:05","sandbox":"/var/run/netns/cni-1"}],
             "ips":[{"interface":1,"address":"10.244.1.5/24","gateway":"10.244.1.1"},
                    {"interface":1,"address":"fd00:10:244:1::5/64"}],
             "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""";

    static String config(String version, String prevResult) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"k8s-pod-network\",\"type\":\"netfence\""
                + (prevResult == null ? "" : ",\"prevResult\":" + prevResult) + "}";
    }

    static Map<String, String> env(String command, String containerId, String namespace, String name) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", "/var/run/netns/cni-1");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name
                + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId);
        env.put("CNI_PATH", "/opt/cni/bin");
        return env;
    }

    static CniRequest request(Map<String, String> env, String stdin) {
        return new CniRequest(env, stdin.getBytes(StandardCharsets.UTF_8));
    }
}
