"""The build's progress bar (sitegen/progress.py): on a terminal only, never piped or in CI."""

from __future__ import annotations

import io

from rich.console import Console

from sitegen.config import load_config
from sitegen.demo import generate
from sitegen.pipeline import build
from sitegen.progress import progress_bar


def test_no_bar_when_not_a_terminal():
    with progress_bar(console=Console(file=io.StringIO())) as progress:
        assert progress is None


def test_no_bar_in_ci_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with progress_bar(console=Console(file=io.StringIO(), force_terminal=True)) as progress:
        assert progress is None


def test_bar_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    out = io.StringIO()
    with progress_bar(console=Console(file=out, force_terminal=True, width=80)) as progress:
        assert progress is not None
        progress("reading logs", 3, 10)
        progress("rendering pages", 0, 0)


def test_build_reports_its_stages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    generate(tmp_path / "logs", days=3, per_day=5)
    seen = []
    build(load_config(logs_dir=tmp_path / "logs"), progress=lambda *a: seen.append(a))
    stages = [stage for stage, _, _ in seen]
    assert stages[0] == "reading logs" and seen[0][2] == 3
    assert stages[-2:] == ["summarising", "rendering pages"]
