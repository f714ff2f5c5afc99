"""The ``mixed_script`` feature (EN014): words written with lookalike letters of another script."""

from __future__ import annotations

import re

import pytest

from validators.errors import ConfigError
from validators.features.encoding import EncodingPatterns, mixed_script_words
from validators.suite import expectation_file

LOOKALIKES = EncodingPatterns.parse(*expectation_file("encoding.toml", None)).lookalikes


def words(text: str) -> list[tuple[str, str]]:
    return [(text[s:e], fixed) for s, e, fixed in mixed_script_words(text, LOOKALIKES)]


def test_a_latin_word_with_cyrillic_or_greek_lookalikes_is_found_with_its_latin_spelling():
    text = "Advertise in \u0412\u0435l\u0456z\u0435 \u0430nd reach u\u0455 at \u0391thens"  # Веlіzе аnd uѕ Αthens
    assert words(text) == [
        ("\u0412\u0435l\u0456z\u0435", "Belize"),
        ("\u0430nd", "and"),
        ("u\u0455", "us"),
        ("\u0391thens", "Athens"),
    ]


def test_a_cyrillic_word_with_a_latin_lookalike_is_written_back_in_cyrillic():
    assert words("\u043f\u0440o\u0431\u043b\u0435\u043c\u0430 \u0440\u0435\u0448\u0435\u043d\u0430") == [
        ("\u043f\u0440o\u0431\u043b\u0435\u043c\u0430", "\u043f\u0440\u043e\u0431\u043b\u0435\u043c\u0430")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The talks in Hanoi resumed on Monday, the \u201cfirst\u201d in months.",  # Latin only, typography
        "\u041c\u043e\u0441\u043a\u0432\u0430 and \u0391\u03b8\u03ae\u03bd\u03b1 are capitals",  # whole words in one script
        "Amyloid A\u03b2 builds up; NF\u03baB and TGF\u03b2 signal; take 5 \u03bcg",  # Greek symbols beside Latin
        "Caf\u00e9 cr\u00e8me, na\u00efve, \u0141\u00f3d\u017a",  # Latin letters with diacritics
        "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c and Tokyo",  # scripts that mix by nature
    ],
)
def test_text_in_one_script_or_with_symbols_that_only_resemble_is_left_alone(text):
    assert words(text) == []


def test_mojibake_of_a_cyrillic_code_page_is_left_to_the_mojibake_rules(run):
    damaged = "Officials met at l\u2019ouest de la ville on Monday.".encode("utf-8").decode("windows-1251")  # l\u0432\u0402\u2122ouest
    assert words(damaged)  # the words mix scripts, and "fixing" them would make things worse
    report = run({"a.txt": damaged + "\n"})
    assert report.paragraph_table["mixed_script"] == [None]
    assert "EN001" in [f.code for f in report.findings] and "EN014" not in [f.code for f in report.findings]


def test_lookalikes_are_data_and_a_bad_entry_is_a_clear_error():
    classes = expectation_file("encoding.toml", None)[1].split("[lookalikes]")[0]
    assert EncodingPatterns.parse("own.toml", classes, default_lookalikes={"\u0430": "a"}).lookalikes == {"\u0430": "a"}
    with pytest.raises(ConfigError, match="lookalikes: 'x' = 'y' is not a Cyrillic or Greek letter"):
        EncodingPatterns.parse("own.toml", classes + '[lookalikes]\n"x" = "y"\n')


def test_each_character_class_of_encoding_toml_is_checked_with_a_clear_error():
    classes = expectation_file("encoding.toml", None)[1].split("[lookalikes]")[0]
    lines = classes.splitlines()
    first = next(line for line in lines if line.startswith("replacement"))
    others = "\n".join(line for line in lines if line != first) + "\n"
    for text, message in [
        (others + "replacement = 5\n", 'replacement must be a pattern in quotes, e.g. replacement = "'),
        (others, "replacement is missing: each of "),
        (others + 'replacement = "[abc"\n', "replacement: '[abc' is not a valid regular expression"),
        ("replacement = [", "not valid TOML"),
        (others + "replacement = '(\\w+\\s?)+$'\n", "replacement: '(\\\\w+\\\\s?)+$' can take exponential time"),
        (others + first + '\nlookalikes = "none"\n', "lookalikes must be a table of letters"),
        (others + first + '\n[lookalike]\n"\u0430" = "a"\n', "unknown key(s) lookalike"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(message) if "TOML" not in message else message):
            EncodingPatterns.parse("own.toml", text)
    assert EncodingPatterns.parse("own.toml", others + first + "\n").classes["replacement"].pattern


def test_a_corpus_encoding_toml_without_lookalikes_keeps_the_bundled_ones(run, tmp_path):
    own = tmp_path / "expectations"
    own.mkdir()
    (own / "encoding.toml").write_text(expectation_file("encoding.toml", None)[1].split("[lookalikes]")[0])
    report = run({"a.txt": "Visit \u0412\u0435l\u0456z\u0435 this year, the minister said on Monday.\n"}, expectations=own)
    assert report.paragraph_table["mixed_script"] == ["\u0412\u0435l\u0456z\u0435"]


def test_en014_points_at_each_word_names_its_letters_and_fix_writes_it_in_one_script(cli, corpus):
    text = "Officials met in Hanoi on Monday, the ministry said.\n\nAdvertise in \u0412\u0435l\u0456z\u0435 \u0430nd abroad.\n"
    folder = corpus({"a.txt": text})
    result = cli("check", "--engine", "light", "--select", "EN014", "--format", "json", folder)
    findings = __import__("json").loads(result.stdout)["findings"]
    assert [(f["line"], f["column"], f["end_column"], f["severity"], f["fixable"]) for f in findings] == [
        (3, 14, 20, "info", True),
        (3, 21, 24, "info", True),
    ]
    assert "U+0412 CYRILLIC CAPITAL LETTER VE, U+0435 CYRILLIC SMALL LETTER IE ×2" in findings[0]["message"]
    assert findings[0]["suggestion"].startswith("write “Belize”")
    cli("fix", "--select", "EN014", folder)
    assert (folder / "a.txt").read_text(encoding="utf-8") == text.replace("\u0412\u0435l\u0456z\u0435 \u0430nd", "Belize and")
    assert cli("check", "--engine", "light", "--select", "EN014", folder).exit_code == 0
