"""The spark engine (GX on Spark, local[2]) gives exactly the gx engine's findings.

Skipped where pyspark or Java is missing; under CI (``CI=true``, where .ci/run installs both) they fail instead.
"""

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, SEEDS, write_corpus
from validators.config import Config
from validators.evaluate import evaluate_light
from validators.frame import Table
from validators.pattern_list import alternations
from validators.pipeline import check
from validators.suite import parse_suite

FTFY_CASES = json.loads((REPO / "tests" / "fixtures" / "ftfy" / "test_cases.json").read_text(encoding="utf-8"))
MASTER = "local[2]"
# py4j leaves its sockets to the Spark gateway to close when the process ends.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]


def _unavailable() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "Java is not installed (apt-get install -y openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    """One SparkSession for every test here: starting one costs seconds."""
    missing = _unavailable()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}, and CI must run the Spark tests (.ci/run installs them)")
        pytest.skip(missing)
    from validators.spark import session

    yield session(MASTER)


def findings(folder, engine, **settings):
    from validators import spark as spark_engine

    config = Config(root=REPO, engine=engine, cache=False, **settings)
    if engine == "spark":
        config.spark_master = MASTER
    found = [f.to_dict() for f in check([folder], config).findings]
    if engine == "spark":  # each rule named every row its findings read: fetched in two batches
        assert spark_engine.LAST_FETCHES["misses"] == 0 and spark_engine.LAST_FETCHES["jobs"] <= 3, spark_engine.LAST_FETCHES
    return found


def same_findings(folder, **settings):
    expected = findings(folder, "gx", **settings)
    assert findings(folder, "spark", **settings) == expected
    return expected


# ----------------------------------------------------------------------------- parity on corpora


def test_same_findings_on_seeds_with_the_paragraph_table_built_on_spark(spark, tmp_path, monkeypatch):
    """GX validates the paragraph and mentions tables the engine built on the executors: the driver
    uploads only the files table it made (one row a file), neither of those; and the findings, as
    a Parquet or JSON Lines table written by Spark, are the JSON report's."""
    from validators import spark as engine

    uploaded = []
    upload = engine.to_spark
    monkeypatch.setattr(engine, "to_spark", lambda session, frame, columns: uploaded.append(len(frame)) or upload(session, frame, columns))
    report = check([SEEDS], Config(root=REPO, engine="spark", spark_master=MASTER, cache=False))
    found = [f.to_dict() for f in report.findings]
    assert found == findings(SEEDS, "gx")
    assert {f["code"][:2] for f in found} >= {"BP", "NM", "DU"}
    assert uploaded == [len(report.documents)]  # the files table
    assert not engine.BUILT  # released after the check
    order = lambda f: (f["path"], f["line"], f["column"], f["code"])  # noqa: E731
    engine.write_findings(report.findings, str(tmp_path / "findings"), MASTER)
    table = spark.read.parquet(str(tmp_path / "findings")).collect()
    assert sorted((row.asDict(recursive=True) for row in table), key=order) == found
    engine.write_findings(report.findings, str(tmp_path / "findings.jsonl"), MASTER)
    lines = [json.loads(line) for part in sorted((tmp_path / "findings.jsonl").glob("part-*")) for line in part.read_text().splitlines()]
    assert sorted(lines, key=order) == found
    with pytest.raises(Exception, match="already exists"):
        engine.write_findings(report.findings, str(tmp_path / "findings"), MASTER)


def test_the_findings_table_writes_undecodable_bytes_in_a_message_as_its_path_does(spark, tmp_path):
    """A message naming a file whose name is not UTF-8 said U+FFFD where the path said \\xff."""
    from validators import spark as engine
    from validators.findings import Finding, Place

    name = "corpus/c\udcff.txt"
    finding = Finding(code="DU001", family="duplicate", severity="error", path="corpus/d.txt", line=3, column=1, end_line=3,
                      end_column=9, message=f"paragraph repeats {name}:3", suggestion="keep one copy", related=(Place(name, 3, 1),))  # fmt: skip
    engine.write_findings([finding], str(tmp_path / "f.jsonl"), MASTER)
    [line] = [json.loads(line) for part in (tmp_path / "f.jsonl").glob("part-*") for line in part.read_text().splitlines()]
    assert line["message"] == "paragraph repeats corpus/c\\xff.txt:3" and line["related"][0]["path"] == "corpus/c\\xff.txt"


def test_spark_types_of_the_paragraph_table_are_what_the_driver_upload_gives():
    from validators.spark import kind_of, spark_type, spark_value

    assert [kind_of(v) for v in (None, float("nan"), True, 3, 2.5, "a", (1, 2))] == [None, None, "bool", "int", "float", "text", "other"]
    assert spark_type(set()) == "double"  # no value: a number, which every expectation type accepts
    assert spark_type({"int"}) == "long" and spark_type({"int", "float"}) == "double" and spark_type({"bool"}) == "boolean"
    assert spark_type({"text"}) == spark_type({"int", "text"}) == spark_type({"bool", "float"}) == "binary"
    assert spark_value("caf\udce9", "binary") == b"caf\xed\xb3\xa9"  # surrogatepass: gx_spark decodes it back
    assert spark_value(7, "binary") == b"7" and spark_value(7, "double") == 7.0 and spark_value(float("nan"), "long") is None


def test_same_findings_on_the_names_fixture(spark, monkeypatch):
    """With the names decided on the executors: the driver's own name step, were it run, fails."""
    from validators.features import mentions

    folder = REPO / "tests" / "fixtures" / "names" / "corpus"
    expected = findings(folder, "gx")

    def on_the_driver(*args, **kwargs):
        raise AssertionError("the name step ran on the driver")

    monkeypatch.setattr(mentions, "build_mentions", on_the_driver)
    assert findings(folder, "spark") == expected
    assert any(f["code"] == "NM001" for f in expected)


def test_the_driver_reads_the_text_of_the_files_with_findings_only(spark, tmp_path, monkeypatch):
    """The executors send the driver no file's text: it reads a file's from the file (checked
    against the SHA-256 of the bytes the executors read) when a finding is in it; and it fetches
    the paragraph values of that file only."""
    from validators import spark as engine
    from validators.ingest import UnreadDocument
    from validators.output import html

    stories = [
        "The council met on Tuesday and agreed to extend the night bus service for two more years.",
        "Farmers in the valley said the late frost had cut this year's apple harvest by almost half.",
        "The museum reopened its east wing after a restoration that took longer than its builders planned.",
        "Shares in the shipping firm fell sharply after it warned that fuel costs would squeeze profits.",
        "A new footbridge over the river will open in spring, linking the station to the old market.",
        "Teachers voted to accept the pay offer, ending a dispute that had closed schools for a week.",
    ]
    texts = {f"{n:02}.txt": story + "\n" for n, story in enumerate(stories)}
    texts["03.txt"] += "\nSign up for our daily newsletter\n"
    folder = write_corpus(tmp_path / "corpus", texts)
    expected = findings(folder, "gx")
    read = []
    own = UnreadDocument._read
    monkeypatch.setattr(UnreadDocument, "_read", lambda self: read.append(self.path) or own(self))
    report = check([folder], Config(root=REPO, engine="spark", spark_master=MASTER, cache=False))
    assert [f.to_dict() for f in report.findings] == expected
    assert {f["path"] for f in expected} == {read[0]} and len(read) == 1 and read[0].endswith("03.txt")
    # Nor the paragraph values of the files without findings: the driver fetched that file's alone.
    assert engine.LAST_FETCHES == {"files": 1, "of": 6, "mention_files": 0, "jobs": 1, "misses": 0}
    page = html.render(report)  # the HTML report lists every file and copies in the text of those with findings
    assert len(read) == 1 and "Sign up for our daily newsletter" in page and "night bus" not in page


def test_same_findings_on_ftfys_cases(spark, tmp_path):
    folder = write_corpus(tmp_path / "ftfy", {f"{n:03d}.txt": c["original"] + "\n" for n, c in enumerate(FTFY_CASES)})
    found = same_findings(folder)
    assert any(f["code"] == "EN001" for f in found)


def test_same_findings_on_files_without_paragraphs_and_a_hook_run(spark, tmp_path):
    """Empty and binary files (a partition may hold nothing else), and a run reporting on two files
    with the corpus as context (the pre-commit hook's ``--with-corpus``)."""
    folder = write_corpus(tmp_path / "odd", {"a.txt": "", "b.txt": b"ab\x00cd", "c.txt": "Sign up for our daily newsletter\n"})
    found = same_findings(folder)
    assert {"EN004", "BP001"} <= {f["code"] for f in found}
    corpus = generated_corpus(tmp_path / "generated", paragraphs=800)
    config = Config(root=REPO, cache=False, spark_master=MASTER)
    paths = [corpus / "0002.txt", corpus / "0003.txt"]
    expected = [f.to_dict() for f in check(paths, config, [corpus]).findings]
    config.engine = "spark"
    assert [f.to_dict() for f in check(paths, config, [corpus]).findings] == expected
    assert "DU001" in {f["code"] for f in expected}  # 0003.txt copies a paragraph of 0002.txt
    assert {f["path"] for f in expected} <= {p.as_posix() for p in paths}


WORDS = (
    "the council said on Tuesday that its budget would rise after a long debate over schools roads and "
    "water while officials in the region warned that prices for fuel and food kept climbing as winter "
    "came and farmers asked for help with their harvest before the next election"
).split()
NAMES = ["Angela Merkel", "Boris Johnson", "Emmanuel Macron", "Jacinda Ardern", "Olaf Scholz", "Mark Rutte"]
VARIANTS = [("Kim Jong Un", "Kim Jong-un"), ("U.S.", "US"), ("Al-Aqsa", "Al Aqsa")]


def generated_corpus(folder, paragraphs=2000, per_file=20, seed=17):
    """``paragraphs`` paragraphs of made-up news in files of ``per_file``, with injected exact and
    near duplicate paragraphs, a duplicated article, name variants and a few damaged characters."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "shi", "den", "par", "ul", "bre", "nox", "ti", "gar", "sel"]
    vocabulary = WORDS + ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3000)]

    def paragraph():
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = rng.choices(vocabulary, k=rng.randint(10, 18))
            words.insert(rng.randrange(len(words)), rng.choice(NAMES))
            sentences.append(" ".join(words).capitalize() + ".")
        return " ".join(sentences)

    files = []
    for _ in range(paragraphs // per_file):
        files.append([paragraph() for _ in range(per_file)])
    for n, (usual, variant) in enumerate(VARIANTS):  # the usual spelling written more often
        for f in range(0, len(files), 3):
            files[f][n + 1] += f" Talks with {usual} went on."
        for f in range(1, len(files), 17):
            files[f][n + 4] += f" Talks with {variant} went on."
    for f in range(2, len(files), 9):  # a paragraph copied into another file
        files[f + 1][7] = files[f][7]
    for f in range(3, len(files), 11):  # a paragraph copied with one word changed
        words = files[f][8].split()
        words[5] = "harbour"
        files[f + 1][9] = " ".join(words)
    quote = "we will not let the harbour close while the winter lasts"
    for f in range(4, len(files), 13):  # a quotation two articles share (a passage)
        files[f][13] += f" The mayor said: “{quote.capitalize()},” and left."
    for f in range(10, len(files) - 3, 19):  # lines of a site's template, side by side in several files
        files[f][18:20] = ["Follow us on Twitter and Facebook", "Subscribe to our newsletter today"]
    files[-3] = list(files[-4])  # an article again, with a new last paragraph: a near copy
    files[-3][-1] = paragraph()
    files[-1] = list(files[-2])  # an article twice
    files[5][10] = "Sign up for our daily newsletter"
    files[6][11] = "Officials\u200b said so. " + files[6][11]
    files[7][12] = "CafÃ© owners said the council had failed them."
    return write_corpus(folder, {f"{n:04d}.txt": "\n\n".join(p) + "\n" for n, p in enumerate(files)})


def test_same_findings_on_a_generated_corpus_with_duplicates_and_name_variants(spark, tmp_path):
    folder = generated_corpus(tmp_path / "generated")
    found = same_findings(folder)
    codes = {f["code"] for f in found}
    assert {"DU001", "DU002", "DU003", "DU004", "DU005", "BP102", "NM001", "BP001", "EN001", "EN007"} <= codes
    assert sum(f["code"] == "NM001" for f in found) >= len(VARIANTS)


def test_a_spellings_places_are_counted_and_capped_on_spark_not_from_every_mention_on_the_driver(spark, tmp_path, monkeypatch):
    """The places a name finding lists (the first MAX_RELATED of the corpus's spelling, and how
    many in all) are worked out on Spark: the driver never reads the whole mentions table, nor
    the mentions of files without findings."""
    from validators import spark as engine
    from validators.rules import base, name

    monkeypatch.setattr(name, "MAX_RELATED", 2)
    monkeypatch.setattr(base, "MAX_RELATED", 2)
    majority = "".join(f"The leader Kim Jong Un spoke on day {n}.\n\n" for n in range(5))
    folder = write_corpus(tmp_path / "corpus", {"a.txt": "Leader Kim Jong-un spoke.\n", "b.txt": majority,
                                                "c.txt": "Then Kim Jong-un left.\n", "d.txt": "Seoul said nothing.\n"})  # fmt: skip
    expected = findings(folder, "gx")
    monkeypatch.setattr(name, "_places_by_surface", lambda mentions: pytest.fail("the driver went through every mention"))
    assert findings(folder, "spark") == expected
    found = [f for f in expected if f["code"] == "NM001"]
    assert len(found) == 2 and all(f["related_count"] == 5 and len(f["related"]) == 2 for f in found)
    assert engine.LAST_FETCHES["mention_files"] == 2  # a.txt's and c.txt's: not b.txt's five, nor d.txt's


def test_a_whole_table_use_gets_every_files_values_on_spark(spark, tmp_path):
    """``export`` reads the whole paragraph table: the driver fetches every file's values (a check
    fetches those the findings read), and the table is the one the other engines export."""
    import pandas as pd

    from validators import spark as engine
    from validators.export import with_codes

    folder = generated_corpus(tmp_path / "generated", paragraphs=400)
    frames = {}
    for name in ("gx", "spark"):
        config = Config(root=REPO, engine=name, cache=False)
        if name == "spark":
            config.spark_master = MASTER
        frames[name] = with_codes(check([folder], config, whole_table=True))
    assert engine.LAST_FETCHES["files"] == engine.LAST_FETCHES["of"] == 20
    pd.testing.assert_frame_equal(frames["spark"], frames["gx"])
    # The Python API's report gives its tables whole, as documented, on Spark too.
    import validators

    (tmp_path / "pyproject.toml").write_text(f'[tool.corpus-validator]\nengine = "spark"\nspark-master = "{MASTER}"\ncache = false\n')
    report = validators.check(folder, str(tmp_path / "pyproject.toml"))
    assert list(report.paragraphs.columns) == list(frames["gx"].columns)[:-1] and len(report.paragraphs) == 400
    assert len(report.mentions) and engine.LAST_FETCHES["mention_files"] == len({*report.mentions["doc_id"]})


# ----------------------------------------------------------------------------- expectations on Spark


def suite_of(expectations, frame="paragraphs", index=("doc_id", "para")):
    text = json.dumps({"name": "t", "meta": {"frame": frame, "index_columns": list(index)}, "expectations": expectations})
    return parse_suite("t.json", text)


def spark_outcomes(frames, suites):
    from validators.spark import evaluate_with_spark

    return evaluate_with_spark(frames, suites, master=MASTER)


def test_one_spelling_per_key_on_spark_including_ties_and_undecodable_bytes(spark):
    mentions = Table({
        "mention_id": list(range(9)),
        "key": ["kimjongun", "kimjongun", "kimjongun", "us", "us", "sam", "sam", None, "caf\udce9"],
        "surface": ["Kim Jong Un", "Kim Jong Un", "Kim Jong-un", "US", "U.S.", "Sam", "Sam", "Alone", "Caf\udce9"],
    })  # fmt: skip
    suite = suite_of(
        [{"type": "expect_column_pair_values_to_have_one_spelling_per_key",
          "kwargs": {"column_A": "key", "column_B": "surface", "ignore_row_if": "either_value_is_missing"},
          "meta": {"code": "NM001"}}],
        frame="mentions", index=("mention_id",),
    )  # fmt: skip
    frames = {"paragraphs": Table(), "mentions": mentions}
    outcomes = spark_outcomes(frames, [suite])
    assert [o.rows for o in outcomes] == [(2, 3, 4)]  # the odd one out; both of a tie
    assert outcomes == evaluate_light(frames, [suite])  # (GX's pandas engine cannot hold the lone surrogate)


def bundled_patterns() -> list[str]:
    suite = json.loads((REPO / "expectations" / "paragraphs.json").read_text(encoding="utf-8"))
    return [p for e in suite["expectations"] for p in e["kwargs"].get("regex_list") or ()]


UNICODE_RICH = (
    "Ａｂｃ", "ｓｉｇｎ ｕｐ", "Ça", "ß", "ﬁ", "İstanbul", "ǅ", "Ⅻ", "²", "٣", "e\u0301", "\u00a0", "\u2009", "\u3000",
    "\u0085", "\u2028", "\r", "\x1c", "\u200b", "\ufeff", "—", "–", "…", "©", "®", "™", "•", "|", "»", "«", "“", "”",
    "’", "@", "#", "http://", "www.", ".com", "AP", "Reuters", "Photo:", "Getty Images", "(AP)", "Copyright", "Sign up",
    "newsletter", "Click", "here", "Read more", "Share", "comments", "Advertisement", "2019", "Monday,", "By", "Staff",
    "\udce9", "😀", "\U0001d400", "Ǳ", "K", "Å",
)  # fmt: skip


def unicode_rich_texts(n=3000, seed=5):
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = rng.choices(UNICODE_RICH + tuple(WORDS), k=rng.randint(1, 12))
        texts.append(rng.choice(["", " ", "\n", "-"]).join(parts))
    return texts


def test_every_bundled_pattern_matches_on_spark_what_it_matches_in_python(spark):
    """Over generated text rich in what Java's engine reads differently (Unicode letters, digits
    and spaces, line separators, case folding, undecodable bytes), each pattern of the bundled
    suite fails exactly the rows Python's ``re`` finds it in."""
    patterns = bundled_patterns()
    assert len(patterns) > 40
    texts = unicode_rich_texts()
    from pyspark.sql import functions as F

    from validators.gx_spark import _matches_udf
    from validators.spark import ROW, to_spark

    df = to_spark(spark, Table({"text": texts}), ["text"])
    assert dict(df.dtypes)["text"] == "binary"  # the undecodable byte made it go as bytes, and back
    # The very condition the Spark metric of GX's regex expectations uses, for every pattern in one job.
    # Each pattern alone, and the whole list as GX is given it (its alternations) and as written.
    lists = [[p] for p in patterns] + [[a.pattern for a in alternations(tuple(patterns))], patterns]
    rows = df.select(ROW, *(_matches_udf(listed)(F.col("text")).alias(f"p{i}") for i, listed in enumerate(lists))).collect()
    on_spark = {int(row[ROW]): row for row in rows}
    reached = 0
    for i, listed in enumerate(lists):
        compiled = [re.compile(p) for p in listed]
        expected = [any(c.search(t) for c in compiled) for t in texts]
        assert [on_spark[r][f"p{i}"] for r in range(len(texts))] == expected, listed
        reached += any(expected)
    assert reached > 10  # the generated text does reach the patterns


def test_java_regexes_would_differ_where_python_re_is_the_judge(spark):
    """The trap the Spark implementation avoids: Spark's own ``rlike`` (Java) reads ``\\W`` as
    ASCII-only, so a fullwidth letter is a non-word character there and not in Python."""
    from pyspark.sql import functions as F

    df = spark.createDataFrame([("Ａ",)], "text string")
    assert df.select(F.col("text").rlike(r"\W")).first()[0] is True
    assert re.search(r"\W", "Ａ") is None
    frame = Table({"doc_id": [0], "para": [0], "text": ["Ａ"]})
    suite = suite_of([{"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": r"\W"}, "meta": {"code": "BP001"}}])
    assert spark_outcomes({"paragraphs": frame, "mentions": Table()}, [suite]) == []


# ----------------------------------------------------------------------------- the command line


def run_cli(args, cwd, **env):
    return subprocess.run([sys.executable, "-m", "validators", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **env}, timeout=600)  # fmt: skip


def test_missing_java_is_one_line_exit_2(tmp_path):
    write_corpus(tmp_path / "corpus", {"a.txt": "Some text here.\n"})
    result = run_cli(["check", "--engine", "spark", "corpus"], tmp_path, JAVA_HOME=str(tmp_path / "no-java"))
    if "needs pyspark" in result.stderr:
        pytest.skip("pyspark is not installed here")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "needs Java 17 or newer" in result.stderr, result.stderr


def test_a_java_that_does_not_run_is_one_line_exit_2(tmp_path):
    """A broken JRE (its java fails) printed a shell error of Spark's launcher and 'Java gateway
    process exited'; it was taken as a Java whose version could not be read."""
    write_corpus(tmp_path / "corpus", {"a.txt": "Some text here.\n"})
    java = tmp_path / "jre" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'Error: could not find libjava.so' >&2\nexit 1\n")
    java.chmod(0o755)
    result = run_cli(["check", "--engine", "spark", "corpus"], tmp_path, JAVA_HOME=str(tmp_path / "jre"))
    if "needs pyspark" in result.stderr:
        pytest.skip("pyspark is not installed here")
    assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr
    assert "-version fails (Error: could not find libjava.so)" in result.stderr


@pytest.mark.parametrize(
    "args, said",
    [
        (["--spark-master", "notaurl"], "--spark-master notaurl: not a Spark master URL (local, local[N]"),
        (["--spark-master", "local[0]"], "--spark-master local[0]: not a Spark master URL"),
        (["--jobs", "3"], "--jobs sets this machine's worker processes"),
        (["--findings-table", "no-such-folder/findings.jsonl"], "--findings-table no-such-folder/findings.jsonl: folder no-such-folder does not exist"),
    ],
)
def test_spark_options_that_cannot_work_are_refused_before_spark_starts(cli, tmp_path, args, said):
    """A bad master URL reached the JVM (a Java stack trace, or a minute's wait), --jobs was
    ignored without a word, and a findings table's missing folder failed after the whole run."""
    write_corpus(tmp_path / "corpus", {"a.txt": "Some text here.\n"})
    result = cli("check", "--engine", "spark", *args, "corpus")
    assert result.exit_code == 2 and result.stderr.startswith(f"corpus-validator: error: {said}"), result.stderr


def test_the_config_refuses_a_master_url_spark_would_not_take(tmp_path):
    from validators.config import load_config
    from validators.errors import ConfigError

    for url in ("local[*]", "local[2,3]", "spark://a:7077,b:7077", "yarn", "k8s://https://h:443"):
        (tmp_path / "pyproject.toml").write_text(f'[tool.corpus-validator]\nspark-master = "{url}"\n')
        assert load_config(str(tmp_path / "pyproject.toml")).spark_master == url
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\nspark-master = "spark://nowhere"\n')
    with pytest.raises(ConfigError, match="must be a Spark master URL: local, local"):
        load_config(str(tmp_path / "pyproject.toml"))


def test_missing_pyspark_is_one_line_exit_2(tmp_path):
    write_corpus(tmp_path / "corpus", {"a.txt": "Some text here.\n"})
    probe = (
        "import sys\nsys.modules['pyspark'] = None\nfrom validators.cli import main\n"
        "main(['check', '--engine', 'spark', 'corpus'])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert result.stderr == "corpus-validator: error: the spark engine needs pyspark: pip install 'corpus-validator[spark]'\n"


def test_a_spark_check_prints_its_report_and_none_of_sparks_start_up(spark, tmp_path):
    """Spark's start-up lines ("Setting default log level to WARN", how to change it, its
    warnings) are not the check's output: stdout is the report, and stderr holds at most the
    JVM's own line about the incubator module Spark's launcher adds (no option silences it)."""
    write_corpus(tmp_path / "corpus", {"a.txt": "A story sentence that runs on for a good many words, as stories do.\n\nSign up for our daily newsletter\n"})
    result = run_cli(["check", "--engine", "spark", "--spark-master", MASTER, "corpus"], tmp_path)
    assert result.returncode == 1 and "BP001" in result.stdout, result.stdout + result.stderr
    jvm = "WARNING: Using incubator modules: jdk.incubator.vector"
    assert [line for line in result.stderr.splitlines() if line != jvm] == [], result.stderr


JVM_KILLED = """
import os, signal, sys, time
from validators.spark import session
spark = session(sys.argv[1])
spark.sparkContext.parallelize(range(10), 2).map(lambda x: x + 1).count()  # Python tasks: the JVM sends their updates
os.kill(spark.sparkContext._gateway.proc.pid, signal.SIGKILL)
time.sleep(3)  # the accumulator server's poll reads the end of the connection within a second
print("survived")
"""


def test_a_jvm_that_dies_leaves_no_traceback_from_pysparks_accumulator_server(spark, tmp_path):
    """When Spark's JVM dies (out of memory, killed), PySpark's accumulator server read the end
    of its connection and printed a traceback (EOFError) over the check's own one-line error."""
    result = subprocess.run([sys.executable, "-c", JVM_KILLED, MASTER], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.stdout.strip() == "survived", result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "EOFError" not in result.stderr, result.stderr


PY4J_SEND_FAILS = """
import logging
from py4j import protocol
from py4j.java_gateway import GatewayClient
from validators.spark import _quiet_py4j_send_errors

class Gone:  # a connection whose JVM died while the command was in flight
    def send_command(self, command):
        raise protocol.Py4JNetworkError("Answer from Java side is empty", when=protocol.ERROR_ON_RECEIVE)
    def close(self, reset=False):
        pass

client = GatewayClient()
client._get_connection = Gone
_quiet_py4j_send_errors()
_quiet_py4j_send_errors()  # a second session adds no second filter
assert len(logging.getLogger().filters) == 1
print(client.send_command("c\\n", retry=False) == protocol.ERROR)
logging.warning("the root logger's other records pass")
"""


def test_py4j_reporting_a_command_it_could_not_send_prints_no_traceback():
    """py4j logs a command it could not send to a dead JVM, with a traceback, on the root logger
    (which then prints to stderr) before the check says in one line what happened to Spark."""
    result = subprocess.run([sys.executable, "-c", PY4J_SEND_FAILS], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.stdout.strip() == "True", result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "while sending command" not in result.stderr, result.stderr
    assert "the root logger's other records pass" in result.stderr


def test_pysparks_worker_daemon_is_ours_and_quiet_about_a_connection_spark_closed(spark, monkeypatch):
    """A check of 450 files printed a worker's BrokenPipeError traceback (PySpark's daemon) on
    stderr, though it succeeded: Spark had stopped reading a task's output. The daemon is
    PySpark's own, with that end taken as the task's; Python tasks still run through it."""
    assert spark.conf.get("spark.python.daemon.module") == "validators.spark_daemon"
    assert spark.sparkContext.parallelize(range(100), 2).map(lambda x: x * 2).sum() == 9900
    from validators import spark_daemon

    for error in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        monkeypatch.setattr(spark_daemon, "_pysparks_worker", lambda sock, authenticated, error=error: (_ for _ in ()).throw(error))
        assert spark_daemon.worker(None, True) == 1  # not reused, nothing printed
    monkeypatch.setattr(spark_daemon, "_pysparks_worker", lambda sock, authenticated: 1 / 0)
    with pytest.raises(ZeroDivisionError):  # another error: PySpark's daemon prints it, as before
        spark_daemon.worker(None, True)


SPARK_ERROR = """
import sys
from validators.spark import session
spark = session(sys.argv[1])
try:
    spark.range(10**12).selectExpr("sum(id)").collect()  # a task fails: long overflow
except Exception as exc:
    print(type(exc).__name__)
"""


def test_sparks_errors_are_one_line_each_with_their_cause_and_no_stack_trace(spark):
    """A bad master or an unwritable table printed 10 to 150 lines of Java stack trace (and a
    job's abort carries the driver's stack trace inside its message) before the check's line."""
    result = subprocess.run([sys.executable, "-c", SPARK_ERROR, MASTER], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.stdout.strip() == "ArithmeticException", result.stdout + result.stderr
    logged = [line for line in result.stderr.splitlines() if re.match(r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d ERROR ", line)]
    assert any("Exception in task" in line and "ARITHMETIC_OVERFLOW" in line for line in logged), result.stderr
    assert not [line for line in result.stderr.splitlines() if line.lstrip().startswith(("at ", "Caused by:", "Driver stacktrace"))], result.stderr


def test_other_errors_of_the_accumulator_server_are_still_printed(capsys):
    import socketserver
    from types import SimpleNamespace

    from validators.spark import _quiet_accumulator_server

    server = socketserver.BaseServer(("localhost", 0), socketserver.BaseRequestHandler)
    _quiet_accumulator_server(SimpleNamespace(_accumulatorServer=server))
    for error in (EOFError(), ConnectionResetError(), ValueError("a token that is not correct")):
        try:
            raise error
        except Exception:
            server.handle_error(None, ("127.0.0.1", 1))
    printed = capsys.readouterr().err
    assert printed.count("Traceback") == 1 and "ValueError: a token that is not correct" in printed, printed


def test_the_driver_gets_half_the_machines_memory_on_one_machine_unless_the_user_set_it(tmp_path, monkeypatch):
    """Spark's default heap (1 GB) ran out on a corpus of a million paragraphs (bench/spark.py):
    on a local master, where the driver's JVM runs every task, the engine asks for half the
    machine's memory, or of its container's limit; never over the user's own setting, nor for
    a cluster."""
    from validators.spark import _driver_memory

    for name in ("PYSPARK_SUBMIT_ARGS", "SPARK_DRIVER_MEMORY", "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(name, raising=False)
    from validators import spark as engine

    monkeypatch.setattr(engine, "CGROUP_LIMITS", ())
    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2 // 2**20
    assert _driver_memory("local[2]") == f"{max(1024, half)}m"
    limit = tmp_path / "memory.max"  # in a container, half its limit (cgroup v2; "max": none)
    monkeypatch.setattr(engine, "CGROUP_LIMITS", (str(limit),))
    limit.write_text("4294967296\n")
    assert _driver_memory("local[2]") == f"{min(2048, max(1024, half))}m"
    limit.write_text("max\n")
    assert _driver_memory("local[2]") == f"{max(1024, half)}m"
    monkeypatch.setattr(engine, "CGROUP_LIMITS", ())
    assert _driver_memory("spark://head:7077") is None
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 4g pyspark-shell")
    assert _driver_memory("local[*]") is None
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS")
    monkeypatch.setenv("SPARK_DRIVER_MEMORY", "4g")
    assert _driver_memory("local[*]") is None
    monkeypatch.delenv("SPARK_DRIVER_MEMORY")
    (tmp_path / "spark-defaults.conf").write_text("spark.executor.memory 2g\n")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert _driver_memory("local[*]") == f"{max(1024, half)}m"
    (tmp_path / "spark-defaults.conf").write_text("spark.driver.memory   6g\n")
    assert _driver_memory("local[*]") is None


def test_an_unreachable_master_is_said_as_one(monkeypatch):
    """After a minute of retries Spark logs "All masters are unresponsive" and raises only that
    its context is stopped, which the check used to print as its reason."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from validators import spark as engine
    from validators.errors import CorpusValidatorError

    stopped = RuntimeError("java.lang.IllegalStateException: Cannot call methods on a stopped SparkContext. This stopped SparkContext was created at: ...")
    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", lambda self: (_ for _ in ()).throw(stopped))
    monkeypatch.setattr(engine, "_check_java", lambda: None)
    monkeypatch.setattr(engine, "_sessions", {})
    with pytest.raises(CorpusValidatorError, match=r"^cannot start Spark at spark://head:7077: no master answered \(is it running"):
        engine.session("spark://head:7077")


def test_spark_running_out_of_memory_or_stopping_is_one_clear_error():
    """The JVM's OutOfMemoryError, or the gateway lost when the JVM stops, is said as what
    happened and what to do (no Python traceback, no 'internal error'); other errors pass."""
    from validators.errors import CorpusValidatorError
    from validators.spark import spark_failures

    protocol = pytest.importorskip("py4j.protocol")
    with pytest.raises(CorpusValidatorError, match=r"^Spark \(local\[2\]\) stopped during the check .*--driver-memory"):
        with spark_failures("local[2]"):
            try:
                raise protocol.Py4JNetworkError("Answer from Java side is empty")
            except protocol.Py4JNetworkError:
                raise ConnectionRefusedError(111, "Connection refused")  # noqa: B904 (raised during, as py4j does)
    with pytest.raises(CorpusValidatorError, match=r"ran out of memory \(java.lang.OutOfMemoryError\): .*--driver-memory"):
        with spark_failures("local[2]"):
            raise RuntimeError("An error occurred while calling o123.collectToPython.\n: java.lang.OutOfMemoryError: Java heap space")
    with pytest.raises(ValueError, match="ours"):
        with spark_failures("local[2]"):
            raise ValueError("ours")


def test_the_gateway_lost_outside_the_engine_is_still_said_as_spark_stopping(cli, corpus, monkeypatch):
    """A real run at 1M paragraphs with a 500 MB heap once lost the gateway (ConnectionRefusedError)
    outside the engine's guard: the command line says it as Spark stopping too, not as an
    internal error; an error of ours stays an internal error."""
    import validators.spark  # noqa: F401 (a spark run has imported it)
    from validators import pipeline

    corpus({"a.txt": "Some text here.\n"})
    monkeypatch.setattr(pipeline, "check", lambda *args: (_ for _ in ()).throw(ConnectionRefusedError(111, "Connection refused")))
    result = cli("check", "corpus")
    assert result.exit_code == 2 and "error: Spark stopped during the check" in result.stderr, result.stderr
    monkeypatch.setattr(pipeline, "check", lambda *args: (_ for _ in ()).throw(KeyError("ours")))
    result = cli("check", "corpus")
    assert result.exit_code == 2 and "internal error: KeyError" in result.stderr, result.stderr


def test_an_error_from_a_spark_that_has_stopped_is_said_as_spark_stopping(monkeypatch):
    """When a task runs out of memory, Spark stops its context, and the driver's call in flight
    fails with whatever the half-stopped JVM says (a NullPointerException, seen at 1M paragraphs
    with a 500 MB heap): that is said as Spark stopping. The same error from a Spark still
    running is not ours to explain (an internal error), nor is an error that did not come from it."""
    from types import SimpleNamespace

    from validators import spark as engine
    from validators.errors import CorpusValidatorError

    protocol = pytest.importorskip("py4j.protocol")

    def session_stopped(stopped: bool):
        context = SimpleNamespace(sc=lambda: SimpleNamespace(isStopped=lambda: stopped))
        return SimpleNamespace(sparkContext=SimpleNamespace(_jsc=context))

    npe = protocol.Py4JError("An error occurred while calling o1002.toPythonIterator: java.lang.NullPointerException")
    monkeypatch.setitem(engine._sessions, "local[3]", session_stopped(True))
    with pytest.raises(CorpusValidatorError, match=r"^Spark \(local\[3\]\) stopped during the check"):
        with engine.spark_failures("local[3]"):
            raise npe
    def gone():
        raise protocol.Py4JNetworkError("Answer from Java side is empty")

    monkeypatch.setitem(engine._sessions, "local[4]", SimpleNamespace(sparkContext=SimpleNamespace(_jsc=SimpleNamespace(sc=gone))))
    assert engine._stopped("local[4]") and engine._stopped("local[3]")  # the JVM gone; the context stopped
    with pytest.raises(KeyError):  # not from Spark: passes whatever Spark's state
        with engine.spark_failures("local[3]"):
            raise KeyError("ours")
    monkeypatch.setattr(engine, "_stopped", lambda master, wait=3.0: False)  # a Spark still running
    with pytest.raises(protocol.Py4JError):
        with engine.spark_failures("local[3]"):
            raise npe


def test_spark_options_need_the_spark_engine(cli, corpus):
    corpus({"a.txt": "Some text here.\n"})
    result = cli("check", "--spark-master", "local[2]", "corpus")
    assert result.exit_code == 2 and "--spark-master needs the spark engine" in result.stderr
    result = cli("check", "--findings-table", "out", "corpus")
    assert result.exit_code == 2 and "--findings-table needs the spark engine" in result.stderr
    result = cli("check", "--spark-output", "out", "corpus")  # its former name
    assert result.exit_code == 2 and "--findings-table needs the spark engine" in result.stderr


def test_spark_master_in_the_config(tmp_path):
    from validators.config import load_config
    from validators.errors import ConfigError

    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\nengine = "spark"\nspark-master = "spark://head:7077"\n')
    config = load_config(start=tmp_path)
    assert (config.engine, config.spark_master) == ("spark", "spark://head:7077")
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\nspark-master = 7077\n')
    with pytest.raises(ConfigError, match="spark-master"):
        load_config(start=tmp_path)


def test_hook_path_and_version_do_not_import_pyspark(tmp_path):
    write_corpus(tmp_path / "corpus", {"a.txt": "Sign up for our daily newsletter\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    probe = (
        "import sys\nfrom validators.cli import main\n"
        "for args in (['--version'], ['check', '--engine', 'light', '--with-corpus', 'corpus/a.txt']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print('pyspark' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.stdout.splitlines()[-1] == "False", result.stdout + result.stderr


# ----------------------------------------------------------------------------- corpus steps as Spark operations


def test_exact_and_near_duplicates_on_spark_match_the_numpy_step_row_for_row(spark, tmp_path):
    import numpy as np

    from validators.features.duplicate import DuplicateSettings, digest_pairs, file_duplicate_data
    from validators.features.minhash import NUM_PERM
    from validators.ingest import read
    from validators.pipeline import featurise
    from validators.spark_corpus import exact_duplicates, near_duplicates

    settings = DuplicateSettings()
    frame, _ = featurise(read([generated_corpus(tmp_path / "generated")]), Config(root=tmp_path, cache=False))
    data = file_duplicate_data(frame["text"], frame["raw"], settings)
    sigs = np.frombuffer(data["signatures"], dtype=np.uint32).reshape(len(frame), NUM_PERM).astype(np.int64).tolist()
    rows = [(r, d, n, s) for r, ((d, n), s) in enumerate(zip(digest_pairs(data).tolist(), sigs, strict=True))]
    paragraphs = spark.createDataFrame(rows, "row long, digest long, length long, sig array<long>")

    exact = {r["row"]: r["dup_of"] for r in exact_duplicates(paragraphs, settings.min_chars).collect()}
    assert [exact[r] for r in range(len(frame))] == frame["dup_of"]
    assert sum(d is not None for d in frame["dup_of"]) >= 20

    near = {r["row"]: (r["near_dup_of"], r["near_dup_similarity"])
            for r in near_duplicates(paragraphs, settings.min_chars, settings.near_threshold).collect()}  # fmt: skip
    assert [near.get(r, (None, None)) for r in range(len(frame))] == list(
        zip(frame["near_dup_of"], frame["near_dup_similarity"], strict=True)
    )
    assert len(near) >= 5


def test_every_corpus_column_on_spark_equals_the_numpy_steps(spark, tmp_path):
    """The columns the spark engine works out with Spark operations (duplicates: exact, near, shared
    passages, whole files; template counts) and per file on the executors (the noise score) are
    the NumPy corpus steps' own, row for row, on a corpus where each of them finds something."""
    import math

    from validators.ingest import read
    from validators.pipeline import featurise
    from validators import spark as engine
    from validators.spark import DUPLICATE_COLUMNS, NOISE_COLUMNS, featurise_on_spark

    folder = generated_corpus(tmp_path / "generated")
    config = Config(root=tmp_path, cache=False, spark_master=MASTER)
    expected, mentions = featurise(read([folder]), config)
    documents, corpus = featurise_on_spark([folder], config)
    # The driver has no file's bytes, but their SHA-256: a file's copies are known by it there.
    assert [d.content for d in documents] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.txt"))]
    assert documents[-1].content == documents[-2].content != documents[-3].content
    table = corpus.table
    assert table.names == expected.names
    engine.FETCHED[id(table)].fetch_all()  # the columns compared whole: every file's values at once
    for name in (*DUPLICATE_COLUMNS, *NOISE_COLUMNS):
        same = [a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
                for a, b in zip(table[name], expected[name], strict=True)]  # fmt: skip
        assert all(same), (name, [(r, table[name][r], expected[name][r]) for r, ok in enumerate(same) if not ok][:5])
    for name in ("dup_of", "near_dup_of", "passage_of", "doc_dup_of", "doc_near_dup_of"):
        assert any(v is not None for v in table[name]), name  # each search found something to agree on
    assert max(table["template_files"]) >= 3 and 0 < sum(table["prose"]) < len(table)
    found = corpus.tables["mentions"]
    engine.FETCHED[id(found)].fetch_all()
    assert found.names == mentions.names and all(list(found[name]) == mentions[name] for name in mentions.names)
