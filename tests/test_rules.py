"""Every rule: a positive case (the rule fires, at the right place) and a negative one."""

import pytest

from validators.rules import RULES

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
    "BP100": (
        {"a.txt": f"{STORY}\n\nMore Stories\n", "b.txt": "Another story entirely, with nothing in common at all here.\n"},
        {"a.txt": f"{STORY}\n\nThe ministry repeated its demand on Tuesday, according to state media outlets in Pyongyang.\n"},
    ),
    "BP101": (
        {"a.txt": f"{LONG_ARTICLE}\nFranklin Graham calls on nation to pray for Trump as impeachment effort gains speed\nRep. Jeff Van Drew, N.J. Democrat, plans to become a Republican\n\n{LONG_ARTICLE}"},
        # A subheading in the story is a short line, and a short line alone is no sign.
        {"a.txt": f"{STORY}\n\nThe situation\n\nThe ministry repeated its demand on Tuesday, according to state media outlets in Pyongyang.\n"},
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
        {"a.txt": "“We are no longer interested in such talks that bring nothing to us,” the statement said.\n",
         "b.txt": "Officials were blunt. “We are no longer interested in such talks that bring nothing to us,” he said.\n"},
        {"a.txt": "“We are not interested in talks,” the statement said.\n",
         "b.txt": "Officials were blunt. “We are not interested in talks,” he said.\n"},
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
    assert set(CASES) | {"EN013", "NM003"} == set(RULES)


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
    report = run(bad)
    assert code in codes(report), report.findings


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_the_good_example(run, code):
    _, good = CASES[code]
    report = run(good)
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


COMMENT = "Thanks for writing this up, it explains the deadline far better than the news did."


def test_readers_comments_after_the_story_are_noise_errors(run):
    files = {"a.txt": f"{LONG_ARTICLE}\n3 Comments\n\n{COMMENT}\n\nfred October 27, 2019 at 1:34 pm\n"}
    report = run(files, select=["BP"])
    flagged = [(f.code, f.line, f.severity) for f in report.findings]
    assert flagged == [("BP003", 9, "error"), ("BP100", 11, "error"), ("BP100", 13, "error")]  # the heading's own pattern first
    assert all("in the comments" in f.message for f in report.findings if f.code == "BP100")


def test_a_comments_heading_before_the_story_or_a_sentence_about_comments_opens_nothing(run):
    before = {"a.txt": f"Comments\n\n{LONG_ARTICLE}\n{COMMENT}\n"}
    assert not any("in the comments" in f.message for f in run(before, select=["BP"]).findings)
    # A page header: one line of running text, then a comment count, then the story.
    header = {"a.txt": f"{STORY}\n\nComments (32)\n\n{LONG_ARTICLE}\n{COMMENT}\n"}
    assert not any("in the comments" in f.message for f in run(header, select=["BP"]).findings)
    inside = {"a.txt": f"{LONG_ARTICLE}\nComments from the ministry came later, officials in Seoul said on Tuesday.\n\n{COMMENT}\n"}
    assert run(inside, select=["BP"]).findings == []


def test_comment_headings_are_data_a_corpus_can_change(run, tmp_path):
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "noise.toml").write_text("comment_section = ['^Have your say$']\n")
    files = {"a.txt": f"{LONG_ARTICLE}\nHave your say\n\n{COMMENT}\n", "b.txt": f"{LONG_ARTICLE}\n3 Comments\n\n{COMMENT}\n"}
    report = run(files, select=["BP"], expectations=tmp_path / "expectations")
    assert sorted({f.path[-5:] for f in report.findings if "in the comments" in f.message}) == ["a.txt"]


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


def test_a_few_paragraphs_between_two_of_furniture_are_part_of_the_block_and_prose_is_not(run):
    stray = "see the full schedule of events and the list of venues here"  # outside the story, nothing else
    report = run({"a.txt": f"{LONG_ARTICLE}\nMore Stories\n\n{stray}\n\nTop Picks\n"}, select=["BP"])
    assert [(f.code, f.line) for f in report.findings] == [("BP100", 9), ("BP100", 11), ("BP100", 13)]
    assert "outside the story, between page furniture" in report.findings[1].message
    at_the_end = run({"a.txt": f"{LONG_ARTICLE}\nMore Stories\n\nTop Picks\n\n{stray}\n"}, select=["BP"])
    assert [(f.code, f.line) for f in at_the_end.findings] == [("BP100", 9), ("BP100", 11), ("BP101", 13)]
    prose = "The ministry said on Tuesday that the talks would resume in the spring, officials added."
    inside = run({"a.txt": f"{LONG_ARTICLE}\nMore Stories\n\n{prose}\n\nTop Picks\n"}, select=["BP"])
    assert not any("between page furniture" in f.message for f in inside.findings)

    # Inside the story: two copies of a link box, with lines between them that show no sign.
    box = "Timeline of the talks"
    four = run(in_the_story(box, "It was a year of summits.", "Seoul, 2019.", "384", "Photos.", box), select=["BP"])
    assert [(f.code, f.line) for f in four.findings] == [("BP100", line) for line in range(5, 17, 2)]
    assert four.findings[1].message.startswith("looks like page furniture (between page furniture)")
    five = run(in_the_story(box, "It was a year of summits.", "Seoul, 2019.", "384", "Photos.", "Hanoi, 2019.", box), select=["BP"])
    assert not any("between page furniture" in f.message for f in five.findings)


def test_a_headline_after_the_story_is_furniture_and_inside_it_is_a_subheading(run):
    headline = "Franklin Graham calls on nation to pray for Trump as impeachment effort gains speed"
    after = run({"a.txt": f"{LONG_ARTICLE}\n{headline}\n"}, select=["BP"])
    assert [(f.code, f.line) for f in after.findings] == [("BP100", 9)]
    assert "outside the story, reads as a headline" in after.findings[0].message
    inside = run(in_the_story(headline), select=["BP"])
    assert inside.findings == []


def test_a_list_introduced_by_running_text_and_a_colon_stays_in_the_story(run):
    paragraphs = ARTICLE_PARAGRAPHS
    items = "\n\n".join(["Sanctions relief", "A peace treaty", "Family reunions", "Aid for farmers", "Embassy talks"])
    more = "\n\n".join(["Fewer drills", "No new tests", "Open borders", "Prisoner swaps", "Rail links"])
    intro = "The ministry then set out what it would want in return for any new round of talks:"
    page = {"a.txt": "\n\n".join([*paragraphs[:3], items, intro, more, paragraphs[3]]) + "\n"}
    assert run(page, select=["BP"]).findings == []
    # Without the colon the introduction is no sentence, the story ends before the lists,
    # and the lists read as the page's tail.
    cut = {"a.txt": "\n\n".join([*paragraphs[:3], items, intro.rstrip(":"), more, paragraphs[3]]) + "\n"}
    assert "BP100" in codes(run(cut, select=["BP"]))
    # At the story's end, the list it announces is the story's too.
    at_the_end = {"a.txt": "\n\n".join([*paragraphs, intro, items]) + "\n"}
    assert run(at_the_end, select=["BP"]).findings == []
    unannounced = {"a.txt": "\n\n".join([*paragraphs, intro.rstrip(":") + ".", items]) + "\n"}
    assert [f.code for f in run(unannounced, select=["BP"]).findings] == ["BP100"] * 5


def test_a_run_of_short_headlines_in_the_story_is_a_warning_not_an_error(run):
    headlines = ["Talks Stall Again In Hanoi", "Seoul Waits For An Answer", "Markets Shrug Off The News"]
    report = run(in_the_story(*headlines), select=["BP"])
    assert [(f.code, f.line) for f in report.findings] == [("BP101", 5), ("BP101", 7), ("BP101", 9)]
    assert "short line, list of headlines" in report.findings[0].message


def test_a_shape_error_stands_where_a_pattern_only_warns_and_yields_where_it_errs(run):
    link = "https://example.com/news/world"  # BP008, a warning; after the story, a short line
    after = run({"a.txt": f"{LONG_ARTICLE}\n{link}\n"}, select=["BP"])
    assert sorted((f.code, f.severity) for f in after.findings) == [("BP008", "warning"), ("BP100", "error")]
    inside = run(in_the_story(link), select=["BP"])
    assert codes(inside) == ["BP008"]
    footer = run({"a.txt": f"{LONG_ARTICLE}\n© 2023 Example Media Group\n"}, select=["BP"])
    assert codes(footer) == ["BP002"]  # an error pattern: the shape's error is not said twice


def test_a_lone_prose_paragraph_above_the_menu_does_not_stretch_the_story(run):
    cookies = "We use cookies to improve our service for you. You can find more information in our data policy."
    menu = "\n\n".join(["World", "Business", "Science", "Environment", "Culture", "Sports", "Podcasts", "Live TV", "Radio", "Weather"])
    report = run({"a.txt": f"{cookies}\n\n{menu}\n\n{LONG_ARTICLE}"}, select=["BP"])
    flagged = {f.line: f for f in report.findings}
    menu_lines = range(3, 3 + 2 * 10, 2)
    assert all(flagged[line].code == "BP100" and "outside the story" in flagged[line].message for line in menu_lines)
    assert not any(line > menu_lines[-1] for line in flagged)  # the story itself is clean


def test_a_short_line_said_twice_in_its_file_is_furniture_and_once_is_a_subheading(run):
    paragraphs = ARTICLE_PARAGRAPHS
    shared = run({"a.txt": f"{paragraphs[0]}\n\nTimeline of the talks\n\n{paragraphs[1]}\n\n{paragraphs[2]}\n\nTimeline of the talks\n\n{paragraphs[3]}\n"}, select=["BP"])
    assert [(f.code, f.line) for f in shared.findings] == [("BP100", 3), ("BP100", 9)]
    assert "2 times in this file" in shared.findings[0].message
    subheading = run(in_the_story("The talks stall"), select=["BP"])
    assert subheading.findings == []
    prose_twice = run({"a.txt": f"{LONG_ARTICLE}\n{paragraphs[1]}\n"}, select=["BP"])
    assert not any("in this file" in f.message for f in prose_twice.findings)  # a repeated sentence is DU001's


def test_short_repeated_lines_are_left_to_the_noise_family(run):
    report = run({"a.txt": f"{STORY}\n\nShare this story\n", "b.txt": "Other text entirely here.\n\nShare this story\n"})
    assert "DU001" not in codes(report)


def test_name_variant_reports_the_minority_spelling_with_every_majority_place(run):
    report = run({"a.txt": "Leader Kim Jong-un spoke.\n", "b.txt": "The leader Kim Jong Un spoke.\nLater Kim Jong Un left.\n"})
    (finding,) = [f for f in report.findings if f.code == "NM001"]
    assert finding.path.endswith("a.txt") and (finding.line, finding.column, finding.end_column) == (1, 8, 19)
    assert [(p.line, p.column) for p in finding.related] == [(1, 12), (2, 7)]
    assert "Kim Jong Un" in finding.suggestion


def test_name_variant_ignores_single_words_and_headings(run):
    report = run({"a.txt": "KIM JONG UN SPEAKS\n\nKim spoke.\n", "b.txt": "Kim Jong Un spoke to Kim.\n"})
    assert "NM001" not in codes(report)


def test_every_rule_documents_a_bad_and_a_good_example():
    for code, rule in RULES.items():
        doc = rule.doc()
        assert doc.splitlines()[0], code
        assert "Bad:" in doc and "Good:" in doc, code
