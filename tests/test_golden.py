"""The full list of findings on seeds/, pinned. Regenerate after an intended change with
``CORPUS_VALIDATOR_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff."""

import json
import os

import pytest

from conftest import REPO, SEEDS
from validators.config import load_config
from validators.pipeline import check

GOLDEN = REPO / "tests" / "fixtures" / "seeds_findings.json"
SEED_000 = "seeds/000_b62c68cda4596989.txt"
SEED_001 = "seeds/001_f5378cd05d5454e8.txt"


@pytest.fixture(scope="module")
def report():
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return check([SEEDS.relative_to(REPO)], load_config(start=REPO))
    finally:
        os.chdir(cwd)


def test_findings_on_the_seeds_match_the_golden_file(report):
    actual = json.loads(json.dumps([f.to_dict() for f in report.findings]))
    if os.environ.get("CORPUS_VALIDATOR_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert actual == expected


def test_page_furniture_of_seed_000_is_flagged_at_its_real_lines(report):
    noise_lines = {f.line for f in report.findings if f.path == SEED_000 and f.family == "noise"}
    assert {25, 27, 29, 31, 34, 36} <= noise_lines


def test_kim_jong_un_variant_is_reported_with_both_places(report):
    (finding,) = [f for f in report.findings if f.code == "NM001" and "Kim Jong-un" in f.message]
    assert (finding.path, finding.line) == (SEED_000, 13)
    assert {p.path for p in finding.related} == {SEED_001}
    assert len(finding.related) == 4


def test_seeds_are_clean_utf8_so_no_encoding_finding(report):
    assert [f for f in report.findings if f.family == "encoding"] == []


def test_no_paragraph_of_seed_001_is_noise_at_error_severity(report):
    assert [f for f in report.findings if f.path == SEED_001 and f.family == "noise" and f.severity == "error"] == []


def test_readme_lists_every_rule():
    from validators.rules import RULES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"| {code} | {rule.name} | {rule.family} |" in readme, code


def test_the_quote_both_seeds_carry_is_one_finding_with_both_places(report):
    (finding,) = [f for f in report.findings if f.code == "DU005"]
    assert (finding.path, finding.line) == (SEED_001, 4)
    assert [(p.path, p.line) for p in finding.related] == [(SEED_000, 7)]
    assert "We are no longer interested in such talks that br" in finding.message


def test_the_dateline_of_seed_000_is_flagged(report):
    at = {(f.line, f.code) for f in report.findings if f.path == SEED_000 and f.family == "noise"}
    assert (1, "BP005") in at


@pytest.mark.xfail(
    strict=True,
    reason="the noise model scores the three related headlines inside seed 000's story under 0.1, "
    "under the review threshold (issue 13's done-when asks for lines 9-11 flagged)",
)
def test_the_headline_block_of_seed_000_is_flagged(report):
    at = {(f.line, f.code) for f in report.findings if f.path == SEED_000 and f.family == "noise"}
    assert (9, "BP101") in at or (9, "BP100") in at  # the three headlines, lines 9-11, are one paragraph
    (headlines,) = [f for f in report.findings if f.path == SEED_000 and f.line == 9]
    assert headlines.end_line == 11
