package dev.netfence.cli.simulate;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.common.FlowOptions;
import dev.netfence.cli.common.ManifestOptions;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code netfence simulate}: the reachability matrix of every pod with an IP, on one port. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Print who can reach whom on one port, between all pods that have an IP.",
                "Rows are sources, columns destinations: '.' allowed, 'X' denied."})
public class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ManifestOptions manifests;

    @Mixin
    FlowOptions flow;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        flow.check(spec.commandLine());
        PrintWriter err = spec.commandLine().getErr();
        Manifests loaded = manifests.load(err);
        ClusterSnapshot snapshot = loaded.snapshot();
        for (Pod p : snapshot.pods()) {
            if (p.ips().isEmpty()) {
                err.println("note: pod " + p.key() + " has no IP (status.podIP): left out of the matrix");
            }
        }
        boolean v4Only = snapshot.podsWithIps().stream().anyMatch(p -> p.ips().stream().noneMatch(ip -> ip.v6()));
        boolean v6Only = snapshot.podsWithIps().stream().anyMatch(p -> p.ips().stream().allMatch(ip -> ip.v6()));
        if (v4Only && v6Only) {
            err.println("note: IPv4-only and IPv6-only pods share no address family and cannot connect: shown as X");
        }
        if (snapshot.podsWithIps().isEmpty()) {
            err.println("note: no pod in the manifests has an IP (status.podIP): the matrix is empty");
        }
        err.flush();
        ReachabilityMatrix matrix = ReachabilityMatrix.compute(snapshot, flow.protocol(), flow.port());
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(MatrixJson.render(matrix));
        } else {
            out.print(MatrixText.render(matrix));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
