"""Slack listeners, one module per feature, each with `register(app, services)`; features with
`/partners` subcommands declare them in `SUBCOMMANDS`, and the command reads them all.

The feature modules (and so Bolt) are imported only when the app is built: the command line's
search and import use `handlers.services` without paying for Slack's libraries.
"""

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from handlers.services import Services


def features() -> tuple[ModuleType, ...]:
    """Every feature module, in the order help lists their subcommands."""
    from handlers import (
        benefits,
        breakout,
        commitment_actions,
        commitments,
        errors,
        export,
        home,
        lessons,
        network,
        partnership_actions,
        prioritise,
        projects,
        pulses,
        questions,
        register,
        report,
        search,
        settings,
    )

    return (
        search,
        lessons,
        questions,
        commitments,
        commitment_actions,
        breakout,
        register,
        partnership_actions,
        projects,
        prioritise,
        benefits,
        pulses,
        report,
        export,
        network,
        settings,
        home,
        errors,
    )


def register_all(app: "App", services: "Services") -> None:
    """Bind every feature's listeners, and `/partners` with every feature's subcommands."""
    from handlers import commands

    declared = [sub for feature in features() for sub in getattr(feature, "SUBCOMMANDS", ())]
    commands.register(app, services, commands.build_registry(declared))
    for feature in features():
        feature.register(app, services)
