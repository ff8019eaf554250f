"""The events database (文体活动与工作计划服务). Every table of a school union's data carries TenantMixin."""
from __future__ import annotations

from shared.db import install_kit_tables, make_base

Base = make_base()
KIT = install_kit_tables(Base.metadata)
