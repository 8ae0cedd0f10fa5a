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

    def entries(action: str) -> list[tuple[str, dict[str, object], list[str]]]:
        """(where, entry, names) of a merge: or forbid: list, each entry checked for its shape."""
        items = data.get(action) or []
        if not isinstance(items, list):
            raise AliasError(f"{path}: {action}: expected a list of entries (- type: ..., names: [...])")
        out = []
        for i, item in enumerate(items, 1):
            where = f"{action} #{i}"
            if not isinstance(item, dict):
                raise AliasError(f"{path}: {where}: expected an entry with type and names, not {item!r}")
            names = item.get("names")
            if not isinstance(names, list) or len(names) < 2:
                raise AliasError(f"{path}: {where}: give at least two names, as a list")
            out.append((where, item, [str(n) for n in names]))
        return out

    for where, item, names in entries("merge"):
        label = item.get("label")
        aliases.merge.append((kind_of(item.get("type"), where), names, None if label is None else str(label)))
    for where, item, names in entries("forbid"):
        kind = kind_of(item.get("type"), where)
        aliases.forbid += [(kind, a, b) for j, a in enumerate(names) for b in names[j + 1:]]
    return aliases
