"""The kit's RPC through the real broker: results and the caller's context arrive, a service's
domain error is raised as the same class, a missing service fails at once, a slow one times out
(and its late reply harms nobody), nameko's own proxy still speaks to a kit service, and the
client finds its way back after the broker dropped every connection."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.support import vhost_of

RUNNER = Path(__file__).with_name("rpc_runner.py")


def test_rpc_scenarios_through_the_real_broker(amqp_uri):
    done = subprocess.run([sys.executable, str(RUNNER), amqp_uri, vhost_of(amqp_uri)], capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["echo"] == {"kwargs": {"a": 1, "name": "王芳"}, "school": "XQ-SY", "actor": "chair",
                            "role": "school_admin"}
    # nameko's error serialisation (kept for its proxies) sends parameter values as text
    assert seen["refused"] == {"class": "NotFound", "code": "member_not_found", "params": {"id": "7"}}
    assert "nosuchservice" in seen["unknown_service"]["service"]
    assert seen["unknown_service"]["seconds"] < 2
    assert seen["timeout"] is True
    assert seen["late_reply_ignored_then_echo"] == {"b": 2}
    assert seen["nameko_proxy"] == {"c": 3}
    assert seen["concurrent_in_order"] is True
    assert seen["after_broker_dropped_connections"] == {"after": "reconnect"}
