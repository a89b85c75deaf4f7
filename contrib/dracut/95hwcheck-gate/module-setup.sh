#!/bin/bash
# dracut module "hwcheck-gate": hwcheck.pyz and the gate's boot step from /usr/lib/hwcheck,
# python3 with its standard library and extension modules, pci.ids, and a pre-mount hook that
# runs the gate once the network is up (rd.neednet=1 ip=dhcp). Add it with
# `dracut --add hwcheck-gate` or add_dracutmodules+=" hwcheck-gate " (docs/ramdisk.md).

check() {
    [ -r /usr/lib/hwcheck/hwcheck.pyz ] || return 1
    [ -x /usr/lib/hwcheck/hwcheck-gate-boot ] || return 1
    require_binaries python3 || return 1
    # Only when asked for: a ramdisk gates nodes on purpose.
    return 255
}

depends() {
    echo network
}

install() {
    local python stdlib so ids
    inst_simple /usr/lib/hwcheck/hwcheck.pyz
    inst_script /usr/lib/hwcheck/hwcheck-gate-boot
    python=$(readlink -f /usr/bin/python3)
    inst_binary "$python" /usr/bin/python3
    stdlib=$(python3 -I -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
    mkdir -p "${initdir}${stdlib}"
    (
        cd "$stdlib" && tar -cf - \
            --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo \
            --exclude=./ensurepip --exclude=./lib2to3 --exclude=./pydoc_data --exclude=./distutils \
            --exclude=./venv --exclude=./unittest --exclude=./sqlite3 --exclude=./curses \
            --exclude=./dbm --exclude=./site-packages --exclude=./dist-packages \
            --exclude='./config-*' --exclude=./lib-dynload .
    ) | (cd "${initdir}${stdlib}" && tar -xf -)
    for so in "$stdlib"/lib-dynload/*.so; do
        case "${so##*/}" in
            _test* | _xx* | xx* | _ctypes_test* | _curses* | readline* | _dbm* | _gdbm* | _tkinter*) ;;
            *) inst_library "$so" ;;
        esac
    done
    for ids in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
        [ -r "$ids" ] && inst_simple "$ids"
    done
    inst_hook pre-mount 10 "$moddir/hwcheck-gate-hook.sh"
}
