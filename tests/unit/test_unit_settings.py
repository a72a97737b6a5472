"""Settings from JPA_* variables; secrets generated once into the instance folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.settings import MIN_SECRET_BYTES, SettingsError, load_settings

LONG = "k" * MIN_SECRET_BYTES


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_empty_environment_generates_secrets_once_with_mode_600(tmp_path):
    instance = tmp_path / "instance"
    first = load_settings({}, instance_path=instance)

    assert first.instance_path == instance.resolve()
    for name in ("secret_key", "blinding_key"):
        path = instance / name
        assert path.is_file()
        assert mode(path) == 0o600
        assert path.read_text().strip() == getattr(first, name)
        assert len(getattr(first, name).encode()) >= MIN_SECRET_BYTES
    assert first.secret_key != first.blinding_key

    before = {name: (instance / name).read_text() for name in ("secret_key", "blinding_key")}
    second = load_settings({}, instance_path=instance)
    assert (second.secret_key, second.blinding_key) == (first.secret_key, first.blinding_key)
    assert {name: (instance / name).read_text() for name in before} == before
    assert mode(instance / "secret_key") == 0o600


def test_instance_path_from_the_environment(tmp_path, monkeypatch):
    for variable in [v for v in os.environ if v.startswith("JPA_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("JPA_INSTANCE_PATH", str(tmp_path / "from-env"))
    settings = load_settings()
    assert settings.instance_path == (tmp_path / "from-env").resolve()
    assert (tmp_path / "from-env" / "secret_key").is_file()
    assert load_settings().secret_key == settings.secret_key


def test_an_existing_secret_file_is_used(tmp_path):
    (tmp_path / "secret_key").write_text("s" * 40 + "\n")
    (tmp_path / "blinding_key").write_text("b" * 40 + "\n")
    settings = load_settings({}, instance_path=tmp_path)
    assert settings.secret_key == "s" * 40
    assert settings.blinding_key == "b" * 40


def test_secrets_from_the_environment_write_no_files(tmp_path):
    settings = load_settings({"JPA_SECRET_KEY": LONG, "JPA_BLINDING_KEY": "b" * 32},
                             instance_path=tmp_path)
    assert settings.secret_key == LONG
    assert settings.blinding_key == "b" * 32
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "blinding_key").exists()


@pytest.mark.parametrize("variable", ["JPA_SECRET_KEY", "JPA_BLINDING_KEY"])
@pytest.mark.parametrize("value", ["k" * (MIN_SECRET_BYTES - 1), "short", "é" * 15 + "a"])
def test_a_secret_shorter_than_32_bytes_is_refused(tmp_path, variable, value):
    with pytest.raises(SettingsError, match=f"{variable} must be at least 32 bytes"):
        load_settings({variable: value}, instance_path=tmp_path)


def test_the_minimum_counts_bytes():
    assert MIN_SECRET_BYTES == 32


def test_exactly_32_bytes_is_enough(tmp_path):
    settings = load_settings({"JPA_SECRET_KEY": "é" * 16}, instance_path=tmp_path)  # 16 chars
    assert settings.secret_key == "é" * 16


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    settings = load_settings({}, instance_path=tmp_path / "inst")
    url = make_url(settings.database_url)
    assert url.get_backend_name() == "sqlite"
    assert url.database is not None
    assert Path(url.database).parent == (tmp_path / "inst").resolve()


def test_database_url_from_the_environment(tmp_path):
    url = "postgresql+psycopg://jpa@db.example/jpa"
    assert load_settings({"JPA_DATABASE_URL": url}, instance_path=tmp_path).database_url == url


def test_other_variables(tmp_path):
    settings = load_settings({"JPA_SMTP_HOST": "mail.example", "JPA_SMTP_PORT": "2525",
                              "JPA_MAIL_FROM": "jpa@example.org",
                              "JPA_BASE_URL": "https://jpa.example.org/"},
                             instance_path=tmp_path)
    assert (settings.smtp_host, settings.smtp_port) == ("mail.example", 2525)
    assert settings.mail_from == "jpa@example.org"
    assert settings.token_issuer == "https://jpa.example.org"
    assert settings.secure_cookies
    assert not load_settings({}, instance_path=tmp_path).secure_cookies


def test_unknown_override_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="unknown settings: colour"):
        load_settings({}, instance_path=tmp_path, colour="blue")
