"""The chain-check command reads the settings' finance database and fails on a broken chain."""
from __future__ import annotations

import json

from services.finance import verify
from services.finance.domain.chart import BANK
from services.finance.orm import EntryLine


def test_the_command_verifies_every_school_and_fails_when_a_chain_is_broken(fin, engine, monkeypatch, capsys):
    monkeypatch.setenv("UNIONHUB_DB_FINANCE", str(engine.url))
    monkeypatch.setenv("UNIONHUB_SECRET_KEY", "k" * 40)
    fin.pay("S001", "5101", "10.00")
    fin.pay("S002", "5101", "20.00")
    assert verify.main([]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] and [r["school"] for r in out["schools"]] == ["S001", "S002"]
    with engine.begin() as conn:
        conn.execute(EntryLine.__table__.update().where(EntryLine.__table__.c.school == "S002",
                                                        EntryLine.__table__.c.account == BANK).values(credit=0))
    assert verify.main(["--school", "S002"]) == 1
    assert json.loads(capsys.readouterr().out)["schools"][0]["problem"] == "hash_mismatch"
    # the same check as the plugin's operator command: unionhub finance verify-chain
    from shared import cli
    assert cli.main(["finance", "verify-chain", "--school", "S001"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert cli.main(["finance", "verify-chain"]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False
