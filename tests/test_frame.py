"""The paragraph table: equal-length columns, and the DataFrame users and GX get from it."""

import pytest

from validators.frame import PARAGRAPH_COLUMNS, Table, load_paragraphs


def test_a_column_of_another_length_is_refused():
    table = Table({"doc_id": [0, 0, 1], "para": [0, 1, 0]})
    with pytest.raises(ValueError, match="column 'text' has 2 values for 3 rows"):
        table["text"] = ["a", "b"]
    table["para"] = [5, 6, 7]  # replacing a column keeps the rows
    assert len(table) == 3 and table.row(2) == {"doc_id": 1, "para": 7}


def test_a_table_adopting_lists_holds_those_lists_and_checks_them_as_any_table():
    doc_ids, paras = [0, 0, 1], [0, 1, 0]
    table = Table.adopting({"doc_id": doc_ids, "para": paras})
    assert table["doc_id"] is doc_ids and table["para"] is paras  # not copies: millions of values each
    assert len(table) == 3 and table.row(2) == {"doc_id": 1, "para": 0}
    assert Table({"para": paras})["para"] is not paras  # a table made the usual way copies
    with pytest.raises(ValueError, match="column 'text' has 2 values for 3 rows"):
        Table.adopting({"doc_id": doc_ids, "text": ["a", "b"]})
    with pytest.raises(TypeError, match="column 'para' is a tuple, not a list"):
        Table.adopting({"para": (0, 1)})


def test_to_pandas_gives_each_column_its_dtype_and_none_for_missing():
    table = Table({
        "para": [0, 1, 2], "prose": [True, False, True], "similarity": [0.5, 1.0, 0.75],
        "dup_of": [None, 0, None], "raw": ["a", "b\udce9", None],
    })  # fmt: skip
    frame = table.to_pandas()
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "para": "int64", "prose": "bool", "similarity": "float64", "dup_of": "object", "raw": "object",
    }
    assert frame["dup_of"].tolist() == [None, 0, None] and frame.loc[1, "raw"] == "b\udce9"
    assert list(table.to_pandas(["raw", "para"]).columns) == ["raw", "para"]


def test_load_paragraphs_gives_the_documented_columns(tmp_path):
    (tmp_path / "a.txt").write_text("First paragraph.\n\nSecond one.\n")
    frame = load_paragraphs(tmp_path)
    assert list(frame.columns) == PARAGRAPH_COLUMNS
    assert frame["line_start"].tolist() == [1, 3] and str(frame["line_start"].dtype) == "int64"


def test_assemble_fills_a_column_given_as_one_value_and_a_count():
    """The cache keeps a column of one value as (value, count); the table is filled from it
    in place, as from the list it stands for."""
    from validators.frame import assemble
    from validators.ingest import Document

    documents = [Document(path=f"{n}.txt", doc_id=n, data=b"") for n in range(3)]
    columns = [
        {"para": [0, 1], "flag": (None, 2), "word": ("x", 2)},
        {"para": [0], "flag": ("set", 1), "word": ["y"]},
        {"para": [0, 1, 2], "flag": [None, "a", None], "word": ("z", 3)},
    ]
    table = assemble(documents, columns)
    assert table["flag"] == [None, None, "set", None, "a", None]
    assert table["word"] == ["x", "x", "y", "z", "z", "z"]
    assert table["path"] == ["0.txt", "0.txt", "1.txt", "2.txt", "2.txt", "2.txt"] and len(table) == 6


def test_a_joined_table_reads_the_same_values_as_a_list_table_where_they_lie():
    """A run reporting on a few files joins the files' columns instead of copying them into one
    list each: every way the stages read a column gives what the list would."""
    from validators.frame import Joined, Slices, assemble
    from validators.ingest import Document

    documents = [Document(path=f"{n}.txt", doc_id=n, data=b"") for n in range(4)]
    text = "one\n\ntwo\n"
    columns = [
        {"para": [0, 1], "flag": (None, 2), "raw": Slices(text, [0, 5], [3, 8])},
        {"para": [], "flag": [], "raw": []},  # a file with no paragraphs
        {"para": [0], "flag": ("set", 1), "raw": ["x"]},
        {"para": [0, 1, 2], "flag": [None, "a", None], "raw": ("z", 3)},
    ]
    lists, joined = assemble(documents, columns), assemble(documents, columns, joined=True)
    assert all(isinstance(joined[name], Joined) for name in joined.names) and lists.names == joined.names
    for name in lists.names:
        column = joined[name]
        assert list(column) == lists[name] and len(column) == len(lists) == 6
        assert [column[row] for row in range(6)] == lists[name] and column[-1] == lists[name][-1]
        assert column[1:5] == lists[name][1:5]
        with pytest.raises(IndexError):
            column[6]
    assert joined.row(2) == lists.row(2) == {"path": "2.txt", "doc_id": 2, "para": 0, "flag": "set", "raw": "x"}
    assert joined.to_pandas().equals(lists.to_pandas())


def test_a_column_at_a_few_rows_reads_as_the_list_in_a_joined_table_and_is_the_list_in_another():
    """A corpus step's column in a hook run holds the checked files' values, not one a row of the
    corpus (a list of a million values a column cost a second at 10,000 page dumps): every way the
    stages read it gives what the list gives."""
    from validators.frame import Joined, Sparse, present

    lists = Table({"doc_id": [0, 0, 1, 1, 2]})
    joined = Table.adopting({"doc_id": Joined([(0, 2), (1, 2), (2, 1)])})
    column = lists.column_at([1, 3], ["x", None], default=0)
    assert column == [0, "x", 0, None, 0]
    sparse = joined.column_at([1, 3], ["x", None], default=0)
    assert isinstance(sparse, Sparse) and sparse.values == {1: "x", 3: None}
    assert list(sparse) == column and len(sparse) == 5 and [sparse[r] for r in range(5)] == column
    assert sparse[-4] == "x" and sparse[1:4] == column[1:4]
    with pytest.raises(IndexError):
        sparse[5]
    joined.adopt("flag", sparse)
    assert joined.row(1) == {"doc_id": 0, "flag": "x"} and joined.to_pandas()["flag"].tolist() == column
    with pytest.raises(ValueError, match="column 'short' has 4 values for 5 rows"):
        joined.adopt("short", Sparse(4, {}))
    # numbers as NumPy arrays: Python numbers, each distinct float one object, as float_column gives
    import numpy as np

    scores = np.array([0.5, np.nan, 0.5])
    for table in (lists, joined):
        floats = table.column_at(np.array([0, 2, 4]), scores, np.nan)
        assert [str(v) for v in floats] == ["0.5", "nan", "nan", "nan", "0.5"] and all(type(v) is float for v in floats)
        assert floats[0] is floats[4]  # one object a distinct value
        flags = table.column_at(np.array([1]), np.ones(1, dtype=bool), False)
        assert list(flags) == [False, True, False, False, False] and type(flags[1]) is bool
    assert isinstance(joined.column_at(np.array([1]), np.array([7]), 0), Sparse)
    assert type(lists.column_at(np.array([1]), np.array([7]), 0)[1]) is int
    # present: the rows that hold a value, in row order, however the column is held
    values = [None, 7, None, 0, None]
    assert present(values) == present(joined.column_at([3, 1], [0, 7])) == [(1, 7), (3, 0)]
    assert present(joined.column_at([], [])) == [] and present(Sparse(3, {0: 1, 2: None})) == [(0, 1)]


def test_slices_cut_a_text_when_read():
    from validators.frame import Normalised, Slices

    text = "Caf\u00c3\u00a9 one\n\ntwo\n"
    raw = Slices(text, [0, 11], [9, 14])
    assert list(raw) == ["Caf\u00c3\u00a9 one", "two"] and raw[1] == "two" and raw[-1] == "two" and raw[:1] == ["Caf\u00c3\u00a9 one"]
    normalised = Normalised(["Caf\u00e9 one", None], raw)  # None: normalising changed nothing
    assert list(normalised) == ["Caf\u00e9 one", "two"] and normalised[1] == "two" and len(normalised) == 2


def test_following_is_each_value_s_next_and_none_after_the_last():
    from validators.frame import Following, Slices

    for starts in ([], [0], [0, 5, 11]):
        expected = [*starts[1:], None][: len(starts)]
        following = Following(starts)
        assert list(following) == expected and [following[k] for k in range(len(starts))] == expected and len(following) == len(starts)
        assert following[:] == expected and (not starts or following[-1] is None)
    with pytest.raises(IndexError):
        Following([0, 5])[2]
    separators = Slices("one\n\ntwo\n", [3, 8], Following([0, 5]))  # what follows each paragraph
    assert list(separators) == ["\n\n", "\n"] and separators[0] == "\n\n" and separators.picked([1]) == ["\n"]


def test_rows_in_are_the_rows_of_the_values_asked_for_in_a_joined_or_a_list_column():
    from validators.frame import Joined, rows_in

    parts = [("a.txt", 2), ["b.txt", "c.txt"], ("c.txt", 3), []]
    assert rows_in(Joined(parts), {"c.txt"}) == rows_in(list(Joined(parts)), {"c.txt"}) == [3, 4, 5, 6]
    assert rows_in(Joined(parts), set()) == [] and rows_in(Joined(parts), {"a.txt", "b.txt"}) == [0, 1, 2]


def test_picked_rows_are_the_rows_read_one_by_one_and_each_text_is_taken_once():
    from validators.frame import Joined, Slices, picked

    class Text:  # a document whose text is read from its file when first asked for
        reads = 0

        @property
        def text(self):
            Text.reads += 1
            return "one\n\ntwo\n\nthree\n"

        def passing_text(self):  # as ``Document``'s: the text, for one use
            return self.text

    parts = [("a", 2), [], Slices(Text(), [0, 5, 10], [3, 8, 15]), ["x", "y"], Slices("four five", [0, 5], [4, 9])]
    column = Joined(parts)
    every = list(range(len(column)))
    for rows in (every, [], [0], [2, 4, 5], [1, 3, 8], [len(column) - 1]):
        assert picked(column, rows) == [column[row] for row in rows] == [value for row, value in enumerate(column) if row in rows]
        Text.reads = 0
        picked(column, rows)
        assert Text.reads == any(2 <= row <= 4 for row in rows)  # once for its rows (one by one: once a row)
    assert picked(["p", "q", "r"], [0, 2]) == ["p", "r"]


def test_file_starts_are_where_each_file_with_rows_starts_in_a_joined_or_a_list_column():
    from validators.frame import Joined, file_starts

    parts = [(4, 2), [], (7, 1), [9, 9, 9]]
    assert file_starts(Joined(parts)) == file_starts(list(Joined(parts))) == [0, 2, 3]
    assert file_starts([]) == file_starts(Joined([])) == []


def test_a_table_holds_a_paragraph_that_normalising_left_alone_once_as_raw_and_text():
    """Cut from the file twice, each such paragraph was two equal strings: 70 MB more at 2,000
    page dumps."""
    from validators.frame import Normalised, Slices, assemble
    from validators.ingest import Document

    text = "one\n\ntwo\n"
    raw = Slices(text, [0, 5], [3, 8])
    table = assemble([Document(path="a.txt", doc_id=0, data=b"")], [{"para": [0, 1], "raw": raw, "text": Normalised([None, "TWO"], raw)}])
    assert table["raw"] == ["one", "two"] and table["text"] == ["one", "TWO"]
    assert table["text"][0] is table["raw"][0]


def test_copies_of_a_content_share_their_paragraphs_strings_in_the_table():
    """The copies of a page share its unpacked columns; cut for each copy, each paragraph was
    one string a copy (a 2,000-file crawl: 11 % more memory)."""
    from validators.frame import Normalised, Slices, assemble
    from validators.ingest import Document

    text = "one\n\ntwo\n"
    raw = Slices(text, [0, 5], [3, 8])
    shared = {"para": [0, 1], "raw": raw, "text": Normalised([None, None], raw)}
    table = assemble([Document(path=f"{n}.txt", doc_id=n, data=b"") for n in range(2)], [shared, shared])
    assert table["raw"] == table["text"] == ["one", "two", "one", "two"]
    assert table["raw"][2] is table["raw"][0] is table["text"][0] and table["text"][3] is table["raw"][1]
