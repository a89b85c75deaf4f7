#!/bin/sh
# dracut pre-mount hook (sourced): with hwcheck.url= on the kernel command line, run the gate
# once the network is up (rd.neednet=1 ip=dhcp, or ip=<iface>:dhcp); a node that does not
# pass is powered off here, before its root file system is mounted.
command -v getarg >/dev/null || . /lib/dracut-lib.sh
if getarg hwcheck.url= >/dev/null; then
    /usr/lib/hwcheck/hwcheck-gate-boot --enforce
fi
