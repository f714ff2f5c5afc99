"""Sums over the whole corpus, kept between runs and updated by the contents that changed.

A pre-commit run checks one file, yet worked out on every run sums over every file of the
corpus that one changed file barely moves: the corpus's lower-case words (the name step's
vocabulary, 0.44 s of a 3.9 s hook run in 10,000 page dumps). Such a sum is kept here, in the
cache folder, with the contents it covers (the SHA-256 of each distinct file's bytes) and, for
each item, how many of those contents have it. A run adds the contents it has that the sum
does not cover and takes away the ones it covers that the run no longer has, reading their
items from the feature cache (which a run that reads a few files never prunes). A sum is
worked out afresh where its step's cache key changed (a new version, another ``names.toml``),
where the cache no longer holds a content to take away, or where more than a quarter of the
corpus changed. Only runs that report on a few files (``check --with-corpus``, the hooks)
keep sums: a full run reads every file anyway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import KeysView
from pathlib import Path

from .cache import FeatureCache, read_plain, write_plain

FILE = "sums.pickle"
#: The file's layout; another is read as no sums.
LAYOUT = 1
#: The share of a sum's contents that may change before it is worked out afresh instead.
AFRESH_SHARE = 0.25


class CorpusSums:
    def __init__(self, folder: Path | None, cache: FeatureCache):
        self.folder, self.cache = folder, cache
        self.sums: dict[str, dict] = {}  # name -> {"key": step key, "contents": set, "counts": {item: contents}}
        self.changed = False
        stored = None if folder is None else read_plain(folder / FILE, LAYOUT)
        if isinstance(stored, dict):  # else none yet, or unreadable: worked out afresh
            self.sums = {
                name: sum_ for name, sum_ in stored.items()
                if isinstance(sum_, dict) and isinstance(sum_.get("contents"), set) and isinstance(sum_.get("counts"), dict)
            }  # fmt: skip

    def words(self, step: str, output: str, contents: list[str], outputs: list[str]) -> KeysView[str]:
        """The union of the words (``str.split``) of file step ``step``'s ``output`` over the
        files of the distinct ``contents`` (``outputs[i]``: that output of ``contents[i]``'s
        file), as a set for ``in``."""
        name, key = f"{step}/{output}", self.cache.sections.get(step)
        stored = self.sums.get(name)
        current = dict(zip(contents, outputs, strict=True))
        if stored is not None and stored["key"] == key and key is not None:
            covered = stored["contents"]
            added = [content for content in current if content not in covered]
            removed = [content for content in covered if content not in current]
            gone = [(self.cache.entries.get(content) or {}).get(step, {}).get(output) for content in removed]
            if not added and not removed:
                return stored["counts"].keys()
            if None not in gone and len(added) + len(removed) <= AFRESH_SHARE * max(1, len(current)):
                counts = stored["counts"]
                for content in added:
                    for word in current[content].split():
                        counts[word] = counts.get(word, 0) + 1
                for words in gone:
                    for word in words.split():
                        left = counts[word] - 1
                        if left:
                            counts[word] = left
                        else:
                            del counts[word]
                covered.difference_update(removed)
                covered.update(added)
                self.changed = True
                return counts.keys()
        counts: dict[str, int] = Counter()
        for words in outputs:
            counts.update(words.split())  # each file's words are distinct: a count of contents
        self.sums[name] = {"key": key, "contents": set(current), "counts": counts}
        self.changed = True
        return counts.keys()

    def save(self) -> None:
        """Write the sums if this run changed them."""
        if self.folder is None or not self.changed:
            return
        # Counter is a class the reader refuses: its counts go as a plain dict.
        sums = {name: {**sum_, "counts": sum_["counts"] if type(sum_["counts"]) is dict else dict(sum_["counts"])}
                for name, sum_ in self.sums.items()}  # fmt: skip
        write_plain(self.folder / FILE, LAYOUT, sums)
