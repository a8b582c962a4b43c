"""`partnerbot scoring`: a council's own weights, thresholds and range names, shown and changed
from the command line; bad values are refused and change nothing."""

from bot.cli import main


def test_scoring_rules_are_shown_changed_and_checked(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    team = ["--team", "T0SHELL"]
    assert main([*team, "scoring"]) == 0
    shown = capsys.readouterr().out
    assert (
        "Impact 3 or more is high, risk 3 or more is high. Do now: high impact, low risk." in shown
    )
    changed = [
        *team,
        "scoring",
        "--weight",
        "fit=2",
        "--weight",
        "statutory=0.5",
        "--impact-threshold",
        "3.5",
        "--ranges",
        "Priority;Invest;Tidy up;Park",
    ]
    assert main(changed) == 0
    shown = capsys.readouterr().out
    assert "Impact 3.5 or more is high" in shown and "Priority: high impact, low risk" in shown
    assert "fit with the council's priorities ×2" in shown
    assert "legal or statutory implications ×0.5" in shown
    for bad, why in (
        (["--weight", "cost=2"], "'cost' is not a criterion"),
        (["--weight", "fit=lots"], "a weight is a number"),
        (["--weight", "fit=11"], "a weight from 0 to 10"),
        (["--risk-threshold", "7"], "Thresholds are scores, from 1 to 5."),
        (["--ranges", "A;B;C"], "Name all four ranges"),
        (["--weight", "fit=0", "--weight", "reach=0", "--weight", "statutory=0"], "at least one"),
    ):
        assert main([*team, "scoring", *bad]) == 2
        assert why in capsys.readouterr().err
    assert main([*team, "scoring"]) == 0  # as it was after the good change
    assert "Priority: high impact" in capsys.readouterr().out
