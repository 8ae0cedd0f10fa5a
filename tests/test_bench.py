"""The benchmark's smoke run (what CI runs of bench/run.py): 200 documents, kg against the plain pipeline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.run import STAGES
from tests.conftest import ROOT


@pytest.mark.slow
def test_bench_smoke_run() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    results = json.loads(proc.stdout)
    kg200 = results["kg"]["200"]
    assert kg200["triples"] > 50_000 and list(kg200["stages"]) == list(STAGES.values())
    whole = [s["seconds"] for name, s in kg200["stages"].items() if not name.startswith("RDF: ")]
    assert 0.5 * kg200["total_s"] < sum(whole) <= kg200["total_s"]  # the stages (RDF once) make up the build
    assert results["plain"]["docs"] == 200 and results["plain"]["speedup"] > 5
    assert results["incremental"]["parsed"] == 10
    assert "| **total** |" in proc.stderr or "**total**" in proc.stderr
