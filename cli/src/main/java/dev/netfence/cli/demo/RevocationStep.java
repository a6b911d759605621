package dev.netfence.cli.demo;

import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.lab.Lab;
import dev.netfence.policy.model.ClusterSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The demo's step 5: a change removes an allow while connections are open. Two connections are
 * opened from inside the pods and exchange a byte every 10 ms (the lab's servers echo):
 * frontend -> api:8080, which the change keeps allowing, and api -> db:5432, which it no longer
 * allows ({@value #FILE}). The change goes the same way as every step (API server, operator, one
 * enforcer per node with the production defaults, where connection revocation is on); the step
 * shows when the api -> db connection got its last answer and that frontend -> api kept exchanging.
 */
final class RevocationStep {
    static final String FILE = "40-db-from-reports.yaml";
    /** An exchange without an answer for this long counts as cut (TCP retransmits the byte within it several times). */
    static final int NO_ANSWER_MS = 1500;
    private static final int EVERY_MS = 10;

    /** What the step saw; {@code problem} is null when the cut one was cut and the kept one kept. */
    record Outcome(ClusterSnapshot changed, String problem) {
    }

    private RevocationStep() {
    }

    static Path file(DemoManifests demo) {
        return demo.directory().resolve(FILE);
    }

    static Outcome run(Lab lab, RulePath rules, DemoManifests demo, ClusterSnapshot current, Consumer<String> say)
            throws Exception {
        Manifests change = ManifestLoader.load(List.of(file(demo)));
        ClusterSnapshot changed = DemoManifests.with(current, change);
        String api = address(current, "shop", "api");
        String db = address(current, "shop-data", "db");
        Socket keep = lab.runInPod("shop/frontend", () -> connect(api, 8080));
        Socket cut;
        try {
            cut = lab.runInPod("shop/api", () -> connect(db, 5432));
        } catch (RuntimeException e) {
            keep.close();
            throw e;
        }
        Pinger kept = new Pinger(keep, "frontend -> api");
        Pinger revoked = new Pinger(cut, "api -> db");
        try {
            kept.start();
            revoked.start();
            if (!waitFor(() -> kept.answers() >= 5 && revoked.answers() >= 5, 5_000)) {
                return new Outcome(changed, "the two connections did not exchange data before the change");
            }
            say.accept("  open and exchanging a byte every " + EVERY_MS + " ms: frontend -> api:8080 (" + kept.answers()
                    + " answers so far), api -> db:5432 (" + revoked.answers() + ")");
            say.accept("  $ kubectl apply -f " + file(demo) + "   (db accepts 5432 from app=reports only, no longer from the api)");
            long applied = System.nanoTime();
            Duration enforced = rules.enforce(changed, DemoManifests.resources(change));
            say.accept("  enforced on " + lab.nodes().size() + " nodes in " + DemoCommand.millis(enforced.toNanos())
                    + " after applying");
            boolean stopped = waitFor(revoked::stopped, 10_000);
            long keptAtCut = kept.answers();
            waitFor(() -> false, 1_000); // the kept connection keeps going meanwhile
            long since = kept.answers() - keptAtCut;
            if (stopped) {
                say.accept("  api -> db:5432        cut: last answer " + DemoCommand.millis(revoked.lastAnswer() - applied)
                        + " after kubectl apply, none since (" + NO_ANSWER_MS + " ms without one)");
            } else {
                say.accept("  api -> db:5432        still answering: NOT cut");
            }
            say.accept("  frontend -> api:8080  " + (kept.stopped() ? "STOPPED answering" : "still up: " + since
                    + " more answers in the second after the cut, none missed"));
            String problem = !stopped ? "api -> db:5432 was not cut after the change removed its allow"
                    : kept.stopped() ? "frontend -> api:8080 stopped although the change keeps it allowed" : null;
            return new Outcome(changed, problem);
        } finally {
            kept.interrupt();
            revoked.interrupt();
            keep.close();
            cut.close();
        }
    }

    private static String address(ClusterSnapshot s, String namespace, String name) {
        return s.pod(namespace, name).orElseThrow(() -> new IllegalStateException("the demo cluster has no pod "
                + namespace + "/" + name)).ips().get(0).toString();
    }

    private static Socket connect(String address, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 2_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(NO_ANSWER_MS);
        return s;
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, long ms) throws InterruptedException {
        long deadline = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }

    /** Sends a byte every 10 ms and reads its echo; stops at the first one not answered within {@link #NO_ANSWER_MS}. */
    private static final class Pinger extends Thread {
        private final Socket socket;
        private final AtomicLong answers = new AtomicLong();
        private volatile long lastAnswer;
        private volatile boolean stopped;

        Pinger(Socket socket, String name) {
            super("demo-" + name);
            this.socket = socket;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                while (!isInterrupted()) {
                    out.write('e');
                    out.flush();
                    if (in.read() != 'e') {
                        break;
                    }
                    answers.incrementAndGet();
                    lastAnswer = System.nanoTime();
                    Thread.sleep(EVERY_MS);
                }
            } catch (IOException e) {
                // no answer within NO_ANSWER_MS (or the connection broke): the connection is cut
            } catch (InterruptedException e) {
                return;
            }
            stopped = !isInterrupted();
        }

        long answers() {
            return answers.get();
        }

        long lastAnswer() {
            return lastAnswer;
        }

        boolean stopped() {
            return stopped;
        }
    }
}
