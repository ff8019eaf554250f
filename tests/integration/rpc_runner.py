"""Scenarios of the kit's RPC (shared/rpc.py) in one eventlet process: a service with ``@rpc``
methods in a nameko container, called by ``RpcClient`` and by nameko's own proxy, through the real
broker. Prints one JSON object of what each scenario saw; tests/integration/test_rpc.py judges it.

    python tests/integration/rpc_runner.py AMQP_URI VHOST
"""
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nameko.containers import ServiceContainer  # noqa: E402
from nameko.exceptions import UnknownService  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from shared import errors  # noqa: E402
from shared.rpc import RpcClient, rpc  # noqa: E402
from shared.service import Context  # noqa: E402,F401  (registers the domain errors with nameko)


class RpcProbe:
    name = "rpcprobe"
    ctx = Context()

    @rpc
    def echo(self, **kwargs):
        current = self.ctx.current
        return {"kwargs": kwargs, "school": current.school, "actor": current.actor, "role": current.role}

    @rpc
    def refuse(self, code):
        raise errors.NotFound(code, params={"id": 7})

    @rpc
    def slow(self, seconds):
        eventlet.sleep(seconds)
        return "late"


def main() -> int:
    amqp_uri, vhost = sys.argv[1], sys.argv[2]
    out = {}
    container = ServiceContainer(RpcProbe, {"AMQP_URI": amqp_uri, "max_workers": 10, "SERIALIZER": "json",
                                            "WEB_SERVER_ADDRESS": "127.0.0.1:0"})
    container.start()
    client = RpcClient(amqp_uri, name="rpcprobe-client").start()
    ctx = {"school": "XQ-SY", "actor": "chair", "role": "school_admin"}
    try:
        out["echo"] = client.call("rpcprobe", "echo", {"a": 1, "name": "王芳"}, ctx, timeout=10)
        try:
            client.call("rpcprobe", "refuse", {"code": "member_not_found"}, ctx, timeout=10)
        except errors.NotFound as exc:
            out["refused"] = {"class": type(exc).__name__, "code": exc.code, "params": exc.params}
        t0 = time.monotonic()
        try:
            client.call("nosuchservice", "anything", {}, ctx, timeout=10)
        except UnknownService as exc:
            out["unknown_service"] = {"service": str(exc), "seconds": round(time.monotonic() - t0, 3)}
        try:
            client.call("rpcprobe", "slow", {"seconds": 3}, ctx, timeout=0.5)
        except eventlet.Timeout:
            out["timeout"] = True
        out["late_reply_ignored_then_echo"] = client.call("rpcprobe", "echo", {"b": 2}, ctx, timeout=10)["kwargs"]
        with ClusterRpcProxy({"AMQP_URI": amqp_uri, "SERIALIZER": "json"}, timeout=10) as proxy:
            out["nameko_proxy"] = proxy.rpcprobe.echo(c=3)["kwargs"]
        pool = eventlet.GreenPool(50)
        answers = list(pool.imap(lambda i: client.call("rpcprobe", "echo", {"i": i}, ctx, timeout=20)["kwargs"]["i"],
                                 range(200)))
        out["concurrent_in_order"] = answers == list(range(200))
        subprocess.run(["rabbitmqctl", "close_all_connections", "-p", vhost, "rpc test"], capture_output=True,
                       timeout=60)
        deadline, after = time.monotonic() + 30, None
        while time.monotonic() < deadline and after is None:
            try:
                after = client.call("rpcprobe", "echo", {"after": "reconnect"}, ctx, timeout=2)["kwargs"]
            except Exception:   # until both the client and the service are back on the broker
                eventlet.sleep(0.5)
        out["after_broker_dropped_connections"] = after
    finally:
        client.stop()
        container.stop()
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
