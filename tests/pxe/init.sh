#!/bin/sh
# /init of the PXE test's ramdisk: mount the kernel's file systems, load the NIC drivers, bring
# up the NIC the node PXE-booted from (BOOTIF=01-<mac> from iPXE) by DHCP, run the gate step
# shipped in contrib/ (hwcheck-gate-boot --enforce, the same script the ramdisk integrations
# install), which powers off a node that does not pass; a node that passes would go on to
# deploy here, and this test's simply powers off. Everything goes to the serial console, where the test reads it.
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp /var/spool/hwcheck

say() {
    echo "hwcheck-pxe: $*"
}

finish() {
    say "powering off"
    sync
    poweroff -f
}

for m in e1000 e1000e virtio_pci virtio_net; do
    modprobe "$m" || say "modprobe $m failed"
done

bootif=
for word in $(cat /proc/cmdline); do
    case "$word" in
        BOOTIF=01-*) bootif=$(echo "${word#BOOTIF=01-}" | tr 'A-F-' 'a-f:') ;;
    esac
done

# The NICs appear once their drivers have probed them.
iface=
tries=0
while [ -z "$iface" ] && [ "$tries" -lt 50 ]; do
    for dev in /sys/class/net/*; do
        [ "$(cat "$dev/address" 2>/dev/null)" = "$bootif" ] && iface=${dev##*/}
    done
    [ -n "$iface" ] || { tries=$((tries + 1)); usleep 200000; }
done
if [ -z "$iface" ]; then
    say "no interface has the boot MAC ${bootif:-(no BOOTIF= on the command line)}"
    ls /sys/class/net
    finish
fi

ip link set lo up
ip link set "$iface" up
say "boot interface $iface ($bootif): DHCP"
if ! udhcpc -i "$iface" -s /etc/udhcpc.script -n -q -t 10 -T 2; then
    say "DHCP failed on $iface"
fi

# A node that does not pass is powered off by the gate step itself (--enforce).
/usr/lib/hwcheck/hwcheck-gate-boot --enforce
finish
