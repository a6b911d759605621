package dev.netfence.enforcer.flow;

import java.time.Instant;

/**
 * One packet the kernel logged to the NFLOG group (an {@code NFULNL_MSG_PACKET} message).
 *
 * @param family  the nfgenmsg family: 2 (NFPROTO_IPV4) or 10 (NFPROTO_IPV6)
 * @param prefix  {@code NFULA_PREFIX}, the rule's {@code log prefix}; null when absent
 * @param payload {@code NFULA_PAYLOAD}: the start of the packet from its network header, as much as
 *                the copy range let through; empty when absent
 * @param time    {@code NFULA_TIMESTAMP} when the packet carried one (forwarded packets often do not); null otherwise
 */
public record NflogPacket(int family, String prefix, byte[] payload, Instant time) {
}
