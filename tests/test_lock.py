"""Repeatable installs: every dependency pinned with hashes, the pins within pyproject.toml's
ranges (so the lock was made from it: ./scripts/lock), and a Procfile that migrates in the
release phase and runs from the source folder a Heroku-style build leaves."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)")


def pins(name: str) -> dict[str, tuple[str, int]]:
    """package → (version, how many hashes) from a lock file."""
    found: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match[1])
            found[current] = (match[2], 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"{name}: an unpinned line: {line!r}")
    return found


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("requirements.txt", PROJECT["dependencies"]),
        (
            "requirements-test.txt",
            PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"],
        ),
    ],
)
def test_every_dependency_is_pinned_with_hashes_within_pyprojects_ranges(lock, wanted):
    pinned = pins(lock)
    assert pinned and all(hashes >= 1 for _, hashes in pinned.values())
    for requirement in map(Requirement, wanted):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock}: run ./scripts/lock"
        version = pinned[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier}: "
            "run ./scripts/lock"
        )
    runtime = pins("requirements.txt")
    tests = pins("requirements-test.txt")
    assert all(tests.get(name, version)[0] == version[0] for name, version in runtime.items())


def test_the_procfile_migrates_in_the_release_phase_and_the_python_is_named():
    lines = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert lines["release"] == "python -m bot.cli db upgrade"
    assert "bot.cli serve" in lines["web"] and "bot.cli worker" in lines["worker"]
    assert (ROOT / ".python-version").read_text().strip() == "3.11"
