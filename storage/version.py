"""partnerbot's one version: the package's own (pyproject.toml), as installed."""

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@cache
def release() -> str:
    """The installed package's version ("0.2.0"), else (run from the source folder, as a
    Heroku-style build does with `python -m bot.cli`) pyproject.toml's; "unknown" if neither."""
    try:
        return version("partnerbot")
    except PackageNotFoundError:
        pass
    try:
        return str(tomllib.loads(PYPROJECT.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
