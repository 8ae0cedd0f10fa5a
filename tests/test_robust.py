"""Robustness: nothing lost (kg check), bad and huge inputs, strict mode, locks, and builds killed mid-way."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

import kg.pipeline as pipeline
import kg.pipeline.parse_pass as parse_pass
from bench.common import MAKE_CORPUS
from kg.check import check
from kg.cli import main
from kg.errors import BuildLocked, SourceError
from kg.outputs import OutputDir
from kg.pipeline import build
from tests.conftest import SEEDS, write_docs

SEED = (SEEDS / "000_61f95d86ecc6b6dd.txt").read_text(encoding="utf-8")


def make_corpus(folder: Path, docs: int, faults: float = 0.0, seed: int = 7) -> Path:
    truth = folder.parent / f"{folder.name}.truth.jsonl"
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(folder), "--docs", str(docs), "--faults", str(faults),
                    "--seed", str(seed), "--truth", str(truth)], check=True)
    return truth


# ---------------------------------------------------------------- the loss checker


def test_check_finds_no_loss_in_the_seeds(seeds_build: tuple[Path, pipeline.BuildResult]) -> None:
    out, _ = seeds_build
    result = CliRunner().invoke(main, ["check", str(SEEDS), "--graph", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 lost silently" in result.output
    numbers = check([SEEDS], out)
    assert numbers.documents == 14 and numbers.found > 1000 and numbers.reported > 0  # exploded lists, etc.


def test_check_catches_a_silent_loss(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "src", {"a.md": SEED})
    out = tmp_path / "out"
    build([src], out)
    assert check([src], out).ok
    edited = SEED.replace("* benchmarks\n", "* benchmarks\n* a keyword the graph never saw\n")
    (src / "a.md").write_text(edited, encoding="utf-8")
    result = check([src], out)
    assert not result.ok
    assert [(loss.line, loss.atom) for loss in result.losses] == [(13, "a keyword the graph never saw")]
    cli = CliRunner().invoke(main, ["check", str(src), "--graph", str(out)])
    assert cli.exit_code == 1 and "lost: src/a.md:13: 'a keyword the graph never saw'" in cli.output


def test_check_reads_section_aliases_as_the_parser_does(tmp_path: Path) -> None:
    """`## Tags` is an alias of Keywords in kg/format.toml: the parser reads it and the checker must not call
    the heading, or a pandas table with a bare pipe, a loss."""
    text = SEED.replace("## Keywords", "## Tags").replace("## Themes", "## Topics")
    src = write_docs(tmp_path / "src", {"a.md": text})
    out = tmp_path / "out"
    build([src], out)
    result = check([src], out)
    assert result.ok, result.losses
    assert not any(p["code"] == "unknown-section" for p in
                   json.loads((out / "report.json").read_text())["problems"])


def _tables_without_outer_pipes(text: str) -> str:
    return "\n".join(line.strip().strip("|") if line.startswith("|") else line for line in text.split("\n"))


def _relevancies(text: str, write: Callable[[str], str]) -> str:
    return re.sub(r"(?m)^(\|.*\|\s*)([1-5])(\s*\|)\s*$", lambda m: m[1] + write(m[2]) + m[3], text)


def test_check_reads_what_the_parser_reads_in_other_forms(tmp_path: Path) -> None:
    """Tables without outer pipes, headings in bold or with a colon, relevancy as `4.0` or `4/5`, and an
    article saved twice (its rows asserted once, in the first copy's graph): read by the parser, so the
    checker finds every piece, and a piece the graph lacks is still a loss."""
    second = SEED.replace("## Signals", "**Signals**").replace("## Concerns", "Concerns:")
    docs = {"a.md": _tables_without_outer_pipes(SEED), "b.md": _relevancies(second, lambda d: d + ".0"),
            "c.md": _relevancies(second, lambda d: d + "/5")}
    src = write_docs(tmp_path / "src", docs)
    out = tmp_path / "out"
    result = build([src], out)
    assert result.built == 3 and result.nodes["Signal"] == 5
    verdict = check([src], out)
    assert verdict.ok, verdict.losses[:5]
    assert verdict.documents == 3 and verdict.found > 300
    (src / "c.md").write_text(docs["c.md"].replace("* benchmarks\n", "* benchmarks\n* never seen\n"))
    assert [loss.atom for loss in check([src], out).losses] == ["never seen"]


FAULT_CODES = {"mojibake": {"mojibake"}, "crlf": {"line-endings"}, "bom": {"bom"},
               "odd_relevancy": {"relevancy"}, "no_page_link": {"no-page-link"}, "unknown_section": {"unknown-section"},
               "malformed_row": {"short-row"}, "duplicate_row": {"duplicate-row", "repeated-header"}}


def test_faulty_corpus_is_built_or_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    truth = make_corpus(tmp_path / "faulty", 300, faults=0.3)
    out = tmp_path / "out"
    result = build([tmp_path / "faulty"], out)
    assert result.read == 300 and result.built + len(result.skipped) == 300
    assert all(s.reason for s in result.skipped)
    by_file: dict[str, set[str]] = {}
    for p in result.problems:
        by_file.setdefault(Path(p.file).name, set()).add(p.code)
    seen_faults = set()
    for line in truth.read_text().splitlines():
        record = json.loads(line)
        fault = record["fault"]
        if fault in FAULT_CODES:
            seen_faults.add(fault)
            assert by_file.get(record["file"], set()) & FAULT_CODES[fault], (record["file"], fault)
    assert len(seen_faults) >= 6
    verdict = check([tmp_path / "faulty"], out)
    assert verdict.ok, verdict.losses[:5]
    assert verdict.documents == result.built and verdict.found > 30_000


# ---------------------------------------------------------------- worse than the generator makes


@pytest.mark.slow
def test_worst_cases_build_and_are_reported(tmp_path: Path) -> None:
    para = "Small language models keep growing in business use, café and naïve résumé included. " * 10
    lines = "\n".join(para for _ in range(50_000_000 // len(para)))
    rows = "\n".join(f"| Tech number {i} | description of tech {i} | {i % 5 + 1} |" for i in range(100_000))
    src = write_docs(tmp_path / "src", {
        "big50mb.md": SEED.replace("## Summary\n", "## Summary\n\n" + lines + "\n", 1).replace(
            "emergence-small-language-models", "big"),
        "line10mb.md": SEED.replace("## Summary\n", "## Summary\n\n" + "word café " * 1_000_000 + "\n", 1),
        "table100k.md": ("# __Huge table__, (from page [20240101](https://x.test/p/20240101).)\n\n## Technologies\n\n"
                         "| name | description | relevancy |\n|---|---|---|\n" + rows + "\n"),
        "binary.md": os.urandom(200_000),
    })
    assert (src / "big50mb.md").stat().st_size > 50_000_000
    (src / "loop" / "inner").mkdir(parents=True)
    (src / "loop" / "inner" / "back").symlink_to("../..")
    out = tmp_path / "out"
    result = build([src], out)
    assert result.built == 3
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["src/binary.md"].startswith("binary file")
    assert "symlink loop" in reasons["src/loop/inner/back"]
    assert result.nodes["Technology"] >= 100_000
    assert {p.code for p in result.problems if p.file == "src/big50mb.md"} >= {"long-text"}
    store = pyoxigraph.Store()
    store.bulk_load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)  # every token fits a parser
    total = sum(len(q.object.value) for q in store.quads_for_pattern(
        None, pyoxigraph.NamedNode("http://purl.org/dc/terms/abstract"), None, None))
    total += sum(len(q.object.value) for q in store.quads_for_pattern(
        None, pyoxigraph.NamedNode("https://w3id.org/signals-kg/ontology#content"), None, None))
    assert total > 60_000_000  # both long summaries are whole, in pieces


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_docs(tmp_path / "src", {"good.md": SEED, "locked.md": SEED.replace("nocode.ai", "other.test")})
    real = parse_pass.read_file

    def refuse(path: Path, attempts: int = 3) -> tuple[bytes, os.stat_result]:
        if path.name == "locked.md":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, attempts)

    monkeypatch.setattr(parse_pass, "read_file", refuse)
    result = build([src], tmp_path / "out", cache=False)
    assert result.built == 1
    assert [(s.path, s.reason) for s in result.skipped] == [("src/locked.md", "unreadable: Permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_permissions(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "src", {"good.md": SEED, "locked.md": SEED})
    (src / "locked.md").chmod(0)
    result = build([src], tmp_path / "out", cache=False)
    assert [s.path for s in result.skipped] == ["src/locked.md"]


def test_a_file_that_changes_while_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_docs(tmp_path / "src", {"steady.md": SEED, "moving.md": SEED.replace("nocode.ai", "x.test")})
    real_stat = os.stat
    ticks = {"n": 0}

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        st = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if str(path).endswith("moving.md"):  # someone keeps writing it: its mtime moves on every look
            ticks["n"] += 1
            return os.stat_result((*st[:8], st.st_mtime + ticks["n"], st.st_ctime),
                                  {"st_mtime_ns": st.st_mtime_ns + ticks["n"]})
        return st

    monkeypatch.setattr(parse_pass.os, "stat", stat)
    result = build([src], tmp_path / "out", cache=False)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("src/moving.md", "unreadable: the file kept changing while it was read (3 attempts)")]
    assert result.built == 1


def test_a_file_that_changes_once_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(SEED, encoding="utf-8")
    calls = {"n": 0}
    real_open = open

    def opener(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:  # the first read races a writer that appends a line
            with real_open(path, "a", encoding="utf-8") as fh:
                fh.write("\n## Notes\n\nappended while read\n")
        return real_open(*args, **kwargs)  # type: ignore[call-overload]

    import builtins

    original = builtins.open
    builtins.open = opener  # type: ignore[assignment]
    try:
        data, _ = parse_pass.read_file(path)
    finally:
        builtins.open = original
    assert data.decode("utf-8").endswith("appended while read\n") and calls["n"] == 2


# ---------------------------------------------------------------- strict mode and locks


def test_strict_fails_on_warnings_and_keeps_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    clean = write_docs(tmp_path / "clean", {"a.md": (SEEDS / "291a9b422929106e96db914ff5d60401.md").read_text()})
    ok = CliRunner().invoke(main, ["build", str(clean), "--out", str(out), "--strict", "-q"])
    assert ok.exit_code == 0, ok.output
    before = (out / "graph.ttl").read_bytes()
    bad = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "--strict", "-q"])
    assert bad.exit_code == 1
    assert "--strict: 1 skipped, 17 warnings; outputs left unchanged" in bad.output
    assert "seeds/000_61f95d86ecc6b6dd.txt:50: mojibake" in bad.output
    assert (out / "graph.ttl").read_bytes() == before
    lenient = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "-q"])
    assert lenient.exit_code == 0


def test_a_second_build_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputDir(out).locked():
        with pytest.raises(BuildLocked, match="another build is writing to"):
            build([SEEDS], out)
        cli = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "-q"])
        assert cli.exit_code == 1 and f"another build is writing to {out} (pid {os.getpid()})" in cli.output
    assert build([SEEDS], out).built == 14  # the lock is free again


# ---------------------------------------------------------------- killed builds


def _kill_when(out: Path, src: Path, marker: str) -> str:
    """Start `kg build src --out out`, SIGKILL its whole process group when stderr shows marker."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--no-cache"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True,
                            env=env)
    seen = ""
    assert proc.stderr is not None
    for line in proc.stderr:
        seen += line
        if marker in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(60)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("marker", ["reading and parsing:", "making RDF:", "analytics ...", "writing outputs ..."])
def test_a_killed_build_leaves_the_previous_outputs(tmp_path: Path, marker: str) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 700, seed=11)
    out = tmp_path / "out"
    build([SEEDS], out)
    before = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.trig", "report.json", "graph.html")}
    seen = _kill_when(out, corpus, marker)
    assert marker in seen
    for name, data in before.items():
        assert (out / name).read_bytes() == data, name
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)  # complete and readable
    assert json.loads((out / "report.json").read_text())["documents"]["built"] == 14
    result = build([corpus], out)  # the next build takes over, and cleans what the killed one left
    assert result.built == 700
    kept = sorted(p.resolve() for p in (out / ".kg" / "builds").iterdir())  # the live build and the one before
    assert kept == sorted({(out / ".kg" / name).resolve() for name in ("current", "previous")})


def test_kill_during_the_switch_never_exposes_a_mix(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SEEDS], out)
    first = (out / ".kg" / "current").resolve()
    build([SEEDS], out)
    second = (out / ".kg" / "current").resolve()
    assert first != second and (out / ".kg" / "previous").resolve() == first  # one rename; the old build kept
    build([SEEDS], out)
    assert not first.exists() and (out / ".kg" / "previous").resolve() == second  # the one before it swept
    third = (out / ".kg" / "current").resolve()
    for name in ("graph.ttl", "graph.trig", "report.json", "graph.html", "merges.json", "snapshot.json"):
        assert (out / name).is_symlink() and (out / name).resolve().parent == third


def test_an_output_folder_inside_the_sources_is_not_read(tmp_path: Path) -> None:
    """`kg build corpus --out corpus/outputs`: the second build reads the documents, not the first build's
    files nor a Markdown report written beside them; kg check agrees."""
    src = write_docs(tmp_path / "corpus", {"a.md": SEED})
    out = src / "outputs"
    first = build([src], out)
    assert CliRunner().invoke(main, ["report", "--graph", str(out), "--format", "md"]).exit_code == 0
    assert (out / "report.md").exists()
    second = build([src], out)
    assert (first.read, first.built, second.read, second.built) == (1, 1, 1, 1) and not second.skipped
    assert check([src], out).ok


def test_the_output_folder_may_not_be_a_source_nor_a_file(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "corpus", {"a.md": SEED})
    with pytest.raises(SourceError, match="both a source and the output folder"):
        build([src], src)
    assert sorted(p.name for p in src.iterdir()) == ["a.md"]  # nothing written there
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "file"), "-q"])
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
