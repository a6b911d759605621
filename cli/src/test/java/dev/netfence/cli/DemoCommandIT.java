package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabPlan;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code netfence demo --non-interactive} through the real Quarkus main, on the demo manifests of the
 * README's quick start: a real lab, real rules, real packets. By default the rules travel the whole
 * way (embedded API server, operator, NodeRuleSets and AddressSets, one enforcer per node); with
 * {@code --rule-path direct} the compiler's rule sets are applied straight into the nodes. Needs
 * root, iproute2 and libnftables1.
 */
@QuarkusMainTest
class DemoCommandIT {

    private static final Pattern PROGRESS = Pattern.compile("(?m)^\\[(\\d)/7] .*; (measured = predicted|\\d+ cells differ.*)$");
    private static final Pattern RUN = Pattern.compile("lab +run (\\w+) up");

    @Test
    void everyMeasuredMatrixEqualsThePredictedOneThroughOperatorAndEnforcersAndTheLabIsRemoved(QuarkusMainLauncher launcher) {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));

        LaunchResult result = launcher.launch("demo", "--non-interactive", "--manifests", "../demo");

        String out = result.getOutput();
        assertThat(result.exitCode()).as(out + result.getErrorOutput()).isZero();
        assertThat(out).contains("-> operator -> NodeRuleSets + AddressSets -> one enforcer per node");
        // every step that applies something waited until each node's NodeRuleSet status reported the compiled rule set
        assertThat(out.lines().filter(l -> l.matches("\\[[123]/7] .*: enforced in \\d+ ms; .*"))).hasSize(3);
        Matcher progress = PROGRESS.matcher(out);
        List<String> verdicts = progress.results().map(m -> m.group(1) + " " + m.group(2)).toList();
        assertThat(verdicts).containsExactly("1 measured = predicted", "2 measured = predicted", "3 measured = predicted",
                "4 measured = predicted", "5 measured = predicted");
        // 5 steps x 4 ports (8080/TCP, 5432/TCP, 53/TCP, 53/UDP): every one printed, no cell where the kernel disagreed
        assertThat(out.lines().filter(l -> l.matches(" +\\d+/(TCP|UDP) +measured +predicted"))).hasSize(20);
        // step 5: the open api -> db connection is cut by the change, the frontend -> api one stays up
        assertThat(out).contains("[5/7] A change cuts a live connection it no longer allows: cut the denied connection,"
                + " kept the allowed one");
        assertThat(out.lines().filter(l -> l.matches(" +api -> db:5432 +cut: last answer \\d+ ms after kubectl apply.*")))
                .hasSize(1);
        assertThat(out.lines().filter(l -> l.matches(" +frontend -> api:8080 +still up: \\d+ more answers.*"))).hasSize(1);
        assertNewPodStep(out);
        assertFlowLogStep(out);
        assertThat(out.lines().filter(l -> l.matches(" +\\d \\S+/\\S+ .*!.*"))).isEmpty();
        assertThat(out).contains("admission webhook \"policies.netfence.dev\" denied the request: netfence refuses to update "
                + "DefaultDeny shop/default-deny", "lose critical flow dns", "allowDNS: true", "refused at admission",
                "every measured matrix equals the engine's prediction");

        Matcher run = RUN.matcher(out);
        assertThat(run.find()).isTrue();
        assertThat(Lab.runs()).doesNotContain(run.group(1));
    }

    @Test
    void keepLeavesTheLabForExplorationUntilLabDownOnTheDirectPath(QuarkusMainLauncher launcher) {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));

        LaunchResult result = launcher.launch("demo", "--non-interactive", "--keep", "--rule-path", "direct",
                "--manifests", "../demo");

        assertThat(result.exitCode()).as(result.getOutput() + result.getErrorOutput()).isZero();
        assertThat(result.getOutput()).contains("compiler -> one enforcer loop per node", "every measured matrix equals");
        // the direct path's enforcers are the production loop too: step 5 revokes there as well
        assertThat(result.getOutput()).contains("[5/7] A change cuts a live connection it no longer allows: cut the denied"
                + " connection, kept the allowed one");
        assertNewPodStep(result.getOutput());
        assertFlowLogStep(result.getOutput());
        Matcher run = RUN.matcher(result.getOutput());
        assertThat(run.find()).isTrue();
        String id = run.group(1);
        try {
            assertThat(Lab.runs()).contains(id);
            assertThat(result.getOutput()).contains("lab down " + id, "nft list table inet netfence");
        } finally {
            Lab.downAll(LabPlan.runPrefix(id));
        }
        assertThat(Lab.runs()).doesNotContain(id);
    }

    /**
     * Step 7: the denied connection read back from node-2's enforcer (db runs there; frontend on node-1 is known
     * there by address) with the DefaultDeny that isolates db's egress, as the engine names it; in audit mode the
     * connection opened and was logged would-deny; enforcing again, denied again. The step itself compares each
     * record with the engine's explanation and reports any difference in its progress line.
     */
    private static void assertFlowLogStep(String out) {
        assertThat(out).contains("[7/7] What the policies deny, in the flow log; a policy in audit mode: denied and logged"
                + " with its DefaultDeny; in audit mode connected and logged would-deny; denied again once enforcing");
        assertThat(out.lines().filter(l -> l.matches(" +\\$ netfence flows --url http://127\\.0\\.0\\.1:\\d+ --pod shop-data/db"
                + " --since \\d+"))).hasSize(3);
        assertThat(out.lines().filter(l -> l.matches(" +\\d\\d:\\d\\d:\\d\\d\\.\\d+ node-2 DENIED +TCP shop-data/db:\\d+ -> "
                + "[0-9.]+:8080  egress isolated by DefaultDeny shop-data/default-deny"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(out.lines().filter(l -> l.matches(" +\\d\\d:\\d\\d:\\d\\d\\.\\d+ node-2 WOULD-DENY TCP shop-data/db:\\d+ -> "
                + "[0-9.]+:8080  accepted; egress audited by DefaultDeny shop-data/default-deny"))).hasSizeGreaterThanOrEqualTo(1);
        assertThat(out).contains("shop-data/db -> shop/frontend:8080/TCP: connected", "denied again");
    }

    /**
     * Step 6: the new pod, made through the node's CNI with the fail-closed default, sent denied datagrams from
     * before its interface existed and none arrived; its allowed connection worked once its rules arrived.
     */
    private static void assertNewPodStep(String out) {
        assertThat(out).contains("[6/7] A new pod under a DefaultDeny, sending from its first instant: 0 denied datagrams"
                + " arrived, the allowed connection worked");
        assertThat(out.lines().filter(l -> l.matches(" +CNI ADD \\(\\w+ -> netfence\\) returned in \\d+ ms: shop/frontend-2 .*")))
                .hasSize(1);
        List<String> denied = out.lines().filter(l -> l.matches(" +denied +shop/frontend-2 -> api:8080/UDP +\\d+ datagrams sent,"
                + " 0 arrived")).toList();
        assertThat(denied).hasSize(1);
        assertThat(Long.parseLong(denied.get(0).replaceAll(".*UDP +(\\d+) datagrams.*", "$1")))
                .as("the pod really sent while it was new").isGreaterThan(100);
        assertThat(out.lines().filter(l -> l.matches(" +allowed +shop/frontend-2 -> api:8080/TCP +first connection \\d+ ms"
                + " after the ADD started.*"))).hasSize(1);
    }
}
