package dev.netfence.crds.manifest;

/**
 * How strictly manifests are read. {@code lenient}: unknown fields are warnings (and ignored)
 * instead of errors, like {@code kubectl apply --validate=warn}. The limits protect the reader from
 * input that would take minutes or gigabytes to refuse: a file larger than {@code maxFileBytes},
 * or a document nested deeper than {@code maxDepth}, is refused at once with the limit named.
 * {@code skipNonKubernetes}: documents without {@code apiVersion} and {@code kind} (a Helm
 * {@code values.yaml}, a compose file, a CI workflow) are skipped with a note instead of refused,
 * for {@code lint} on a whole repository.
 */
public record LoadOptions(boolean lenient, long maxFileBytes, int maxDepth, boolean skipNonKubernetes) {

    /** 8 MiB: far above any real manifest (the API server refuses requests over 3 MiB), far below what hurts. */
    public static final long DEFAULT_MAX_FILE_BYTES = 8L * 1024 * 1024;
    /** Kubernetes objects nest about 15 levels deep (a CRD schema perhaps 30). */
    public static final int DEFAULT_MAX_DEPTH = 64;

    public static final LoadOptions STRICT = new LoadOptions(false, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_DEPTH, false);

    public LoadOptions(boolean lenient, long maxFileBytes, int maxDepth) {
        this(lenient, maxFileBytes, maxDepth, false);
    }

    public LoadOptions {
        if (maxFileBytes <= 0 || maxDepth <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public LoadOptions withLenient(boolean value) {
        return new LoadOptions(value, maxFileBytes, maxDepth, skipNonKubernetes);
    }

    public LoadOptions withSkipNonKubernetes(boolean value) {
        return new LoadOptions(lenient, maxFileBytes, maxDepth, value);
    }
}
