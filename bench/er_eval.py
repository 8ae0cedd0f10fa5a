"""Entity-resolution quality against make_corpus.py's truth file: pairwise precision and recall per type.

    python bench/er_eval.py [--docs 2000] [--seed 7] [--aliases FILE]

Every truth row is one mention (a table row or a Themes bullet, with the surface form the document wrote and
the canonical name of what it means). Two mentions of one type are a true pair when their canonical names are
equal, and a predicted pair when resolution put them in one node. Precision = true predicted pairs / predicted
pairs; recall = true predicted pairs / true pairs. "before" is exact-string identity; "after" is kg's resolution.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import corpus
from kg.aliases import load_aliases
from kg.pipeline import read_documents
from kg.resolve import resolve

SECTION_KIND = {"Technologies": "Technology", "Themes": "Theme", "Signals": "Signal", "Concerns": "Concern",
                "Behaviors": "Behavior", "Issues": "Issue"}


def pair_scores(mentions: list[tuple[str, str]]) -> dict[str, float]:
    """Pairwise precision/recall of (predicted id, true id) assignments."""
    cells = Counter(mentions)
    pred = Counter(p for p, _ in mentions)
    true = Counter(t for _, t in mentions)
    tp = sum(comb(n, 2) for n in cells.values())
    pp = sum(comb(n, 2) for n in pred.values())
    tt = sum(comb(n, 2) for n in true.values())
    return {"precision": round(tp / pp, 4) if pp else 1.0, "recall": round(tp / tt, 4) if tt else 1.0,
            "true_pairs": tt, "predicted_pairs": pp, "mentions": len(mentions)}


def evaluate(folder: Path, truth: Path, aliases: Path | None = None) -> dict[str, dict[str, dict[str, float]]]:
    docs, skipped, _ = read_documents([folder])
    res = resolve(docs, load_aliases(aliases) if aliases else None)
    by_file = {Path(d.path).name: d for d in docs}
    before: dict[str, list[tuple[str, str]]] = defaultdict(list)
    after: dict[str, list[tuple[str, str]]] = defaultdict(list)
    missing = 0
    for line in truth.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["file"] not in by_file:
            missing += len(record["rows"])
            continue
        for row in record["rows"]:
            kind = SECTION_KIND[row["section"]]
            try:
                entity = res.entity(kind, row["name"])
            except KeyError:
                missing += 1
                continue
            before[kind].append((row["name"], row["canonical"]))
            after[kind].append((entity.slug, row["canonical"]))
    out = {kind: {"before": pair_scores(before[kind]), "after": pair_scores(after[kind])} for kind in sorted(after)}
    out["_"] = {"documents": {"built": len(docs), "skipped": len(skipped)}, "mentions_not_found": missing}  # type: ignore[dict-item]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--faults", type=float, default=0.0)
    ap.add_argument("--aliases", type=Path)
    args = ap.parse_args()
    folder, truth = corpus(args.docs, args.faults, args.seed)
    scores = evaluate(folder, truth, args.aliases)
    print(f"{'type':12s} {'before P':>9s} {'before R':>9s} {'after P':>9s} {'after R':>9s}", file=sys.stderr)
    for kind, s in scores.items():
        if kind != "_":
            b, a = s["before"], s["after"]
            print(f"{kind:12s} {b['precision']:9.4f} {b['recall']:9.4f} {a['precision']:9.4f} {a['recall']:9.4f}",
                  file=sys.stderr)
    print(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
