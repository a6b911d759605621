package dev.netfence.policy.compile;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The content hashes of a {@link NodeRuleSet} ({@code spec.contentHash}, what the operator writes and the
 * enforcer reports as {@code status.ruleSetHash}) and of a {@link ResolvedRuleSet} (with the AddressSets'
 * members: {@code status.appliedHash}), built from digests of the parts so that a change of a few pods is
 * hashed by hashing those pods: the operator and the enforcer both call this class, so they agree.
 *
 * <p>Why: a NodeRuleSet lists every local pod, so a pod joining is a new document; hashing its whole text
 * (SHA-256 over the rule set printed, tens of MiB at 10,000 pods) was most of a pod change's CPU in the
 * enforcer. Here the pods enter as the sum modulo 2^256 of their SHA-256 digests (plus their count), which a
 * pod joining or leaving changes by adding or subtracting its digest ({@link #withPods}); the policies,
 * node addresses and AddressSet names enter as one SHA-256 each, which the enforcer's pod path reuses (they
 * are the same). The pod list's order does not change the hash: it is sorted (see {@link NodeRuleSet}), and
 * the order of local pods means nothing to the datapath. The final value is the first 16 hex digits of a
 * SHA-256 over the part digests ({@link ContentHash}'s format).
 */
public final class RuleSetHash {
    private static final BigInteger MOD = BigInteger.ONE.shiftLeft(256);

    private final String node;
    private final byte[] nodeAddresses;
    private final BigInteger podSum;
    private final long podCount;
    private final byte[] policies;
    private final byte[] addressSetNames;
    private final String hash;

    private RuleSetHash(String node, byte[] nodeAddresses, BigInteger podSum, long podCount, byte[] policies,
                        byte[] addressSetNames) {
        this.node = node;
        this.nodeAddresses = nodeAddresses;
        this.podSum = podSum;
        this.podCount = podCount;
        this.policies = policies;
        this.addressSetNames = addressSetNames;
        MessageDigest md = sha256();
        md.update(("NodeRuleSet\n" + node + "\n" + podCount + "\n").getBytes(StandardCharsets.UTF_8));
        md.update(nodeAddresses);
        md.update(podSum.toByteArray());
        md.update(policies);
        md.update(addressSetNames);
        this.hash = HexFormat.of().formatHex(md.digest(), 0, 8);
    }

    /** The hash of {@code rs}, every part digested. */
    public static RuleSetHash of(NodeRuleSet rs) {
        MessageDigest md = sha256();
        BigInteger sum = BigInteger.ZERO;
        for (LocalPod p : rs.pods()) {
            sum = sum.add(pod(md, p));
        }
        return new RuleSetHash(rs.node(), digest(md, rs.nodeAddresses().toString()), sum.mod(MOD), rs.pods().size(),
                listDigest(md, rs.policies()), digest(md, rs.addressSets().toString()));
    }

    /**
     * The hash of the rule set that differs from the one hashed here only by its pods: {@code removed} left
     * (each was in it), {@code added} came. Equal to {@link #of} of that rule set; its node, node addresses,
     * policies and AddressSet names must be equal to this one's (the caller checked).
     */
    public RuleSetHash withPods(List<LocalPod> removed, List<LocalPod> added) {
        MessageDigest md = sha256();
        BigInteger sum = podSum;
        for (LocalPod p : removed) {
            sum = sum.subtract(pod(md, p));
        }
        for (LocalPod p : added) {
            sum = sum.add(pod(md, p));
        }
        return new RuleSetHash(node, nodeAddresses, sum.mod(MOD), podCount - removed.size() + added.size(), policies,
                addressSetNames);
    }

    /** {@link NodeRuleSet#contentHash()}. */
    public String hash() {
        return hash;
    }

    /** {@link ResolvedRuleSet#contentHash()}: this rule set with the AddressSets' members ({@link #addressSets}). */
    public String withAddressSets(byte[] addressSetsDigest) {
        MessageDigest md = sha256();
        md.update(("ResolvedRuleSet\n" + hash + "\n").getBytes(StandardCharsets.UTF_8));
        md.update(addressSetsDigest);
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }

    /** The digest of the AddressSets (names and members, in order) for {@link #withAddressSets}. */
    public static byte[] addressSets(List<AddressSet> sets) {
        return listDigest(sha256(), sets);
    }

    private static BigInteger pod(MessageDigest md, LocalPod p) {
        return new BigInteger(1, md.digest(p.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 over the items' texts, each followed by a newline (an ordered list). */
    private static byte[] listDigest(MessageDigest md, List<?> items) {
        md.reset();
        byte[] nl = {'\n'};
        for (Object o : items) {
            md.update(o.toString().getBytes(StandardCharsets.UTF_8));
            md.update(nl);
        }
        return md.digest();
    }

    private static byte[] digest(MessageDigest md, String text) {
        return md.digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
