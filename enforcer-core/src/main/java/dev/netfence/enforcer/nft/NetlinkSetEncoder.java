package dev.netfence.enforcer.nft;

import dev.netfence.policy.compile.AddressRanges;
import dev.netfence.policy.net.IpAddress;
import java.util.List;

/**
 * The set declarations and elements of the rendered table as nf_tables attributes, with the user
 * data nft 1.0.6 attaches (byte orders of key and data), so that {@code nft list} shows the types
 * the table was rendered with. Knows the set types the renderers write:
 * {@code ipv4_addr}, {@code ipv6_addr} (plain or interval), {@code ipv4_addr : mark},
 * {@code ipv6_addr : mark}, {@code mark : verdict}, {@code inet_proto . inet_service} (interval)
 * {@code ipv4_addr|ipv6_addr . inet_proto . inet_service} and {@code ipv4_addr|ipv6_addr . mark}; anything else throws
 * {@link NetlinkRuleEncoder.Unsupported}.
 *
 * <p>Elements as nft writes them: concatenation fields each padded to 4 bytes; an interval of a
 * plain interval set as a start element and an element flagged INTERVAL_END at the address after
 * the last (none at the family's end), with a leading INTERVAL_END element at address 0 when no
 * interval starts there (nft 1.0.6 sends it for its rbtree sets); an interval of a concatenation as
 * one element with KEY and KEY_END.
 */
final class NetlinkSetEncoder {
    static final int NFT_SET_INTERVAL = 0x4;
    static final int NFT_SET_MAP = 0x8;
    static final int NFT_SET_CONCAT = 0x80;

    private static final int TYPE_IPV4 = 7;
    private static final int TYPE_IPV6 = 8;
    private static final int TYPE_INET_PROTO = 12;
    private static final int TYPE_INET_SERVICE = 13;
    private static final int TYPE_MARK = 19;
    private static final int TYPE_VERDICT = 0xffffff00;

    private static final byte[] UDATA_ADDRESS = {0, 4, 2, 0, 0, 0};
    private static final byte[] UDATA_ADDRESS_TO_MARK = {0, 4, 2, 0, 0, 0, 1, 4, 1, 0, 0, 0, 6, 4, 0, 0, 0, 0};
    private static final byte[] UDATA_MARK_TO_VERDICT = {0, 4, 1, 0, 0, 0, 1, 4, 0, 0, 0, 0, 6, 4, 0, 0, 0, 0};
    private static final byte[] UDATA_CONCAT = {0, 4, 0, 0, 0, 0, 3, 8, 0, 4, 0x0d, 0, 0, 0, 1, 0};

    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_SET_ELEM_KEY = 1;
    private static final int NFTA_SET_ELEM_DATA = 2;
    private static final int NFTA_SET_ELEM_FLAGS = 3;
    private static final int NFTA_SET_ELEM_KEY_END = 10;
    private static final int NFTA_DATA_VALUE = 1;
    private static final int NFTA_DATA_VERDICT = 2;
    private static final int NFT_SET_ELEM_INTERVAL_END = 1;

    /** What the kernel needs to create a set: its key and data types and lengths, flags, user data. */
    record Shape(int flags, int keyType, int keyLen, int dataType, int dataLen, int[] concatFields, byte[] userData,
                 Kind kind) {
    }

    enum Kind { ADDRESS, ADDRESS_TO_MARK, MARK_TO_VERDICT, PROTO_PORT, ADDRESS_PROTO_PORT, ADDRESS_MARK }

    private NetlinkSetEncoder() {
    }

    static Shape shape(NftSet set) {
        int interval = set.interval() ? NFT_SET_INTERVAL : 0;
        return switch (set.type()) {
            case "ipv4_addr" -> new Shape(interval, TYPE_IPV4, 4, 0, 0, null, UDATA_ADDRESS, Kind.ADDRESS);
            case "ipv6_addr" -> new Shape(interval, TYPE_IPV6, 16, 0, 0, null, UDATA_ADDRESS, Kind.ADDRESS);
            case "ipv4_addr : mark" -> plain(set, new Shape(NFT_SET_MAP, TYPE_IPV4, 4, TYPE_MARK, 4, null,
                    UDATA_ADDRESS_TO_MARK, Kind.ADDRESS_TO_MARK));
            case "ipv6_addr : mark" -> plain(set, new Shape(NFT_SET_MAP, TYPE_IPV6, 16, TYPE_MARK, 4, null,
                    UDATA_ADDRESS_TO_MARK, Kind.ADDRESS_TO_MARK));
            case "mark : verdict" -> plain(set, new Shape(NFT_SET_MAP, TYPE_MARK, 4, TYPE_VERDICT, 0, null,
                    UDATA_MARK_TO_VERDICT, Kind.MARK_TO_VERDICT));
            case "inet_proto . inet_service" -> {
                if (!set.interval()) {
                    throw new NetlinkRuleEncoder.Unsupported("set type inet_proto . inet_service without intervals");
                }
                yield new Shape(NFT_SET_INTERVAL | NFT_SET_CONCAT, TYPE_INET_PROTO << 6 | TYPE_INET_SERVICE, 8, 0, 0,
                        new int[]{1, 2}, UDATA_CONCAT, Kind.PROTO_PORT);
            }
            case "ipv4_addr . inet_proto . inet_service" -> plain(set, new Shape(0,
                    TYPE_IPV4 << 12 | TYPE_INET_PROTO << 6 | TYPE_INET_SERVICE, 12, 0, 0, null, UDATA_CONCAT,
                    Kind.ADDRESS_PROTO_PORT));
            case "ipv6_addr . inet_proto . inet_service" -> plain(set, new Shape(0,
                    TYPE_IPV6 << 12 | TYPE_INET_PROTO << 6 | TYPE_INET_SERVICE, 24, 0, 0, null, UDATA_CONCAT,
                    Kind.ADDRESS_PROTO_PORT));
            case "ipv4_addr . mark" -> plain(set, new Shape(0, TYPE_IPV4 << 6 | TYPE_MARK, 8, 0, 0, null, UDATA_CONCAT,
                    Kind.ADDRESS_MARK));
            case "ipv6_addr . mark" -> plain(set, new Shape(0, TYPE_IPV6 << 6 | TYPE_MARK, 20, 0, 0, null, UDATA_CONCAT,
                    Kind.ADDRESS_MARK));
            default -> throw new NetlinkRuleEncoder.Unsupported("set type " + set.type());
        };
    }

    private static Shape plain(NftSet set, Shape s) {
        if (set.interval()) {
            throw new NetlinkRuleEncoder.Unsupported("set type " + set.type() + " with intervals");
        }
        return s;
    }

    /**
     * Writes the NFTA_LIST_ELEM entries of {@code elements} from {@code from}, as many as fit in
     * {@code budget} bytes; returns the index of the first element not written.
     */
    static int writeElements(NetlinkWriter out, NftSet set, Shape shape, List<String> elements, int from, int budget,
                             boolean leadingZeroEnd) {
        return writeElements(out, set, shape, elements, from, budget, leadingZeroEnd, false);
    }

    /**
     * The same; with {@code keysOnly} (a deletion) a map element may be given by its key alone, as
     * {@code RenderedTable.elementChanges} gives the map elements to delete, and is written without its data (the kernel
     * finds the element by its key).
     */
    static int writeElements(NetlinkWriter out, NftSet set, Shape shape, List<String> elements, int from, int budget,
                             boolean leadingZeroEnd, boolean keysOnly) {
        int start = out.size();
        if (leadingZeroEnd) {
            element(out, new byte[shape.keyLen()], null, NFT_SET_ELEM_INTERVAL_END, null);
        }
        int i = from;
        for (; i < elements.size() && out.size() - start < budget; i++) {
            write(out, shape, set, elements.get(i), keysOnly);
        }
        return i;
    }

    /** True when an interval set's elements need nft's leading INTERVAL_END at address 0. */
    static boolean needsLeadingZeroEnd(NftSet set, Shape shape) {
        if (shape.kind() != Kind.ADDRESS || !set.interval() || set.elements().isEmpty()) {
            return false;
        }
        for (String e : set.elements()) {
            long v4 = plainV4(e);
            if (v4 > 0) {
                continue;
            }
            IpAddress first = v4 == 0 ? IpAddress.parse(e) : AddressRanges.parse(e).first();
            if (first.hi() == 0 && first.lo() == 0) {
                return false;
            }
        }
        return true;
    }

    private static void write(NetlinkWriter out, Shape shape, NftSet set, String e, boolean keysOnly) {
        switch (shape.kind()) {
            case ADDRESS -> {
                long v4 = plainV4(e);
                if (v4 >= 0) {
                    // a single IPv4 address, the common element: no parser objects (see plainV4)
                    element(out, NfNetlink.be32((int) v4), null, 0, null);
                    if (set.interval() && v4 != 0xffffffffL) {
                        element(out, NfNetlink.be32((int) (v4 + 1)), null, NFT_SET_ELEM_INTERVAL_END, null);
                    }
                } else if (set.interval()) {
                    AddressRanges.Interval i = AddressRanges.parse(e);
                    element(out, NetlinkSetElements.bytes(i.first()), null, 0, null);
                    IpAddress end = i.last().next();
                    if (end != null) {
                        element(out, NetlinkSetElements.bytes(end), null, NFT_SET_ELEM_INTERVAL_END, null);
                    }
                } else {
                    element(out, NetlinkSetElements.bytes(IpAddress.parse(e)), null, 0, null);
                }
            }
            case ADDRESS_TO_MARK -> {
                int sep = keysOnly ? e.indexOf(" : ") : separator(e);
                String address = sep < 0 ? e : e.substring(0, sep);
                long v4 = plainV4(address);
                byte[] key = v4 >= 0 ? NfNetlink.be32((int) v4) : NetlinkSetElements.bytes(IpAddress.parse(address));
                element(out, key, null, 0, keysOnly ? null : NetlinkRuleEncoder.le32(mark(e.substring(sep + 3).trim())));
            }
            case MARK_TO_VERDICT -> {
                if (keysOnly) {
                    int sep = e.indexOf(" : ");
                    element(out, NetlinkRuleEncoder.le32(mark((sep < 0 ? e : e.substring(0, sep)).trim())), null, 0, null);
                    return;
                }
                int sep = separator(e);
                String value = e.substring(sep + 3).trim();
                int code;
                String chain = null;
                if (value.startsWith("jump ") || value.startsWith("goto ")) {
                    code = value.startsWith("jump ") ? NetlinkRuleEncoder.NFT_JUMP : NetlinkRuleEncoder.NFT_GOTO;
                    chain = value.substring(5).trim();
                } else if (value.equals("accept") || value.equals("drop")) {
                    code = value.equals("accept") ? NetlinkRuleEncoder.NF_ACCEPT : NetlinkRuleEncoder.NF_DROP;
                } else {
                    throw new NetlinkRuleEncoder.Unsupported("map value " + value);
                }
                int elem = out.beginNested(NFTA_LIST_ELEM);
                int key = out.beginNested(NFTA_SET_ELEM_KEY);
                out.attr(NFTA_DATA_VALUE, NetlinkRuleEncoder.le32(mark(e.substring(0, sep).trim())));
                out.endNested(key);
                int data = out.beginNested(NFTA_SET_ELEM_DATA);
                int verdict = out.beginNested(NFTA_DATA_VERDICT);
                out.be32(1, code);
                if (chain != null) {
                    out.string(2, chain);
                }
                out.endNested(verdict);
                out.endNested(data);
                out.endNested(elem);
            }
            case PROTO_PORT -> {
                // "tcp . 5432-5433" or "udp . 53": one element from KEY to KEY_END
                String[] parts = e.split(" \\. ");
                if (parts.length != 2) {
                    throw new NetlinkRuleEncoder.Unsupported("element " + e);
                }
                int proto = protocol(parts[0].trim());
                String ports = parts[1].trim();
                int dash = ports.indexOf('-');
                int first = port(dash < 0 ? ports : ports.substring(0, dash));
                int last = dash < 0 ? first : port(ports.substring(dash + 1));
                element(out, protoPort(proto, first), protoPort(proto, last), 0, null);
            }
            case ADDRESS_PROTO_PORT -> {
                String[] parts = e.split(" \\. ");
                if (parts.length != 3) {
                    throw new NetlinkRuleEncoder.Unsupported("element " + e);
                }
                byte[] address = NetlinkSetElements.bytes(IpAddress.parse(parts[0].trim()));
                byte[] rest = protoPort(protocol(parts[1].trim()), port(parts[2].trim()));
                byte[] key = new byte[address.length + rest.length];
                System.arraycopy(address, 0, key, 0, address.length);
                System.arraycopy(rest, 0, key, address.length, rest.length);
                element(out, key, null, 0, null);
            }
            case ADDRESS_MARK -> {
                // "10.77.0.1 . 0x00000002": the address, then the mark in host byte order (as nft sends it)
                int sep = e.indexOf(" . ");
                if (sep < 0) {
                    throw new NetlinkRuleEncoder.Unsupported("element " + e);
                }
                String address = e.substring(0, sep);
                long v4 = plainV4(address);
                byte[] a = v4 >= 0 ? NfNetlink.be32((int) v4) : NetlinkSetElements.bytes(IpAddress.parse(address));
                byte[] id = NetlinkRuleEncoder.le32(mark(e.substring(sep + 3).trim()));
                byte[] key = new byte[a.length + 4];
                System.arraycopy(a, 0, key, 0, a.length);
                System.arraycopy(id, 0, key, a.length, 4);
                element(out, key, null, 0, null);
            }
            default -> throw new IllegalStateException();
        }
    }

    private static void element(NetlinkWriter out, byte[] key, byte[] keyEnd, int flags, byte[] value) {
        int elem = out.beginNested(NFTA_LIST_ELEM);
        if (flags != 0) {
            out.be32(NFTA_SET_ELEM_FLAGS, flags);
        }
        int k = out.beginNested(NFTA_SET_ELEM_KEY);
        out.attr(NFTA_DATA_VALUE, key);
        out.endNested(k);
        if (keyEnd != null) {
            int ke = out.beginNested(NFTA_SET_ELEM_KEY_END);
            out.attr(NFTA_DATA_VALUE, keyEnd);
            out.endNested(ke);
        }
        if (value != null) {
            int d = out.beginNested(NFTA_SET_ELEM_DATA);
            out.attr(NFTA_DATA_VALUE, value);
            out.endNested(d);
        }
        out.endNested(elem);
    }

    /** Protocol (1 byte padded to 4) and port (2 bytes big-endian padded to 4), as nft lays out a concatenation. */
    private static byte[] protoPort(int proto, int port) {
        return new byte[]{(byte) proto, 0, 0, 0, (byte) (port >>> 8), (byte) port, 0, 0};
    }

    /**
     * The value of {@code s} when it is an IPv4 address in the canonical dotted form the renderer writes
     * (four decimal octets 0-255 without leading zeros), else -1 and the caller uses the strict parser
     * ({@code IpAddress}, {@code AddressRanges}) for it. Elements were validated and re-written from parsed
     * values before rendering; this only spares a full load of 100,000 elements the parser's objects
     * (about half of the encoder's time at 10,000 pods).
     */
    static long plainV4(String s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return -1;
        }
        long value = 0;
        int octet = 0;
        int digits = 0;
        int dots = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits > 0 && octet == 0) {
                    return -1; // a leading zero
                }
                octet = octet * 10 + (c - '0');
                if (++digits > 3 || octet > 255) {
                    return -1;
                }
            } else if (c == '.' && digits > 0 && dots < 3) {
                value = value << 8 | octet;
                octet = 0;
                digits = 0;
                dots++;
            } else {
                return -1;
            }
        }
        if (dots != 3 || digits == 0) {
            return -1;
        }
        return value << 8 | octet;
    }

    private static int separator(String e) {
        int sep = e.indexOf(" : ");
        if (sep < 0) {
            throw new NetlinkRuleEncoder.Unsupported("map element without value: " + e);
        }
        return sep;
    }

    private static int mark(String v) {
        try {
            if (!v.startsWith("0x")) {
                throw new NetlinkRuleEncoder.Unsupported("mark value " + v);
            }
            return Integer.parseUnsignedInt(v.substring(2), 16);
        } catch (NumberFormatException e) {
            throw new NetlinkRuleEncoder.Unsupported("mark value " + v);
        }
    }

    private static int protocol(String p) {
        return switch (p) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "sctp" -> 132;
            default -> throw new NetlinkRuleEncoder.Unsupported("protocol " + p);
        };
    }

    private static int port(String p) {
        try {
            int v = Integer.parseInt(p.trim());
            if (v < 0 || v > 65535) {
                throw new NetlinkRuleEncoder.Unsupported("port " + p);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new NetlinkRuleEncoder.Unsupported("port " + p);
        }
    }
}
