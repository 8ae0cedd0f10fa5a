"""Bytes -> text lines: encoding detection, binary detection, mojibake repair, and the text the Markdown means
(Unicode NFC, HTML character references decoded)."""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, field

from ftfy import TextFixerConfig, fix_text

from kg.model import Problem

__all__ = ["Decoded", "NotText", "decode"]

# ftfy only undoes encoding damage: quotes, widths and ligatures stay as written (HTML character references are
# decoded by _references, which keeps the ones that would change a line's Markdown structure).
_FTFY = TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"\x7fELF", b"BZh", b"7z\xbc\xaf")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined: map them as Latin-1 rather than losing them."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("kg-latin1", _latin1_fallback)


class NotText(Exception):
    """The bytes are not a text document."""


@dataclass(slots=True)
class Decoded:
    """A document's text lines and the repairs made to read it."""
    lines: list[str]
    problems: list[Problem] = field(default_factory=list)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])  # _CONTROL's ASCII characters


# Characters XML 1.0 cannot hold, even escaped (its Char production): C0 controls but tab and newlines, and the
# noncharacters U+FFFE and U+FFFF. Left in a literal, they make the GEXF, GraphML and SPARQL XML results invalid.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # _NOT_XML's ASCII characters


def _has_not_xml(text: str) -> bool:
    """Whether _NOT_XML finds anything, by a byte table (UTF-8 writes characters above ASCII with bytes above it)."""
    raw = text.encode("utf-8", "surrogatepass")
    return len(raw.translate(None, _NOT_XML_BYTES)) != len(raw) or "\ufffe" in text or "\uffff" in text


def _xml_safe(lines: list[str], file: str) -> list[Problem]:
    """Replace, line by line, the characters XML cannot hold by spaces; one warning per line changed."""
    problems = []
    for n, line in enumerate(lines):
        found = _NOT_XML.findall(line)
        if found:
            lines[n] = _NOT_XML.sub(" ", line)
            codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(found)))
            problems.append(Problem(file, n + 1, "control-characters",
                                    f"{len(found)} character(s) no XML can hold ({codes}) replaced by spaces"))
    return problems


# An HTML character reference (CommonMark decodes them in text): named, decimal or hexadecimal, with its `;`.
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_STRUCTURE = frozenset("|\\`*_[]()#<>!\n\r\t")  # a reference to one of these stays as written


def _decoded_reference(m: re.Match[str]) -> str:
    ch = html.unescape(m[0])
    return m[0] if ch == m[0] or ch in _STRUCTURE or _NOT_XML.search(ch) else ch


def _references(lines: list[str], file: str) -> list[Problem]:
    """Decode the HTML character references of the lines (`&amp;` -> `&`), in place; one note for the file."""
    first, count = 0, 0
    for n, line in enumerate(lines):
        if "&" in line and ";" in line:
            fixed, k = _REFERENCE.subn(_decoded_reference, line)
            if fixed != line:
                lines[n] = fixed
                count += k
                first = first or n + 1
    if not count:
        return []
    return [Problem(file, first, "html-references", f"{count} HTML character reference(s) decoded, from line {first}",
                    "info")]


def _control_share(text: str) -> float:
    """Share of control characters (other than tab, newlines, form feed) in the first 64 KiB."""
    sample = text[:65536]
    if not sample:
        return 0.0
    if sample.isascii():  # the same count by a byte table, twenty times as fast
        raw = sample.encode("ascii")
        return (len(raw) - len(raw.translate(None, _CONTROL_BYTES))) / len(raw)
    return len(_CONTROL.findall(sample)) / len(sample)


def _excerpt(before: str, after: str) -> str:
    """The first differing stretch of two strings, for the report."""
    i = 0
    while i < min(len(before), len(after)) and before[i] == after[i]:
        i += 1
    j = 0
    while j < min(len(before), len(after)) - i and before[-1 - j] == after[-1 - j]:
        j += 1
    lo = max(0, i - 12)
    return f"{before[lo:len(before) - j + 12]!r} -> {after[lo:len(after) - j + 12]!r}"


def decode(data: bytes, file: str) -> Decoded:
    """Decode a document, repairing mojibake line by line; raise NotText for binary or empty input."""
    if not data.strip():
        raise NotText("empty file")
    if data.startswith(_MAGIC) or (b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise NotText("binary file")
    problems: list[Problem] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotText("invalid UTF-16") from exc
        problems.append(Problem(file, 0, "utf16", "decoded as UTF-16 (byte order mark)", "info"))
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
            problems.append(Problem(file, 1, "bom", "UTF-8 byte order mark removed", "info"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("cp1252", errors="kg-latin1")
            bad_line = data[:exc.start].count(b"\n") + 1
            problems.append(Problem(file, bad_line, "cp1252", "not valid UTF-8; decoded as Windows-1252"))
    if text.startswith("\ufeff"):
        text = text[1:]
    if _control_share(text) > 0.02:
        raise NotText("binary file (control characters)")
    if not text.strip():
        raise NotText("empty file")
    if "\r" in text:
        problems.append(Problem(file, 0, "line-endings", "CR/CRLF line endings read as LF", "info"))
    lines = _NEWLINE.split(text) if "\r" in text else text.split("\n")
    if _has_not_xml(text):
        problems += _xml_safe(lines, file)
    if "&" in text:
        problems += _references(lines, file)
    composed = 0
    for n, line in enumerate(lines):
        if line.isascii():
            continue
        fixed = fix_text(line, _FTFY)
        if fixed != line:
            problems.append(Problem(file, n + 1, "mojibake", f"repaired {_excerpt(line, fixed)}"))
        if not unicodedata.is_normalized("NFC", fixed):  # as RDF asks of literals; canonically the same text
            fixed = unicodedata.normalize("NFC", fixed)
            composed = composed or n + 1
        lines[n] = fixed
    if composed:
        problems.append(Problem(file, composed, "unicode-nfc", f"text normalised to Unicode NFC, from line {composed}",
                                "info"))
    return Decoded(lines, problems)
