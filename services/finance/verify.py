"""``python -m services.finance.verify [--school CODE]``: verify the hash chain of posted entries
of one school or of every school, from the finance database the settings name. Prints JSON; exits
1 when a chain does not verify. (``unionhub`` itself has no finance subcommand: the CLI is the
kit's, and a plugin cannot add commands to it.)"""
from __future__ import annotations

import argparse
import json
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.finance.verify", description="校验凭证哈希链")
    parser.add_argument("--school", help="only this school (default: every school with posted entries)")
    args = parser.parse_args(argv)
    from sqlalchemy import select

    from services.finance import ledger
    from services.finance.orm import ChainHead
    from shared import plugins, settings
    from shared.runtime import Runtime
    runtime = Runtime(settings.load(), plugins.discover(["finance"]))
    try:
        with runtime.session("finance") as session:
            schools = [args.school] if args.school else list(session.scalars(select(ChainHead.school).order_by(ChainHead.school)))
            reports = [ledger.verify(session, school) for school in schools]
    finally:
        runtime.close()
    print(json.dumps({"schools": reports, "valid": all(r["valid"] for r in reports)}, ensure_ascii=False, indent=2))
    return 0 if all(r["valid"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
