"""Feature steps: the pipeline runs what the families register, the cache key comes from the
steps, and a file step runs on one document with nothing but a prepared context."""

from __future__ import annotations

import dataclasses
import pickle

import numpy
import pytest

from conftest import REPO, SEEDS
from validators.config import Config
from validators.features import steps
from validators.features.steps import CORPUS_STEPS, FILE_STEPS, Context, CorpusStep, FileStep, plan, step_keys
from validators.ingest import read
from validators.pipeline import check, feature_context, featurise, open_cache
from validators.suite import expectation_file

STORY = (
    "Officials in Hanoi said on Monday that the talks would resume next week, after a pause of two months.\n\n"
    "The delegation from Seoul arrived late on Sunday and met the foreign minister before the talks began.\n"
)


def keys(config: Config) -> dict[str, str]:
    return step_keys(steps.file_steps(), Context(config, expectation_file))


def test_every_family_registers_its_steps_and_the_plan_orders_them_by_what_they_need():
    order = [s.name for s in steps.file_steps()]
    assert order[0] == "paragraphs"  # every other file step reads its columns
    assert {s.family for s in steps.file_steps()} >= {"paragraph", "encoding", "duplicate", "noise", "name"}
    corpus = [s.name for s in steps.corpus_steps()]
    assert corpus.index("duplicates") < corpus.index("template-text") < corpus.index("noise-score")
    # Only what the wanted output needs: training reads the noise features, not the score or the names.
    assert [s.name for s in steps.corpus_steps(["noise_units"])] == ["duplicates", "template-text"]


def test_a_plan_refuses_steps_that_need_each_others_outputs():
    def step(name, needs, columns):
        return FileStep(name, "test", "1", lambda doc, inputs, setup: {}, needs=needs, columns=columns)

    with pytest.raises(ValueError, match="need each other"):
        plan([step("a", ("y",), ("x",)), step("b", ("x",), ("y",))])


def test_the_pipeline_runs_a_registered_step_without_being_told_its_family(monkeypatch, corpus):
    """A new family is its module: its file step's column and its corpus step's column reach
    the table, the corpus step reading the file step's per-file data."""
    counted = FileStep(
        "test-lengths", "test", "1",
        compute=lambda doc, inputs, setup: {"test_length": [len(r) for r in inputs["raw"]], "test_total": len(doc.text)},
        needs=("raw",), columns=("test_length",), data=("test_total",),
    )  # fmt: skip

    def share(corpus, setup):
        totals = dict(zip([d.doc_id for d in corpus.documents], corpus.per_file["test_total"], strict=True))
        corpus.table["test_share"] = [n / totals[d] for n, d in zip(corpus.table["test_length"], corpus.table["doc_id"], strict=True)]

    shared = CorpusStep("test-share", "test", "1", run=share, needs=("test_length", "test_total"), columns=("test_share",))
    monkeypatch.setitem(FILE_STEPS, counted.name, counted)
    monkeypatch.setitem(CORPUS_STEPS, shared.name, shared)
    folder = corpus({"a.txt": STORY})
    paragraphs, _ = featurise(read([folder]), Config(cache=False))
    assert paragraphs["test_length"] == [len(r) for r in paragraphs["raw"]]
    assert 0 < paragraphs["test_share"][0] < 1 and "test_length" not in steps.file_steps()[0].columns


def test_a_file_step_runs_on_one_document_with_a_pickled_context(corpus):
    """What a cluster's partition worker does: the driver prepares the context once, a worker
    unpickles it and runs the file steps on each document; the outputs are the pipeline's."""
    folder = corpus({"a.txt": STORY, "b.txt": STORY.replace("Monday", "Tuesday") + "Subscribe to our newsletter\n"})
    documents = read([folder])
    context = feature_context(Config(cache=False))
    worker = pickle.loads(pickle.dumps(context))
    sections = [steps.run_file_steps(doc, worker) for doc in documents]
    paragraphs, _ = featurise(documents, Config(cache=False))
    mine = steps.assemble_corpus(documents, sections, worker).table
    for name in mine.names:
        assert list(mine[name]) == list(paragraphs[name]), name  # lists, or the positions as arrays
    lines = [s["noise-lines"]["noise_lines"]["x"] for s in sections]
    assert all(x.shape[0] >= 2 for x in lines)


def test_the_cache_key_changes_with_a_steps_version_libraries_settings_and_shaping_files(monkeypatch, tmp_path):
    before = keys(Config())
    assert keys(Config()) == before  # nothing changed: the same key

    encoding = FILE_STEPS["encoding"]
    monkeypatch.setitem(FILE_STEPS, "encoding", dataclasses.replace(encoding, version=encoding.version + "-changed"))
    after = keys(Config())
    assert after["encoding"] != before["encoding"]
    assert {n for n in before if before[n] != after[n]} == {"encoding"}  # nothing reads its outputs
    monkeypatch.setitem(FILE_STEPS, "encoding", encoding)

    monkeypatch.setattr(numpy, "__version__", "0.0.1-another-build")  # the noise shapes' arithmetic may differ
    changed = {n for n, k in keys(Config()).items() if k != before[n]}
    assert changed == {"noise-lines"}
    monkeypatch.undo()

    import rensa  # its hashing makes the MinHash signatures

    monkeypatch.setattr(rensa, "__version__", "0.0.1-another-build", raising=False)
    changed = {n for n, k in keys(Config()).items() if k != before[n]}
    assert changed == {"duplicate-digests"}
    monkeypatch.undo()

    import ftfy  # the paragraphs step reads ftfy: every step reads the paragraphs

    monkeypatch.setattr(ftfy, "__version__", "99.0")
    assert all(k != before[n] for n, k in keys(Config()).items())
    monkeypatch.undo()

    # How a step stores its outputs (its layout) keys its own outputs only: the values it
    # gives the steps that read it are the same.
    paragraphs = FILE_STEPS["paragraphs"]
    monkeypatch.setitem(FILE_STEPS, "paragraphs", dataclasses.replace(paragraphs, layout=paragraphs.layout + "-changed"))
    assert {n for n, k in keys(Config()).items() if k != before[n]} == {"paragraphs"}
    monkeypatch.setitem(FILE_STEPS, "paragraphs", paragraphs)

    from validators.features.duplicate import DuplicateSettings

    changed = {n for n, k in keys(Config(duplicate=DuplicateSettings(min_chars=41))).items() if k != before[n]}
    assert changed == {"duplicate-digests"}

    (tmp_path / "names.toml").write_text(expectation_file("names.toml", None)[1] + "\n# a corpus's own registry\n")
    changed = {n for n, k in keys(Config(expectations=tmp_path)).items() if k != before[n]}
    assert changed == {"name-candidates"}


def test_a_changed_step_recomputes_only_its_own_cached_part(monkeypatch, tmp_path, corpus):
    folder = corpus({f"story-{n}.txt": STORY.replace("Monday", f"day {n}") for n in range(4)})
    config = Config(root=tmp_path)
    calls: dict[str, int] = {}

    def counting(step):
        def compute(doc, inputs, setup):
            calls[step.name] = calls.get(step.name, 0) + 1
            return step.compute(doc, inputs, setup)

        return dataclasses.replace(step, compute=compute)

    originals = {name: FILE_STEPS[name] for name in list(FILE_STEPS)}
    for name, step in originals.items():
        monkeypatch.setitem(FILE_STEPS, name, counting(step))
    first = check([folder], config)
    assert calls == {name: 4 for name in originals}

    calls.clear()
    second = check([folder], config)  # nothing changed: every file from the cache
    assert calls == {} and second.findings == first.findings

    noise = FILE_STEPS["noise-lines"]
    monkeypatch.setitem(FILE_STEPS, "noise-lines", dataclasses.replace(noise, version=noise.version + "-changed"))
    third = check([folder], config)
    assert calls == {"noise-lines": 4}  # the other steps' sections were kept
    assert third.findings == first.findings
    assert third.paragraph_table.columns.keys() == first.paragraph_table.columns.keys()
    for name in ("text", "mojibake", "noise_score", "dup_of"):
        assert third.paragraph_table[name] == first.paragraph_table[name]

    calls.clear()
    check([folder], config)  # and the rewritten cache is whole again
    assert calls == {}
    assert set(open_cache(config).sections) == set(originals)


NAMES = REPO / "tests" / "fixtures" / "names" / "corpus"


def test_a_run_with_no_name_rule_works_out_no_name_mentions_and_finds_the_rest_the_same(monkeypatch, tmp_path):
    """The name mentions are the largest share of a hook run in a big corpus (10,000 page
    dumps: README, Pre-commit): a run that selects no name rule (``--ignore NM``) does not work them
    out, and reports what the full run reports for the other rules."""
    full = [f.to_dict() for f in check([NAMES, SEEDS], Config(engine="light", cache=False)).findings]
    assert any(f["code"].startswith("NM") for f in full) and any(not f["code"].startswith("NM") for f in full)

    def refused(corpus, setup):
        raise AssertionError("the mentions step ran in a run with no name rule")

    monkeypatch.setitem(CORPUS_STEPS, "mentions", dataclasses.replace(CORPUS_STEPS["mentions"], run=refused))
    steps._plan.cache_clear()  # the plans hold the registered steps
    try:
        for config in (Config(engine="light", cache=False, ignore=["NM"]), Config(engine="light", cache=False, select=["BP", "DU", "EN"])):
            report = check([NAMES, SEEDS], config)
            assert [f.to_dict() for f in report.findings] == [f for f in full if not f["code"].startswith("NM")]
            assert len(report.mention_table) == 0
        with pytest.raises(AssertionError, match="mentions step ran"):
            check([NAMES, SEEDS], Config(engine="light", cache=False, select=["NM001"]))
    finally:
        steps._plan.cache_clear()


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_packed_rows_give_back_each_row_alone_or_all_in_order():
    rows = [([((0, 4), 9, True)], "^Seoul", (0,)), ([], "", ()), ([((2, 8, 13), 20, False)], "", ()), ("a" * 300, 2**40, None)]
    packed = steps.PackedRows.of(rows)
    assert len(packed) == len(rows) and list(packed) == rows
    assert [packed[n] for n in range(len(rows))] == rows and packed[-1] == rows[-1] and packed[1:3] == rows[1:3]
    assert steps.PackedRows.of(packed) is packed  # packing what is packed keeps it
    again = pickle.loads(pickle.dumps(packed))  # sent to a worker: its own arrays
    assert list(again) == rows and again.blob is not packed.blob
    assert list(steps.PackedRows.of([])) == []
    nothing = ([], "", ())
    sparse = steps.PackedRows.of([nothing, rows[0], nothing, nothing, rows[2]], nothing)
    assert list(sparse) == [nothing, rows[0], nothing, nothing, rows[2]] and sparse[3] == nothing and sparse[4] == rows[2]
    assert sparse.ends.tolist()[0] == 0 and sparse.ends[3] == sparse.ends[1]  # an empty row takes no bytes
    for some in ([], [0], [1, 2, 4], [0, 1, 2, 3, 4], [4, 4, 1]):  # by one reader, in any order
        assert sparse.picked(some) == [sparse[n] for n in some]


def test_a_packed_row_that_would_run_code_is_refused_as_damaged(tmp_path):
    marker = tmp_path / "ran.txt"
    crafted = steps.PackedRows.of([("fine",), ("fine",)])
    payload = pickle.dumps(_RunsCode(marker), protocol=2)
    blob = numpy.frombuffer(crafted.blob.tobytes()[: crafted.ends[0]] + payload, dtype=numpy.uint8)
    bad = steps.PackedRows(blob, numpy.array([crafted.ends[0], len(blob)], dtype=numpy.uint64))
    assert bad[0] == ("fine",)
    with pytest.raises(steps.DamagedRows, match="exec is not a plain value"):
        bad[1]
    with pytest.raises(steps.DamagedRows):
        list(bad)
    with pytest.raises(steps.DamagedRows):
        bad.picked([0, 1])
    cut = steps.PackedRows(crafted.blob[:-2], crafted.ends)  # a row cut short
    with pytest.raises(steps.DamagedRows):
        cut[1]
    with pytest.raises(steps.DamagedRows):
        cut.picked([1])
    # A row's end moved past its pickle's: read on its own it is refused, and so by one reader.
    long = steps.PackedRows(crafted.blob, numpy.array([crafted.ends[0] - 1, crafted.ends[1]], dtype=numpy.uint64))
    with pytest.raises(steps.DamagedRows):
        long[0]
    with pytest.raises(steps.DamagedRows):
        long.picked([0])
    assert not marker.exists()


def test_a_damaged_cache_row_is_a_clear_error_not_a_traceback(cli, corpus, tmp_path, monkeypatch):
    corpus({"a.txt": "Kim Jong-un met officials in Seoul on Monday, the agency said.\n",
            "b.txt": "Kim Jong Un met officials in Pyongyang on Tuesday, the agency said.\n"})  # fmt: skip
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    assert cli("check").exit_code == 0  # the cache is written
    def cut_short(self):
        raise pickle.UnpicklingError("pickle data was truncated")

    monkeypatch.setattr(steps.PlainValues, "load", cut_short)  # as a row cut short in the cache file reads
    result = cli("check")
    assert result.exit_code == 2
    assert "the feature cache is damaged (pickle data was truncated); delete the folder, or run with --no-cache" in result.stderr


def test_a_file_s_paragraph_positions_are_cached_as_one_compact_array_and_read_as_ints():
    """Five lists of Python ints a paragraph took 200 MB of a hook run in 10,000 page dumps: the
    cache keeps them as one array (32-bit where every value fits), read back as Python ints."""
    from validators.features.paragraphs import POSITIONS, paragraph_count
    from validators.ingest import decode

    doc = decode("a.txt", 0, "Caf\u00c3\u00a9 one.\n\nTwo,\nthree.\n\n\nFour.\n".encode())
    computed = steps.run_file_steps(doc, feature_context(Config(cache=False)))["paragraphs"]
    stored = steps.pack({"paragraphs": computed})["paragraphs"]
    assert not POSITIONS & stored.keys() and stored["positions"].dtype == numpy.uint32 and paragraph_count(stored) == 3
    again = pickle.loads(pickle.dumps(steps.unpack({"paragraphs": stored}, doc)))["paragraphs"]  # as sent to a worker
    for name in computed:
        assert list(again[name]) == list(computed[name]), name
        assert all(type(value) is int for value in again[name]) or name not in POSITIONS
    huge = {**computed, "char_end": [2**32, 2**32 + 7, 2**33]}  # a file past 4 GB: 64-bit
    assert steps.pack({"paragraphs": huge})["paragraphs"]["positions"].dtype == numpy.int64


def test_a_file_s_missing_section_is_computed_from_the_sections_it_reads_alone():
    """A step's new version recomputes its section of every file in worker processes: each is
    sent the sections that step reads, the others as empty stand-ins, which are not computed
    again: not the file's whole features each way."""
    from validators.ingest import decode

    doc = decode("a.txt", 0, (STORY + "\nSubscribe to our newsletter\n").encode())
    context = feature_context(Config(cache=False))
    full = steps.run_file_steps(doc, context)
    known = {name: outputs for name, outputs in full.items() if name != "noise-lines"}
    sent = steps.for_missing_steps(known)
    assert sent.keys() == known.keys() and sent["paragraphs"] is known["paragraphs"]  # it reads "text"
    assert all(sent[name] == {} for name in ("encoding", "duplicate-digests"))
    again = steps.run_file_steps(doc, context, sent)
    assert again.keys() == full.keys() and again["encoding"] == {}
    for name, value in full["noise-lines"]["noise_lines"].items():
        numpy.testing.assert_array_equal(again["noise-lines"]["noise_lines"][name], value)
