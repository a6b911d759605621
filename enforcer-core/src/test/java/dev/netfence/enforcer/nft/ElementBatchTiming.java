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
}
