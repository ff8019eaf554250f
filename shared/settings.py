"""Settings, read from the environment when a process starts (never at import time).

Every value has a default that works on a laptop: SQLite files under ``UNIONHUB_DATA_DIR`` and the
local RabbitMQ. ``UNIONHUB_DATABASE_URL`` (a PostgreSQL server URL) gives each service its own
database named ``<prefix><service>``; ``UNIONHUB_DB_<SERVICE>`` overrides one service's URL.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

SERVICE_PORTS = {"gateway": 8000, "membership": 8001, "congress": 8002, "welfare": 8003,
                 "events": 8004, "finance": 8005}


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    data_dir: Path = Path("var")
    database_url: str | None = None
    db_prefix: str = "unionhub_"
    db_overrides: dict = field(default_factory=dict)
    secret_key: str = ""
    token_ttl_seconds: int = 8 * 3600
    rpc_timeout: float = 10.0
    max_body_bytes: int = 1 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    host: str = "127.0.0.1"
    ports: dict = field(default_factory=lambda: dict(SERVICE_PORTS))
    delivery_limit: int = 5
    queue_type: str = "classic"     # consumer queues: classic (one broker) or quorum (a cluster)
    gateway_concurrency: int = 32
    relay_batch: int = 1000
    relay_poll_seconds: float = 0.5
    relay_linger_seconds: float = 0.02
    consumer_batch: int = 200
    max_workers: int = 60
    login_max_failures: int = 5
    login_lock_seconds: int = 60

    def database_for(self, service: str) -> str:
        if service in self.db_overrides:
            return self.db_overrides[service]
        if self.database_url:
            from sqlalchemy.engine import make_url
            url = make_url(self.database_url).set(database=f"{self.db_prefix}{service}")
            return url.render_as_string(hide_password=False)
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def port_for(self, service: str) -> int:
        return int(self.ports.get(service, 0))


def _secret(data_dir: Path) -> str:
    """The token signing key: UNIONHUB_SECRET_KEY, else one generated once and kept in the data dir
    so that tokens survive a restart on a laptop."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _queue_type(value: str) -> str:
    if value not in ("classic", "quorum"):
        raise ValueError(f"UNIONHUB_QUEUE_TYPE must be classic or quorum, not {value!r}")
    return value


def load(env: dict | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("UNIONHUB_DATA_DIR", "var"))
    overrides = {k[len("UNIONHUB_DB_"):].lower(): v for k, v in env.items()
                 if k.startswith("UNIONHUB_DB_") and v}
    ports = dict(SERVICE_PORTS)
    for name in list(ports):
        value = env.get(f"UNIONHUB_PORT_{name.upper()}")
        if value:
            ports[name] = int(value)
    return Settings(
        amqp_uri=env.get("UNIONHUB_AMQP_URI", Settings.amqp_uri),
        data_dir=data_dir,
        database_url=env.get("UNIONHUB_DATABASE_URL") or None,
        db_prefix=env.get("UNIONHUB_DB_PREFIX", Settings.db_prefix),
        db_overrides=overrides,
        secret_key=env.get("UNIONHUB_SECRET_KEY") or _secret(data_dir),
        token_ttl_seconds=int(env.get("UNIONHUB_TOKEN_TTL", Settings.token_ttl_seconds)),
        rpc_timeout=float(env.get("UNIONHUB_RPC_TIMEOUT", Settings.rpc_timeout)),
        host=env.get("UNIONHUB_HOST", Settings.host),
        ports=ports,
        delivery_limit=int(env.get("UNIONHUB_DELIVERY_LIMIT", Settings.delivery_limit)),
        queue_type=_queue_type(env.get("UNIONHUB_QUEUE_TYPE") or Settings.queue_type),
        gateway_concurrency=int(env.get("UNIONHUB_GATEWAY_CONCURRENCY", Settings.gateway_concurrency)),
        max_workers=int(env.get("UNIONHUB_MAX_WORKERS", Settings.max_workers)),
        consumer_batch=max(1, int(env.get("UNIONHUB_CONSUMER_BATCH", Settings.consumer_batch))),
        relay_linger_seconds=float(env.get("UNIONHUB_RELAY_LINGER", Settings.relay_linger_seconds)),
    )


def nameko_config(settings: Settings, service: str) -> dict:
    """The nameko container config for one service process."""
    return {
        "AMQP_URI": settings.amqp_uri,
        "WEB_SERVER_ADDRESS": f"{settings.host}:{settings.port_for(service)}",
        "max_workers": settings.max_workers,
        "parent_calls_tracked": 10,
        "SERIALIZER": "json",
        "UNIONHUB_SERVICE": service,
        "UNIONHUB_DB_URL": settings.database_for(service),
        "UNIONHUB_SECRET_KEY": settings.secret_key,
        "UNIONHUB_RPC_TIMEOUT": settings.rpc_timeout,
        "UNIONHUB_DELIVERY_LIMIT": settings.delivery_limit,
        "UNIONHUB_QUEUE_TYPE": settings.queue_type,
        "UNIONHUB_GATEWAY_CONCURRENCY": settings.gateway_concurrency,
        "UNIONHUB_TOKEN_TTL": settings.token_ttl_seconds,
        "UNIONHUB_MAX_BODY": settings.max_body_bytes,
        "UNIONHUB_MAX_UPLOAD": settings.max_upload_bytes,
        "UNIONHUB_LOGIN_MAX_FAILURES": settings.login_max_failures,
        "UNIONHUB_LOGIN_LOCK_SECONDS": settings.login_lock_seconds,
        "UNIONHUB_RELAY_BATCH": settings.relay_batch,
        "UNIONHUB_RELAY_POLL": settings.relay_poll_seconds,
        "UNIONHUB_RELAY_LINGER": settings.relay_linger_seconds,
        "UNIONHUB_CONSUMER_BATCH": settings.consumer_batch,
    }
