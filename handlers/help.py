"""`/partners help`: every subcommand with an example, read from the registry."""

from typing import Any

from handlers.blockkit import context, header, section
from handlers.subcommands import Registry


def build_help(registry: Registry, intro: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The help message: a plain-text fallback and its blocks."""
    blocks = [header("partnerbot: /partners")]
    if intro:
        blocks.append(section(intro))
    for sub in registry.subcommands:
        soon = "" if sub.run is not None else "  _(coming soon)_"
        blocks.append(section(f"*{sub.usage}*{soon}\n{sub.does}\n`{sub.example}`"))
    blocks.append(
        context("Only you can see this. Mention people as @name; dates like `12 Dec` or `friday`.")
    )
    text = (
        (intro + "\n" if intro else "")
        + "partnerbot commands: "
        + ", ".join(sub.name for sub in registry.subcommands)
        + ". Try `/partners help`."
    )
    return text, blocks
