from hypothesis import given, settings
from hypothesis import strategies as st

from validators.segment import position, segment

# Lines made of words, white space and the three line breaks, blank lines included.
pieces = st.sampled_from(["word", "Kim Jong Un", " ", "\t", "  ", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "é", "\u00a0"])
texts = st.lists(pieces, max_size=40).map("".join)


@given(texts)
@settings(max_examples=500)
def test_paragraphs_and_separators_rebuild_the_text_exactly(text):
    layout = segment(text)
    assert layout.prefix + "".join(p.raw + p.separator for p in layout.paragraphs) == text


@given(texts)
@settings(max_examples=300)
def test_offsets_and_line_numbers_agree_with_the_text(text):
    layout = segment(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for p in layout.paragraphs:
        assert text[p.char_start : p.char_end] == p.raw
        assert p.raw.strip(), "a paragraph is never blank"
        first_line = lines[p.line_start - 1]
        assert p.raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")[0] == first_line


def test_blank_line_blocks():
    layout = segment("Title\n\nFirst line\nsecond line\n\n\n\nLast")
    assert [p.raw for p in layout.paragraphs] == ["Title", "First line\nsecond line", "Last"]
    assert [(p.line_start, p.line_end) for p in layout.paragraphs] == [(1, 1), (3, 4), (8, 8)]
    assert not layout.one_per_line


def test_one_paragraph_per_line_when_the_file_has_no_blank_line():
    layout = segment("One.\nTwo.\r\nThree.")
    assert [p.raw for p in layout.paragraphs] == ["One.", "Two.", "Three."]
    assert [p.line_start for p in layout.paragraphs] == [1, 2, 3]
    assert layout.one_per_line


def test_leading_blank_lines_trailing_spaces_and_no_final_newline():
    text = "\n  \nHello  \n\nWorld"
    layout = segment(text)
    assert layout.prefix == "\n  \n"
    assert [p.raw for p in layout.paragraphs] == ["Hello  ", "World"]
    assert layout.paragraphs[0].line_start == 3
    assert layout.paragraphs[-1].separator == ""


def test_blank_file_has_no_paragraphs():
    layout = segment(" \n\n\t\n")
    assert layout.paragraphs == ()
    assert layout.prefix == " \n\n\t\n"


def test_position_counts_lines_and_code_points_inside_a_paragraph():
    raw = "first line\r\nsecond “line”"
    assert position(raw, 0, 10) == (10, 1)
    assert position(raw, raw.index("“"), 10) == (11, 8)


def test_findings_places_match_position_for_every_ending_and_scan_each_document_once(monkeypatch):
    """Findings keep each document's line breaks for the whole build: places identical to
    ``position``'s for CRLF, CR, LF, mixed endings and text outside the BMP, and a document
    asked about between others (rule after rule) is never scanned again."""
    from validators import findings, segment
    from validators.frame import build_table
    from validators.ingest import decode
    from validators.rules import CorpusView

    endings = [
        "First line here.\r\nSecond line.\r\n\r\nNext paragraph \U0001f600 emoji.\r\n",
        "Old Mac text.\rStill it.\r\rAnother one \U00010348 here.\r",
        "Plain feed.\nMore.\n\nLast \U0001f4f0 line",
        "Mixed\r\nendings\rall\nover.\n\r\n\U0001f600\U0001f600 x\r\n\nend\r",
    ]
    # Twelve different documents: more than ``position``'s own cache keeps.
    texts = [f"Copy {n}: {text}" for n in range(3) for text in endings]
    documents = [decode(f"d{i}.txt", i, text.encode()) for i, text in enumerate(texts)]
    corpus = CorpusView(build_table(documents), None, {d.doc_id: d for d in documents})
    frame = corpus.paragraphs
    assert len(frame["raw"]) > len(texts)  # several paragraphs per document

    rows = range(len(frame["raw"]))
    asked = [(row, offset) for row in rows for offset in range(len(frame["raw"][row]) + len(frame["separator"][row]) + 1)]
    expected = [  # offsets run into the separator too (line-ending rules)
        segment.position(documents[frame["doc_id"][row]].text, offset, int(frame["line_start"][row]), int(frame["char_start"][row]))
        for row, offset in asked
    ]
    assert {line for line, _ in expected} > {1, 2, 3, 4, 5}

    scans = []
    real = segment.LINE_BREAK

    class Counting:
        def finditer(self, text, *args):
            scans.append(text)
            return real.finditer(text, *args)

    monkeypatch.setattr(segment, "LINE_BREAK", Counting())
    segment._breaks.cache_clear()
    locate = findings.Locator(corpus)
    for _rule in range(3):  # each rule asks about every document in turn
        places = [locate.place(row, offset) for row, offset in asked]
        assert [(p.line, p.column) for p in places] == expected
    assert len(scans) == len(texts)  # one scan per document, not per rule or per place


@given(texts, st.data())
@settings(max_examples=300)
def test_a_span_is_placed_where_its_start_and_its_end_each_are(text, data):
    """``span_in`` (a finding's start and end at once) gives what ``position_in`` gives for
    each end alone: across lines, at a break, inside "\\r\\n", and from any paragraph start."""
    from validators.segment import line_breaks, position_in, span_in

    breaks = line_breaks(text)
    base = data.draw(st.integers(0, len(text)))
    offset = data.draw(st.integers(0, len(text) - base))
    end = data.draw(st.integers(0, len(text) - base))
    line_start = data.draw(st.integers(1, 5))
    assert span_in(breaks, offset, end, line_start, base) == (
        *position_in(breaks, offset, line_start, base), *position_in(breaks, end, line_start, base)
    )
