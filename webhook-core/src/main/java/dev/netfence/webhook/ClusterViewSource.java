package dev.netfence.webhook;

/** Where the judge gets the cluster from: the informer-backed model in the webhook, a fixed view in the demo. */
public interface ClusterViewSource {

    /** False until every watched kind has been listed: an empty model would judge against an empty cluster. */
    boolean synced();

    /** The latest published view; never built on the caller's thread. */
    ClusterView view();
}
