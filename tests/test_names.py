"""Name spellings: mentions, variant detection quality on a labelled fixture, the GX expectation."""

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from validators.config import Config
from validators.features.name import NameLexicon, build_mentions, near_variants, variant_key
from validators.frame import Table
from validators.pipeline import check

FIXTURE = REPO / "tests" / "fixtures" / "names"


@pytest.fixture(scope="module")
def fixture_report():
    return check([FIXTURE / "corpus"], Config(root=REPO, select=["NM"]))


def test_variant_detection_precision_and_recall(fixture_report, capsys):
    labels = json.loads((FIXTURE / "pairs.json").read_text(encoding="utf-8"))
    expected = {(v["variant"], v["canonical"]) for v in labels["variants"]}
    assert len(expected) >= 15 and len(labels["distinct"]) >= 10
    assert len({v["kind"] for v in labels["variants"]}) >= 6

    reported = set()
    for f in fixture_report.findings:
        surface = f.message.split("“", 1)[1].split("”", 1)[0]
        target = f.suggestion.split("“", 1)[1].split("”", 1)[0]
        reported.add((surface, target))
    true_positives = len(reported & expected)
    precision = true_positives / len(reported)
    recall = true_positives / len(expected)
    merged_distinct = [p for p in labels["distinct"] if tuple(p) in reported or tuple(reversed(p)) in reported]
    with capsys.disabled():
        print(f"\nname variants: precision {precision:.3f}, recall {recall:.3f} "
              f"({true_positives} of {len(expected)} pairs found, {len(reported) - true_positives} false)")  # fmt: skip
    assert merged_distinct == []
    assert precision >= 0.95 and recall >= 0.90, (sorted(reported - expected), sorted(expected - reported))


def test_each_finding_lists_every_place_of_the_corpus_spelling(fixture_report):
    (finding,) = [f for f in fixture_report.findings if "“Kim Jong-un”" in f.message]
    assert len(finding.related) == 4
    assert {p.path.rsplit("/", 1)[-1] for p in finding.related} == {"01_korea_talks.txt", "03_korea_analysis.txt"}


LEXICON = NameLexicon(particles=frozenset({"bin", "von", "der"}), leading_words=frozenset({"In", "The"}))


@pytest.mark.parametrize(
    "text, mentions",
    [
        ("Talks with Kim Jong-un ended.", ["Kim Jong-un"]),
        ("The U.S. and the UN met.", ["U.S.", "UN"]),
        ("Ursula von der Leyen spoke.", ["Ursula von der Leyen"]),
        ("In April, Kim set a deadline.", []),
        ("MEETING THE DEADLINE?", []),
        ("He met Kim. Then he left.", []),
    ],
)
def test_extract_mentions(text, mentions):
    frame = Table({"path": ["a.txt"], "doc_id": [0], "para": [0], "line_start": [1], "raw": [text]})
    assert build_mentions(frame, LEXICON)["surface"] == mentions


def test_variant_key_folds_spelling_but_not_letters():
    assert variant_key("Kim Jong-un") == variant_key("KIM JONG UN") == variant_key("Kim Jongun") == "kimjongun"
    assert variant_key("U.S.") == variant_key("US")
    assert variant_key("Recep Tayyip Erdoğan") == variant_key("Recep Tayyip Erdogan")
    assert variant_key("Kim Jong Il") != variant_key("Kim Jong Un")


def test_mentions_frame_has_places_keys_and_canonical_forms(tmp_path):
    (tmp_path / "a.txt").write_text("Intro.\n\nThe leader Kim Jong-un spoke.\n")
    (tmp_path / "b.txt").write_text("The leader Kim Jong Un spoke. Kim Jong Un left.\n")
    report = check([tmp_path], Config(root=tmp_path))
    m = report.mentions
    row = m[m["surface"] == "Kim Jong-un"].iloc[0]
    assert (row["line"], row["column"], row["key"], row["canonical"], row["variant_of"]) == (
        3, 12, "kimjongun", "Kim Jong Un", "Kim Jong Un",
    )  # fmt: skip
    assert m[m["surface"] == "Kim Jong Un"]["variant_of"].isna().all()


def test_registry_file_errors_are_clear():
    from validators.errors import ConfigError

    with pytest.raises(ConfigError, match="needs a name and a list of variants"):
        NameLexicon.parse("names.toml", "[[canonical]]\nvariants = ['x']\n")
    with pytest.raises(ConfigError, match="pair of names"):
        NameLexicon.parse("names.toml", "distinct = [['a', 'b', 'c']]\n")
    with pytest.raises(ConfigError, match="unknown key"):
        NameLexicon.parse("names.toml", "canonicals = []\n")


def test_declared_distinct_names_are_never_slips():
    frame = Table({
        "path": ["a.txt"] * 3, "doc_id": [0] * 3, "para": [0, 1, 2], "line_start": [1, 3, 5],
        "raw": ["The singer Bryan Adams sang.", "The singer Bryan Adams left.", "The singer Ryan Adams sang."],
    })  # fmt: skip
    slipped = [v for v in build_mentions(frame, LEXICON)["near_variant_of"] if v is not None]
    assert slipped == ["Bryan Adams"]
    distinct = NameLexicon.parse("names.toml", "distinct = [['Ryan Adams', 'Bryan Adams']]\n")
    assert [v for v in build_mentions(frame, distinct)["near_variant_of"] if v is not None] == []


def test_gx_expectation_one_spelling_per_key_flags_the_minority_rows():
    import great_expectations as gx

    from validators import gx_expectations  # noqa: F401 (registers the type)
    from validators.evaluate import evaluate_with_gx
    from validators.suite import parse_suite

    mentions = Table({
        "mention_id": [0, 1, 2, 3, 4],
        "key": ["kimjongun", "kimjongun", "kimjongun", "kimjongil", None],
        "surface": ["Kim Jong Un", "Kim Jong-un", "Kim Jong Un", "Kim Jong Il", "Kim Chong-un"],
    })  # fmt: skip
    suite = parse_suite("test.json", json.dumps({
        "name": "m", "meta": {"frame": "mentions", "index_columns": ["mention_id"]},
        "expectations": [{"type": "expect_column_pair_values_to_have_one_spelling_per_key",
                          "kwargs": {"column_A": "key", "column_B": "surface"}, "meta": {"code": "NM001"}}],
    }))  # fmt: skip
    (outcome,) = evaluate_with_gx({"paragraphs": Table(), "mentions": mentions}, [suite])
    assert outcome.rows == (1,)
    clean = Table({name: values[:1] + values[2:] for name, values in mentions.columns.items()})
    assert evaluate_with_gx({"paragraphs": Table(), "mentions": clean}, [suite]) == []
    assert gx is not None


@st.composite
def names_with_slips(draw):
    """Names, and one-edit slips of them at any position (first and last letters too)."""
    bases = draw(st.lists(st.text("abcdeklmnor", min_size=8, max_size=12), min_size=1, max_size=8, unique=True))
    names = list(bases)
    for base in bases:
        at = draw(st.integers(0, len(base) - 1))
        letter = draw(st.sampled_from("abcdeklmnor"))
        edit = draw(st.sampled_from(["insert", "delete", "substitute"]))
        names.append(base[:at] + (letter if edit != "delete" else "") + base[at + (edit != "insert") :])
    return names


@settings(max_examples=300, deadline=None)
@given(names=names_with_slips(), counts=st.lists(st.integers(1, 5), min_size=16, max_size=16), looked_up=st.integers(1, 8))
def test_looking_up_a_few_names_finds_the_slips_a_full_lookup_finds(names, counts, looked_up):
    """The hook looks up only the changed files' names; it must find what a full run finds for them."""
    spaced = {n: n for n in names if len(n) >= 8}
    counter = Counter(dict(zip(spaced, counts, strict=False)))
    spaced = {k: spaced[k] for k in counter}
    minors = list(reversed(counter))[:looked_up]  # the slips come last
    everything = near_variants(counter, spaced, frozenset())
    assert near_variants(counter, spaced, frozenset(), minors) == {m: everything[m] for m in minors if m in everything}
