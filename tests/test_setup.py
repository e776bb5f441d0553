"""The README's test command on a machine without Chromium: one clear message, no test errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=TESTS.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_chromium_stops_the_run_at_once_with_one_message(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium"
    run = _pytest("tests/test_browser.py", KG_TEST_CHROMIUM=str(missing))
    out = run.stdout + run.stderr
    assert run.returncode == 4, out
    assert f"{missing} is not there" in out
    assert "sudo apt-get install chromium" in out
    assert " error" not in out.lower().replace("no error", "")
    assert "passed" not in out and "failed" not in out


def test_runs_without_browser_tests_do_not_look_for_chromium(tmp_path: Path) -> None:
    run = _pytest("tests/test_progress.py", KG_TEST_CHROMIUM=str(tmp_path / "no-chromium"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "passed" in run.stdout
