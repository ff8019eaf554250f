"""UnionHub's shared kit (settings, tenancy, unit of work, outbox, inbox, contracts, web, plugins)."""
import warnings

# nameko runs on eventlet, which warns on import that it is in maintenance mode; the stack is
# chosen, so the warning would only repeat itself once per process in every run's output.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
