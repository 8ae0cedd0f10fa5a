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

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kg.aliases import Aliases
from kg.formats import is_placeholder
from kg.identity import name_key, slug
from kg.model import Document, surface_forms
from kg.names import clean_label, content_keys, initials_expansion, split_full, stem_key

__all__ = [
    "ACRONYM",
    "ALIAS",
    "PLURAL",
    "SAME_NAME",
    "SHORT",
    "TEXT_LINK_KINDS",
    "Ambiguity",
    "Entity",
    "KindResolution",
    "Resolution",
    "assemble",
    "choose_label",
    "corpus_acronyms",
    "identity_key",
    "identity_slug",
    "related_concepts",
    "resolve",
    "resolve_forms",
    "resolve_kinds",
]

SAME_NAME = "same name (case, spacing, punctuation)"
PLURAL = "singular/plural"
SHORT = "expansion of the full form"
ACRONYM = "acronym of the full form"
ALIAS = "alias file"
WORD_FORMS = "same content words (word forms, order)"
CORPUS_ACRONYM = "acronym paired in the corpus"
TEXT_LINK_KINDS = ("Signal", "Concern", "Behavior", "Issue")


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
    retired: list[str] = field(default_factory=list)  # slugs of its other identity keys (see identity_slug)

    @property
    def alt_labels(self) -> list[str]:
        """The node's other surface forms, sorted."""
        return sorted(f for f in self.forms if f != self.label)


def _shouting(form: str, forms: Counter[str] | dict[str, int]) -> bool:
    """An all-capitals form longer than an acronym, where another form is written in ordinary case."""
    letters = [c for c in form if c.isalpha()]
    return (len(letters) > 5 and form.isupper() and " " in form.strip()
            and any(not f.isupper() for f in forms if f != form))


def choose_label(forms: Counter[str] | dict[str, int]) -> str:
    """The most frequent full form "Expansion (ACR)" if there is one, else the most frequent form, passing
    over all-capitals phrases when an ordinary-case form was seen; ties go to a form with regular spacing,
    then one with some capitals but not all, then the alphabetically first. Spacing and stray hyphens of the
    chosen form are cleaned (clean_label)."""
    return clean_label(_label_form(forms))


def identity_key(form: str) -> str:
    """The key a form stands for in its node's identity: its name key with the last word singular; the
    expansion's, for a full form "Expansion (ACR)"."""
    parts = split_full(form)
    return stem_key(name_key(parts[0] if parts else form))


def identity_slug(forms: Iterable[str]) -> tuple[str, list[str]]:
    """The slug of a node from its forms' identity keys, not from their counts, and the slugs of its other
    keys. The key of most words wins (an expansion over its acronym), then the alphabetically first. A group
    only gains forms as the corpus grows, so every slug an earlier build gave any part of it is one of these:
    the node keeps it, or lists it as retired (written as dcterms:isReplacedBy the node)."""
    keys = sorted({identity_key(f) for f in forms}, key=lambda k: (-k.count(" "), k))
    return slug(keys[0]), sorted(slug(k) for k in keys[1:])


def _label_form(forms: Counter[str] | dict[str, int]) -> str:
    """The surface form choose_label labels a node by, before cleaning."""
    full = [f for f in forms if split_full(f)]
    pool = full or list(forms)
    return min(pool, key=lambda f: (_shouting(f, forms), -forms[f], f != " ".join(f.split()), f == f.lower(),
                                    f.isupper(), f))


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
    """An acronym that the corpus pairs with several expansions, left unmerged."""
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
    from kg.mentions import mention_texts, technology_mentions  # they build on this module

    slugs = res.slugs()
    res.mentions = technology_mentions((t for d in docs for t in mention_texts(d, slugs)), res)
    return res


def _apply_aliases(kind: str, forms: Counter[str], uf: _Union, aliases: Aliases, unused: list[str]) -> None:
    """The alias file's forbids (as tokens no union may join) and merges for one type."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for f in forms:
        by_key[name_key(f)].append(f)

    def matching(name: str) -> list[str]:
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


def _name_rules(kind: str, forms: Counter[str], uf: _Union, ambiguities: list[Ambiguity]) -> dict[str, set[str]]:
    """Same name, plural, full form and expansion, and acronyms paired with one expansion only; returns the
    expansions found per acronym key (an acronym with several is reported in `ambiguities`)."""
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
    return expansions


def _entities(kind: str, forms: Counter[str], uf: _Union, expansions: dict[str, set[str]],
              wanted: list[str]) -> list[Entity]:
    """One Entity per group of joined forms, labelled by its most used form (or the alias file's label)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for f in forms:
        groups[uf.find("f:" + f)].append(f)
    members: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for a, b, rule in uf.edges:
        members[uf.find(a)].append((a, b, rule))
    out = []
    for root, group in groups.items():
        sub = {f: forms[f] for f in group}
        form = next((lbl for lbl in wanted if lbl in sub), _label_form(sub))
        label = clean_label(form)
        concepts = {stem_key(name_key(f)) for f in group}
        lowered = {" ".join(f.split()).lower() for f in group}
        for f in group:
            parts = split_full(f)
            if parts:
                concepts.add(stem_key(name_key(parts[0])))
                lowered.add(" ".join(parts[0].split()).lower())
                if len(expansions[stem_key(name_key(parts[1]))]) == 1:
                    lowered.add(parts[1].lower())
                    if initials_expansion(*parts) in (None, " ".join(parts[0].split())):  # the acronym is all of
                        concepts.add(stem_key(name_key(parts[1])))  # it, not the tail ("Shift towards SLMs")
        node_slug, retired = identity_slug(group)
        out.append(Entity(kind, node_slug, label, dict(sorted(sub.items())),
                          _explain(form, group, members[root]), concepts, lowered, retired))
    return out


def corpus_acronyms(counts: dict[str, Counter[str]],
                    where: Mapping[tuple[str, str], tuple[str, int]] | None = None) -> dict[str, tuple[str, str]]:
    """Acronym key -> (expansion key, evidence) for every acronym that the corpus pairs, in full forms
    "Expansion (ACR)" of any type whose words' initials spell it (initials_expansion), with one expansion
    only. The evidence names the first full form that pairs it, with its document and line when `where`
    knows them."""
    pairs: dict[str, set[str]] = defaultdict(set)
    first: dict[str, tuple[str, str]] = {}
    for kind in sorted(counts):
        for f in sorted(counts[kind]):
            parts = split_full(f)
            expansion = initials_expansion(*parts) if parts else None
            if parts and expansion:
                ak = stem_key(name_key(parts[1]))
                pairs[ak].add(stem_key(name_key(expansion)))
                first.setdefault(ak, (kind, f))
    out = {}
    for ak, expansions in pairs.items():
        if len(expansions) == 1:
            kind, f = first[ak]
            at = (where or {}).get((kind, f))
            out[ak] = (next(iter(expansions)), f"{kind} {f!r}" + (f" ({at[0]}:{at[1]})" if at else ""))
    return out


def _corpus_rules(forms: Counter[str], uf: _Union, acronyms: dict[str, tuple[str, str]]) -> None:
    """Within one type: a bare acronym joins its expansion when the corpus pairs them anywhere, unambiguously;
    names with the same content words (word forms, order) join."""
    for f in sorted(forms):
        if split_full(f):
            continue
        key = name_key(f)
        pair = acronyms.get(stem_key(key))
        if pair:
            expansion, evidence = pair
            uf.union("k:" + stem_key(key), "k:" + expansion, f"{CORPUS_ACRONYM}: {evidence}")
        for ck in content_keys(key):
            uf.union("k:" + stem_key(key), "w:" + ck, WORD_FORMS)


@dataclass
class KindResolution:
    """What resolution decided within one type: its entities, ambiguous acronyms, blocked and unused aliases."""

    entities: list[Entity] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)
    blocked: list[dict[str, object]] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def resolve_kinds(counts: Mapping[str, Counter[str]], aliases: Aliases | None, acronyms: dict[str, tuple[str, str]],
                  kinds: Iterable[str]) -> dict[str, KindResolution]:
    """Merge the surface forms of some types (each type on its own, given the corpus's acronyms)."""
    aliases = aliases or Aliases()
    out = {}
    for kind in kinds:
        forms = counts[kind]
        uf = _Union()
        part = out[kind] = KindResolution()
        _apply_aliases(kind, forms, uf, aliases, part.unused)
        expansions = _name_rules(kind, forms, uf, part.ambiguities)
        _corpus_rules(forms, uf, acronyms)
        for i, rule in sorted(uf.blocked.items()):
            _, a, b = aliases.forbid[i - 1]
            part.blocked.append({"type": kind, "forms": sorted([a, b]), "rule": rule,
                                 "reason": "forbidden by the alias file"})
        wanted = [str(lbl) for k, _, lbl in aliases.merge if k == kind and lbl]
        part.entities = _entities(kind, forms, uf, expansions, wanted)
    return out


def assemble(parts: Mapping[str, KindResolution]) -> Resolution:
    """One Resolution from every type's, in type order, with the types related."""
    kinds = sorted(parts)
    res = Resolution([e for k in kinds for e in parts[k].entities], [a for k in kinds for a in parts[k].ambiguities],
                     [b for k in kinds for b in parts[k].blocked], [u for k in kinds for u in parts[k].unused])
    res.related = related_concepts(res.entities)
    return res


def resolve_forms(counts: dict[str, Counter[str]], aliases: Aliases | None = None,
                  where: Mapping[tuple[str, str], tuple[str, int]] | None = None) -> Resolution:
    """Merge the surface forms of each type (with their counts) into entities, and relate types. `where`
    gives the document and line of full forms, for the evidence of acronyms paired across types."""
    return assemble(resolve_kinds(counts, aliases, corpus_acronyms(counts, where), sorted(counts)))


def related_concepts(entities: list[Entity]) -> list[tuple[Entity, Entity]]:
    """Pairs of nodes of different types whose names name the same concept (each pair once, sorted)."""
    by_concept: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        if is_placeholder(e.label):
            continue  # "others" is no concept to relate
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
