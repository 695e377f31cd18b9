"""The README's Python snippets run, so they cannot rot.

Every fenced ```` ```python ```` block of ``README.md`` is executed on its own, in
a fresh namespace, from the repository root (the snippets name fixtures by
relative path). A snippet that raises fails the test and names its first line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def snippets() -> list[tuple[int, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 1, m.group(1)) for m in BLOCK.finditer(text)]


def test_the_readme_has_python_snippets() -> None:
    assert len(snippets()) >= 2


@pytest.mark.parametrize(
    ("line", "code"), snippets(), ids=lambda v: f"line {v}" if isinstance(v, int) else ""
)
def test_readme_snippet_runs(line: int, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"README.md:{line}"}
    exec(compile(code, f"README.md:{line}", "exec"), namespace)  # noqa: S102


def test_the_readme_cites_the_formats_contract_in_the_repository() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "FORMATS.md" not in text
    assert "docs/formats.md" in text
    assert (
        (ROOT / "docs" / "formats.md")
        .read_text(encoding="utf-8")
        .startswith("# Formats and command-line contract")
    )
