package dev.netfence.policy.compile;

import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns peers into {@link AddressSet} entries: pod addresses one by one, and an {@code ipBlock}
 * into the intervals left after removing its {@code except} networks ("IPBlock describes a
 * particular CIDR ... that is allowed ... except: CIDRs that should not be included within an
 * IPBlock"). Also parses entries back into intervals for the compiled evaluator.
 */
public final class AddressRanges {
    private AddressRanges() {
    }

    /** An inclusive interval of addresses of one family. */
    public record Interval(IpAddress first, IpAddress last) {
        public boolean contains(IpAddress ip) {
            return ip.v6() == first.v6() && ip.compareTo(first) >= 0 && ip.compareTo(last) <= 0;
        }
    }

    /** Entries for single addresses, sorted (IPv4 first), duplicates removed. */
    public static List<String> ofAddresses(Iterable<IpAddress> addresses) {
        TreeSet<IpAddress> sorted = new TreeSet<>();
        addresses.forEach(sorted::add);
        return sorted.stream().map(IpAddress::toString).toList();
    }

    /** Entries for {@code cidr} minus each of {@code except}. */
    public static List<String> ofIpBlock(String cidr, List<String> except) {
        Cidr block = Cidr.parse(cidr);
        List<Interval> parts = new ArrayList<>(List.of(new Interval(block.first(), block.last())));
        for (String e : except) {
            Cidr ex = Cidr.parse(e);
            List<Interval> next = new ArrayList<>();
            for (Interval p : parts) {
                next.addAll(subtract(p, new Interval(ex.first(), ex.last())));
            }
            parts = next;
        }
        return parts.stream().map(AddressRanges::entry).toList();
    }

    private static List<Interval> subtract(Interval a, Interval cut) {
        if (a.first().v6() != cut.first().v6() || cut.last().compareTo(a.first()) < 0 || cut.first().compareTo(a.last()) > 0) {
            return List.of(a);
        }
        List<Interval> out = new ArrayList<>(2);
        if (cut.first().compareTo(a.first()) > 0) {
            out.add(new Interval(a.first(), cut.first().previous()));
        }
        if (cut.last().compareTo(a.last()) < 0) {
            out.add(new Interval(cut.last().next(), a.last()));
        }
        return out;
    }

    /** The nftables spelling of an interval: an address, a network when aligned, else {@code a-b}. */
    static String entry(Interval i) {
        if (i.first().equals(i.last())) {
            return i.first().toString();
        }
        for (int prefix = 0; prefix <= i.first().bits(); prefix++) {
            if (i.first().mask(prefix).equals(i.first()) && i.first().lastInPrefix(prefix).equals(i.last())) {
                return i.first() + "/" + prefix;
            }
        }
        return i.first() + "-" + i.last();
    }

    /** Parses one entry written by this class (address, network or range). */
    public static Interval parse(String entry) {
        int dash = entry.indexOf('-');
        if (dash > 0) {
            return new Interval(IpAddress.parse(entry.substring(0, dash)), IpAddress.parse(entry.substring(dash + 1)));
        }
        if (entry.indexOf('/') > 0) {
            Cidr c = Cidr.parse(entry);
            return new Interval(c.first(), c.last());
        }
        IpAddress ip = IpAddress.parse(entry);
        return new Interval(ip, ip);
    }
}
