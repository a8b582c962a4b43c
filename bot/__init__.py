"""The app factory, settings, CLI, runners, scheduler wiring and the local Slack emulator."""
