import os

import pytest

from validators.errors import CorpusValidatorError
from validators.ingest import decode, discover, read
from validators.segment import segment


def test_undecodable_bytes_are_kept_and_located():
    data = "Caf".encode() + b"\xe9 and na\xefve\n".replace(b"\xef", b"\xef") + "“ok”".encode()
    doc = decode("a.txt", 0, data)
    assert doc.problem is None
    assert [(c, b, raw) for c, b, raw in doc.undecodable] == [(3, 3, b"\xe9"), (11, 11, b"\xef")]
    # Nothing is lost: the text encodes back to the file's bytes.
    assert doc.text.encode("utf-8", "surrogateescape") == data


def test_byte_offsets_count_multibyte_characters_and_the_bom():
    data = b"\xef\xbb\xbf" + "“é”".encode() + b"\xff"
    doc = decode("a.txt", 0, data)
    assert doc.bom
    assert doc.undecodable == [(3, len(data) - 1, b"\xff")]


def test_empty_and_blank_files_are_marked_empty():
    assert decode("a.txt", 0, b"").problem == "empty"
    assert decode("a.txt", 0, b"\n \r\n").problem == "empty"
    assert decode("a.txt", 0, b"\xef\xbb\xbf").problem == "empty"  # a byte-order mark and nothing else
    assert decode("a.txt", 0, b"\xef\xbb\xbf \xe2\x80\x83\n").problem == "empty"  # and an em space
    for text in (b"x", b" a \n", b"\xff ", b"\xef\xbb\xbf."):
        assert decode("a.txt", 0, text).problem is None


def test_nul_bytes_mark_a_binary_file():
    doc = decode("a.txt", 0, "North".encode("utf-16-le"))
    assert doc.problem == "binary"
    assert doc.nul_offset == 1


def test_discover_recurses_sorts_skips_hidden_and_deduplicates(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ["b/2.txt", "1.txt", ".git/x.txt", "notes.md", ".hidden.txt"]:
        (tmp_path / name).write_text("x")
    found = discover([tmp_path, tmp_path / "1.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["1.txt", "b/2.txt"]


def test_links_out_of_the_corpus_are_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("a")
    os.symlink(outside, corpus / "link.txt")
    assert [p.name for p in discover([corpus])] == ["a.txt"]
    (shown, problem), = [(d.path, d.problem) for d in read([corpus]) if d.problem]
    assert shown.endswith("link.txt") and problem.startswith("symbolic link to a file outside the folder checked")


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(CorpusValidatorError, match="no such file or directory"):
        discover([tmp_path / "nope"])


def test_folder_without_corpus_files_is_an_error(tmp_path):
    with pytest.raises(CorpusValidatorError, match=r"no \.txt files"):
        read([tmp_path])


def test_seed_files_round_trip_through_segmentation():
    from conftest import SEEDS

    for doc in read([SEEDS]):
        layout = segment(doc.text)
        rebuilt = layout.prefix + "".join(p.raw + p.separator for p in layout.paragraphs)
        assert rebuilt.encode("utf-8", "surrogateescape") == doc.data
