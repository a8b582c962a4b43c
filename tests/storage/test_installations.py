"""Our migration creates slack_sdk's installation and state store tables: they must stay the
columns its SQLAlchemy builders make, or its stores would read and write the wrong shape."""

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData

from storage.installations import BOTS, INSTALLATIONS, STATES, bots, installations, oauth_states


def shape(table):
    return {
        c.name: (type(c.type).__name__, getattr(c.type, "length", None), c.nullable)
        for c in table.c
    }


def test_the_store_tables_are_slack_sdks_own():
    theirs = MetaData()
    assert shape(installations) == shape(
        SQLAlchemyInstallationStore.build_installations_table(theirs, INSTALLATIONS)
    )
    assert shape(bots) == shape(SQLAlchemyInstallationStore.build_bots_table(theirs, BOTS))
    assert shape(oauth_states) == shape(
        SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, STATES)
    )
