"""The command line's data-rights commands, for a council's data protection officer:
`partnerbot export-user U… [FILE.json]` (a subject-access request) and `partnerbot forget-user
U…` (an erasure request). Both act on one workspace, print a summary and are audited without
naming the person."""

import json
import sys
from pathlib import Path

from bot.commands import choose_team
from bot.services import open_services
from bot.settings import Settings
from knowledge.audit import record_change
from knowledge.data_rights import DataRightsError, check_user_id, forget, held_about
from storage.db import reclaim


def export_user(settings: Settings, team: str | None, user_id: str, file: str | None) -> int:
    """Write everything held about a person, table by table, to a JSON file."""
    try:
        check_user_id(user_id)
    except DataRightsError as error:
        print(f"partnerbot export-user: {error}", file=sys.stderr)
        return 2
    path = Path(file or f"{user_id}.json")
    if path.suffix.lower() != ".json":
        print("partnerbot export-user: the file must end in .json", file=sys.stderr)
        return 2
    _, services = open_services(settings)
    team_id = choose_team(services, settings, team)
    now = services.clock()
    with services.sessions() as session:
        found = held_about(session, team_id=team_id, user_id=user_id)
        record_change(
            session,
            team_id=team_id,
            actor_id="partnerbot",
            action="create",
            entity="subject_access",
            entity_id="export",
            at=now,
            detail={"rows": sum(len(rows) for rows in found.values())},  # never who
        )
        session.commit()
    document = {
        "workspace": team_id,
        "person": user_id,
        "exported_at": now.isoformat(),
        "note": "Every row partnerbot holds that names this person, by table. Health pulse "
        "answers are anonymous by design: nothing links them to anyone, so none are listed.",
        "tables": found,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str))
    print(f"Wrote {path}: {_summary(found)} held about {user_id} in {team_id}.")
    return 0


def forget_user(settings: Settings, team: str | None, user_id: str, *, yes: bool) -> int:
    """Remove a person's identity from everything the workspace holds (content stays)."""
    try:
        check_user_id(user_id)
    except DataRightsError as error:
        print(f"partnerbot forget-user: {error}", file=sys.stderr)
        return 2
    engine, services = open_services(settings)
    team_id = choose_team(services, settings, team)
    if not yes:
        print(
            f"This removes {user_id} from everything partnerbot holds in {team_id}; it cannot be "
            "undone. Run it again with --yes to go ahead.",
            file=sys.stderr,
        )
        return 2
    with services.sessions() as session:
        changed = forget(session, team_id=team_id, user_id=user_id, now=services.clock())
    # the search index holds what entries said: built again, here and in every process
    services.search.rebuild_after_erasure(team_id)
    rows = ", ".join(f"{n} {table}" for table, n in sorted(changed.items()) if n) or "nothing"
    print(f"Forgot {user_id} in {team_id}: {rows}. Their content stays, as a former member's.")
    print(f"The search index was rebuilt without them. {reclaim(engine)}")
    return 0


def _summary(found: dict[str, list[dict[str, object]]]) -> str:
    if not found:
        return "nothing"
    return ", ".join(f"{len(rows)} {table}" for table, rows in sorted(found.items()))
