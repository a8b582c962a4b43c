"""Tables, the engine and sessions, migrations, and queries every feature shares."""
