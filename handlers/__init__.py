"""Slack listeners, one module per feature, each with `register(app, services)`."""

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

FEATURES = (
    commands,
    register,
    search,
    lessons,
    commitments,
    commitment_actions,
    breakout,
    home,
    errors,
)


def register_all(app: App, services: Services) -> None:
    """Bind every feature's listeners to the app."""
    for feature in FEATURES:
        feature.register(app, services)
