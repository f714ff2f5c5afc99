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
