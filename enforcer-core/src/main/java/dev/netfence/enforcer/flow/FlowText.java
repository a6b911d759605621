package dev.netfence.enforcer.flow;

/**
 * A flow record as a person reads it, one line: time, node, verdict, protocol, source and destination
 * with ports, and what decided (what {@code netfence flows} and the demo print).
 *
 * <pre>
 * 03:41:07.412 node-1 DENIED     TCP shop/frontend:40112 -> shop-data/db:5432  ingress isolated by DefaultDeny shop-data/default-deny
 * 03:41:08.100 node-1 DENIED     TCP shop/api:40190 -> 169.254.169.254:80  egress denied by ClusterNetworkPolicy guard spec.egress[0] (no-metadata) Deny
 * 03:41:09.020 node-1 WOULD-DENY TCP shop/api:40230 -> shop-data/db:5432  accepted; ingress audited by NetworkPolicy shop-data/db-ingress
 * 03:41:10.001 node-2 ALLOWED    TCP shop/api:40301 -> shop-data/db:5432  ingress by NetworkPolicy shop-data/db-ingress spec.ingress[0]
 * </pre>
 */
public final class FlowText {
    private FlowText() {
    }

    public static String line(FlowRecord r) {
        String time = r.time().length() >= 23 && r.time().charAt(10) == 'T' ? r.time().substring(11, Math.min(23, r.time().length()))
                : r.time();
        String side = r.direction().toLowerCase(java.util.Locale.ROOT);
        String why = switch (r.verdict()) {
            // a ClusterNetworkPolicy Deny rule names its rule; a profile's drop names the isolating policies
            case "denied" -> r.rule() != null ? side + " denied by " + String.join(", ", r.policies()) + " " + r.rule()
                    : side + " isolated by " + String.join(", ", r.policies());
            case "would-deny" -> "accepted; " + side + " audited by " + String.join(", ", r.policies());
            default -> side + " by " + String.join(", ", r.policies()) + (r.rule() != null ? " " + r.rule() : "");
        };
        return String.format("%s %s %-10s %s %s -> %s  %s", time, r.node(), r.verdict().toUpperCase(java.util.Locale.ROOT),
                r.protocol(), end(r.source(), r.sourcePort()), end(r.destination(), r.port()), why);
    }

    private static String end(String who, int port) {
        if (port < 0) {
            return who;
        }
        return who.indexOf(':') >= 0 ? "[" + who + "]:" + port : who + ":" + port;
    }
}
