"""Every rule: a positive case (the rule fires, at the right place) and a negative one."""

import copy
import json
import pickle

import pytest

from validators.config import NoiseSettings
from validators.features.noise import FEATURES_ORDER, NoisePatterns, file_noise_features
from validators.output import junit, sarif, text
from validators.rules import RULES, encoding

STORY = "The talks ended without agreement, officials in Seoul said on Monday evening."


LONG_ARTICLE = (
    "North Korea said on Monday it was not interested in more talks with the United States.\n\n"
    "The statement, carried by the state news agency, blamed Washington for the deadlock.\n\n"
    "Analysts in Seoul said the remarks were aimed at winning concessions before the deadline.\n\n"
    "The two leaders have met three times since June last year without a lasting agreement.\n"
)
OTHER_ARTICLE = (
    "Shares in Tokyo rose on Tuesday as exporters gained on a weaker yen and strong earnings.\n\n"
    "The central bank kept its interest rate unchanged and signalled patience on policy.\n\n"
    "Oil prices fell after a report showed crude stocks rising more than analysts expected.\n"
)


ARTICLE_PARAGRAPHS = LONG_ARTICLE.strip().split("\n\n")


def in_the_story(*lines: str) -> dict[str, str]:
    """A file of LONG_ARTICLE with ``lines`` as paragraphs after its second paragraph."""
    return {"a.txt": "\n\n".join([*ARTICLE_PARAGRAPHS[:2], *lines, *ARTICLE_PARAGRAPHS[2:]]) + "\n"}


def codes(report):
    return [f.code for f in report.findings]


# code -> settings the cases run with (the noise score's thresholds)
CASE_SETTINGS = {
    "BP100": {"noise": NoiseSettings(error_threshold=0.1)},
    "BP101": {"noise": NoiseSettings(error_threshold=0.9, review_threshold=0.1)},
}

# code -> (files where it must fire, files where it must not)
CASES = {
    "BP001": (
        {"a.txt": f"{STORY}\n\nSign up for our daily newsletter\n"},
        {"a.txt": f"{STORY}\n\nVoters were asked to sign up for the new tax credit before the deadline.\n"},
    ),
    "BP002": (
        {"a.txt": f"{STORY}\n\n© 2023 Example Media Group. All rights reserved.\n"},
        {"a.txt": f"{STORY}\n\nThe court ruled the copyright claim over the 1998 song was filed too late.\n"},
    ),
    "BP003": (
        {"a.txt": f"{STORY}\n\nPlease read our comment policy before commenting.\n"},
        {"a.txt": f"{STORY}\n\nThe ministry declined to comment on the report.\n"},
    ),
    "BP004": (
        {"a.txt": f"{STORY}\n\nClick here to read more\n"},
        {"a.txt": f"{STORY}\n\nA single click to approve the payment was enough, investigators said.\n"},
    ),
    "BP005": (
        {"a.txt": f"- The Daily Courier - Monday, November 18, 2019\n\n{STORY}\n"},
        {"a.txt": f"On Monday, November 18, 2019, the talks collapsed after two days of meetings.\n\n{STORY}\n"},
    ),
    "BP006": (
        {"a.txt": f"{STORY}\n\nA protester holds a sign in Seoul. (AP Photo/Ahn Young-joon)\n"},
        {"a.txt": f"{STORY}\n\nThe photographer said the picture was taken on Monday in Seoul.\n"},
    ),
    "BP007": (
        {"a.txt": f"{STORY}\n\nReporting by Josh Smith; Editing by Michael Perry\n"},
        {"a.txt": f"{STORY}\n\nThe reporting by local media was criticised; editing of the footage took weeks.\n"},
    ),
    "BP008": (
        {"a.txt": f"{STORY}\n\nhttps://example.com/news/world/korea-talks\n"},
        {"a.txt": f"{STORY}\n\nThe full statement is on the ministry's website, example.com, officials said.\n"},
    ),
    "BP009": (
        {"a.txt": f"{STORY}\n\nAdvertisement\n\n{STORY.replace('Monday', 'Tuesday')}\n"},
        {"a.txt": f"{STORY}\n\nAdvertisement spending in South Korea fell sharply last year, the survey found.\n"},
    ),
    "BP010": (
        {"a.txt": f"Skip to main content\n\n{STORY}\n\nBack to top\n"},
        {"a.txt": f"{STORY}\n\nInvestors may skip to the main table of results, the ministry said.\n\nBack to the top story: talks resumed.\n"},
    ),
    # The score rules at thresholds set for the test (CASE_SETTINGS): after the story, a
    # line of links scores above them; the story's own paragraphs do not.
    "BP100": (
        {"a.txt": f"{LONG_ARTICLE}\nLog in | Subscribe | Help\n"},
        {"a.txt": LONG_ARTICLE},
    ),
    "BP101": (
        {"a.txt": f"{LONG_ARTICLE}\nLog in | Subscribe | Help\n"},
        {"a.txt": LONG_ARTICLE},
    ),
    "BP102": (
        {f"{n}.txt": f"The Daily Courier\n\nLog in | Subscribe\n\n{story}" for n, story in enumerate((LONG_ARTICLE, OTHER_ARTICLE, STORY + "\n"))},
        # One story copied into three files is a duplicate (DU002), not the site's template text.
        {f"{n}.txt": f"The Daily Courier\n\nLog in | Subscribe\n\n{LONG_ARTICLE}" for n in range(3)},
    ),
    "EN001": (
        {"a.txt": f"{STORY}\n\nMr. Trumpâ€™s tweet was read as a signal.\n"},
        {"a.txt": f"{STORY}\n\nMr. Trump’s tweet was read as a signal.\n"},
    ),
    "EN002": (
        {"a.txt": STORY.encode() + b"\n\nCaf\xe9 owners protested.\n"},
        {"a.txt": STORY + "\n\nCafé owners protested.\n"},
    ),
    "EN003": (
        {"a.txt": b"\xef\xbb\xbf" + STORY.encode() + b"\n"},
        {"a.txt": STORY + "\n"},
    ),
    "EN004": (
        {"a.txt": STORY.encode("utf-16")},
        {"a.txt": STORY + "\n"},
    ),
    "EN005": (
        {"a.txt": f"{STORY}\n\nCaf\ufffd owners protested.\n"},
        {"a.txt": f"{STORY}\n\nCafé owners protested.\n"},
    ),
    "EN006": (
        {"a.txt": f"{STORY}\n\nNorth Korea\x07 said no.\n"},
        {"a.txt": f"{STORY}\n\nNorth Korea\tsaid no.\n"},
    ),
    "EN007": (
        {"a.txt": f"{STORY}\n\nPyong\u200byang said no.\n"},
        {"a.txt": f"{STORY}\n\nThe family \U0001f468\u200d\U0001f469 emoji joins with ZWJ.\n"},
    ),
    "EN008": (
        {"a.txt": f"{STORY}\n\nKim\u00a0Jong Un said no.\n"},
        {"a.txt": f"{STORY}\n\nKim Jong Un said no.\n"},
    ),
    "EN009": (
        {"a.txt": f"{STORY}\n\nTrump &amp; Kim met.\n"},
        {"a.txt": f"{STORY}\n\nTrump & Kim met; AT&T; a&b;c was unchanged.\n"},
    ),
    "EN010": (
        {"a.txt": f"{STORY}\n\nCafe\u0301 owners protested.\n"},
        {"a.txt": f"{STORY}\n\nCaf\u00e9 owners protested.\n"},
    ),
    "EN011": (
        {"a.txt": f"{STORY}\r\n\r\nSecond paragraph here.\n\nThird.\r\n"},
        {"a.txt": f"{STORY}\r\n\r\nSecond paragraph here.\r\n"},
    ),
    "EN012": (
        {"a.txt": f"{STORY}\n\nPrices rose to â€Â 5 million.\n"},
        {"a.txt": f"{STORY}\n\nThe minister said “no” at ‘the meeting’ in Zürich.\n"},
    ),
    "EN014": (
        {"a.txt": f"{STORY}\n\nAdvertise in \u0412\u0435l\u0456z\u0435 with us.\n"},  # Cyrillic В, е, і
        {"a.txt": f"{STORY}\n\nAmyloid A\u03b2 and NF\u03baB were studied in \u041c\u043e\u0441\u043a\u0432\u0430.\n"},
    ),
    "DU001": (
        {"a.txt": f"{STORY}\n", "b.txt": f"Intro line for b.\n\n“{STORY.upper()}”\n"},
        {"a.txt": f"{STORY}\n", "b.txt": "The talks resumed with a new agreement, officials in Tokyo said on Friday.\n"},
    ),
    "DU002": (
        {"a.txt": f"Headline.\n\n{STORY}\n", "b.txt": f"HEADLINE\n\n{STORY.upper()}\n"},
        {"a.txt": f"Headline.\n\n{STORY}\n", "b.txt": f"Another headline.\n\n{STORY}\n"},
    ),
    "DU003": (
        {"a.txt": f"{STORY}\n", "b.txt": "The talks ended without any agreement, officials in Seoul said late on Monday evening.\n"},
        {"a.txt": f"{STORY}\n", "b.txt": "Markets rallied on Tuesday as investors in Tokyo bought technology shares again.\n"},
    ),
    "DU004": (
        {"a.txt": LONG_ARTICLE, "b.txt": "\n\n".join(reversed(LONG_ARTICLE.split("\n\n"))) + "\n\nSubscribe to our free morning briefing.\n"},
        {"a.txt": LONG_ARTICLE, "b.txt": OTHER_ARTICLE},
    ),
    "DU005": (
        # The quote inside a longer paragraph: the two paragraphs' word sets are 0.5 similar (under
        # near_threshold), so what they share is reported as a passage, not as a near copy.
        {"a.txt": "“We are no longer interested in such talks that bring nothing to us,” the statement said.\n",
         "b.txt": "Officials in Seoul were blunt about the offer on Monday: “We are no longer interested in such talks "
                  "that bring nothing to us,” a spokesman told reporters.\n"},
        {"a.txt": "“We are not interested in talks,” the statement said.\n",
         "b.txt": "Officials in Seoul were blunt about the offer on Monday: “We are not interested in talks,” a spokesman "
                  "told reporters.\n"},
    ),
    "NM002": (
        {"a.txt": "The leader Kim Jung Un spoke.\n", "b.txt": "The leader Kim Jong Un spoke. Then Kim Jong Un left.\n"},
        {"a.txt": "The singer Ryan Adams spoke.\n", "b.txt": "The singer Bryan Adams spoke.\n"},
    ),
    "NM001": (
        {"a.txt": "The leader, Kim Jong-un, spoke.\n", "b.txt": "The leader Kim Jong Un spoke. Later Kim Jong Un left.\n"},
        {"a.txt": "The leader, Kim Jong Il, spoke.\n", "b.txt": "The leader Kim Jong Un spoke. Later Kim Yo Jong left.\n"},
    ),
    "NM004": (
        {"a.txt": "The envoy of Moon Jae-in spoke.\n", "b.txt": "The envoy of Moon Jae In spoke.\n"},
        {"a.txt": "The envoy of Moon Jae-in spoke.\n", "b.txt": "The envoy of Moon Jae-in spoke. Then Moon Jae In left.\n"},
    ),
}


# A registry for NM003, in the corpus's own expectations/ folder.
REGISTRY = '''
[[canonical]]
name = "Kim Jong Un"
variants = ["Kim Chong-un"]
'''


def test_registry_spelling_wins_over_the_majority(run, tmp_path):
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "names.toml").write_text(REGISTRY)
    files = {"a.txt": "The leader Kim Chong-un spoke. Then Kim Chong-un left.\n", "b.txt": "The leader Kim Jong-un spoke.\n"}
    report = run(files, expectations=tmp_path / "expectations")
    found = sorted((f.code, f.path[-5:], f.column) for f in report.findings)
    assert found == [("NM003", "a.txt", 12), ("NM003", "a.txt", 37), ("NM003", "b.txt", 12)]
    assert all("Kim Jong Un" in f.suggestion for f in report.findings)


def test_registry_is_silent_when_the_house_spelling_is_used(run, tmp_path):
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "names.toml").write_text(REGISTRY)
    report = run({"a.txt": "The leader Kim Jong Un spoke.\n"}, expectations=tmp_path / "expectations")
    assert report.findings == []


def test_every_rule_has_cases():
    # BP103's cases need thresholds from the model's own scores: test_noise_model.py has them.
    assert set(CASES) | {"EN013", "NM003", "BP103"} == set(RULES)


def test_typography_is_off_unless_selected_by_its_code(run):
    files = {"a.txt": f"{STORY}\n\n“Act quickly,” he said…\n"}
    assert "EN013" not in codes(run(files))
    assert "EN013" not in codes(run(files, select=["EN"]))
    report = run(files, select=["EN013"])
    assert codes(report) == ["EN013"] * 3
    assert all(f.severity == "info" for f in report.findings)
    assert "EN013" not in codes(run({"a.txt": f"{STORY}\n"}, select=["EN013"]))


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_the_bad_example(run, code):
    bad, _ = CASES[code]
    report = run(bad, **CASE_SETTINGS.get(code, {}))
    assert code in codes(report), report.findings


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_the_good_example(run, code):
    _, good = CASES[code]
    report = run(good, **CASE_SETTINGS.get(code, {}))
    assert code not in codes(report), report.findings


def test_pattern_finding_points_at_the_paragraph_line(run):
    report = run({"a.txt": f"{STORY}\n\n\n  Sign up for our daily newsletter\n"})
    (finding,) = report.findings
    assert (finding.code, finding.line, finding.column) == ("BP001", 4, 3)
    assert finding.family == "noise" and finding.severity == "error"


def test_mojibake_points_at_the_damaged_characters_and_offers_the_repair(run):
    report = run({"a.txt": f"{STORY}\n\nMr. Trumpâ€™s tweet\n"})
    (finding,) = [f for f in report.findings if f.code == "EN001"]
    assert (finding.line, finding.column, finding.end_column) == (3, 10, 13)
    assert "’" in finding.suggestion
    assert "UTF-8" in finding.message


def _rebuilt(before: str, regions) -> str:
    out, at = [], 0
    for start, end, replacement in regions:
        out += [before[at:start], replacement]
        at = end
    return "".join(out) + before[at:]


def test_a_long_paragraph_of_mojibake_gets_one_finding_per_damaged_place(run):
    # Above DIFF_MAX_CHARS the two texts are aligned in linear time (difflib took minutes on
    # 16 KB of mojibake): each damaged place is its own finding, as on a short paragraph.
    sentence = "Le café est très bon à Paris. "
    damaged = (sentence * 400).encode().decode("cp1252")
    assert len(damaged) > encoding.DIFF_MAX_CHARS
    report = run({"a.txt": f"{STORY}\n\n{damaged}\n"})
    found = [f for f in report.findings if f.code == "EN001"]
    assert len(found) == 3 * 400 and {f.end_column - f.column for f in found} == {2}
    assert {f.suggestion for f in found} == {"replace with “é”", "replace with “è”", "replace with “à”"}


@pytest.mark.parametrize("seed", range(4))
def test_the_linear_alignment_accounts_for_every_change_and_nothing_else(seed):
    import random

    rng = random.Random(seed)
    for _ in range(300):
        before = "".join(rng.choice("ab cdé\u0301ÃƒÂ©.\n") for _ in range(rng.randint(0, 400)))
        after = list(before)
        for _ in range(rng.randint(0, 8)):
            if after:
                at = rng.randrange(len(after))
                after[at : at + rng.randint(0, 4)] = rng.choice(["", "x", "é", "’", "yy"])
        after = "".join(after)
        regions = encoding._changed_regions_linear(before, after)
        assert _rebuilt(before, regions) == after
        assert all(a < b or r for a, b, r in regions)  # no empty region
        assert all(regions[k][1] <= regions[k + 1][0] for k in range(len(regions) - 1))
    assert encoding._changed_regions_linear("same text", "same text") == []


def test_undecodable_byte_gives_its_byte_offset(run):
    data = STORY.encode() + b"\n\nCaf\xe9\n"
    report = run({"a.txt": data})
    (finding,) = [f for f in report.findings if f.code == "EN002"]
    assert (finding.line, finding.column) == (3, 4)
    offset = data.index(b"\xe9")
    assert f"0xe9 at byte {offset}" in finding.message


def test_each_later_copy_points_at_the_original_first(run):
    files = {"a.txt": f"{STORY}\n", "b.txt": f"{STORY}\n", "c.txt": f"x\n\n{STORY}\n"}
    report = run(files)
    found = [f for f in report.findings if f.code == "DU001"]
    assert [f.path.rsplit("/", 1)[-1] for f in found] == ["b.txt", "c.txt"]
    assert [(p.path.rsplit("/", 1)[-1], p.line) for p in found[0].related] == [("a.txt", 1), ("c.txt", 3)]
    assert [(p.path.rsplit("/", 1)[-1], p.line) for p in found[1].related] == [("a.txt", 1), ("b.txt", 1)]
    assert "repeats corpus/a.txt:1 (3 copies in all)" in found[1].message


def test_a_text_copied_many_times_names_the_first_copies_only(run, monkeypatch):
    """k copies naming the k - 1 others is k² places: 20,000 copies of a paragraph took 59 s
    and 6.4 GB. Each copy names the original, then the first others, MAX_RELATED at most."""
    from validators.rules import duplicate

    monkeypatch.setattr(duplicate, "MAX_RELATED", 3)
    report = run({f"{n}.txt": f"{STORY}\n" for n in range(7)})
    found = {f.path.rsplit("/", 1)[-1]: [p.path.rsplit("/", 1)[-1] for p in f.related] for f in report.findings if f.code == "DU001"}
    assert found["1.txt"] == ["0.txt", "2.txt", "3.txt"]  # among the first copies: the others
    assert found["3.txt"] == ["0.txt", "1.txt", "2.txt"]
    assert found["4.txt"] == found["6.txt"] == ["0.txt", "1.txt", "2.txt"]  # later ones: the first places
    assert all("(7 copies in all)" in f.message for f in report.findings if f.code == "DU001")
    # Each names 3 of the 6 other copies and counts all 6; with 2 shown, the text report says
    # 4 more (from the 3 listed: 1 more).
    copies = [f for f in report.findings if f.code == "DU001"]
    assert [f.related_count for f in copies] == [6] * 6
    assert all(f.to_dict()["related_count"] == 6 for f in copies)
    monkeypatch.setattr(text, "MAX_RELATED_SHOWN", 2)
    see = [line for line in text.render(report).splitlines() if line.startswith("    see: corpus/0.txt:1:1, ")]
    assert len(see) == 6 and all(line.endswith(".txt:1:1 and 4 more") for line in see)


def test_the_first_copies_of_a_text_share_its_places_instead_of_holding_the_others_each(run):
    """Each of the first k copies names the k - 1 others: held as one group of places and its
    own index (``AllBut``), not k tuples of k - 1 places (k² places: at 8,000 page dumps, with
    17 copies of each page, a third of the time of building the findings)."""
    report = run({f"{n}.txt": f"{STORY}\n" for n in range(5)})
    found = [f for f in report.findings if f.code == "DU001"]
    assert [[p.path.rsplit("/", 1)[-1] for p in f.related] for f in found] == [
        ["0.txt", "2.txt", "3.txt", "4.txt"], ["0.txt", "1.txt", "3.txt", "4.txt"],
        ["0.txt", "1.txt", "2.txt", "4.txt"], ["0.txt", "1.txt", "2.txt", "3.txt"],
    ]  # fmt: skip
    # One group of places for all four, resolved once (a tuple of its own each: k² places).
    assert len({id(f.related.group) for f in found}) == 1 and len(found[0].related.group) == 5


def test_all_but_reads_compares_and_hashes_as_the_tuple_it_stands_for():
    from validators.rules import AllBut

    for size in range(6):
        group = tuple(range(10, 10 + size))
        for skip in range(-1, size + 1):
            for limit in range(size + 2):
                expected = tuple(x for i, x in enumerate(group) if i != skip)[:limit]
                others = AllBut(group, skip, limit)
                assert (len(others), tuple(others), bool(others)) == (len(expected), expected, bool(expected))
                assert others == expected and hash(others) == hash(expected)
                assert [others[i] for i in range(-len(expected), len(expected))] == list(expected) * 2
                for start, stop, step in ((0, 5, None), (1, None, None), (None, -1, None), (2, 4, None), (None, None, 2), (None, None, -1)):
                    assert others[start:stop:step] == expected[start:stop:step]
    others = AllBut((1, 2, 3), 1, 5)
    assert others != (1, 2, 3) and others != (1, 3, 2) and others != [1, 3]
    with pytest.raises(IndexError):
        others[2]


def test_related_places_are_resolved_when_read_as_far_as_read_and_read_as_the_tuple():
    """A finding's ``Places`` resolve each place when first read, only as far as the reader
    goes (the text report shows five of a group of copies' places), and read, slice, compare
    and hash as the tuple of places; inside an ``AllBut`` too."""
    from validators.findings import Place, Places
    from validators.rules import AllBut

    class Locate:
        def __init__(self):
            self.asked = []

        def related_place(self, where):
            self.asked.append(where)
            return Place("f.txt", *where)

    size = 9
    expected = tuple(Place("f.txt", row, 1) for row in range(size))
    for index, start, stop, step in ((3, 0, 5, None), (-1, 1, None, None), (0, None, -1, None), (8, None, None, 2), (4, None, None, -1)):
        locate = Locate()
        places = Places(locate, tuple((row, 1) for row in range(size)))
        assert len(places) == size and bool(places) and not locate.asked
        assert places[start:stop:step] == expected[start:stop:step] and places[index] == expected[index]
        assert places == expected and hash(places) == hash(expected) and list(places) == list(expected)
        assert len(locate.asked) == size  # each once, however often read
    locate = Locate()
    places = Places(locate, tuple((row, 1) for row in range(20)))
    expected = tuple(Place("f.txt", row, 1) for row in range(20))
    assert places[:5] == expected[:5] and len(locate.asked) == 5
    assert AllBut(places, 2, 5) == expected[:2] + expected[3:6] and len(locate.asked) == 10  # the head doubles
    assert places != expected[:-1] and places != list(expected) and not Places(locate, ())
    assert pickle.loads(pickle.dumps(places)) == expected and type(copy.deepcopy(places)) is tuple  # not the locator
    with pytest.raises(IndexError):
        places[20]


def test_a_copy_of_a_file_gets_its_row_local_findings_placed_and_the_others_made_for_it(run, monkeypatch):
    """A file whose bytes an earlier file has gets that file's pattern, score and template
    findings placed in it (``Rule.row_local``), not made again: the same findings, fingerprints
    and order as when each is made. A file with the same words in other bytes is made anew."""
    from validators import findings as module

    page = "\n\n".join(["Skip to content", *ARTICLE_PARAGRAPHS, "Sign up for our daily newsletter", "© 2026 Gazette Media. All rights reserved."]) + "\n"
    files = {"a.txt": page, "b.txt": page, "c.txt": page.replace("Sign up", "SIGN UP"), "d.txt": page}

    def found(report):
        return [(f.path, f.code, f.severity, f.line, f.column, f.end_line, f.end_column, f.message, f.related, f.fingerprint) for f in report.findings]

    placed = []
    place = module._placed
    monkeypatch.setattr(module, "_placed", lambda f, row, path: placed.append(path) or place(f, row, path))
    reused = run(files)
    monkeypatch.setattr(module, "_copies", lambda corpus: ({}, set()))
    each = run(files)
    assert found(reused) == found(each)
    assert {p.rsplit("/", 1)[-1] for p in placed} == {"b.txt", "d.txt"}  # c.txt's bytes differ: made for it
    codes = {f.code for f in reused.findings if f.path.endswith("b.txt")}
    assert {"BP001", "BP002", "BP010", "DU001", "DU002"} <= codes  # the patterns placed, the copies made
    assert len(placed) == len([f for f in reused.findings if f.path.endswith(("b.txt", "d.txt")) and RULES[f.code].row_local])


COMMENT = "Thanks for writing this up, it explains the deadline far better than the news did."


def _in_comments(texts, patterns=NoisePatterns.parse("t", "comment_section = ['(?i)^\\d+ comments$']")):
    column = FEATURES_ORDER.index("in_comments")
    return [bool(v) for v in file_noise_features(texts, patterns)["x"][:, column]]


def test_the_comment_section_opens_at_its_heading_after_the_story_and_headings_are_data():
    story = ARTICLE_PARAGRAPHS
    assert _in_comments([*story, "3 Comments", COMMENT]) == [False] * 4 + [True, True]
    # Before the story, a comment count opens nothing.
    assert _in_comments(["3 Comments", *story, COMMENT]) == [False] * 6
    own = NoisePatterns.parse("t", "comment_section = ['^Have your say$']")
    assert _in_comments([*story, "Have your say", COMMENT], own) == [False] * 4 + [True, True]
    assert _in_comments([*story, "3 Comments", COMMENT], own) == [False] * 6


def test_a_long_footer_that_opens_with_a_copyright_notice_is_one_and_a_story_about_copyright_is_not(run):
    footer = (
        "© 2004-2020 Healthline Media UK Ltd, Brighton, UK, a Red Ventures Company. All rights reserved. "
        "MNT is the registered trade mark of Healthline Media. Any medical information published on this "
        "website is not intended as a substitute for informed medical advice and you should not take any "
        "action before consulting with a healthcare professional."
    )
    assert len(footer) > 300  # beyond the length the general copyright pattern allows
    assert "BP002" in codes(run({"a.txt": f"{LONG_ARTICLE}\n{footer}\n"}, select=["BP"]))
    story = (
        "Copyright lawyers said the 2019 ruling, which found that the band had copied the riff, would make "
        "it harder for musicians to borrow from older songs. The court said the © mark on the 1971 sleeve "
        "was enough to put the defendants on notice, and the label said it would appeal. A hearing is set "
        "for the spring, the lawyers added, and both sides expect it to run for weeks."
    )
    assert "BP002" not in codes(run({"a.txt": f"{LONG_ARTICLE}\n{story}\n"}, select=["BP"]))


def test_affiliate_disclosures_are_page_notices_and_prose_about_commissions_is_not(run):
    disclosure = "This post may contain affiliate links. As an Amazon Associate I earn from qualifying purchases."
    assert "BP009" in codes(run({"a.txt": f"{LONG_ARTICLE}\n{disclosure}\n"}, select=["BP"]))
    program = "This site participates in the Amazon Associate program and earns revenue from qualifying purchases."
    assert "BP009" in codes(run({"a.txt": f"{LONG_ARTICLE}\n{program}\n"}, select=["BP"]))
    for story in (
        "The agency said brokers earn commissions on each sale, which regulators plan to cap next year.",
        "Victims may receive compensation under the new law, and I earn money driving, she said.",
        "Buyers can claim the credit for qualifying purchases of electric cars made after January, the agency said.",
    ):
        assert run({"a.txt": f"{LONG_ARTICLE}\n{story}\n"}, select=["BP"]).findings == []


# The general forms of furniture the named patterns know: (rule, form, furniture, a story
# sentence with the same words). Each line sits inside the story, where no structural sign
# helps, so the pattern alone must name the furniture and leave the story alone.
PATTERN_FORMS = [
    ("BP001", "prompt after a question",
     "Enjoyed this story? Sign up for the Morning Briefing newsletter.",
     "Under the plan, users who sign up for the service get e-mail alerts when their data is shared."),
    ("BP001", "prompt inside a sentence",
     "Never miss a story by signing up to our daily newsletter today!",
     "More than two million readers subscribe to the newsletter, which its founder started in 2015, she said."),
    ("BP001", "prompt for 'our' alerts",
     "Get our breaking news alerts on your phone and never miss a story from the harbour.",
     "“Customers who sign up for our alerts will hear about outages first,” a spokeswoman for the company said."),
    ("BP001", "inbox blurb",
     "The day's top stories, delivered straight to your inbox every morning.",
     "Police warned that fake invoices sent to your inbox can look genuine, and urged people to call the firm first."),
    ("BP001", "paywall prompt",
     "To read the full story, please subscribe to The Portmere Post.",
     "Readers who subscribe get unlimited access to the archive, the publisher said in its annual report."),
    ("BP001", "log-in prompt for subscribers",
     "Already a subscriber? Log in",
     "Customers who had already registered could not log in for most of Tuesday, the bank said."),
    ("BP001", "newsletter box title",
     "Harbour Towns Newsletter",
     "Rise of the Newsletter"),
    ("BP001", "sign-up form's small print",
     "By signing up, you agree to receive offers from the Portmere Post. You can unsubscribe at any time.",
     "Under the new law customers can unsubscribe at any time, and firms that ignore them face fines, the regulator said."),
    ("BP004", "account links",
     "Sign in | Register",
     "Voters must register or sign in online by Friday to take part, the electoral office said."),
    ("BP006", "agency after 'Image copyright'",
     "Image copyright Reuters",
     "Image copyright rules changed in 2019, and agencies such as Reuters now license pictures by the year."),
    ("BP006", "'Image source,' label",
     "Image source, Reuters",
     "Image source code for the satellite's camera was published on Monday, the space agency said."),
    ("BP006", "credit and caption run together",
     "Image copyright AFP Image caption Protesters gathered outside parliament on Sunday",
     "Image captions written by software were often wrong, the study found, mislabelling one photo in five."),
    ("BP006", "caption label glued to the caption",
     "Media captionHow volunteers are helping frontline medics find a place to stay",
     "Media caption contests drew thousands of entries from students this year, the organisers said."),
    ("BP006", "credit in parentheses after 'Image:'",
     "A police officer walks through an empty city centre on Sunday (Image: @CityPolice)",
     "The force shared a picture (image: a deserted high street) and urged people to stay at home, it said."),
    ("BP006", "credit glued to the caption",
     "Crowds gather at the harbour for the start of the race.Credit: Jane Doe/Xinhua",
     "The bank's report has two headings, Credit: Outlook and Savings: Outlook, and both warn of slower growth."),
    ("BP006", "'Image:' credit after a dash",
     "A computer the size of a credit card that costs $35 - Image: Pi Foundation",
     "Consumer Credit: The Next Crisis"),
    ("BP006", "'Photo:' credit after the caption",
     "Firefighters work through the night in the hills above the town. Photo: Maria Lopez/Reuters",
     "The exhibition, Photo: A Century of News Pictures, opens in the city's museum on Saturday."),
    ("BP006", "agency's file photo in parentheses",
     "Jane Doe speaks to reporters in Seoul on Monday. (Yonhap File Photo)",
     "Here is the code that sends the request (line 84 in the demo client.py file):"),
    ("BP006", "'(Getty Images)' after a long caption",
     "Shoppers queue outside a department store in the city centre on the first morning of the winter sales, "
     "which began a week earlier than usual this year as retailers tried to clear stock left over from a mild "
     "autumn (Getty Images)",
     "Photo agencies have fought the new rules in court (Getty Images, for one, has sued twice), lawyers said."),
    ("BP006", "agency after a slash or 'via'",
     "Rescue workers search the rubble of a school in the north of the country after Sunday's earthquake. Jane Doe/AFP",
     "The picture was taken by a staff photographer and distributed via AP."),
    ("BP006", "agency photo credit after a bar",
     "Rep. Jane Doe speaks to reporters at the Capitol in May. | John Smith/AP Photo",
     "The picture of the senator is now kept in the AP Photo archive in New York."),
    ("BP006", "'Photo source:' label",
     "Photo source: Jane Doe from Pexels",
     "Photo sources at the agency said the picture had been taken in May, not in June."),
    ("BP006", "agency name ending a short line",
     "John Smith/Getty Images",
     "He later sold the photograph to Getty Images."),
    ("BP006", "'Photo by' credit line",
     "Photo by Jane Doe for The Daily Courier",
     "Photos by the victims' families were shown to the jury on Tuesday."),
    ("BP007", "trailer with a comma before 'editing by'",
     "Reporting by Jane Doe in London, editing by John Smith",
     "Reporting by local newspapers, editing by the censors and pressure on advertisers have all grown worse since 2019."),
    ("BP007", "editor line",
     "Editing by Mark Potter",
     "Editing by hand took weeks, she said, because the software could not read the old tapes."),
    ("BP007", "'contributed to this report'",
     "Jane Doe in Seoul and John Smith in Tokyo contributed to this report.",
     "Researchers at three universities contributed to the report's findings, which were published on Monday."),
    ("BP007", "'contributed reporting'",
     "Jane Doe contributed reporting from Kyiv.",
     "Local journalists contributed reporting that helped expose the scheme, the jury heard."),
    ("BP007", "names that contributed",
     "Abigail Smith and Jo Park contributed.",
     "Both sides contributed."),
    ("BP007", "an excerpt's credit, not a copyright footer",
     "Excerpted from “The Harbour Years” by Ann Lee. Copyright © 2021 by Ann Lee. Used with permission of Example Press. All rights reserved.",
     "Adapted from a novel by Ann Lee, the film was shot in the harbour in 2021 and opens next month."),
    ("BP007", "a book's credit",
     "From the book The Harbour Years by Ann Lee. Copyright © 2021. Reprinted by permission of Example Press.",
     "From the book's first page, the harbour is a character of its own, the critic wrote in 2021."),
    ("BP009", "related box title",
     "Related content",
     "Related content from the archive was removed after the court ruling, the paper said."),
    ("BP009", "'most read' box title",
     "Most Read Today",
     "Most read the letter as a warning to the government, officials said."),
    ("BP009", "'most read' box of a section",
     "Most Read Business",
     "Most readers of the business pages said they wanted more coverage of small firms, the survey found."),
    ("BP009", "'most popular' box title",
     "Most Popular This Week",
     "Most popular destinations in Europe have raised their tourist taxes this year, the report said."),
]


@pytest.mark.parametrize(("code", "form", "furniture", "story"), PATTERN_FORMS, ids=[f"{c}: {f}" for c, f, _, _ in PATTERN_FORMS])
def test_a_general_form_of_furniture_is_named_and_the_story_sentence_is_not(run, code, form, furniture, story):
    # The patterns themselves: not arbitrated by the noise score (pattern_threshold 0), which
    # may read a line inside the story's span as the story's own and make it a warning.
    plain = NoiseSettings(pattern_threshold=0.0)
    named = run(in_the_story(furniture), select=["BP"], engine="light", noise=plain)
    assert [(f.code, f.line, f.severity) for f in named.findings] == [(code, 5, "error")]
    assert run(in_the_story(story), select=["BP"], engine="light", noise=plain).findings == []


def test_short_repeated_lines_are_left_to_the_noise_family(run):
    report = run({"a.txt": f"{STORY}\n\nShare this story\n", "b.txt": "Other text entirely here.\n\nShare this story\n"})
    assert "DU001" not in codes(report)


def test_name_variant_reports_the_minority_spelling_with_every_majority_place(run):
    report = run({"a.txt": "Leader Kim Jong-un spoke.\n", "b.txt": "The leader Kim Jong Un spoke.\nLater Kim Jong Un left.\n"})
    (finding,) = [f for f in report.findings if f.code == "NM001"]
    assert finding.path.endswith("a.txt") and (finding.line, finding.column, finding.end_column) == (1, 8, 19)
    assert [(p.line, p.column) for p in finding.related] == [(1, 12), (2, 7)]
    assert "Kim Jong Un" in finding.suggestion


def test_a_spelling_written_many_times_is_named_by_its_first_places_and_counted_in_full(run, monkeypatch):
    """Each variant naming every place of the corpus's spelling is k × m places: at 2,000 page
    dumps, 911 "U.S." naming 1,189 "US" made a JSON report of 377 MB. Each names the first
    MAX_RELATED; its message counts them all."""
    from validators.rules import name

    monkeypatch.setattr(name, "MAX_RELATED", 2)
    majority = "".join(f"The leader Kim Jong Un spoke on day {n}.\n\n" for n in range(5))
    report = run({"a.txt": "Leader Kim Jong-un spoke.\n", "b.txt": majority, "c.txt": "Then Kim Jong-un left.\n"})
    found = [f for f in report.findings if f.code == "NM001"]
    assert [f.path.rsplit("/", 1)[-1] for f in found] == ["a.txt", "c.txt"]
    for finding in found:
        assert [(p.path.rsplit("/", 1)[-1], p.line) for p in finding.related] == [("b.txt", 1), ("b.txt", 3)]
        assert "(5 places)" in finding.message
        assert finding.related_count == 5 and finding.to_dict()["related_count"] == 5
    # The reports count the places beyond those shown from all five, not from the two listed.
    monkeypatch.setattr(text, "MAX_RELATED_SHOWN", 1)
    assert text.render(report).count("corpus/b.txt:1:12 and 4 more\n") == 2
    assert junit.render(report).count("corpus/b.txt:3:12 and 3 more") == 2
    monkeypatch.setattr(sarif, "MAX_LINKS", 1)
    messages = [r["message"]["text"] for r in json.loads(sarif.render(report))["runs"][0]["results"] if r["ruleId"] == "NM001"]
    assert len(messages) == 2 and all(m.endswith(" and 4 more") for m in messages)


def test_name_variant_ignores_single_words_and_headings(run):
    report = run({"a.txt": "KIM JONG UN SPEAKS\n\nKim spoke.\n", "b.txt": "Kim Jong Un spoke to Kim.\n"})
    assert "NM001" not in codes(report)


def test_every_rule_documents_a_bad_and_a_good_example():
    for code, rule in RULES.items():
        doc = rule.doc()
        assert doc.splitlines()[0], code
        assert "Bad:" in doc and "Good:" in doc, code


def test_only_rules_declared_fixable_offer_a_repair(run):
    """``fixable`` is a declaration the README's table shows: a rule not declared so never carries an edit."""
    offered = set()
    for code, (bad, _) in CASES.items():
        offered |= {f.code for f in run(bad, **CASE_SETTINGS.get(code, {})).findings if f.fixable}
    declared = {code for code, rule in RULES.items() if rule.fixable}
    assert offered <= declared, offered - declared
    assert {"EN001", "EN003", "EN006", "EN009", "NM001"} <= offered  # the check sees repairs


def test_navigation_links_are_named_on_their_own_lines_only(run):
    files = {"a.txt": f"Skip to content [Accesskey '1'] Jump to navigation\n\n{STORY}\n\nReturn to top of page\n"}
    found = [(f.line, f.code) for f in run(files).findings if f.code == "BP010"]
    assert found == [(1, "BP010"), (5, "BP010")]
    prose = {"a.txt": f"{STORY}\n\nSkip to content, the editor said, and leave the analysis for later.\n"}
    assert "BP010" not in codes(run(prose))


def test_a_rule_that_yields_has_one_hit_per_row_on_that_row():
    """``build_findings`` decides from a yielding rule's rows which of its findings stand,
    before it says them: such a rule must name its own row, once."""
    from validators.frame import Table
    from validators.rules import CorpusView, Row

    frame = Table({"raw": ["  Most Read  ", "Share this"], "noise_score": [0.97, 0.4], "furnished_noise_score": [0.97, 0.4],
                   "noise_why": ["outside the story", None]})  # fmt: skip
    yielding = [code for code, rule in RULES.items() if rule.yields_to]
    assert yielding
    for code in yielding:
        rule = RULES[code]()
        for label in (0, 1):
            (hit,) = rule.hits(Row.of(frame, label), None, CorpusView(frame, Table()))
            assert hit.row == label, code


def test_a_quote_folds_white_space_but_keeps_separators_and_controls_to_show_escaped():
    """A mojibake span of one NEL (U+0085, cp1252's "…" read as latin-1) was quoted as “”."""
    from validators.rules.base import quote

    assert quote("  Kim \t Jong\n un  ") == "“Kim Jong un”"
    assert quote("\x85") == "“\x85”" and quote("a\u2028b") == "“a\u2028b”"


def test_a_repair_joins_bytes_only_where_they_would_meet_and_decode():
    from validators.rules.encoding import joins_bytes

    assert joins_bytes("Caf\udcc3\u200b\udca9", 4, 5, "")  # 0xC3 0xA9 would read as "é"
    assert not joins_bytes("Caf\udcff\u200b\udcff", 4, 5, "")  # 0xFF 0xFF stays two bad bytes
    assert not joins_bytes("Caf\udcc3\n\u200b\udca9", 5, 6, "")  # a line break still parts them
    assert not joins_bytes("Caf\udcc3\u200b\udca9", 4, 5, "-")  # a replacement parts them
