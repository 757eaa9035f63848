"""manifest.yml and the HTTP variant validate against Slack's own schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.manifest import build_manifest, render_manifest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest-schema" / "manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Validator:
    if not SCHEMA.exists():
        pytest.fail(f"Slack's manifest schema is missing at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def test_manifest_file_is_what_rekan_manifest_prints() -> None:
    on_disk = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert on_disk == build_manifest()
    assert yaml.safe_load(render_manifest()) == on_disk


def test_socket_mode_manifest_validates(validator: jsonschema.Validator) -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    errors = sorted(validator.iter_errors(manifest), key=str)
    assert not errors, errors[0].message if errors else ""
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["interactivity"]


def test_http_manifest_validates(validator: jsonschema.Validator) -> None:
    manifest = yaml.safe_load(render_manifest("https://rekan.example.co.id/"))
    errors = sorted(validator.iter_errors(manifest), key=str)
    assert not errors, errors[0].message if errors else ""
    url = "https://rekan.example.co.id/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert all(c["url"] == url for c in manifest["features"]["slash_commands"])


def test_the_schema_catches_a_broken_manifest(validator: jsonschema.Validator) -> None:
    broken = build_manifest()
    broken["oauth_config"]["scopes"]["bot"] = "chat:write"
    assert list(validator.iter_errors(broken))


def test_scopes_and_events_are_the_ones_rekan_needs() -> None:
    manifest = build_manifest()
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "users:read.email",
        "files:write",
        "files:read",
    } <= scopes
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "team_join",
        "user_change",
        "message.im",
    }
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # people write to Rekan in their tickets' threads (issue 18)
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
