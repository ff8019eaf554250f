"""Runs the probe service (tests/integration/probe_service.py) in its own process.

Environment: PROBE_AMQP_URI, PROBE_DB_URL, PROBE_PORT, PROBE_NAME (the nameko service name, so
each test run gets its own queues), PROBE_DELIVERY_LIMIT (default 3), PROBE_POISON (the member
name the handler fails on; default POISON; empty = healthy).
"""
import eventlet

eventlet.monkey_patch()

import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nameko.runners import ServiceRunner  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: E402

from shared import contracts  # noqa: E402

import probe_service  # noqa: E402


def main() -> int:
    logging.basicConfig(level=os.environ.get("PROBE_LOG_LEVEL", "INFO"),
                        format="%(asctime)s probe %(levelname)s %(name)s: %(message)s")
    contracts.load_all()
    db_url = os.environ["PROBE_DB_URL"]
    engine = create_engine(db_url)
    probe_service.Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(pg_insert(probe_service.Flag.__table__)
                     .values(name="poison", value=os.environ.get("PROBE_POISON", "POISON") or None)
                     .on_conflict_do_nothing())
    engine.dispose()

    service_cls = type("ProbeService", (probe_service.ProbeService,), {"name": os.environ.get("PROBE_NAME", "probe")})
    config = {
        "AMQP_URI": os.environ["PROBE_AMQP_URI"],
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{os.environ['PROBE_PORT']}",
        "max_workers": 10,
        "parent_calls_tracked": 10,
        "SERIALIZER": "json",
        "UNIONHUB_SERVICE": service_cls.name,
        "UNIONHUB_DB_URL": db_url,
        "UNIONHUB_DELIVERY_LIMIT": int(os.environ.get("PROBE_DELIVERY_LIMIT", 3)),
    }
    runner = ServiceRunner(config)
    runner.add_service(service_cls)

    def shutdown(signum, frame):
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger("probe").info("probe %s listening on %s", service_cls.name, config["WEB_SERVER_ADDRESS"])
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
