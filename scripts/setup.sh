#!/usr/bin/env bash
# Set up hwcheck on a Debian 12 machine: the Debian packages the probe uses when present,
# a virtual environment in .venv with hwcheck installed (editable), and byte-compiled sources.
#   bash scripts/setup.sh          runtime only
#   bash scripts/setup.sh --serve  also the collector's stack (hwcheck serve, fleet --store)
#   bash scripts/setup.sh --test   also the test tools and the Debian packages the tests use
#                                  (the collector's stack included)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_serve=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --serve) want_serve=1 ;;
    *) echo "setup: unknown option $arg (use --serve and/or --test)" >&2; exit 2 ;;
  esac
done

debs=(python3 python3-venv lshw ethtool pciutils pci.ids iproute2 libudev1)
# The tests also need: a browser, sshd per namespace (Ansible), PostgreSQL (the collector's
# store), and QEMU with iPXE ROMs, busybox and socat (the PXE boot test).
[ "$want_test" = 1 ] && debs+=(chromium openssh-server sudo postgresql qemu-system-x86 ipxe-qemu busybox-static socat cpio)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: not root or no apt-get; these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: hwcheck still runs without lshw/ethtool/pci.ids and records what it could not read" >&2
  fi
fi

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
extra=""
[ "$want_serve" = 1 ] && extra="[serve]"
[ "$want_test" = 1 ] && extra="[test,serve,ironic]"  # ironic: the IPA plug-ins' tests
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
# Byte-compile what we import: with PYTHONDONTWRITEBYTECODE set, nothing else would,
# and every start would pay for compiling the sources again.
.venv/bin/python -m compileall -q -j 0 hwcheck .venv/lib >/dev/null || true
# Parse the shipped profiles once, so the first check does not pay for importing PyYAML
# (a ramdisk image should do the same when it is built).
.venv/bin/hwcheck profile list >/dev/null 2>&1 || true
echo "setup: ready (.venv/bin/hwcheck)"
