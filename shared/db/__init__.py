"""Storage kit: declarative base with tenant rows, engines, tenant-guarded sessions, unit of work."""
from shared.db.base import TenantMixin, make_base, utcnow  # noqa: F401
from shared.db.kit_tables import install_kit_tables  # noqa: F401
from shared.db.engine import make_engine  # noqa: F401
from shared.db.session import TenantSessionFactory  # noqa: F401
from shared.db.uow import UnitOfWork  # noqa: F401
