"""End-to-end benchmark: kg build on generated corpora, per stage (wall seconds, peak memory), against the plain
rdflib + networkx + pyvis pipeline (bench/plain.py) on the 1k corpus in the same run, and an incremental build.

    python bench/run.py                     # 1k, 10k and 100k documents, 3 runs each (median)
    python bench/run.py --sizes 1000 10000 --runs 3
    python bench/run.py --smoke             # CI: 200 documents, one run, plain pipeline on the same corpus

Corpora come from ../shared/tools/make_corpus.py and are cached under bench/.corpora. Each kg build runs in a
fresh process without a cache (a cold build); memory is the peak of the summed RSS of that process and its
workers, sampled every 50 ms, per stage. The incremental run adds 10 new documents to a built copy of the
10k corpus (or the largest size run) and builds again with the cache. Results: a table on stderr, JSON on
stdout (and bench/results/run.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HERE, corpus

STAGES = {"parse": "read+parse", "rdf.resolve": "RDF: resolution", "rdf.emit": "RDF: emission",
          "rdf": "RDF (in all)", "analytics": "analytics (trends beside it)", "trends": "trends (waited for)",
          "html": "HTML (tallies and files beside it)", "files": "tallies and files (waited for)",
          "commit": "switch-in"}

# Runs one kg build in a fresh interpreter, sampling the RSS of the process tree, and prints JSON.
_RUNNER = textwrap.dedent("""
    import json, os, sys, threading, time
    from pathlib import Path
    from bench.common import tree_rss
    from kg.pipeline import build

    stage = ["parse"]
    peaks = {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss = tree_rss(os.getpid())
            peaks[stage[0]] = max(peaks.get(stage[0], 0), rss)
            time.sleep(0.05)

    names = {"parse": "parse", "emit": "rdf", "analytics": "analytics", "write": "html", "html": "html"}
    def progress(s, i, n):
        stage[0] = names.get(s, s)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t = time.perf_counter()
    r = build([Path(sys.argv[1])], Path(sys.argv[2]), progress=progress, cache=sys.argv[3] == "cache")
    total = time.perf_counter() - t
    done.set(); thread.join()
    print(json.dumps({"timings": r.timings, "total": total, "peak_rss": peaks, "triples": r.triples,
                      "built": r.built, "parsed": r.parsed, "emitted": r.emitted}))
""")


def run_kg(src: Path, out: Path, cache: bool = False) -> dict:
    proc = subprocess.run([sys.executable, "-c", _RUNNER, str(src), str(out), "cache" if cache else "none"],
                          capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_plain(src: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)  # pyvis copies its lib/ folder into the working directory
    proc = subprocess.run([sys.executable, str(HERE / "plain.py"), str(src), str(out)], capture_output=True,
                          text=True, check=True, cwd=out)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarize(runs: list[dict]) -> dict:
    totals = [r["total"] for r in runs]
    stages = {}
    for key, name in STAGES.items():
        values = [r["timings"].get(key, 0.0) for r in runs]
        peak = max(r["peak_rss"].get(key, 0) for r in runs)
        stages[name] = {"seconds": round(statistics.median(values), 2), "peak_mb": round(peak / 2**20)}
    peak_all = max(max(r["peak_rss"].values(), default=0) for r in runs)
    return {"runs": len(runs), "total_s": round(statistics.median(totals), 2),
            "total_min_s": round(min(totals), 2), "total_max_s": round(max(totals), 2),
            "peak_mb": round(peak_all / 2**20), "stages": stages, "triples": runs[0]["triples"]}


def incremental(src: Path, work: Path, extra: Path) -> dict:
    """Build a copy of src with the cache, add 10 documents from `extra`, build again."""
    copy = work / "inc-src"
    shutil.copytree(src, copy, copy_function=lambda a, b: shutil.copy2(a, b))
    out = work / "inc-out"
    first = run_kg(copy, out, cache=True)
    for path in sorted(extra.iterdir())[:10]:
        shutil.copy2(path, copy / f"added_{path.name}")
    second = run_kg(copy, out, cache=True)
    return {"full_s": round(first["total"], 2), "incremental_s": round(second["total"], 2),
            "ratio": round(second["total"] / first["total"], 3), "parsed": second["parsed"],
            "emitted": second["emitted"], "incremental_stages": {STAGES.get(k, k): round(v, 2)
                                                                  for k, v in second["timings"].items()},
            "full_stages": {STAGES.get(k, k): round(v, 2) for k, v in first["timings"].items()}}


def table(results: dict) -> str:
    lines = ["| documents | stage | seconds (median) | peak memory (MB) |", "|---:|---|---:|---:|"]
    for size, r in results["kg"].items():
        for name, s in r["stages"].items():
            peak = f"{s['peak_mb']:,}" if s["peak_mb"] else "–"  # sampled per progress stage: not for all
            lines.append(f"| {int(size):,} | {name} | {s['seconds']:.2f} | {peak} |")
        lines.append(f"| {int(size):,} | **total** | **{r['total_s']:.2f}** ({r['total_min_s']:.2f}-"
                     f"{r['total_max_s']:.2f}) | **{r['peak_mb']:,}** |")
    if "plain" in results:
        p = results["plain"]
        lines.append("")
        lines.append(f"Plain rdflib + networkx + pyvis pipeline on {p['docs']:,} documents: {p['total_s']:.1f} s "
                     f"({', '.join(f'{k} {v:.1f} s' for k, v in p['stages'].items())}); "
                     f"kg: {p['kg_total_s']:.2f} s; **{p['speedup']:.0f}x faster**.")
    if "incremental" in results:
        i = results["incremental"]
        lines += ["", f"Adding 10 documents to the built {i['docs']:,} (with the cache): "
                  f"**{i['incremental_s']:.2f} s** against {i['full_s']:.2f} s for the full build with the cache "
                  f"({100 * i['ratio']:.0f}%); "
                  f"{i['parsed']} parsed, {i['emitted']} emitted. Per stage:", "",
                  "| stage | full build (s) | +10 documents (s) |", "|---|---:|---:|"]
        for stage in dict.fromkeys([*i["full_stages"], *i["incremental_stages"]]):
            lines.append(f"| {stage} | {i['full_stages'].get(stage, 0.0):.2f} | "
                         f"{i['incremental_stages'].get(stage, 0.0):.2f} |")
    return "\n".join(lines)


README_START, README_END = "<!-- bench/run.py: start -->", "<!-- bench/run.py: end -->"


def write_readme(text: str, readme: Path = HERE.parent / "README.md") -> None:
    """Put the table between the README's bench markers."""
    page = readme.read_text(encoding="utf-8")
    start, end = page.index(README_START) + len(README_START), page.index(README_END)
    readme.write_text(page[:start] + "\n" + text + "\n" + page[end:], encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="200 documents, one run (what CI runs)")
    ap.add_argument("--no-plain", action="store_true", help="skip the plain pipeline")
    ap.add_argument("--no-incremental", action="store_true")
    ap.add_argument("--readme", action="store_true", help="write the table into README.md")
    ap.add_argument("--out", help="file under bench/results (default run.json; run-smoke.json with --smoke)")
    args = ap.parse_args()
    if args.smoke:
        args.sizes, args.runs = [200], 1
    results: dict = {"kg": {}, "machine": {"cpus": __import__("os").cpu_count()}}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            src, _ = corpus(size)
            runs = []
            for i in range(args.runs):
                out = work / f"out-{size}-{i}"
                runs.append(run_kg(src, out))
                shutil.rmtree(out, ignore_errors=True)
                print(f"kg {size:,} docs run {i + 1}: {runs[-1]['total']:.2f} s", file=sys.stderr)
            results["kg"][str(size)] = summarize(runs)
        if not args.no_plain:
            size = min(args.sizes) if args.smoke else (1000 if 1000 in args.sizes else min(args.sizes))
            src, _ = corpus(size)
            t = time.perf_counter()
            plain = run_plain(src, work / "plain")
            print(f"plain {size:,} docs: {time.perf_counter() - t:.1f} s", file=sys.stderr)
            ours = results["kg"][str(size)]["total_s"]
            results["plain"] = {"docs": size, "total_s": round(plain["total"], 2),
                                "stages": {k: round(v, 2) for k, v in plain.items() if k != "total"},
                                "kg_total_s": ours, "speedup": round(plain["total"] / ours, 1)}
        if not args.no_incremental:
            size = 10000 if 10000 in args.sizes else max(args.sizes)
            extra, _ = corpus(200, seed=99)
            results["incremental"] = {"docs": size, **incremental(corpus(size)[0], work, extra)}
    text = table(results)
    print(text, file=sys.stderr)
    if args.readme:
        write_readme(text)
    (HERE / "results").mkdir(exist_ok=True)
    name = args.out or ("run-smoke.json" if args.smoke else "run.json")  # a smoke run keeps the real figures
    (HERE / "results" / name).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
