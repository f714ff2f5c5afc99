"""`corpus-validator fix`: repairs what findings name, atomically, and a second run changes nothing."""

import json
import os
import re
import time

import pytest

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


def test_diff_shows_terminal_escapes_and_workflow_commands_escaped(cli, corpus):
    """The diff goes to a terminal or a CI log: what fix deletes is shown, never sent raw."""
    text = "Markets fell\x1b[2J sharply on Monday.\n\n::error file=evil.txt::fake finding in the story\n"
    folder = corpus({"a.txt": text})
    result = cli("fix", folder, "--diff")
    assert result.exit_code == 1
    assert "-Markets fell\\x1b[2J sharply" in result.stdout and "+Markets fell[2J sharply" in result.stdout
    assert "\x1b" not in result.stdout
    assert not any(line.lstrip().startswith("::") for line in result.stdout.splitlines())


def test_diff_shows_an_undecodable_byte_as_every_report_does(cli, corpus):
    folder = corpus({"a.txt": b"Tom &amp; Jerry caf\xe9 ran the shop, the owner said.\n"})
    lines = cli("fix", folder, "--diff").stdout.splitlines()
    assert "-Tom &amp; Jerry caf\\xe9 ran the shop, the owner said." in lines and "\ufffd" not in "".join(lines)


def test_diff_counts_lines_by_line_feeds_and_keeps_a_file_name_on_its_header(cli, corpus):
    # A lone CR is part of its line (as diff and git count lines), not a line cut short; a
    # file name with a line feed is shown escaped on its header line.
    folder = corpus({"odd\nname.txt": "Line one.\nLine three\rgoes on, Trump &amp; Kim.\nLast line.\n"})
    lines = cli("fix", folder, "--diff").stdout.splitlines()
    assert lines[:2] == ["--- a/corpus/odd\\x0aname.txt", "+++ b/corpus/odd\\x0aname.txt"]
    at = lines.index("-Line three\\x0dgoes on, Trump &amp; Kim.")  # one line, as it was
    assert lines[at + 1 : at + 3] == ["+Line three", "+goes on, Trump & Kim."]  # the CR made a line feed, the entity a "&"
    assert not any("No newline" in line for line in lines)
    folder = corpus({"a.txt": "Trump &amp; Kim met."})  # no line feed at the end: said once, at the end
    assert cli("fix", folder / "a.txt", "--diff").stdout.splitlines()[-2:] == ["+Trump & Kim met.", "\\ No newline at end of file"]


def test_diff_of_a_clean_file_is_plain_text(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim met in Hanoi.\n"})
    assert cli("fix", folder, "--diff").stdout.splitlines()[-1] == "+Trump & Kim met in Hanoi."


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


def test_fix_keeps_the_files_extended_attributes(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim\n"})
    try:
        os.setxattr(folder / "a.txt", "user.tag", b"reviewed")
    except (AttributeError, OSError):
        pytest.skip("no user extended attributes here")
    cli("fix", folder)
    assert (folder / "a.txt").read_text() == "Trump & Kim\n" and os.getxattr(folder / "a.txt", "user.tag") == b"reviewed"


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="only root may give a file to another user")
def test_fix_run_as_root_keeps_the_files_owner_and_group(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim\n"})
    os.chown(folder / "a.txt", 65534, 65534)
    os.chmod(folder / "a.txt", 0o640)
    cli("fix", folder)
    after = os.stat(folder / "a.txt")
    assert (folder / "a.txt").read_text() == "Trump & Kim\n"
    assert (after.st_uid, after.st_gid, after.st_mode & 0o777) == (65534, 65534, 0o640)


def test_overlapping_edits_wait_for_the_next_pass():
    assert apply_edits("abcdef", [(1, 3, "X"), (2, 4, "Y"), (5, 6, "Z")]) == "aXdeZ"
    # At one place, the edit that writes text goes first; a deletion of the same span waits.
    assert apply_edits("a\x93b", [(1, 2, ""), (1, 2, "\u201c")]) == "a\u201cb"


def test_fix_repairs_windows_1252_quotes_read_as_controls_instead_of_deleting_them(cli, corpus):
    text = "The minister said: \x93we don\x92t accept this\x94 and left on Monday.\n"
    folder = corpus({"a.txt": text})
    found = json.loads(cli("check", folder, "--format", "json", "--no-cache").stdout)["findings"]
    assert [f["code"] for f in found] == ["EN001"] * 3  # one finding a place: the controls are EN001's mojibake
    assert cli("fix", folder, "--no-cache").exit_code == 0
    assert (folder / "a.txt").read_text(encoding="utf-8") == "The minister said: \u201cwe don\u2019t accept this\u201d and left on Monday.\n"
    # Told not to repair mojibake, fix leaves those characters as they are.
    folder = corpus({"a.txt": text})
    assert cli("fix", folder, "--no-cache", "--ignore", "EN001").exit_code == 0
    assert (folder / "a.txt").read_text(encoding="utf-8") == text


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


# ------------------------------------------------------------------ --drop-noise never loses the story

SEED = "000_b62c68cda4596989.txt"
COOKIE = "We use cookies to give you the best experience on our website and to show you relevant adverts."


def harbour_story(town: str, paragraphs: int = 4) -> list[str]:
    return [
        f"The council of {town} met for the {n + 1}th time and agreed after a long debate that the harbour would be rebuilt."
        for n in range(paragraphs)
    ]


def blocks(path) -> list[str]:
    return [b.strip("\n") for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]


def test_is_story_is_running_text_not_a_line_of_furniture():
    from validators.fix import is_story

    assert is_story(harbour_story("Ayr")[0])
    assert is_story("Its demands, set out in a letter to the council on Monday, include the following:")
    assert not is_story("Click to Read More and View Comments")  # no sentence
    assert not is_story("The talks resumed on Monday.")  # too short to be sure


def test_drop_noise_keeps_an_article_copied_to_three_files(cli, tmp_path):
    """Issue 12, item 1: every paragraph of a copied article is "in 3 files"; all three copies were emptied."""
    from conftest import SEEDS

    seed = (SEEDS / SEED).read_text(encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n in range(3):
        (folder / f"copy{n}.txt").write_text(seed, encoding="utf-8", newline="")
    result = cli("fix", folder, "--drop-noise")
    story = [b for b in seed.split("\n\n") if len(b.split()) >= 20]  # the article's paragraphs
    assert len(story) >= 8
    for n in range(3):
        kept = blocks(folder / f"copy{n}.txt")
        assert all(paragraph in kept for paragraph in story)  # each copy keeps all of its story
        assert "Click to Hide" not in kept and "Sign up for Daily Newsletters" not in kept  # the furniture goes
    assert result.exit_code == 1  # the copies stay duplicates (DU002) for a person to judge


def test_drop_noise_keeps_running_text_only_the_score_flags(cli, tmp_path):
    """A strict noise threshold flags the story itself (BP100): the guard, not the score, keeps it."""
    from conftest import SEEDS

    seed = (SEEDS / SEED).read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.corpus-validator]\n[tool.corpus-validator.noise]\nerror_threshold = 0.0\nreview_threshold = 0.0\n")
    (tmp_path / "article.txt").write_text(seed, encoding="utf-8", newline="")
    result = cli("fix", tmp_path / "article.txt", "--drop-noise")
    kept = blocks(tmp_path / "article.txt")
    story = [b for b in seed.split("\n\n") if len(b.split()) >= 20]
    assert story and all(paragraph in kept for paragraph in story)
    assert "running text that no pattern rule (BP0xx) names as page furniture" in result.stderr
    assert result.exit_code == 1  # the story's BP100 errors stay for a person to judge


def test_drop_noise_keeps_one_copy_of_running_text_a_pattern_names(cli, corpus):
    folder = corpus({f"{town}.txt": "\n\n".join([*harbour_story(town), COOKIE]) + "\n" for town in ("ayr", "bude", "cobh")})
    result = cli("fix", folder, "--drop-noise", "--select", "BP")
    assert [COOKIE in blocks(folder / f"{town}.txt") for town in ("ayr", "bude", "cobh")] == [True, False, False]
    assert "kept" in result.stderr and "ayr.txt:9 (BP009): the last copy of this running text" in result.stderr


def test_drop_noise_never_takes_all_of_a_files_running_text(cli, corpus):
    folder = corpus({
        "a.txt": f"Menu\n\n{COOKIE}\n",  # its only running text is the cookie notice
        "b.txt": "\n\n".join([*harbour_story("Bude"), COOKIE]) + "\n",
    })  # fmt: skip
    result = cli("fix", folder, "--drop-noise", "--select", "BP")
    assert COOKIE in blocks(folder / "a.txt")
    assert COOKIE not in blocks(folder / "b.txt")  # another copy is kept: this one may go
    assert "a.txt:3 (BP009): the file's only running text" in result.stderr


def test_drop_noise_never_empties_a_file(cli, corpus):
    furniture = "Advertisement\n\nSign up for our daily newsletter\n"
    folder = corpus({"a.txt": furniture, "b.txt": "\n\n".join([*harbour_story("Bude"), "Advertisement"]) + "\n"})
    result = cli("fix", folder, "--drop-noise", "--select", "BP")
    assert (folder / "a.txt").read_text() == furniture
    assert "Advertisement" not in blocks(folder / "b.txt")  # where the story stays, the furniture goes
    assert "a.txt:1 (BP009): every paragraph of the file: it would be left empty" in result.stderr


def test_drop_noise_deletes_only_what_the_first_check_flagged(cli, corpus):
    """Issue 12, item 2: once the cookie notice went, its heading was outside the story, and the
    next pass deleted it too: a paragraph no check the user saw had flagged."""
    files = {
        f"{town}.txt": "\n\n".join([COOKIE, f"Harbour news from {town}", *harbour_story(town)]) + "\n"
        for town in ("Ayr", "Bude", "Cobh")
    }
    folder = corpus(files)
    before = cli("check", folder, "--select", "BP", "--format", "json")
    flagged = {(f["path"].rsplit("/", 1)[-1], f["line"]) for f in json.loads(before.stdout)["findings"]}
    assert flagged == {("Ayr.txt", 1), ("Bude.txt", 1), ("Cobh.txt", 1)}  # the cookie notice only

    result = cli("fix", folder, "--drop-noise", "--select", "BP")
    for town in ("Bude", "Cobh"):  # Ayr keeps the cookie notice: the last copy of running text
        assert blocks(folder / f"{town}.txt") == [f"Harbour news from {town}", *harbour_story(town)]
    assert re.search(r"\d+ errors? left", result.stderr) and result.exit_code == 1  # reported, not deleted


# ------------------------------------------------------------------ how fix writes


def test_fix_writes_through_a_symbolic_link(cli, corpus):
    """Issue 12, item 4: the link became a regular file and its target kept the old text."""
    folder = corpus({"a.txt": "Trump &amp; Kim met in Hanoi on Thursday.\n"})
    (folder / "b.txt").symlink_to("a.txt")
    cli("fix", folder / "b.txt")
    assert (folder / "b.txt").is_symlink() and os.readlink(folder / "b.txt") == "a.txt"
    assert (folder / "a.txt").read_text() == "Trump & Kim met in Hanoi on Thursday.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt"]


def test_fix_refuses_a_read_only_file_and_writes_no_other(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim met.\n", "b.txt": "Moon &amp; Kim met.\n"})
    os.chmod(folder / "b.txt", 0o444)
    result = cli("fix", folder)
    assert result.exit_code == 2
    assert "b.txt: not written: the file is read-only" in result.stderr and "nothing written" in result.stderr
    assert "internal error" not in result.stderr
    assert (folder / "a.txt").read_text() == "Trump &amp; Kim met.\n"  # all or none
    assert (folder / "b.txt").read_text() == "Moon &amp; Kim met.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt"]
    os.chmod(folder / "b.txt", 0o644)
    assert cli("fix", folder).exit_code == 0  # once writable, fixed


def test_fix_refuses_to_split_a_hard_link(cli, corpus, tmp_path):
    folder = corpus({"a.txt": "Trump &amp; Kim met.\n"})
    os.link(folder / "a.txt", tmp_path / "elsewhere.txt")
    result = cli("fix", folder)
    assert result.exit_code == 2
    assert "a.txt: not written: the file has 2 hard links" in result.stderr
    assert os.stat(folder / "a.txt").st_ino == os.stat(tmp_path / "elsewhere.txt").st_ino
    assert (tmp_path / "elsewhere.txt").read_text() == "Trump &amp; Kim met.\n"


def test_fix_writes_all_files_or_none_when_a_folder_refuses(cli, corpus, monkeypatch):
    """Issue 12: fix into a read-only folder left some files written and some not, with "internal error"."""
    import tempfile

    folder = corpus({"a/x.txt": "Trump &amp; Kim met.\n", "b/y.txt": "Moon &amp; Kim met.\n"})
    real_mkstemp = tempfile.mkstemp

    def refusing(*args, dir=None, **kwargs):  # as a read-only folder does (root ignores its mode)
        if os.path.basename(dir) == "b":
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refusing)
    result = cli("fix", folder)
    assert result.exit_code == 2
    assert "y.txt: cannot write in" in result.stderr and "Permission denied" in result.stderr
    assert "nothing written (2 files unchanged)" in result.stderr and "internal error" not in result.stderr
    assert (folder / "a" / "x.txt").read_text() == "Trump &amp; Kim met.\n"
    assert sorted(p.name for p in (folder / "a").iterdir()) == ["x.txt"]  # no temporary file left


def test_fix_says_which_files_were_written_when_a_rename_fails(cli, corpus, monkeypatch):
    folder = corpus({"a.txt": "Trump &amp; Kim met.\n", "b.txt": "Moon &amp; Kim met.\n"})
    real_replace = os.replace

    def failing(source, target):
        if str(target).endswith("b.txt"):
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    result = cli("fix", folder)
    assert result.exit_code == 2
    assert "written: corpus/a.txt; not written: corpus/b.txt" in result.stderr
    assert (folder / "a.txt").read_text() == "Trump & Kim met.\n"
    assert (folder / "b.txt").read_text() == "Moon &amp; Kim met.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_fix_into_a_read_only_folder_is_a_clear_error(cli, corpus):
    folder = corpus({"a.txt": "Trump &amp; Kim met.\n"})
    os.chmod(folder, 0o555)
    try:
        result = cli("fix", folder)
    finally:
        os.chmod(folder, 0o755)
    assert result.exit_code == 2 and "cannot write in" in result.stderr and "internal error" not in result.stderr
    assert (folder / "a.txt").read_text() == "Trump &amp; Kim met.\n"


def test_fix_removes_only_its_own_abandoned_temporary_files(cli, corpus):
    """Issue 12: a killed fix left `.NAME.xxxx.tmp`, and no later run removed it. Only names
    it gives are its own: a user's `.a.txt.20240101.tmp` is not."""
    ours = ".a.txt.k3j_9xq2.corpus-validator.tmp"
    folder = corpus({
        "a.txt": "The talks ended without agreement.\n",
        ours: "half of a fix",  # abandoned: old, and a.txt is there
        ".a.txt.p0q1r2s3.corpus-validator.tmp": "a fix being written right now",  # fresh
        ".gone.txt.abcdefgh.corpus-validator.tmp": "the only copy of gone.txt",  # its file is missing: keep
        ".a.txt.notours.corpus-validator.tmp": "someone else's",  # not a name we give
        ".a.txt.20240101.tmp": "a user's notes",  # a name like ours, without our suffix
    })  # fmt: skip
    old = time.time() - 2 * 3600
    for name in (ours, ".gone.txt.abcdefgh.corpus-validator.tmp", ".a.txt.notours.corpus-validator.tmp", ".a.txt.20240101.tmp"):
        os.utime(folder / name, (old, old))
    result = cli("fix", folder)
    assert result.exit_code == 0
    assert f"{ours}, a temporary file an interrupted run left" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        ".a.txt.20240101.tmp", ".a.txt.notours.corpus-validator.tmp", ".a.txt.p0q1r2s3.corpus-validator.tmp",
        ".gone.txt.abcdefgh.corpus-validator.tmp", "a.txt",
    ]  # fmt: skip
    assert cli("check", folder).exit_code == 0 and cli("fix", folder, "--diff").exit_code == 0


def test_mixed_line_endings_finding_says_fix_rewrites_the_whole_file(run):
    report = run({"a.txt": "One line of it here.\r\nline two\nline three\r\nfour\nfive\r\n"})
    (finding,) = [f for f in report.findings if f.code == "EN011"]
    assert "the first of the file's line breaks that are not CRLF (2)" in finding.message
    assert "rewrites every line break of the file that is not CRLF, not only this one" in finding.suggestion
    assert len(finding.edits) == 2


def test_trace_names_the_changes_of_every_pass_in_the_original_offsets():
    from validators.fix import Trace

    trace, text = Trace(), "abcdefgh"
    for edits in ([(1, 2, "XX")], [(6, 7, ""), (2, 3, "Y")], [(0, 1, "")]):
        trace.record(edits)
        text = apply_edits(text, edits)
    assert text == "XYcdegh"  # "a" gone, "b" -> "XY", "f" gone
    assert trace.spans == [(0, 2), (5, 6)]  # the changes to "a" and "b" touch: one region


def test_fix_does_not_overwrite_a_file_saved_while_it_ran(cli, corpus, monkeypatch):
    from validators import fix as fix_module

    folder = corpus({"a.txt": "Tom &amp; Jerry ran the shop for years, the owner said.\n", "b.txt": "Trump &amp; Kim\n"})
    planned = fix_module.plan_fixes

    def saved_meanwhile(*args, **kwargs):
        plan = planned(*args, **kwargs)
        with open(folder / "a.txt", "a", encoding="utf-8") as handle:  # an editor saves the file
            handle.write("\nA paragraph saved while fix ran.\n")
        return plan

    monkeypatch.setattr(fix_module, "plan_fixes", saved_meanwhile)
    result = cli("fix", folder, "--no-cache")
    assert result.exit_code == 2
    assert "corpus/a.txt: changed since it was read, so not written" in result.stderr
    assert (folder / "a.txt").read_text() == "Tom &amp; Jerry ran the shop for years, the owner said.\n\nA paragraph saved while fix ran.\n"
    assert (folder / "b.txt").read_text() == "Trump &amp; Kim\n"  # all or none
    monkeypatch.undo()
    assert cli("fix", folder, "--no-cache").exit_code in (0, 1)  # run again: its new content repaired
    assert (folder / "a.txt").read_text().startswith("Tom & Jerry") and (folder / "b.txt").read_text() == "Trump & Kim\n"


def test_notes_on_stderr_show_a_hostile_file_name_escaped(cli, corpus, tmp_path):
    hostile = "x\n::error file=README.md::hacked \x1b]0;pwn\x07.txt"
    folder = corpus({hostile: "Advertisement\n\nSign up for our daily newsletter\n"})
    kept = cli("fix", folder, "--drop-noise", "--select", "BP").stderr  # "kept …: every paragraph of the file"
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    (tmp_path / hostile).write_text("Outside the corpus.\n")
    skipped = cli("check", "--with-corpus", hostile).stderr  # "skipped (outside the configured paths): …"
    for stderr in (kept, skipped):
        assert "x\\x0a::error file=README.md::hacked \\x1b]0;pwn\\x07.txt" in stderr, stderr
        assert "\x1b" not in stderr and not any(line.lstrip().startswith("::") for line in stderr.splitlines())


def test_drop_noise_keeps_one_copy_of_a_closing_line_the_articles_share(cli, corpus):
    """Short genuine lines in several articles (only their count of files flags them, no
    pattern names them) keep one copy: the score may be wrong, and nothing is deleted everywhere."""
    shared = ["The White House did not respond to a request for comment.", "He declined to comment."]
    stories = [
        "North Korea said on Monday it was not interested in more talks with the United States without concessions.",
        "Heavy rain flooded parts of the capital overnight, forcing the closure of two metro lines and several schools.",
        "The central bank held interest rates steady on Thursday, saying inflation was easing but remained above target.",
        "A new study of coastal wetlands found that restoration projects had doubled the number of nesting birds.",
    ]
    folder = corpus({f"a{n}.txt": "\n\n".join([story, *shared]) + "\n" for n, story in enumerate(stories)})
    found = json.loads(cli("check", folder, "--format", "json").stdout)["findings"]
    flagged = {f["code"] for f in found if f["severity"] == "error" and f["family"] == "noise"}
    assert flagged and not flagged & {"BP001", "BP002", "BP003", "BP004", "BP005", "BP006", "BP007", "BP008", "BP009"}
    result = cli("fix", folder, "--drop-noise")
    texts = [blocks(folder / f"a{n}.txt") for n in range(len(stories))]
    for line in shared:
        assert sum(line in text for text in texts) >= 1, line
    assert "the last copy of this text, which no pattern rule names as page furniture" in result.stderr


def test_drop_noise_keeps_what_would_change_how_the_rest_of_the_file_splits(cli, corpus):
    """Deleting the first block would take the file's only blank line: its last three lines would
    then be read as three paragraphs, and the next run would delete the third. A second run
    must change nothing."""
    text = (
        "Share this article\n\n"
        "North Korea said on Monday it was not interested in more talks with the United States without concessions.\n"
        "The statement came a day after the president hinted at upcoming meetings, officials said.\n"
        "Sign up for our newsletter\n"
    )
    folder = corpus({"a.txt": text, "b.txt": "Share this article\n\n" + "\n\n".join(harbour_story("Bude")) + "\n"})
    result = cli("fix", folder, "--drop-noise", "--no-cache")
    assert (folder / "a.txt").read_text() == text
    assert "a.txt:1 (BP004): deleting it would change how the rest of the file splits into paragraphs" in result.stderr
    assert "Share this article" not in (folder / "b.txt").read_text()  # where the blocks stay blocks, it goes
    after = {name: (folder / name).read_bytes() for name in ("a.txt", "b.txt")}
    cli("fix", folder, "--drop-noise", "--no-cache")
    assert {name: (folder / name).read_bytes() for name in after} == after


def test_drop_noise_decides_on_the_repaired_text_so_a_second_run_changes_nothing(cli, corpus):
    """A zero-width space on the line above a newsletter prompt made the two lines one paragraph
    until its repair removed it: the deletion, decided on the text before the repair, waited
    for a second run, which then changed the file again."""
    story = "North Korea said on Monday it was not interested in more talks with the United States without concessions.\n"
    folder = corpus({"a.txt": " \u200b\nSign up for our newsletter\n\n" + story})
    cli("fix", folder, "--drop-noise", "--no-cache")
    assert (folder / "a.txt").read_text() == " \n" + story  # the space stays: no finding names it
    result = cli("fix", folder, "--drop-noise", "--no-cache")
    assert (folder / "a.txt").read_text() == " \n" + story and result.exit_code == 0


def test_fix_does_not_join_undecodable_bytes_into_a_character(cli, corpus):
    """Deleting the zero-width space between the undecodable bytes 0xC3 and 0xA9 would have made
    them "é": a character no finding named. The finding stays, with what to do first."""
    joined = b"Caf\xc3\xe2\x80\x8b\xa9 au lait, said the waiter in Lyon on Monday morning.\n"
    apart = b"Pyong\xe2\x80\x8byang said \xff on Monday that talks were over.\n"
    folder = corpus({"a.txt": joined, "b.txt": apart})
    found = json.loads(cli("check", folder, "--select", "EN007", "--format", "json").stdout)["findings"]
    by_file = {f["path"].rsplit("/", 1)[-1]: f for f in found}
    assert not by_file["a.txt"]["fixable"] and "re-save the file as UTF-8 first" in by_file["a.txt"]["suggestion"]
    assert by_file["b.txt"]["fixable"]
    cli("fix", folder, "--select", "EN007")
    assert (folder / "a.txt").read_bytes() == joined
    assert (folder / "b.txt").read_bytes() == b"Pyongyang said \xff on Monday that talks were over.\n"
