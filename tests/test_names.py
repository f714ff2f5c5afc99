"""Name spellings: mentions, variant detection quality on a labelled fixture, the GX expectation."""

import json
from collections import Counter
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from validators.config import Config
from validators.features import name as name_features
from validators.features.name import (
    _CODE,
    _LOWER_WORD,
    _TOKEN,
    NameLexicon,
    _scan,
    code_spans,
    MAX_RUN_WORDS,
    MAX_WORD_CHARS,
    lowercase_words,
    mention_candidates,
    near_variants,
    variant_key,
)
from validators.features.mentions import build_mentions
from validators.frame import Table
from validators.pipeline import check

FIXTURE = REPO / "tests" / "fixtures" / "names"


@pytest.fixture(scope="module")
def fixture_report():
    return check([FIXTURE / "corpus"], Config(root=REPO, select=["NM"]))


def test_variant_detection_precision_and_recall(fixture_report, capsys):
    labels = json.loads((FIXTURE / "pairs.json").read_text(encoding="utf-8"))
    expected = {(v["variant"], v["canonical"]) for v in labels["variants"]}
    assert len(expected) >= 35 and len(labels["distinct"]) >= 25
    assert len({v["kind"] for v in labels["variants"]}) >= 10

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
    assert [f.message for f in fixture_report.findings if f.code == "NM004"] == []  # the fixture has no tie
    assert precision == 1.0 and recall >= 0.95, (sorted(reported - expected), sorted(expected - reported))


def test_each_finding_lists_every_place_of_the_corpus_spelling(fixture_report):
    (finding,) = [f for f in fixture_report.findings if "“Kim Jong-un”" in f.message]
    assert len(finding.related) == 4
    assert {p.path.rsplit("/", 1)[-1] for p in finding.related} == {"01_korea_talks.txt", "03_korea_analysis.txt"}


LEXICON = NameLexicon(
    particles=frozenset({"bin", "von", "der", "al-"}),
    leading_words=frozenset({"In", "The", "Then"}),
    not_names=frozenset({"P.M."}),
)


@pytest.mark.parametrize(
    "text, mentions",
    [
        ("Talks with Kim Jong-un ended.", ["Kim Jong-un"]),
        ("The U.S. and the UN met.", ["U.S.", "UN"]),
        ("Ursula von der Leyen spoke.", ["Ursula von der Leyen"]),
        # a one-word name spelled one way, with no slip near it, is not a row: no rule can report it
        ("In April, Kim set a deadline.", []),
        ("MEETING THE DEADLINE?", []),
        ("He met Kim. Then he left.", []),
        ("Police stood at Al-Aqsa on Friday. The Al Aqsa committee met.", ["Al-Aqsa", "Al Aqsa"]),
        # particles and initials inside a run
        ("The leader Abu Bakr al-Baghdadi was killed.", ["Abu Bakr al-Baghdadi"]),
        ("The novelist J.K. Rowling and fans of A.C. Milan met George W. Bush.", ["J.K. Rowling", "A.C. Milan", "George W. Bush"]),
        # no mention inside a code, a ticker, an address or a file name
        ("The yield US10YT=RR rose; the yen JPY= fell; SC2 players and @NASA tweeted.", []),
        ("The page example.com and Toolkit:PictureInPicture changed.", []),
        # a party tag and a time are not names; initials in a reference are not acronyms
        ("Senator Ted Cruz (R-TX) spoke at 6 P.M. on Friday.", ["Senator Ted Cruz", "R-TX"]),
        ("Chi MH, Yang DC et al. reported it.", []),
    ],
)
def test_extract_mentions(text, mentions):
    frame = Table({"path": ["a.txt"], "doc_id": [0], "para": [0], "line_start": [1], "raw": [text]})
    assert build_mentions(frame, LEXICON)["surface"] == mentions


def test_no_mention_inside_any_of_many_codes():
    # Names between codes are found, none inside one, however many codes the line holds
    # (a page whose sentences were glued together: "century.The" is a code).
    pieces = [f"Kim Jong Un met Moon Jae-in in Seoul on day {i}.Talks resumed in US10YT=RR{i} terms" for i in range(300)]
    frame = Table({"path": ["a.txt"], "doc_id": [0], "para": [0], "line_start": [1], "raw": [" ".join(pieces) + "."]})
    surfaces = build_mentions(frame, LEXICON)["surface"]
    assert surfaces.count("Kim Jong Un") == 300 and surfaces.count("Moon Jae-in") == 300
    assert not any("Talks" in s or "US10YT" in s or "RR" in s for s in surfaces)


def test_a_run_of_words_longer_than_a_name_is_no_candidate_and_the_names_beside_it_are():
    # A menu or a title-case line of many capitalised words, or a word longer than any name,
    # is no name: its keys' slips would grow as the square of its length (a 60 KB line of
    # "Click" took 4 GB).
    longest = " ".join(["Lorem", "Ipsum", "Dolor", "Amet", "Elit", "Sed", "Eiusmod", "Tempor", "Labore", "Dolore", "Magna", "Aliqua"])
    assert len(longest.split()) == MAX_RUN_WORDS
    spans, _, _ = mention_candidates(f"They said {longest} today.", LEXICON)
    assert len(spans) == 1 and len(spans[0][0]) == MAX_RUN_WORDS  # at the limit: still a run
    spans, singles, _ = mention_candidates(f"They said {longest} Enim today.", LEXICON)
    assert spans == [] and singles.split() == ["^They"]  # none of the run's words, alone either
    spans, singles, _ = mention_candidates("They said " + "Click " * 10_000 + "today, and Kim Jong Un left.", LEXICON)
    assert [len(starts) for starts, _, _ in spans] == [3] and singles.split() == ["^They"]  # Kim Jong Un only
    word = "Llanfair" + "a" * MAX_WORD_CHARS
    assert mention_candidates(f"They met in {word} Town and in Tegucigalpa.", LEXICON)[1].split() == ["^They", "Tegucigalpa"]


def _mentions(*texts: str, lexicon=LEXICON):
    n = len(texts)
    frame = Table({"path": [f"{i}.txt" for i in range(n)], "doc_id": list(range(n)), "para": [0] * n,
                   "line_start": [1] * n, "raw": list(texts)})  # fmt: skip
    return build_mentions(frame, lexicon)


def test_one_word_names_in_mid_sentence_and_their_variants():
    m = _mentions("Shares of LinkedIn rose.", "Analysts at LinkedIn agreed.", "A note on Linkedin was cautious.")
    assert m["surface"] == ["LinkedIn", "LinkedIn", "Linkedin"] and m["variant_of"] == [None, None, "LinkedIn"]
    m = _mentions("Demand for the iPhone rose.", "The iPhone sold out.", "A shop sold the Iphone cheaply.")
    assert m["variant_of"] == [None, None, "iPhone"]
    m = _mentions("Traders on Wall Street sold.", "Wall Street rose.", "A blog predicted a crash on Wallstreet.")
    assert m["variant_of"] == [None, None, "Wall Street"]
    # a sentence's first word alone is not a one-word name unless the corpus writes it so in mid-sentence
    m = _mentions("Linkedin rose. It fell.", "Shares of LinkedIn fell.", "Analysts at LinkedIn agreed.")
    assert "Linkedin" not in m["surface"] and all(v is None for v in m["variant_of"])


def test_a_word_the_corpus_writes_in_lower_case_is_not_a_one_word_name():
    variants = ("Officials in Polish towns met.", "Officials in Polish cities met.", "Officials in Polísh villages met.")
    assert [v for v in _mentions(*variants)["variant_of"] if v] == ["Polish"]
    assert _mentions(*variants, "We polish the silver.")["surface"] == []
    # a hyphenated word whose later part is a common word is not a name either
    assert _mentions("He wore a red T-Shirt.", "A red T-shirt hung in the shirt shop.")["surface"] == []


def test_acronyms_are_compared_with_capitals_only_and_keep_their_hyphens():
    m = _mentions("SEOUL (Reuters) - Talks in Seoul ended.", "Officials in Seoul said so, and SEOUL agreed.")
    assert [k for k in m["key"] if k is not None] and all(v is None for v in m["variant_of"])
    m = _mentions("Ted Cruz (R-TX) spoke.", "The RTX card, the RTX board and the RTX chip.")
    assert all(v is None for v in m["variant_of"])
    m = _mentions("The US said so.", "The U.S. said so. The U.S. agreed, and the U.S. left.")
    assert [v for v in m["variant_of"] if v] == ["U.S."]


def test_dotted_initials_before_a_surname_are_not_an_acronym_of_their_own():
    m = _mentions("The novelist J.K. Rowling wrote it.", "The firm JK grew. The JK plant and the JK shop.")
    assert "J.K." not in m["surface"] and all(v is None for v in m["variant_of"])
    # initials the corpus writes on their own are one: "U.S. Senate" holds "U.S."
    m = _mentions("The U.S. Senate voted.", "The U.S. said so.")
    assert m["surface"] == ["U.S.", "U.S."]


def test_one_word_slips_pair_a_doubled_letter_only_and_never_short_names():
    zelensky = _mentions(*["Aides of Zelensky spoke."] * 3, "A photograph of Zelenskyy.")
    assert [v for v in zelensky["near_variant_of"] if v] == ["Zelensky"]
    kim = _mentions(*["Aides of Kim spoke."] * 5, "The band Kin played.")
    assert [v for v in kim["near_variant_of"] if v] == []
    towns = _mentions(*["Buses to Wellington ran."] * 5, "A bus to Wallington ran.")
    assert [v for v in towns["near_variant_of"] if v] == []
    # two words the corpus writes in lower case are different words, not a slip
    pay = _mentions(*["Users of Google Play can play."] * 4, "Users of Google Pay can pay.")
    assert [v for v in pay["near_variant_of"] if v] == []


def test_a_tie_is_decided_by_the_documents_else_reported_with_both_spellings():
    tie = _mentions("The envoy of Moon Jae-in spoke.", "The envoy of Moon Jae In spoke.")
    assert tie["variant_of"] == [None, None] and tie["key"] == [None, None]
    assert tie["tied_with"] == ["Moon Jae In", "Moon Jae-in"]
    # a tie between a joined and a spaced form is too little to say they are one name
    joined = _mentions("The guide to New Zealand Wildlife.", "The book New Zealand Wild Life.")
    assert joined["tied_with"] == [None, None] and joined["variant_of"] == [None, None]
    # as many mentions, but one spelling in more files: that spelling is the corpus's
    spread = _mentions("The Moon Jae In era. Moon Jae In spoke.", "Moon Jae-in spoke.", "Then Moon Jae-in left.")
    assert [v for v in spread["variant_of"] if v] == ["Moon Jae-in", "Moon Jae-in"]
    assert all(t is None for t in spread["tied_with"])


def test_a_capital_the_sentence_gives_is_not_a_variant():
    m = _mentions("Osama bin Laden hid.", "The hunt for Osama bin Laden ended.", "Bin Laden was killed.")
    assert all(v is None for v in m["variant_of"])
    m = _mentions("It runs on macOS and on macOS servers.", "MacOS is popular.")
    assert all(v is None for v in m["variant_of"])


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
    for key in ("particles", "leading_words", "not_names"):  # each a list of words, not a number or one string
        for value in ("5", "[1, 2]", '"al, bin"'):
            with pytest.raises(ConfigError, match=f"{key} must be a list of words in quotes"):
                NameLexicon.parse("names.toml", f"{key} = {value}\n")
    with pytest.raises(ConfigError, match=r"as a \[\[canonical\]\] table \(two brackets\)"):
        NameLexicon.parse("names.toml", "[canonical]\nname = 'Kim Jong Un'\nvariants = ['Kim Jong-un']\n")
    with pytest.raises(ConfigError, match="needs a name and a list of variants"):
        NameLexicon.parse("names.toml", "[[canonical]]\nname = 'Kim Jong Un'\nvariants = 'Kim Jong-un'\n")
    # Both ways round: fix would rewrite the text back and forth on every run.
    both = "[[canonical]]\nname = 'Kim Jong Un'\nvariants = ['Kim Jong-un']\n[[canonical]]\nname = 'Kim Jong-un'\nvariants = ['Kim Jong Un']\n"
    with pytest.raises(ConfigError, match="'Kim Jong-un' is in the registry under both 'Kim Jong Un' and 'Kim Jong-un'"):
        NameLexicon.parse("names.toml", both)
    twice = "[[canonical]]\nname = 'Kim Jong Un'\n[[canonical]]\nname = 'Kim Jong-Un'\n"
    with pytest.raises(ConfigError, match="'Kim Jong Un' and 'Kim Jong-Un', which fold to one key"):
        NameLexicon.parse("names.toml", twice)
    fine = NameLexicon.parse("names.toml", "particles = ['al-']\n[[canonical]]\nname = 'Kim Jong Un'\nvariants = ['Kim Jong-un', 'Kim Jong-Un']\n")
    assert fine.registry["Kim Jong-un"] == fine.registry["Kim Jong-Un"] == "Kim Jong Un"


def test_declared_distinct_names_are_never_slips():
    frame = Table({
        "path": ["a.txt"] * 3, "doc_id": [0] * 3, "para": [0, 1, 2], "line_start": [1, 3, 5],
        "raw": ["The singer Bryan Adams sang.", "The singer Bryan Adams left.", "The singer Ryan Adams sang."],
    })  # fmt: skip
    slipped = [v for v in build_mentions(frame, LEXICON)["near_variant_of"] if v is not None]
    assert slipped == ["Bryan Adams"]
    distinct = NameLexicon.parse("names.toml", "distinct = [['Ryan Adams', 'Bryan Adams']]\n")
    assert [v for v in build_mentions(frame, distinct)["near_variant_of"] if v is not None] == []


def test_tie_warning_names_both_spellings_and_fix_leaves_it(cli, corpus):
    folder = corpus({"a.txt": "Gamers bought the G-SYNC monitor from Moon Jae-in.\n",
                     "b.txt": "Gamers bought the GSYNC monitor from Moon Jae In.\n"})  # fmt: skip
    result = cli("check", folder, "--select", "NM", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert {(f["code"], f["severity"]) for f in findings} == {("NM004", "warning")}
    assert len(findings) == 2 and all("“Moon Jae-in”" in f["message"] and "“Moon Jae In”" in f["message"] for f in findings)
    assert result.exit_code == 0  # a warning: the gate passes
    cli("fix", folder, "--select", "NM")
    assert (folder / "a.txt").read_text() == "Gamers bought the G-SYNC monitor from Moon Jae-in.\n"
    assert (folder / "b.txt").read_text() == "Gamers bought the GSYNC monitor from Moon Jae In.\n"


MAJORITY = "The U.S. said so. The U.S. agreed. The U.S. left. The U.S. came back.\n"


@pytest.mark.parametrize(
    "before, after",
    [
        # the sentence's full stop is the abbreviation's last dot, not a second one
        ("The president flew back to the US.\n", "The president flew back to the U.S.\n"),
        ("He said it was made in the US. Then he left.\n", "He said it was made in the U.S. Then he left.\n"),
        ("Talks with the US, and with Canada, resumed.\n", "Talks with the U.S., and with Canada, resumed.\n"),
        # nothing inside a code or a ticker
        ("The yield US10YT=RR rose as the dollar JPY= fell.\n", "The yield US10YT=RR rose as the dollar JPY= fell.\n"),
        ("Fans of SC2 and of the US team met.\n", "Fans of SC2 and of the U.S. team met.\n"),
    ],
)
def test_fix_renames_whole_mentions_and_keeps_the_sentence_stop(cli, corpus, before, after):
    folder = corpus({"a.txt": before, "b.txt": MAJORITY})
    report = json.loads(cli("check", folder, "--select", "NM", "--format", "json").stdout)
    for f in report["findings"]:  # each edit lies inside its finding's span ("US." when the dot is taken)
        line = (folder / f["path"].rsplit("/", 1)[-1]).read_text().splitlines()[f["line"] - 1]
        assert line[f["column"] - 1 : f["end_column"] - 1] in ("US", "US.")
    cli("fix", folder, "--select", "NM")
    assert (folder / "a.txt").read_text() == after
    assert cli("fix", folder, "--select", "NM", "--diff").exit_code == 0  # settled


def test_fix_keeps_a_dotted_abbreviation_stop_and_leaves_the_ambiguous_place(cli, corpus):
    folder = corpus({
        "a.txt": "Aid reached the U.S.\n\nAid reached the U.S. Officials said so.\n\nThe U.S. economy grew.\n",
        "b.txt": "The US said so. The US agreed. The US left. The US came back. The US grew.\n",
    })  # fmt: skip
    cli("fix", folder, "--select", "NM")
    # "U.S. Officials": the dot may end the sentence or not, so that place is left as written
    assert (folder / "a.txt").read_text() == "Aid reached the US.\n\nAid reached the U.S. Officials said so.\n\nThe US economy grew.\n"


def test_fix_leaves_party_tags_and_codes_shaped_like_other_names(cli, corpus):
    text = "Senator Ted Cruz (R-TX) spoke. Sales of SC2 and S.C. rose; the RTX card sold.\n"
    folder = corpus({"a.txt": text, "b.txt": "The RTX card. The RTX board. The RTX chip. The S.C. team.\n"})
    cli("fix", folder, "--select", "NM")
    assert (folder / "a.txt").read_text() == text


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
    # on a tie no spelling is preferred, so neither is expected (which came first decides nothing)
    tie = Table({name: values[:2] for name, values in mentions.columns.items()})
    (outcome,) = evaluate_with_gx({"paragraphs": Table(), "mentions": tie}, [suite])
    assert outcome.rows == (0, 1)
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


BUNDLED = (REPO / "expectations" / "names.toml").read_text(encoding="utf-8")
CITING = NameLexicon.parse("names.toml", BUNDLED)


@pytest.mark.parametrize(
    "reference",
    [
        '^ Abe, K. (2012). "Early Maori gardens". Coastal Letters. Retrieved 4 March 2013.',
        "^ Ward, L. (2009). Maori gardens. Harbour Press. ISBN 978-0-00-000000-2.",
        "12. Ward L. Maori gardens on the coast. Coastal Letters. 2009;4:1-9. doi:10.5555/cl.4.1",
        '^ "Maori gardens". US Weekly. Archived from the original on 2 May 2011.',
    ],
)
def test_a_reference_list_entry_keeps_its_source_spelling(reference):
    # prose writes "Māori" three times; the cited title's "Maori" and the publisher's "US" are the source's
    prose = ["Māori gardens were mapped.", "The Māori names stayed.", "A Māori elder spoke.", "The U.S. said so. The U.S. agreed. The U.S. left."]
    m = _mentions(*prose, reference, lexicon=CITING)
    assert [r for r, path in zip(m["surface"], m["path"], strict=True) if path == "4.txt"] == []
    assert [v for v in m["variant_of"] if v] == []


@pytest.mark.parametrize(
    "prose",
    [
        "Data: tables are at https://doi.org/10.5555/t.2019, and interviews in Maori villages are with the authors.",
        "Retrieved from the river, the canoe was carved by Maori craftsmen.",
        "The book, retrieved 4 March from a shelf, names Maori villages.",
    ],
)
def test_prose_that_links_or_says_retrieved_is_still_read(prose):
    m = _mentions("Māori gardens were mapped.", "The Māori names stayed.", "A Māori elder spoke.", prose, lexicon=CITING)
    assert [v for v in m["variant_of"] if v] == ["Māori"]


def test_bad_citation_marks_are_clear_errors():
    from validators.errors import ConfigError

    with pytest.raises(ConfigError, match="citation_marks must be a list"):
        NameLexicon.parse("names.toml", "citation_marks = 'doi'\n")
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        NameLexicon.parse("names.toml", "citation_marks = ['(doi']\n")
    with pytest.raises(ConfigError, match="citation_marks"):
        NameLexicon.parse("names.toml", "citation_marks = ['(a+)+$']\n")
    for mark in ("", "(?:doi)?"):  # found in every paragraph: every name finding would go, unseen
        with pytest.raises(ConfigError, match="matches an empty text, so every paragraph would be a reference-list entry"):
            NameLexicon.parse("names.toml", f"citation_marks = ['Retrieved', '{mark}']\n")


def test_a_registry_name_led_by_an_acronym_is_one_mention():
    text = ("A profile ran in US Weekly on Friday.", "The U.S. said so. The U.S. agreed. The U.S. left.", "The US team won.")
    # unregistered, the magazine's "US" reads as the country's: the corpus cannot tell them apart
    assert "US Weekly" not in _mentions(*text)["surface"] and _mentions(*text)["variant_of"][0] == "U.S."
    registry = NameLexicon.parse("names.toml", BUNDLED + "[[canonical]]\nname = 'Us Weekly'\nvariants = ['US Weekly']\n")
    m = _mentions(*text, lexicon=registry)
    assert m["surface"][0] == "US Weekly" and m["registry_variant_of"][0] == "Us Weekly" and m["variant_of"][0] is None
    assert [v for v in m["variant_of"] if v] == ["U.S."]  # "The US team" still is the country
    # a registered name without variants: its run is the name, its dotted form a registry variant
    women = NameLexicon.parse("names.toml", BUNDLED + "[[canonical]]\nname = 'UN Women'\n")
    m = _mentions("Funding for UN Women rose.", "Funding for U.N. Women fell.", "The UN met.", lexicon=women)
    assert m["surface"][:2] == ["UN Women", "U.N. Women"] and m["registry_variant_of"][:2] == [None, "UN Women"]


def test_an_acronym_tie_counts_only_where_the_corpus_establishes_the_acronym():
    once = _mentions("The browser sends its UA string.", "The hero enrolls at U.A. next year.")
    assert once["tied_with"] == [None, None] and once["variant_of"] == [None, None]
    thrice = _mentions("The UN met. The UN voted. The UN left.", "The U.N. met. The U.N. voted. The U.N. left.")
    assert all(t for t in thrice["tied_with"])


def test_a_first_name_stays_before_a_lower_case_particle():
    # "Van Gogh" alone and "Vincent van Gogh" in full are one style, not two spellings
    m = _mentions("A letter from Vincent van Gogh survives.", "A sketch that Van Gogh made survives.", lexicon=CITING)
    assert m["surface"] == ["Vincent van Gogh", "Van Gogh"] and m["tied_with"] == [None, None]
    # a title before the name still goes when the corpus names the person without it
    m = _mentions("Foreign Minister Ri Yong Ho spoke.", "Ri Yong Ho left.", "Ri Yong-ho returned.", lexicon=CITING)
    assert m["surface"] == ["Ri Yong Ho", "Ri Yong Ho", "Ri Yong-ho"]


def test_a_word_inside_an_address_is_no_lower_case_use():
    from validators.features.name import lowercase_words

    assert "github" not in lowercase_words("Code is at https://github.com/crew/charts and git@github.com:crew.")
    assert "github" in lowercase_words("Install the github client.")
    m = _mentions("Code moved to GitHub.", "The GitHub page grew.", "Mirrors are on Github now.", "See https://github.com/crew.")
    assert [v for v in m["variant_of"] if v] == ["GitHub"]


@pytest.mark.parametrize("narrow", [False, True])
def test_copies_of_a_file_count_as_often_as_they_are_copied(tmp_path, monkeypatch, narrow):
    # The step builds mentions over one copy of each content and repeats them: the table, the
    # counts that pick the corpus's spelling, and the places must be those of every copy read;
    # also where a hook run decides only the candidates bearing on its file (``narrow``).
    if narrow:
        monkeypatch.setattr(name_features, "NARROW_MIN_RATIO", 0)
    from validators.features.name import load_lexicon
    from validators.ingest import read
    from validators.pipeline import feature_context, featurise

    texts = {
        "a.txt": "Talks with Kim Jong-un ended in Hanoi.\n",
        "b.txt": "Later Kim Jong Un met Moon Jae-in in Seoul.\n",
        "e.txt": "Reporters saw Kim Jong-un leave. They said Kim Jong-un came back.\n",
    }
    config = Config(root=tmp_path, cache=False)

    def mentions(names, report=None):
        folder = tmp_path / "-".join([*names, report or "all"])
        folder.mkdir()
        for name in names:
            (folder / name).write_text(texts.get(name, texts["b.txt"]), encoding="utf-8")
        documents = read([folder])
        paths = None if report is None else {d.path for d in documents if d.path.endswith(report)}
        paragraphs, table = featurise(documents, config, report_paths=paths)
        whole = build_mentions(paragraphs, feature_context(config).resource(load_lexicon), report_paths=paths)
        assert table.columns == whole.columns  # as if every copy were read on its own
        return table

    # "Kim Jong-un" 3 times in 2 files; "Kim Jong Un" once, then in 3 files (two copies)
    once = mentions(["a.txt", "b.txt", "e.txt"])
    assert {v for v in once["variant_of"] if v} == {"Kim Jong-un"}
    copied = mentions(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"])
    assert {v for v in copied["variant_of"] if v} == {"Kim Jong Un"}
    assert copied["surface"].count("Kim Jong Un") == 3 and len(set(copied["doc_id"])) == 5
    # a hook run on a later copy places that copy's mentions, and only them
    hooked = mentions(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"], report="c.txt")
    placed = {p for p, line in zip(hooked["path"], hooked["line"], strict=True) if line}
    assert len(placed) == 1 and placed.pop().endswith("c.txt")


def test_a_one_file_run_reports_what_the_full_run_reports_for_that_file(cli, corpus, tmp_path):
    """A pre-commit run (one file, the corpus as context) keeps only the mentions that bear on
    that file: its names, and the spellings it is told to use. Its name findings, with every
    place they list, are the full run's for that file: variants, slips, ties, house style."""
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted((FIXTURE / "corpus").glob("*.txt"))}
    files["slip.txt"] = "The leader Kim Jung Un spoke to Moon Jae-in.\n"  # one letter from Kim Jong Un (NM002)
    files["house.txt"] = "Ri Sol-ju stood beside Kim Chong-un, and Ri Sol Ju smiled.\n"  # NM003; a tie (NM004)
    corpus(files)
    (tmp_path / "expectations").mkdir()
    house = "[[canonical]]\nname = 'Kim Jong Un'\nvariants = ['Kim Chong-un']\n"
    (tmp_path / "expectations" / "names.toml").write_text(BUNDLED + house, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')

    def findings(*args):
        return json.loads(cli("check", "--engine", "light", "--format", "json", "--select", "NM", *args).stdout)["findings"]

    full = findings()
    assert {"NM001", "NM002", "NM003", "NM004"} <= {f["code"] for f in full}
    for name in files:
        path = f"corpus/{name}"
        assert findings(path, "--with-corpus") == [f for f in full if f["path"] == path], name


_WORDS = [
    "the", "talks", "said", "e.g.", "u.s.", "a.B.", "x.Yz", "ab", "a", "x", "vanity", "van", "de", "bin", "al", "al-", "ibn", "von", "der",
    "Kim", "Jong-un", "Jong", "Un", "U.S.", "U.N.", "A.C.", "Milan", "J.K.", "Rowling", "George", "W.", "Bush", "W",
    "iPhone", "eBay", "KCNA", "NASA", "Ludwig", "Beethoven", "Abu", "Bakr", "al-Baghdadi", "In", "The", "He", "well\u2010known",
    "café", "Café", "Zelensky", "İstanbul", "Straße", "ΣΟΦΙΑ", "ǅemal", "東京", "a中", "e\u0301", "example.com", "@NASA", "US10YT=RR",
]  # fmt: skip
_GAPS = [" ", " ", " ", " ", "  ", ". ", ", ", "\n", "-", "\u2010", ".", "", "'", "’s ", "1", "_", "/", " (", ") ", " “", "” "]


@st.composite
def _texts(draw) -> str:
    """Words and the gaps between them, single spaces most often: runs of names and particles."""
    words = draw(st.lists(st.sampled_from(_WORDS), max_size=16))
    gaps = draw(st.lists(st.sampled_from(_GAPS), min_size=len(words), max_size=len(words)))
    return "".join(w + g for w, g in zip(words, gaps, strict=True))


@settings(max_examples=500, deadline=None)
@given(_texts())
def test_the_tokens_read_find_what_reading_every_token_finds(raw):
    """``_scan`` reads no plain lower-case word that is not a particle (``NameLexicon.tokens``):
    its candidates are those of reading every token (``_TOKEN``), with the bundled lexicon's
    particles and leading words."""
    lexicon = NameLexicon.parse("names.toml", (REPO / "expectations" / "names.toml").read_text())
    lower = lowercase_words(raw)
    assert _scan(raw, lexicon, lower) == _scan(raw, lexicon, lower, _TOKEN)
    assert _scan(raw, LEXICON, lower) == _scan(raw, LEXICON, lower, _TOKEN)


def test_the_tokens_read_skip_plain_lower_case_words_but_particles():
    lexicon = NameLexicon.parse("names.toml", (REPO / "expectations" / "names.toml").read_text())
    read = [m.group() for m in lexicon.tokens.finditer("the talks of Ludwig van Beethoven and vanity, e.g. Jong-un's café iPhone")]
    assert read == ["Ludwig", "van", "Beethoven", "e.g.", "Jong-un", "café", "iPhone"]


_CODE_PIECES = [
    "a", "Ab", "github", "example.com", "x.yz", "a:bc", "a.b", "2024", "=", "/", "@NASA", "_", "\\", "#", "<", ">", "US10YT=RR",
    "café.com", "東京", "-", ".", ":", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "(", ")",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_CODE_PIECES), max_size=30).map("".join))
def test_code_spans_are_the_codes_regex_finds_and_lower_case_words_skip_them(raw):
    assert code_spans(raw) == [m.span() for m in _CODE.finditer(raw)]
    with mock.patch.object(name_features, "_WIDENED", 2):  # the rest of a text of many codes: found by _CODE
        assert code_spans(raw) == [m.span() for m in _CODE.finditer(raw)]
    expected = set(_LOWER_WORD.findall(_CODE.sub(" ", raw)))
    assert lowercase_words(raw) == expected
    assert lowercase_words(raw, code_spans(raw)) == expected


@pytest.fixture
def narrowing(monkeypatch):
    """Runs reporting a few files narrow the name step however small the corpus."""
    monkeypatch.setattr(name_features, "NARROW_MIN_RATIO", 0)


def _one_file_runs(folder, config):
    """Per file of ``folder``: (the mentions step of a run reporting that file alone, which decides
    only the candidates bearing on it, ``bearing_rows``; ``build_mentions`` over every candidate)."""
    from validators.features.name import load_lexicon
    from validators.ingest import read
    from validators.pipeline import corpus_features, feature_context

    documents = read([folder])
    context = feature_context(config)
    corpus = corpus_features(documents, context, None, wanted=["mentions"])
    lexicon = context.resource(load_lexicon)
    step = name_features.MENTIONS.run
    for doc in documents:
        corpus.context.report_paths = {doc.path}
        step(corpus, lexicon)
        yield doc.path, corpus.tables["mentions"], build_mentions(corpus.table, lexicon, report_paths={doc.path})


#: Names, each with spellings a corpus might give it (a hyphen, a space, a case, a slip, a doubled
#: letter, a title before it, initials, a particle), and common words, capitalised or not.
_SPELLINGS = [
    ["Kim Jong Un", "Kim Jong-un", "Kim Jung Un", "Leader Kim Jong Un", "Kim Jong un"],
    ["Moon Jae-in", "Moon Jae In", "President Moon Jae-in", "Moon Jae-In"],
    ["Volodymyr Zelensky", "Volodymyr Zelenskyy", "Zelensky", "Zelenskyy", "Zelenskiy"],
    ["U.S. Senate", "US Senate", "U.S.", "US", "the Senate"],
    ["Osama bin Laden", "Bin Laden", "bin Laden", "Osama Bin Laden"],
    ["Foreign Minister Ri Yong Ho", "Ri Yong Ho", "Ri Yong-ho", "Minister Ri Yong Ho"],
    ["LinkedIn", "Linkedin", "Linked In"],
    ["New Zealand", "New Zeeland", "Zealand"],
    ["Abu Bakr al-Baghdadi", "Abu Bakr Al-Baghdadi", "al-Baghdadi", "Baghdadi"],
    ["Ursula von der Leyen", "Ursula Von der Leyen", "von der Leyen"],
    ["Turkey", "turkey", "Türkiye"],
    ["Wall Street", "Wallstreet", "Wall street"],
]
_PLAIN = ["officials", "said", "talks", "ended", "in", "the", "new", "polish", "leader", "met", "on", "with"]


def _generated_corpus(folder, seed: int) -> None:
    import random

    rng = random.Random(seed)
    folder.mkdir()
    for n in range(rng.randint(4, 9)):
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [rng.choice(rng.choice(_SPELLINGS)) if rng.random() < 0.35 else rng.choice(_PLAIN) for _ in range(rng.randint(3, 9))]
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        (folder / f"{n:02}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", range(12))
def test_a_one_file_run_decides_only_what_bears_on_its_file_and_finds_the_same(tmp_path, seed, narrowing):
    """A pre-commit run decides the name candidates that may bear on its file only; its mentions
    table is the one built from every candidate, on corpora of names spelled several ways."""
    _generated_corpus(tmp_path / "corpus", seed)
    for path, narrowed, whole in _one_file_runs(tmp_path / "corpus", Config(root=tmp_path, cache=False)):
        assert narrowed.columns == whole.columns, path


def test_the_names_fixture_one_file_at_a_time(narrowing):
    for path, narrowed, whole in _one_file_runs(FIXTURE / "corpus", Config(root=REPO, cache=False)):
        assert narrowed.columns == whole.columns, path


#: A file to report, and files whose candidates bear on it only as ``bearing_rows`` says, none
#: sharing a word with it: one slip from a name it writes (a title before it, dropped as a word the
#: corpus writes in lower case), a doubled letter from a one-word name, the registry's spelling of
#: one, and a shorter run that a run sharing a word with it ends in.
_BEARING = {
    "a.txt": "Talks with Ban Ki Mon ended, and Zelenskyy spoke to Ri Yong Ho about Kim Chong-un.\n",
    "b.txt": "The leader of the talks met Moon Jae-in.\n",
    "c.txt": "Leader Ban Ki Moon said so.\n",
    "d.txt": "Leader Ban Ki Moon left.\n",
    "e.txt": "Leader Kim Jong Un spoke.\n",
    "f.txt": "Then Ri Yong Ho Park spoke.\n",
    "g.txt": "Crowds cheered Yong Ho Park twice, and Yong Ho Park waved.\n",
    "h.txt": "Angela Merkel met Emmanuel Macron in Paris.\n",
    "i.txt": "Voters met Zelensky.\n",
    "j.txt": "Reporters asked Zelensky.\n",
    "k.txt": "Officials met Zelensky there.\n",
}
_HOUSE = "[[canonical]]\nname = 'Kim Jong Un'\nvariants = ['Kim Chong-un']\n"


def _candidates_and_keys(texts: list[str], lexicon) -> tuple:
    """Each text as one paragraph of a corpus: its candidates, and the corpus's ``name_keys``."""
    import numpy as np

    from validators.features.name import candidate_keys, mention_candidates

    candidates = [mention_candidates(text, lexicon) for text in texts]
    keys = []
    for row, (text, found) in enumerate(zip(texts, candidates, strict=True)):
        part = candidate_keys([text], [found])
        part[:, 1] = row
        keys.append(part)
    return candidates, np.concatenate(keys)


def test_the_rows_that_bear_on_a_file(tmp_path, narrowing):
    from validators.features.name import bearing_rows

    lexicon = NameLexicon.parse("names.toml", BUNDLED + _HOUSE)
    texts = [text.strip() for _, text in sorted(_BEARING.items())]
    candidates, keys = _candidates_and_keys(texts, lexicon)
    rows = bearing_rows(candidates, texts, keys, [0], lexicon)
    assert sorted(rows) == [0, 2, 3, 4, 5, 6, 8, 9, 10] and rows[2] == candidates[2]  # not b.txt nor h.txt
    # and the mentions a run reporting a file decides are those of the run deciding every candidate
    (tmp_path / "corpus").mkdir()
    for name, text in _BEARING.items():
        (tmp_path / "corpus" / name).write_text(text, encoding="utf-8")
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "names.toml").write_text(BUNDLED + _HOUSE, encoding="utf-8")
    config = Config(root=tmp_path, cache=False, expectations=tmp_path / "expectations")
    runs = list(_one_file_runs(tmp_path / "corpus", config))
    assert all(narrowed.columns == whole.columns for _, narrowed, whole in runs)
    mine = [n for n, path in enumerate(runs[0][1]["path"]) if path.endswith("a.txt")]
    assert {runs[0][1]["near_variant_of"][n] for n in mine} >= {"Ban Ki Moon", "Zelensky"}  # NM002, a slip each
    assert "Kim Jong Un" in {runs[0][1]["registry_variant_of"][n] for n in mine}  # NM003


def test_a_common_word_or_a_runs_first_word_of_the_reported_file_makes_no_other_row_bear(tmp_path, narrowing):
    """A word the corpus writes in lower case is no one-word name, and a run's first word stands
    alone only as dotted initials: the corpus's uses of either decide nothing for the reported
    file (a page's menu of such words made 15 % of a 10,000-page corpus's paragraphs bear on it)."""
    import numpy as np

    from validators.features.name import bearing_rows, corpus_vocabulary, lowercase_words

    texts = {
        "a.txt": "Officials met Ri Yong Ho at New Harbour after Video calls.",
        "b.txt": "The video was long, and the news was new.",
        "c.txt": "They watched Video clips twice.",
        "d.txt": "Crowds waited at New Street.",
        "e.txt": "Talks with Ri Yong Ho ended.",
    }
    rows = list(texts.values())
    candidates, keys = _candidates_and_keys(rows, LEXICON)
    keys = np.concatenate([keys] * 300)  # as many keys as a corpus large enough to narrow
    vocabulary = corpus_vocabulary(" ".join(sorted(lowercase_words(text))) for text in rows)
    assert sorted(bearing_rows(candidates, rows, keys, [0], LEXICON, vocabulary)) == [0, 4]
    assert {2, 3} <= set(bearing_rows(candidates, rows, keys, [0], LEXICON))  # every possible key sought: they bear
    (tmp_path / "corpus").mkdir()
    for name, text in texts.items():
        (tmp_path / "corpus" / name).write_text(text + "\n", encoding="utf-8")
    runs = list(_one_file_runs(tmp_path / "corpus", Config(root=tmp_path, cache=False)))
    assert all(narrowed.columns == whole.columns for _, narrowed, whole in runs)


def test_a_small_corpus_is_not_narrowed():
    """Where the corpus has fewer candidate keys than the slips of the file's names it would
    look for, every candidate is decided: narrowing would cost more than it saves."""
    import numpy as np

    from validators.features.name import bearing_rows, candidate_keys, mention_candidates

    texts = ["Talks with Ban Ki Mon ended.", "Leader Ban Ki Moon said so."]
    candidates = [mention_candidates(text, LEXICON) for text in texts]
    keys = candidate_keys(texts, candidates)
    assert bearing_rows(candidates, texts, keys, [0], LEXICON) is None
    many = np.concatenate([keys] * 600)  # the same keys, as a corpus of 1,200 such rows would have them
    assert sorted(bearing_rows(candidates, texts, many, [0], LEXICON)) == [0, 1]


def _mentions_in_parts(table, lexicon, parts: list[list[int]], report_paths=None) -> Table:
    """The rounds of ``features.mentions`` run on each part of the rows (whole files) apart,
    their sums added between rounds, as the spark engine runs them on its partitions."""
    from collections import Counter

    from validators.features import mentions as rounds
    from validators.features.name import lowercase_words, mention_candidates, name_sets
    from validators.frame import rows_in

    raws = list(table["raw"])
    columns = {name: table[name] for name in ("path", "doc_id", "para", "line_start")}
    vocabulary = set().union(*(lowercase_words(raw) for raw in raws))
    candidates = [mention_candidates(raw, lexicon, vocabulary) for raw in raws]
    reported = None if report_paths is None else set(rows_in(table["path"], report_paths))
    pieces = [rounds.MentionRows([(i, candidates[i]) for i in part], raws, columns, None, reported) for part in parts]
    word_sets = [name_sets(raws, piece.candidates) for piece in pieces]
    sets = rounds.NameSets(vocabulary, *(set().union(*(s[n] for s in word_sets)) for n in range(3)), lexicon)
    first = [rounds.words_and_runs(piece, sets) for piece in pieces]
    whole = sum((counts for _, _, counts in first), Counter())
    second = [rounds.starts_of_runs(piece, runs, vocabulary, whole) for piece, (_, runs, _) in zip(pieces, first, strict=True)]
    one_words = set().union(*(rounds.one_word_surfaces(words) for words, _, _ in first))
    kept = rounds.kept_words(sets, one_words, set().union(*(surfaces for _, surfaces in second)))
    third = [
        rounds.placed_mentions(piece, words, placed, kept)
        for piece, (words, _, _), (placed, _) in zip(pieces, first, second, strict=True)
    ]  # fmt: skip
    lower = set().union(*(surfaces for _, surfaces in third))
    fourth = [rounds.spellings_and_keys(piece, placed, lower, lexicon) for piece, (placed, _) in zip(pieces, third, strict=True)]
    mentions = sum((m for _, m, _, _ in fourth), Counter())
    documents = sum((d for _, _, d, _ in fourth), Counter())
    reported_keys = set().union(*(r for _, _, _, r in fourth))
    minors = None if reported is None else {free for _, _, free in reported_keys}
    spellings = rounds.Spellings.decide(mentions, documents, lexicon, vocabulary, minors)
    wanted = None if reported is None else spellings.wanted(reported_keys)
    made = [rounds.mention_columns(piece, spelled, spellings, wanted) for piece, (spelled, _, _, _) in zip(pieces, fourth, strict=True)]
    joined = {name: [value for part in made for value in part[name]] for name in made[0]}
    return Table({"mention_id": list(range(len(joined["row"]))), **joined})


def _file_parts(table, size: int) -> list[list[int]]:
    """The table's rows in parts of ``size`` files each, in order."""
    parts, files, last = [], 0, None
    for row, doc_id in enumerate(table["doc_id"]):
        if doc_id != last:
            if files % size == 0:
                parts.append([])
            files, last = files + 1, doc_id
        parts[-1].append(row)
    return parts


@pytest.mark.parametrize("seed", range(8))
def test_the_rounds_run_on_parts_of_the_corpus_make_the_table_they_make_on_the_whole(tmp_path, seed):
    """Each round's corpus-wide sums added over parts of the files (a file each, or two) give the
    mentions table decided over every file at once, reporting on every file or on one: what
    lets the spark engine decide names partition by partition."""
    from validators.features.name import load_lexicon
    from validators.ingest import read
    from validators.pipeline import feature_context, featurise

    folder = FIXTURE / "corpus" if seed == 0 else tmp_path / "corpus"
    if seed:
        _generated_corpus(folder, seed)
    config = Config(root=REPO if seed == 0 else tmp_path, cache=False)
    documents = read([folder])
    paragraphs, _ = featurise(documents, config)
    lexicon = feature_context(config).resource(load_lexicon)
    reports = [None, {documents[seed % len(documents)].path}]
    for report_paths in reports:
        whole = build_mentions(paragraphs, lexicon, report_paths=report_paths)
        assert whole.columns["surface"] or seed  # the fixture's names are found
        for size in (1, 2):
            parted = _mentions_in_parts(paragraphs, lexicon, _file_parts(paragraphs, size), report_paths)
            assert parted.columns == whole.columns, (report_paths, size)
