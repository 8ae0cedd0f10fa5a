"""Names: plurals, acronyms and full forms, content words, and labels as a reader expects them."""

from __future__ import annotations

import functools
import re
from typing import Any

from kg.identity import fold

__all__ = ["acronym_of", "clean_label", "content_keys", "initials_expansion", "split_full", "stem_key",
           "stem_word"]

# Words that carry no content in a name, and words after which the order of the others carries meaning.
_STOP_WORDS = frozenset({"a", "an", "the", "of", "for", "in", "on", "and", "to", "with", "by", "from", "at", "as",
                         "via", "its", "their", "our"})
_ORDER_WORDS = frozenset({"from", "to", "into", "onto", "vs", "versus", "than", "over", "under", "before",
                          "after", "above", "below", "toward", "towards", "against", "per"})
_FULL = re.compile(r"^(?P<x>.*\S)\s*\((?P<a>[^()]+)\)\s*$")
_NO_STEM = {"news", "series", "species", "means"}  # plural-looking words whose singular means something else

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


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # the Snowball English (Porter 2) stemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=1 << 18)
def _stem(word: str) -> str:
    """A word's Snowball stem (words are few and repeat, so each is stemmed once); numbers stay as written."""
    return word if any(ch.isdigit() for ch in word) else str(_stemmer().stemWord(word))


def content_keys(key: str) -> list[str]:
    """Keys under which names with the same content words join: the content words of a name key, stemmed
    (Snowball English), in their order; and sorted as well, when the order is free: a name of three content
    words or more, or one with a function word ("privacy of personal data" = "personal data privacy"), unless
    a word such as "from", "to" or "vs" makes the order meaningful. Two bare words in the other order are
    another compound ("machine learning", "learning machine"). Names of one content word get no key, and
    numbers and versions stay words of their own, so names that differ in one never share a key."""
    words = key.split(" ")
    content = [w for w in words if w not in _STOP_WORDS]
    if len(content) < 2:
        return []
    stems = [_stem(w) for w in content]
    keys = ["o:" + " ".join(stems)]
    free = (len(content) >= 3 or len(content) < len(words)) and not any(w in _ORDER_WORDS for w in words)
    if free:
        keys.append("u:" + " ".join(sorted(stems)))
    return keys


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


_HYPHEN_SPACE = re.compile(r"(?<=\w)- (?=\w)|(?<=\w) -(?=\w)")


_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(?=\S)((?:(?!\1).)*?\S)\1$")  # a whole label in Markdown emphasis: **x**, _x_


def clean_label(text: str) -> str:
    """A label as a reader expects it: single spaces, no Markdown emphasis around the whole of it ("**Edge
    AI**"), no space beside a word-joining hyphen ("AI- driven"), no stray leading or trailing dash."""
    text = " ".join(text.split())
    while m := _EMPHASIS.match(text):
        text = m[2]
    text = _HYPHEN_SPACE.sub("-", text)
    return text.strip(" -–—") or text


def initials_expansion(expansion: str, acronym: str) -> str | None:
    """The words of a full form's expansion whose initials spell the acronym: all of them ("Small Language
    Models" for SLMs), or the last ones ("Small Language Models" of "Shift towards Small Language Models");
    None when no run of words does."""
    letters = _letters(acronym)
    words = expansion.split()
    for plural in (False, True):
        want = letters[:-1] if plural and letters.endswith("s") else letters
        for k in range(len(words)):
            tail = words[k:]
            if len(tail) == len(want) > 1 and "".join(_letters(w)[:1] for w in tail) == want:
                return " ".join(tail)
    return None
