package dev.netfence.enforcer.nft;

import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.model.Direction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Local pods joining, leaving or moving between existing profiles, applied to a rendered table without
 * rendering it again (pure): the pods' elements of the pod maps ({@code <dir>_pods_v4/_v6}: address →
 * profile id) and of the marked path's sets ({@code <dir>_pod_ids_v4/_v6}: address . profile id; one per
 * direction and family, not one per profile) are removed and added, every other set, every chain and every
 * object stays the same instance. The result has exactly the elements {@link NftablesRenderer#render} gives
 * the new rule set (in another order), so a later full render diffs against it as against its own; {@code PodElementsTest} checks that on random changes.
 *
 * <p>Why: a NodeRuleSet lists every local pod, so each pod change arrives as a whole new document;
 * rendering and diffing the whole table for it cost ~0.5 s of CPU at 10,000 pods, where the change itself
 * is a handful of elements. Empty when the change alters the table's shape, which only a render can
 * produce: a pod whose profile is not in the table (a new profile: chains change), a profile losing its last
 * pod (its chains go; seen as no element of the direction's pod maps carrying its id any more), or the first
 * IPv6 pod arriving or the last one leaving ({@code needsV6}).
 */
public final class PodElements {
    private PodElements() {
    }

    /**
     * {@code base} (rendered from {@code before}) changed into the table of {@code after}, which differs from
     * {@code before} only by the pods {@code removed} (in {@code before}) and {@code added} (in {@code after});
     * node addresses, policies and address sets are the same. Empty when only a render will do.
     */
    public static Optional<RenderedTable> update(RenderedTable base, NodeRuleSet before, NodeRuleSet after,
                                                 List<LocalPod> removed, List<LocalPod> added) {
        return update(index(base), base, before, after, removed, added);
    }

    /**
     * Where {@link #update} finds a table's sets and profile ids. It describes every table {@link #update} derives
     * from that table too (the sets keep their places, the verdict maps their elements), so a caller applying one
     * pod change after another keeps it instead of indexing thousands of sets for each.
     *
     * <p>It also keeps, for the last table {@link #update} made with it ({@code current}), where each element of the
     * edited sets is and how many pod map elements carry each profile id: a pod leaving then finds its elements and
     * tells whether its profile keeps a pod without walking the 10,000-element maps. For any other table these are
     * built again from it. Mutable: one caller (the loop's worker) at a time.
     */
    public static final class Index {
        private final List<NftSet> sets;
        private final Map<String, Integer> positions = new HashMap<>();
        private final Map<Direction, Map<String, String>> ids = new java.util.EnumMap<>(Direction.class);
        /** The table the element positions and counts below describe (null: none yet). */
        private RenderedTable current;
        /** Per edited set (by name), each element's position in {@code current}'s list. */
        private final Map<String, Map<String, Integer>> elements = new HashMap<>();
        /** Per direction, profile id → the number of elements of {@code current}'s pod maps (v4 and v6) with it. */
        private final Map<Direction, Map<String, Integer>> counts = new java.util.EnumMap<>(Direction.class);

        private Index(RenderedTable table) {
            this.sets = table.sets();
        }

        private Integer position(String name) {
            return PodElements.position(sets, positions, name);
        }

        private Map<String, String> ids(Direction d) {
            return ids.computeIfAbsent(d, k -> profileIds(set(sets, positions, NftablesRenderer.profileMap(k))));
        }

        /** Describe {@code table} from now on: what was kept of another table is built again when needed. */
        private void describe(RenderedTable table) {
            if (current != table) {
                current = table;
                elements.clear();
                counts.clear();
            }
        }

        private Map<String, Integer> elementPositions(String name, NftSet set) {
            return elements.computeIfAbsent(name, n -> {
                Map<String, Integer> out = new HashMap<>(set.elements().size() * 2);
                for (int i = 0; i < set.elements().size(); i++) {
                    out.put(set.elements().get(i), i);
                }
                return out;
            });
        }

        private Map<String, Integer> counts(Direction d) {
            return counts.computeIfAbsent(d, k -> {
                Map<String, Integer> out = new HashMap<>();
                for (boolean v6 : new boolean[]{false, true}) {
                    Integer at = position(NftablesRenderer.podMap(k, v6));
                    if (at == null) {
                        continue;
                    }
                    for (String element : current.sets().get(at).elements()) {
                        out.merge(element.substring(element.lastIndexOf(' ') + 1), 1, Integer::sum);
                    }
                }
                return out;
            });
        }
    }

    public static Index index(RenderedTable table) {
        return new Index(table);
    }

    /** {@link #update} with the {@link Index} of {@code base} or of the table {@code base} was derived from. */
    public static Optional<RenderedTable> update(Index idx, RenderedTable base, NodeRuleSet before, NodeRuleSet after,
                                                 List<LocalPod> removed, List<LocalPod> added) {
        if (touchesV6(removed) || touchesV6(added)) {
            // the family decision is the renderer's: it must come out the same before and after
            if (NftablesRenderer.needsV6(before) != NftablesRenderer.needsV6(after)) {
                return Optional.empty();
            }
        }
        List<NftSet> sets = base.sets();
        idx.describe(base);
        // elements removed and added per set, by set name, in the order they change
        Map<String, Edit> edits = new LinkedHashMap<>();
        // per direction, the ids of profiles that lost a pod: each must keep one somewhere, or its chains go
        Map<Direction, java.util.Set<String>> left = new java.util.EnumMap<>(Direction.class);
        // per direction, how many pod map elements each profile id gains (or loses, negative)
        Map<Direction, Map<String, Integer>> gained = new java.util.EnumMap<>(Direction.class);
        for (Direction d : Direction.values()) {
            Map<String, String> ids = null;
            for (int pass = 0; pass < 2; pass++) {
                boolean adding = pass == 1;
                for (LocalPod pod : adding ? added : removed) {
                    String profile = NftablesRenderer.podProfile(d, pod);
                    if (profile == null) {
                        continue;
                    }
                    if (ids == null) {
                        ids = idx.ids(d);
                    }
                    String id = ids.get(profile);
                    if (id == null || pod.ips().isEmpty()) {
                        // a new profile; or a pod without addresses, whose coming or going can only show in the
                        // profile's existence
                        return Optional.empty();
                    }
                    if (!adding) {
                        left.computeIfAbsent(d, k -> new java.util.HashSet<>()).add(id);
                    }
                    gained.computeIfAbsent(d, k -> new HashMap<>()).merge(id, adding ? pod.ips().size() : -pod.ips().size(),
                            Integer::sum);
                    for (String ip : pod.ips()) {
                        boolean v6 = ip.indexOf(':') >= 0;
                        Edit map = edits.computeIfAbsent(NftablesRenderer.podMap(d, v6), n -> new Edit());
                        Edit pair = edits.computeIfAbsent(NftablesRenderer.podIds(d, v6), n -> new Edit());
                        if (adding) {
                            map.add(ip + " : " + id);
                            pair.add(ip + " . " + id);
                        } else {
                            map.remove(ip + " : " + id);
                            pair.remove(ip + " . " + id);
                        }
                    }
                }
            }
        }
        // first every check, then the edits: the index changes only with a table it is to describe
        Map<Integer, NftSet> replaced = new HashMap<>();
        List<Map.Entry<String, Edit>> changed = new ArrayList<>();
        for (Map.Entry<String, Edit> e : edits.entrySet()) {
            Edit edit = e.getValue();
            edit.cancel();
            Integer at = idx.position(e.getKey());
            if (at == null) {
                return Optional.empty(); // the table has no such set: not what was assumed
            }
            if (edit.removed.isEmpty() && edit.added.isEmpty()) {
                continue;
            }
            Map<String, Integer> where = idx.elementPositions(e.getKey(), sets.get(at));
            if (!edit.fits(where)) {
                // an element to remove is not there, or one to add already is: the table is not what was assumed
                return Optional.empty();
            }
            changed.add(e);
        }
        for (Map.Entry<Direction, java.util.Set<String>> e : left.entrySet()) {
            Map<String, Integer> counts = idx.counts(e.getKey());
            Map<String, Integer> gain = gained.get(e.getKey());
            for (String id : e.getValue()) {
                if (counts.getOrDefault(id, 0) + gain.getOrDefault(id, 0) <= 0) {
                    return Optional.empty(); // a profile lost its last pod: its chains and verdict go, only a render does that
                }
            }
        }
        for (Map.Entry<Direction, Map<String, Integer>> e : gained.entrySet()) {
            if (idx.counts.containsKey(e.getKey())) {
                Map<String, Integer> counts = idx.counts.get(e.getKey());
                e.getValue().forEach((id, n) -> counts.merge(id, n, Integer::sum));
            }
        }
        for (Map.Entry<String, Edit> e : changed) {
            int at = idx.position(e.getKey());
            NftSet old = sets.get(at);
            List<String> elements = e.getValue().applyTo(old.elements(), idx.elements.get(e.getKey()));
            replaced.put(at, new NftSet(old.name(), old.type(), old.interval(), elements));
        }
        RenderedTable next = new RenderedTable(SharedList.replaced(sets, replaced), base.chains(), base.objects());
        idx.current = next; // the positions and counts were edited to describe it
        return Optional.of(next);
    }

    private static boolean touchesV6(List<LocalPod> pods) {
        for (LocalPod p : pods) {
            for (String ip : p.ips()) {
                if (ip.indexOf(':') >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Profile chain → its id as the mark text, from the verdict map's elements ({@code 0x... : jump <profile>}). */
    private static Map<String, String> profileIds(NftSet verdicts) {
        Map<String, String> ids = new HashMap<>();
        if (verdicts == null) {
            return ids;
        }
        for (String e : verdicts.elements()) {
            int sep = e.indexOf(" : jump ");
            if (sep > 0) {
                ids.put(e.substring(sep + " : jump ".length()), e.substring(0, sep));
            }
        }
        return ids;
    }

    private static NftSet set(List<NftSet> sets, Map<String, Integer> index, String name) {
        Integer at = position(sets, index, name);
        return at == null ? null : sets.get(at);
    }

    private static Integer position(List<NftSet> sets, Map<String, Integer> index, String name) {
        if (index.isEmpty()) {
            for (int i = 0; i < sets.size(); i++) {
                index.put(sets.get(i).name(), i);
            }
        }
        return index.get(name);
    }

    /** Elements to remove and to add in one set. */
    private static final class Edit {
        final List<String> removed = new ArrayList<>();
        final List<String> added = new ArrayList<>();

        void add(String e) {
            added.add(e);
        }

        void remove(String e) {
            removed.add(e);
        }

        /** A pod removed and added with the same element (unchanged in this set) is no change. */
        void cancel() {
            for (int i = removed.size() - 1; i >= 0; i--) {
                if (added.remove(removed.get(i))) {
                    removed.remove(i);
                }
            }
        }

        /** Whether every element to remove is in the set ({@code where}: element → position) and none to add is. */
        boolean fits(Map<String, Integer> where) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String e : removed) {
                if (!where.containsKey(e) || !seen.add(e)) {
                    return false;
                }
            }
            for (String e : added) {
                if (where.containsKey(e) || !seen.add(e)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * {@code elements} edited: a removed element's place taken by the last element, the added ones appended;
         * {@code where} (element → position) kept in step. The result knows what it changed (removed in the order of
         * {@code elements}, added in this edit's order).
         */
        ElementList applyTo(List<String> elements, Map<String, Integer> where) {
            List<String> gone = new ArrayList<>(removed);
            gone.sort(java.util.Comparator.comparingInt(where::get));
            ElementList.Editor editor = new ElementList.Editor(elements);
            for (String e : removed) {
                int at = where.remove(e);
                int last = editor.size() - 1;
                if (at != last) {
                    String moved = editor.get(last);
                    editor.set(at, moved);
                    where.put(moved, at);
                }
                editor.removeLast();
            }
            for (String e : added) {
                where.put(e, editor.size());
                editor.append(e);
            }
            return editor.done(gone, added);
        }
    }
}
