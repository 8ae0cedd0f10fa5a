"""Names -> normalised keys and readable IRI slugs; URLs -> valid IRIs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote, urlsplit

from pyoxigraph import NamedNode

__all__ = ["doc_segment", "fold", "name_key", "safe_iri", "slug"]

_QUOTES = str.maketrans({c: "" for c in "'\"`´‘’‚‛“”„‟«»‹›"})
_SYMBOLS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at ", "%": " percent "}
_SYMBOL_RE = re.compile(r"(?<=\w)\+\+|[+#&@%]")
_NON_WORD = re.compile(r"[\W_]+")


def _symbol(m: re.Match[str]) -> str:
    text = m.group(0)
    return " plusplus " if text == "++" else _SYMBOLS[text]


# ASCII letters and digits as lower case, every other ASCII byte as a space (what _NON_WORD replaces)
_ASCII_WORDS = bytes((c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() else 0x20
                     for c in range(128)) + bytes(128)
_ASCII_QUOTES = b"'\"`"
_SYMBOL_CHARS = frozenset(_SYMBOLS)


def fold(text: str) -> str:
    """Case-folded text without diacritics, quotes or punctuation; words single-spaced."""
    if text.isascii():  # the same result as _fold_unicode, by byte tables: four times as fast
        raw = text.encode("ascii").translate(None, _ASCII_QUOTES)
        if not _SYMBOL_CHARS.isdisjoint(text):
            raw = _SYMBOL_RE.sub(_symbol, raw.decode("ascii")).encode("ascii")
        return b" ".join(raw.translate(_ASCII_WORDS).split()).decode("ascii")
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_QUOTES).casefold()
    text = _SYMBOL_RE.sub(_symbol, text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def name_key(name: str) -> str:
    """Key under which surface forms of one name merge: case, spacing, punctuation, quotes, diacritics."""
    key = fold(name)
    if not key:  # a name made only of punctuation keeps its own identity
        key = "~" + " ".join(name.split())
    return key


def slug(key: str, limit: int = 80) -> str:
    """A readable IRI path segment for a key; long or symbol-only keys get a short hash."""
    text = "-".join(_NON_WORD.sub(" ", key).split())
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    if not text:
        return f"x-{digest}"
    if len(text) > limit or text != key.replace(" ", "-"):
        text = text[:limit].rstrip("-")
        return f"{text}-{digest}"
    return text


def doc_segment(doc_id: str) -> str:
    """A document id as one IRI path segment."""
    return quote(doc_id, safe="-._~")


_IRI_BAD = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")


def safe_iri(url: str) -> str | None:
    """An absolute http(s)/ftp/mailto/urn/doi IRI for a URL, kept exactly as written (an empty query `?` or
    fragment `#` included) except that characters IRIs forbid are percent-encoded; None if it is no such
    IRI. Callers compare the result with the input to report a repair."""
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "ftp", "mailto", "urn", "doi") or not (parts.netloc or parts.path):
        return None
    fixed = _IRI_BAD.sub(lambda m: f"%{ord(m.group(0)):02X}", url)
    try:
        NamedNode(fixed)
    except ValueError:
        return None
    return fixed
