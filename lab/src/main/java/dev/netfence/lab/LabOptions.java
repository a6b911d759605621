package dev.netfence.lab;

/**
 * How to build a lab.
 *
 * @param runId     names the run ({@code nf-<runId>-...}); null picks a random one, so parallel runs never collide
 * @param timings   how long probes wait
 * @param rules     installed on every node while the lab comes up (null: none); a failure removes the lab
 * @param topology  how CNI wires pods and nodes ({@link LabTopology#ROUTED} by default)
 * @param enforcers started per node before the pods; their {@code netfence} plugin is then chained after the
 *                  node's interface plugin in its conflist (null: the conflist has only Debian's plugins)
 */
public record LabOptions(String runId, ProbeTimings timings, NodeRulesInstaller rules, LabTopology topology,
                         NodeEnforcers enforcers) {
    public static final LabOptions DEFAULT = new LabOptions(null, ProbeTimings.DEFAULT, null, LabTopology.ROUTED, null);

    public LabOptions {
        timings = timings == null ? ProbeTimings.DEFAULT : timings;
        topology = topology == null ? LabTopology.ROUTED : topology;
    }

    public LabOptions withRunId(String id) {
        return new LabOptions(id, timings, rules, topology, enforcers);
    }

    public LabOptions withTimings(ProbeTimings t) {
        return new LabOptions(runId, t, rules, topology, enforcers);
    }

    public LabOptions withRules(NodeRulesInstaller installer) {
        return new LabOptions(runId, timings, installer, topology, enforcers);
    }

    public LabOptions withTopology(LabTopology t) {
        return new LabOptions(runId, timings, rules, t, enforcers);
    }

    public LabOptions withEnforcers(NodeEnforcers e) {
        return new LabOptions(runId, timings, rules, topology, e);
    }
}
