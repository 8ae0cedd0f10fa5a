"""Alias files: an analyst's merges to force and forbid, in YAML or CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import AliasError
from kg.vocab import ENTITY_TYPES

__all__ = ["Aliases", "load_aliases"]


@dataclass
class Aliases:
    """Analyst decisions: groups of names to merge, pairs of names never to merge (per type)."""

    merge: list[tuple[str, list[str], str | None]] = field(default_factory=list)  # (type, names, label)
    forbid: list[tuple[str, str, str]] = field(default_factory=list)  # (type, name, other)


def load_aliases(path: Path) -> Aliases:
    """Read an alias file: YAML (merge:/forbid: lists) or CSV (action,type,name,other[,label])."""
    aliases = Aliases()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AliasError(f"cannot read alias file {path}: {exc.strerror}") from None

    def kind_of(value: object, where: str) -> str:
        k = str(value or "").strip()
        match = next((x for x in ENTITY_TYPES if x.lower() == k.lower().replace(" ", "")), None)
        if match is None:
            raise AliasError(f"{path}: {where}: unknown type {k!r} (one of {', '.join(ENTITY_TYPES)})")
        return match

    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        for i, row in enumerate(rows, 2):
            action = (row.get("action") or "").strip().lower()
            kind = kind_of(row.get("type"), f"line {i}")
            name, other = (row.get("name") or "").strip(), (row.get("other") or "").strip()
            if not name or not other:
                raise AliasError(f"{path}: line {i}: name and other are required")
            if action == "merge":
                aliases.merge.append((kind, [name, other], (row.get("label") or "").strip() or None))
            elif action in ("forbid", "split"):
                aliases.forbid.append((kind, name, other))
            else:
                raise AliasError(f"{path}: line {i}: action must be merge or forbid, not {action!r}")
        return aliases
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise AliasError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"merge", "forbid"}:
        raise AliasError(f"{path}: expected a mapping with 'merge' and/or 'forbid' lists")
    for i, item in enumerate(data.get("merge") or [], 1):
        names = [str(n) for n in (item or {}).get("names") or []]
        if len(names) < 2:
            raise AliasError(f"{path}: merge #{i}: give at least two names")
        aliases.merge.append((kind_of(item.get("type"), f"merge #{i}"), names, item.get("label")))
    for i, item in enumerate(data.get("forbid") or [], 1):
        names = [str(n) for n in (item or {}).get("names") or []]
        if len(names) < 2:
            raise AliasError(f"{path}: forbid #{i}: give at least two names")
        kind = kind_of(item.get("type"), f"forbid #{i}")
        aliases.forbid += [(kind, a, b) for j, a in enumerate(names) for b in names[j + 1:]]
    return aliases
