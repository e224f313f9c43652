"""Start-up: settings from HUB_ variables, keys made on first start, refusal on bad data."""

import shutil
import stat
from pathlib import Path

import pytest

from hub.app import create_app
from hub.barriers.vocabulary import VocabularyError
from hub.config import Settings
from hub.paths import document_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_makes_private_keys_and_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    create_app(Settings(data_dir=data))
    assert _mode(data) == 0o700
    assert _mode(data / "keys") == 0o700
    key_files = list((data / "keys").iterdir())
    assert {p.name.split("-")[0] for p in key_files} == {"data", "signing"}
    assert all(_mode(p) == 0o600 for p in key_files)
    assert _mode(data / "hub.db") == 0o600


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    first = create_app(Settings(data_dir=tmp_path))
    second = create_app(Settings(data_dir=tmp_path))
    assert first.state.data_keys.active == second.state.data_keys.active
    assert first.state.signing_keys.public_jwks() == second.state.signing_keys.public_jwks()


def test_settings_come_from_hub_variables(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HUB_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("HUB_TOKEN_LIFETIME", "600")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.sqlalchemy_url == "sqlite:///elsewhere.db"
    assert settings.token_lifetime == 600
    monkeypatch.delenv("HUB_DATABASE_URL")
    assert Settings().sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'hub.db'}"


def test_refuses_to_start_on_a_broken_vocabulary(tmp_path: Path) -> None:
    barriers = tmp_path / "barriers"
    shutil.copytree(document_dir("barriers"), barriers)
    path = barriers / "finance.yaml"
    path.write_text(path.read_text().replace("weight: 0.9", "weight: 9", 1))
    with pytest.raises(VocabularyError) as caught:
        create_app(Settings(data_dir=tmp_path / "data", barriers_dir=barriers))
    assert caught.value.file == "finance.yaml"
    assert caught.value.field.endswith(".weight")


def test_refuses_to_start_on_an_invalid_covenant(tmp_path: Path) -> None:
    from hub.covenants.loader import CovenantsInvalid

    covenants = tmp_path / "covenants"
    shutil.copytree(document_dir("covenants"), covenants)
    path = covenants / "riec-liec.yaml"
    path.write_text(path.read_text().replace("retention_days: 730", "retention_days: -1", 1))
    with pytest.raises(CovenantsInvalid) as caught:
        create_app(Settings(data_dir=tmp_path / "data", covenants_dir=covenants))
    assert "riec-liec.yaml" in str(caught.value) and "retention_days" in str(caught.value)
