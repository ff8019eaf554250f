"""Small helpers shared by the benches: result files, percentiles, /proc CPU sampling, /metrics."""
from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

RESULTS = Path(__file__).resolve().parent / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def write_result(name: str, data: dict, path: Path | None = None) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = path or RESULTS / f"{name}-{timestamp()}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return path


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": os.getloadavg()}


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def latency_summary(values_ms: list[float]) -> dict:
    values = sorted(values_ms)
    r = lambda v: None if v is None else round(v, 2)  # noqa: E731
    return {"p50_ms": r(percentile(values, 50)), "p95_ms": r(percentile(values, 95)),
            "p99_ms": r(percentile(values, 99)), "max_ms": r(values[-1] if values else None),
            "mean_ms": r(sum(values) / len(values) if values else None)}


# ---------------------------------------------------------------------------------- CPU sampling
def _proc_cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


_STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def _system_cpu() -> list[int]:
    """Jiffies of all CPUs from /proc/stat: user nice system idle iowait irq softirq steal."""
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]


def pids_by_name(*needles: str) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if any(n in cmd for n in needles):
                out.append(int(entry))
    return out


class CpuMeter:
    """CPU used by groups of processes between ``start()`` and ``stop()``, in % of one core, plus
    whole-machine busy % (so the CPU of processes outside the bench is visible too) and a few
    ``top -b -n1`` snapshots taken during the window."""

    def __init__(self, groups: dict, snapshots: int = 2, snapshot_every: float = 10.0):
        self.groups = groups  # name -> callable returning pids (evaluated at start and stop)
        self.snapshots = snapshots
        self.snapshot_every = snapshot_every
        self._top: list[str] = []
        self._stop = threading.Event()

    def _read(self) -> dict:
        out = {}
        for name, pids_fn in self.groups.items():
            for pid in pids_fn():
                sec = _proc_cpu_seconds(pid)
                if sec is not None:
                    out[(name, pid)] = sec
        return out

    def start(self) -> "CpuMeter":
        self._t0 = time.monotonic()
        self._a = self._read()
        self._sys0 = _system_cpu()
        self._thread = threading.Thread(target=self._snap, daemon=True)
        self._thread.start()
        return self

    def _snap(self):
        for _ in range(self.snapshots):
            if self._stop.wait(self.snapshot_every):
                return
            try:
                out = subprocess.run(["top", "-b", "-n1", "-w", "200", "-c"], capture_output=True, text=True,
                                     timeout=10).stdout.splitlines()
                self._top.append("\n".join(line[:200] for line in out[:22]))
            except Exception as exc:  # top missing: keep the numbers from /proc
                self._top.append(f"top failed: {exc}")

    def stop(self) -> dict:
        self._stop.set()
        elapsed = time.monotonic() - self._t0
        b = self._read()
        sys1 = _system_cpu()
        self._thread.join(timeout=15)
        groups: dict[str, float] = {}
        for key, end in b.items():
            start = self._a.get(key, 0.0)  # a process that appeared mid-window counts from 0
            groups[key[0]] = groups.get(key[0], 0.0) + (end - start)
        delta = [b - a for a, b in zip(self._sys0, sys1)]
        total = max(1, sum(delta))
        cores = os.cpu_count() or 1
        split = {name: round(d / total * 100.0 * cores, 1) for name, d in zip(_STAT_FIELDS, delta)}
        busy = (total - delta[3] - delta[4]) / total * 100.0 * cores
        known = sum(groups.values()) / elapsed * 100.0
        return {"window_s": round(elapsed, 2),
                "percent_of_one_core": {k: round(v / elapsed * 100.0, 1) for k, v in sorted(groups.items())},
                "machine_busy_percent_of_one_core": round(busy, 1),
                "machine_split_percent_of_one_core": split,
                "unattributed_percent_of_one_core": round(max(0.0, busy - known), 1),
                "cores": cores, "top_snapshots": self._top}


# ---------------------------------------------------------------------------------- /metrics
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(url: str) -> dict:
    """{(metric, frozenset(labels)): value} from a Prometheus text exposition."""
    out = {}
    try:
        text = requests.get(url, timeout=10).text
    except requests.RequestException:
        return out
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        name, brace, labels = head.partition("{")
        try:
            out[(name.strip(), frozenset(_LABEL.findall(labels.rstrip().removesuffix("}")) if brace else ()))] = float(value)
        except ValueError:
            continue
    return out


def scrape_processes(url: str, processes: int = 1, tries: int = 16) -> dict:
    """Scrapes of every process behind one port (several gateway processes share it with
    SO_REUSEPORT; each new connection lands on one of them), keyed by the process's
    ``process_start_time_seconds``: {start_time: scrape}."""
    found: dict = {}
    for _ in range(max(1, tries if processes > 1 else 1)):
        sample = scrape(url)
        key = sample.get(("process_start_time_seconds", frozenset()), 0.0)
        found.setdefault(key, sample)
        if len(found) >= processes:
            break
    return found


def histogram_means(before: dict, after: dict, metric: str, keep: tuple[str, ...]) -> dict:
    """Mean and count of a histogram between two ``scrape_processes`` results (summed over the
    processes seen both times), grouped by the labels in ``keep``."""
    sums: dict = {}
    for proc, after_sample in after.items():
        if proc not in before:
            continue
        for (name, labels), value in after_sample.items():
            if name not in (metric + "_sum", metric + "_count"):
                continue
            d = dict(labels)
            key = " ".join(d.get(k, "") for k in keep)
            delta = value - before[proc].get((name, labels), 0.0)
            slot = sums.setdefault(key, {"sum": 0.0, "count": 0.0})
            slot["sum" if name.endswith("_sum") else "count"] += delta
    return {k: {"count": int(v["count"]), "mean_ms": round(v["sum"] / v["count"] * 1000, 2)}
            for k, v in sorted(sums.items()) if v["count"] > 0}


# ---------------------------------------------------------------------------------- PostgreSQL connections
class PgConnections:
    """Samples pg_stat_activity (every ``every`` s, bounded by ``max_samples``) in a thread: peak
    client connections to this stack's databases and to the whole server, against max_connections.
    The server is shared; when the total reaches the limit, services fail with
    'FATAL: sorry, too many clients already'."""

    def __init__(self, prefix: str, every: float = 0.5, max_samples: int = 20000):
        self.prefix, self.every, self.max_samples = prefix, every, max_samples
        self.peak_ours = self.peak_total = 0
        self.samples = 0
        self.max_connections = None
        self._stop = threading.Event()

    def _run(self):
        from sqlalchemy import create_engine, text
        from shared.testing import PG_ADMIN_URL
        engine = create_engine(PG_ADMIN_URL, pool_size=1, max_overflow=0)
        try:
            with engine.connect() as conn:
                self.max_connections = int(conn.execute(text("SHOW max_connections")).scalar())
                q = text("SELECT count(*) FILTER (WHERE datname LIKE :p), count(*) FROM pg_stat_activity "
                         "WHERE backend_type = 'client backend'")
                qs = text("SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname LIKE :p")
                self._t0 = time.monotonic()
                self._sessions0 = int(conn.execute(qs, {"p": self.prefix + "%"}).scalar())
                conn.commit()
                while not self._stop.is_set() and self.samples < self.max_samples:
                    ours, total = conn.execute(q, {"p": self.prefix + "%"}).one()
                    conn.commit()
                    self.peak_ours, self.peak_total = max(self.peak_ours, ours), max(self.peak_total, total)
                    self.samples += 1
                    self._stop.wait(self.every)
                self.new_sessions = int(conn.execute(qs, {"p": self.prefix + "%"}).scalar()) - self._sessions0
                self.elapsed = time.monotonic() - self._t0
        except Exception as exc:  # diagnostics only
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            engine.dispose()

    def start(self) -> "PgConnections":
        self.error = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join(timeout=10)
        new = getattr(self, "new_sessions", None)
        return {"peak_ours": self.peak_ours, "peak_server_total": self.peak_total,
                "max_connections": self.max_connections, "samples": self.samples,
                "new_connections": new,
                "new_connections_per_s": round(new / self.elapsed, 1) if new is not None and self.elapsed else None,
                "error": self.error}
