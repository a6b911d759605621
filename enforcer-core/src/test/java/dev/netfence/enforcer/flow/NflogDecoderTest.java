package dev.netfence.enforcer.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The NFLOG decoder and the header parser on datagrams the kernel sent (src/test/resources/nflog,
 * captured in a lab node: see its README), and on changed copies of them: cut short, with an
 * attribute no kernel sends yet, two messages in one datagram, an SCTP packet.
 */
class NflogDecoderTest {

    static byte[] captured(String name) {
        try (InputStream in = NflogDecoderTest.class.getResourceAsStream("/nflog/" + name + ".hex")) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "v4-tcp, 2,  nf D in_0123456789abcdef, 10.0.2.2,  10.0.1.1,  TCP, 8080",
        "v4-udp, 2,  nf D in_0123456789abcdef, 10.0.2.2,  10.0.1.1,  UDP, 5353",
        "v6-tcp, 10, nf A 0123456789abcdef,    fd00::2:2, fd00::1:1, TCP, 8080",
        "v6-udp, 10, nf A 0123456789abcdef,    fd00::2:2, fd00::1:1, UDP, 5353"})
    void capturedPacketsDecode(String file, int family, String prefix, String src, String dst, Protocol protocol, int port) {
        byte[] raw = captured(file);
        NflogDecoder.Decoded d = NflogDecoder.decode(raw, raw.length);
        assertThat(d.malformed()).isZero();
        assertThat(d.packets()).singleElement().satisfies(p -> {
            assertThat(p.family()).isEqualTo(family);
            assertThat(p.prefix()).isEqualTo(prefix);
            assertThat(p.time()).as("the kernel stamped it").isNotNull();
            PacketHeaders h = PacketHeaders.parse(p.payload()).orElseThrow();
            assertThat(h.source()).hasToString(src);
            assertThat(h.destination()).hasToString(dst);
            assertThat(h.protocol()).isEqualTo(protocol);
            assertThat(h.destinationPort()).isEqualTo(port);
            assertThat(h.sourcePort()).isBetween(1024, 65535);
        });
    }

    /** The decoder reads only the ports of the transport header, which SCTP has at the same place as UDP. */
    @Test
    void sctpIsRecognisedByItsProtocolNumber() {
        byte[] raw = captured("v4-udp");
        NflogPacket p = NflogDecoder.decode(raw, raw.length).packets().get(0);
        byte[] payload = p.payload().clone();
        payload[9] = (byte) 132;   // IPv4 protocol field: SCTP (this kernel cannot send SCTP: see BRIEF, "never probe")
        PacketHeaders h = PacketHeaders.parse(payload).orElseThrow();
        assertThat(h.protocol()).isEqualTo(Protocol.SCTP);
        assertThat(h.destinationPort()).isEqualTo(5353);
    }

    @Test
    void aCutDatagramIsCountedNotThrown() {
        byte[] raw = captured("v6-tcp");
        for (int cut = 0; cut < raw.length; cut++) {
            NflogDecoder.Decoded d = NflogDecoder.decode(raw, cut);
            assertThat(d.packets()).as("cut at %d", cut).isEmpty();
            if (cut >= 16) {
                assertThat(d.malformed()).as("cut at %d", cut).isEqualTo(1);
            }
        }
    }

    @Test
    void aPayloadCutBeforeThePortsKeepsTheAddresses() {
        byte[] raw = captured("v6-udp");
        byte[] payload = NflogDecoder.decode(raw, raw.length).packets().get(0).payload();
        PacketHeaders h = PacketHeaders.parse(java.util.Arrays.copyOf(payload, 42)).orElseThrow();
        assertThat(h.destination()).hasToString("fd00::1:1");
        assertThat(h.protocol()).isEqualTo(Protocol.UDP);
        assertThat(h.destinationPort()).isEqualTo(-1);
        assertThat(PacketHeaders.parse(java.util.Arrays.copyOf(payload, 30))).isEmpty();
    }

    @Test
    void unknownAttributesAreSkipped() {
        byte[] raw = captured("v4-udp");
        // insert an attribute of a type no kernel sends (0x3ff0, 6 bytes of value, padded to 12) after nfgenmsg
        byte[] extra = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) 10).putShort((short) 0x3ff0)
                .put(new byte[] {1, 2, 3, 4, 5, 6}).array();
        ByteBuffer out = ByteBuffer.allocate(raw.length + extra.length).order(ByteOrder.nativeOrder());
        out.put(raw, 0, 20).put(extra).put(raw, 20, raw.length - 20);
        out.putInt(0, raw.length + extra.length);
        byte[] changed = out.array();
        NflogDecoder.Decoded d = NflogDecoder.decode(changed, changed.length);
        assertThat(d.malformed()).isZero();
        assertThat(d.packets()).singleElement().satisfies(p -> {
            assertThat(p.prefix()).isEqualTo("nf D in_0123456789abcdef");
            assertThat(PacketHeaders.parse(p.payload()).orElseThrow().destinationPort()).isEqualTo(5353);
        });
    }

    @Test
    void severalMessagesInOneDatagram() {
        byte[] a = captured("v4-tcp");
        byte[] b = captured("v6-udp");
        byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
        NflogDecoder.Decoded d = NflogDecoder.decode(both, both.length);
        assertThat(d.packets()).extracting(NflogPacket::family).containsExactly(2, 10);
    }

    /** IPv6 with a hop-by-hop options header before TCP (RFC 8200 section 4.3): the ports are found after it. */
    @Test
    void ipv6ExtensionHeadersAreSkipped() {
        byte[] raw = captured("v6-tcp");
        byte[] payload = NflogDecoder.decode(raw, raw.length).packets().get(0).payload();
        byte[] withHop = new byte[payload.length + 8];
        System.arraycopy(payload, 0, withHop, 0, 40);
        withHop[6] = 0;                 // next header: hop-by-hop
        withHop[40] = 6;                // its next header: TCP
        withHop[41] = 0;                // length: 8 bytes
        System.arraycopy(payload, 40, withHop, 48, payload.length - 40);
        PacketHeaders h = PacketHeaders.parse(withHop).orElseThrow();
        assertThat(h.protocol()).isEqualTo(Protocol.TCP);
        assertThat(h.destinationPort()).isEqualTo(8080);
    }
}
