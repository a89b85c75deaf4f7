"""`python -m hwcheck` runs the same CLI as the `hwcheck` entry point."""

import sys

from hwcheck.cli import main

sys.exit(main())
