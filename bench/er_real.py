"""Entity resolution on real documents: the seeds (the real samples) plus hand-written hard cases, against a
hand-made truth file. Pairwise precision and recall per type, as bench/er_eval.py computes them.

    python bench/er_real.py [--docs FOLDER ...] [--truth FILE]

Every mention (a table row, a Keywords or Themes bullet) is paired with every other mention of its type:
a true pair when the truth names one thing, a predicted pair when kg put them in one node. The truth
(bench/er_cases/truth.json) says what each hard-case form names, written from its meaning; a form it does
not list names itself, up to case and spacing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.er_eval import pair_scores
from kg.model import surface_forms
from kg.pipeline import read_documents
from kg.resolve import resolve

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "er_cases"


def evaluate(folders: list[Path], truth_file: Path) -> dict[str, dict[str, float]]:
    """Per type: precision, recall and pair counts of kg's resolution against the truth file."""
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    docs, _, _ = read_documents(folders)
    res = resolve(docs)
    slugs = res.slugs()
    mentions: dict[str, list[tuple[str, str]]] = {}
    for doc in docs:
        for kind, form in surface_forms(doc):
            named = truth.get(kind, {}).get(form, " ".join(form.split()).casefold())
            mentions.setdefault(kind, []).append((slugs[(kind, form)], named))
    return {kind: pair_scores(m) for kind, m in sorted(mentions.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=Path, nargs="*", default=[ROOT / "seeds", CASES / "docs"])
    ap.add_argument("--truth", type=Path, default=CASES / "truth.json")
    args = ap.parse_args()
    print(json.dumps(evaluate(args.docs, args.truth), indent=2))


if __name__ == "__main__":
    main()
