"""An in-process copy of the read-model documents of the schools a gateway process serves.

The gateway's database stays the read model's store (``read_docs``): every write to it takes the
next generation number of its school (``read_gens``, one row per school, bumped in the same
transaction) and stamps the documents it writes with it. A request learns its school's current
generation in the one query it makes anyway (school active, token not revoked); when the copy here
is older, the documents written since are fetched (``gen > cached``) before answering. So every
gateway process answers reads from memory and still reads its own and every other process's
writes: what a client was told was written is what the next read shows, whichever process
answers it.

Generations of one school are handed out under that school's row lock, so a transaction with
generation g commits before any transaction can take g + 1: seeing g + 1 committed means every
document up to it is visible too.
"""
from __future__ import annotations

import bisect
import json
from collections import OrderedDict
from dataclasses import dataclass

TAGS = ("tag1", "tag2", "tag3")


@dataclass
class Entry:
    version: int
    tags: tuple
    search: str
    data: dict


class Collection:
    """Documents of one collection of one school, ordered by key, indexed by each tag value."""

    def __init__(self):
        self.docs: dict[int, Entry] = {}
        self.keys: list[int] = []
        self.by_tag: dict[tuple[int, str], list[int]] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def put(self, key: int, entry: Entry) -> bool:
        """Store ``entry`` unless a newer version is held; True when stored."""
        old = self.docs.get(key)
        if old is not None and old.version >= entry.version:
            return False
        if old is None:
            bisect.insort(self.keys, key)
        for i, (before, after) in enumerate(zip(old.tags if old else (None, None, None), entry.tags)):
            if before == after:
                continue
            if before is not None:
                keys = self.by_tag[(i, before)]
                del keys[bisect.bisect_left(keys, key)]
                if not keys:
                    del self.by_tag[(i, before)]
            if after is not None:
                bisect.insort(self.by_tag.setdefault((i, after), []), key)
        self.docs[key] = entry
        return True

    def get(self, key: int) -> dict | None:
        entry = self.docs.get(key)
        return None if entry is None else dict(entry.data)

    def query(self, tags: dict, search: str | None, offset: int, limit: int) -> tuple[list[dict], int]:
        """A page of the documents matching every tag (``{"tag1": value, ...}``) and, when given,
        containing ``search`` (case-insensitive), ordered by key; and how many match in all."""
        wanted = [(TAGS.index(name), str(value)) for name, value in sorted(tags.items())
                  if value is not None and name in TAGS]
        candidates = self.keys
        for i, value in wanted:
            keys = self.by_tag.get((i, value))
            if keys is None:
                return [], 0
            if len(keys) < len(candidates):
                candidates = keys
        needle = search.casefold() if search else None
        if needle is None and len(wanted) <= 1:
            # the candidate list is exactly the answer: slice it
            page = candidates[offset:offset + limit]
            return [dict(self.docs[k].data) for k in page], len(candidates)
        docs, total, out = self.docs, 0, []
        for key in candidates:
            entry = docs[key]
            if any(entry.tags[i] != value for i, value in wanted):
                continue
            if needle is not None and needle not in entry.search:
                continue
            if offset <= total < offset + limit:
                out.append(dict(entry.data))
            total += 1
        return out, total

    def all(self) -> list[dict]:
        return [dict(self.docs[k].data) for k in self.keys]


class SchoolDocs:
    """Every collection of one school, as of generation ``gen``."""

    def __init__(self, gen: int = 0):
        self.gen = gen
        self.collections: dict[str, Collection] = {}

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.collections.values())

    def collection(self, name: str) -> Collection:
        found = self.collections.get(name)
        if found is None:
            found = self.collections[name] = Collection()
        return found

    def apply(self, rows) -> int:
        """Rows of ``(collection, key, version, tag1, tag2, tag3, search, data, gen)`` with ``data``
        already decoded; returns the highest generation among them."""
        highest = self.gen
        for collection, key, version, tag1, tag2, tag3, search, data, gen in rows:
            self.collection(collection).put(int(key), Entry(int(version), (tag1, tag2, tag3),
                                                            (search or "").casefold(), data))
            if gen is not None and gen > highest:
                highest = gen
        return highest


def _text(value):
    return None if value is None else str(value)


class ReadCache:
    """Schools' documents, least recently used first out once more than ``max_docs`` are held."""

    def __init__(self, max_docs: int = 200_000):
        self.max_docs = max_docs
        self.schools: OrderedDict[str, SchoolDocs] = OrderedDict()

    def current(self, school: str, gen: int) -> SchoolDocs | None:
        """The school's documents when they are as new as ``gen``, else None (fetch first)."""
        held = self.schools.get(school)
        if held is None or held.gen < gen:
            return None
        self.schools.move_to_end(school)
        return held

    def holds(self, school: str, collection: str, key: int, version: int) -> bool:
        """Whether this copy holds the document in ``version`` or a newer one. Everything held
        was read from the store or written to it by this process after its commit, so the store
        holds it too."""
        held = self.schools.get(school)
        found = held.collections.get(collection) if held is not None else None
        entry = found.docs.get(key) if found is not None else None
        return entry is not None and entry.version >= version

    def since(self, school: str) -> int | None:
        """The generation held for ``school`` (None: nothing held, load everything)."""
        held = self.schools.get(school)
        return None if held is None else held.gen

    def load(self, school: str, gen: int, rows) -> SchoolDocs:
        """Replace the school's documents with ``rows`` (everything it has, as of ``gen``)."""
        docs = SchoolDocs()
        docs.gen = max(gen, docs.apply(rows))
        self.schools[school] = docs
        self.schools.move_to_end(school)
        self._evict()
        return docs

    def advance(self, school: str, gen: int, rows) -> SchoolDocs:
        """Apply the documents written since the held generation."""
        docs = self.schools[school]
        docs.gen = max(gen, docs.apply(rows))
        self.schools.move_to_end(school)
        return docs

    def absorb(self, school: str, gen: int, docs) -> None:
        """This process's own write, committed as generation ``gen``: taken straight into the copy
        when the copy held ``gen - 1`` (so nothing written in between is missing), else left for
        the next read to fetch."""
        held = self.schools.get(school)
        if held is None or held.gen != gen - 1:
            return
        held.apply((d.collection, d.key, d.version, *(_text(t) for t in (tuple(d.tags) + (None,) * 3)[:3]), d.search,
                    json.loads(json.dumps(d.data, ensure_ascii=False, default=str)), gen) for d in docs)
        held.gen = gen

    def _evict(self) -> None:
        total = sum(d.size for d in self.schools.values())
        while total > self.max_docs and len(self.schools) > 1:
            _school, dropped = self.schools.popitem(last=False)
            total -= dropped.size
