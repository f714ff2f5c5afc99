"""A pre-commit run (one file checked against the corpus, warm cache) reports what the full run
reports for that file, related places included, while its corpus steps work only on what the
checked file's values depend on."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from validators.features import duplicate
from validators.features.duplicate import (
    DuplicateSettings,
    SignatureParts,
    add_duplicate_features,
    file_duplicate_data,
    sharing_a_band,
    sharing_a_band_in,
)
from validators.features.minhash import NUM_PERM
from validators.frame import Table

STORY = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"

WORDS = (
    "harbour council ferry budget vote mayor residents timetable island route winter crossing fare "
    "subsidy operator captain weather storm delay schedule minister port town hall meeting question"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    return [_sentence(rng, rng.randint(12, 20)) for _ in range(count)]


def _edited(rng: random.Random, text: str) -> str:
    words = text.split()
    words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def _apart(rng: random.Random) -> list[str]:
    """Four files that share no word, name or line with any other."""
    return ["\n\n".join(" ".join(f"w{rng.randrange(10**6)}" for _ in range(14)) + "." for _ in range(3)) + "\n" for _ in range(4)]


def _asked_file_by_file(texts: list[str], doc_ids: list[int]):
    """The duplicate columns of the whole table, then of the table with one file's rows asked
    for, for each file: (whole, [(rows asked for, columns) per file])."""

    def frame() -> Table:
        return Table({"doc_id": list(doc_ids), "text": list(texts), "raw": list(texts)})

    settings = DuplicateSettings()
    data = file_duplicate_data(texts, texts, settings)
    each = []
    for doc in sorted(set(doc_ids)):
        wanted = np.array([d == doc for d in doc_ids])
        each.append((wanted, add_duplicate_features(frame(), settings, data, wanted)))
    return add_duplicate_features(frame(), settings, data), each


def test_the_near_search_on_the_wanted_rows_finds_what_the_whole_search_finds():
    # Many near copies of a few paragraphs, so that band groups are long and the window of
    # earlier rows matters; each file's rows, asked for alone, get the whole search's values.
    rng = random.Random(7)
    base = _paragraphs(rng, 6)
    texts, doc_ids = [], []
    for doc in range(40):
        for _ in range(rng.randint(2, 6)):
            texts.append(_edited(rng, rng.choice(base)) if rng.random() < 0.8 else _sentence(rng, 15))
            doc_ids.append(doc)

    full, each = _asked_file_by_file(texts, doc_ids)
    assert sum(n is not None for n in full["near_dup_of"]) > 20
    columns = ("dup_of", "near_dup_of", "near_dup_similarity", "passages", "passage_of", "doc_dup_of", "doc_near_dup_of")
    for doc, (wanted, part) in enumerate(each):
        for column in columns:
            assert [v for v, w in zip(part[column], wanted, strict=True) if w] == [
                v for v, w in zip(full[column], wanted, strict=True) if w
            ], (doc, column)


def test_exact_copies_and_passages_asked_for_some_rows_are_the_whole_search_s_for_every_row_sharing_their_text():
    # Paragraphs repeated across files, and a quote several of them carry: the rows asked for
    # get the whole run's values, and so does every row with the same text (a DU001 finding
    # names all copies, ``fix`` counts them); rows sharing no text with them are left out.
    rng = random.Random(11)
    quote = "“We will not sign anything that leaves the harbour towns without their ferries,”"
    pool = _paragraphs(rng, 8)
    texts, doc_ids = [], []
    for doc in range(30):
        for _ in range(rng.randint(1, 5)):
            odds = rng.random()
            fresh = " ".join(f"w{rng.randrange(10**6)}" for _ in range(16))  # words no other row has
            texts.append(rng.choice(pool) if odds < 0.5 else f"{fresh}: {quote} the mayor said." if odds < 0.7 else fresh)
            doc_ids.append(doc)

    full, each = _asked_file_by_file(texts, doc_ids)
    assert sum(d is not None for d in full["dup_of"]) > 20 and sum(p is not None for p in full["passage_of"]) > 3
    for doc, (wanted, part) in enumerate(each):
        keys = {full["text_key"][r] for r in np.flatnonzero(wanted).tolist()}
        for row, key in enumerate(full["text_key"]):
            shares = key in keys
            for column in ("text_key", "dup_key", "dup_of"):
                assert part[column][row] == (full[column][row] if shares else None), (doc, row, column)
            if wanted[row]:
                assert (part["passages"][row], part["passage_of"][row]) == (full["passages"][row], full["passage_of"][row])


def test_sharing_a_band_keeps_the_wanted_usable_rows_and_only_rows_sharing_a_band():
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, (50, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    sigs[10, 3:6] = sigs[2, 3:6]  # row 10 shares band 1 with row 2
    sigs[11, 3:5] = sigs[2, 3:5]  # row 11 shares only two of its three values
    usable = np.ones(50, dtype=bool)
    usable[12] = False
    sigs[12] = sigs[2]  # the same band values, but not usable
    wanted = np.zeros(50, dtype=bool)
    wanted[[2, 5]] = True
    assert np.flatnonzero(sharing_a_band(sigs, usable, wanted)).tolist() == [2, 5, 10]


def _site(rng: random.Random) -> dict[str, str]:
    """Articles with shared template lines, copies, near copies, shared quotes and a name
    spelled two ways: every cross-file rule has something to find."""
    header = "Home | News | Sport | Weather\nSign in to your account\n"
    footer = "Follow us on social media\nCopyright the Island Gazette\n"
    files = {}
    stories = [_paragraphs(rng, 5) for _ in range(6)]
    for n in range(18):
        story = list(stories[n % 6])
        if n >= 6:
            story[rng.randrange(len(story))] = _edited(rng, story[0])
        if n % 5 == 0:
            story.append("The leader Kim Jong-un spoke." if n % 2 else "The leader Kim Jong Un spoke.")
        if n % 4 == 0:
            story.append("“We will not sign anything that leaves the harbour towns without their ferries,” she said.")
        files[f"{n:02d}.txt"] = header + "\n" + "\n\n".join(story) + "\n\n" + footer
    files["copy.txt"] = files["03.txt"]
    files["story.txt"] = STORY
    site = Path(__file__).parent / "fixtures" / "one-site" / "corpus"  # a site's template text
    for path in sorted(site.glob("*.txt"))[:6]:
        files[f"site-{path.name}"] = path.read_text(encoding="utf-8")
    files["site-copy.txt"] = files[f"site-{path.name}"].replace("\n\n", "\n\nIn brief.\n\n", 1)
    return files


@pytest.fixture
def site(cli, corpus, tmp_path):
    folder = corpus(_site(random.Random(11)))
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')

    def findings(*args):
        return json.loads(cli("check", "--engine", "light", "--format", "json", *args).stdout)["findings"]

    return folder, findings


def _same_as_full(folder, findings, names) -> None:
    full = findings()
    assert {"DU001", "DU002", "DU003", "BP102"} <= {f["code"] for f in full}
    for name in names:
        path = f"corpus/{name}"
        assert findings(path, "--with-corpus") == [f for f in full if f["path"] == path], name


def test_a_hook_run_reports_what_the_full_run_reports_after_a_change_an_addition_and_a_removal(site):
    folder, findings = site
    rng = random.Random(5)
    _same_as_full(folder, findings, ["00.txt", "03.txt", "07.txt", "copy.txt", "site-02-dredging-of-the-inner.txt"])
    changed = folder / "07.txt"
    changed.write_text(_edited(rng, changed.read_text(encoding="utf-8")) + "\nA closing line added.\n", encoding="utf-8")
    _same_as_full(folder, findings, ["01.txt", "07.txt", "13.txt"])
    (folder / "added.txt").write_text((folder / "01.txt").read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    _same_as_full(folder, findings, ["01.txt", "added.txt"])
    (folder / "01.txt").unlink()
    _same_as_full(folder, findings, ["07.txt", "added.txt"])


def test_a_hook_run_reports_what_the_full_run_reports_after_a_steps_key_changes(site, monkeypatch):
    import dataclasses

    from validators.features import steps

    folder, findings = site
    _same_as_full(folder, findings, ["02.txt"])
    for name in ("duplicate-digests", "noise-lines"):  # their cached sections go: computed again
        monkeypatch.setitem(steps.FILE_STEPS, name, dataclasses.replace(steps.FILE_STEPS[name], version="changed"))
    steps._plan.cache_clear()
    _same_as_full(folder, findings, ["02.txt", "08.txt", "copy.txt", "site-copy.txt"])


@pytest.mark.parametrize("batch", [1 << 16, 7, 1])  # all files at once; a few at a time; one (a file larger than a batch)
@pytest.mark.parametrize("seed", range(6))
def test_sharing_a_band_over_each_files_signatures_is_sharing_a_band_over_the_table(seed, batch, monkeypatch):
    # Files of a few rows each, their signatures kept apart and read a batch of files at a
    # time; band values shared across files (whole bands, a band's first value only, values
    # equal in their low bits only), rows not usable, wanted rows in two files: the rows kept
    # are those of the joined table.
    monkeypatch.setattr(duplicate, "_BATCH_ROWS", batch)
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 6, 40).tolist()
    rows = sum(sizes)
    sigs = rng.integers(0, 2**32, (rows, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    starts = np.cumsum([0, *sizes])
    wanted = np.zeros(rows, dtype=bool)
    for f in (3, 17):
        wanted[starts[f] : starts[f + 1]] = True
    mine = np.flatnonzero(wanted)
    for n in range(45):
        a, b = int(rng.choice(mine)), int(rng.integers(0, rows))
        band = int(rng.integers(0, NUM_PERM // 3)) * 3
        if n % 3 == 0:  # a whole band
            sigs[b, band : band + 3] = sigs[a, band : band + 3]
        elif n % 3 == 1:  # its first value only
            sigs[b, band] = sigs[a, band]
        else:  # a first value with the same low bits
            sigs[b, band] = sigs[a, band] ^ np.uint32(1 << 25)
    usable = rng.random(rows) < 0.8
    parts = SignatureParts([sigs[starts[f] : starts[f + 1]].tobytes() for f in range(len(sizes))])
    assert len(parts) == rows
    assert np.array_equal(parts.joined(), sigs)
    picked = np.sort(rng.choice(rows, min(rows, 25), replace=False))
    assert np.array_equal(parts.rows(picked), sigs[picked])
    expected = sharing_a_band(sigs, usable, wanted)
    assert (expected & ~wanted).sum() >= 3  # rows of other files share a band
    assert np.array_equal(sharing_a_band_in(parts, usable, wanted), expected)


def test_a_hook_run_cuts_no_paragraph_of_a_file_that_shares_nothing_with_the_checked_one(site, monkeypatch):
    """A hook run built the whole corpus's table, every paragraph of every file cut from its
    text, to read a few rows (3 s of 10.5 at 10,000 page dumps): the files' columns are now
    joined where they lie and a paragraph is cut when a step reads it. Files whose words, names
    and lines the checked file does not share are never read (the name step narrowed as in a
    large corpus: a small one decides every row)."""
    from validators import frame as frame_module
    from validators.features import name

    monkeypatch.setattr(name, "NARROW_MIN_RATIO", 0)
    folder, findings = site
    apart = {f"apart-{n}.txt": text for n, text in enumerate(_apart(random.Random(5)))}
    for file_name, text in apart.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    findings()  # the full run: every file's features cached
    cut: set[str] = set()
    real_getitem, real_iter = frame_module.Slices.__getitem__, frame_module.Slices.__iter__
    monkeypatch.setattr(frame_module.Slices, "__getitem__", lambda self, index: cut.add(self.text) or real_getitem(self, index))
    monkeypatch.setattr(frame_module.Slices, "__iter__", lambda self: cut.add(self.text) or real_iter(self))
    checked = "corpus/05.txt"
    assert findings(checked, "--with-corpus") == [f for f in findings() if f["path"] == checked]
    cut.clear()
    findings(checked, "--with-corpus")
    assert cut and not cut & set(apart.values())


def test_a_hook_run_s_corpus_step_columns_hold_the_checked_file_s_values_not_one_a_row(site, tmp_path):
    """The corpus steps' columns of a hook run were lists as long as the corpus, of None or NaN
    but at the checked file's rows (about a second at 10,000 page dumps, making them): they hold
    the rows that have a value (``frame.Sparse``), and the run reports what the full run does."""
    from validators.config import Config
    from validators.frame import Sparse
    from validators.pipeline import check

    folder, findings = site
    findings()  # every file's features cached
    config = Config(root=tmp_path, engine="light", paths=["corpus"])
    checked = folder / "03.txt"
    report = check([checked], config, context=[folder])
    table = report.paragraph_table
    mine = {row for row, path in enumerate(table["path"]) if path == "corpus/03.txt"}
    columns = ["dup_of", "near_dup_of", "passages", "passage_of", "doc_dup_of", "doc_near_dup_of",
               "noise_score", "noise_why", "story_noise_score", "furnished_noise_score", "prose", "template_files"]  # fmt: skip
    for name in columns:
        assert isinstance(table[name], Sparse), name
    assert mine and all(row in mine for name in ("noise_score", "noise_why") for row in table[name].values)
    assert len(table["dup_of"].values) + len(table["noise_score"].values) < len(table) / 2
    assert [f.to_dict() for f in report.findings] == [f for f in findings() if f["path"] == "corpus/03.txt"]


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled at once (the tests write them just before checking): the file
    index notes them."""
    from validators import file_index

    monkeypatch.setattr(file_index, "SETTLED", -(10**12))


def _reads(monkeypatch) -> set[str]:
    """The paths of the files a run reads the bytes of (recorded into the set returned)."""
    from validators import ingest

    read: set[str] = set()
    real_open, real_read = open, ingest.UnreadDocument._read
    monkeypatch.setattr(ingest, "open", lambda path, *a, **k: read.add(Path(path).name) or real_open(path, *a, **k), raising=False)
    monkeypatch.setattr(ingest.UnreadDocument, "_read", lambda self: read.add(Path(self.file).name) or real_read(self))
    return read


def test_a_hook_run_reads_the_checked_file_and_not_the_unchanged_files_it_shares_nothing_with(site, settled, monkeypatch):
    """A hook run read, decoded and hashed every file of the corpus to find its cached features
    (a sixth of the run at 10,000 page dumps): the file index knows the unchanged ones by their
    identity, and their bytes are read only where a step or a finding needs their text."""
    from validators.features import name

    monkeypatch.setattr(name, "NARROW_MIN_RATIO", 0)  # the name step narrowed, as in a large corpus
    folder, findings = site
    for n, text in enumerate(_apart(random.Random(3))):
        (folder / f"apart-{n}.txt").write_text(text, encoding="utf-8")
    full = findings()
    read = _reads(monkeypatch)
    assert findings("corpus/05.txt", "--with-corpus") == [f for f in full if f["path"] == "corpus/05.txt"]
    assert "05.txt" in read and not any(path.startswith("apart-") for path in read)
    read.clear()
    monkeypatch.setattr(name, "NARROW_MIN_RATIO", 10**9)  # a small corpus: every row's names decided
    assert findings("corpus/05.txt", "--with-corpus") == [f for f in full if f["path"] == "corpus/05.txt"]
    assert {f"apart-{n}.txt" for n in range(4)} <= read  # read where a step needs their text


def test_a_file_rewritten_to_the_same_size_and_modification_time_is_read_again(site, settled):
    """Only its change time tells this file from the one the index noted: the hook run reads
    it, and reports the copy it now holds as the full run does."""
    import os

    folder, findings = site
    findings()
    other, checked = folder / "13.txt", folder / "05.txt"
    before, stat = other.read_text(encoding="utf-8"), other.stat()
    copied = checked.read_text(encoding="utf-8").split("\n\n")[1]  # a paragraph of the checked file
    other.write_text((copied + "\n\n" + before)[: len(before)], encoding="utf-8")
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert other.stat().st_size == stat.st_size and other.stat().st_mtime_ns == stat.st_mtime_ns
    hook = findings("corpus/05.txt", "--with-corpus")
    assert hook == [f for f in findings() if f["path"] == "corpus/05.txt"]
    assert any(place["path"] == "corpus/13.txt" for f in hook if f["code"] == "DU001" for place in f["related"])


def test_a_file_that_changes_while_its_text_is_awaited_stops_the_run_with_a_clear_error(tmp_path):
    from validators.cache import digest
    from validators.errors import CorpusValidatorError
    from validators.ingest import UnreadDocument

    path = tmp_path / "a.txt"
    path.write_bytes(b"First.\n")
    doc = UnreadDocument("a.txt", 0, str(path), digest(b"First.\n"), None, False, None)
    path.write_bytes(b"Second.\n")
    with pytest.raises(CorpusValidatorError, match=r"^a.txt: changed while it was being checked; check again$"):
        doc.text
    with pytest.raises(CorpusValidatorError, match=r"^a.txt: changed while it was being checked; check again$"):
        doc.passing_text()


def test_paragraphs_picked_from_a_file_not_read_yet_do_not_keep_its_text(tmp_path):
    """A hook run's name step cuts a few paragraphs from each of thousands of files (6,000 of
    10,000 page dumps): holding every text it read took 170 MB and a third of a second of page
    faults. Picked, a file's paragraphs are cut and its text let go; read one by one, as a
    finding's place is, the text is kept for the next."""
    from validators.cache import digest
    from validators.frame import Slices, picked
    from validators.ingest import UnreadDocument

    data = "First one.\n\nSecond one.\n".encode()
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    doc = UnreadDocument("a.txt", 0, str(path), digest(data), None, False, None)
    raw = Slices(doc, [0, 12], [10, 23])
    assert picked(raw, [0, 1]) == ["First one.", "Second one."]
    assert not doc.loaded
    assert raw[1] == "Second one." and doc.loaded
    path.write_bytes(b"changed\n")
    assert picked(raw, [0]) == ["First one."]  # the text kept, not read again


def test_a_file_index_that_is_not_ours_is_read_as_none(site, settled):
    """A checked-out corpus could carry a crafted index: one that names anything but plain
    values is not loaded, and every file is read."""
    import pickle

    from validators import file_index

    folder, findings = site
    full = findings()
    index = folder.parent / ".corpus-validator-cache" / file_index.FILE
    assert index.is_file()
    index.write_bytes(pickle.dumps({"layout": file_index.LAYOUT, "value": {"x": print}}))
    assert file_index.FileIndex(index.parent).files == {}
    assert findings("corpus/05.txt", "--with-corpus") == [f for f in full if f["path"] == "corpus/05.txt"]


def test_the_fix_hook_reads_the_files_it_fixes_and_not_the_unchanged_others(site, settled, monkeypatch, cli):
    from validators.features import name

    monkeypatch.setattr(name, "NARROW_MIN_RATIO", 0)
    folder, findings = site
    for n, text in enumerate(_apart(random.Random(3))):
        (folder / f"apart-{n}.txt").write_text(text, encoding="utf-8")
    (folder / "05.txt").write_text((folder / "05.txt").read_text(encoding="utf-8") + "Caf\u00c3\u00a9 au lait.\n", encoding="utf-8")
    findings()  # the full run notes every file
    read = _reads(monkeypatch)
    done = cli("fix", "--engine", "light", "--with-corpus", "corpus/05.txt")
    assert "fixed 1 finding in 1 file" in done.stderr
    assert "Caf\u00e9 au lait." in (folder / "05.txt").read_text(encoding="utf-8")
    assert "05.txt" in read and not any(path.startswith("apart-") for path in read)
