package dev.netfence.lab;

import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;

/**
 * One host-local range of a lab node: the smallest subnet (at most a /24, a /112) holding the
 * node's pod addresses of one family, and its gateway, an address of the subnet no pod or node of
 * the snapshot has (host-local's default, the subnet's first address, is often a pod's).
 */
public record PodRange(Cidr subnet, IpAddress gateway) {
}
