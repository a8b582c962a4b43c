"""A local stand-in for Slack's Web API: records every call and refuses what Slack refuses."""

from bot.emulator.server import Emulator
from bot.emulator.workspace import Call, Channel, User, Workspace, demo_workspace

__all__ = ["Call", "Channel", "Emulator", "User", "Workspace", "demo_workspace"]
