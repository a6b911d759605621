package dev.netfence.lab.cni;

import dev.netfence.lab.Lab;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The traffic of a new pod from its first instant, and its count where it lands: a {@link Sender}
 * that runs on a thread of the pod's sandbox from before the pod's interface exists and sends a UDP
 * datagram to each target every millisecond, and a {@link Receiver} in a lab pod that counts the
 * datagrams from the new pod's range. Used by {@code NewPodFailClosedIT} and the demo's new-pod step.
 */
public final class NewPodTraffic {
    static final byte[] PAYLOAD = "netfence-probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private NewPodTraffic() {
    }

    /** Sends to every target in turn, then sleeps a millisecond, until {@link #stop()}; counts what the kernel accepted. */
    public static final class Sender implements java.util.concurrent.Callable<Object> {
        private final List<InetSocketAddress> targets;
        private final AtomicLongArray sent;
        private final AtomicBoolean stop = new AtomicBoolean();

        public Sender(List<InetSocketAddress> targets) {
            this.targets = List.copyOf(targets);
            this.sent = new AtomicLongArray(targets.size());
        }

        public static InetSocketAddress target(IpAddress ip, int port) {
            try {
                return new InetSocketAddress(InetAddress.getByName(ip.toString()), port);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(ip + " is not an address", e); // a literal: never resolved
            }
        }

        /** Runs the loop on the calling thread (one inside the pod's sandbox). */
        @Override
        public Object call() throws Exception {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ByteBuffer payload = ByteBuffer.wrap(PAYLOAD);
                while (!stop.get()) {
                    for (int i = 0; i < targets.size(); i++) {
                        try {
                            payload.rewind();
                            ch.send(payload, targets.get(i));
                            sent.incrementAndGet(i);
                        } catch (IOException e) {
                            // no interface or route yet: the pod's network is being made
                        }
                    }
                    Thread.sleep(1);
                }
            }
            return null;
        }

        /** Datagrams the kernel took for {@code targets.get(target)}. */
        public long sent(int target) {
            return sent.get(target);
        }

        public void stop() {
            stop.set(true);
        }
    }

    /** A UDP socket in a lab pod that counts datagrams from {@code from} (the new pod's range). */
    public static final class Receiver implements AutoCloseable {
        private final DatagramChannel channel;
        private final Cidr from;
        private final AtomicLong count = new AtomicLong();
        private volatile long firstNanos;

        private Receiver(DatagramChannel channel, Cidr from) {
            this.channel = channel;
            this.from = from;
            Thread reader = new Thread(this::read, "nf-receiver");
            reader.setDaemon(true);
            reader.start();
        }

        public static Receiver open(Lab lab, String podKey, IpAddress ip, int port, Cidr from) {
            return new Receiver(lab.runInPod(podKey, () -> DatagramChannel.open().bind(Sender.target(ip, port))), from);
        }

        private void read() {
            ByteBuffer buf = ByteBuffer.allocate(1500);
            while (channel.isOpen()) {
                try {
                    buf.clear();
                    InetSocketAddress sender = (InetSocketAddress) channel.receive(buf);
                    if (sender != null && from.contains(IpAddress.parse(sender.getAddress().getHostAddress()))) {
                        if (count.incrementAndGet() == 1) {
                            firstNanos = System.nanoTime();
                        }
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        public long count() {
            return count.get();
        }

        /** {@link System#nanoTime()} when the first datagram arrived (0: none yet). */
        public long firstNanos() {
            return firstNanos;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
