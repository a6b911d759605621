package dev.netfence.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * What the benchmark mains report for a step: wall time, CPU time of the measuring thread, CPU
 * time of the whole process (collector and JIT threads included), collection time, and the
 * machine's load average, since on a shared machine wall time overstates the work.
 */
final class Measure {
    private final long wall = System.nanoTime();
    private final long thread = threadCpu();
    private final long process = processCpu();
    private final long gc = gcMillis();

    static Measure start() {
        return new Measure();
    }

    /** "wall 1234 ms, cpu 1000 ms (process 1500 ms), gc 12 ms". */
    String done() {
        return String.format("wall %d ms, cpu %d ms (process %d ms), gc %d ms", (System.nanoTime() - wall) / 1_000_000,
                (threadCpu() - thread) / 1_000_000, (processCpu() - process) / 1_000_000, gcMillis() - gc);
    }

    long wallNanos() {
        return System.nanoTime() - wall;
    }

    long cpuNanos() {
        return threadCpu() - thread;
    }

    static long threadCpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static long gcMillis() {
        long t = 0;
        for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, b.getCollectionTime());
        }
        return t;
    }

    /** Heap in use after full collections: what the live objects retain. */
    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static String jvm() {
        return "java " + System.getProperty("java.version") + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB, "
                + Runtime.getRuntime().availableProcessors() + " CPUs";
    }
}
