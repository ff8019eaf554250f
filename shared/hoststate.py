"""What the gateway processes of one host tell each other without asking the database: that they
wrote something (主机共享状态).

Every request to a school route needs the school's state (known and active, read models settling,
the caller's token revocation mark, the generation of the school's read-model documents). All of
it lives in the gateway's database and only the gateway writes it. When every gateway process runs
on one host (``unionhub run`` starts them: the runner creates the file and tells each process its
row), each process counts its own writes in a shared file, per school and in all: after a write
commits and before its answer leaves, the writer raises its counters. A reader remembers a school's
state together with the sum of the counters it saw *before* it asked the database; while that sum
is unchanged, nobody on this host wrote anything the state depends on, and the remembered state is
still the database's. So a read skips its one query, and a client still reads its own write from
whichever process answers it: the writer raised its counter before the client heard back.

Each process writes only its own row (no two writers on one word, so no lost increments); the
counters only grow, so their sum changes whenever any of them does. A school shares its counter
with the schools that hash to the same slot, which only costs them a query. Writes from elsewhere
(another host, a command run beside the platform) are not counted: a remembered state is asked
again after ``UNIONHUB_GATEWAY_STATE_TTL`` seconds (1 by default) whatever the counters say, which
bounds how late such a write is seen. Without the file (a gateway started on its own, as in
docker-compose, where replicas may run on several hosts) every request asks the database.
"""
from __future__ import annotations

import mmap
import os
import time
import zlib
from pathlib import Path

SLOTS = 4096                 # per process: slot 0 counts every write, 1..SLOTS-1 a school's (by hash)
WORD = 8
ROW_BYTES = SLOTS * WORD
MAX_ENTRIES = 20_000         # remembered (school, user) states per process


def create(path: Path, rows: int) -> None:
    """The shared file for ``rows`` gateway processes, zeroed (the runner calls this at start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(rows * ROW_BYTES)


class HostState:
    def __init__(self, path: str, row: int, ttl: float = 1.0):
        size = os.path.getsize(path)
        rows = size // ROW_BYTES
        if size == 0 or size % ROW_BYTES or not 0 <= row < rows:
            raise ValueError(f"{path}: no row {row} in a state file of {size} bytes")
        fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        self._words = memoryview(self._map).cast("Q")
        self._rows = rows
        self._mine = row * SLOTS
        self.ttl = ttl
        self._states: dict[tuple[str, str], tuple[int, float, tuple]] = {}

    @classmethod
    def from_env(cls, env=os.environ) -> "HostState | None":
        path, row = env.get("UNIONHUB_GATEWAY_STATE"), env.get("UNIONHUB_GATEWAY_STATE_ROW")
        if not path or row is None:
            return None
        return cls(path, int(row), float(env.get("UNIONHUB_GATEWAY_STATE_TTL", 1.0)))

    @staticmethod
    def slot(school: str) -> int:
        return 1 + zlib.crc32(school.encode()) % (SLOTS - 1)

    # --- writers -----------------------------------------------------------------------------------
    def wrote(self, schools=None) -> None:
        """This process committed a write to these schools' state (None: to anything, e.g. an
        account's revocation or a school's registration). Call before the write is answered."""
        words, mine = self._words, self._mine
        for i in ({0} if schools is None else {self.slot(s) for s in schools}):
            words[mine + i] += 1

    # --- readers -----------------------------------------------------------------------------------
    def stamp(self, school: str) -> int:
        """The sum of every process's counters that a change to ``school``'s state raises."""
        words, slot = self._words, self.slot(school)
        return sum(words[r * SLOTS] + words[r * SLOTS + slot] for r in range(self._rows))

    def remembered(self, school: str, username: str, stamp: int):
        """The state remembered for ``(school, username)`` when nothing was written since and it is
        younger than the TTL; else None."""
        found = self._states.get((school, username)) if self.ttl > 0 else None
        if found is None or found[0] != stamp or time.monotonic() - found[1] > self.ttl:
            return None
        return found[2]

    def remember(self, school: str, username: str, stamp: int, state: tuple) -> None:
        """Keep ``state`` as read after seeing ``stamp`` (the stamp taken before the query)."""
        if len(self._states) >= MAX_ENTRIES:
            self._states.clear()
        self._states[(school, username)] = (stamp, time.monotonic(), state)

    def close(self) -> None:
        self._words.release()
        self._map.close()
