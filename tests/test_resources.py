"""kb's run-time files: templates and Datasette metadata come from the kb package, never through pmkb."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from kb import resources

KB = Path(__file__).resolve().parents[1] / "kb"


def test_templates_dir_holds_the_report_and_datasette_templates():
    folder = resources.templates_dir()
    assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
    assert (folder / "datasette" / "pages" / "incident" / "{id}.html").is_file()


def test_metadata_text_is_the_datasette_metadata():
    meta = yaml.safe_load(resources.metadata_text())
    assert "queries" in meta["database"] and "dashboards" in meta


def test_no_kb_module_imports_pmkb():
    offenders = []
    for path in sorted(KB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(KB)}: {n}" for n in names if n == "pmkb" or n.startswith("pmkb.")]
    assert offenders == []
