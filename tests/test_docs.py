"""The docs tell the truth about the repository: every file they name is in it, the Slack
admin's scope list is the manifest's, the deployer's settings table has every setting, and the
manifest step counts its own YOUR-HOSTs."""

import re
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "CHANGELOG.md"]
# a repository path in backticks or a link: a top folder of ours, or one of the top files
PATH = re.compile(
    r"(?:`|\]\()(\.?/?(?:(?:scripts|bot|handlers|knowledge|storage|tests|benchmarks|docs|\.ci)"
    r"/[\w./-]*|manifest\.yml|Procfile|Containerfile|compose\.yaml|CHANGELOG\.md|README\.md"
    r"|requirements(?:-test)?\.txt|\.env\.example|pyproject\.toml|\.python-version))(?:`|\)|#)"
)


def named(relative: str) -> bool:
    """Whether a name the docs use is in the repository: a file or folder, or a module's
    attribute (`handlers/people.Viewer` is handlers/people.py)."""
    if (ROOT / relative).exists():
        return True
    module = relative.rsplit(".", 1)[0]
    return (ROOT / f"{module}.py").exists()


def test_every_file_the_docs_name_is_in_the_repository():
    missing = [
        f"{doc.relative_to(ROOT)}: {name}"
        for doc in DOCS
        for name in PATH.findall(doc.read_text())
        if "*" not in name and not named(name.removeprefix("./").removeprefix("/"))
    ]
    assert missing == []
    outside = [doc.name for doc in DOCS if "../" in doc.read_text()]
    assert outside == []  # nothing a clone does not have


def test_the_admins_scope_list_is_the_manifests():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    admin = (ROOT / "docs" / "admin.md").read_text()
    listed = set(re.findall(r"`([a-z_]+:[a-z_.]+|commands)`", admin))
    # events the scopes bring, and Socket Mode's app-level token: named, but not bot scopes
    not_bot_scopes = {"message.channels", "message.groups", "connections:write"}
    assert listed - not_bot_scopes == scopes


def test_the_manifest_step_counts_its_hosts():
    manifest = (ROOT / "manifest.yml").read_text()
    places = sum(1 for line in manifest.splitlines() if "https://YOUR-HOST" in line)
    words = {3: "three", 4: "four", 5: "five"}[places]
    assert f"`YOUR-HOST` ({words} places" in (ROOT / "docs" / "admin.md").read_text()


def test_the_settings_table_has_every_setting():
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z_]+)`", deploy, flags=re.MULTILINE))
    rows |= {n for row in re.findall(r"^\| (`[A-Z_]+`(?:, `[A-Z_]+`)+)", deploy, flags=re.M)
             for n in re.findall(r"`([A-Z_]+)`", row)}  # fmt: skip
    wanted = {name.upper() for name in Settings.model_fields}
    wanted |= {"WEB_CONCURRENCY", "PARTNERBOT_THREADS", "HTTPS_PROXY", "PROMETHEUS_MULTIPROC_DIR"}
    assert wanted - rows == set()
