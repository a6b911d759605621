package dev.netfence.lab;

import java.time.Duration;

/**
 * How long a probe waits. Inside the lab a reachable peer answers in well under a millisecond, so
 * these bound only how long a dropped packet takes to count as denied.
 *
 * @param tcpConnect  how long a TCP connect may take before the pair counts as denied
 * @param udpTimeout  how long to wait for a UDP echo before the pair counts as denied
 * @param udpResend   how often the UDP datagram is sent again while waiting (a lost first packet is not a denial)
 */
public record ProbeTimings(Duration tcpConnect, Duration udpTimeout, Duration udpResend) {
    public static final ProbeTimings DEFAULT =
            new ProbeTimings(Duration.ofMillis(400), Duration.ofMillis(500), Duration.ofMillis(120));
}
