"""Sums over the corpus kept between runs (``validators/corpus_sums.py``): updated by the contents
that changed, they are what working them out afresh gives."""

from __future__ import annotations

import pickle

from validators import corpus_sums
from validators.cache import FeatureCache
from validators.corpus_sums import FILE, CorpusSums

STEP, OUTPUT = "name-candidates", "lowercase_words"
WORDS = {"a": "ferry harbour the", "b": "harbour mayor the", "c": "budget the vote", "d": "island the"}


def _cache(folder, key="k1", words=WORDS) -> FeatureCache:
    cache = FeatureCache(folder, {STEP: key})
    for content, text in words.items():
        cache.put(content, {STEP: {OUTPUT: text}})
    return cache


def _union(contents) -> set[str]:
    return {word for content in contents for word in WORDS[content].split()}


def _words(cache, contents):
    return CorpusSums(cache.folder, cache).words(STEP, OUTPUT, contents, [WORDS[c] for c in contents])


def test_a_sum_updated_by_the_contents_that_changed_is_the_sum_worked_out_afresh(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_sums, "AFRESH_SHARE", 1.0)  # a corpus of three: updated all the same
    cache = _cache(tmp_path)
    sums = CorpusSums(tmp_path, cache)
    assert set(sums.words(STEP, OUTPUT, ["a", "b", "c"], [WORDS[c] for c in "abc"])) == _union("abc")
    sums.save()
    assert (tmp_path / FILE).is_file()
    again = CorpusSums(tmp_path, cache)
    assert set(again.words(STEP, OUTPUT, ["a", "b", "c"], [WORDS[c] for c in "abc"])) == _union("abc") and not again.changed
    # one file changed (c -> d): c's words taken away (read from the cache), d's added
    assert set(again.words(STEP, OUTPUT, ["a", "b", "d"], [WORDS[c] for c in "abd"])) == _union("abd")
    counts = again.sums[f"{STEP}/{OUTPUT}"]["counts"]
    assert type(counts) is dict and counts["the"] == 3 and "vote" not in counts  # the loaded counts, updated
    again.save()
    third = CorpusSums(tmp_path, cache)
    assert set(third.words(STEP, OUTPUT, ["b", "d"], [WORDS[c] for c in "bd"])) == _union("bd")  # a file removed


def test_a_sum_is_worked_out_afresh_when_its_steps_key_changed_or_the_cache_lost_what_to_take_away(tmp_path):
    sums = CorpusSums(tmp_path, _cache(tmp_path))
    sums.words(STEP, OUTPUT, list("abc"), [WORDS[c] for c in "abc"])
    sums.save()
    changed = {**WORDS, "a": "ferry port"}  # another names.toml: another key, other words for the same bytes
    cache = _cache(tmp_path, key="k2", words=changed)
    fresh = CorpusSums(tmp_path, cache).words(STEP, OUTPUT, list("abc"), [changed[c] for c in "abc"])
    assert "port" in fresh and "harbour" in fresh and "vote" in fresh
    cache = _cache(tmp_path)
    del cache.entries["c"]  # c's words are nowhere to take away: afresh
    CorpusSums(tmp_path, cache).save()
    assert set(_words(cache, list("abd"))) == _union("abd")


def test_sums_that_are_not_ours_are_read_as_none(tmp_path):
    cache = _cache(tmp_path)
    (tmp_path / FILE).write_bytes(pickle.dumps({"layout": 1, "value": {f"{STEP}/{OUTPUT}": print}}))
    assert CorpusSums(tmp_path, cache).sums == {}
    (tmp_path / FILE).write_bytes(b"\x80\x05not a pickle")
    assert set(_words(cache, list("ab"))) == _union("ab")


def test_a_hook_run_decides_names_by_the_corpus_words_as_they_are_now(cli, corpus, tmp_path, monkeypatch):
    """The hook's vocabulary is kept between runs: a word another file now writes in lower case is
    no name any more, and is one again once that file no longer writes it, as in a full run."""
    import json

    monkeypatch.setattr(corpus_sums, "AFRESH_SHARE", 1.0)  # updated, not worked out afresh, in a corpus this small

    story = "Officials in Kyiv said on Monday that {} would travel to Brussels next week for talks.\n\n"
    files = {f"{n}.txt": story.format("Zelensky") * 2 + f"Story {n} ends here with a line of its own.\n" for n in range(5)}
    files["checked.txt"] = story.format("Zelenskyy") + "The checked story ends here.\n"
    folder = corpus(files)
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')

    def names(*args):
        found = json.loads(cli("check", "--engine", "light", "--format", "json", *args).stdout)["findings"]
        return [f for f in found if f["path"] == "corpus/checked.txt" and f["code"].startswith("NM")]

    def same() -> list:
        full = names()
        assert names("corpus/checked.txt", "--with-corpus") == full
        return full

    named = same()
    assert named and same() == named and (tmp_path / ".corpus-validator-cache" / FILE).is_file()
    (folder / "3.txt").write_text(files["3.txt"] + "A note on zelenskyy, written in lower case.\n", encoding="utf-8")
    assert same() != named  # "Zelenskyy" is a word of the corpus now, not a name
    (folder / "3.txt").write_text(files["3.txt"], encoding="utf-8")
    assert same() == named
