"""Parser tests, one per format variant, on the seed, the real samples and small hand-made documents."""

from __future__ import annotations

from collections import Counter

import pytest

from kg.model import Document, Skipped
from kg.parse import page_date, parse_bytes
from kg.tables import derive_name, split_cells
from tests.conftest import SEEDS


def parse_file(name: str) -> Document:
    path = SEEDS / name
    doc = parse_bytes(path.read_bytes(), path.stem, name)
    assert isinstance(doc, Document), doc
    return doc


def parse(text: str | bytes, doc_id: str = "doc") -> Document | Skipped:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_bytes(data, doc_id, f"{doc_id}.md")


def kinds(doc: Document) -> dict[str, int]:
    return dict(Counter(r.kind for r in doc.rows))


def codes(doc: Document | Skipped) -> Counter[str]:
    return Counter(p.code for p in doc.problems)


# ---------------------------------------------------------------- the seed document


def test_seed_document() -> None:
    doc = parse_file("000_61f95d86ecc6b6dd.txt")
    assert doc.title == "Exploring the Advantages of Small Language Models in AI Applications"
    assert doc.page_id == "20231203" and doc.date == "2023-12-03"
    assert doc.page_url == "https://kghosh.substack.com/p/20231203"
    assert doc.external_url == "https://newsletter.nocode.ai/p/emergence-small-language-models"
    assert kinds(doc) == {"Signal": 5, "Concern": 8, "Behavior": 8, "Technology": 5, "Issue": 8}
    assert [b.text for b in doc.keywords] == [
        "small language models", "large language models", "AI applications", "benchmarks", "fine-tuning"]
    assert [b.text for b in doc.themes] == [
        "language models", "artificial intelligence", "small language models", "business applications",
        "natural language processing"]
    assert (doc.category, doc.content_type) == ("technology", "blog post")
    assert doc.summary.startswith("The article discusses the growing interest in Small Language Models")
    rel = {(r.kind, r.name): r.relevancy for r in doc.rows}
    assert [rel[("Signal", n)] for n in (
        "Shift towards Small Language Models (SLMs)", "Emergence of open-source SLMs",
        "Cost reduction in AI deployment",
        "Agility in AI development", "Increased focus on sustainability in AI")] == [4, 4, 5, 4, 4]
    assert [r.relevancy for r in doc.rows if r.kind == "Concern"] == [4, 5, 4, 4, 3, 4, 3, 5]
    assert [r.relevancy for r in doc.rows if r.kind == "Behavior"] == [5, 4, 4, 5, 4, 4, 5, 4]
    assert [r.relevancy for r in doc.rows if r.kind == "Technology"] == [5, 4, 4, 4, 4]
    assert [r.relevancy for r in doc.rows if r.kind == "Issue"] == [4, 5, 4, 3, 4, 3, 5, 4]
    overfit = next(r for r in doc.rows if r.name == "Risk of Overfitting in Specialized Use Cases")
    assert overfit.description.startswith("SLMs’ specificity may lead")  # mojibake repaired
    assert "â€" not in overfit.description
    assert codes(doc)["mojibake"] == 1
    signal = doc.rows[0]
    assert signal.change.startswith("Transition from reliance on Large Language Models")
    assert signal.ten_year.startswith("In ten years, SLMs may dominate")
    assert signal.driving_force.startswith("The demand for tailored AI solutions")
    assert signal.line == 36


# ---------------------------------------------------------------- real samples, one per variant


def test_newest_format() -> None:
    doc = parse_file("291a9b422929106e96db914ff5d60401.md")
    assert doc.title == "SoftBank Develops AI to Calm Angry Customer Voices in Call Centers"
    assert (doc.page_id, doc.date) == ("20240630", "2024-06-30")
    assert kinds(doc) == {"Signal": 5, "Concern": 5, "Behavior": 6, "Technology": 3, "Issue": 5}
    assert (len(doc.keywords), len(doc.themes)) == (7, 7)
    assert (doc.category, doc.content_type) == ("technology", "news")
    assert all(r.relevancy in range(1, 6) for r in doc.rows)
    assert not [p for p in doc.problems if p.severity == "warning"]
    doc = parse_file("4b827b6a0c41e87019713723ad04efce.md")
    assert kinds(doc) == {"Signal": 5, "Concern": 5, "Behavior": 6, "Technology": 5, "Issue": 6}


def test_future_page_date_is_valid() -> None:
    doc = parse_file("001b195bbddec8fb0193b668a70aa883.md")
    assert (doc.page_id, doc.date) == ("20290911", "2029-09-11")
    assert kinds(doc) == {"Signal": 5, "Behavior": 5, "Technology": 2, "Issue": 5}


def test_page_id_with_suffix_and_name_description_tables() -> None:
    doc = parse_file("0063cd88c0d4ecadd54d7e5413f95ac0.md")
    assert (doc.page_id, doc.date) == ("20250622d", "2025-06-22")
    assert kinds(doc) == {"Signal": 4, "Concern": 5, "Behavior": 6, "Technology": 4, "Issue": 5}
    assert all(r.relevancy is None for r in doc.rows if r.kind != "Signal")
    assert all(r.description for r in doc.rows)


def test_space_inside_page_link_is_trimmed() -> None:
    doc = parse_file("036d251f4174f7f407504fbb77e9c7c5.md")
    assert doc.page_id == "20250504d"
    assert doc.page_url == "https://kghosh.substack.com/p/20250504d"
    assert doc.date == "2025-05-04"


def test_slug_page_id() -> None:
    doc = parse_file("00ad32cd528c6694bc92a7385743064c.md")
    assert doc.page_id == "20251231-a-yearly-review" and doc.date == "2025-12-31"
    assert kinds(doc) == {"Signal": 5, "Concern": 11, "Behavior": 10, "Technology": 9, "Issue": 10}


@pytest.mark.parametrize("name, title, signals, closest", [
    ("002ee663c73c7add6ce2cabe29e4ae02.md", "France Fines Microsoft €60m for Advertising Cookies", 4, 10),
    ("3fbb11d6e949d1e662aa6a146bb6cda0.md", "China's Insomniacs Turn to Sleeping Assistants", 6, 10),
])
def test_old_format(name: str, title: str, signals: int, closest: int) -> None:
    doc = parse_file(name)
    assert doc.title == title
    assert doc.summary  # Summary comes first in the old format
    assert kinds(doc) == {"Signal": signals}
    assert len(doc.closest) == closest
    first = doc.rows[0]
    assert first.change and first.ten_year and first.driving_force and first.relevancy is None


def test_old_format_signal_columns_map_like_new_ones() -> None:
    doc = parse_file("002ee663c73c7add6ce2cabe29e4ae02.md")
    row = doc.rows[0]
    assert row.name == "France fines Microsoft €60m for imposing cookies"
    assert row.change == "Crackdown on data privacy violations"
    assert row.ten_year == "Stricter enforcement of cookie laws"
    assert row.driving_force == "Compliance with EU regulations"
    assert not row.extra


def test_title_is_bare_id_without_external_link() -> None:
    doc = parse_file("01dd20372573227317c7126faacfec9b.md")
    assert doc.title_is_id and doc.title == "01dd20372573227317c7126faacfec9b"
    assert doc.external_url == ""
    assert (doc.page_id, doc.date) == ("20220824", "2022-08-24")
    assert kinds(doc) == {"Signal": 10}


def test_float_page_id_gives_no_date_and_nameless_rows_get_names() -> None:
    doc = parse_file("0248f1b6d72f8bb9c984f24db0569a3f.md")
    assert doc.page_id == "15526.0" and doc.date == ""
    techs = [r for r in doc.rows if r.kind == "Technology"]
    assert len(techs) == 5 and all(r.name_derived for r in techs)
    assert techs[0].name == "Investigating the long-term effects of COVID-19 on health"
    assert techs[0].src == "0248f1b6d72f8bb9c984f24db0569a3f" and techs[0].relevancy == 5
    assert codes(doc)["derived-name"] == 5
    assert len({r.name for r in techs}) == 5


def test_exploded_bullets_are_rejoined() -> None:
    doc = parse_file("7aa357540401ea845962adbd36627a80.md")
    assert [b.text for b in doc.keywords] == ["AI", "farming", "animal welfare", "automation", "ethics"]
    assert [b.text for b in doc.themes] == [
        "AI in farming", "animal welfare", "automation in agriculture", "ethical implications", "future of farming"]
    assert codes(doc)["exploded-list"] == 2
    assert doc.date == ""  # page id 20002.0


def test_wrapped_rows_are_joined() -> None:
    doc = parse_file("c346127b59f55385f443e5e27e93bc78.md")
    assert [r.name for r in doc.rows] == ["Private equity acquisition", "Hospital-acquired adverse events",
                                          "Patient outcomes"]
    assert doc.rows[1].ten_year == "Higher rates of falls, infections, surgical site infections"
    assert doc.rows[2].ten_year == ("Lower mortality rates at private equity hospitals No differential change in "
                                    "mortality 30 days after discharge")
    assert doc.rows[2].driving_force == "Potential lower-risk population admitted"
    assert codes(doc)["wrapped-row"] == 4


def test_closest_with_empty_bullet() -> None:
    doc = parse_file("c16634ee710f10560259b9f352c46519.md")
    assert doc.closest == []
    assert codes(doc)["empty-bullet"] == 1
    assert kinds(doc) == {"Signal": 3}


def test_samples_readme_is_not_a_summary() -> None:
    result = parse_bytes((SEEDS / "README.md").read_bytes(), "README", "README.md")
    assert isinstance(result, Skipped) and result.reason.startswith("not a summary")


# ---------------------------------------------------------------- hand-made variants

NEW = """# __A Title__, (from page [20240102](https://x.test/p/20240102).)

__[External link](https://example.com/a_(b))__

## Keywords

* alpha
* beta

## Signals

| name | description | change | 10-year | driving-force | relevancy |
|:--|:--|:--|:--|:--|--:|
| Sig one | d1 | c1 | t1 | f1 | 4.0 |
| Sig two | d2 | c2 | t2 | f2 | high |
| Sig three | d3 \\| with pipe | c3 | t3 | f3 | 9 |
"""


def test_relevancy_float_text_and_range() -> None:
    doc = parse(NEW)
    assert isinstance(doc, Document)
    assert [r.relevancy for r in doc.rows] == [4, None, None]
    assert [r.relevancy_text for r in doc.rows] == ["", "high", "9"]
    assert codes(doc)["relevancy"] == 2
    assert doc.rows[2].description == "d3 | with pipe"
    assert doc.external_url == "https://example.com/a_(b)"


@pytest.mark.parametrize("written", ["**Signals**", "__Signals__", "Signals:", "**Signals:**", "Signals\n-------",
                                     "Signals\n=======", "SIGNALS:"])
def test_a_section_heading_written_without_hashes(written: str) -> None:
    """A known section's name in bold, with a colon or underlined is read as its heading, and said so."""
    doc, plain = parse(NEW.replace("## Signals", written)), parse(NEW)
    assert isinstance(doc, Document) and isinstance(plain, Document)
    assert [(r.kind, r.name, r.relevancy) for r in doc.rows] == [(r.kind, r.name, r.relevancy) for r in plain.rows]
    assert doc.keywords == plain.keywords and not doc.extras and codes(doc)["loose-heading"] == 1


@pytest.mark.parametrize("line", ["Signals of change are everywhere:", "* Signals:", "**Signals of change**",
                                  "Notes:", "| Signals: |"])
def test_a_line_that_only_looks_like_a_heading_stays_text(line: str) -> None:
    doc = parse(NEW.replace("* beta\n", f"* beta\n\n{line}\n"))
    assert isinstance(doc, Document) and codes(doc)["loose-heading"] == 0
    assert len([r for r in doc.rows if r.kind == "Signal"]) == 3


def test_html_references_are_decoded_but_not_into_markdown_structure() -> None:
    """`&amp;` is `&` (CommonMark decodes references in text); a reference to `|`, `*` or `<` stays as written, so a
    cell is never split and a bullet never made by decoding; one note per file."""
    text = (NEW.replace("* alpha", "* R&amp;D").replace("* beta", "* caf&eacute; &#x2F; &#60;tag&#62; &bogus;")
            .replace("| Sig one | d1 |", "| Sig one | a &#124; b &ast; c |"))
    doc = parse(text)
    assert isinstance(doc, Document)
    assert [k.text for k in doc.keywords] == ["R&D", "café / &#60;tag&#62; &bogus;"]
    assert doc.rows[0].name == "Sig one" and doc.rows[0].description == "a &#124; b &ast; c"
    assert codes(doc)["html-references"] == 1


def test_text_is_unicode_nfc() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Café Déjà")
    doc = parse(NEW.replace("* beta", f"* {decomposed}"))
    assert isinstance(doc, Document)
    assert doc.keywords[1].text == "Café Déjà" and unicodedata.is_normalized("NFC", doc.keywords[1].text)
    assert codes(doc)["unicode-nfc"] == 1 and codes(parse(NEW))["unicode-nfc"] == 0


@pytest.mark.parametrize(("cell", "value"), [("4/5", 4), ("5 / 5", 5), ("3 out of 5", 3), ("2.0/5", 2),
                                             ("4/10", None), ("6/5", None), ("4/", None), ("/5", None)])
def test_relevancy_out_of_five(cell: str, value: int | None) -> None:
    doc = parse(NEW.replace("| 4.0 |", f"| {cell} |"))
    assert isinstance(doc, Document)
    assert doc.rows[0].relevancy == value
    assert doc.rows[0].relevancy_text == ("" if value else cell)


def test_sections_in_any_order_and_unknown_kept() -> None:
    text = """# __T__, (from page [20240102](https://x.test/p/20240102).)

## Notes

reviewer comment: check the figures

## Issues

| name | description | relevancy | confidence |
|---|---|---|---|
| Issue A | about A | 3 | high |

## Themes

* one

## Summary

Para one.

Para two.
"""
    doc = parse(text)
    assert isinstance(doc, Document)
    assert doc.extras[0].name == "Notes" and "check the figures" in doc.extras[0].text
    assert doc.rows[0].extra == [("confidence", "high")]
    assert doc.summary == "Para one.\n\nPara two."
    assert [b.text for b in doc.themes] == ["one"]
    assert {"unknown-section", "unknown-column"} <= set(codes(doc))


def test_crlf_bom_and_trailing_spaces() -> None:
    text = NEW.replace("\n", "   \r\n")
    doc = parse(b"\xef\xbb\xbf" + text.encode())
    assert isinstance(doc, Document)
    assert doc.title == "A Title" and doc.page_id == "20240102"
    assert [b.text for b in doc.keywords] == ["alpha", "beta"]
    assert [r.name for r in doc.rows] == ["Sig one", "Sig two", "Sig three"]
    assert {"bom", "line-endings"} <= set(codes(doc))


def test_cp1252_fallback() -> None:
    text = NEW.replace("alpha", "caf\u00e9 \u2013 na\u00efve")
    doc = parse(text.encode("cp1252"))
    assert isinstance(doc, Document)
    assert doc.keywords[0].text == "café – naïve"
    assert codes(doc)["cp1252"] == 1


def test_mojibake_repair_is_reported_with_line() -> None:
    text = NEW.replace("d1", "SLMsâ€™ edge")
    doc = parse(text)
    assert isinstance(doc, Document)
    assert doc.rows[0].description == "SLMs’ edge"
    moj = [p for p in doc.problems if p.code == "mojibake"]
    assert len(moj) == 1 and moj[0].line == 14


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"  \n\n ", "empty file"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "binary file"),
    (b"\x00\x01\x02\x03" * 100, "binary file"),
    (bytes(range(256)) * 40, "binary"),
    (b"Just some notes\nwith no structure.\n", "not a summary"),
])
def test_bad_input_is_skipped_with_reason(data: bytes, reason: str) -> None:
    result = parse(data)
    assert isinstance(result, Skipped)
    assert result.reason.startswith(reason)


def test_missing_page_link_and_closest_links() -> None:
    text = """# __Only a title__

## Summary

Text.

## Closest

* [Other doc](abc123)
* [Self](doc)
* not a link
"""
    doc = parse(text)
    assert isinstance(doc, Document)
    assert doc.title == "Only a title" and doc.page_id == "" and doc.date == ""
    assert [(c.title, c.target) for c in doc.closest] == [("Other doc", "abc123"), ("Self", "doc")]
    assert doc.extras[0].text == "not a link"
    assert {"no-page-link", "kept-unmapped"} <= set(codes(doc))


def test_list_as_text_and_other_notes() -> None:
    text = """# __T__, from ([20230101](https://x.test/p/20230101).)

## Keywords

alpha, beta; gamma

## Other

* Category: science
* Type: podcast
* Author: Someone
"""
    doc = parse(text)
    assert isinstance(doc, Document)
    assert [b.text for b in doc.keywords] == ["alpha", "beta", "gamma"]
    assert (doc.category, doc.content_type) == ("science", "podcast")
    assert [b.text for b in doc.notes] == ["Author: Someone"]


def test_short_long_duplicate_and_nameless_rows() -> None:
    text = """# __T__, (from page [20240102](https://x.test/p/20240102).)

## Technologies

| name | description | relevancy |
|---|---|---|
| Tech A | about A | 3 |
| Tech A | about A | 3 |
| broken row |
| Tech B | about B | 2 | surplus |
|  | Nameless thing that does stuff. | 4 |
"""
    doc = parse(text)
    assert isinstance(doc, Document)
    names = [r.name for r in doc.rows]
    assert names == ["Tech A", "broken row", "Tech B", "Nameless thing that does stuff"]
    assert doc.rows[2].extra == [("column 4", "surplus")]
    assert doc.rows[3].name_derived
    assert {"duplicate-row", "short-row", "long-row", "derived-name"} <= set(codes(doc))


def test_header_row_repeated_in_any_spelling_is_skipped() -> None:
    """A table's header written again inside it (in another case, bold, with `_` for a space) is skipped; a row
    whose first cell merely contains the header's first word is a row; so with a non-ASCII header."""
    text = """# __T__, (from page [20240102](https://x.test/p/20240102).)

## Signals

| Signal | Ten year outlook | Relevancy |
|---|---|---|
| Quantum sensing | common in labs | 3 |
| **SIGNAL** | ten_year outlook | relevancy |
| Signal names matter | rare | 2 |
| Σήμα | Όψη | 4 |
"""
    doc = parse(text)
    assert isinstance(doc, Document)
    assert [r.name for r in doc.rows] == ["Quantum sensing", "Signal names matter", "Σήμα"]
    assert codes(doc)["repeated-header"] == 1
    greek = parse(text.replace("| Signal | Ten year outlook | Relevancy |", "| ΣΉΜΑ | Όψη | Relevancy |")
                  .replace("| Σήμα | Όψη | 4 |", "| *σήμα* | ΌΨΗ | RELEVANCY |\n| σήματα | Όψη | 4 |"))
    assert isinstance(greek, Document)
    assert len(greek.rows) == 4 and codes(greek)["repeated-header"] == 1  # *σήμα* ... is the header again


def test_helpers() -> None:
    assert page_date("20250622d") == "2025-06-22"
    assert page_date("20290911") == "2029-09-11"
    assert page_date("15526.0") == ""
    assert page_date("20231301") == ""  # month 13
    assert page_date("202312011") == ""  # nine digits is not a date prefix
    assert split_cells("| a | b \\| c |  |") == ["a", "b | c", ""]
    assert derive_name("Researching the effects of various foods on the odor of flatulence.") == (
        "Researching the effects of various foods on the odor")


# ---------------------------------------------------------------- a bare pipe inside a cell


def _pandas_table(descriptions: list[str]) -> str:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tabulate")
    df = pd.DataFrame({"name": [f"Signal {i}" for i in range(len(descriptions))], "description": descriptions,
                       "change": ["up"] * len(descriptions), "10-year": ["more"] * len(descriptions),
                       "driving-force": ["cost"] * len(descriptions), "relevancy": [4.0] * len(descriptions)})
    return df.to_markdown(index=False)  # the format family's tables: pandas, padded to fixed widths


def test_bare_pipe_in_a_cell_is_put_back_from_the_header_boundaries() -> None:
    table = _pandas_table(["AI | ML models spread", "plain text", "a | b | c"])
    doc = parse(f"# T, from ([20240101](https://e.org/x))\n\n## Signals\n\n{table}\n")
    assert isinstance(doc, Document)
    rows = {r.name: r for r in doc.rows}
    assert rows["Signal 0"].description == "AI | ML models spread"
    assert rows["Signal 2"].description == "a | b | c"
    for r in doc.rows:  # nothing shifted: the outlook, the driving force and the relevancy are where they belong
        assert (r.change, r.ten_year, r.driving_force, r.relevancy, r.extra) == ("up", "more", "cost", 4, [])
    repaired = [p for p in doc.problems if p.code == "pipe-in-cell"]
    assert [p.line for p in repaired] == [7, 9] and codes(doc)["long-row"] == 0


def test_escaped_pipes_still_work_and_an_unaligned_long_row_is_still_reported() -> None:
    doc = parse("# T, from ([20240101](https://e.org/x))\n\n## Signals\n\n"
                "| name | description | change |\n|---|---|---|\n"
                "| S1 | one \\| two | up |\n| S2 | a | b | c |\n")
    assert isinstance(doc, Document)
    rows = {r.name: r for r in doc.rows}
    assert rows["S1"].description == "one | two" and rows["S1"].change == "up"
    assert codes(doc)["long-row"] == 1 and codes(doc)["pipe-in-cell"] == 0
    assert rows["S2"].extra == [("column 4", "c")]  # kept, and reported


@pytest.mark.parametrize("text, name", [
    ("AI tools are being developed to assess and monitor psychological wellbeing in employees across sectors",
     "AI tools are being developed to assess"),
    ("Remote work, once rare, is now common across sectors in many countries of the world",
     "Remote work, once rare, is now common across sectors"),
    ("Companies adopt small models. They are cheaper.", "Companies adopt small models"),
    ("Supercalifragilisticexpialidocious", "Supercalifragilisticexpialidocious"),
    ("Growing demand for the", "Growing demand"),
    ("Consumers increasingly prefer local products bought directly from farmers markets nearby today",
     "Consumers increasingly prefer local products bought directly"),
])
def test_derived_names_end_at_a_boundary(text: str, name: str) -> None:
    derived = derive_name(text)
    assert derived == name
    last = derived.split()[-1].lower()
    assert last not in {"a", "an", "and", "of", "the", "to", "for", "on", "in", "with", "that", "which"}
    assert all(w in text.split() or w.rstrip(",") in text for w in derived.split())  # whole words only
