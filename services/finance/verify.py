"""``unionhub finance verify-chain [--school CODE]`` (also ``python -m services.finance.verify``):
verify the hash chain of posted entries (凭证哈希链) of one school or of every school, from the
finance database the settings name. Prints JSON; exits 1 when a chain does not verify."""
from __future__ import annotations

import argparse
import json
import sys


def command(runtime, argv) -> int:
    """The plugin command: ``runtime`` gives the finance database."""
    parser = argparse.ArgumentParser(prog="unionhub finance verify-chain", description="校验凭证哈希链")
    parser.add_argument("--school", help="only this school (default: every school with posted entries)")
    args = parser.parse_args(argv)
    from sqlalchemy import select

    from services.finance import ledger
    from services.finance.orm import ChainHead
    with runtime.session("finance") as session:
        schools = [args.school] if args.school else list(session.scalars(select(ChainHead.school).order_by(ChainHead.school)))
        reports = [ledger.verify(session, school) for school in schools]
    print(json.dumps({"schools": reports, "valid": all(r["valid"] for r in reports)}, ensure_ascii=False, indent=2))
    return 0 if all(r["valid"] for r in reports) else 1


def main(argv=None) -> int:
    from shared import plugins, settings
    from shared.runtime import Runtime
    runtime = Runtime(settings.load(), plugins.discover(["finance"]))
    try:
        return command(runtime, argv)
    finally:
        runtime.close()


if __name__ == "__main__":
    sys.exit(main())
