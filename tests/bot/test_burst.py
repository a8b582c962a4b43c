"""The 09:30 burst, small (benchmarks/burst_bench.py at CI's size): a hundred workspaces
installed by OAuth, their reminders due at the same instant, two sender processes, one of them
killed with SIGKILL in the middle: every reminder reaches its person exactly once, and no
workspace is sent more than its pace allows. A test of correctness, not of speed."""

import sys
from pathlib import Path

from bot.pacing import PER_WORKSPACE, Pacing

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

from burst_bench import burst  # noqa: E402


def test_a_hundred_workspaces_burst_is_delivered_exactly_once_though_a_sender_is_killed(
    database_url,
):
    found = burst(database_url, workspaces_count=100, per_workspace=6, latency=0.05, kill_after=2.0)
    assert found.expected == 600
    assert found.duplicates == 0, found.received.most_common(3)
    assert found.missing == 0
    assert sorted(set(found.received.values())) == [1]
    # each workspace at its own pace: never more in one second than it allows (and the one a
    # second per person kept every DM clear of Slack's per-channel limit)
    assert found.busiest <= PER_WORKSPACE + 1
    assert found.limited == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_workspace_is_paced_and_so_is_each_channel_in_it_while_others_go_at_once():
    clock = FakeClock()
    pace = Pacing(per_workspace=4.0, per_channel=1.0, clock=clock, sleep=clock.sleep)
    # four people in one council: a quarter of a second apart
    assert [pace.reserve("T1", f"U{n}") for n in range(4)] == [0.0, 0.25, 0.5, 0.75]
    # another council is not held up by the first
    assert pace.reserve("T2", "U0") == 0.0
    # the same person again: a second after their last, not a quarter after the council's
    assert pace.reserve("T1", "U0") == 1.0
    pace.wait("T3", "U9")
    pace.wait("T3", "U9")
    assert clock.slept == [1.0]
