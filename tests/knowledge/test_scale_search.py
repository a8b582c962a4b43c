"""Many councils' search on one deployment, small (benchmarks/scale_bench.py at CI's size): a
hundred workspaces, each with its snapshot as an import leaves it, asked from two processes
whose indexes must fit in 4 MB: every ask is answered from a loaded snapshot (none is built from
the database), indexes are let go to stay under the ceiling, and each process holds no more."""

import sys
from pathlib import Path

from bot.settings import Settings
from tests.conftest import TEST_KEY

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

from scale_bench import scale  # noqa: E402


def test_a_hundred_workspaces_are_searched_within_the_memory_ceiling(database_url):
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        partnerbot_secret_key=TEST_KEY,
        partnerbot_index_memory_mb=4,  # a few workspaces of a hundred fit
    )
    found = scale(settings, workspaces=100, entries=20, processes=2, asks=150)
    for process in found:
        assert len(process["warm"]) + len(process["cold"]) == 150
        assert process["builds"] == 0  # every index came from its snapshot
        assert process["loads"] == len(process["cold"]) > 0
        assert process["evictions"] > 0
        assert process["held_mb"] <= 4
