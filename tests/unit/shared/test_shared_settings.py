"""Settings read from the environment (shared/settings.py)."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from shared.settings import SERVICE_PORTS, Settings, load, nameko_config


@pytest.fixture
def env(tmp_path):
    return {"UNIONHUB_DATA_DIR": str(tmp_path / "data"), "UNIONHUB_SECRET_KEY": "s3cret"}


def test_each_service_defaults_to_its_own_sqlite_file_in_the_data_dir(env, tmp_path):
    settings = load(env)
    data = (tmp_path / "data").resolve()
    assert settings.database_for("membership") == f"sqlite:///{data}/membership.db"
    assert settings.database_for("gateway") == f"sqlite:///{data}/gateway.db"


def test_a_relative_data_dir_gives_an_absolute_sqlite_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = Settings(data_dir=Path("var")).database_for("welfare")
    assert url == f"sqlite:///{tmp_path.resolve()}/var/welfare.db"


@pytest.mark.parametrize("server", ["postgresql://app:pw@db:5432", "postgresql://app:pw@db:5432/"])
def test_a_server_url_gives_each_service_its_own_database(env, server):
    settings = load({**env, "UNIONHUB_DATABASE_URL": server})
    assert settings.database_for("membership") == "postgresql://app:pw@db:5432/unionhub_membership"
    assert settings.database_for("gateway") == "postgresql://app:pw@db:5432/unionhub_gateway"


def test_a_server_url_that_names_a_database_has_it_replaced_per_service(env):
    settings = load({**env, "UNIONHUB_DATABASE_URL": "postgresql+psycopg2://app:pw@db:5432/postgres"})
    assert settings.database_for("congress") == "postgresql+psycopg2://app:pw@db:5432/unionhub_congress"


def test_the_database_prefix_can_be_changed(env):
    settings = load({**env, "UNIONHUB_DATABASE_URL": "postgresql://db", "UNIONHUB_DB_PREFIX": "uht_1_"})
    assert settings.database_for("finance") == "postgresql://db/uht_1_finance"


def test_an_empty_database_url_means_the_sqlite_default(env):
    assert load({**env, "UNIONHUB_DATABASE_URL": ""}).database_for("events").startswith("sqlite:///")


def test_a_per_service_override_wins_for_that_service_only(env):
    settings = load({**env, "UNIONHUB_DATABASE_URL": "postgresql://db",
                     "UNIONHUB_DB_MEMBERSHIP": "postgresql://other/members_db", "UNIONHUB_DB_WELFARE": ""})
    assert settings.database_for("membership") == "postgresql://other/members_db"
    assert settings.database_for("welfare") == "postgresql://db/unionhub_welfare"


@pytest.mark.parametrize("server,expected", [
    ("postgresql://app@db/postgres?sslmode=require", "postgresql://app@db/unionhub_membership?sslmode=require"),
    ("postgresql://app@db?sslmode=require", "postgresql://app@db/unionhub_membership?sslmode=require"),
])
def test_connection_options_of_the_server_url_are_kept(env, server, expected):
    assert load({**env, "UNIONHUB_DATABASE_URL": server}).database_for("membership") == expected


def test_ports_default_per_service_and_can_be_overridden(env):
    settings = load({**env, "UNIONHUB_PORT_GATEWAY": "9000"})
    assert settings.port_for("gateway") == 9000
    assert settings.port_for("membership") == SERVICE_PORTS["membership"]
    assert settings.port_for("nonesuch") == 0


def test_a_generated_secret_is_kept_in_the_data_dir_and_reused(tmp_path):
    env = {"UNIONHUB_DATA_DIR": str(tmp_path / "data")}
    first, second = load(env).secret_key, load(env).secret_key
    assert first == second and len(first) >= 32
    key_file = tmp_path / "data" / "secret.key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_explicit_secret_wins_and_writes_no_key_file(env, tmp_path):
    assert load(env).secret_key == "s3cret"
    assert not (tmp_path / "data" / "secret.key").exists()


def test_numbers_are_read_from_the_environment(env):
    settings = load({**env, "UNIONHUB_TOKEN_TTL": "60", "UNIONHUB_RPC_TIMEOUT": "2.5",
                     "UNIONHUB_DELIVERY_LIMIT": "3", "UNIONHUB_AMQP_URI": "amqp://u:p@mq:5672/uh"})
    assert (settings.token_ttl_seconds, settings.rpc_timeout, settings.delivery_limit, settings.amqp_uri) == (
        60, 2.5, 3, "amqp://u:p@mq:5672/uh")


def test_nameko_config_carries_the_services_database_address_and_secret(env):
    settings = load({**env, "UNIONHUB_DB_MEMBERSHIP": "sqlite:////tmp/m.db", "UNIONHUB_PORT_MEMBERSHIP": "9101",
                     "UNIONHUB_HOST": "0.0.0.0"})
    config = nameko_config(settings, "membership")
    assert config["UNIONHUB_DB_URL"] == "sqlite:////tmp/m.db"
    assert config["WEB_SERVER_ADDRESS"] == "0.0.0.0:9101"
    assert config["UNIONHUB_SECRET_KEY"] == "s3cret" and config["UNIONHUB_SERVICE"] == "membership"


def test_the_queue_type_is_classic_unless_set_and_must_be_known(env):
    assert load(env).queue_type == "classic"
    assert load({**env, "UNIONHUB_QUEUE_TYPE": "quorum"}).queue_type == "quorum"
    with pytest.raises(ValueError, match="classic or quorum"):
        load({**env, "UNIONHUB_QUEUE_TYPE": "lazy"})
    config = nameko_config(load({**env, "UNIONHUB_GATEWAY_CONCURRENCY": "8"}), "gateway")
    assert (config["UNIONHUB_QUEUE_TYPE"], config["UNIONHUB_GATEWAY_CONCURRENCY"]) == ("classic", 8)
