package dev.netfence.policy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address and network arithmetic the ipBlock semantics rest on. */
class IpAddressAndCidrTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.0.0.1, 10.0.0.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "fd00:0:0:0:0:0:0:1, fd00::1",
            "FD00::1, fd00::1",
            "::, ::",
            "::1, ::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
            "1:0:0:2:0:0:0:3, 1:0:0:2::3",
            "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
            "::ffff:10.0.0.1, ::ffff:a00:1",
            "fd00::1:0, fd00::1:0"})
    void parsesAndPrintsCanonically(String text, String canonical) {
        assertThat(IpAddress.parse(text)).hasToString(canonical);
        assertThat(IpAddress.parse(canonical)).isEqualTo(IpAddress.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.0.1", "256.0.0.1", "10.0.0.01", "10.0.0.-1", "a.b.c.d", "1::2::3",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "1:2:3:4:5:6:7::8", " 10.0.0.1", ":1:2"})
    void rejectsInvalidAddresses(String text) {
        assertThat(IpAddress.isValid(text)).isFalse();
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "10.0.0.0/8, 10.255.255.255, true",
            "10.0.0.0/8, 11.0.0.0, false",
            "10.0.0.1/8, 10.9.9.9, true",
            "10.0.1.0/24, 10.0.1.0, true",
            "10.0.1.0/24, 10.0.0.255, false",
            "10.0.1.7/32, 10.0.1.7, true",
            "10.0.1.7/32, 10.0.1.8, false",
            "0.0.0.0/0, 203.0.113.1, true",
            "0.0.0.0/0, ::1, false",
            "::/0, ::1, true",
            "::/0, 10.0.0.1, false",
            "fd00::/8, fdff:ffff::1, true",
            "fd00::/8, fe00::, false",
            "2001:db8::/32, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
            "2001:db8::/32, 2001:db9::, false",
            "fd00::1:0/112, fd00::1:ffff, true",
            "fd00::1:0/112, fd00::2:0, false",
            "fd00:0:0:1::/64, fd00:0:0:1:1::1, true",
            "fd00:0:0:1::/65, fd00:0:0:1:8000::, false",
            "fd00::1/128, fd00::1, true",
            "fd00::1/128, fd00::2, false"})
    void cidrContains(String cidr, String ip, boolean contains) {
        assertThat(Cidr.parse(cidr).contains(IpAddress.parse(ip))).isEqualTo(contains);
    }

    @ParameterizedTest(name = "{0}: {1} .. {2}")
    @CsvSource({
            "10.0.0.1/8, 10.0.0.0, 10.255.255.255",
            "0.0.0.0/0, 0.0.0.0, 255.255.255.255",
            "192.0.2.128/25, 192.0.2.128, 192.0.2.255",
            "10.0.0.5/32, 10.0.0.5, 10.0.0.5",
            "::/0, ::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fd00::/64, fd00::, fd00::ffff:ffff:ffff:ffff",
            "fd00::/63, fd00::, fd00::1:ffff:ffff:ffff:ffff",
            "fd00::/65, fd00::, fd00::7fff:ffff:ffff:ffff",
            "fd00::1:0/112, fd00::1:0, fd00::1:ffff",
            "fd00::7/128, fd00::7, fd00::7"})
    void cidrBounds(String cidr, String first, String last) {
        Cidr c = Cidr.parse(cidr);
        assertThat(c.first()).hasToString(first);
        assertThat(c.last()).hasToString(last);
    }

    @Test
    void nestedNetworks() {
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parse("10.1.0.0/16"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parse("10.0.0.0/8"))).isTrue();
        assertThat(Cidr.parse("10.1.0.0/16").contains(Cidr.parse("10.0.0.0/8"))).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parse("fd00::/64"))).isFalse();
        assertThat(Cidr.hasHostBits("10.0.0.1/8")).isTrue();
        assertThat(Cidr.hasHostBits("10.0.0.0/8")).isFalse();
    }

    @Test
    void stepsAcrossWordBoundaries() {
        assertThat(IpAddress.parse("10.0.0.255").next()).hasToString("10.0.1.0");
        assertThat(IpAddress.parse("255.255.255.255").next()).isNull();
        assertThat(IpAddress.parse("0.0.0.0").previous()).isNull();
        assertThat(IpAddress.parse("::ffff:ffff:ffff:ffff").next()).hasToString("0:0:0:1::");
        assertThat(IpAddress.parse("0:0:0:1::").previous()).hasToString("::ffff:ffff:ffff:ffff");
        assertThat(IpAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").next()).isNull();
        assertThat(IpAddress.parse("::").previous()).isNull();
    }

    @Test
    void ordersV4BeforeV6AndNumerically() {
        assertThat(IpAddress.parse("10.0.0.2")).isGreaterThan(IpAddress.parse("10.0.0.1"));
        assertThat(IpAddress.parse("200.0.0.1")).isGreaterThan(IpAddress.parse("10.0.0.1"));
        assertThat(IpAddress.parse("::1")).isGreaterThan(IpAddress.parse("255.255.255.255"));
        assertThat(IpAddress.parse("8000::")).isGreaterThan(IpAddress.parse("7fff::"));
        assertThat(IpAddress.parse("::8000:0:0:0")).isGreaterThan(IpAddress.parse("::7fff:0:0:0"));
    }
}
