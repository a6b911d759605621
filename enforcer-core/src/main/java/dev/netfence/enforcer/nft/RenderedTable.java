package dev.netfence.enforcer.nft;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The table {@code inet netfence} as the renderer built it: its sets (with elements) and chains, and
 * its named stateful objects ({@code objects}: complete declarations such as
 * {@code limit flowlog { rate 300/second burst 300 packets }}, written before the sets; see {@link FlowLogRules}).
 * Turns into nftables scripts: a full replacement in one transaction, or, when only set elements
 * changed, element additions and deletions.
 */
public record RenderedTable(List<NftSet> sets, List<NftChain> chains, List<String> objects) {
    public static final String FAMILY = "inet";
    public static final String NAME = "netfence";
    public static final String TABLE = FAMILY + " " + NAME;

    public RenderedTable {
        // the pod path's lists share the table's sets and chains with the table they came from (SharedList)
        sets = SharedList.share(sets);
        chains = SharedList.share(chains);
        objects = List.copyOf(objects);
    }

    /** A table without stateful objects. */
    public RenderedTable(List<NftSet> sets, List<NftChain> chains) {
        this(sets, chains, List.of());
    }

    /**
     * The chains, with the two base chains ({@code egress} and {@code ingress}, the chains with a hook) replaced by
     * what {@code change} makes of them and every other chain as it is. Stops looking once both are found: the
     * renderer writes them first, a table has thousands of chains, and the pod path adds the fail-closed and
     * revocation rules to them on every change.
     */
    public List<NftChain> withBaseChains(java.util.function.UnaryOperator<NftChain> change) {
        return withChanged(2, c -> c.hook() != null && (c.name().equals("egress") || c.name().equals("ingress")), change);
    }

    /**
     * The same for the base chains and the four pod chains ({@code egress_pod_v4}, ..., see
     * {@link NftablesRenderer#podChainName}), which the renderer writes right after them: {@code change} gets each of
     * the six (a pod chain has no hook), every other chain stays as it is.
     */
    public List<NftChain> withLeadingChains(java.util.function.UnaryOperator<NftChain> change) {
        return withChanged(6, RenderedTable::isLeading, change);
    }

    /**
     * The chains with each of the first {@code count} that match {@code which} changed by {@code change} (the renderer
     * writes them first, so the walk stops there); every other chain shared by reference, not copied (SharedList).
     */
    private List<NftChain> withChanged(int count, java.util.function.Predicate<NftChain> which,
                                       java.util.function.UnaryOperator<NftChain> change) {
        java.util.Map<Integer, NftChain> changed = new java.util.HashMap<>();
        for (int i = 0; i < chains.size() && changed.size() < count; i++) {
            NftChain c = chains.get(i);
            if (which.test(c)) {
                changed.put(i, change.apply(c));
            }
        }
        return SharedList.replaced(chains, changed);
    }

    /** A leading chain of the renderer's, as {@link #withLeadingChains} finds it (the first six chains, or fewer). */
    static NftChain leadingChain(List<NftChain> chains, String name) {
        for (int i = 0; i < chains.size() && i < 6; i++) {
            if (chains.get(i).name().equals(name)) {
                return chains.get(i);
            }
        }
        throw new IllegalArgumentException("no chain " + name + " among the table's first chains");
    }

    private static boolean isLeading(NftChain c) {
        String n = c.name();
        if (c.hook() != null) {
            return n.equals("egress") || n.equals("ingress");
        }
        for (dev.netfence.policy.model.Direction d : dev.netfence.policy.model.Direction.values()) {
            if (n.equals(NftablesRenderer.podChainName(d, false)) || n.equals(NftablesRenderer.podChainName(d, true))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The script that replaces the whole table in one transaction. {@code add table} makes the
     * {@code delete} valid when the table does not exist yet (nftables 1.0.6 has no {@code destroy});
     * if any later command fails the kernel rejects the batch and the old table stays as it was.
     */
    public String fullScript() {
        StringBuilder sb = new StringBuilder(64 + 32 * elementCount());
        sb.append("add table ").append(TABLE).append('\n');
        sb.append("delete table ").append(TABLE).append('\n');
        sb.append(text());
        return sb.toString();
    }

    /**
     * Whether only the netlink encoder can load this table: a rule matches an address concatenated with a
     * constant ({@code ip daddr . 0x00000001 @ingress_pod_ids_v4 jump ...}, the marked path), which nft 1.0.6
     * cannot parse, so
     * {@link #fullScript} is for reading, not for libnftables.
     */
    public boolean netlinkOnly() {
        for (NftChain c : chains) {
            for (String r : c.rules()) {
                if (NetlinkRuleEncoder.matchesAddressAndConstant(r)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The table block alone, as {@code nft -f} reads it (but see {@link #netlinkOnly}); what golden files
     * hold.
     */
    public String text() {
        StringBuilder sb = new StringBuilder(64 + 32 * elementCount());
        sb.append("table ").append(TABLE).append(" {\n");
        for (String o : objects) {
            sb.append('\t').append(o).append('\n');
        }
        for (NftSet s : sets) {
            sb.append('\t').append(s.isMap() ? "map " : "set ").append(s.name()).append(" {\n");
            sb.append("\t\ttype ").append(s.type()).append('\n');
            if (s.interval()) {
                sb.append("\t\tflags interval\n");
            }
            if (!s.elements().isEmpty()) {
                sb.append("\t\telements = {\n");
                for (int i = 0; i < s.elements().size(); i++) {
                    sb.append("\t\t\t").append(s.elements().get(i)).append(i + 1 < s.elements().size() ? ",\n" : "\n");
                }
                sb.append("\t\t}\n");
            }
            sb.append("\t}\n");
        }
        for (NftChain c : chains) {
            sb.append("\tchain ").append(c.name()).append(" {\n");
            if (c.comment() != null) {
                sb.append("\t\tcomment ").append(quote(c.comment())).append('\n');
            }
            if (c.hook() != null) {
                sb.append("\t\t").append(c.hook()).append('\n');
            }
            for (String r : c.rules()) {
                sb.append("\t\t").append(r).append('\n');
            }
            sb.append("\t}\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /**
     * The element additions and deletions that turn {@code previous} into this table, or empty
     * when something other than set elements differs (then only a full replacement will do).
     * Deletions come first so that a re-pointed map key or a reshaped interval is replaced in the
     * same transaction.
     */
    public Optional<String> deltaFrom(RenderedTable previous) {
        return elementChanges(previous).map(changes -> {
            StringBuilder deletes = new StringBuilder();
            StringBuilder adds = new StringBuilder();
            for (NetlinkSetElements.SetChange c : changes) {
                elementCommand(deletes, "delete", c.set().name(), c.removed());
                elementCommand(adds, "add", c.set().name(), c.added());
            }
            return deletes.toString() + adds;
        });
    }

    /**
     * The element changes per set that turn {@code previous} into this table (map elements to
     * delete are given by key), or empty when something other than set elements differs.
     */
    public Optional<List<NetlinkSetElements.SetChange>> elementChanges(RenderedTable previous) {
        if (!SharedList.equal(chains, previous.chains) || !objects.equals(previous.objects)) {
            return Optional.empty();
        }
        // tables of the pod path share their set list's source: only the sets either replaced or appended can differ
        int[] where = SharedList.candidates(sets, previous.sets);
        if (!sameDeclarations(previous.sets, where)) {
            return Optional.empty();
        }
        List<NetlinkSetElements.SetChange> changes = new ArrayList<>();
        for (int k = 0, n = where == null ? sets.size() : where.length; k < n; k++) {
            int i = where == null ? k : where[k];
            NftSet s = sets.get(i);
            NftSet was = previous.sets.get(i); // the same declaration at the same place (sameDeclarations)
            if (s == was) {
                continue; // the pod path (PodElements) keeps every set it does not change as the same instance
            }
            List<String> before = was.elements();
            // a pod map PodElements edited from the one in force knows its changes (ElementList)
            List<List<String>> diff = s.elements() instanceof ElementList e ? e.changesFrom(before) : null;
            if (diff == null) {
                if (before.equals(s.elements())) {
                    continue;
                }
                diff = diff(before, s.elements());
            }
            List<String> removed = diff.get(0);
            List<String> added = diff.get(1);
            if (removed.isEmpty() && added.isEmpty()) {
                continue; // the same elements in another order (a table updated in place by PodElements)
            }
            if (s.isMap()) {
                // map elements are deleted by key; a key whose verdict changed is deleted, then added anew
                removed = removed.stream().map(RenderedTable::mapKey).toList();
            }
            changes.add(new NetlinkSetElements.SetChange(s.declaration(), removed, added));
        }
        return Optional.of(changes);
    }

    /**
     * Whether {@code other} declares the same sets (name, type, flags; not elements) in the same order: what
     * comparing {@link NftSet#declaration()} lists says, without making them; only at {@code where} when not null (the
     * positions where two shared lists can differ).
     */
    private boolean sameDeclarations(List<NftSet> other, int[] where) {
        if (other.size() != sets.size()) {
            return false;
        }
        for (int k = 0, n = where == null ? sets.size() : where.length; k < n; k++) {
            int i = where == null ? k : where[k];
            NftSet a = sets.get(i);
            NftSet b = other.get(i);
            if (a != b && !(a.name().equals(b.name()) && a.type().equals(b.type()) && a.interval() == b.interval())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The elements of {@code before} not in {@code after} (in {@code before}'s order) and those of {@code after} not in
     * {@code before} (in {@code after}'s order). A set's elements are distinct, so when {@code after} is
     * {@code before} with some elements left out and others appended (what {@code PodElements} makes) one walk
     * along both finds them: the elements it skips in {@code before} are removed and the rest of {@code after} is
     * added, exactly, unless an element is both (then it was moved, not removed: compared as sets instead).
     * Why: a pod map has an element per local pod, and hashing all of them twice was most of the applier's
     * time for a pod change at 10,000 pods.
     */
    private static List<List<String>> diff(List<String> before, List<String> after) {
        // the same elements at both ends are in both lists (distinct elements), so neither removed nor added: what a
        // sorted set such as the fail-closed rule's known addresses needs, where a new element lands in the middle
        int max = Math.min(before.size(), after.size());
        int prefix = 0;
        while (prefix < max && same(before.get(prefix), after.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < max - prefix && same(before.get(before.size() - 1 - suffix), after.get(after.size() - 1 - suffix))) {
            suffix++;
        }
        before = before.subList(prefix, before.size() - suffix);
        after = after.subList(prefix, after.size() - suffix);
        List<String> removed = new ArrayList<>();
        int j = 0;
        for (String e : before) {
            if (j < after.size() && same(e, after.get(j))) {
                j++;
            } else {
                removed.add(e);
            }
        }
        List<String> added = after.subList(j, after.size());
        if (removed.size() <= 64 && added.size() <= 64 && !intersect(removed, added)) {
            return List.of(removed, List.copyOf(added));
        }
        Set<String> afterSet = new LinkedHashSet<>(after);
        removed = new ArrayList<>();
        for (String e : before) {
            if (!afterSet.contains(e)) {
                removed.add(e);
            }
        }
        Set<String> had = new LinkedHashSet<>(before);
        List<String> addedAll = new ArrayList<>();
        for (String e : after) {
            if (!had.contains(e)) {
                addedAll.add(e);
            }
        }
        return List.of(removed, addedAll);
    }

    private static boolean same(String a, String b) {
        return a == b || a.equals(b);
    }

    private static boolean intersect(List<String> a, List<String> b) {
        for (String e : a) {
            if (b.contains(e)) {
                return true;
            }
        }
        return false;
    }

    private static String mapKey(String element) {
        int colon = element.indexOf(" : ");
        return colon < 0 ? element : element.substring(0, colon);
    }

    private static void elementCommand(StringBuilder sb, String verb, String set, List<String> elements) {
        if (elements.isEmpty()) {
            return;
        }
        sb.append(verb).append(" element ").append(TABLE).append(' ').append(set).append(" {\n");
        for (int i = 0; i < elements.size(); i++) {
            sb.append('\t').append(elements.get(i)).append(i + 1 < elements.size() ? ",\n" : "\n");
        }
        sb.append("}\n");
    }

    public int ruleCount() {
        return chains.stream().mapToInt(c -> c.rules().size()).sum();
    }

    public int elementCount() {
        return sets.stream().mapToInt(s -> s.elements().size()).sum();
    }

    /**
     * A comment as an nftables string. Comments are built from validated names, but the script must
     * never depend on that: every character outside a safe alphabet (letters, digits, space and
     * {@code ._/:,[]()=-}) becomes {@code ?}, so no quote, brace, semicolon or newline can end the
     * string or the statement.
     */
    static String quote(String comment) {
        StringBuilder c = new StringBuilder(Math.min(comment.length(), 120));
        for (int i = 0; i < comment.length() && c.length() < 120; i++) {
            char ch = comment.charAt(i);
            c.append(safe(ch) ? ch : '?');
        }
        // the kernel keeps at most 128 bytes of a comment
        if (comment.length() > 120) {
            c.setLength(117);
            c.append("...");
        }
        return "\"" + c + "\"";
    }

    private static boolean safe(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' '
                || "._/:,[]()=-".indexOf(ch) >= 0;
    }
}
