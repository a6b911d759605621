package dev.netfence.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What one node must enforce (cluster-scoped, named after the node). The operator writes the spec
 * (only when its content changed); the node's enforcer writes the status after each apply. Peer
 * addresses live in shared {@link AddressSet}s, referred to by name.
 */
@Group("netfence.dev")
@Version("v1alpha1")
@ShortNames("nrs")
@AdditionalPrinterColumn(name = "Pods", jsonPath = ".spec.summary.pods", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Isolated pods on the node")
@AdditionalPrinterColumn(name = "Policies", jsonPath = ".spec.summary.policies", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Policy directions the node enforces")
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.contentHash", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "Content hash of the spec")
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.appliedHash", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "Content hash the enforcer applied last")
@AdditionalPrinterColumn(name = "Error", jsonPath = ".status.error", type = AdditionalPrinterColumn.Type.STRING,
        priority = 1, getDescription = "Why the last apply failed")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// the enforcer watches the object named after its node: a rule set whose spec names another node is refused
@ValidationRule(value = "!has(self.spec) || self.metadata.name == self.spec.node",
        message = "spec.node must equal metadata.name (a NodeRuleSet is named after the node that enforces it)")
public class NodeRuleSet extends CustomResource<NodeRuleSetSpec, NodeRuleSetStatus> {

    @Override
    protected NodeRuleSetSpec initSpec() {
        return new NodeRuleSetSpec();
    }
}
