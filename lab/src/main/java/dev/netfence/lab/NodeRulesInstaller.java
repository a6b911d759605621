package dev.netfence.lab;

/**
 * Installs a node's rules. The lab calls it once per node, on a thread inside that node's network
 * namespace, so anything it does there (a netlink socket, libnftables, a child process such as
 * {@code nft -f -}) acts on the node and nowhere else.
 */
@FunctionalInterface
public interface NodeRulesInstaller {
    void install(LabNode node) throws Exception;
}
