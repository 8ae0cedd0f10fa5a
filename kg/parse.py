"""Text -> Document records for the whole format family, driven by section names and table headers."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from kg.formats import loose_heading, norm, other_field, section_kind
from kg.model import TABLE_KINDS, Bullet, Document, ExtraSection, Link, Problem, Skipped
from kg.tables import looks_like_header, read_table
from kg.textio import NotText, decode

__all__ = ["PARSER_VERSION", "is_summary", "page_date", "parse_bytes", "parse_text"]

PARSER_VERSION = "5"

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*$")
_BULLET = re.compile(r"^\s*[*+-](?:[ \t](.*))?$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_TITLE_TAIL = re.compile(r"(?:,\s*)?(?:\(\s*from\s+page\s+|from\s+\(\s*)(?=\[)", re.IGNORECASE)
_EXTERNAL = re.compile(r"\[\s*external\s+link\s*\]\(", re.IGNORECASE)
_LINK = re.compile(r"^\[(?P<title>.*)\]\((?P<target>[^()]*)\)$")
_HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def page_date(page_id: str) -> str:
    """ISO date of a page id that starts with a valid YYYYMMDD (not followed by a digit), else ''."""
    m = re.match(r"^(\d{4})(\d{2})(\d{2})(?!\d)", page_id)
    if not m:
        return ""
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return ""


_norm_header = norm


def _link_parts(text: str, start: int) -> tuple[str, str, int] | None:
    """Parse `[label](target)` at text[start] with balanced parentheses; return label, target, end."""
    if start >= len(text) or text[start] != "[":
        return None
    close = text.find("](", start)
    if close < 0:
        return None
    depth, i = 0, close + 2
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return text[start + 1:close], text[close + 2:i], i + 1
            depth -= 1
        i += 1
    return None


@dataclass(slots=True)
class _Block:
    kind: str  # "table", "bullets", "text"
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


def _starts_table(body: list[tuple[int, str]], i: int) -> bool:
    """A line with pipes followed by a separator line: a table's header."""
    nxt = body[i + 1][1] if i + 1 < len(body) else ""
    return "|" in body[i][1] and bool(_SEPARATOR.match(nxt)) and "-" in nxt


def _is_bullet(text: str) -> bool:
    return bool(_BULLET.match(text)) and not text.lstrip().startswith("**")


def _table(body: list[tuple[int, str]], i: int) -> tuple[_Block, int]:
    n, line = body[i]
    block = _Block("table", n, [(n, line)])
    i += 2  # the separator carries no data
    while i < len(body) and body[i][1].strip() and "|" in body[i][1]:
        block.lines.append(body[i])
        i += 1
    return block, i


def _pipe_lines(body: list[tuple[int, str]], i: int) -> tuple[_Block, int]:
    """Lines framed by pipes without a separator: a table whose separator is missing (its first line made of
    column names), or lines kept aside as a table without a header."""
    n, line = body[i]
    if looks_like_header(line):
        block = _Block("table", n, [(n, line)])
        i += 1
        while i < len(body) and body[i][1].strip() and "|" in body[i][1]:
            if not _SEPARATOR.match(body[i][1]):
                block.lines.append(body[i])
            i += 1
        return block, i
    block = _Block("table-noheader", n)
    while i < len(body) and body[i][1].strip().startswith("|"):
        if block.lines and _starts_table(body, i):
            break  # a real header starts here: the lines before it are kept aside
        block.lines.append(body[i])
        i += 1
    return block, i


def _bullets(body: list[tuple[int, str]], i: int) -> tuple[_Block, int]:
    """A bullet list; an indented line continues the bullet above it."""
    block = _Block("bullets", body[i][0])
    while i < len(body):
        m, text = body[i]
        if _is_bullet(text):
            block.lines.append((m, text))
        elif text.strip() and text[:1] in " \t" and block.lines:
            last_n, last = block.lines[-1]
            block.lines[-1] = (last_n, last.rstrip() + " " + text.strip())
        else:
            break
        i += 1
    return block, i


def _text(body: list[tuple[int, str]], i: int) -> tuple[_Block, int]:
    """A paragraph, up to a blank line, a bullet or a table."""
    block = _Block("text", body[i][0])
    while i < len(body) and body[i][1].strip() and not _BULLET.match(body[i][1]):
        if _starts_table(body, i):
            break
        block.lines.append(body[i])
        i += 1
    if not block.lines:  # a lone bullet-like line that failed the bullet test
        block.lines.append(body[i])
        i += 1
    return block, i


def _blocks(body: list[tuple[int, str]]) -> list[_Block]:
    """Split a section body into tables, bullet lists and text paragraphs."""
    blocks: list[_Block] = []
    i = 0
    while i < len(body):
        line = body[i][1]
        if not line.strip():
            i += 1
            continue
        if _starts_table(body, i):
            take = _table
        elif line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            take = _pipe_lines
        elif _is_bullet(line):
            take = _bullets
        else:
            take = _text
        block, i = take(body, i)
        blocks.append(block)
    return blocks


def _bullet_text(line: str) -> str:
    m = _BULLET.match(line)
    return (m.group(1) or "") if m else line


class _Parser:
    def __init__(self, doc: Document, lines: list[str]) -> None:
        self.doc = doc
        self.lines = lines

    def warn(self, line: int, code: str, message: str, severity: str = "warning", end: int = 0) -> None:
        self.doc.problems.append(Problem(self.doc.path, line, code, message, severity, end))

    def keep(self, line: int, name: str, text: str, why: str) -> None:
        """Keep text we cannot map, verbatim, and say so."""
        self.doc.extras.append(ExtraSection(line, name, text))
        self.warn(line, "kept-unmapped", f"{why}; kept verbatim as extra text of section {name!r}")

    # -- title and preamble -------------------------------------------------

    def title(self, n: int, text: str) -> None:
        doc = self.doc
        doc.title_line = n
        body = text.strip()
        m = _TITLE_TAIL.search(body)
        while m:  # the page link is the last `from` clause on the line
            nxt = _TITLE_TAIL.search(body, m.end())
            if not nxt:
                break
            m = nxt
        if m:
            parts = _link_parts(body, m.end())
            if parts:
                label, url, end = parts
                doc.page_id = label.strip()
                doc.page_url = url.strip()
                rest = body[end:].strip()
                if rest not in ("", ".)", ")", ".", ").", ". )"):
                    self.warn(n, "title-tail", f"unexpected text after the page link: {rest!r}")
                body = body[:m.start()]
            else:
                self.warn(n, "page-link", "page link in the title line could not be read")
        else:
            self.warn(n, "no-page-link", "title line has no page link")
        title = body.strip().rstrip(",").strip()
        for mark in ("__", "**"):
            if title.startswith(mark) and title.endswith(mark) and len(title) > 2 * len(mark):
                title = title[len(mark):-len(mark)].strip()
        doc.title = title
        if title == doc.doc_id or (_HEX_ID.match(title) and not doc.title_is_id):
            doc.title_is_id = True
            self.warn(n, "title-is-id", "title is a bare document id", "info")
        if doc.page_id:
            doc.date = page_date(doc.page_id)
            if not doc.date:
                self.warn(n, "no-date", f"page id {doc.page_id!r} has no valid YYYYMMDD date", "info")

    def preamble(self, body: list[tuple[int, str]]) -> None:
        rest: list[tuple[int, str]] = []
        for n, line in body:
            m = _EXTERNAL.search(line)
            if m and not self.doc.external_url:
                parts = _link_parts(line, m.start())
                if parts:
                    self.doc.external_url = parts[1].strip()
                    self.doc.external_line = n
                    continue
            if line.strip():
                rest.append((n, line))
        if rest:
            self.keep(rest[0][0], "(preamble)", "\n".join(t.rstrip() for _, t in rest), "text before the first section")

    # -- sections -------------------------------------------------------------

    def section(self, n: int, heading: str, kind: str | None, body: list[tuple[int, str]]) -> None:
        if kind is None:
            text = "\n".join(t.rstrip() for _, t in body).strip("\n")
            self.doc.extras.append(ExtraSection(n, heading, text))
            self.warn(n, "unknown-section", f"unknown section {heading!r} kept verbatim")
            return
        if kind == "summary":
            text = "\n".join(t.rstrip() for _, t in body).strip()
            text = re.sub(r"\n{3,}", "\n\n", text)
            if text:
                self.doc.summary = f"{self.doc.summary}\n\n{text}" if self.doc.summary else text
                used = [m for m, t in body if t.strip()]
                first = self.doc.summary_lines[0] or used[0]
                self.doc.summary_lines = (first, used[-1])
            else:
                self.warn(n, "empty-section", "Summary section is empty", "info")
            return
        blocks = _blocks(body)
        if not blocks:
            self.warn(n, "empty-section", f"section {heading!r} is empty", "info")
        for block in blocks:
            if kind in ("keywords", "themes"):
                self.list_block(kind, heading, block)
            elif kind == "other":
                self.other_block(heading, block)
            elif kind == "closest":
                self.closest_block(heading, block)
            else:
                self.table_block(TABLE_KINDS[kind], heading, block)

    def list_block(self, kind: str, heading: str, block: _Block) -> None:
        target = self.doc.keywords if kind == "keywords" else self.doc.themes
        if block.kind == "text":
            # a list written as one line of text: "a, b, c"
            for n, line in block.lines:
                items = [x.strip() for x in re.split(r"[,;]", line) if x.strip()]
                target.extend(Bullet(n, x) for x in items)
            self.warn(block.line, "list-as-text", f"{heading} given as text; split at commas")
            return
        if block.kind != "bullets":
            self.keep(block.line, heading, "\n".join(t for _, t in block.lines), f"a table in {heading}")
            return
        raw = [(n, _bullet_text(t)) for n, t in block.lines]
        short = sum(1 for _, t in raw if len(t.strip()) <= 1)
        if len(raw) >= 4 and short / len(raw) >= 0.7:
            joined = "".join(t.strip() or " " for _, t in raw)
            items = [x.strip() for x in joined.split(",") if x.strip()]
            target.extend(Bullet(block.line, x) for x in items)
            self.warn(block.line, "exploded-list",
                      f"{heading}: {len(raw)} one-character bullets rejoined into {len(items)} items: {items!r}",
                      end=raw[-1][0])
            return
        for n, t in raw:
            if t.strip():
                target.append(Bullet(n, t.strip()))
            else:
                self.warn(n, "empty-bullet", f"empty bullet in {heading}", "info")

    def other_block(self, heading: str, block: _Block) -> None:
        if block.kind not in ("bullets", "text"):
            self.keep(block.line, heading, "\n".join(t for _, t in block.lines), f"a table in {heading}")
            return
        for n, line in block.lines:
            text = _bullet_text(line).strip() if block.kind == "bullets" else line.strip()
            if not text:
                self.warn(n, "empty-bullet", f"empty bullet in {heading}", "info")
                continue
            key, sep, value = text.partition(":")
            field_name = other_field(key) if sep else None
            if field_name and value.strip() and not getattr(self.doc, field_name):
                setattr(self.doc, field_name, value.strip())
            else:
                self.doc.notes.append(Bullet(n, text))

    def closest_block(self, heading: str, block: _Block) -> None:
        if block.kind != "bullets":
            self.keep(block.line, heading, "\n".join(t for _, t in block.lines), f"non-list text in {heading}")
            return
        for n, line in block.lines:
            text = _bullet_text(line).strip()
            if not text:
                self.warn(n, "empty-bullet", f"empty bullet in {heading}", "info")
                continue
            m = _LINK.match(text)
            target = m["target"].strip() if m else ""
            if not m or not target:
                self.keep(n, heading, text, "a Closest bullet that is not a [title](id) link")
                continue
            if "/" in target:  # a URL or path: its last segment, without extension, is the id
                target = re.sub(r"\.(md|txt|html?)$", "", target.rstrip("/").rsplit("/", 1)[-1])
            self.doc.closest.append(Link(n, m["title"].strip(), target))

    def table_block(self, kind: str, heading: str, block: _Block) -> None:
        if block.kind == "table-noheader":
            self.keep(block.line, heading, "\n".join(t for _, t in block.lines), "a table without a header row")
            return
        if block.kind != "table":
            self.keep(block.line, heading, "\n".join(t for _, t in block.lines), f"non-table text in {heading}")
            return
        self.doc.rows.extend(read_table(kind, heading, block.lines, self.warn))

    # -- driver -------------------------------------------------------------

    def run(self) -> None:
        lines = self.lines
        i = 0
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i < len(lines):
            m = _HEADING.match(lines[i])
            if m and len(m[1]) == 1:
                self.title(i + 1, m[2])
                i += 1
            else:
                self.warn(i + 1, "no-title", "no title line", "warning")
        current: tuple[int, str, str | None] | None = None
        body: list[tuple[int, str]] = []
        preamble_done = False
        underline = -1  # the line under a heading written as `Signals` over `---`
        for n in range(i, len(lines)):
            if n == underline:
                continue
            line = lines[n]
            m = _HEADING.match(line)
            heading = m[2].strip() if m else None
            if heading is None and (loose := loose_heading(line, lines[n + 1] if n + 1 < len(lines) else "")):
                heading = line.strip()
                if loose[1]:
                    underline = n + 1
                self.warn(n + 1, "loose-heading", f"{heading!r} read as the heading of its section", "info")
            if heading is not None:
                if current is None and not preamble_done:
                    self.preamble(body)
                    preamble_done = True
                elif current is not None:
                    self.section(*current, body)
                current = (n + 1, heading, section_kind(heading))
                body = []
            else:
                body.append((n + 1, line))
        if current is None:
            self.preamble(body)
        else:
            self.section(*current, body)


def is_summary(doc: Document) -> bool:
    """A summary has at least one known section with content, or a title with a page link."""
    return bool(doc.summary or doc.rows or doc.keywords or doc.themes or doc.closest or doc.page_id)


def parse_text(lines: list[str], doc_id: str, path: str, sha256: str = "") -> Document:
    """Parse decoded lines into a Document."""
    doc = Document(doc_id=doc_id, path=path, sha256=sha256)
    _Parser(doc, lines).run()
    return doc


def parse_bytes(data: bytes, doc_id: str, path: str) -> Document | Skipped:
    """Decode and parse one file's bytes; a non-document gives Skipped with the reason."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        decoded = decode(data, path)
    except NotText as exc:
        return Skipped(path, str(exc))
    doc = parse_text(decoded.lines, doc_id, path, sha)
    doc.problems[:0] = decoded.problems
    if not is_summary(doc):
        return Skipped(path, "not a summary: no known section and no page link", doc.problems)
    return doc
