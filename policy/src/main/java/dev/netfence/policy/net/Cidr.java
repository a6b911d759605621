package dev.netfence.policy.net;

/** An IPv4 or IPv6 network, {@code 10.0.0.0/16}. */
public record Cidr(IpAddress base, int prefix) {

    public Cidr {
        if (prefix < 0 || prefix > base.bits()) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + base);
        }
    }

    /**
     * Parses {@code a.b.c.d/n} or {@code x::/n}. Like the API server (Go's {@code net.ParseCIDR}),
     * host bits are accepted and dropped: {@code 10.0.0.1/8} means {@code 10.0.0.0/8}; lint warns
     * about them through {@link #hasHostBits(String)}.
     */
    public static Cidr parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: add the prefix length, for example " + text + "/32");
        }
        IpAddress ip = IpAddress.parse(text.substring(0, slash));
        String p = text.substring(slash + 1);
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("invalid prefix length in \"" + text + "\"");
        }
        int prefix = Integer.parseInt(p);
        if (prefix > ip.bits()) {
            throw new IllegalArgumentException("invalid prefix length in \"" + text + "\": at most " + ip.bits());
        }
        return new Cidr(ip.mask(prefix), prefix);
    }

    /** True when {@code text} is a valid CIDR written with host bits set, such as {@code 10.0.0.1/8}. */
    public static boolean hasHostBits(String text) {
        Cidr c = parse(text);
        return !IpAddress.parse(text.substring(0, text.indexOf('/'))).equals(c.base);
    }

    /** A single address as a /32 or /128. */
    public static Cidr host(IpAddress ip) {
        return new Cidr(ip, ip.bits());
    }

    public boolean v6() {
        return base.v6();
    }

    public IpAddress first() {
        return base;
    }

    public IpAddress last() {
        return base.lastInPrefix(prefix);
    }

    public boolean contains(IpAddress ip) {
        return ip.v6() == base.v6() && ip.mask(prefix).equals(base);
    }

    /** True when every address of {@code other} is in this network. */
    public boolean contains(Cidr other) {
        return other.v6() == v6() && other.prefix >= prefix && contains(other.base);
    }

    @Override
    public String toString() {
        return base + "/" + prefix;
    }
}
