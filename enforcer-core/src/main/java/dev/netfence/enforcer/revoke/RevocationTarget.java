package dev.netfence.enforcer.revoke;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.net.IpAddress;

/**
 * A local pod address whose rules in one direction may allow less than before: its connections
 * that direction are checked against the new rules (egress: those it opened, ingress: those it
 * answers).
 *
 * @param pod {@code namespace/name}, for the log
 */
public record RevocationTarget(IpAddress address, Direction direction, String pod) {
}
