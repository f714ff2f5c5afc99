"""The real pre-commit runs the hooks from .pre-commit-hooks.yaml, as a user's repository would.

pre-commit builds the hook's environment from this repository (installing the package and
its dependencies from the package index), once per session.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CLEAN = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
DIRTY = CLEAN + "\nSign up for our daily newsletter\n"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit needs this repository as a git repository")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")  # fmt: skip
    env.pop("VIRTUAL_ENV", None)
    return env


def make_corpus_repo(folder: Path, env: dict) -> Path:
    (folder / "corpus").mkdir(parents=True)
    (folder / "corpus" / "a.txt").write_text("The leader Kim Jong Un spoke.\nThe leader Kim Jong Un left.\n")
    (folder / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "corpus"]):
        subprocess.run(command, cwd=folder, env=env, check=True)
    return folder


def try_repo(hook: str, files: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(REPO), hook, "--verbose", "--files", *files],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip


def test_hook_fails_on_a_dirty_article_and_passes_on_a_clean_one(environment, tmp_path):
    repo = make_corpus_repo(tmp_path / "repo", environment)
    (repo / "corpus" / "dirty.txt").write_text(DIRTY)
    (repo / "corpus" / "clean.txt").write_text(CLEAN)

    dirty = try_repo("corpus-validator", ["corpus/dirty.txt"], repo, environment)
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "corpus/dirty.txt:3:1: BP001" in dirty.stdout

    clean = try_repo("corpus-validator", ["corpus/clean.txt"], repo, environment)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def test_hook_sees_the_rest_of_the_corpus_for_one_changed_file(environment, tmp_path):
    repo = make_corpus_repo(tmp_path / "repo", environment)
    (repo / "corpus" / "b.txt").write_text("The leader Kim Jong-un spoke.\n")
    result = try_repo("corpus-validator", ["corpus/b.txt"], repo, environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "corpus/b.txt:1:12: NM001" in result.stdout and "corpus/a.txt:1:12" in result.stdout


def test_fix_hook_modifies_the_file_and_so_fails_the_commit(environment, tmp_path):
    repo = make_corpus_repo(tmp_path / "repo", environment)
    (repo / "corpus" / "b.txt").write_text("Trump &amp; Kim met in Hanoi on Thursday.\n")
    subprocess.run(["git", "add", "corpus/b.txt"], cwd=repo, env=environment, check=True)  # staged, as in a commit
    result = try_repo("corpus-validator-fix", ["corpus/b.txt"], repo, environment)
    assert result.returncode == 1
    assert "files were modified by this hook" in result.stdout
    assert (repo / "corpus" / "b.txt").read_text() == "Trump & Kim met in Hanoi on Thursday.\n"
    again = try_repo("corpus-validator-fix", ["corpus/b.txt"], repo, environment)
    assert again.returncode == 0, again.stdout


def test_pre_commit_is_available():
    assert shutil.which("git")
    assert subprocess.run([*PRE_COMMIT, "--version"], capture_output=True).returncode == 0


def test_a_file_named_like_an_option_is_a_file_to_the_hook(environment, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "LICENSE.txt").write_text("The licence.\n")
    (repo / "-oLICENSE.txt").write_text("A file whose name reads as --output LICENSE.txt.\n")
    make_corpus_repo(repo, environment)  # commits them too: --all-files hands the hook every tracked .txt
    result = subprocess.run(
        [*PRE_COMMIT, "try-repo", str(REPO), "corpus-validator", "--verbose", "--all-files"],
        cwd=repo, env=environment, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert (repo / "LICENSE.txt").read_text() == "The licence.\n", result.stdout
    assert "skipped (outside the configured paths): -oLICENSE.txt, LICENSE.txt" in result.stdout + result.stderr
