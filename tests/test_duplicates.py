"""The duplicate stage's building blocks: canonical forms, MinHash signatures, the candidate search."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.features.duplicate import (
    DuplicateSettings,
    _digest,
    canonical,
    concatenate,
    digest_pairs,
    file_duplicate_data,
    passages,
    sentences,
)
from validators.features.minhash import EMPTY, NUM_PERM, _band_groups, signatures, similar_earlier


def _reference(text: str) -> str:
    """The definition: NFKC, case-folded, runs of anything but letters and digits one space."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40))
def test_canonical_is_its_definition(text):
    assert canonical(text) == _reference(text)


def test_canonical_folds_what_does_not_change_the_text():
    assert canonical("“We are NO longer—interested,” he said…") == "we are no longer interested he said"
    assert canonical("Don’t ﬁnd ½ of it\u00a0here") == "don t find 1 2 of it here"
    assert canonical("caf\udce9 kept \udcff") == "caf kept"  # a lone surrogate is not a letter


_PIECES = [
    "Mr. Kim", " said", " it", ".", "!", "?", " ", "  ", "\n", " The", " U.S.", " talks", " ended", " “We", " are", "”",
    ' "so', ' far"', ",", " —", " café", " CAFÉ", " ﬁnd", " ½", " straße", " İstanbul", " ΣΟΦΙΑ", "\u0301", " 가", "\u1100\u1161",
    " ｆｕｌｌ", "\u00a0", "\udce9", "_", " 2024", "…", " (", ")", "’s",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=50).map("".join))
def test_a_passage_is_the_canonical_form_of_its_slice(text):
    """Passages come from one fold of the paragraph (or, past ASCII, of each slice): each one's
    digest is that of the canonical form of its slice, and every sentence or quotation of at
    least the minimum words is one (once per form)."""
    found = passages(text, 3)
    assert all(digest == _digest(canonical(text[start:end])) for digest, start, end in found)
    forms = {canonical(text[start:end]) for start, end in sentences(text)}
    assert {f for f in forms if len(f.split()) >= 3} <= {canonical(text[s:e]) for _, s, e in found}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), max_size=8))
def test_duplicate_data_holds_each_paragraphs_passages(texts):
    """The per-file data skips paragraphs too short to hold a passage: it lists what
    ``passages`` finds in each paragraph, no more and no less."""
    data = file_duplicate_data(texts, texts, DuplicateSettings(passage_min_words=3))
    units = np.frombuffer(data["passages"], dtype=np.int64).reshape(-1, 4).tolist()
    assert units == [[row, *unit] for row, text in enumerate(texts) for unit in passages(text, 3)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), max_size=5), max_size=4))
def test_each_paragraph_has_the_digest_and_length_of_its_canonical_form_in_file_and_table_order(files):
    """``digest_pairs`` gives, per paragraph, the digest of its canonical form and that form's
    length in characters; the table's pairs are its files' in order."""
    data = [file_duplicate_data(texts, texts, DuplicateSettings()) for texts in files]
    for texts, one in zip(files, data, strict=True):
        assert digest_pairs(one).tolist() == [[_digest(canonical(t)), len(canonical(t))] for t in texts]
    table = concatenate(data, [len(texts) for texts in files])
    assert digest_pairs(table).tolist() == [pair for one in data for pair in digest_pairs(one).tolist()]


def test_duplicate_data_is_the_same_whether_the_raw_text_is_the_text_or_a_copy():
    texts = ["“We are not done,” Mr. Kim said. The talks ended without an agreement on Friday.", "Café ﬁnd: ½ of it. " * 3]
    copies = ["".join(list(t)) for t in texts]  # equal, not the same objects
    assert all(c is not t for c, t in zip(copies, texts, strict=True))
    from_copies, from_texts = file_duplicate_data(texts, copies, DuplicateSettings()), file_duplicate_data(texts, texts, DuplicateSettings())
    assert from_copies.keys() == from_texts.keys()
    for name, array in from_texts.items():
        assert array.dtype == from_copies[name].dtype and np.array_equal(array, from_copies[name]), name


def test_signatures_of_a_union_are_the_least_of_its_parts():
    """The whole-file signature is the least of its paragraphs' at each position."""
    rng = np.random.default_rng(1)
    vocabulary = [f"w{i}" for i in range(300)]
    for _ in range(300):
        a = list(rng.choice(vocabulary, rng.integers(1, 6)))
        b = list(rng.choice(vocabulary, rng.integers(1, 80)))
        parts = signatures([" ".join(a), " ".join(b), " ".join(a + b)])
        assert (np.minimum(parts[0], parts[1]) == parts[2]).all()


def test_signatures_depend_on_the_word_set_only():
    sigs = signatures(["talks ended without agreement", "agreement without talks ended talks", "", "other words here"])
    assert sigs.shape == (4, NUM_PERM) and sigs.dtype == np.uint32
    assert (sigs[0] == sigs[1]).all()
    assert (sigs[2] == EMPTY).all()
    assert (sigs[0] != sigs[3]).mean() > 0.9


def test_signatures_are_stable_across_runs_and_machines():
    """Cached signatures and a Spark cluster's must agree with this machine's: pinned values."""
    assert signatures(["the talks ended"])[0, :4].tolist() == [3251670548, 4014727601, 2968683424, 3372086832]


def test_a_word_with_undecodable_bytes_gets_a_signature():
    sigs = signatures(["caf\udce9 au lait", "caf\udce9 au lait"])
    assert (sigs[0] == sigs[1]).all() and not (sigs[0] == EMPTY).all()


def test_near_copies_are_found_and_only_above_the_threshold():
    rng = np.random.default_rng(2)
    vocabulary = [f"w{i}" for i in range(5000)]
    texts = [" ".join(rng.choice(vocabulary, 40, replace=False)) for _ in range(400)]
    copies = {}
    for n in range(50):
        source = int(rng.integers(0, len(texts)))
        words = texts[source].split()
        words[:3] = ["edited", "new", f"x{n}"]  # 3 of 40 words changed: Jaccard 37/43
        copies[len(texts)] = source
        texts.append(" ".join(words))
    sigs = signatures(texts)
    best, similarity = similar_earlier(sigs, np.ones(len(texts), dtype=bool), 0.6)
    for copy, source in copies.items():
        assert best[copy] >= 0 and texts[best[copy]].split()[3:] == texts[copy].split()[3:], copy
        assert similarity[copy] >= 0.6
    found = np.flatnonzero(best >= 0)
    assert set(found.tolist()) <= set(copies)  # random texts of 40 of 5,000 words are not near copies
    exact = (sigs[found] == sigs[best[found]]).mean(axis=1)
    assert np.allclose(exact, similarity[found])


def _similar_earlier_by_definition(sigs, usable, threshold):
    """``similar_earlier`` as its docstring says it, one row at a time: in each band, a row's
    candidates are the first row of its group and the WINDOW rows before it in the group."""
    from validators.features.minhash import BANDS, ROWS, WINDOW

    best, best_sim = np.full(len(sigs), -1), np.zeros(len(sigs))
    for band in range(BANDS):
        groups: dict[bytes, list[int]] = {}
        for row in np.flatnonzero(usable).tolist():
            groups.setdefault(sigs[row, band * ROWS : (band + 1) * ROWS].tobytes(), []).append(row)
        for members in groups.values():
            for i, b in enumerate(members):
                for a in {members[0], *members[max(0, i - WINDOW) : i]} - {b}:
                    sim = np.count_nonzero(sigs[a] == sigs[b]) / NUM_PERM
                    if sim >= threshold and (best[b] < 0 or a < best[b]):
                        best[b], best_sim[b] = a, sim
    return best, best_sim


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([2, 3, 256, 2**32 - 1]), st.sampled_from([0.0, 0.5, 0.6, 0.7, 1.0]))
def test_near_search_is_its_definition(seed, values, threshold):
    # Few values: large groups and pairs that equal low bytes do not rule out; many: copies only.
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, values, (300, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    copies = rng.integers(0, 300, (60, 2))
    for source, copy in copies.tolist():
        changed = rng.random(NUM_PERM) < rng.uniform(0, 0.6)
        sigs[copy] = np.where(changed, sigs[copy], sigs[source])
    usable = rng.random(300) > 0.1
    best, sim = similar_earlier(sigs, usable, threshold)
    expected, expected_sim = _similar_earlier_by_definition(sigs, usable, threshold)
    assert best.tolist() == expected.tolist()
    assert sim.tolist() == expected_sim.tolist()


def test_band_groups_sort_the_values_when_two_share_a_mix(monkeypatch):
    from validators.features import minhash

    rng = np.random.default_rng(1)
    sigs = rng.integers(0, 3, (200, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    usable = np.ones(200, dtype=bool)
    expected = similar_earlier(sigs, usable, 0.4)
    monkeypatch.setattr(minhash, "_MIX", (np.uint64(0),) * 3)  # every band value the same mix
    found = similar_earlier(sigs, usable, 0.4)
    assert found[0].tolist() == expected[0].tolist() and found[1].tolist() == expected[1].tolist()
    assert (found[0] >= 0).any()


def _groups(order, boundary) -> list[tuple[int, ...]]:
    starts = np.flatnonzero(boundary).tolist() + [len(order)]
    return sorted(tuple(order[a:b].tolist()) for a, b in zip(starts, starts[1:]))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 2, 5, 2**32 - 1]), st.booleans())
def test_band_groups_are_the_rows_of_each_band_value_ascending(seed, values, collide):
    """Whatever the mix does (here, with ``collide``, it maps most values alike), each group
    holds exactly the rows of one band value, in ascending order."""
    from validators.features import minhash

    rng = np.random.default_rng(seed)
    part = rng.integers(0, values, (int(rng.integers(1, 400)), 3), dtype=np.uint64).astype(np.uint32)
    mix = (np.uint64(0), np.uint64(0), np.uint64(1)) if collide else minhash._MIX
    original, minhash._MIX = minhash._MIX, mix
    try:
        order, boundary = _band_groups(part)
    finally:
        minhash._MIX = original
    expected: dict[tuple, list[int]] = {}
    for row, value in enumerate(map(tuple, part.tolist())):
        expected.setdefault(value, []).append(row)
    assert _groups(order, boundary) == sorted(map(tuple, expected.values()))
    starts = np.flatnonzero(boundary).tolist() + [len(order)]
    assert all((np.diff(order[a:b]) > 0).all() for a, b in zip(starts, starts[1:]))


def test_near_search_is_the_same_in_blocks_of_any_size(monkeypatch):
    """The window's pairs are compared a block of group rows at a time: blocks smaller than the
    window find what one block finds."""
    from validators.features import minhash

    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 3, (400, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    usable = rng.random(400) > 0.1
    whole = similar_earlier(sigs, usable, 0.5)
    assert (whole[0] >= 0).sum() > 50
    for block in (1, 3, 7, 64):
        monkeypatch.setattr(minhash, "_PAIR_BLOCK", block)
        found = similar_earlier(sigs, usable, 0.5)
        assert found[0].tolist() == whole[0].tolist() and found[1].tolist() == whole[1].tolist()
