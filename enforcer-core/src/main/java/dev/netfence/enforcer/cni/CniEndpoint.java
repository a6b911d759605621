package dev.netfence.enforcer.cni;

import dev.netfence.enforcer.loop.EnforcerLoop;

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
        CniRequestHandler handler = new CniRequestHandler(loop.newPodSettings(), announcements, loop::appliedIncluding);
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
