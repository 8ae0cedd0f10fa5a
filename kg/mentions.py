"""Links across types: the Technologies that Signals, Concerns, Behaviors and Issues name (kgo:mentionsEntity)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kg.formats import is_placeholder
from kg.identity import fold
from kg.model import Document
from kg.names import stem_word
from kg.resolve import TEXT_LINK_KINDS, Entity, Resolution

__all__ = ["MentionMatcher", "mention_texts", "technology_mentions"]


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
            if e.kind != "Technology" or is_placeholder(e.label):
                continue
            for c in e.concepts:
                words = c.split(" ")
                if len(words) == 1 and len(c) < 3 and not any(ch.isdigit() for ch in c):
                    continue
                if len(words) <= max_words:
                    self.keys[c].add(e.slug)
        self.longest: dict[str, int] = {}  # a first word (or its stem) -> the most words of a name it starts
        self.heads: set[str] = set()  # the leading words of names, as written: a gram that is none stops growing
        for c in self.keys:
            words = c.split(" ")
            for w in (words[0], stem_word(words[0])):
                self.longest[w] = max(self.longest.get(w, 0), len(words))
            self.heads.update(" ".join(words[:j]) for j in range(1, len(words)))
        self.reach: dict[str, int] = {}  # a text word -> the longest name that may start with it (0: none)
        self.known: set[str] = set()  # the words of reach
        self.starters: set[str] = set()  # the words of reach that may start a name
        self.stems: dict[str, str] = {}
        self.found: set[tuple[str, str, str]] = set()
        self.seen: set[tuple[str, str, str]] = set()  # the texts searched already

    def feed(self, texts: Iterable[tuple[str, str, str]]) -> None:
        """Search some (type, slug, folded text) texts for technology names."""
        if not self.keys:
            return
        keys, heads, reach, stems, starters = self.keys, self.heads, self.reach, self.stems, self.starters
        seen = self.seen
        for item in texts:
            if item in seen:  # articles repeat their signals' names and descriptions: each is searched once
                continue
            seen.add(item)
            kind, s, text = item
            words = text.split(" ")
            fresh = set(words).difference(self.known)
            if fresh:
                self._learn(fresh)
            if starters.isdisjoint(words):
                continue
            for i, w in enumerate(words):
                most = reach[w]
                if not most:
                    continue
                gram = w
                for n in range(1, min(most, len(words) - i) + 1):
                    if n > 1:
                        if gram not in heads:
                            break
                        last = words[i + n - 1]
                        head = gram
                        gram = f"{gram} {last}"
                    else:
                        last, head = w, ""
                    stem = stems.get(last)
                    if stem is None:
                        stem = stems[last] = stem_word(last)
                    hit = keys.get(f"{head} {stem}" if head else stem)
                    if hit and len(hit) == 1:
                        self.found.add((kind, s, next(iter(hit))))

    def _learn(self, words: set[str]) -> None:
        """How far a name may reach from each of some words not met before."""
        longest = self.longest
        for w in words:
            most = self.reach[w] = max(longest.get(w, 0), longest.get(stem_word(w), 0))
            if most:
                self.starters.add(w)
        self.known |= words

    def pairs(self) -> list[tuple[Entity, Entity]]:
        """(entity, technology) pairs found so far, sorted."""
        index = {(e.kind, e.slug): e for e in self.res.entities}
        return [(index[(k, s)], index[("Technology", t)]) for k, s, t in sorted(self.found)]


def technology_mentions(texts: Iterable[tuple[str, str, str]], res: Resolution) -> list[tuple[Entity, Entity]]:
    """(entity, technology) pairs in some texts (see MentionMatcher)."""
    matcher = MentionMatcher(res)
    matcher.feed(texts)
    return matcher.pairs()
