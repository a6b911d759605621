package dev.netfence.enforcer.nft;

import java.util.List;

/** Benchmark helper: element batches over one socket kept open, as {@link RuleSetApplier} sends them. */
public final class ElementBatchTiming {
    private ElementBatchTiming() {
    }

    /** Milliseconds per batch of {@code rounds} pairs (apply {@code there}, then {@code back}), in the calling thread's namespace. */
    public static double[] overOpenSocket(List<NetlinkSetElements.SetChange> there, List<NetlinkSetElements.SetChange> back,
                                          int rounds) {
        double[] ms = new double[rounds];
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            for (int i = 0; i < rounds; i++) {
                long t = System.nanoTime();
                NetlinkSetElements.apply(socket, RenderedTable.NAME, there);
                NetlinkSetElements.apply(socket, RenderedTable.NAME, back);
                ms[i] = (System.nanoTime() - t) / 2e6;
            }
        }
        return ms;
    }

    /**
     * Milliseconds per batch as {@link #overOpenSocket} measures them, but each batch sent after writing one byte per
     * cache line of {@code sweepBytes} (twice this machine's 32 MB L3), so that the kernel finds the table's memory
     * as a pod change in the loop does: between two changes the revocation's conntrack dumps, the JIT, the GC and
     * every other process have evicted it. Back to back the batch measures what the kernel does with warm caches
     * (0.04 ms at 10,000 pods); swept, what its walks over the table's chains and sets cost when they miss (session 8:
     * 0.67 ms against 0.16 at 100 pods before the layout changes, see enforcer/README.md).
     */
    public static double[] overOpenSocketAfterSweep(List<NetlinkSetElements.SetChange> there,
                                                    List<NetlinkSetElements.SetChange> back, int rounds, int sweepBytes) {
        byte[] sweep = new byte[sweepBytes];
        double[] ms = new double[rounds];
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            for (int i = 0; i < rounds; i++) {
                sweep(sweep);
                long t = System.nanoTime();
                NetlinkSetElements.apply(socket, RenderedTable.NAME, there);
                ms[i] = (System.nanoTime() - t) / 1e6;
                sweep(sweep);
                t = System.nanoTime();
                NetlinkSetElements.apply(socket, RenderedTable.NAME, back);
                ms[i] = (ms[i] + (System.nanoTime() - t) / 1e6) / 2;
            }
        }
        return ms;
    }

    private static void sweep(byte[] memory) {
        for (int i = 0; i < memory.length; i += 64) {
            memory[i]++;
        }
    }
}
