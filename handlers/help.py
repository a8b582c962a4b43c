"""`/partners help`: every subcommand with an example, marked when it is not here yet."""

from typing import Any

from handlers.blockkit import context, header, section

# (usage, what it does, example); the order is the order of the help text
COMMANDS: list[tuple[str, str, str]] = [
    ("help", "this list", "/partners help"),
    (
        "ask QUERY",
        "find lessons, briefing notes and guidance (also `search`)",
        "/partners ask what derails a partnership",
    ),
    (
        "lesson [TEXT]",
        "save a lesson learnt (`#tags` allowed), or open the form",
        "/partners lesson Early supplier days built trust #retrofit",
    ),
    (
        "brief [TEXT]",
        "save a briefing note, or open the form",
        "/partners brief LAA refresh goes to cabinet in March #lsp",
    ),
    (
        "commit @USER ACTION by DATE [in PARTNERSHIP]",
        "record a commitment; alone, opens the form",
        "/partners commit @sam Share the supply-chain map by 12 Dec",
    ),
    (
        "actions [all]",
        "my open commitments (or the channel's partnership's)",
        "/partners actions all",
    ),
    (
        "away until DATE | away off",
        "pause my reminders while I am away",
        "/partners away until 2 Jan",
    ),
    (
        'breakout [DECK | "QUESTION"] [for Nm]',
        "run a breakout round here; `breakout decks` lists decks",
        "/partners breakout effective-partnerships for 10m",
    ),
    (
        "partnership add NAME | list | NAME",
        "the partnership register",
        "/partners partnership add Retrofit Partnership",
    ),
    (
        "export",
        "the register, commitments, lessons and notes as a spreadsheet, by DM",
        "/partners export",
    ),
]


def build_help(
    available: frozenset[str], intro: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The help message: a plain-text fallback and its blocks."""
    blocks = [header("partnerbot: /partners")]
    if intro:
        blocks.append(section(intro))
    lines = []
    for usage, does, example in COMMANDS:
        name = usage.split()[0]
        soon = "" if name in available else "  _(coming soon)_"
        lines.append(f"*{usage}*{soon}\n{does}\n`{example}`")
    blocks.extend(section(line) for line in lines)
    blocks.append(
        context("Only you can see this. Mention people as @name; dates like `12 Dec` or `friday`.")
    )
    text = (
        (intro + "\n" if intro else "")
        + "partnerbot commands: "
        + ", ".join(usage.split()[0] for usage, _, _ in COMMANDS)
        + ". Try `/partners help`."
    )
    return text, blocks
