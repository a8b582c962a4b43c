"""Our migration creates slack_sdk's installation and state store tables: they must stay the
columns its SQLAlchemy builders make, or its stores would read and write the wrong shape."""

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData

from storage.installations import (
    BOTS,
    INSTALLATIONS,
    SEALED_TOKEN,
    STATES,
    TOKEN_COLUMNS,
    bots,
    installations,
    oauth_states,
)


def shape(table, *, ours=False):
    """Each column's type, length and nullability; a token column is as slack_sdk makes it
    but wider in ours, for the sealed token."""
    return {
        c.name: (
            type(c.type).__name__,
            200 if ours and c.name in TOKEN_COLUMNS else getattr(c.type, "length", None),
            c.nullable,
        )
        for c in table.c
    }


def test_the_store_tables_are_slack_sdks_own():
    theirs = MetaData()
    assert shape(installations, ours=True) == shape(
        SQLAlchemyInstallationStore.build_installations_table(theirs, INSTALLATIONS)
    )
    assert shape(bots, ours=True) == shape(
        SQLAlchemyInstallationStore.build_bots_table(theirs, BOTS)
    )
    assert {c.type.length for c in bots.c if c.name in TOKEN_COLUMNS} == {SEALED_TOKEN}
    assert shape(oauth_states) == shape(
        SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, STATES)
    )
