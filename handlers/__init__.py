"""Slack listeners, one module per feature, each with `register(app, services)`; features with
`/partners` subcommands declare them in `SUBCOMMANDS`, and the command reads them all."""

from slack_bolt import App

from handlers import (
    breakout,
    commands,
    commitment_actions,
    commitments,
    errors,
    home,
    lessons,
    register,
    search,
)
from handlers.services import Services

# in the order help lists their subcommands
FEATURES = (
    search,
    lessons,
    commitments,
    commitment_actions,
    breakout,
    register,
    home,
    errors,
)


def register_all(app: App, services: Services) -> None:
    """Bind every feature's listeners, and `/partners` with every feature's subcommands."""
    declared = [sub for feature in FEATURES for sub in getattr(feature, "SUBCOMMANDS", ())]
    commands.register(app, services, commands.build_registry(declared))
    for feature in FEATURES:
        feature.register(app, services)
