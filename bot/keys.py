"""`partnerbot rotate-keys`: after a new key is put first in PARTNERBOT_SECRET_KEY (the old one
kept after it), everything sealed or signed with an older key is made again with the newest,
so the old key can then be removed."""

import sys

from bot.services import open_services
from bot.settings import Settings
from knowledge.snapshots import resign_snapshots

AFTERWARDS = (
    "Open health pulses and breakout rounds recognise a second answer by the same person with "
    "any of the keys: keep the old key until they have closed (a pulse is open 7 days at most), "
    "then remove it from PARTNERBOT_SECRET_KEY."
)


def rotate_keys(settings: Settings) -> int:
    """Re-seal every stored token and re-sign every search snapshot with the newest key."""
    from bot.installs import SealedInstallationStore

    engine, services = open_services(settings)
    keyring = services.keyring
    store = SealedInstallationStore(
        client_id=str(settings.slack_client_id or ""), engine=engine, keyring=keyring
    )
    tokens = store.seal_stored()
    with services.sessions() as session:
        resigned, dropped = resign_snapshots(session, keyring)
    print(
        f"Rotated to the newest of {len(keyring.keys)} key{'s' if len(keyring.keys) != 1 else ''}: "
        f"{tokens} installation row{'s' if tokens != 1 else ''} re-encrypted; "
        f"{resigned} search snapshot{'s' if resigned != 1 else ''} re-signed"
        + (
            f", {dropped} no key vouched for dropped (rebuilt at the next search)"
            if dropped
            else ""
        )
        + "."
    )
    print(AFTERWARDS, file=sys.stderr)
    engine.dispose()
    return 0
