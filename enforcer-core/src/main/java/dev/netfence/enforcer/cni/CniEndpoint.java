package dev.netfence.enforcer.cni;

import dev.netfence.enforcer.loop.EnforcerLoop;
import java.time.Duration;

/**
 * The CNI plugin's endpoint of one node's enforcer: its socket server answering with a
 * {@link CniRequestHandler} that records pods in the loop's announcements and waits on the loop.
 * The same for the DaemonSet and the lab.
 */
public final class CniEndpoint implements AutoCloseable {
    private final CniSocketServer server;

    private CniEndpoint(CniSocketServer server) {
        this.server = server;
    }

    public static CniEndpoint start(CniSettings settings, EnforcerLoop loop, PodAnnouncements announcements) {
        if (settings.waitForRules().plus(loop.newPodSettings().addTimeout()).compareTo(Duration.ofSeconds(55)) > 0) {
            throw new IllegalArgumentException("netfence.enforcer.cni.add-timeout (" + loop.newPodSettings().addTimeout()
                    + ") plus netfence.enforcer.cni.wait-for-rules (" + settings.waitForRules() + ") is longer than the"
                    + " plugin waits for an answer (60 s): shorten one of them");
        }
        CniRequestHandler handler = new CniRequestHandler(loop.newPodSettings(), announcements, loop::appliedIncluding,
                settings.waitForRules(), loop::named);
        return new CniEndpoint(CniSocketServer.start(settings.socket(), handler));
    }

    public CniSocketServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
