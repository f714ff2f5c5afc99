"""Template text across files: ten articles of one site (``tests/fixtures/one-site``) share
its header, share bar, advertisement and newsletter slots and footer, around different
stories. Every template line is furniture in every file; no paragraph of a story is."""

from pathlib import Path

import pytest

from conftest import REPO
from validators.config import Config
from validators.pipeline import check

SITE = REPO / "tests" / "fixtures" / "one-site" / "corpus"
SHARE_BAR = "Share on Facebook | Share on X | Email this article"
# The site's lines, the same in every article: header, share bar, the advertisement and the
# newsletter box it puts inside the story, footer. Two of them read as prose.
TEMPLATE = {
    "Skip to main content",
    "Home | News | Business | Sport | Culture | Opinion | Weather",
    "The Harbour Gazette",
    "Log in | Subscribe",
    SHARE_BAR,
    "Advertisement",
    "Sign up for the Gazette Daily, our free morning newsletter.",
    "Get the Gazette's morning email: the day's news from the harbour towns, every weekday at 7am.",
    "More from the Gazette",
    "© 2026 Harbour Gazette Media Ltd. All rights reserved.",
    "About us | Contact us | Advertise with us | Privacy policy | Terms of use",
    "The Harbour Gazette is published by Harbour Gazette Media Ltd, 4 Quay Street, Portmere.",
}


def paragraphs(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each paragraph of a fixture file (blank-line separated, one line each)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [(n, line) for n, line in enumerate(lines, 1) if line.strip()]


def story_lines(path: Path) -> dict[int, str]:
    """The story: the paragraphs between the two share bars that are not the site's."""
    found = paragraphs(path)
    bars = [i for i, (_, text) in enumerate(found) if text == SHARE_BAR]
    return {line: text for line, text in found[bars[0] + 1 : bars[-1]] if text not in TEMPLATE}


def noise_errors(report) -> dict[tuple[str, int], str]:
    return {(Path(f.path).name, f.line): f.code for f in report.findings if f.family == "noise" and f.severity == "error"}


def test_the_fixture_is_one_site_with_different_stories():
    files = sorted(SITE.glob("*.txt"))
    assert len(files) >= 8
    for path in files:
        assert TEMPLATE <= {text for _, text in paragraphs(path)}, path.name
        assert len(story_lines(path)) >= 5, path.name
    stories = [set(story_lines(path).values()) for path in files]
    assert all(not (a & b) for i, a in enumerate(stories) for b in stories[i + 1 :])


@pytest.mark.parametrize("engine", ["light", "gx"])
def test_template_lines_are_noise_errors_in_every_article_and_the_stories_are_not(tmp_path, engine):
    report = check([SITE], Config(root=tmp_path, select=["BP"], engine=engine, cache=False))
    errors = noise_errors(report)
    for path in sorted(SITE.glob("*.txt")):
        template = [line for line, text in paragraphs(path) if text in TEMPLATE]
        assert [line for line in template if (path.name, line) not in errors] == [], path.name
        story = story_lines(path)
        assert {line: story[line] for line in story if (path.name, line) in errors} == {}, path.name


def test_one_new_article_checked_against_the_corpus_gets_the_same_verdicts(tmp_path):
    """The pre-commit hook checks the changed file with the rest of the corpus as context."""
    new = sorted(SITE.glob("*.txt"))[-1]
    report = check([new], Config(root=tmp_path, select=["BP"], engine="light", cache=False), context=[SITE])
    errors = noise_errors(report)
    assert {name for name, _ in errors} == {new.name}
    assert {text for line, text in paragraphs(new) if (new.name, line) in errors} >= TEMPLATE
    assert not any((new.name, line) in errors for line in story_lines(new))


def test_a_passage_quoted_in_several_stories_is_not_site_template_text(tmp_path):
    """Issue 12, item 1: paragraphs of one story that several articles carry (a wire passage,
    a quoted statement) are a shared passage, not the site's template: no BP102."""
    passage = [
        "The ministry said in a statement that the new rules would apply to every port operator from the first of March.",
        "Operators that fail to file their safety plans by then will face fines of up to ten thousand euros a day, it said.",
    ]
    stories = {  # four different stories, each quoting the same two paragraphs
        "Ayr": ["Harbour workers met on Tuesday to discuss what the changes would mean for the ferry service to the islands.",
                "Union officials said the crews had not been consulted and asked for a meeting with the port's owners."],
        "Bude": ["Fishermen landing crab and lobster at the quay fear the paperwork will fall on the smallest boats first.",
                 "One skipper, who has worked from the harbour for thirty years, said he would rather sell his licence."],
        "Cobh": ["Cruise ships bring more than a hundred thousand visitors a year to the town, and its council welcomed the plans.",
                 "Shops along the waterfront have lobbied for longer berths so that the largest liners can dock overnight."],
        "Deal": ["The pier reopened last spring after a storm tore away its end, and its owners are still paying for the repairs.",
                 "Anglers who use the pier at night said they hoped the new rules would bring back its lights and railings."],
    }
    for town, (opening, closing) in stories.items():
        story = [opening, *passage, closing]
        (tmp_path / f"{town}.txt").write_text("\n\n".join(story) + "\n", encoding="utf-8")
    report = check([tmp_path], Config(root=tmp_path, cache=False, engine="light"))
    assert not [f for f in report.findings if f.code == "BP102"]
    assert any(f.family == "duplicate" for f in report.findings)  # still reported, as what it is


def test_a_pre_commit_run_gives_the_checked_file_the_full_runs_template_counts_and_scores(tmp_path):
    # One article of the site checked against the corpus: the template step sees only the
    # lines of the other files that the article has, so its counts (a copy of an article
    # counting once) and noise scores must stay those of a full run.
    import shutil

    folder = tmp_path / "corpus"
    shutil.copytree(SITE, folder)
    files = sorted(folder.glob("*.txt"))
    shutil.copy(files[1], folder / "zz-copy.txt")  # a copy: the site's lines are in one more file, counting once
    checked = files[4]  # mid-corpus: the files before it place its rows
    other = files[2]  # ends with a line of its own, which the checked file does not have
    other.write_text(other.read_text(encoding="utf-8") + "\nA closing line only this other article has.\n", encoding="utf-8")
    checked.write_text(checked.read_text(encoding="utf-8") + "\nA new line only this article has.\n", encoding="utf-8")
    config = Config(root=tmp_path, cache=False, engine="light")
    full = check([folder], config)
    one = check([checked], config, context=[folder])
    shown = {d.path for d in one.documents}
    assert len(shown) == 1 and one.findings == [f for f in full.findings if f.path in shown]
    assert any(f.code == "BP102" for f in one.findings)  # the site's template text is found
    for report in (full, one):  # the reported file's paragraphs: the same counts and scores
        table = report.paragraph_table
        rows = [r for r, path in enumerate(table["path"]) if path in shown]
        values = [(table["template_files"][r], table["noise_score"][r]) for r in rows]
        if report is full:
            expected = values
    assert values == expected and max(v[0] for v in values) == len(files)  # ten articles; the copy counts once


def test_a_files_copies_take_its_noise_values_and_count_once(tmp_path, monkeypatch):
    # A full check stacks and scores a text once: a copy of a file (of its family) is left out
    # of the noise units and its rows take the file's values. Every noise column must be what
    # the check gives when each copy is stacked and scored on its own.
    import math
    import shutil

    from validators.features import noise

    folder = tmp_path / "corpus"
    shutil.copytree(SITE, folder)
    files = sorted(folder.glob("*.txt"))
    shutil.copy(files[1], folder / "02b-copy.txt")  # right after its original
    shutil.copy(files[1], folder / "zz-copy.txt")  # and at the end
    shutil.copy(files[6], folder / "05b-copy.txt")  # before its original
    config = Config(root=tmp_path, cache=False, engine="light")
    columns = ("noise_score", "noise_why", "story_noise_score", "furnished_noise_score", "template_files", "prose")

    def values(report):
        table = report.paragraph_table
        return {c: [None if isinstance(v, float) and math.isnan(v) else v for v in table[c]] for c in columns}

    left_out = []
    features = noise.corpus_noise_features

    def recording(frame, per_file, template=None, copies=False):
        units = features(frame, per_file, template, copies)
        left_out.append(len(units.copies))
        return units

    monkeypatch.setattr(noise, "corpus_noise_features", recording)
    once = check([folder], config)
    monkeypatch.setattr(noise, "corpus_noise_features", lambda frame, per_file, template=None, copies=False: features(frame, per_file, template))
    each = check([folder], config)
    assert left_out == [3]
    assert values(once) == values(each) and once.findings == each.findings
    by_file = {}
    for f in once.findings:
        if f.family == "noise":
            by_file.setdefault(f.path.rsplit("/", 1)[-1], []).append((f.code, f.line, f.message))
    assert by_file["02b-copy.txt"] == by_file["zz-copy.txt"] == by_file[files[1].name]
    assert by_file["05b-copy.txt"] == by_file[files[6].name]
    assert max(once.paragraph_table["template_files"]) == len(files)  # the copies count once
