package dev.netfence.cli.lab;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.UserInputException;
import dev.netfence.cli.common.FlowOptions;
import dev.netfence.cli.common.JsonText;
import dev.netfence.cli.common.ManifestOptions;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.cli.simulate.MatrixJson;
import dev.netfence.cli.simulate.MatrixText;
import dev.netfence.cli.simulate.ReachabilityMatrix;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabException;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.lab.LabPod;
import dev.netfence.lab.ProbeResult;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netfence lab probe}: builds the lab from the manifests, applies the compiled rules with the
 * enforcer's renderer and libnftables applier in every node, probes every pod pair with real
 * packets and prints the matrix exactly as {@code netfence simulate} does. Exits 3 when the
 * measured matrix differs from the engine's.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Build the lab from manifests, enforce their policies with nftables and measure who reaches",
                "whom on one port with real connections. Rows are sources, columns destinations: '.' reached,",
                "'X' not. Exit 3 when the measurement differs from 'netfence simulate'."})
public class LabProbeCommand implements Callable<Integer> {

    /** The measured matrix differs from the one the engine predicts. */
    public static final int MISMATCH = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    ManifestOptions manifests;

    @Mixin
    FlowOptions flow;

    @Mixin
    OutputOption output;

    @Option(names = "--no-rules", description = "Probe without applying any rules: the lab's own connectivity.")
    boolean noRules;

    @Option(names = "--keep", description = "Leave the lab's namespaces (and rules) in place for 'ip netns exec'; "
            + "remove them with 'netfence lab down RUN_ID'.")
    boolean keep;

    private static LabNodeEnforcers newEnforcers(ClusterSnapshot snapshot) {
        try {
            return new LabNodeEnforcers(snapshot);
        } catch (LabException e) {
            throw new UserInputException(e.getMessage() + " (or probe without rules: --no-rules)");
        }
    }

    @Override
    public Integer call() {
        flow.check(spec.commandLine());
        Lab.prerequisitesMissing().ifPresent(reason -> {
            throw new UserInputException(reason);
        });
        if (!noRules) {
            LabEnforcer.unavailableReason().ifPresent(reason -> {
                throw new UserInputException(reason + " (or probe without rules: --no-rules)");
            });
        }
        PrintWriter err = spec.commandLine().getErr();
        ClusterSnapshot snapshot = manifests.load(err).snapshot();
        if (!noRules && !snapshot.clusterPolicies().isEmpty()) {
            // the engine judges them, the datapath does not render them yet: the lab would measure something else
            throw new UserInputException("the input holds " + snapshot.clusterPolicies().size() + " ClusterNetworkPolicies, "
                    + "which Netfence's rules do not enforce yet: leave them out of -f, or probe without rules (--no-rules); "
                    + "'netfence simulate' and 'explain' evaluate them");
        }
        for (Pod p : snapshot.pods()) {
            if (p.ips().isEmpty()) {
                err.println("note: pod " + p.key() + " has no IP (status.podIP): left out of the lab");
            }
        }
        long start = System.nanoTime();
        Lab lab;
        // with rules: one enforcer per node (its production defaults), started before the pods, which the node's
        // conflist makes with Debian's plugins chained with netfence; without: Debian's plugins only
        LabNodeEnforcers enforcers = noRules ? null : newEnforcers(snapshot);
        try {
            lab = Lab.up(snapshot, enforcers == null ? LabOptions.DEFAULT : LabOptions.DEFAULT.withEnforcers(enforcers));
        } catch (LabException e) {
            if (enforcers != null) {
                enforcers.close();
            }
            throw new UserInputException(e.getMessage());
        }
        try {
            err.printf("lab %s: %d nodes, %d pods up in %d ms%n", lab.runId(), lab.nodes().size(), lab.pods().size(),
                    millisSince(start));
            if (enforcers != null) {
                long applying = System.nanoTime();
                enforcers.enforce(snapshot);
                int rules = lab.nodes().stream().mapToInt(n -> enforcers.loop(n.name()).state().lastResult().rules()).sum();
                err.printf("rules applied on %d nodes (%d rules) in %d ms%n", lab.nodes().size(), rules,
                        millisSince(applying));
            }
            err.flush();
            return print(snapshot, lab.probe(flow.port(), flow.protocol()));
        } finally {
            if (enforcers != null) {
                enforcers.close(); // the kernel tables stay, as a stopped enforcer leaves them
            }
            if (keep) {
                String id = lab.keep();
                err.println("lab " + id + " kept: 'ip netns list | grep nf-" + id + "-'; remove it with "
                        + "'netfence lab down " + id + "'");
            } else {
                lab.close();
            }
            err.flush();
        }
    }

    private int print(ClusterSnapshot snapshot, ProbeResult result) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (result instanceof ProbeResult.Unprobeable u) {
            if (output.json()) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("port", u.port());
                json.put("protocol", u.protocol().name());
                json.put("probed", false);
                json.put("reason", u.reason());
                out.println(JsonText.write(json));
            } else {
                out.println(u.protocol() + "/" + u.port() + ": not measured: " + u.reason());
            }
            out.flush();
            return ExitCodes.OK;
        }
        dev.netfence.lab.ReachabilityMatrix measured = ((ProbeResult.Measured) result).matrix();
        List<Pod> pods = snapshot.podsWithIps();
        if (!pods.stream().map(Pod::key).toList().equals(measured.pods())) {
            throw new IllegalStateException("lab pods " + measured.pods() + " are not the snapshot's " + pods);
        }
        ReachabilityMatrix matrix = new ReachabilityMatrix(measured.protocol(), measured.port(), pods, measured.allowed());
        out.print(output.json() ? MatrixJson.render(matrix) + "\n" : MatrixText.render(matrix));
        out.flush();
        if (noRules) {
            return ExitCodes.OK;
        }
        ReachabilityMatrix predicted = ReachabilityMatrix.compute(snapshot, flow.protocol(), flow.port());
        List<String> differences = new java.util.ArrayList<>();
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                if (predicted.allowed()[i][j] != matrix.allowed()[i][j]) {
                    differences.add(pods.get(i).key() + " -> " + pods.get(j).key() + ": measured "
                            + (matrix.allowed()[i][j] ? "reached" : "not reached") + ", simulate says "
                            + (predicted.allowed()[i][j] ? "allowed" : "denied"));
                }
            }
        }
        if (!differences.isEmpty()) {
            err.println("warning: the measurement differs from 'netfence simulate' in " + differences.size() + " cells:");
            differences.forEach(d -> err.println("  " + d));
            err.flush();
            return MISMATCH;
        }
        return ExitCodes.OK;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
