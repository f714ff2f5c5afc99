import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.normalise import FTFY_CONFIG, normalise


def ftfy_reference(raw):
    fixed, steps = ftfy.fix_and_explain(raw, config=FTFY_CONFIG)
    return fixed, tuple((s.action, s.parameter) for s in steps or ())


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200))
@settings(max_examples=1000)
def test_fast_path_is_identical_to_ftfy_on_ascii(raw):
    assert normalise(raw) == ftfy_reference(raw)


@given(st.text(max_size=80))
@settings(max_examples=500)
def test_identical_to_ftfy_on_any_text(raw):
    assert normalise(raw) == ftfy_reference(raw)


def test_mojibake_is_repaired_and_explained():
    text, steps = normalise("Mr. Trumpâ€™s tweet")
    assert text == "Mr. Trump’s tweet"
    assert ("decode", "utf-8") in steps


def test_curly_quotes_and_line_endings_are_kept():
    raw = "“Act quickly,” he said.\r\nNext line"
    assert normalise(raw) == (raw, ())


def test_undecodable_bytes_become_replacement_characters():
    text, _ = normalise("Caf\udce9 au lait")
    assert text == "Caf\ufffd au lait"
