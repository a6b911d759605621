package dev.netfence.policy.net;

/**
 * An IPv4 or IPv6 address as a 128-bit value (IPv4 uses the low 32 bits of {@code lo}). Parsed
 * here rather than with {@code InetAddress} so the engine never touches the resolver.
 */
public record IpAddress(boolean v6, long hi, long lo) implements Comparable<IpAddress> {

    public int bits() {
        return v6 ? 128 : 32;
    }

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        return new IpAddress(false, 0, parseV4(text, text));
    }

    private static long parseV4(String part, String whole) {
        String[] octets = part.split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException("invalid IP address \"" + whole + "\"");
        }
        long value = 0;
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit)
                    || (o.length() > 1 && o.charAt(0) == '0')) {
                throw new IllegalArgumentException("invalid IP address \"" + whole + "\"");
            }
            int n = Integer.parseInt(o);
            if (n > 255) {
                throw new IllegalArgumentException("invalid IP address \"" + whole + "\"");
            }
            value = (value << 8) | n;
        }
        return value;
    }

    private static IpAddress parseV6(String text) {
        String bad = "invalid IP address \"" + text + "\"";
        int dc = text.indexOf("::");
        if (dc >= 0 && text.indexOf("::", dc + 1) >= 0) {
            throw new IllegalArgumentException(bad);
        }
        String head = dc >= 0 ? text.substring(0, dc) : text;
        String tail = dc >= 0 ? text.substring(dc + 2) : "";
        int[] h = groups(head, bad);
        int[] t = groups(tail, bad);
        int[] all = new int[8];
        if (dc < 0) {
            if (h.length != 8) {
                throw new IllegalArgumentException(bad);
            }
            all = h;
        } else {
            if (h.length + t.length > 7) {
                throw new IllegalArgumentException(bad);
            }
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(t, 0, all, 8 - t.length, t.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | all[i];
            lo = (lo << 16) | all[i + 4];
        }
        return new IpAddress(true, hi, lo);
    }

    /** Hex groups of one side of "::"; an embedded IPv4 tail counts as two groups. */
    private static int[] groups(String part, String bad) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] g = part.split(":", -1);
        boolean v4tail = g[g.length - 1].indexOf('.') >= 0;
        int[] out = new int[g.length + (v4tail ? 1 : 0)];
        for (int i = 0; i < g.length; i++) {
            if (v4tail && i == g.length - 1) {
                long v4 = parseV4(g[i], part);
                out[i] = (int) (v4 >>> 16);
                out[i + 1] = (int) (v4 & 0xffff);
                break;
            }
            if (g[i].isEmpty() || g[i].length() > 4) {
                throw new IllegalArgumentException(bad);
            }
            try {
                out[i] = Integer.parseInt(g[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(bad);
            }
        }
        return out;
    }

    /** This address with the low {@code bits() - prefix} bits cleared. */
    public IpAddress mask(int prefix) {
        if (!v6) {
            long m = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            return new IpAddress(false, 0, lo & m);
        }
        long mh = prefix >= 64 ? -1L : (prefix == 0 ? 0 : -1L << (64 - prefix));
        long ml = prefix <= 64 ? 0 : (prefix == 128 ? -1L : -1L << (128 - prefix));
        return new IpAddress(true, hi & mh, lo & ml);
    }

    /** The last address of the /prefix network that contains this one. */
    public IpAddress lastInPrefix(int prefix) {
        IpAddress base = mask(prefix);
        if (!v6) {
            long host = prefix == 32 ? 0 : (1L << (32 - prefix)) - 1;
            return new IpAddress(false, 0, base.lo | host);
        }
        long hh = prefix >= 64 ? 0 : (prefix == 0 ? -1L : -1L >>> prefix);
        long hl = prefix <= 64 ? -1L : (prefix == 128 ? 0 : -1L >>> (prefix - 64));
        return new IpAddress(true, base.hi | hh, base.lo | hl);
    }

    /** The next address, or null after the last one. */
    public IpAddress next() {
        if (!v6) {
            return lo == 0xffffffffL ? null : new IpAddress(false, 0, lo + 1);
        }
        if (lo == -1L) {
            return hi == -1L ? null : new IpAddress(true, hi + 1, 0);
        }
        return new IpAddress(true, hi, lo + 1);
    }

    /** The previous address, or null before the first one. */
    public IpAddress previous() {
        if (!v6) {
            return lo == 0 ? null : new IpAddress(false, 0, lo - 1);
        }
        if (lo == 0) {
            return hi == 0 ? null : new IpAddress(true, hi - 1, -1L);
        }
        return new IpAddress(true, hi, lo - 1);
    }

    @Override
    public int compareTo(IpAddress o) {
        if (v6 != o.v6) {
            return v6 ? 1 : -1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (longest zero run compressed). */
    @Override
    public String toString() {
        if (!v6) {
            return ((lo >> 24) & 0xff) + "." + ((lo >> 16) & 0xff) + "." + ((lo >> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
