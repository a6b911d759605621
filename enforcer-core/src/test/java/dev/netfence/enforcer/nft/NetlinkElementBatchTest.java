package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The element-change batch ({@link NetlinkTableLoad#encodeElements}) decoded: one transaction of any size, each
 * message within what one netlink attribute holds, deletions before additions, map elements deleted by key, only
 * the last command asking for an acknowledgement. The kernel's side of it is {@code BigElementDeltaIT}.
 */
class NetlinkElementBatchTest {
    private static final int BATCH_BEGIN = 16;
    private static final int BATCH_END = 17;
    private static final int NEWSETELEM = 10 << 8 | 12;
    private static final int DELSETELEM = 10 << 8 | 14;

    /** One decoded message: its type, flags, set, and per element its attribute types (key 1, data 2, flags 3). */
    record Message(int type, int flags, int length, String set, List<List<Integer>> elements) {
    }

    @Test
    void aBigDeltaIsOneBatchOfBoundedMessagesDeletionsFirst() {
        NftSet pods = new NftSet("ingress_pods_v4", "ipv4_addr : mark", false, List.of());
        NftSet ids = new NftSet("ingress_pod_ids_v4", "ipv4_addr . mark", false, List.of());
        NftSet peers = new NftSet("as_peers_v4", "ipv4_addr", true, List.of());
        List<String> removedKeys = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> removedIds = new ArrayList<>();
        List<String> addedIds = new ArrayList<>();
        List<String> ranges = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String a = "10." + (i / 250 / 250) + "." + (i / 250 % 250) + "." + (1 + i % 250);
            String b = "10.200." + (i / 250) + "." + (1 + i % 250);
            removedKeys.add(a);
            removedIds.add(a + " . 0x00000001");
            added.add(b + " : 0x00000002");
            addedIds.add(b + " . 0x00000002");
            ranges.add("10.100." + (i / 30) + "." + (i % 30 * 8) + "-10.100." + (i / 30) + "." + (i % 30 * 8 + 2));
        }
        NetlinkTableLoad.Batch batch = NetlinkTableLoad.encodeElements(RenderedTable.NAME, List.of(
                new NetlinkSetElements.SetChange(pods, removedKeys, added),
                new NetlinkSetElements.SetChange(ids, removedIds, addedIds),
                new NetlinkSetElements.SetChange(peers, List.of("10.99.0.0/24"), ranges)));
        List<Message> messages = decode(batch);
        assertThat(messages.get(0).type()).isEqualTo(BATCH_BEGIN);
        assertThat(messages.get(messages.size() - 1).type()).isEqualTo(BATCH_END);
        List<Message> commands = messages.subList(1, messages.size() - 1);
        assertThat(commands.size()).isEqualTo(batch.messages() - 2).isGreaterThan(6);
        // every message's element list fits the 16-bit attribute length
        assertThat(commands).allSatisfy(m -> assertThat(m.length()).isLessThan(65_535));
        // deletions, then additions
        int firstAdd = 0;
        while (commands.get(firstAdd).type() == DELSETELEM) {
            firstAdd++;
        }
        assertThat(commands.subList(firstAdd, commands.size())).allSatisfy(m -> assertThat(m.type()).isEqualTo(NEWSETELEM));
        // only the last command asks for an acknowledgement (errors are answered for any message)
        assertThat(commands.subList(0, commands.size() - 1)).allSatisfy(m -> assertThat(m.flags() & 0x4).isZero());
        assertThat(commands.get(commands.size() - 1).flags() & 0x4).isEqualTo(0x4);
        Map<String, Integer> deleted = new LinkedHashMap<>();
        Map<String, Integer> adds = new LinkedHashMap<>();
        for (Message m : commands) {
            (m.type() == DELSETELEM ? deleted : adds).merge(m.set(), m.elements().size(), Integer::sum);
            if (m.type() == DELSETELEM && m.set().equals("ingress_pods_v4")) {
                // by key, without the value
                assertThat(m.elements()).allSatisfy(e -> assertThat(e).containsExactly(1));
            }
            if (m.type() == NEWSETELEM && m.set().equals("ingress_pods_v4")) {
                assertThat(m.elements()).allSatisfy(e -> assertThat(e).containsExactly(1, 2));
            }
        }
        // an interval is a start element and an end element
        assertThat(deleted).containsExactly(Map.entry("ingress_pods_v4", 6_000), Map.entry("ingress_pod_ids_v4", 6_000),
                Map.entry("as_peers_v4", 2));
        assertThat(adds).containsExactly(Map.entry("ingress_pods_v4", 6_000), Map.entry("ingress_pod_ids_v4", 6_000),
                Map.entry("as_peers_v4", 12_000));
    }

    @Test
    void aSetTypeTheEncoderDoesNotKnowIsRefusedBeforeAnythingIsEncoded() {
        NftSet unknown = new NftSet("other", "ether_addr", false, List.of());
        assertThat(NetlinkSetElements.supports(unknown)).isFalse();
        assertThatThrownBy(() -> NetlinkTableLoad.encodeElements(RenderedTable.NAME, List.of(
                new NetlinkSetElements.SetChange(unknown, List.of(), List.of("00:11:22:33:44:55")))))
                .isInstanceOf(NetlinkRuleEncoder.Unsupported.class).hasMessageContaining("ether_addr");
    }

    private static List<Message> decode(NetlinkTableLoad.Batch batch) {
        ByteBuffer in = ByteBuffer.wrap(batch.array(), 0, batch.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        List<Message> out = new ArrayList<>();
        while (in.remaining() >= 16) {
            int start = in.position();
            int len = in.getInt(start);
            int type = in.getShort(start + 4) & 0xffff;
            int flags = in.getShort(start + 6) & 0xffff;
            String set = null;
            List<List<Integer>> elements = new ArrayList<>();
            int a = start + 20;
            while (a + 4 <= start + len) {
                int alen = in.getShort(a) & 0xffff;
                int atype = in.getShort(a + 2) & 0x3fff;
                if (atype == 2) {
                    set = new String(batch.array(), a + 4, alen - 5, java.nio.charset.StandardCharsets.US_ASCII);
                } else if (atype == 3) {
                    for (int e = a + 4; e + 4 <= a + alen; ) {
                        int elen = in.getShort(e) & 0xffff;
                        List<Integer> attrs = new ArrayList<>();
                        for (int f = e + 4; f + 4 <= e + elen; f += align(in.getShort(f) & 0xffff)) {
                            attrs.add(in.getShort(f + 2) & 0x3fff);
                        }
                        elements.add(attrs.stream().filter(t -> t != 3).toList()); // flags aside
                        e += align(elen);
                    }
                }
                a += align(alen);
            }
            out.add(new Message(type, flags, len, set, elements));
            in.position(start + align(len));
        }
        return out;
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }
}
