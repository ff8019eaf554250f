"""The run command's behaviour when RabbitMQ is away: it says how to start it, or starts it."""
from shared import commands, settings as settings_mod

UNREACHABLE = "amqp://guest:guest@127.0.0.1:1/"


def test_an_unreachable_broker_without_rabbitmq_server_prints_how_to_start_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(commands.shutil, "which", lambda name: None)
    settings = settings_mod.load({"UNIONHUB_AMQP_URI": UNREACHABLE, "UNIONHUB_DATA_DIR": str(tmp_path)})
    assert commands.ensure_broker(settings) is False
    out = capsys.readouterr().out
    assert "RabbitMQ is not reachable" in out
    assert "rabbitmq-server -detached" in out and "docker compose up -d rabbitmq" in out
    assert "Traceback" not in out


def test_an_unreachable_broker_is_started_when_rabbitmq_server_is_installed(monkeypatch, capsys, tmp_path):
    started = []
    reachable = iter([(False, "refused"), (True, "ok")])
    monkeypatch.setattr(commands.shutil, "which", lambda name: "/usr/sbin/rabbitmq-server")
    monkeypatch.setattr(commands.subprocess, "run", lambda cmd, check: started.append(cmd))
    monkeypatch.setattr(commands.broker, "broker_reachable", lambda uri: next(reachable))
    monkeypatch.setattr(commands.time, "sleep", lambda s: None)
    settings = settings_mod.load({"UNIONHUB_AMQP_URI": UNREACHABLE, "UNIONHUB_DATA_DIR": str(tmp_path)})
    assert commands.ensure_broker(settings) is True
    assert started == [["rabbitmq-server", "-detached"]]
    assert "RabbitMQ is up" in capsys.readouterr().out


def test_run_exits_with_code_2_and_no_traceback_when_the_broker_stays_away(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("UNIONHUB_AMQP_URI", UNREACHABLE)
    monkeypatch.setenv("UNIONHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(commands.shutil, "which", lambda name: None)
    from shared import cli
    assert cli.main(["run"]) == 2
    assert "Start RabbitMQ first" in capsys.readouterr().out
