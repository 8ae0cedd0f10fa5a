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
        self.firsts = {c.split(" ", 1)[0] for c in self.keys} | {stem_word(c.split(" ", 1)[0]) for c in self.keys}
        self.found: set[tuple[str, str, str]] = set()

    def feed(self, texts: Iterable[tuple[str, str, str]]) -> None:
        """Search some (type, slug, folded text) texts for technology names."""
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
