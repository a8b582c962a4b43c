"""The layout's promises: the domain runs without Slack, and modules stay readable."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "storage": set(),
    "knowledge": {"storage"},
    "handlers": {"knowledge", "storage", "handlers"},
}
OURS = {"bot", "knowledge", "handlers", "storage"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["knowledge", "storage"])
def test_domain_never_imports_slack(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in {"slack_bolt", "slack_sdk"}
    ]
    assert offenders == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_the_layout_allows(package: str) -> None:
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in OURS and top != package and top not in ALLOWED[package]:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_modules_can_be_read_in_one_sitting() -> None:
    long = [
        f"{path.relative_to(ROOT)} ({n} lines)"
        for package in ("bot", "knowledge", "handlers", "storage")
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 400
    ]
    assert long == []


def listener_modules() -> set[str]:
    """Modules of handlers/ that bind Slack listeners (they end with `register(app, ...)`)."""
    return {
        f"handlers.{path.stem}"
        for path in (ROOT / "handlers").glob("*.py")
        if "\ndef register(app" in path.read_text()
    }


def test_listener_modules_never_import_each_other_and_jobs_never_import_listeners() -> None:
    listeners = listener_modules()
    assert {"handlers.commands", "handlers.breakout", "handlers.commitments"} <= listeners
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("handlers", "bot")
        for path in (ROOT / package).rglob("*.py")
        for name in imported_modules(path)
        if name in listeners
        and f"{package}.{path.stem}" != name
        and not (package == "handlers" and path.stem == "__init__")
    ]
    assert offenders == []
