from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from validators.cli import main
from validators.config import Config
from validators.pipeline import check

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def shared_file(relative: str) -> Path:
    """A file of the read-only ``shared/`` folder that lies beside the clone (CI) or beside
    one of its parent folders (a work tree); the first place tried when it is nowhere."""
    places = [folder / "shared" / relative for folder in REPO.parents]
    return next((p for p in places if p.is_file()), places[0])


def write_corpus(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
    return folder


@pytest.fixture
def corpus(tmp_path):
    """Write files into a fresh corpus folder and return it."""
    return lambda files: write_corpus(tmp_path / "corpus", files)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Check a corpus made of ``files`` with default settings; returns the report."""
    monkeypatch.chdir(tmp_path)

    def _run(files: dict[str, str | bytes], **settings):
        folder = write_corpus(tmp_path / "corpus", files)
        return check([folder], Config(root=tmp_path, **settings))

    return _run


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Invoke the command line in-process from an empty folder; returns click's Result."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
