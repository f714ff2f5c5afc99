"""The gate as CI and pre-commit use it: output formats, baselines, one file against the corpus, the cache."""

import json
import os
import xml.etree.ElementTree as ET

import pytest

from conftest import REPO, shared_file

STORY = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
NOISY = STORY + "\nSign up for our daily newsletter\n\nPlease read our comment policy, 100% of it.\n"
SCHEMA = shared_file("schemas/sarif-schema-2.1.0.json")


def test_github_format_annotates_each_finding_and_escapes(cli, corpus, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    folder = corpus({"a.txt": NOISY, "b.txt": b"\xef\xbb\xbf" + STORY.encode().replace(b"Monday", b"Friday")})
    result = cli("check", folder, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "::warning file=corpus/b.txt,line=1,col=1,endLine=1,endColumn=1,title=EN003::"
        "file starts with a UTF-8 byte-order mark (help: remove the BOM (save as UTF-8 without BOM))"
    ) in lines
    assert any(line.startswith("::error file=corpus/a.txt,line=3,col=1,endLine=3,endColumn=33,title=BP001::") for line in lines)
    assert any("100%25 of it" in line for line in lines)  # '%' escaped as workflow commands require
    text = summary.read_text()
    assert text.startswith("## corpus-validator") and "| BP001 | 1 |" in text and "`corpus/a.txt:3:1`" in text


@pytest.mark.skipif(not SCHEMA.is_file(), reason=f"the SARIF schema is not at {SCHEMA}")
def test_sarif_output_validates_against_the_oasis_schema(cli, corpus):
    import jsonschema

    folder = corpus({
        "a.txt": NOISY + "\nMr. Trumpâ€™s tweet\n",
        "b.txt": "The leader Kim Jong Un spoke.\nThe leader Kim Jong Un left.\n",
        "c.txt": "The leader Kim Jong-un spoke.\n",
    })  # fmt: skip
    result = cli("check", folder, "--format", "sarif")
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = log["runs"][0]
    assert {"BP001", "BP003", "EN001", "NM001"} <= {r["ruleId"] for r in run["results"]}
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    variant = next(r for r in run["results"] if r["ruleId"] == "NM001")
    assert len(variant["relatedLocations"]) == 2
    assert variant["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 12, "endLine": 1, "endColumn": 23}


def test_junit_output_has_a_suite_per_file_and_a_case_per_finding(cli, corpus):
    folder = corpus({"a.txt": NOISY, "b.txt": STORY.replace("Monday", "Friday")})
    root = ET.fromstring(cli("check", folder, "--format", "junit", "--select", "BP").stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"corpus/a.txt", "corpus/b.txt"}
    cases = [(c.get("name"), c.get("file"), c.get("line"), c.find("failure").get("type")) for c in suites["corpus/a.txt"]]
    assert cases == [("BP001 at 3:1", "corpus/a.txt", "3", "BP001"), ("BP003 at 5:1", "corpus/a.txt", "5", "BP003")]
    clean = suites["corpus/b.txt"].findall("testcase")
    assert [c.get("name") for c in clean] == ["no findings"] and clean[0].find("failure") is None
    assert root.get("failures") == "2" and root.get("tests") == "3"


def test_baseline_accepts_todays_findings_and_survives_unrelated_edits(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY})
    baseline = tmp_path / "baseline.json"
    assert cli("baseline", folder, "--output", baseline).exit_code == 0
    assert cli("check", folder, "--baseline", baseline).exit_code == 0

    # Lines added above and the story paragraph edited: the accepted findings move, and stay accepted.
    (folder / "a.txt").write_text("A new headline paragraph.\n\n" + NOISY.replace("Monday", "Sunday"))
    result = cli("check", folder, "--baseline", baseline)
    assert result.exit_code == 0, result.stdout
    assert "2 accepted by the baseline" in result.stdout

    # A new finding fails the gate, and only it is reported.
    (folder / "a.txt").write_text(NOISY + "\nClick here to read more\n")
    result = cli("check", folder, "--baseline", baseline, "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [f["code"] for f in report["findings"]] == ["BP004"] and report["summary"]["baselined"] == 2


def test_baseline_without_output_makes_the_corpus_expectations_folder_it_writes_to(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    result = cli("baseline")
    assert result.exit_code == 0, result.stderr
    assert "recorded 2 findings in expectations/baseline.json" in result.stderr
    assert cli("check", folder, "--baseline", "expectations/baseline.json").exit_code == 0
    # A folder the user names is not made: a typo would hide the file.
    result = cli("baseline", "--output", tmp_path / "no-such-folder" / "baseline.json")
    assert result.exit_code == 2 and "folder" in result.stderr and "does not exist" in result.stderr
    (tmp_path / "expectations" / "baseline.json").unlink()
    (tmp_path / "expectations").rmdir()
    (tmp_path / "expectations").write_text("not a folder")
    result = cli("baseline")
    assert result.exit_code == 2 and "expectations/baseline.json: cannot make its folder" in result.stderr


def test_baseline_counts_copies(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY})
    baseline = tmp_path / "baseline.json"
    cli("baseline", folder, "--output", baseline)
    (folder / "a.txt").write_text(NOISY + "\nSign up for our daily newsletter\n")  # the same prompt, twice
    assert cli("check", folder, "--baseline", baseline).exit_code == 1


def test_a_fingerprint_is_worked_out_when_an_output_asks_and_survives_a_change_of_severity(run, monkeypatch):
    """A check whose output shows no fingerprint (text, the gate) hashes no paragraph; asked,
    each finding's is the digest of its rule, file, paragraph and span, whatever its level."""
    from dataclasses import replace

    from validators import findings

    calls = []
    digest = findings.fingerprint
    monkeypatch.setattr(findings, "fingerprint", lambda *material: calls.append(material) or digest(*material))
    report = run({"a.txt": NOISY, "b.txt": b"\xef\xbb\xbf" + STORY.encode().replace(b"Monday", b"Friday")})
    assert report.findings and not calls
    raw = report.paragraphs["raw"]
    for f in report.findings:
        paragraph = "" if f.row is None else raw[f.row]
        start, end = (0, 0) if f.row is None else (f.material[1], f.material[2])
        assert f.fingerprint == digest(f.code, f.path, paragraph, paragraph[start:end])
        assert replace(f, severity="warning", message="changed").fingerprint == f.fingerprint
    assert len(calls) == 2 * len(report.findings)  # once per finding and once per changed copy, never again
    assert [f.fingerprint for f in report.findings] and len(calls) == 2 * len(report.findings)


_ENTRY = '{"version": 1, "findings": {"abc": {"code": "BP001", "path": "a.txt", "line": 1, "count": %s}}}'


@pytest.mark.parametrize("content, message", [
    (None, "baseline file not found"), ("{", "not valid JSON"), ('{"version": 9}', "not a corpus-validator baseline"),
    *((_ENTRY % count, f"entry 'abc': count must be a whole number of 1 or more, not {shown}")
      for count, shown in [("Infinity", "inf"), ('"1"', "'1'"), ("1.9", "1.9"), ("true", "True"), ("-5", "-5"), ("0", "0")]),
])  # fmt: skip
def test_bad_baseline_exits_2(cli, corpus, tmp_path, content, message):
    folder = corpus({"a.txt": STORY})
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    result = cli("check", folder, "--baseline", path)
    assert result.exit_code == 2 and message in result.stderr


CROSS_FILE = {
    "a.txt": "The leader Kim Jong Un spoke.\nThe leader Kim Jong Un left.\n",
    "b.txt": "The leader Kim Jong-un spoke.\n\n" + STORY,
    "c.txt": STORY,
}


def test_one_file_with_corpus_still_sees_cross_file_problems(cli, corpus, tmp_path):
    corpus(CROSS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    alone = cli("check", "corpus/b.txt", "--format", "json", "--select", "DU,NM")
    assert json.loads(alone.stdout)["findings"] == []  # alone, b.txt has no variant and no copy
    report = json.loads(cli("check", "corpus/b.txt", "--with-corpus", "--format", "json", "--select", "DU,NM").stdout)
    assert sorted((f["code"], f["path"]) for f in report["findings"]) == [("NM001", "corpus/b.txt")]
    report = json.loads(cli("check", "corpus/c.txt", "--with-corpus", "--format", "json", "--select", "DU,NM").stdout)
    assert [(f["code"], f["path"], f["related"][0]["path"]) for f in report["findings"]] == [("DU001", "corpus/c.txt", "corpus/b.txt")]
    assert report["summary"]["files"] == 1


@pytest.mark.parametrize("engine", ["gx", "light"])
def test_with_corpus_reports_what_the_full_run_reports_for_that_file(cli, corpus, tmp_path, engine):
    corpus(CROSS_FILE | {"d.txt": NOISY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    full = json.loads(cli("check", "--engine", engine, "--format", "json").stdout)["findings"]
    for name in CROSS_FILE | {"d.txt": ""}:
        path = f"corpus/{name}"
        one = json.loads(cli("check", path, "--with-corpus", "--engine", engine, "--format", "json").stdout)["findings"]
        assert one == [f for f in full if f["path"] == path], name


def test_a_hook_run_on_each_file_of_a_site_reports_what_the_full_run_reports_there(cli, corpus, tmp_path):
    # A site's articles (shared template lines), a copy and a near copy of one of them, a
    # passage quoted in two, and a name spelled two ways: each file checked alone against
    # the corpus, after a warm full run and then after an edit, gets the full run's findings.
    site = REPO / "tests" / "fixtures" / "one-site" / "corpus"
    articles = {p.name: p.read_text(encoding="utf-8") for p in sorted(site.glob("*.txt"))[:5]}
    first = next(iter(articles.values()))
    quote = "“We will not sign anything that leaves the harbour towns without their ferries,”"
    articles |= {
        "m-copy.txt": first,
        "n-near.txt": first.replace("\n\n", "\n\nIn brief.\n\n", 1),
        "o-quote.txt": STORY + "\nAt the packed town hall meeting on Monday night, after two hours of questions from "
        "angry residents and shop owners, the mayor finally said: " + quote + " and the room applauded.\n",
        "p-quote.txt": "The council met on Friday.\n\nTuesday's regional budget vote will decide the timetable, and "
        "opposition members doubt the figures. " + quote + " she repeated to reporters outside.\n\n"
        "The leader Kim Jong-un spoke.\n",
        "q-near.txt": STORY.replace("on Monday", "late on Monday"),
    }
    folder = corpus(articles | CROSS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')

    def findings(*args):
        return json.loads(cli("check", "--engine", "light", "--format", "json", *args).stdout)["findings"]

    for edit in ("", "\nAn edited closing line.\n"):
        if edit:
            (folder / "m-copy.txt").write_text(first + edit, encoding="utf-8")
        full = findings()
        copy = "DU004" if edit else "DU002"  # the edited copy nearly repeats its article
        assert {"DU001", copy, "DU003", "DU005", "NM001", "BP102"} <= {f["code"] for f in full}
        for name in sorted(articles | CROSS_FILE):
            path = f"corpus/{name}"
            assert findings(path, "--with-corpus") == [f for f in full if f["path"] == path], (name, edit)


def test_cache_is_used_refreshed_and_ignored_when_broken(cli, corpus, tmp_path):
    from validators import cache as cache_module

    corpus(CROSS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    first = cli("check", "--format", "json").stdout
    stored = tmp_path / cache_module.FOLDER / cache_module.FILE
    assert stored.is_file() and (tmp_path / cache_module.FOLDER / ".gitignore").read_text().endswith("*\n")
    assert cli("check", "--format", "json").stdout == first

    (tmp_path / "corpus" / "c.txt").write_text(STORY + "\nSign up for our daily newsletter\n")
    assert "BP001" in cli("check").stdout  # a changed file is not served from the cache

    stored.write_bytes(b"not a pickle")
    assert "BP001" in cli("check").stdout
    assert "BP001" not in cli("check", "--no-cache", "--ignore", "BP").stdout


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_a_link_in_the_cache_folder_is_replaced_not_written_through(cli, corpus, tmp_path):
    """A checked-out corpus may carry links where the cache's files go: what they point at is
    never written (a link named features.pickle had its target overwritten with the cache)."""
    import time

    from validators import cache as cache_module

    corpus(CROSS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    folder = tmp_path / cache_module.FOLDER
    folder.mkdir()
    victim, elsewhere = tmp_path / "notes.txt", tmp_path / "outside" / "ignored"
    victim.write_text("my notes\n")
    (folder / cache_module.FILE).symlink_to(victim)
    (folder / ".gitignore").symlink_to(elsewhere)  # a link to nowhere: writing it would make a file there
    expected = cli("check", "--format", "json", "--no-cache").stdout
    assert cli("check", "--format", "json").stdout == expected
    assert victim.read_text() == "my notes\n" and not elsewhere.exists()
    assert not (folder / cache_module.FILE).is_symlink() and not (folder / ".gitignore").is_symlink()
    assert cli("check", "--format", "json").stdout == expected  # and the cache written in their place works
    # A temporary file a run killed while writing the cache left goes once it is an hour old.
    stale = folder / f".{cache_module.FILE}.k3j_9xq2.corpus-validator.tmp"
    stale.write_bytes(b"half a cache")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    (tmp_path / "corpus" / "c.txt").write_text("A new file, so the cache is written again.\n")
    cli("check")
    assert not stale.exists()


def test_a_cache_file_that_would_run_code_when_loaded_is_not_loaded_and_is_replaced(cli, corpus, tmp_path):
    import io
    import pickle

    from validators import cache as cache_module

    corpus(CROSS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    expected = cli("check", "--format", "json").stdout
    stored = tmp_path / cache_module.FOLDER / cache_module.FILE
    marker = tmp_path / "ran.txt"
    # A crafted file, as a checked-out corpus could carry: as the header, and as a record
    # after the genuine header.
    genuine = stored.read_bytes()
    read = io.BytesIO(genuine)
    pickle.load(read)
    start = cache_module._aligned(read.tell())
    payload = pickle.dumps(_RunsCode(marker))
    frame = cache_module._FRAME.pack(len(payload), 0)
    record = frame.ljust(cache_module._aligned(start + len(frame)) - start, b"\0") + payload
    for crafted in (payload, genuine[:start] + record.ljust(cache_module._aligned(len(record)), b"\0")):
        stored.write_bytes(crafted)
        assert cli("check", "--format", "json").stdout == expected
        assert not marker.exists()
        assert pickle.load(io.BytesIO(stored.read_bytes()))["key"] and stored.read_bytes() != crafted  # written afresh
    with pytest.raises(pickle.UnpicklingError, match="builtins.exec is not something the feature cache holds"):
        cache_module._load(memoryview(pickle.dumps(_RunsCode(marker))), [])
    assert not marker.exists()


def test_no_cache_setting_writes_nothing(cli, corpus, tmp_path):
    from validators import cache as cache_module

    corpus({"a.txt": STORY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\ncache = false\n')
    cli("check")
    assert not (tmp_path / cache_module.FOLDER).exists()


def test_engine_and_cache_settings_are_validated(cli, corpus, tmp_path):
    corpus({"a.txt": STORY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\nengine = "fast"\n')
    result = cli("check", "corpus")
    assert result.exit_code == 2 and "engine must be one of gx, light, spark, not 'fast'" in result.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\ncache = "yes"\n')
    assert "'cache' must be true or false" in cli("check", "corpus").stderr


def test_fix_with_corpus_changes_only_the_given_file(cli, corpus, tmp_path):
    corpus(CROSS_FILE | {"c.txt": "Trump &amp; Kim met in Hanoi on Thursday.\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    cli("fix", "corpus/b.txt", "--with-corpus")
    assert (tmp_path / "corpus" / "b.txt").read_text().startswith("The leader Kim Jong Un spoke.")
    assert (tmp_path / "corpus" / "c.txt").read_text() == "Trump &amp; Kim met in Hanoi on Thursday.\n"


def test_fix_with_corpus_takes_the_corpus_features_from_the_cache_and_leaves_its_own_there(cli, corpus, tmp_path, monkeypatch):
    """The fix hook computed every file's features on every run (the cache was check's only):
    a one-file fix in 10,000 page dumps took 77 s where the check hook takes 5."""
    from validators import pipeline

    corpus(CROSS_FILE | {"c.txt": "Trump &amp; Kim met in Hanoi on Thursday.\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    assert cli("check", "--engine", "light").exit_code == 1  # warms the cache
    computed = []
    real = pipeline._computed
    monkeypatch.setattr(pipeline, "_computed", lambda work, context: computed.extend(doc.path for doc, _ in work) or real(work, context))
    cli("fix", "corpus/c.txt", "--with-corpus", "--engine", "light")
    assert (tmp_path / "corpus" / "c.txt").read_text() == "Trump & Kim met in Hanoi on Thursday.\n"
    assert computed == ["corpus/c.txt"]  # the repaired file only: the others are the cache's
    computed.clear()
    assert cli("check", "corpus/c.txt", "--with-corpus", "--engine", "light").exit_code == 0
    assert computed == []  # the repaired text's features were kept for the next run
    computed.clear()
    cli("fix", "corpus/c.txt", "--with-corpus", "--engine", "light", "--no-cache")
    assert sorted(computed) == ["corpus/a.txt", "corpus/b.txt", "corpus/c.txt"]  # --no-cache: every file's, as asked


def test_the_repository_passes_its_own_gate_with_its_baseline(cli, monkeypatch):
    monkeypatch.chdir(REPO)
    result = cli("check", "--baseline", "expectations/baseline.json", "--no-cache")
    assert result.exit_code == 0, result.stdout
    assert os.path.exists(REPO / "expectations" / "baseline.json")


def test_cache_appends_new_entries_and_keeps_those_a_run_did_not_read(tmp_path):
    from validators.cache import FILE, FeatureCache

    first = FeatureCache(tmp_path)
    for n in range(40):
        first.put(f"file-{n}", {"n": n})
    first.save()
    written = (tmp_path / FILE).read_bytes()

    second = FeatureCache(tmp_path)  # a hook run: one file read, and it changed
    assert len(second.entries) == 40 and second.intact
    assert second.get("file-0") == {"n": 0}
    second.put("file-39-edited", {"n": 39})
    second.save()
    appended = (tmp_path / FILE).read_bytes()
    assert appended.startswith(written) and len(appended) > len(written)
    assert set(FeatureCache(tmp_path).entries) == {*(f"file-{n}" for n in range(40)), "file-39-edited"}

    third = FeatureCache(tmp_path)  # nothing new: the file is left as it is
    third.get("file-1")
    third.save()
    assert (tmp_path / FILE).read_bytes() == appended


def _sized_entry(n):
    return {"text": f"{n:04}" * 250}


def _limit(entries: int) -> int:
    """A cache size limit of about ``entries`` records of ``_sized_entry``."""
    from validators.cache import _framed

    return entries * len(_framed({"file-00": _sized_entry(0)}))


def test_cache_past_its_size_keeps_what_the_run_used_then_the_newest(tmp_path):
    from validators.cache import FILE, KEPT_SHARE, FeatureCache

    limit = _limit(20)
    first = FeatureCache(tmp_path, max_bytes=limit)
    for n in range(15):
        first.put(f"file-{n:02}", _sized_entry(n))
    first.save()
    second = FeatureCache(tmp_path, max_bytes=limit)  # the corpus changed: 8 files new, 4 read
    for n in range(15, 23):  # past the limit: a rewrite
        second.put(f"file-{n:02}", _sized_entry(n))
    for n in range(4):
        second.get(f"file-{n:02}")  # the oldest, but this run read them
    second.save()
    kept = FeatureCache(tmp_path, max_bytes=limit)
    assert (tmp_path / FILE).stat().st_size <= limit * KEPT_SHARE + 200
    assert {f"file-{n:02}" for n in [*range(4), *range(15, 23)]} <= set(kept.entries)
    assert "file-04" not in kept.entries  # the oldest unused go first
    others = sorted(k for k in kept.entries if "file-04" < k < "file-15")
    assert others == [f"file-{n:02}" for n in range(15 - len(others), 15)] and len(others) == 3


def test_cache_of_a_corpus_past_the_limit_is_appended_to_not_rewritten_each_run(tmp_path):
    """Every hook run reads every file: when the corpus's own entries pass the limit, a rewrite
    would drop nothing but the edited file's old entry, and it wrote the whole file (965 MB for
    10,000 real pages) on every commit."""
    from validators.cache import FILE, FeatureCache

    limit = _limit(10)
    first = FeatureCache(tmp_path, max_bytes=limit)
    for n in range(15):
        first.put(f"file-{n:02}", _sized_entry(n))
    first.save()
    for run in range(3):  # hook runs: every entry read but one, and the edited file's new one
        written = (tmp_path / FILE).read_bytes()
        hook = FeatureCache(tmp_path, max_bytes=limit)
        for n in range(14):
            hook.get(f"file-{n:02}")
        hook.put(f"file-14-edit-{run}", _sized_entry(100 + run))
        hook.save()
        assert (tmp_path / FILE).read_bytes().startswith(written)
    assert len(FeatureCache(tmp_path, max_bytes=limit).entries) == 18


def test_cache_run_of_a_few_files_drops_no_entry_until_the_file_is_twice_its_limit(tmp_path):
    """``check FILE`` past the limit kept what it read and three quarters of the limit: with a
    corpus bigger than that, the next hook run computed the dropped files again."""
    from validators.cache import FILE, FeatureCache

    limit = _limit(10)
    first = FeatureCache(tmp_path, max_bytes=limit)
    for n in range(15):
        first.put(f"file-{n:02}", _sized_entry(n))
    first.save()
    few = FeatureCache(tmp_path, max_bytes=limit)
    few.get("file-00")
    few.put("file-new", _sized_entry(99))
    few.save()
    assert len(FeatureCache(tmp_path, max_bytes=limit).entries) == 16
    more = FeatureCache(tmp_path, max_bytes=limit)
    for n in range(5):  # past twice the limit: now a rewrite
        more.put(f"file-more-{n}", _sized_entry(200 + n))
    more.save()
    kept = FeatureCache(tmp_path, max_bytes=limit)
    assert set(kept.entries) >= {f"file-more-{n}" for n in range(5)} and len(kept.entries) < 12
    assert (tmp_path / FILE).stat().st_size < limit


def test_a_one_file_check_keeps_every_files_cache_entry(cli, corpus, tmp_path):
    from validators.config import load_config
    from validators.pipeline import open_cache

    folder = corpus({f"story-{n}.txt": STORY.replace("Monday", f"day {n}") for n in range(40)})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    assert cli("check", "--engine", "light").exit_code == 0
    full = set(open_cache(load_config(start=tmp_path)).entries)
    assert len(full) == 40
    cli("check", "--engine", "light", folder / "story-3.txt")
    (folder / "story-4.txt").write_text(STORY.replace("Monday", "an edited day"))
    cli("check", "--engine", "light", "--with-corpus", folder / "story-4.txt")
    cli("check", "--engine", "light", folder / "story-4.txt")
    after = set(open_cache(load_config(start=tmp_path)).entries)
    assert full < after and len(after) == 41  # every file's entry, and the edited file's new one


def test_cache_size_setting_is_validated(cli, corpus, tmp_path):
    corpus({"a.txt": STORY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\ncache-size = 0\n')
    assert "'cache-size' must be a whole number of MB" in cli("check", "corpus").stderr
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\ncache-size = 64\n')
    assert cli("check", "corpus", "--engine", "light").exit_code == 0


def test_cache_record_cut_short_keeps_what_was_read_and_is_rewritten(tmp_path):
    from validators.cache import FILE, FeatureCache

    cache = FeatureCache(tmp_path)
    cache.put("a", {"n": 1})
    cache.save()
    cache = FeatureCache(tmp_path)
    cache.get("a")
    cache.put("b", {"n": 2})
    cache.save()
    stored = tmp_path / FILE
    stored.write_bytes(stored.read_bytes()[:-3])  # a run killed while appending

    broken = FeatureCache(tmp_path)
    assert broken.entries == {"a": {"n": 1}} and not broken.intact
    broken.get("a")
    broken.save()
    repaired = FeatureCache(tmp_path)
    assert repaired.intact and repaired.entries == {"a": {"n": 1}}


def test_cache_maps_large_arrays_from_its_file_and_keeps_small_ones_in_the_pickle(tmp_path):
    """A hook run in 10,000 page dumps copied 900 MB of signatures and line features out of
    the cache file, most of which it never reads: the large arrays are views of the mapped
    file, equal to what was stored, and writable without changing the file."""
    import mmap

    import numpy as np

    from validators.cache import FILE, OUT_OF_BAND, FeatureCache

    large = np.arange(OUT_OF_BAND, dtype=np.float64).reshape(-1, 8)
    small = np.arange(10, dtype=np.int64)
    cache = FeatureCache(tmp_path)
    digests = np.arange(80, dtype=np.int64)  # a short file's 40 digest pairs: most arrays are this small
    cache.put("a", {"step": {"x": large, "keys": small, "text": "words", "digests": digests}})
    cache.put("b", {"step": {"x": large[::-1].copy(), "keys": small, "text": "more"}})
    cache.save()
    written = (tmp_path / FILE).read_bytes()

    def mapped(array) -> bool:
        base = array
        while isinstance(base, np.ndarray):
            base = base.base
        return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)

    loaded = FeatureCache(tmp_path)
    assert loaded.intact and set(loaded.entries) == {"a", "b"}
    a, b = loaded.entries["a"]["step"], loaded.entries["b"]["step"]
    assert np.array_equal(a["x"], large) and np.array_equal(b["x"], large[::-1]) and a["x"].dtype == np.float64
    assert a["x"].shape == large.shape and a["text"] == "words" and np.array_equal(a["keys"], small)
    assert mapped(a["x"]) and mapped(b["x"]) and not mapped(a["keys"])
    assert mapped(a["digests"]) and np.array_equal(a["digests"], digests)  # not copied out of the pickle
    assert a["x"].ctypes.data % 64 == 0  # aligned, as NumPy reads fastest
    a["x"][0, 0] = -1.0  # a run may change what it loaded: its own copy of the page
    assert (tmp_path / FILE).read_bytes() == written
    assert FeatureCache(tmp_path).entries["a"]["step"]["x"][0, 0] == 0.0


def test_cache_record_cut_short_in_its_arrays_is_dropped(tmp_path):
    import numpy as np

    from validators.cache import FILE, OUT_OF_BAND, FeatureCache

    cache = FeatureCache(tmp_path)
    cache.put("a", {"step": {"x": np.ones(OUT_OF_BAND)}})
    cache.save()
    whole = (tmp_path / FILE).stat().st_size
    cache = FeatureCache(tmp_path)
    cache.put("b", {"step": {"x": np.zeros(OUT_OF_BAND)}})
    cache.save()
    stored = tmp_path / FILE
    stored.write_bytes(stored.read_bytes()[: whole + 4 * OUT_OF_BAND])  # b's array cut in half
    broken = FeatureCache(tmp_path)
    assert set(broken.entries) == {"a"} and not broken.intact
    assert np.array_equal(broken.entries["a"]["step"]["x"], np.ones(OUT_OF_BAND))


def test_cache_of_the_previous_layout_starts_afresh(tmp_path):
    """The file before records were framed: one pickle per record after the header."""
    import pickle
    import sys

    from validators import __version__
    from validators.cache import FILE, FeatureCache, digest

    header = {"key": digest("\0".join((__version__, sys.version)).encode()), "sections": {}}
    (tmp_path / FILE).write_bytes(pickle.dumps(header, protocol=5) + pickle.dumps({"a": {"n": 1}}, protocol=5))
    cache = FeatureCache(tmp_path)
    assert cache.entries == {} and not cache.intact
    cache.put("b", {"n": 2})
    cache.save()
    assert FeatureCache(tmp_path).entries == {"b": {"n": 2}}


def test_a_check_lets_go_of_the_files_bytes_once_their_features_are_computed(corpus, tmp_path):
    """A check of 2,000 page dumps held the corpus's bytes beside its decoded text until the
    end, 35 MB of its peak; the rules read the text. ``fix`` keeps them: it compares them."""
    from validators import pipeline
    from validators.config import Config
    from validators.ingest import read

    corpus(CROSS_FILE | {"c.txt": STORY + "\nSign up for our daily newsletter\n"})
    config = Config(root=tmp_path, cache=False)
    report = pipeline.check([tmp_path / "corpus"], config)
    assert report.documents and all(doc.data == b"" for doc in report.documents)
    documents = read([tmp_path / "corpus"])
    kept = pipeline.check_documents(documents, config)
    assert all(doc.data for doc in documents)  # the default, as fix calls it
    assert [f.to_dict() for f in report.findings] == [f.to_dict() for f in kept.findings]
    assert {"BP001", "NM001", "DU001"} <= {f.code for f in report.findings}


def test_cache_on_a_file_system_that_cannot_map_it_is_read_into_memory(tmp_path, monkeypatch):
    """Some file systems (FUSE with direct I/O) refuse mmap: the cache would otherwise start
    afresh on every run and compute every file again."""
    import mmap

    import numpy as np

    from validators.cache import OUT_OF_BAND, FeatureCache

    cache = FeatureCache(tmp_path)
    cache.put("a", {"step": {"x": np.arange(OUT_OF_BAND, dtype=np.int64), "n": 1}})
    cache.save()

    def refuse(*args, **kwargs):
        raise OSError(19, "No such device")

    monkeypatch.setattr(mmap, "mmap", refuse)
    loaded = FeatureCache(tmp_path)
    assert loaded.intact and loaded.entries["a"]["step"]["n"] == 1
    x = loaded.entries["a"]["step"]["x"]
    assert np.array_equal(x, np.arange(OUT_OF_BAND)) and x.ctypes.data % 8 == 0
    x[0] = -1  # writable, as a mapped or unpickled array is


def test_an_unforeseen_error_after_reading_the_cache_names_the_cache(cli, corpus, tmp_path, monkeypatch):
    """Damage inside a cache record is not detected (no checksum): what it breaks is an internal
    error, whose message says how to rule the cache out."""
    from validators import cache as cache_module
    from validators.features import duplicate

    corpus(CROSS_FILE)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    assert cli("check").exit_code == 1  # the cache is written
    monkeypatch.setattr(cache_module, "READ_FROM", [])

    def damaged(*args, **kwargs):
        raise IndexError("index 8125824763237605484 is out of bounds for axis 0 with size 50092")

    monkeypatch.setattr(duplicate, "add_duplicate_features", damaged)
    result = cli("check")
    assert result.exit_code == 2
    assert "internal error: IndexError" in result.stderr
    assert f"if the feature cache {tmp_path / cache_module.FOLDER} is damaged, delete it or run with --no-cache" in result.stderr
