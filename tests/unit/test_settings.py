"""Settings are data: every one has a default, help text, and a line in the README."""

from __future__ import annotations

from portal.config import REPO_ROOT, Settings


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for name, _default, help_text in Settings.documented():
        assert f"`{name}`" in readme, f"{name} is not in the README's settings table"
        assert help_text


def test_settings_come_from_the_environment():
    s = Settings.from_env({"OMUP_RAW_DIR": "/tmp/raw", "OMUP_DEBUG": "1"})
    assert s.raw_dir == "/tmp/raw"
    assert s.is_debug
    assert not Settings.from_env({}).is_debug
