"""``unionhub``: run the platform, serve one service, migrate, seed the demo district, manage
dead letters. Imports stay inside commands: ``serve`` must monkey-patch before nameko loads."""
from __future__ import annotations

import argparse
import os
import sys


BUILTIN = ("run", "serve", "migrate", "seed-demo", "create-admin", "dlq", "outbox")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unionhub", description="UnionHub 区教育工会平台",
        epilog="Plugins add their own operator commands: unionhub <plugin> <command> [args] "
               "(unionhub <plugin> lists them).")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="migrate and start the gateway and every installed service")
    run.add_argument("--demo", action="store_true", help="seed a demo district (3 schools, ~300 members)")
    run.add_argument("--port", type=int, help="gateway port (default 8000)")
    run.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    run.add_argument("--database-url", help="PostgreSQL server URL; one database per service (default: SQLite files)")
    run.add_argument("--data-dir", help="where SQLite files and the generated secret live (default ./var)")
    run.add_argument("--only", nargs="+", metavar="PLUGIN", help="start only these plugins")

    serve = sub.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("plugin")
    serve.add_argument("--migrate", action="store_true", help="upgrade its database first")
    serve.add_argument("--port", type=int)

    migrate = sub.add_parser("migrate", help="upgrade plugin databases to the newest schema")
    migrate.add_argument("plugins", nargs="*")

    sub.add_parser("seed-demo", help="seed the demo district into the databases")
    sub.add_parser("create-admin", help="create the district admin 'admin' if missing")

    dlq = sub.add_parser("dlq", help="dead-lettered events")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_sub.add_parser("list", help="dead-letter queues and their depth")
    replay = dlq_sub.add_parser("replay", help="put dead-lettered events back on their queue")
    replay.add_argument("--queue", help="only this consumer queue (default: every DLQ)")
    replay.add_argument("--limit", type=int, default=0, help="at most this many messages (0 = all)")

    outbox = sub.add_parser("outbox", help="outbox state of each service")
    outbox.add_argument("action", choices=["status"])
    return parser


def _apply_overrides(args) -> None:
    for attr, env in (("database_url", "UNIONHUB_DATABASE_URL"), ("data_dir", "UNIONHUB_DATA_DIR"),
                      ("host", "UNIONHUB_HOST")):
        value = getattr(args, attr, None)
        if value:
            os.environ[env] = value
    if getattr(args, "port", None) and args.command == "run":
        os.environ["UNIONHUB_PORT_GATEWAY"] = str(args.port)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in BUILTIN and not argv[0].startswith("-"):
        from shared import commands
        return commands.plugin_command(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    _apply_overrides(args)
    if args.command == "serve":
        from shared.runner import serve
        return serve(args.plugin, migrate=args.migrate, port=args.port)
    from shared import commands
    handler = {"run": commands.run, "migrate": commands.migrate, "seed-demo": commands.seed_demo,
               "create-admin": commands.create_admin, "dlq": commands.dlq, "outbox": commands.outbox}[args.command]
    return handler(args) or 0


if __name__ == "__main__":
    sys.exit(main())
