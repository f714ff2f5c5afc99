"""`corpus-validator fix`: repairs what findings name, atomically, and a second run changes nothing."""

import os

from validators.fix import apply_edits

DIRTY = (
    "Mr. Trumpâ€™s tweet &amp; more\x07 here\r\n\r\n"
    "Second\u00a0line, Pyong\u200byang, Cafe\u0301.\r\n\r\n"
    "Untouched “curly” paragraph – with a dash…\n"
).encode() + b"Caf\xe9 stays as it was\n"


def test_fix_repairs_each_finding_and_keeps_everything_else(cli, corpus):
    folder = corpus({"a.txt": DIRTY})
    result = cli("fix", folder)
    assert result.exit_code == 1  # the undecodable byte (EN002) has no safe repair
    assert "left" in result.stderr
    after = (folder / "a.txt").read_bytes()
    assert after == (
        "Mr. Trump’s tweet & more here\r\n\r\n"
        "Second line, Pyongyang, Café.\r\n\r\n"
        "Untouched “curly” paragraph – with a dash…\r\n"
    ).encode() + b"Caf\xe9 stays as it was\r\n"


def test_second_fix_changes_nothing(cli, corpus):
    folder = corpus({"a.txt": DIRTY})
    cli("fix", folder)
    first = (folder / "a.txt").read_bytes()
    mtime = os.stat(folder / "a.txt").st_mtime_ns
    result = cli("fix", folder)
    assert (folder / "a.txt").read_bytes() == first
    assert os.stat(folder / "a.txt").st_mtime_ns == mtime  # not even rewritten
    assert "fixed 0 findings in 0 files" in result.stderr


def test_diff_shows_the_change_and_writes_nothing(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim met in Hanoi on Thursday.\n"})
    result = cli("fix", folder, "--diff")
    assert result.exit_code == 1
    assert "-Trump &amp; Kim met" in result.stdout and "+Trump & Kim met" in result.stdout
    assert (folder / "a.txt").read_text() == "Trump &amp; Kim met in Hanoi on Thursday.\n"
    cli("fix", folder)
    assert cli("fix", folder, "--diff").exit_code == 0


def test_fix_rewrites_a_name_only_inside_the_mention(cli, corpus):
    folder = corpus({
        "a.txt": "Leader Kim Jong-un and the Jong-un-era policy.\n",
        "b.txt": "The leader Kim Jong Un spoke.\nThe leader Kim Jong Un left.\n",
    })  # fmt: skip
    cli("fix", folder, "--select", "NM")
    assert (folder / "a.txt").read_text() == "Leader Kim Jong Un and the Jong-un-era policy.\n"


def test_fix_removes_a_bom_only_when_its_rule_runs(cli, corpus):
    folder = corpus({"a.txt": b"\xef\xbb\xbfThe talks ended without agreement.\n"})
    cli("fix", folder, "--ignore", "EN003")
    assert (folder / "a.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    cli("fix", folder)
    assert (folder / "a.txt").read_bytes() == b"The talks ended without agreement.\n"


def test_fix_keeps_file_permissions_and_leaves_no_temporary_file(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim\n"})
    os.chmod(folder / "a.txt", 0o640)
    cli("fix", folder)
    assert oct(os.stat(folder / "a.txt").st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_overlapping_edits_wait_for_the_next_pass():
    assert apply_edits("abcdef", [(1, 3, "X"), (2, 4, "Y"), (5, 6, "Z")]) == "aXdeZ"


def test_drop_noise_deletes_only_the_furniture_and_keeps_the_rest_byte_for_byte(cli, tmp_path):
    import shutil

    from conftest import SEEDS

    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    before = (folder / "000_b62c68cda4596989.txt").read_bytes()
    untouched = (folder / "001_f5378cd05d5454e8.txt").read_bytes()

    assert cli("fix", folder, "--select", "BP").exit_code == 1  # without --drop-noise: nothing repaired, errors left
    assert (folder / "000_b62c68cda4596989.txt").read_bytes() == before

    cli("fix", folder, "--select", "BP", "--drop-noise")
    after = (folder / "000_b62c68cda4596989.txt").read_bytes()
    kept = before.split(b"\n\n")[1:11]  # the story, lines 3 to 23, the headline block (a warning) included
    assert after == b"\n\n".join(kept)
    assert (folder / "001_f5378cd05d5454e8.txt").read_bytes() == untouched
    cli("fix", folder, "--select", "BP", "--drop-noise")
    assert (folder / "000_b62c68cda4596989.txt").read_bytes() == after
