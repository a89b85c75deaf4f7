"""The compiled-template cache only ever saves time: a corrupt, unwritable or absent cache
gives the same report as a warm one, and never an error."""

import os
import stat
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-intel-x710-i40e.json")


def render(tmp_path, name, **env):
    out = tmp_path / name
    proc = subprocess.run(
        [sys.executable, "-m", "hwcheck", "report", RESULT, "--html", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return out.read_bytes()


def test_html_report_is_the_same_with_a_cold_warm_corrupt_or_unwritable_cache(tmp_path):
    cache = tmp_path / "cache"
    cold = render(tmp_path, "cold.html", XDG_CACHE_HOME=str(cache))
    entries = list((cache / "hwcheck" / "jinja2").iterdir())
    assert entries, "the first render stores the compiled template"
    warm = render(tmp_path, "warm.html", XDG_CACHE_HOME=str(cache))
    for entry in entries:
        entry.write_bytes(os.urandom(64))
    corrupt = render(tmp_path, "corrupt.html", XDG_CACHE_HOME=str(cache))
    (cache / "hwcheck" / "jinja2").chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        readonly = render(tmp_path, "readonly.html", XDG_CACHE_HOME=str(cache))
    finally:
        (cache / "hwcheck" / "jinja2").chmod(stat.S_IRWXU)
    off = render(tmp_path, "off.html", HWCHECK_NO_CACHE="1")
    assert cold == warm == corrupt == readonly == off
