package dev.netfence.lab;

/**
 * How to build a lab.
 *
 * @param runId   names the run ({@code nf-<runId>-...}); null picks a random one, so parallel runs never collide
 * @param timings how long probes wait
 * @param rules   installed on every node while the lab comes up (null: none); a failure removes the lab
 */
public record LabOptions(String runId, ProbeTimings timings, NodeRulesInstaller rules) {
    public static final LabOptions DEFAULT = new LabOptions(null, ProbeTimings.DEFAULT, null);

    public LabOptions {
        timings = timings == null ? ProbeTimings.DEFAULT : timings;
    }

    public LabOptions withRunId(String id) {
        return new LabOptions(id, timings, rules);
    }

    public LabOptions withTimings(ProbeTimings t) {
        return new LabOptions(runId, t, rules);
    }

    public LabOptions withRules(NodeRulesInstaller installer) {
        return new LabOptions(runId, timings, installer);
    }
}
