"""The whole register through the signed Bolt path: the form, permissions, the checklist,
reviews and their reminders with a moved clock, closing, App Home, the workbook and re-import."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.nudging import send_due_nudges
from handlers.home_flow import HOME_DONE
from handlers.register_blocks import SET_ITEM, SNOOZE_REVIEW
from handlers.register_forms import EDIT_VIEW, REVIEW_VIEW
from knowledge.importer import ImportProblem
from knowledge.register_import import import_register
from storage.models import AgreementItem, AuditEntry, Nudge, Partnership, PartnershipReview
from tests.handlers import register_kit
from tests.handlers.register_kit import (
    FULL,
    add_by_form,
    opened_form,
    rows,
    run,
    state,
    uid,
)

box, clock = register_kit.box, register_kit.clock  # the fixtures


def test_the_form_stores_every_fact_and_the_card_shows_them(box, people):
    reply = add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    assert reply.status == 200 and reply.json()["response_action"] == "update"
    [stored] = rows(box, Partnership)
    assert (stored.lead_id, stored.kind, stored.significant) == (people.sam, "alliance", True)
    assert stored.funding_gbp == Decimal("125000.50") and stored.next_review == date(2026, 12, 9)
    card = run(box, "partnership retrofit partnrship", uid(box, "priya"), people.general).args
    shown = str(card["blocks"])
    assert "*Funding:* £125,000.50" in shown and f"*Lead officer:* <@{people.sam}>" in shown
    assert "0 of 12 agreed" in shown and "Governance missing: agreement." in shown
    assert SET_ITEM not in shown  # priya may read, not change


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"start_date": "2026-01-01", "next_review": "2025-12-01"}, "before the start"),
        ({"start_date": "2026-01-01", "end_date": "2025-12-31"}, "before the start"),
        ({"budget_gbp": "-5"}, "negative"),
        ({"lead_id": "C0SHELLGENERAL"}, "not a channel"),
    ],
)
def test_bad_facts_are_refused_in_the_form_and_nothing_is_stored(box, people, fields, said):
    reply = add_by_form(box, people, partnership_name="Parks", **fields)
    assert reply.json()["response_action"] == "errors"
    assert said in str(reply.json()["errors"])
    assert rows(box, Partnership) == []


@pytest.mark.parametrize("who", ["bot", "deactivated"])
def test_a_bot_or_a_deactivated_lead_is_refused_after_the_ack(box, people, who):
    ws = box.emulator.workspace
    jo = ws.user_named("jo").id
    lead = ws.bot_user_id if who == "bot" else jo
    if who == "deactivated":
        ws.users[jo].deleted = True
    add_by_form(box, people, partnership_name="Parks", lead_id=lead)
    [update] = box.emulator.calls_to("views.update", ok=True)
    assert ("not a bot" if who == "bot" else "deactivated") in str(update.args["view"]["blocks"])
    assert rows(box, Partnership) == []


def test_a_duplicate_name_in_any_case_is_refused(box, people):
    add_by_form(box, people, partnership_name="Retrofit Partnership")
    reply = add_by_form(box, people, partnership_name="RETROFIT partnership")
    assert "already a partnership" in str(reply.json()["errors"])
    assert len(rows(box, Partnership)) == 1


def test_only_the_lead_admins_and_facilitators_may_edit(box, people):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    refused = run(box, "partnership edit Retrofit Partnership", uid(box, "priya"), people.general)
    assert "Only its lead officer" in refused.args["text"]
    run(box, "partnership edit Retrofit Partnership", people.sam, people.general)
    view = opened_form(box)
    assert view["callback_id"] == EDIT_VIEW
    assert view["private_metadata"] == str(rows(box, Partnership)[0].id)
    reply = box.driver.view_submission(
        view, state(**{**FULL, "lead_id": people.sam, "risk_ref": "RR-99"}), user=people.sam
    )
    box.wait()
    assert reply.status == 200
    assert rows(box, Partnership)[0].risk_ref == "RR-99"
    edits = [a for a in rows(box, AuditEntry) if a.entity == "partnership" and a.action == "edit"]
    assert len(edits) == 1 and edits[0].actor_id == people.sam
    # a forged edit form from someone who may not edit changes nothing
    box.driver.view_submission(
        view, state(**{**FULL, "risk_ref": "HACKED"}), user=uid(box, "priya")
    )
    box.wait()
    assert rows(box, Partnership)[0].risk_ref == "RR-99"


def test_the_checklist_menu_sets_an_item_and_the_card_moves(box, people):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    card = run(box, "partnership Retrofit Partnership", people.sam, people.retrofit).args
    pid = rows(box, Partnership)[0].id
    message = {"ts": "1.1", "blocks": card["blocks"], "text": card["text"]}
    action = {
        "action_id": SET_ITEM,
        "type": "overflow",
        "selected_option": {"value": f"{pid}:aims:agreed"},
    }
    box.driver.block_action(action, user=people.sam, channel=people.retrofit, message=message)
    box.wait()
    [item] = rows(box, AgreementItem)
    assert (item.item, item.status, item.changed_by) == ("aims", "agreed", people.sam)
    replaced = box.emulator.calls_to("response_url")[-1].args
    assert replaced["replace_original"] and "1 of 12 agreed" in str(replaced["blocks"])
    # the same menu, pressed by someone who may not change it, or naming another workspace
    box.driver.block_action(
        {**action, "selected_option": {"value": f"{pid}:risk:agreed"}},
        user=uid(box, "priya"),
        channel=people.retrofit,
        message=message,
    )
    from knowledge.partnerships import add_partnership

    with box.bot.services.sessions() as session:
        theirs = add_partnership(
            session,
            team_id="T0OTHER",
            name="Theirs",
            channel_id=None,
            actor_id="U0X",
            now=box.bot.services.clock(),
        )
    box.driver.block_action(
        {**action, "selected_option": {"value": f"{theirs.id}:aims:agreed"}},
        user=people.sam,
        channel=people.retrofit,
        message=message,
    )
    box.wait()
    assert [i.item for i in rows(box, AgreementItem)] == ["aims"]


def test_the_card_shows_progress_and_the_next_items_and_opens_the_whole_checklist(box, people):
    from handlers.register_blocks import CHECKLIST_BLOCK, OPEN_CHECKLIST

    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    card = run(box, "partnership Retrofit Partnership", people.sam, people.retrofit).args
    menus = [b for b in card["blocks"] if (b.get("accessory") or {}).get("action_id") == SET_ITEM]
    assert len(menus) == 3  # the next three to agree, not twelve items with four controls each
    assert "0 of 12 agreed" in str(card["blocks"]) and "Next to agree (12 left)" in str(card)
    [opener] = [
        e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == OPEN_CHECKLIST
    ]  # fmt: skip
    message = {"ts": "1.1", "blocks": card["blocks"], "text": card["text"]}
    box.driver.block_action(opener, user=people.sam, channel=people.retrofit, message=message)
    box.wait()
    whole = box.emulator.calls_to("response_url")[-1].args
    items = [b for b in whole["blocks"] if str(b.get("block_id", "")).startswith(CHECKLIST_BLOCK)]
    assert len(items) == 12 and all(b["accessory"]["action_id"] == SET_ITEM for b in items)
    assert not whole["replace_original"]  # the card stays where it was
    # an item set from the whole list: the list moves, not back to the card
    pid = rows(box, Partnership)[0].id
    action = {
        "action_id": SET_ITEM,
        "type": "overflow",
        "block_id": items[11]["block_id"],
        "selected_option": {"value": f"{pid}:{items[11]['block_id'].split('-', 1)[1]}:agreed"},
    }
    listed = {"ts": "1.2", "blocks": whole["blocks"], "text": whole["text"]}
    box.driver.block_action(action, user=people.sam, channel=people.retrofit, message=listed)
    box.wait()
    moved = box.emulator.calls_to("response_url")[-1].args
    assert moved["replace_original"] and "Agreement checklist: Retrofit Partnership" in str(moved)
    assert "1 of 12 agreed" in str(moved["blocks"])
    # someone who may not change it sees the list without menus; another workspace's id: nothing
    box.driver.block_action(
        opener, user=uid(box, "priya"), channel=people.retrofit, message=message
    )
    box.wait()
    shown = box.emulator.calls_to("response_url")[-1].args
    assert "accessory" not in str(shown["blocks"]) and "can change it" in str(shown["blocks"])
    box.driver.block_action({**opener, "value": "99999"}, user=people.sam, channel=people.retrofit)
    box.wait()
    assert "Agreement checklist" not in str(box.emulator.calls_to("response_url")[-1].args)


def test_review_reminders_reach_the_lead_and_recording_a_review_moves_them(box, people, clock):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam, "next_review": "2026-12-09"})
    services, client = box.bot.services, box.bot.app.client
    at = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # 14 days before (25 Nov)
    clock.now = at
    assert any("partnership" in line for line in send_due_nudges(services, client, at))
    box.wait()
    [dm] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == people.sam
    ]
    assert "review of Retrofit Partnership is due Wed 09 Dec 2026 (in 14 days)" in dm.args["text"]
    assert send_due_nudges(services, client, at) == []  # exactly once
    # snooze a week from the DM
    pid = rows(box, Partnership)[0].id
    box.driver.block_action(
        {"action_id": SNOOZE_REVIEW, "type": "button", "value": str(pid)},
        user=people.sam,
        channel=dm.result["channel"],
        message=dm.result["message"],
    )
    box.wait()
    assert "Snoozed" in box.emulator.calls_to("response_url")[-1].args["text"]
    # record the review from the card's form
    run(box, "partnership review Retrofit Partnership", people.sam, people.general)
    view = opened_form(box)
    assert view["callback_id"] == REVIEW_VIEW
    reply = box.driver.view_submission(
        view,
        {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-11-24"}},
            "outcome": {"value": {"type": "plain_text_input", "value": "On track"}},
            "next": {"value": {"type": "datepicker", "selected_date": "2027-06-01"}},
        },
        user=people.sam,
    )
    box.wait()
    assert reply.json()["response_action"] == "update"
    [review] = rows(box, PartnershipReview)
    assert (review.reviewed_on, review.next_review) == (date(2026, 11, 24), date(2027, 6, 1))
    pending = [n for n in rows(box, Nudge) if n.partnership_id and n.status == "pending"]
    assert pending and {n.about for n in pending} == {date(2027, 6, 1)}
    # the old date's reminders are gone: nothing is sent on 9 Dec
    assert send_due_nudges(services, client, datetime(2026, 12, 9, 9, 30, tzinfo=UTC)) == []


def test_closing_takes_it_out_of_the_list_and_reminders(box, people):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    run(box, "partnership close Retrofit Partnership", people.alex, people.general)
    view = opened_form(box)
    box.driver.view_submission(
        view,
        {
            "end_date": {"value": {"type": "datepicker", "selected_date": "2026-11-23"}},
            "note": {"value": {"type": "plain_text_input", "value": "Programme ended"}},
        },
        user=people.alex,
    )
    box.wait()
    [stored] = rows(box, Partnership)
    assert (stored.status, stored.exit_note) == ("closed", "Programme ended")
    assert all(n.status != "pending" for n in rows(box, Nudge) if n.partnership_id)
    listed = run(box, "partnership list", people.alex, people.general).args["text"]
    assert listed.startswith("No partnerships are registered yet")
    card = run(box, "partnership Retrofit Partnership", people.alex, people.general).args
    assert "(closed)" in str(card["blocks"])


def test_the_list_filters(box, people):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    add_by_form(box, people, partnership_name="Parks Partnership", lead_id=uid(box, "priya"))
    assert "Retrofit" in str(
        run(box, "partnership list due", people.alex, people.general).args["blocks"]
    )
    mine = run(box, "partnership list mine", uid(box, "priya"), people.general).args
    assert "Parks Partnership" in str(mine["blocks"]) and "Retrofit" not in str(mine["blocks"])
    assert "Significant partnerships (1)" in str(
        run(box, "partnership list significant", people.alex, people.general).args["blocks"]
    )
    assert (
        "I can list"
        in run(box, "partnership list everything", people.alex, people.general).args["text"]
    )


def test_app_home_is_republished_when_a_partnership_changes_and_done_works_there(box, people):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    published = [
        c
        for c in box.emulator.calls_to("views.publish", ok=True)
        if c.args["user_id"] == people.sam
    ]
    assert published and "Partnerships you lead (1)" in str(published[-1].args["view"]["blocks"])
    run(box, "commit @sam Share the map by 11 Dec", people.alex, people.retrofit)
    box.driver.event({"type": "app_home_opened", "user": people.sam, "tab": "home"})
    box.wait()
    home = box.emulator.calls_to("views.publish", ok=True)[-1].args["view"]
    assert len(home["blocks"]) <= 100
    done = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == HOME_DONE
    )
    box.driver.block_action(done, user=people.sam, view=home)
    box.wait()
    home = box.emulator.calls_to("views.publish", ok=True)[-1].args["view"]
    assert "Your open commitments (0)" in str(home["blocks"])


def test_the_export_is_a_workbook_by_dm_checked_cell_by_cell_and_imports_back(
    box, people, tmp_path
):
    add_by_form(box, people, **{**FULL, "lead_id": people.sam})
    run(
        box,
        "lesson Early supplier days won contractors over #retrofit",
        people.sam,
        people.retrofit,
    )
    run(box, "lesson Board papers late again #lsp", uid(box, "priya"), people.board)  # private
    run(box, "export", people.sam, people.general)
    [upload] = box.emulator.calls_to("files.completeUploadExternal", ok=True)
    file = next(iter(box.emulator.workspace.files.values()))
    assert upload.args["channel_id"].startswith("D") and file["name"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(file["content"]))
    assert book.sheetnames == [
        "Summary",
        "About",
        "Partnerships",
        "Agreement checklist",
        "Reviews",
        "Commitments",
        "Lessons",
        "Briefing notes",
        "Project scores",
        "Benefits",
        "Health pulses",
        "Prioritisation matrix",
        "Lists",
    ]
    sheet = book["Partnerships"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert row["Name"].value == "Retrofit Partnership"
    assert (
        isinstance(row["Next review"].value, datetime)
        and row["Next review"].number_format == "DD/MM/YYYY"
    )
    assert row["Funding (GBP)"].value == 125000.5 and "£" in row["Funding (GBP)"].number_format
    assert row["Lead officer"].value == "Sam Okafor" and row["Significant"].value == "yes"
    assert row["Lead officer ID"].value == people.sam  # what import reads back
    assert row["Channel"].value is None and row["Channel ID"].value is None  # none chosen
    assert book["Agreement checklist"].max_row == 13  # header and the twelve items
    lessons = [r[0] for r in book["Lessons"].iter_rows(min_row=2, values_only=True)]
    assert lessons == ["Early supplier days won contractors over"]  # sam isn't on the board
    assert "sheets written" in str(box.emulator.calls_to("chat.update", ok=True)[0].args["text"])
    # the Partnerships sheet goes back in, into another workspace's empty register
    path = tmp_path / "register.xlsx"
    path.write_bytes(file["content"])
    with box.bot.services.sessions() as session:
        assert (
            import_register(
                session,
                team_id="T0NEW",
                path=path,
                now=box.bot.services.clock(),
                timezone="Europe/London",
            )
            == 1
        )
        with pytest.raises(ImportProblem, match="line 2: There is already"):
            import_register(
                session,
                team_id="T0NEW",
                path=path,
                now=box.bot.services.clock(),
                timezone="Europe/London",
            )
    copied = [p for p in rows(box, Partnership) if p.team_id == "T0NEW"]
    assert len(copied) == 1 and copied[0].funding_gbp == Decimal("125000.50")
    assert copied[0].lead_id == people.sam
    # a sheet of names only (the ID columns taken out): names the workspace knows are read
    # back as the people they name; one it does not know is a clear problem, and nothing stored
    csv_path = tmp_path / "names.csv"
    csv_path.write_text("Name,Lead officer,Channel\nParks Trust,Sam Okafor,#retrofit-partnership\n")
    with box.bot.services.sessions() as session:
        clock_now = box.bot.services.clock()
        assert (
            import_register(
                session, team_id=people.team, path=csv_path, now=clock_now, timezone="Europe/London"
            )
            == 1
        )
        csv_path.write_text("Name,Lead officer\nCanal Trust,Nobody Known\n")
        with pytest.raises(
            ImportProblem, match="line 2: Lead officer “Nobody Known” is not a name"
        ):
            import_register(
                session, team_id=people.team, path=csv_path, now=clock_now, timezone="Europe/London"
            )
    parks = next(p for p in rows(box, Partnership) if p.name == "Parks Trust")
    assert (parks.lead_id, parks.channel_id) == (people.sam, people.retrofit)
    assert not any(p.name == "Canal Trust" for p in rows(box, Partnership))


def test_an_empty_workspace_exports_headers_only(box, people):
    run(box, "export", people.alex, people.general)
    file = next(iter(box.emulator.workspace.files.values()))
    book = load_workbook(io.BytesIO(file["content"]))
    tables = [
        n
        for n in book.sheetnames
        if n not in ("Summary", "About", "Prioritisation matrix", "Lists")
    ]
    assert all(book[name].max_row == 1 for name in tables)
    assert book["Partnerships"]["A1"].value == "Name"


def test_a_bad_import_stores_nothing_and_names_the_line(box, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("Name,Next review,Budget (GBP)\nParks,2027-01-01,100\nLSP,someday,5\n")
    with (
        box.bot.services.sessions() as session,
        pytest.raises(ImportProblem, match="line 3: Next review"),
    ):
        import_register(
            session,
            team_id="T0SHELL",
            path=path,
            now=box.bot.services.clock(),
            timezone="Europe/London",
        )
    assert rows(box, Partnership) == []


def test_a_single_clear_match_opens_the_card_and_a_did_you_mean_has_a_button(box, people):
    from handlers.subcommands import RUN_SUGGESTED

    run(box, "partnership add Retrofit Alliance North", people.alex, people.retrofit)
    card = run(box, "partnership retrofit aliance", people.alex, people.general)
    assert "There is no partnership" not in card.args["text"]
    assert "Retrofit Alliance North" in str(card.args["blocks"])
    # two names it might be: asked, with a button that opens the nearer one
    run(box, "partnership add Retrofit Alliance South", people.alex, people.general)
    asked = run(box, "partnership retrofit aliance n", people.alex, people.general)
    assert "Did you mean *Retrofit Alliance North*?" in asked.args["text"]
    [button] = asked.args["blocks"][-1]["elements"]
    assert (button["action_id"], button["value"]) == (
        RUN_SUGGESTED,
        "partnership Retrofit Alliance North",
    )
    box.driver.block_action(button, user=people.alex, channel=people.general)
    box.wait()
    shown = box.emulator.calls_to("response_url")[-1].args
    assert "There is no partnership" not in shown["text"]
    assert "Retrofit Alliance North" in str(shown["blocks"])
