package dev.netfence.enforcer.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds, with connection revocation on, the rule that makes a revoked TCP connection stay cut (pure):
 * in the egress base chain (which every forwarded packet crosses first), right after {@code ct state
 * invalid drop}, a counted drop of TCP packets that
 * conntrack sees as a new connection but that are not a bare SYN.
 *
 * <p>Why it is needed: once a revoked connection's entry is deleted, its next packet has no entry.
 * With {@code nf_conntrack_tcp_loose} (the kernel's default, 1) conntrack picks a mid-stream ACK up
 * as a new connection in state ESTABLISHED, so the packet reaches the rules as {@code ct state new}.
 * The denied direction is dropped by the policy rules, but a packet of the other direction (the
 * server's reply data) may be allowed as a new flow (the client is not isolated for ingress): it
 * would be confirmed, and the client's packets would then pass as replies of that entry, undoing
 * the revocation. A connection starts with a SYN; anything else new is a lost or revoked one and is
 * dropped, which is what stateful firewalls do. RST and FIN without an entry are already invalid.
 *
 * <p>So the connection stalls in both directions (no RST is sent: a revoked peer learns nothing more
 * than a denied one). The price: with revocation on, a connection whose entry is lost for another
 * reason ({@code conntrack -F}, a full table evicting it) breaks instead of being picked up again.
 */
public final class RevocationRules {
    public static final String COMMENT = "revocation: tcp packet of no tracked connection that is not a syn";

    private RevocationRules() {
    }

    public static RenderedTable add(RenderedTable table) {
        List<NftChain> chains = table.withBaseChains(c -> {
            if (!c.name().equals("egress")) {
                // every forwarded packet crosses egress first (same hook, lower priority): a packet this rule
                // drops there never reaches ingress, so a copy in ingress would only cost a rule per new packet
                return c;
            }
            List<String> rules = new ArrayList<>(c.rules());
            int at = rules.indexOf("ct state invalid drop");
            rules.add(at + 1, "ct state new tcp flags & (fin|syn|rst|ack) != syn counter drop comment "
                    + RenderedTable.quote(COMMENT));
            return new NftChain(c.name(), c.hook(), c.comment(), rules);
        });
        return new RenderedTable(table.sets(), chains, table.objects());
    }
}
