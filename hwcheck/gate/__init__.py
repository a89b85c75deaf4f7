"""`hwcheck gate`, the ramdisk client: probe, post to the collector, print, gate the boot.

Standard library only and Python 3.9+ (a ramdisk's python3, run as `python3 -I
hwcheck.pyz gate`): vermin checks it in CI. The modules:
- config: where the collector is and how to reach it, from flags, environment and the
  kernel command line (`hwcheck.url=...`);
- client: one HTTP/1.1 POST of the gzip inventory, retried with backoff until a deadline;
- spool: submissions that could not be delivered, written atomically, re-sent first later;
- console: the verdict, large and plain, for an 80-column serial console.
The verdict is the collector's; when it cannot be reached, hwcheck.cli.gate judges locally
(Python 3.11+, the one judge) and says that the collector did not confirm it.
"""
