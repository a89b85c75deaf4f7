"""The command line's fast path: a subcommand's plain options, parsed without argparse.

Importing argparse costs `re`, `gettext` and `locale`: on the probe path (a PXE hook
probes on every boot) that is a fifth of the whole run. Command lines made only of a
subcommand's exact option names with ordinary values mean the same thing to every
parser, so they are read here. Anything else (help, abbreviations, a repeated option,
`--`, a value that looks like an option, a missing value) returns None and goes to
argparse, which owns the full rules and every error message. A property test holds
this module to argparse's answers.
"""

from __future__ import annotations


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def parse_plain(
    argv: list[str], value_options: tuple[str, ...], flag_options: tuple[str, ...]
) -> dict[str, str | bool | None] | None:
    """`argv` (the words after the subcommand) as argparse would parse it, or None."""
    parsed: dict[str, str | bool | None] = {_dest(o): None for o in value_options}
    parsed.update({_dest(f): False for f in flag_options})
    seen: set[str] = set()
    i = 0
    while i < len(argv):
        word = argv[i]
        value: str | bool
        if word in flag_options:
            option, value = word, True
        else:
            option, equals, value = word.partition("=")
            if option not in value_options:
                return None
            if not equals:
                if i + 1 == len(argv):
                    return None
                i += 1
                value = argv[i]
            if not value or (value[0] == "-" and value != "-"):
                return None
        if option in seen:
            return None
        seen.add(option)
        parsed[_dest(option)] = value
        i += 1
    return parsed
