#!/usr/bin/env bash
# The base images of Netfence, made from Debian packages only (no registry is needed or reached):
#
#   OUT/oci:jre        Debian 12 (bookworm) minbase + openjdk-17-jre-headless + user netfence (10001:10001)
#                     the operator and the webhook run on it
#   OUT/oci:enforcer   the same plus one layer: libnftables1 (the enforcer loads it through JNA), nftables
#                     (`nft`, for debugging from the container) and conntrack (connection tracking tool)
#
# Usage: images/base.sh OUT   (as root) writes OUT/oci, an OCI image layout, and OUT/{jre,enforcer}-packages.txt,
#        the Debian packages and versions each holds
#
# images/build calls this once per content of this file: the result is cached under the hash of this
# script, so change this file (packages, clean-up) to get a new base. The packages come from the Debian
# mirror apt is configured with on this machine (/etc/apt/sources.list*), or from NETFENCE_DEBIAN_MIRROR
# (and NETFENCE_DEBIAN_SECURITY_MIRROR for bookworm-security). Every file carries the same time
# (SOURCE_DATE_EPOCH below) and logs, caches and apt lists are removed, so the same packages give the
# same layers, byte for byte, except the small layer of the JRE's trust store (see below).
set -euo pipefail

out=${1:?usage: images/base.sh OUT}
suite=bookworm
jre_packages=openjdk-17-jre-headless
enforcer_packages="libnftables1 nftables conntrack"
# every file of the base carries this time (2025-01-01T00:00:00Z), and so do the image configs
export SOURCE_DATE_EPOCH=1735689600
created=2025-01-01T00:00:00Z

die() { echo "images/base.sh: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap and chroot): run it with sudo"
for tool in debootstrap umoci chroot; do
    command -v "$tool" >/dev/null || die "needs $tool: apt-get install debootstrap umoci"
done

# The first URI apt uses for a suite, from one-line (.list) and deb822 (.sources) files.
apt_uri() {
    local want=$1 f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        awk -v s="$want" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                                       if ($(i + 1) == s) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        awk -v s="$want" 'BEGIN { RS = ""; FS = "\n" }
            { uri = ""; hit = 0; deb = 0
              for (k = 1; k <= NF; k++) {
                  if ($k ~ /^Types:/ && $k ~ /[ \t]deb([ \t]|$)/) deb = 1
                  if ($k ~ /^URIs:/) { split($k, u, /[ \t]+/); uri = u[2] }
                  if ($k ~ /^Suites:/) { n = split($k, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) hit = 1 }
              }
              if (deb && hit && uri != "") { print uri; exit } }' "$f"
    done
}
mirror=${NETFENCE_DEBIAN_MIRROR:-$(apt_uri "$suite" | head -n1)}
security=${NETFENCE_DEBIAN_SECURITY_MIRROR:-$(apt_uri "$suite-security" | head -n1)}
[[ -n $mirror ]] || die "no apt source for $suite in /etc/apt/sources.list*: set NETFENCE_DEBIAN_MIRROR=http://.../debian"
echo "images/base.sh: Debian $suite from $mirror${security:+ (security updates from $security)}" >&2

work=$(mktemp -d /var/tmp/netfence-base.XXXXXX)
rootfs=$work/bundle/rootfs
mounted=()
cleanup() {
    local m
    for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

in_root() {
    mount --bind /proc "$rootfs/proc" && mounted+=("$rootfs/proc")
    mount --bind /dev "$rootfs/dev" && mounted+=("$rootfs/dev")
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$rootfs" "$@"
    umount "$rootfs/dev" "$rootfs/proc"
    mounted=()
}

# What a container never needs and what would differ from build to build; then every file gets the
# same time (only the files changed since the last layer, so the next layer holds just those).
strip_and_clamp() {
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* \
        "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old "$rootfs"/var/cache/ldconfig/aux-cache \
        "$rootfs"/usr/share/man "$rootfs"/usr/share/info "$rootfs"/usr/share/locale/* "$rootfs"/tmp/* \
        "$rootfs"/root/.bash_history "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname
    # documentation goes, the licenses (copyright files) stay
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
    find "$rootfs/dev" -mindepth 1 -delete
    : > "$rootfs/etc/machine-id"
    find "$rootfs" -xdev -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

umoci init --layout "$work/oci"
umoci new --image "$work/oci:jre"
umoci unpack --image "$work/oci:jre" "$work/bundle" >/dev/null

# layer 1: Debian minbase with the JRE
debootstrap --variant=minbase --include="$jre_packages" "$suite" "$rootfs" "$mirror" >&2
{
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    if [[ -n $security ]]; then echo "deb $security $suite-security main"; fi
} > "$rootfs/etc/apt/sources.list"
# no documentation from later installs (the enforcer's layer)
printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
    > "$rootfs/etc/dpkg/dpkg.cfg.d/netfence-nodoc"
in_root sh -c 'apt-get update -q && apt-get -y -q upgrade --no-install-recommends' >&2
# the non-root user of the operator and the webhook; the images name it by number (runAsNonRoot needs that)
in_root sh -c 'groupadd -g 10001 netfence && useradd -u 10001 -g 10001 -M -d /nonexistent -s /usr/sbin/nologin netfence'
in_root sh -c 'dpkg-query -W -f "\${Package} \${Version}\n"' > "$work/jre-packages.txt"
# The JRE's trust store is a PKCS12 file that ca-certificates-java writes with random salts: the one
# file that differs from build to build. It gets a layer of its own, so the large layer is the same.
trust=etc/ssl/certs/java/cacerts
mv "$rootfs/$trust" "$work/cacerts"
strip_and_clamp
history=(--history.created "$created" --history.author "Netfence images/base.sh")
umoci repack --refresh-bundle --image "$work/oci:jre" "${history[@]}" \
    --history.created_by "debootstrap --variant=minbase --include=$jre_packages $suite; apt-get upgrade" "$work/bundle"
mv "$work/cacerts" "$rootfs/$trust"
touch -h -d "@$SOURCE_DATE_EPOCH" "$rootfs/$trust" "$rootfs/$(dirname "$trust")"
umoci repack --refresh-bundle --image "$work/oci:jre" "${history[@]}" \
    --history.created_by "/$trust (ca-certificates-java; random PKCS12 salts)" "$work/bundle"

# layer 2 (enforcer): the nftables library and tools
in_root sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $enforcer_packages" >&2
in_root sh -c 'dpkg-query -W -f "\${Package} \${Version}\n"' > "$work/enforcer-packages.txt"
strip_and_clamp
umoci repack --refresh-bundle --image "$work/oci:enforcer" "${history[@]}" \
    --history.created_by "apt-get install $enforcer_packages" "$work/bundle"
# the configs last: a config change makes a new manifest, and the enforcer's layer was packed on the jre's
for tag in jre enforcer; do
    packages=$jre_packages
    [[ $tag == enforcer ]] && packages="$jre_packages $enforcer_packages"
    umoci config --image "$work/oci:$tag" --no-history --created "$created" --os linux --architecture amd64 \
        --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.env LANG=C.UTF-8 \
        --config.label "org.opencontainers.image.base.name=debian:$suite" \
        --config.label "org.opencontainers.image.description=Debian $suite minbase with $packages"
done
umoci gc --layout "$work/oci"
rm -rf "$out"
mkdir -p "$out"
mv "$work/oci" "$work/jre-packages.txt" "$work/enforcer-packages.txt" "$out/"
echo "images/base.sh: base images in $out/oci (tags jre, enforcer; package lists next to it)" >&2
