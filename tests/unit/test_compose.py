"""docker-compose.yml, the Dockerfile and deploy/ checked for what would break `docker compose up`.

No Docker is needed: the compose file is read with yaml.safe_load and checked against the repository
(build contexts, bind-mounted files), the real CLI parser (`shared.cli.build_parser()`), the plugins
registered in pyproject.toml, the Prometheus scrape config, the Grafana provisioning and the
PostgreSQL init script (run for real, with a fake `psql` that records the SQL it is given).

Each check is a plain function returning a list of problems (empty when all is well), so that the
second half of this module can feed it deliberately broken input and prove it is not vacuous.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_PATH = ROOT / "docker-compose.yml"
DOCKERFILE_PATH = ROOT / "Dockerfile"
PYPROJECT_PATH = ROOT / "pyproject.toml"
PROMETHEUS_PATH = ROOT / "deploy" / "prometheus" / "prometheus.yml"
INIT_SCRIPT_PATH = ROOT / "deploy" / "postgres" / "init-databases.sh"
RABBITMQ_PLUGINS_PATH = ROOT / "deploy" / "rabbitmq" / "enabled_plugins"
GRAFANA_DATASOURCES_PATH = ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
GRAFANA_PROVIDERS_PATH = ROOT / "deploy" / "grafana" / "provisioning" / "dashboards" / "unionhub.yml"
DASHBOARD_PATH = ROOT / "deploy" / "grafana" / "dashboards" / "unionhub.json"

PLUGIN_GROUP = "unionhub.plugins"
# The port each service serves /healthz, /readyz and /metrics on when nothing overrides it.
DEFAULT_PORTS = {"gateway": 8000, "membership": 8001, "congress": 8002, "welfare": 8003,
                 "events": 8004, "finance": 8005}
RABBITMQ_PROMETHEUS_PORT = 15692
GATEWAY_PUBLISHED_PORT = 8000
DASHBOARD_METRICS = (
    "unionhub_http_request_duration_seconds",
    "unionhub_rpc_duration_seconds",
    "unionhub_outbox_backlog",
    "unionhub_events_published_total",
    "unionhub_events_consumed_total",
    "unionhub_dlq_depth",
    "unionhub_members",
)
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


# --------------------------------------------------------------------------------------------
# Reading compose's several spellings of the same thing
# --------------------------------------------------------------------------------------------

def load_yaml(path: Path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def services_of(compose: dict) -> dict:
    return compose.get("services") or {}


def argv_of(value) -> list[str]:
    """A compose command/entrypoint (list or shell string) as an argument list."""
    if value is None:
        return []
    if isinstance(value, str):
        return shlex.split(value)
    return [str(v) for v in value]


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return {str(k): "" if v is None else str(v) for k, v in env.items()}
    result = {}
    for item in env:
        key, _, value = str(item).partition("=")
        result[key] = value
    return result


def depends_on_of(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {str(name): "service_started" for name in deps}
    return {str(name): (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def networks_of(service: dict) -> list[str]:
    nets = service.get("networks") or []
    return [str(n) for n in (nets.keys() if isinstance(nets, dict) else nets)]


def is_host_path(source: str) -> bool:
    return source.startswith((".", "/", "~", "$"))


def mounts_of(service: dict) -> list[tuple[str, str | None, str]]:
    """(kind, source, target) for each entry of `volumes`; kind is "bind" or "volume"."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            kind = entry.get("type", "volume")
            mounts.append((kind, entry.get("source"), str(entry.get("target", ""))))
            continue
        parts = str(entry).split(":")
        if len(parts) == 1:  # anonymous volume: just a container path
            mounts.append(("volume", None, parts[0]))
            continue
        source, target = parts[0], parts[1]
        mounts.append(("bind" if is_host_path(source) else "volume", source, target))
    return mounts


def port_mappings_of(service: dict) -> list[tuple[str | None, str]]:
    """(published, target) pairs from `ports`, short or long syntax; published None if none."""
    mappings = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            published = entry.get("published")
            mappings.append((None if published is None else str(published), str(entry.get("target"))))
            continue
        spec = str(entry).split("/", 1)[0]  # drop /tcp, /udp
        parts = spec.rsplit(":", 2)
        if len(parts) == 1:
            mappings.append((None, parts[0]))
        else:
            mappings.append((parts[-2], parts[-1]))
    return mappings


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    instructions, current = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        word, _, rest = current.strip().partition(" ")
        instructions.append((word.upper(), rest.strip()))
        current = ""
    return instructions


def exec_or_shell_form(arguments: str) -> list[str]:
    if arguments.startswith("["):
        return [str(a) for a in json.loads(arguments)]
    return shlex.split(arguments)


def dockerfile_cmd(path: Path) -> list[str] | None:
    cmds = [args for word, args in dockerfile_instructions(path) if word == "CMD"]
    return exec_or_shell_form(cmds[-1]) if cmds else None


def dockerfile_env(path: Path) -> dict[str, str]:
    env = {}
    for word, args in dockerfile_instructions(path):
        if word != "ENV":
            continue
        tokens = shlex.split(args)
        if tokens and "=" not in tokens[0]:  # legacy form: ENV KEY value
            env[tokens[0]] = " ".join(tokens[1:])
            continue
        for token in tokens:
            key, _, value = token.partition("=")
            env[key] = value
    return env


def build_of(service: dict, base_dir: Path) -> tuple[Path, Path] | None:
    """(context directory, Dockerfile path) of a service with a build section."""
    build = service.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    else:
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    context_dir = (base_dir / context).resolve()
    return context_dir, (context_dir / dockerfile)


def effective_argv(service: dict, base_dir: Path) -> list[str]:
    """What the container runs: entrypoint + command, falling back to the built image's CMD."""
    command = argv_of(service.get("command"))
    if not command:
        build = build_of(service, base_dir)
        if build and build[1].is_file():
            command = dockerfile_cmd(build[1]) or []
    return argv_of(service.get("entrypoint")) + command


def effective_env(service: dict, base_dir: Path) -> dict[str, str]:
    env = {}
    build = build_of(service, base_dir)
    if build and build[1].is_file():
        env.update(dockerfile_env(build[1]))
    env.update(environment_of(service))
    return env


def is_unionhub(argv: list[str]) -> bool:
    return bool(argv) and os.path.basename(argv[0]) == "unionhub"


def serve_args(argv: list[str]) -> tuple[str | None, int | None]:
    """(plugin, --port) of a `unionhub serve <plugin> [--migrate] [--port N]` argument list."""
    if not is_unionhub(argv) or len(argv) < 2 or argv[1] != "serve":
        return None, None
    plugin, port, rest = None, None, argv[2:]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token == "--port" and i + 1 < len(rest):
            port = int(rest[i + 1])
            i += 2
            continue
        if token.startswith("--port="):
            port = int(token.split("=", 1)[1])
        elif not token.startswith("-") and plugin is None:
            plugin = token
        i += 1
    return plugin, port


def served_services(compose: dict, base_dir: Path) -> dict[str, str]:
    """compose service name -> plugin, for every container that runs `unionhub serve <plugin>`."""
    served = {}
    for name, service in services_of(compose).items():
        plugin, _ = serve_args(effective_argv(service, base_dir))
        if plugin:
            served[name] = plugin
    return served


def service_port(service: dict, base_dir: Path) -> int | None:
    """The HTTP port a `unionhub serve` container listens on: --port, UNIONHUB_PORT_<PLUGIN>, default."""
    plugin, port = serve_args(effective_argv(service, base_dir))
    if port is not None:
        return port
    value = effective_env(service, base_dir).get(f"UNIONHUB_PORT_{(plugin or '').upper()}")
    if value:
        return int(value)
    return DEFAULT_PORTS.get(plugin or "")


def registered_plugins(pyproject_path: Path) -> set[str]:
    with open(pyproject_path, "rb") as f:
        data = tomllib.load(f)
    return set(data.get("project", {}).get("entry-points", {}).get(PLUGIN_GROUP, {}))


def subcommands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


# --------------------------------------------------------------------------------------------
# The checks: each returns a list of problems
# --------------------------------------------------------------------------------------------

def check_images_or_builds(compose: dict) -> list[str]:
    services = services_of(compose)
    if not services:
        return ["no services defined"]
    return [f"service {name!r} has neither image nor build"
            for name, service in services.items() if not (service or {}).get("image")
            and (service or {}).get("build") is None]


def check_build_contexts(compose: dict, base_dir: Path) -> list[str]:
    problems = []
    for name, service in services_of(compose).items():
        build = build_of(service, base_dir)
        if build is None:
            continue
        context, dockerfile = build
        if not context.is_dir():
            problems.append(f"service {name!r}: build context {context} does not exist")
        elif not dockerfile.is_file():
            problems.append(f"service {name!r}: no Dockerfile at {dockerfile}")
    return problems


def check_command(argv: list[str], parser: argparse.ArgumentParser, plugins: set[str],
                  where: str) -> list[str]:
    """A `unionhub ...` argument list must name a real subcommand, parse, and serve a real plugin."""
    if not is_unionhub(argv):
        return []
    if len(argv) < 2:
        return [f"{where}: `unionhub` without a subcommand"]
    subcommand = argv[1]
    subparsers = subcommands_of(parser)
    if subcommand not in subparsers:
        return [f"{where}: unknown subcommand {subcommand!r} (the CLI has {sorted(subparsers)})"]
    problems = []
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            namespace = parser.parse_args(argv[1:])
    except SystemExit:
        problems.append(f"{where}: the CLI rejects {shlex.join(argv)!r}: {stderr.getvalue().strip()}")
        namespace = None
    if subcommand == "serve":
        plugin, _ = serve_args(argv)
        if namespace is not None:  # trust the parser about which token is the plugin
            positionals = [a for a in subparsers["serve"]._actions
                           if not a.option_strings and not isinstance(a, argparse._SubParsersAction)]
            if positionals and getattr(namespace, positionals[0].dest, None):
                plugin = getattr(namespace, positionals[0].dest)
        if not plugin:
            problems.append(f"{where}: `unionhub serve` names no plugin")
        elif plugin not in plugins:
            problems.append(f"{where}: plugin {plugin!r} is not registered under "
                            f"{PLUGIN_GROUP} in pyproject.toml (registered: {sorted(plugins)})")
    return problems


def check_unionhub_commands(compose: dict, base_dir: Path, parser: argparse.ArgumentParser,
                            plugins: set[str]) -> list[str]:
    problems = []
    for name, service in services_of(compose).items():
        problems += check_command(effective_argv(service, base_dir), parser, plugins,
                                  f"service {name!r}")
    return problems


def check_depends_on(compose: dict) -> list[str]:
    services = services_of(compose)
    problems = []
    for name, service in services.items():
        for dep, condition in depends_on_of(service).items():
            if dep not in services:
                problems.append(f"service {name!r} depends on undefined service {dep!r}")
                continue
            if condition not in DEPENDS_ON_CONDITIONS:
                problems.append(f"service {name!r}: unknown depends_on condition {condition!r}")
            healthcheck = services[dep].get("healthcheck") or {}
            if condition == "service_healthy" and (not healthcheck.get("test")
                                                   or healthcheck.get("disable")):
                problems.append(f"service {name!r} waits for {dep!r} to be healthy, "
                                f"but {dep!r} has no healthcheck")
    # a cycle makes `up` refuse to start anything
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "active"
        for dep in depends_on_of(services.get(node) or {}):
            if dep not in services:
                continue
            if state.get(dep) == "active":
                problems.append(f"depends_on cycle: {' -> '.join(path + [dep])}")
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for name in services:
        if name not in state:
            visit(name, [name])
    return problems


def check_named_volumes(compose: dict) -> list[str]:
    declared = set(compose.get("volumes") or {})
    problems = []
    for name, service in services_of(compose).items():
        for kind, source, _ in mounts_of(service):
            if kind == "volume" and source and source not in declared:
                problems.append(f"service {name!r} uses volume {source!r}, "
                                f"not declared under top-level volumes")
    return problems


def check_networks(compose: dict) -> list[str]:
    declared = set(compose.get("networks") or {})
    problems = []
    for name, service in services_of(compose).items():
        for network in networks_of(service):
            if network != "default" and network not in declared:
                problems.append(f"service {name!r} uses network {network!r}, "
                                f"not declared under top-level networks")
    return problems


def check_bind_mounts(compose: dict, base_dir: Path) -> list[str]:
    problems = []
    for name, service in services_of(compose).items():
        for kind, source, target in mounts_of(service):
            if kind != "bind" or not source or not source.startswith("."):
                continue  # only paths inside the checkout can be checked here
            if not (base_dir / source).exists():
                problems.append(f"service {name!r}: bind-mounted {source!r} (-> {target}) "
                                f"does not exist")
    return problems


def check_published_port(compose: dict, service_name: str, published: int, target: int) -> list[str]:
    service = services_of(compose).get(service_name)
    if service is None:
        return [f"no service {service_name!r}"]
    if (str(published), str(target)) not in port_mappings_of(service):
        return [f"service {service_name!r} does not publish port {published} "
                f"(to container port {target}); it has {port_mappings_of(service)}"]
    return []


def scrape_targets(prometheus: dict) -> set[str]:
    """host:port of every static target scraped over plain HTTP at /metrics."""
    targets = set()
    for job in (prometheus or {}).get("scrape_configs") or []:
        if job.get("metrics_path", "/metrics") != "/metrics" or job.get("scheme", "http") != "http":
            continue
        for static in job.get("static_configs") or []:
            targets.update(str(t) for t in static.get("targets") or [])
    return targets


def check_prometheus_scrapes(compose: dict, base_dir: Path, prometheus: dict) -> list[str]:
    services = services_of(compose)
    targets = scrape_targets(prometheus)
    problems = []
    for name in served_services(compose, base_dir):
        port = service_port(services[name], base_dir)
        if port is None:
            problems.append(f"service {name!r}: cannot tell which port it serves /metrics on")
        elif f"{name}:{port}" not in targets:
            problems.append(f"service {name!r} is not scraped: no target {name}:{port} "
                            f"(targets: {sorted(targets)})")
    for name, service in services.items():
        if str(service.get("image", "")).startswith("rabbitmq") and \
                f"{name}:{RABBITMQ_PROMETHEUS_PORT}" not in targets:
            problems.append(f"broker {name!r} is not scraped at {name}:{RABBITMQ_PROMETHEUS_PORT}")
    for target in sorted(targets):
        host = target.rsplit(":", 1)[0]
        if host not in services and host not in LOOPBACK_HOSTS:
            problems.append(f"scrape target {target!r} is not a compose service")
    return problems


def check_service_environment(compose: dict, base_dir: Path) -> list[str]:
    """What each `unionhub serve` container needs to reach the broker and be reachable itself."""
    services = services_of(compose)
    problems = []
    for name in served_services(compose, base_dir):
        env = effective_env(services[name], base_dir)
        amqp = env.get("UNIONHUB_AMQP_URI")
        if not amqp:
            problems.append(f"service {name!r} has no UNIONHUB_AMQP_URI (it would look on 127.0.0.1)")
        else:
            host = urlsplit(amqp).hostname
            if host not in services:
                problems.append(f"service {name!r}: UNIONHUB_AMQP_URI host {host!r} "
                                f"is not a compose service")
            elif host not in depends_on_of(services[name]):
                problems.append(f"service {name!r} does not depend on its broker {host!r}")
        if env.get("UNIONHUB_HOST", "127.0.0.1") in LOOPBACK_HOSTS:
            problems.append(f"service {name!r} listens on loopback only (set UNIONHUB_HOST=0.0.0.0): "
                            f"nothing outside its container could reach it")
    return problems


def check_databases(compose: dict, base_dir: Path, created: dict[str, str]) -> list[str]:
    """Every UNIONHUB_DB_* URL names a postgres service and a database the init script creates,
    owned by the user the URL logs in as; every served plugin has its own UNIONHUB_DB_<PLUGIN>.
    `created` maps database name -> owner, as recorded by run_init_script()."""
    services = services_of(compose)
    problems = []
    for name, plugin in served_services(compose, base_dir).items():
        if f"UNIONHUB_DB_{plugin.upper()}" not in environment_of(services[name]):
            problems.append(f"service {name!r} has no UNIONHUB_DB_{plugin.upper()} "
                            f"(it would fall back to SQLite inside its container)")
    for name, service in services.items():
        for key, url in environment_of(service).items():
            if not key.startswith("UNIONHUB_DB_"):
                continue
            parts = urlsplit(url)
            database = parts.path.lstrip("/")
            if not parts.scheme.startswith("postgresql"):
                problems.append(f"service {name!r}: {key} is not a PostgreSQL URL: {url!r}")
                continue
            if parts.hostname not in services:
                problems.append(f"service {name!r}: {key} host {parts.hostname!r} "
                                f"is not a compose service")
            if database not in created:
                problems.append(f"service {name!r}: {key} names database {database!r}, which the "
                                f"postgres init script does not create (it creates {sorted(created)})")
            elif created[database] != parts.username:
                problems.append(f"service {name!r}: database {database!r} is owned by "
                                f"{created[database]!r}, but {key} logs in as {parts.username!r}")
    return problems


def check_init_script_mounted(compose: dict, base_dir: Path, script: Path) -> list[str]:
    for name, service in services_of(compose).items():
        if not str(service.get("image", "")).startswith("postgres"):
            continue
        for kind, source, target in mounts_of(service):
            if kind == "bind" and source and (base_dir / source).resolve() == script.resolve() \
                    and target.startswith("/docker-entrypoint-initdb.d/"):
                return []
        return [f"postgres service {name!r} does not mount {script.name} "
                f"into /docker-entrypoint-initdb.d/"]
    return ["no postgres service"]


def check_rabbitmq_plugins(compose: dict, base_dir: Path) -> list[str]:
    for name, service in services_of(compose).items():
        if not str(service.get("image", "")).startswith("rabbitmq"):
            continue
        for kind, source, target in mounts_of(service):
            if kind == "bind" and target == "/etc/rabbitmq/enabled_plugins":
                path = base_dir / source
                text = path.read_text(encoding="utf-8") if path.is_file() else ""
                if not re.fullmatch(r"\s*\[[\w\s,]*\]\.\s*", text):
                    return [f"{source} is not an Erlang list term like [a,b]."]
                if "rabbitmq_prometheus" not in re.findall(r"\w+", text):
                    return [f"{source} does not enable rabbitmq_prometheus"]
                return []
        return [f"broker {name!r} does not mount an enabled_plugins file"]
    return ["no rabbitmq service"]


def check_grafana(compose: dict, base_dir: Path, datasources: dict, providers: dict,
                  dashboard: dict) -> list[str]:
    services = services_of(compose)
    grafana = [(n, s) for n, s in services.items()
               if str(s.get("image", "")).startswith("grafana/grafana")]
    if not grafana:
        return ["no grafana service"]
    name, service = grafana[0]
    problems = []
    binds = {target: base_dir / source for kind, source, target in mounts_of(service)
             if kind == "bind" and source}
    if "/etc/grafana/provisioning" not in binds:
        problems.append(f"grafana {name!r} does not mount deploy/grafana/provisioning")
    uids = set()
    for ds in datasources.get("datasources") or []:
        uids.add(ds.get("uid"))
        parts = urlsplit(str(ds.get("url", "")))
        if parts.hostname not in services:
            problems.append(f"datasource {ds.get('name')!r} points at {parts.hostname!r}, "
                            f"not a compose service")
    for provider in providers.get("providers") or []:
        path = (provider.get("options") or {}).get("path")
        if path not in binds:
            problems.append(f"dashboard provider {provider.get('name')!r} reads {path!r}, "
                            f"which is not mounted into grafana")
        elif not list(binds[path].glob("*.json")):
            problems.append(f"dashboard provider path {path!r} is mounted from {binds[path]}, "
                            f"which holds no dashboards")
    panels = [p for p in dashboard.get("panels") or [] if p.get("type") != "row"]
    exprs = []
    for panel in panels:
        for item in [panel] + list(panel.get("targets") or []):
            uid = (item.get("datasource") or {}).get("uid")
            if uid and uid not in uids:
                problems.append(f"panel {panel.get('title')!r} uses datasource {uid!r}; "
                                f"provisioned: {sorted(uids)}")
        exprs += [t.get("expr", "") for t in panel.get("targets") or []]
    for metric in DASHBOARD_METRICS:
        if not any(re.search(rf"\b{metric}(_bucket|_count|_sum)?\b", e) for e in exprs):
            problems.append(f"dashboard has no panel for {metric}")
    return problems


def check_dockerfile(path: Path) -> list[str]:
    if not path.is_file():
        return [f"no Dockerfile at {path}"]
    instructions = dockerfile_instructions(path)
    problems = []
    bases = [args.split()[0] for word, args in instructions if word == "FROM"]
    if not bases or bases[-1] != "python:3.11-slim":
        problems.append(f"final stage is not FROM python:3.11-slim: {bases}")
    users = [args for word, args in instructions if word == "USER"]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("the image runs as root (no non-root USER)")
    if not any(word == "RUN" and re.search(r"pip install (\S+ )*\.(\s|$)", args)
               for word, args in instructions):
        problems.append("the project is not installed with `pip install .`")
    for word, args in instructions:
        if word not in ("COPY", "ADD") or "--from" in args:
            continue
        sources = exec_or_shell_form(args)
        sources = [s for s in sources[:-1] if not s.startswith("--")]
        for source in sources:
            if not any(ch in source for ch in "*?[") and not (path.parent / source).exists():
                problems.append(f"{word} {source}: not in the build context")
    return problems


# --------------------------------------------------------------------------------------------
# Running the postgres init script with a recording psql
# --------------------------------------------------------------------------------------------

FAKE_PSQL = """#!/bin/sh
{ printf -- '-- psql %s\\n' "$*"; cat; } >> "$FAKE_PSQL_LOG"
"""


def run_init_script(script: Path, workdir: Path, env: dict[str, str]) -> dict[str, str]:
    """Run an init script as the postgres entrypoint would, with `psql` replaced by a recorder;
    return {database: owner} for each CREATE DATABASE it issued."""
    bin_dir = workdir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    psql = bin_dir / "psql"
    psql.write_text(FAKE_PSQL)
    psql.chmod(psql.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = workdir / "psql.log"
    log.write_text("")
    run_env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "FAKE_PSQL_LOG": str(log)}
    run_env.update(env)
    result = subprocess.run([shutil.which("bash") or "bash", str(script)], env=run_env, cwd=workdir,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"{script.name} failed: {result.stderr}"
    created = {}
    for match in re.finditer(r'CREATE DATABASE\s+"?(\w+)"?(?:\s+(?:WITH\s+)?OWNER\s*=?\s*"?(\w+)"?)?',
                             log.read_text(), re.IGNORECASE):
        created[match.group(1)] = match.group(2) or env.get("POSTGRES_USER", "postgres")
    return created


def postgres_env(compose: dict) -> dict[str, str]:
    for service in services_of(compose).values():
        if str(service.get("image", "")).startswith("postgres"):
            return environment_of(service)
    return {}


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_compose() -> dict:
    return load_yaml(COMPOSE_PATH)


@pytest.fixture
def compose(real_compose) -> dict:
    """A fresh copy of the real compose file, to break."""
    return copy.deepcopy(real_compose)


@pytest.fixture(scope="module")
def plugins() -> set[str]:
    return registered_plugins(PYPROJECT_PATH)


@pytest.fixture(scope="module")
def prometheus() -> dict:
    return load_yaml(PROMETHEUS_PATH)


@pytest.fixture(scope="module")
def created_databases(real_compose, tmp_path_factory) -> dict[str, str]:
    return run_init_script(INIT_SCRIPT_PATH, tmp_path_factory.mktemp("initdb"),
                           postgres_env(real_compose))


@pytest.fixture(scope="module")
def grafana_files() -> tuple[dict, dict, dict]:
    return (load_yaml(GRAFANA_DATASOURCES_PATH), load_yaml(GRAFANA_PROVIDERS_PATH),
            json.loads(DASHBOARD_PATH.read_text(encoding="utf-8")))


@pytest.fixture
def fake_parser() -> argparse.ArgumentParser:
    """Shaped like shared.cli.build_parser(): used to test the checker, not the CLI."""
    parser = argparse.ArgumentParser(prog="unionhub")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("plugin")
    serve.add_argument("--migrate", action="store_true")
    serve.add_argument("--port", type=int)
    for name in ("run", "migrate", "seed-demo", "create-admin", "dlq", "outbox"):
        sub.add_parser(name)
    return parser


# --------------------------------------------------------------------------------------------
# The real files
# --------------------------------------------------------------------------------------------

def test_every_service_has_an_image_or_a_build(real_compose):
    assert check_images_or_builds(real_compose) == []


def test_build_contexts_exist_and_hold_a_dockerfile(real_compose):
    assert any(s.get("build") is not None for s in services_of(real_compose).values())
    assert check_build_contexts(real_compose, ROOT) == []


def test_unionhub_commands_are_real_cli_subcommands_and_registered_plugins(real_compose, plugins):
    from shared.cli import build_parser  # shared/cli.py is written by another engineer

    parser = build_parser()
    assert served_services(real_compose, ROOT), "no service runs `unionhub serve`"
    assert check_unionhub_commands(real_compose, ROOT, parser, plugins) == []
    assert check_command(dockerfile_cmd(DOCKERFILE_PATH) or [], parser, plugins,
                         "Dockerfile CMD") == []


def test_dockerfile_default_command_serves_the_gateway():
    assert dockerfile_cmd(DOCKERFILE_PATH) == ["unionhub", "serve", "gateway", "--migrate"]


def test_dockerfile():
    assert check_dockerfile(DOCKERFILE_PATH) == []


def test_served_plugins_are_registered_in_pyproject(real_compose, plugins):
    # the part of the CLI check that needs no CLI
    assert {"gateway", "membership"} <= plugins
    unregistered = {n: p for n, p in served_services(real_compose, ROOT).items() if p not in plugins}
    assert unregistered == {}


def test_depends_on_names_defined_services(real_compose):
    assert check_depends_on(real_compose) == []


def test_unionhub_services_wait_for_a_healthy_broker_and_database(real_compose):
    for name in served_services(real_compose, ROOT):
        deps = depends_on_of(services_of(real_compose)[name])
        assert deps.get("rabbitmq") == "service_healthy", name
        assert deps.get("postgres") == "service_healthy", name


def test_named_volumes_are_declared(real_compose):
    assert check_named_volumes(real_compose) == []


def test_networks_are_declared(real_compose):
    assert check_networks(real_compose) == []


def test_bind_mounted_host_paths_exist(real_compose):
    assert any(kind == "bind" for s in services_of(real_compose).values()
               for kind, _, _ in mounts_of(s))
    assert check_bind_mounts(real_compose, ROOT) == []


def test_gateway_publishes_8000(real_compose):
    port = service_port(services_of(real_compose)["gateway"], ROOT)
    assert check_published_port(real_compose, "gateway", GATEWAY_PUBLISHED_PORT, port) == []


def test_prometheus_scrapes_every_unionhub_service_and_the_broker(real_compose, prometheus):
    assert check_prometheus_scrapes(real_compose, ROOT, prometheus) == []


def test_unionhub_services_reach_the_broker_and_listen_beyond_loopback(real_compose):
    assert check_service_environment(real_compose, ROOT) == []


def test_init_script_creates_a_database_for_every_unionhub_db_variable(real_compose,
                                                                       created_databases):
    assert set(DEFAULT_PORTS) <= set(created_databases)
    assert check_databases(real_compose, ROOT, created_databases) == []


def test_init_script_is_mounted_into_postgres(real_compose):
    assert check_init_script_mounted(real_compose, ROOT, INIT_SCRIPT_PATH) == []


def test_rabbitmq_enables_the_prometheus_plugin(real_compose):
    assert check_rabbitmq_plugins(real_compose, ROOT) == []


def test_grafana_is_provisioned_with_the_unionhub_dashboard(real_compose, grafana_files):
    assert check_grafana(real_compose, ROOT, *grafana_files) == []


# --------------------------------------------------------------------------------------------
# Broken input: every check must notice its own kind of breakage
# --------------------------------------------------------------------------------------------

def reports(problems: list[str], *phrases: str) -> bool:
    return any(all(p in problem for p in phrases) for problem in problems)


def test_detects_service_without_image_or_build(compose):
    assert not reports(check_images_or_builds(compose), "neither image nor build")
    del compose["services"]["membership"]["build"]
    del compose["services"]["rabbitmq"]["image"]
    problems = check_images_or_builds(compose)
    assert reports(problems, "'membership'", "neither image nor build")
    assert reports(problems, "'rabbitmq'", "neither image nor build")
    assert check_images_or_builds({"services": {}}) == ["no services defined"]


def test_detects_missing_build_context_and_dockerfile(compose, tmp_path):
    compose["services"]["gateway"]["build"] = "./no-such-dir"
    compose["services"]["membership"]["build"] = {"context": ".", "dockerfile": "Dockerfile.nope"}
    problems = check_build_contexts(compose, ROOT)
    assert reports(problems, "'gateway'", "build context", "does not exist")
    assert reports(problems, "'membership'", "no Dockerfile")
    (tmp_path / "empty").mkdir()
    assert reports(check_build_contexts({"services": {"x": {"build": "empty"}}}, tmp_path),
                   "no Dockerfile")


def test_detects_unknown_subcommand(compose, fake_parser, plugins):
    assert check_unionhub_commands(compose, ROOT, fake_parser, plugins) == []
    compose["services"]["membership"]["command"] = ["unionhub", "srve", "membership"]
    assert reports(check_unionhub_commands(compose, ROOT, fake_parser, plugins),
                   "'membership'", "unknown subcommand 'srve'")


def test_detects_arguments_the_cli_rejects(compose, fake_parser, plugins):
    compose["services"]["membership"]["command"] = "unionhub serve membership --migrate --workers 3"
    assert reports(check_unionhub_commands(compose, ROOT, fake_parser, plugins),
                   "'membership'", "the CLI rejects", "--workers")
    compose["services"]["membership"]["command"] = ["unionhub"]
    assert reports(check_unionhub_commands(compose, ROOT, fake_parser, plugins),
                   "without a subcommand")


def test_detects_serving_an_unregistered_plugin(compose, fake_parser, plugins):
    assert "canteen" not in plugins
    compose["services"]["canteen"] = copy.deepcopy(compose["services"]["membership"])
    compose["services"]["canteen"]["command"] = ["unionhub", "serve", "canteen", "--migrate"]
    assert reports(check_unionhub_commands(compose, ROOT, fake_parser, plugins),
                   "'canteen'", "not registered")
    # the same, found through the plugin name the parser reports, with options first
    compose["services"]["canteen"]["command"] = ["unionhub", "serve", "--port", "8009", "membershp"]
    assert reports(check_unionhub_commands(compose, ROOT, fake_parser, plugins),
                   "'membershp'", "not registered")


def test_detects_a_bad_default_cmd_in_the_dockerfile(compose, fake_parser, plugins, tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nCMD ["unionhub", "serv", "gateway"]\n')
    compose["services"]["gateway"]["build"] = str(tmp_path)
    del compose["services"]["gateway"]["command"]
    assert reports(check_unionhub_commands(compose, ROOT, fake_parser, plugins),
                   "'gateway'", "unknown subcommand 'serv'")


def test_detects_dependency_on_undefined_or_unhealthy_service(compose):
    compose["services"]["gateway"]["depends_on"]["redis"] = {"condition": "service_started"}
    compose["services"]["membership"]["depends_on"] = ["rabbitmq", "postgress"]
    compose["services"]["grafana"]["depends_on"] = {"prometheus": {"condition": "service_healthy"}}
    problems = check_depends_on(compose)
    assert reports(problems, "'gateway'", "undefined service 'redis'")
    assert reports(problems, "'membership'", "undefined service 'postgress'")
    assert reports(problems, "'grafana'", "'prometheus' has no healthcheck")


def test_detects_depends_on_cycle_and_bad_condition(compose):
    compose["services"]["rabbitmq"]["depends_on"] = {"gateway": {"condition": "service_ready"}}
    problems = check_depends_on(compose)
    assert reports(problems, "cycle")
    assert reports(problems, "unknown depends_on condition 'service_ready'")


def test_detects_undeclared_named_volume(compose):
    del compose["volumes"]["postgres-data"]
    compose["services"]["prometheus"]["volumes"].append(
        {"type": "volume", "source": "prom-extra", "target": "/extra"})
    problems = check_named_volumes(compose)
    assert reports(problems, "'postgres'", "'postgres-data'")
    assert reports(problems, "'prometheus'", "'prom-extra'")


def test_detects_undeclared_network(compose):
    compose["services"]["gateway"]["networks"] = ["unionhub", "frontend"]
    compose["services"]["grafana"]["networks"] = {"monitoring": {}}
    problems = check_networks(compose)
    assert reports(problems, "'gateway'", "'frontend'")
    assert reports(problems, "'grafana'", "'monitoring'")
    del compose["networks"]
    assert reports(check_networks(compose), "'rabbitmq'", "'unionhub'")


def test_detects_missing_bind_mount_source(compose):
    compose["services"]["prometheus"]["volumes"][0] = \
        "./deploy/prometheus/prometheus.yaml:/etc/prometheus/prometheus.yml:ro"
    compose["services"]["grafana"]["volumes"].append(
        {"type": "bind", "source": "./deploy/grafana/nowhere", "target": "/x"})
    problems = check_bind_mounts(compose, ROOT)
    assert reports(problems, "'prometheus'", "prometheus.yaml")
    assert reports(problems, "'grafana'", "nowhere")


def test_detects_gateway_not_publishing_8000(compose):
    compose["services"]["gateway"]["ports"] = ["8080:8000"]
    assert reports(check_published_port(compose, "gateway", 8000, 8000), "does not publish port 8000")
    compose["services"]["gateway"]["ports"] = ["8000:8001"]
    assert reports(check_published_port(compose, "gateway", 8000, 8000), "does not publish")
    del compose["services"]["gateway"]["ports"]
    assert reports(check_published_port(compose, "gateway", 8000, 8000), "does not publish")
    compose["services"]["gateway"]["ports"] = [{"target": 8000, "published": "8000"}]
    assert check_published_port(compose, "gateway", 8000, 8000) == []
    compose["services"]["gateway"]["ports"] = ["127.0.0.1:8000:8000/tcp"]
    assert check_published_port(compose, "gateway", 8000, 8000) == []


def test_detects_unscraped_service(compose, prometheus):
    assert check_prometheus_scrapes(compose, ROOT, prometheus) == []
    del compose["services"]["congress"]["environment"]["UNIONHUB_PORT_CONGRESS"]
    compose["services"]["congress"]["command"] = ["unionhub", "serve", "congress", "--port", "8012"]
    assert reports(check_prometheus_scrapes(compose, ROOT, prometheus),
                   "'congress'", "congress:8012")


def test_detects_scrape_at_the_wrong_port_or_path(compose, prometheus):
    # the service moved to another port, the scrape config did not follow
    compose["services"]["membership"]["command"] = ["unionhub", "serve", "membership", "--port", "9001"]
    assert reports(check_prometheus_scrapes(compose, ROOT, prometheus), "membership:9001")
    broken = copy.deepcopy(prometheus)
    for job in broken["scrape_configs"]:
        if job["job_name"] == "unionhub":
            job["metrics_path"] = "/metrics/"
    compose = load_yaml(COMPOSE_PATH)  # unbroken again
    problems = check_prometheus_scrapes(compose, ROOT, broken)
    assert reports(problems, "'gateway'", "not scraped")
    broken["scrape_configs"] = [j for j in broken["scrape_configs"] if j["job_name"] != "rabbitmq"]
    assert reports(check_prometheus_scrapes(compose, ROOT, broken), "rabbitmq:15692")
    broken["scrape_configs"].append({"job_name": "x", "static_configs": [{"targets": ["library:8009"]}]})
    assert reports(check_prometheus_scrapes(compose, ROOT, broken), "'library:8009'", "not a compose")


def test_detects_service_that_cannot_reach_the_broker_or_be_reached(compose):
    compose["services"]["membership"]["environment"] = {
        k: v for k, v in compose["services"]["membership"]["environment"].items()
        if k != "UNIONHUB_AMQP_URI"}
    compose["services"]["gateway"]["environment"]["UNIONHUB_AMQP_URI"] = "amqp://guest:guest@rabbit:5672/"
    compose["services"]["gateway"]["environment"]["UNIONHUB_HOST"] = "127.0.0.1"
    problems = check_service_environment(compose, ROOT)
    assert reports(problems, "'membership'", "no UNIONHUB_AMQP_URI")
    assert reports(problems, "'gateway'", "'rabbit'", "not a compose service")
    assert reports(problems, "'gateway'", "loopback")


def test_detects_database_the_init_script_does_not_create(compose, created_databases, tmp_path):
    assert check_databases(compose, ROOT, created_databases) == []
    # a script that forgot membership
    script = tmp_path / "init.sh"
    script.write_text("psql <<'EOSQL'\nCREATE DATABASE gateway OWNER unionhub;\nEOSQL\n")
    created = run_init_script(script, tmp_path, {"POSTGRES_USER": "unionhub"})
    assert created == {"gateway": "unionhub"}
    assert reports(check_databases(compose, ROOT, created), "'membership'", "does not create")
    # a service pointed at a database nobody creates, as another user, on an unknown host
    env = compose["services"]["membership"]["environment"]
    env["UNIONHUB_DB_MEMBERSHIP"] = "postgresql://unionhub:unionhub@postgres:5432/members"
    env["UNIONHUB_DB_WELFARE"] = "postgresql://welfare:x@postgres:5432/welfare"
    env["UNIONHUB_DB_EVENTS"] = "postgresql://unionhub:unionhub@db:5432/events"
    problems = check_databases(compose, ROOT, created_databases)
    assert reports(problems, "'members'", "does not create")
    assert reports(problems, "'welfare'", "logs in as 'welfare'")
    assert reports(problems, "host 'db'")


def test_detects_served_plugin_without_its_database(compose, created_databases):
    del compose["services"]["membership"]["environment"]["UNIONHUB_DB_MEMBERSHIP"]
    assert reports(check_databases(compose, ROOT, created_databases),
                   "'membership'", "no UNIONHUB_DB_MEMBERSHIP")


def test_detects_init_script_not_mounted(compose):
    compose["services"]["postgres"]["volumes"] = ["postgres-data:/var/lib/postgresql/data"]
    assert reports(check_init_script_mounted(compose, ROOT, INIT_SCRIPT_PATH), "does not mount")


def test_detects_rabbitmq_without_prometheus_plugin(compose, tmp_path):
    (tmp_path / "enabled_plugins").write_text("[rabbitmq_management].\n")
    compose["services"]["rabbitmq"]["volumes"][1] = f"{tmp_path}/enabled_plugins:/etc/rabbitmq/enabled_plugins"
    assert reports(check_rabbitmq_plugins(compose, Path("/")), "does not enable rabbitmq_prometheus")
    (tmp_path / "enabled_plugins").write_text("[rabbitmq_management,rabbitmq_prometheus]\n")
    assert reports(check_rabbitmq_plugins(compose, Path("/")), "not an Erlang list")
    compose["services"]["rabbitmq"]["volumes"] = ["rabbitmq-data:/var/lib/rabbitmq"]
    assert reports(check_rabbitmq_plugins(compose, ROOT), "does not mount an enabled_plugins")


def test_detects_grafana_misprovisioning(compose, grafana_files):
    datasources, providers, dashboard = copy.deepcopy(grafana_files)
    providers["providers"][0]["options"]["path"] = "/var/lib/grafana/dashboards"
    datasources["datasources"][0]["url"] = "http://prom:9090"
    dashboard["panels"] = [p for p in dashboard["panels"]
                           if "unionhub_dlq_depth" not in json.dumps(p.get("targets"))]
    dashboard["panels"][1]["datasource"] = {"type": "prometheus", "uid": "other"}
    problems = check_grafana(compose, ROOT, datasources, providers, dashboard)
    assert reports(problems, "not mounted into grafana")
    assert reports(problems, "'prom'", "not a compose service")
    assert reports(problems, "no panel for unionhub_dlq_depth")
    assert reports(problems, "datasource 'other'")


def test_detects_dockerfile_problems(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nCOPY missing ./missing\nRUN pip install -r req.txt\n"
        "USER root\nCMD [\"unionhub\"]\n")
    problems = check_dockerfile(tmp_path / "Dockerfile")
    assert reports(problems, "python:3.11-slim")
    assert reports(problems, "runs as root")
    assert reports(problems, "pip install .")
    assert reports(problems, "COPY missing")


def test_reads_compose_short_and_long_syntax():
    service = {
        "volumes": ["data:/d", "./deploy:/x:ro", "/abs:/y", "/anon",
                    {"type": "bind", "source": "./a", "target": "/a"}],
        "ports": ["8000:8000", "127.0.0.1:3000:3000", "9000", {"target": 1, "published": 2}],
        "environment": ["A=1", "B=x=y", "C"],
        "depends_on": ["a", "b"],
        "networks": {"n1": {}, "n2": None},
    }
    assert mounts_of(service) == [("volume", "data", "/d"), ("bind", "./deploy", "/x"),
                                  ("bind", "/abs", "/y"), ("volume", None, "/anon"),
                                  ("bind", "./a", "/a")]
    assert port_mappings_of(service) == [("8000", "8000"), ("3000", "3000"), (None, "9000"), ("2", "1")]
    assert environment_of(service) == {"A": "1", "B": "x=y", "C": ""}
    assert depends_on_of(service) == {"a": "service_started", "b": "service_started"}
    assert networks_of(service) == ["n1", "n2"]
    assert serve_args(["unionhub", "serve", "--port=9", "x", "--migrate"]) == ("x", 9)
    assert serve_args(["unionhub", "migrate", "x"]) == (None, None)
