"""Helpers for the integration tests: the probe consumer process, the membership database
written through real units of work, the outbox relay driven from the test, the broker and a
small blocking RPC client. Everything here is blocking (kombu, SQLAlchemy, requests)."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import requests
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.pool import NullPool

from shared import broker, contracts, plugins as plugin_registry, settings as settings_mod, testing
from shared.db import migrate
from shared.outbox import OutboxRelay
from shared.runtime import Runtime

from .probe_service import HANDLERS, queue_name

HERE = Path(__file__).resolve().parent
ROOT = testing.ROOT
LIVE_LOGS: set[Path] = set()     # logs of processes running now
STARTED_LOGS: list[Path] = []     # logs of every process started in this session, in order


def register_log(path: Path) -> None:
    LIVE_LOGS.add(path)
    STARTED_LOGS.append(path)


def tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError as exc:
        return f"<no log: {exc}>"


def vhost_of(amqp_uri: str) -> str:
    return amqp_uri.rsplit("/", 1)[1]


def pg_url(database: str) -> str:
    """URL of one database on the test server (``testing.pg_server_url()`` still names ``postgres``)."""
    from sqlalchemy.engine import make_url
    return make_url(testing.PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


# --- people ---------------------------------------------------------------------------------

_people = itertools.count()


def next_id_number() -> str:
    """A valid resident ID number never used before in this test session."""
    from services.membership.domain.idcard import make_id_number
    n = next(_people)
    birth = date(1965, 1, 1) + timedelta(days=(n // 500) + (os.getpid() % 997))
    return make_id_number("110101", birth, n % 500, "male" if n % 2 else "female")


def member_snapshot(member_id: int, school: str, name: str) -> dict:
    return {"id": member_id, "school": school, "person_key": f"pk{member_id:030d}", "name": name,
            "gender": "female", "birth_date": "1980-05-01", "category": "teacher", "status": "active",
            "union_group_id": None, "position": None, "hire_date": None, "join_date": "2024-09-01"}


def admitted_payload(member_id: int, school: str, name: str) -> dict:
    return {"member": member_snapshot(member_id, school, name), "admitted_on": "2024-09-01", "via": "enrolment"}


# --- the membership database, written through units of work ---------------------------------

class MembershipDb:
    """The membership service's PostgreSQL database, migrated with alembic, with a ``Runtime``
    whose units of work write state and outbox rows in one transaction."""

    def __init__(self, amqp_uri: str, db_prefix: str, data_dir: Path):
        contracts.load_all()
        self.env = testing.stack_env(amqp_uri, data_dir=data_dir, database_url=testing.pg_server_url(),
                                     db_prefix=db_prefix)
        self.settings = settings_mod.load(self.env)
        self.plugins = plugin_registry.discover()
        self.plugin = self.plugins["membership"]
        self.url = self.settings.database_for("membership")
        self.amqp_uri = amqp_uri
        migrate.upgrade(self.plugin, self.url)
        self.runtime = Runtime(self.settings, self.plugins)
        # no idle pooled connections held by the test process: the server's slots are shared
        self.runtime._engines["membership"] = create_engine(self.url, poolclass=NullPool)
        from services.membership.orm import KIT
        self.outbox = KIT.outbox
        self.engine = self.runtime.engine("membership")

    def close(self) -> None:
        self.runtime.close()

    def unit_of_work(self, school: str | None = None):
        return self.runtime.unit_of_work("membership", school=school, actor="integration-test")

    def create_school(self, code: str) -> list[str]:
        """Register a school through the real use case; returns the ids of the events written."""
        from services.membership import organisation
        with self.unit_of_work() as uow:
            organisation.create_school(uow, {"code": code, "name": f"学校 {code}", "kind": "primary",
                                             "area": None, "staff_headcount": 100})
            return [e["event_id"] for e in uow.published]

    def admit(self, school: str, name: str) -> tuple[dict, list[str]]:
        """Admit a member through the real use case (its state, history and event commit together)."""
        from services.membership import members
        with self.unit_of_work(school) as uow:
            member = members.admit(uow, school, {"name": name, "id_number": next_id_number(),
                                                 "category": "teacher"}, date.today())
            return member, [e["event_id"] for e in uow.published]

    def publish_admitted(self, school: str, names: list[str], first_id: int = 1) -> list[str]:
        """Write ``membership.member_admitted`` events straight into the outbox (one transaction)."""
        with self.unit_of_work(school) as uow:
            envelopes = uow.publish_many("membership.member_admitted",
                                         [admitted_payload(first_id + i, school, n) for i, n in enumerate(names)])
            uow.commit()
        return [e["event_id"] for e in envelopes]

    def pending(self, event_ids=None) -> int:
        q = select(func.count()).select_from(self.outbox).where(self.outbox.c.sent_at.is_(None))
        if event_ids is not None:
            q = q.where(self.outbox.c.event_id.in_(list(event_ids)))
        with self.engine.connect() as conn:
            return conn.execute(q).scalar_one()

    def outbox_rows(self, event_ids) -> list:
        with self.engine.connect() as conn:
            return conn.execute(select(self.outbox).where(self.outbox.c.event_id.in_(list(event_ids)))).fetchall()

    def forget_sent(self, event_ids) -> int:
        """Simulate a relay that crashed after publishing but before marking: the rows look unsent."""
        with self.engine.begin() as conn:
            return conn.execute(update(self.outbox).where(self.outbox.c.event_id.in_(list(event_ids)))
                                .values(sent_at=None)).rowcount

    def relay(self) -> OutboxRelay:
        return OutboxRelay(self.engine, self.outbox, self.amqp_uri, service="membership", batch=200)

    def relay_until_drained(self, timeout: float = 60.0) -> None:
        relay = self.relay()
        try:
            testing.wait_for(lambda: relay.publish_once() == 0 and self.pending() == 0, timeout,
                             what="the membership outbox to drain")
        finally:
            relay.stop()


# --- the probe consumer ---------------------------------------------------------------------

class ProbeProcess:
    """``tests/integration/probe_runner.py`` in a subprocess with its own database."""

    def __init__(self, amqp_uri: str, db_prefix: str, log_dir: Path, *, name: str, poison: str = "POISON",
                 delivery_limit: int = 3):
        self.amqp_uri, self.name, self.poison, self.delivery_limit = amqp_uri, name, poison, delivery_limit
        self.db_url = testing.create_database(f"{db_prefix}probe_{name}")
        self.engine = create_engine(self.db_url, poolclass=NullPool)
        self.port = testing.free_port()
        self.log_path = log_dir / f"probe-{name}.log"
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, handler: str = "on_member_admitted") -> str:
        return queue_name(self.name, handler)

    def queues(self) -> list[str]:
        return [self.queue(h) for h in HANDLERS]

    def start(self, timeout: float = 60.0) -> "ProbeProcess":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONHUB_", "PROBE_"))}
        env.update(PROBE_AMQP_URI=self.amqp_uri, PROBE_DB_URL=self.db_url, PROBE_PORT=str(self.port),
                   PROBE_NAME=self.name, PROBE_POISON=self.poison, PROBE_DELIVERY_LIMIT=str(self.delivery_limit),
                   PYTHONWARNINGS="ignore", PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "probe_runner.py")], env=env, cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        register_log(self.log_path)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"probe exited: {tail(self.log_path)}")
            if requests.get(f"{self.url}/readyz", timeout=1).status_code != 200:
                return False
            # consumers attached to every queue: nothing published from now on can be unroutable
            return all(consumer_count(self.amqp_uri, q) for q in self.queues())
        try:
            testing.wait_for(ready, timeout, interval=0.2, what=f"probe {self.name} to consume")
        except AssertionError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        testing.stop_process(self.proc)
        if getattr(self, "_log", None):
            self._log.close()
        LIVE_LOGS.discard(self.log_path)

    def close(self) -> None:
        """Stop, drop its queues (they would keep collecting every later event) and its engine."""
        self.stop()
        try:
            with Connection(self.amqp_uri, connect_timeout=5) as conn:
                channel = conn.channel()
                for q in self.queues():
                    channel.queue_delete(q)
                    channel.queue_delete(broker.dlq_name(q))
        except Exception:  # broker away: the session's vhost is deleted at the end anyway
            pass
        self.engine.dispose()

    # what the probe saw

    def handled(self, event_ids=None) -> dict[str, int]:
        """event_id -> how many times the probe recorded handling it."""
        sql = "SELECT event_id, count(*) FROM probe_handled"
        params = {}
        if event_ids is not None:
            sql += " WHERE event_id = ANY(:ids)"
            params["ids"] = list(event_ids)
        with self.engine.connect() as conn:
            return dict(conn.execute(text(sql + " GROUP BY event_id"), params).all())

    def handled_rows(self, event_ids) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT event_id, type, school, handler, member_name FROM probe_handled "
                                     "WHERE event_id = ANY(:ids) ORDER BY id"), {"ids": list(event_ids)}).all()

    def dedupe_records(self, event_ids) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM processed_events WHERE event_id = ANY(:ids)"),
                                {"ids": list(event_ids)}).scalar_one()

    def attempts(self, event_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM probe_attempts WHERE event_id = :e"),
                                {"e": event_id}).scalar_one()

    def set_poison(self, value: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE probe_flags SET value = :v WHERE name = 'poison'"), {"v": value})

    def wait_handled(self, event_ids, timeout: float = 60.0) -> dict[str, int]:
        wanted = set(event_ids)
        return testing.wait_for(lambda: (lambda seen: seen if set(seen) >= wanted else False)(self.handled(wanted)),
                                timeout, interval=0.2, what=f"probe to handle {len(wanted)} events")

    def consumed(self, type_: str, outcome: str) -> float:
        """``unionhub_events_consumed_total`` of this probe, from its /metrics."""
        return metric_value(requests.get(f"{self.url}/metrics", timeout=5).text, "unionhub_events_consumed_total",
                            service=self.name, type=type_, outcome=outcome)


# --- broker and metrics ---------------------------------------------------------------------

def consumer_count(amqp_uri: str, queue: str) -> int:
    with Connection(amqp_uri, connect_timeout=3) as conn:
        channel = conn.channel()
        try:
            _name, _count, consumers = channel.queue_declare(queue=queue, passive=True)
        except Exception:
            return 0
        return consumers


def list_queues(amqp_uri: str) -> dict[str, dict]:
    """name -> {type, durable, messages, consumers}, as rabbitmqctl sees the test vhost."""
    out = subprocess.run(["rabbitmqctl", "list_queues", "-q", "-p", vhost_of(amqp_uri),
                          "name", "type", "durable", "messages", "consumers", "--formatter", "json"],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return {q["name"]: q for q in json.loads(out or "[]")}


def metric_value(exposition: str, name: str, **labels) -> float:
    total = 0.0
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def publish_raw(amqp_uri: str, exchange: str, routing_key: str, body: bytes, headers: dict | None = None,
                message_id: str | None = None) -> None:
    """Publish bytes as a foreign or buggy publisher would (confirmed, persistent, mandatory)."""
    from amqp.basic_message import Message
    with Connection(amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
        props = {"content_type": "application/json", "content_encoding": "utf-8", "delivery_mode": 2,
                 "application_headers": headers or {}}
        if message_id:
            props["message_id"] = message_id
        channel.basic_publish(Message(body, **props), exchange=exchange, routing_key=routing_key, mandatory=True)


def get_dead_letter(amqp_uri: str, queue: str):
    """Take one message off ``queue``'s DLQ (acked) and return it, or None."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        message = channel.basic_get(broker.dlq_name(queue), no_ack=False)
        if message is not None:
            channel.basic_ack(message.delivery_tag)
        return message


def rpc(amqp_uri: str, service: str, method: str, *, context: dict, timeout: float = 15.0, **kwargs):
    """One blocking RPC through nameko's standalone proxy (no monkey-patching needed)."""
    import shared.service  # noqa: F401  registers the domain errors, so they arrive as themselves
    from nameko.standalone.rpc import ClusterRpcProxy
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=context, timeout=timeout) as proxy:
        return getattr(getattr(proxy, service), method)(**kwargs)


class Service(testing.ServiceProcess):
    """``unionhub serve <plugin> --migrate`` whose log is printed when a test fails."""

    def start(self, timeout: float = 60.0):
        register_log(self.log_path)
        return super().start(timeout)

    def stop(self) -> None:
        super().stop()
        LIVE_LOGS.discard(self.log_path)


def cli(env: dict, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
