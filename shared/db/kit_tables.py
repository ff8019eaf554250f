"""Tables every service database carries: the transactional outbox and the inbox (dedupe record)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint, Index
from sqlalchemy.types import JSON


@dataclass(frozen=True)
class KitTables:
    outbox: Table
    processed: Table


def install_kit_tables(metadata: MetaData) -> KitTables:
    if "outbox" in metadata.tables:
        return KitTables(metadata.tables["outbox"], metadata.tables["processed_events"])
    outbox = Table(
        "outbox", metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("exchange", String(64), nullable=False),
        Column("routing_key", String(128), nullable=False),
        Column("type", String(128), nullable=False),
        Column("school", String(32)),
        Column("body", Text, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("created_at", DateTime, nullable=False),
        Column("sent_at", DateTime),
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_at", DateTime, nullable=False),
        Column("last_error", String(500)),
    )
    # the relay's claim walks this (unsent rows in id order): sent rows leave it, so it stays as
    # small as the backlog (an index over every row made each claim read every row ever sent
    # until a vacuum came by)
    Index("ix_outbox_unsent", outbox.c.id, postgresql_where=outbox.c.sent_at.is_(None),
          sqlite_where=outbox.c.sent_at.is_(None))
    processed = Table(
        "processed_events", metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("consumer", String(128), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("processed_at", DateTime, nullable=False),
        UniqueConstraint("consumer", "event_id", name="uq_processed_events_consumer_event"),
    )
    return KitTables(outbox, processed)
