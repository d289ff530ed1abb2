"""The deploy files run commands the CLI understands, and agree with each other."""

from __future__ import annotations

import json
import re
import shlex

import yaml
from tests_paths import ROOT

from bot.cli import build_parser
from bot.config import ENVIRONMENT

DEPLOY = ROOT / "deploy"


def parse(command: list[str]) -> None:
    assert command[0].endswith("newsbot"), command
    build_parser().parse_args(command[1:])  # exits (fails the test) on an unknown flag


def test_dockerfile_command_and_healthcheck() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert cmd is not None
    command = json.loads(cmd.group(1))
    parse(command)
    port = command[command.index("--health-port") + 1]
    assert f"127.0.0.1:{port}/healthz" in text
    assert "USER newsbot" in text and "HEALTHCHECK" in text
    assert re.search(r'^VOLUME .*"/data"', text, re.MULTILINE)
    assert "RUN newsbot check" in text  # jieba's cache built into the image


def test_compose_command() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["newsbot"]
    parse(service["command"])
    assert service["env_file"] == ".env"
    assert any(v.endswith(":/data") for v in service["volumes"])


def test_systemd_unit() -> None:
    text = (DEPLOY / "newsbot.service").read_text(encoding="utf-8")
    start = re.search(r"^ExecStart=(.*)$", text, re.MULTILINE)
    assert start is not None
    parse(shlex.split(start.group(1)))
    for setting in (
        "Restart=on-failure",
        "EnvironmentFile=",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "User=newsbot",
    ):
        assert setting in text
    db = re.search(r"NEWSBOT_DB=(\S+)", text)
    assert db is not None
    writable = re.search(r"^ReadWritePaths=(.*)$", text, re.MULTILINE)
    assert writable is not None
    assert any(db.group(1).startswith(p) for p in writable.group(1).split())


def test_every_flag_in_deploy_files_exists() -> None:
    parser = build_parser()
    known = set(parser._option_string_actions)
    for sub in parser._subparsers._group_actions[0].choices.values():  # type: ignore[union-attr]
        known |= set(sub._option_string_actions)
    for path in DEPLOY.iterdir():
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]+", path.read_text(encoding="utf-8")):
            if flag in (
                "--no-deps",
                "--system",
                "--create-home",
                "--home-dir",
                "--uid",
                "--yes",
                "--interval",
                "--timeout",
                "--start-period",
                "--retries",
                "--home",
                "--shell",
                "--now",
                "--chown",
            ):
                continue  # flags of pip, useradd, Docker and systemctl
            assert flag in known, f"{path.name}: {flag}"


def test_env_example_documents_every_setting() -> None:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    for name in ENVIRONMENT:
        assert re.search(rf"^#?{name}=", text, re.MULTILINE), name
