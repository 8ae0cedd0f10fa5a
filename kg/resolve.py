"""Entity resolution: surface forms across documents -> one node per real thing, with every merge explained.

Within one node type, forms join when (union-find over forms and name keys):
  - their names are the same up to case, spacing, hyphens and punctuation, quotes and diacritics;
  - they differ only in a plural ending of the last word ("Humanoid Robot" / "Humanoid Robots");
  - one is the full form "Expansion (ACR)" and the other its expansion ("Expansion");
  - one is the full form and the other its acronym ("ACR"), when the corpus pairs that acronym with one
    expansion only; an acronym paired with two expansions stays apart and is reported as ambiguous;
  - an alias file forces it ("merge"), and never when an alias file forbids it ("forbid").
Names that differ in a number or version never share a key, so "GPT-4" and "GPT-3" stay apart.

Across types nothing merges: nodes of different types that name the same concept are listed as related,
and Signals, Concerns, Behaviors and Issues are linked to the Technologies their names or descriptions name.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import AliasError
from kg.identity import fold, name_key, slug
from kg.model import DocSummary, Document, Problem, surface_forms

SAME_NAME = "same name (case, spacing, punctuation)"
PLURAL = "singular/plural"
SHORT = "expansion of the full form"
ACRONYM = "acronym of the full form"
ALIAS = "alias file"
_FULL = re.compile(r"^(?P<x>.*\S)\s*\((?P<a>[^()]+)\)\s*$")
_NO_STEM = {"news", "series", "species", "means"}  # plural-looking words whose singular means something else
TEXT_LINK_KINDS = ("Signal", "Concern", "Behavior", "Issue")


@functools.lru_cache(maxsize=1 << 18)
def stem_word(word: str) -> str:
    """A plural English word (or acronym) in the singular; other words unchanged. A naive singular that only
    dropped the s ("Batterie") maps where the plural does ("battery")."""
    if word.endswith("ie") and len(word) > 4:
        return word[:-2] + "y"
    if word in _NO_STEM or len(word) < 3 or word[-1] != "s" or word[-2].isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def stem_key(key: str) -> str:
    """A name key with its last word in the singular."""
    words = key.split(" ")
    words[-1] = stem_word(words[-1])
    return " ".join(words)


def _letters(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalpha())


def acronym_of(acronym: str, expansion: str) -> bool:
    """Whether a parenthesised token reads as an acronym or short name of the expansion: one word whose
    letters (plural s aside) appear in order in the expansion, starting with its first letter."""
    token = acronym.strip()
    if not 2 <= len(token) <= 12 or " " in token:
        return False
    letters = _letters(token)
    if letters.endswith("s") and len(letters) > 2:
        letters = letters[:-1]
    source = _letters(expansion)
    if not letters or not source or letters[0] != source[0]:
        return False
    it = iter(source)
    return all(ch in it for ch in letters)


def split_full(form: str) -> tuple[str, str] | None:
    """(expansion, acronym) of a full form "Expansion (ACR)", else None."""
    m = _FULL.match(form.strip())
    if not m or not acronym_of(m["a"], m["x"]):
        return None
    return m["x"].strip(), m["a"].strip()


@dataclass(slots=True)
class Entity:
    """One node: its type, IRI slug, canonical label and every surface form seen (with counts and the rule
    that joined it to the label)."""

    kind: str
    slug: str
    label: str
    forms: dict[str, int]
    rules: dict[str, str] = field(default_factory=dict)
    concepts: set[str] = field(default_factory=set)  # keys that name its concept, for cross-type links
    names: set[str] = field(default_factory=set)  # lower-case names to find it by: forms, expansions, acronyms

    @property
    def alt_labels(self) -> list[str]:
        return sorted(f for f in self.forms if f != self.label)


@dataclass
class Aliases:
    """Analyst decisions: groups of names to merge, pairs of names never to merge (per type)."""

    merge: list[tuple[str, list[str], str | None]] = field(default_factory=list)  # (type, names, label)
    forbid: list[tuple[str, str, str]] = field(default_factory=list)  # (type, name, other)


def load_aliases(path: Path) -> Aliases:
    """Read an alias file: YAML (merge:/forbid: lists) or CSV (action,type,name,other[,label])."""
    from kg.model import ENTITY_KINDS

    aliases = Aliases()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AliasError(f"cannot read alias file {path}: {exc.strerror}") from None

    def kind_of(value: object, where: str) -> str:
        k = str(value or "").strip()
        match = next((x for x in ENTITY_KINDS if x.lower() == k.lower().replace(" ", "")), None)
        if match is None:
            raise AliasError(f"{path}: {where}: unknown type {k!r} (one of {', '.join(ENTITY_KINDS)})")
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


def choose_label(forms: Counter[str] | dict[str, int]) -> str:
    """The most frequent full form "Expansion (ACR)" if there is one, else the most frequent form; ties go to
    a form with regular spacing, then one with some capitals but not all, then the alphabetically first."""
    full = [f for f in forms if split_full(f)]
    pool = full or list(forms)
    return min(pool, key=lambda f: (-forms[f], f != " ".join(f.split()), f == f.lower(), f.isupper(), f))


class _Union:
    """Union-find over forms and keys, with cannot-link constraints and a log of rule-labelled edges."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.tokens: dict[str, set[int]] = defaultdict(set)  # root -> forbid-pair sides it holds (+i / -i)
        self.edges: list[tuple[str, str, str]] = []
        self.blocked: dict[int, str] = {}  # forbid pair number -> rule of the first union it stopped

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, rule: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        ta, tb = self.tokens.get(ra, set()), self.tokens.get(rb, set())
        clash = [abs(t) for t in ta if -t in tb]
        if clash:
            self.blocked.setdefault(min(clash), rule or SAME_NAME)
            return False
        if ra > rb:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if tb:
            self.tokens[ra] |= self.tokens.pop(rb)
        self.edges.append((a, b, rule))
        return True


@dataclass
class Ambiguity:
    kind: str
    acronym: str
    expansions: list[str]


class Resolution:
    """Lookup from (kind, surface form) to its Entity, plus what resolution decided and why."""

    def __init__(self, entities: Iterable[Entity], ambiguities: list[Ambiguity] | None = None,
                 blocked: list[dict[str, object]] | None = None, unused: list[str] | None = None) -> None:
        self.entities = sorted(entities, key=lambda e: (e.kind, e.slug))
        self.ambiguities = ambiguities or []
        self.blocked = blocked or []
        self.unused_aliases = unused or []
        self.related: list[tuple[Entity, Entity]] = []
        self.mentions: list[tuple[Entity, Entity]] = []
        self._by_form: dict[tuple[str, str], Entity] = {}
        for e in self.entities:
            for f in e.forms:
                self._by_form[(e.kind, f)] = e

    def entity(self, kind: str, surface: str) -> Entity:
        return self._by_form[(kind, surface)]

    def slugs(self) -> dict[tuple[str, str], str]:
        """(type, surface form) -> node slug, for every form."""
        return {key: e.slug for key, e in self._by_form.items()}

    def merges(self) -> dict[str, object]:
        """Every merge with its forms and rules, ambiguous acronyms and blocked merges (for merges.json)."""
        return {
            "entities": [
                {"type": e.kind, "label": e.label, "slug": e.slug,
                 "forms": [{"form": f, "count": e.forms[f], "rule": e.rules.get(f, "canonical label")}
                           for f in sorted(e.forms, key=lambda f: (f != e.label, f))]}
                for e in self.entities if len(e.forms) > 1],
            "ambiguous_acronyms": [{"type": a.kind, "acronym": a.acronym, "expansions": a.expansions}
                                   for a in self.ambiguities],
            "blocked": self.blocked,
            "unused_aliases": self.unused_aliases,
        }


def _explain(label: str, forms: Iterable[str], edges: list[tuple[str, str, str]]) -> dict[str, str]:
    """For each form, the rules on the path that joined it to the label."""
    graph: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b, rule in edges:
        graph[a].append((b, rule))
        graph[b].append((a, rule))
    path: dict[str, list[str]] = {"f:" + label: []}
    todo = deque(["f:" + label])
    while todo:
        node = todo.popleft()
        for nxt, rule in sorted(graph[node]):
            if nxt not in path:
                path[nxt] = path[node] + ([rule] if rule and (not path[node] or path[node][-1] != rule) else [])
                todo.append(nxt)
    out = {}
    for f in forms:
        if f == label:
            continue
        rules = path.get("f:" + f, [])
        out[f] = " + ".join(dict.fromkeys(rules)) or SAME_NAME
    return out


def resolve(docs: Iterable[Document], aliases: Aliases | None = None) -> Resolution:
    """Resolve the names of some documents, with cross-type links and technology mentions (see the module doc)."""
    docs = list(docs)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for kind, form in surface_forms(doc):
            counts[kind][form] += 1
    res = resolve_forms(counts, aliases)
    slugs = res.slugs()
    res.mentions = technology_mentions((t for d in docs for t in mention_texts(d, slugs)), res)
    return res


def resolve_forms(counts: dict[str, Counter[str]], aliases: Aliases | None = None) -> Resolution:
    """Merge the surface forms of each type (with their counts) into entities, and relate types."""
    aliases = aliases or Aliases()
    entities: list[Entity] = []
    ambiguities: list[Ambiguity] = []
    blocked: list[dict[str, object]] = []
    unused: list[str] = []
    for kind in sorted(counts):
        forms = counts[kind]
        uf = _Union()
        by_key: dict[str, list[str]] = defaultdict(list)
        for f in forms:
            by_key[name_key(f)].append(f)

        def matching(name: str, forms: Counter[str] = forms, by_key: dict[str, list[str]] = by_key) -> list[str]:
            return [name] if name in forms else by_key.get(name_key(name), [])

        for i, (k, a, b) in enumerate(aliases.forbid, 1):
            if k != kind:
                continue
            fa, fb = matching(a), matching(b)
            if not fa or not fb:
                unused.append(f"forbid {kind}: {a!r} / {b!r} (not both in the corpus)")
            for f in fa:
                uf.tokens[uf.find("f:" + f)].add(i)
            for f in fb:
                uf.tokens[uf.find("f:" + f)].add(-i)
        for k, names, _ in aliases.merge:
            if k != kind:
                continue
            found = [f for n in names for f in matching(n)]
            if len(found) < 2:
                unused.append(f"merge {kind}: {names!r} (fewer than two in the corpus)")
            for f in found[1:]:
                uf.union("f:" + found[0], "f:" + f, ALIAS)
        for f in sorted(forms):
            key = name_key(f)
            uf.union("f:" + f, "k:" + key, "")  # a form and its name key: "same name" unless other rules apply
            st = stem_key(key)
            if st != key:
                uf.union("k:" + key, "k:" + st, PLURAL)
        full: list[tuple[str, str, str]] = []
        for f in sorted(forms):
            parts = split_full(f)
            if parts:
                x, a = parts
                kx = name_key(x)
                uf.union("f:" + f, "k:" + kx, SHORT)
                if stem_key(kx) != kx:
                    uf.union("k:" + kx, "k:" + stem_key(kx), PLURAL)
                full.append((f, kx, name_key(a)))
        expansions: dict[str, set[str]] = defaultdict(set)
        for _, kx, ak in full:
            expansions[stem_key(ak)].add(uf.find("k:" + kx))
        for f, _, ak in full:
            if len(expansions[stem_key(ak)]) > 1:
                continue
            uf.union("f:" + f, "k:" + ak, ACRONYM)
            if stem_key(ak) != ak:
                uf.union("k:" + ak, "k:" + stem_key(ak), PLURAL)
        for ka, roots in sorted(expansions.items()):
            if len(roots) > 1:
                names = sorted({f for f, _, ak in full if stem_key(ak) == ka})
                ambiguities.append(Ambiguity(kind, ka, names))
        for i, rule in sorted(uf.blocked.items()):
            _, a, b = aliases.forbid[i - 1]
            blocked.append({"type": kind, "forms": sorted([a, b]), "rule": rule,
                            "reason": "forbidden by the alias file"})
        groups: dict[str, list[str]] = defaultdict(list)
        for f in forms:
            groups[uf.find("f:" + f)].append(f)
        members: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for a, b, rule in uf.edges:
            members[uf.find(a)].append((a, b, rule))
        wanted = [str(lbl) for k, _, lbl in aliases.merge if k == kind and lbl]
        for root, group in groups.items():
            sub = {f: forms[f] for f in group}
            label = choose_label(sub)
            label = next((lbl for lbl in wanted if lbl in sub), label)
            concepts = {stem_key(name_key(f)) for f in group}
            lowered = {" ".join(f.split()).lower() for f in group}
            for f in group:
                parts = split_full(f)
                if parts:
                    concepts.add(stem_key(name_key(parts[0])))
                    lowered.add(" ".join(parts[0].split()).lower())
                    if len(expansions[stem_key(name_key(parts[1]))]) == 1:
                        concepts.add(stem_key(name_key(parts[1])))
                        lowered.add(parts[1].lower())
            entities.append(Entity(kind, slug(name_key(label)), label, dict(sorted(sub.items())),
                                   _explain(label, group, members[root]), concepts, lowered))
    res = Resolution(entities, ambiguities, blocked, unused)
    res.related = related_concepts(res.entities)
    return res


def related_concepts(entities: list[Entity]) -> list[tuple[Entity, Entity]]:
    """Pairs of nodes of different types whose names name the same concept (each pair once, sorted)."""
    by_concept: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        for c in e.concepts:
            if len(c) >= 2:
                by_concept[c].append(e)
    pairs: set[tuple[str, str, str, str]] = set()
    index = {(e.kind, e.slug): e for e in entities}
    for group in by_concept.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.kind != b.kind:
                    x, y = sorted([(a.kind, a.slug), (b.kind, b.slug)])
                    pairs.add((*x, *y))
    return [(index[(k1, s1)], index[(k2, s2)]) for k1, s1, k2, s2 in sorted(pairs)]


def mention_texts(doc: Document, slugs: dict[tuple[str, str], str]) -> list[tuple[str, str, str]]:
    """(type, node slug, folded text) of the names and descriptions of a document's signals, concerns,
    behaviors and issues: the text technology_mentions searches."""
    out = []
    for row in doc.rows:
        if row.kind in TEXT_LINK_KINDS:
            s = slugs[(row.kind, row.name)]
            out.append((row.kind, s, fold(row.name)))
            if row.description:
                out.append((row.kind, s, fold(row.description)))
    return out


class MentionMatcher:
    """Finds the Technologies that Signals, Concerns, Behaviors and Issues name in their names or in the
    descriptions articles give them (texts from mention_texts, fed document by document). Technology names are
    matched as whole words on folded text, in the singular or plural; one-word names shorter than three
    letters are too ambiguous to match, and a name two technologies share matches neither."""

    def __init__(self, res: Resolution, max_words: int = 8) -> None:
        self.res = res
        self.max_words = max_words
        self.keys: dict[str, set[str]] = defaultdict(set)  # concept key -> technology slugs
        for e in res.entities:
            if e.kind != "Technology":
                continue
            for c in e.concepts:
                words = c.split(" ")
                if len(words) == 1 and len(c) < 3 and not any(ch.isdigit() for ch in c):
                    continue
                if len(words) <= max_words:
                    self.keys[c].add(e.slug)
        self.firsts = {c.split(" ", 1)[0] for c in self.keys} | {stem_word(c.split(" ", 1)[0]) for c in self.keys}
        self.found: set[tuple[str, str, str]] = set()

    def feed(self, texts: Iterable[tuple[str, str, str]]) -> None:
        if not self.keys:
            return
        keys, firsts, max_words = self.keys, self.firsts, self.max_words
        for kind, s, text in texts:
            words = text.split(" ")
            for i, w in enumerate(words):
                if w not in firsts and stem_word(w) not in firsts:
                    continue
                for n in range(1, min(max_words, len(words) - i) + 1):
                    gram = words[i:i + n]
                    gram[-1] = stem_word(gram[-1])
                    hit = keys.get(" ".join(gram))
                    if hit and len(hit) == 1:
                        self.found.add((kind, s, next(iter(hit))))

    def pairs(self) -> list[tuple[Entity, Entity]]:
        """(entity, technology) pairs found so far, sorted."""
        index = {(e.kind, e.slug): e for e in self.res.entities}
        return [(index[(k, s)], index[("Technology", t)]) for k, s, t in sorted(self.found)]


def technology_mentions(texts: Iterable[tuple[str, str, str]], res: Resolution) -> list[tuple[Entity, Entity]]:
    """(entity, technology) pairs in some texts (see MentionMatcher)."""
    matcher = MentionMatcher(res)
    matcher.feed(texts)
    return matcher.pairs()


@dataclass(slots=True)
class ArticleIds:
    """Which Article each document id is, after merging copies of one article."""

    canonical: dict[str, str]  # doc id -> article id
    problems: list[Problem]
    groups: list[dict[str, Any]] = field(default_factory=list)


def _url_key(url: str) -> str:
    url = url.strip()
    if "?" in url:  # tracking parameters do not make another article
        base, _, query = url.partition("?")
        kept = [p for p in query.split("&") if p and not p.lower().startswith("utm_")]
        url = base + ("?" + "&".join(kept) if kept else "")
    return url.rstrip("/").lower()


def resolve_articles(docs: Iterable[Document | DocSummary]) -> ArticleIds:
    """One Article per external URL, and per (title, date): copies saved under two ids share the first id."""
    docs = sorted(docs, key=lambda d: d.doc_id)
    parent = {d.doc_id: d.doc_id for d in docs}
    reason: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    def join(group: list[Document | DocSummary], why: str) -> None:
        for d in group[1:]:
            a, b = find(group[0].doc_id), find(d.doc_id)
            if a != b:
                parent[max(a, b)] = min(a, b)
                reason.setdefault(d.doc_id, why)

    by_url: dict[str, list[Document | DocSummary]] = defaultdict(list)
    by_title: dict[tuple[str, str], list[Document | DocSummary]] = defaultdict(list)
    for d in docs:
        if d.external_url:
            by_url[_url_key(d.external_url)].append(d)
        if d.title and not d.title_is_id and d.date:
            by_title[(fold(d.title), d.date)].append(d)
    for group in by_url.values():
        join(group, "same external URL")
    for group in by_title.values():
        join(group, "same title and date")
    canonical = {d.doc_id: find(d.doc_id) for d in docs}
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, root in canonical.items():
        members[root].append(doc_id)
    problems = []
    groups = []
    for d in docs:
        root = canonical[d.doc_id]
        if root != d.doc_id:
            why = reason.get(d.doc_id, "same article")
            problems.append(Problem(d.path, d.external_line or d.title_line, "same-article",
                                    f"{why} as document {root}; merged into one Article"))
    for root, ids in sorted(members.items()):
        if len(ids) > 1:
            groups.append({"article": root, "ids": sorted(ids),
                           "rules": sorted({reason.get(i, "") for i in ids} - {""})})
    return ArticleIds(canonical, problems, groups)
