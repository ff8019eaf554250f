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


# ---- plugin commands: unionhub <plugin> <command> [args] -------------------------------------------

CALLS = []


def _probe_command(runtime, argv):
    """A plugin command for the tests below: records its arguments, fails on --fail."""
    CALLS.append((type(runtime).__name__, list(argv)))
    return 3 if "--fail" in argv else 0


def _with_probe_plugin(monkeypatch, tmp_path):
    from shared.plugins import Plugin, PluginError
    probe = Plugin(name="probe", commands={"check": f"{__name__}:_probe_command"})

    def setup(only=None):
        if only and set(only) - {"probe"}:
            raise PluginError("no such plugin")
        return settings_mod.load({"UNIONHUB_DATA_DIR": str(tmp_path)}), {"probe": probe}
    monkeypatch.setattr(commands, "_setup", setup)
    CALLS.clear()


def test_a_plugin_command_runs_with_a_runtime_and_its_arguments(monkeypatch, tmp_path):
    _with_probe_plugin(monkeypatch, tmp_path)
    from shared import cli
    assert cli.main(["probe", "check", "--school", "S1"]) == 0
    assert CALLS == [("Runtime", ["--school", "S1"])]
    assert cli.main(["probe", "check", "--fail"]) == 3


def test_an_unknown_plugin_or_command_says_so_with_exit_code_2(monkeypatch, capsys, tmp_path):
    _with_probe_plugin(monkeypatch, tmp_path)
    from shared import cli
    assert cli.main(["nosuch"]) == 2
    assert "no such command or plugin: 'nosuch'" in capsys.readouterr().out
    assert cli.main(["probe", "frobnicate"]) == 2
    out = capsys.readouterr().out
    assert "no command 'frobnicate'" in out and "commands: check" in out
    assert cli.main(["probe"]) == 0 and "commands: check" in capsys.readouterr().out
    assert CALLS == []


def test_the_busy_hops_run_one_process_per_core_at_most_two_and_the_rest_one(monkeypatch):
    from shared import commands
    monkeypatch.setattr(commands.os, "cpu_count", lambda: 8)
    for name in ("GATEWAY", "MEMBERSHIP", "WELFARE"):
        monkeypatch.delenv(f"UNIONHUB_{name}_PROCESSES", raising=False)
    assert [commands.process_count(n) for n in ("gateway", "membership", "welfare")] == [2, 2, 1]
    assert commands.process_count("membership", "sqlite:///var/membership.db") == 1   # two writers, one file lock
    assert commands.process_count("gateway", "sqlite:///var/gateway.db") == 2
    monkeypatch.setattr(commands.os, "cpu_count", lambda: 1)
    assert [commands.process_count(n) for n in ("gateway", "membership", "welfare")] == [1, 1, 1]
    monkeypatch.setenv("UNIONHUB_MEMBERSHIP_PROCESSES", "3")
    monkeypatch.setenv("UNIONHUB_WELFARE_PROCESSES", "0")
    assert [commands.process_count(n) for n in ("membership", "welfare")] == [3, 1]


def test_services_run_as_several_processes_share_one_emptied_metrics_folder_and_the_others_none(tmp_path):
    from shared.runner import _metrics_dirs
    stale = tmp_path / "metrics" / "gateway" / "counter_1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    dirs = _metrics_dirs(["gateway", "gateway", "membership", "membership", "welfare"], tmp_path / "metrics")
    assert sorted(dirs) == ["gateway", "membership"]
    assert not stale.exists() and all(tmp_path.joinpath("metrics", n).is_dir() for n in dirs)


def test_the_gateway_processes_of_a_run_share_one_zeroed_counters_file_with_a_row_each(tmp_path):
    from shared import hoststate
    from shared.runner import _gateway_state
    stale = tmp_path / "gateway-state"
    stale.write_bytes(b"\x01" * 64)
    path = _gateway_state(["gateway", "gateway", "membership"], tmp_path)
    assert path == str(stale.resolve())
    assert stale.read_bytes() == bytes(2 * hoststate.ROW_BYTES)
    rows = [hoststate.HostState(path, row) for row in (0, 1)]
    before = rows[1].stamp("S001")
    rows[0].wrote({"S001"})
    assert rows[1].stamp("S001") == before + 1
    for row in rows:
        row.close()
    assert _gateway_state(["membership"], tmp_path / "other") is None
