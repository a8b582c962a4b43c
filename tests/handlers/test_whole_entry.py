"""Open and Share in channel show the whole entry, through the signed path, within Block Kit's
limits; a long text is split where a reader would pause, never inside a word or a list item."""

import json

import pytest
from sqlmodel import select

from handlers.blockkit import SECTION_TEXT
from handlers.results import HELPFUL, MENU, SHARE
from handlers.whole_entry import OPEN, split_text
from storage.models import Entry
from tests.handlers.test_ask import buttons, press, rows, run


def _entry(box, slug):
    with box.bot.services.sessions() as session:
        return session.exec(select(Entry).where(Entry.slug == slug)).one()


def _opened(box):
    return box.emulator.calls_to("views.open", ok=True)[-1].result["view"]


def _text_of(blocks):
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section" and b.get("text"))


def test_open_shows_the_whole_library_entry_with_its_citation_and_tip_apart(box, people):
    call = run(box, "ask what should a partnership agreement answer", people.sam, people.general)
    [first, *_] = buttons(call, OPEN)
    twelve = _entry(box, "partnership-agreement-twelve-questions")
    assert first["value"] == str(twelve.id)
    press(box, first, people.sam, people.general)
    view = _opened(box)
    assert view["type"] == "modal" and len(view["blocks"]) <= 100
    shown = _text_of(view["blocks"])
    # every one of the twelve items, to the last, not "5) risk…"
    for number in range(1, 13):
        assert f"{number})" in shown
    assert "…" not in shown
    contexts = json.dumps([b for b in view["blocks"] if b["type"] == "context"])
    assert "Source:" in contexts and twelve.source.split(",")[0] in contexts
    if twelve.tip:
        assert "Practice tip from partnerbot" in contexts
        assert twelve.tip[:40] not in shown  # the tip is never in the document's words
    assert not buttons(type("C", (), {"args": {"blocks": view["blocks"]}})(), MENU)


def test_open_on_a_lesson_shows_who_saved_it_and_edit_for_its_author_only(box, people):
    run(
        box,
        "lesson Supplier days won contractors over. We invited twelve firms. #retrofit",
        people.sam,
        people.retrofit,
    )
    entry = next(e for e in rows(box, Entry) if e.kind == "lesson")
    for who, may in ((people.sam, True), (people.priya(box), False)):
        call = run(box, "ask supplier days", who, people.general)
        press(box, buttons(call, OPEN)[0], who, people.general)
        view = _opened(box)
        about = json.dumps(view["blocks"])
        assert f"Saved by <@{people.sam}>" in about and "#retrofit" in about
        menus = [
            e for b in view["blocks"] for e in b.get("elements", []) if e.get("action_id") == MENU
        ]
        assert bool(menus) == may
    # sam edits from inside the modal: the form is pushed over it, filled in
    box.driver.block_action(
        {"action_id": MENU, "type": "overflow", "selected_option": {"value": f"edit:{entry.id}"}},
        user=people.sam,
        view=view if may else _opened(box),
    )
    box.wait()
    [pushed] = box.emulator.calls_to("views.push", ok=True)
    title = next(b for b in pushed.result["view"]["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"].startswith("Supplier days")


def test_share_in_channel_posts_the_whole_entry(box, people):
    call = run(box, "ask what should a partnership agreement answer", people.sam, people.general)
    shared = press(box, buttons(call, SHARE)[0], people.sam, people.general)
    assert shared.args["response_type"] == "in_channel"
    text = _text_of(shared.args["blocks"])
    assert all(f"{n})" in text for n in range(1, 13)) and "…" not in text
    assert f"shared by <@{people.sam}>" in json.dumps(shared.args["blocks"])
    assert not buttons(shared, HELPFUL) and len(shared.args["blocks"]) <= 50


def test_a_mention_answer_has_open_on_every_result(box, people):
    box.driver.mention("partnership agreement", user=people.sam, channel=people.general)
    box.wait()
    [answer] = box.emulator.calls_to("chat.postMessage", ok=True)
    opens = [
        e
        for b in answer.args["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == OPEN
    ]
    assert opens and not [
        e
        for b in answer.args["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == SHARE
    ]


def test_a_forged_open_naming_a_private_or_foreign_entry_opens_nothing(box, people):
    run(box, "lesson The chair resigned after the budget row", people.sam, people.board)
    private = next(e for e in rows(box, Entry) if e.kind == "lesson")
    for value in (str(private.id), "999999", "not-a-number", ""):
        refused = press(
            box, {"action_id": OPEN, "type": "button"}, people.sam, people.general, value=value
        )
        assert "isn't available here" in refused.args["text"]
    assert not box.emulator.calls_to("views.open")


def test_a_long_lesson_opens_whole_over_several_sections(box, people):
    words = " ".join(f"word{n:04d}" for n in range(340))  # 3,399 characters
    with box.bot.services.sessions() as session:
        from knowledge.entries import LESSON, Draft, save_entry

        entry = save_entry(
            session,
            team_id=box.emulator.workspace.team_id,
            draft=Draft(
                kind=LESSON,
                title="A long lesson",
                body=words[:2990],
                learnt=words[:2990],
                differently="Less.",
            ),
            author_id=people.sam,
            channel_id=people.general,
            now=box.bot.services.clock(),
        )
    box.driver.block_action(
        {"action_id": OPEN, "type": "button", "value": str(entry.id)},
        user=people.sam,
        channel=people.general,
    )
    box.wait()
    view = _opened(box)
    sections = [b for b in view["blocks"] if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in sections)
    shown = _text_of(view["blocks"])
    assert shown.count("word0298") == 2  # both fields whole, none cut


@pytest.mark.parametrize(
    "text",
    [
        "One sentence. " * 400,
        "\n".join(f"{n}) an item of the list, said at some length" for n in range(1, 120)),
        "x" * 7000,
        "short",
    ],
)
def test_split_text_keeps_pieces_within_the_limit_and_loses_nothing(text):
    pieces = split_text(text, 500)
    assert all(0 < len(p) <= 500 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_split_text_breaks_between_list_items_and_words_not_inside_them():
    text = "Intro. " + " ".join(f"{n}) item number {n} of the list" for n in range(1, 40))
    for piece in split_text(text, 200)[1:]:
        assert piece[0].isdigit() and piece.split(")")[0].isdigit()  # starts at an item
