"""Run nginx in front of gunicorn: `python deploy/proxy.py` (`--print` shows the config, `--check` tests it).

Production needs a TLS endpoint for Alexa anyway; this one also reads every request whole
before gunicorn sees it, so slow or abusive clients wait in nginx and never hold a sync
worker (deploy/nginx/heart-to-heart.conf says why). Start gunicorn on loopback and this
proxy on the public port:

    BIND=127.0.0.1:8000 gunicorn -c deploy/gunicorn.conf.py 'skill:create_app()' &
    TLS_CERT=/etc/ssl/skill.pem TLS_KEY=/etc/ssl/skill.key python deploy/proxy.py

| variable         | default                             | meaning                                    |
|------------------|-------------------------------------|--------------------------------------------|
| `TLS_CERT`       | unset: plain HTTP                   | certificate chain (PEM) Alexa will check   |
| `TLS_KEY`        | unset                               | its private key; set both or neither       |
| `PROXY_LISTEN`   | `443` with TLS, `8080` without      | port or address:port nginx listens on      |
| `UPSTREAM`       | `127.0.0.1:8000`                    | where gunicorn listens (its `BIND`)        |
| `MAX_BODY_BYTES` | `131072`                            | larger bodies get 413 (the app's own limit)|
| `PROXY_WORKERS`  | `auto` (one per CPU)                | nginx worker processes                     |
| `PROXY_RUN_DIR`  | `/tmp/heart-to-heart-proxy`         | rendered config, pid file, temp folders    |
| `PROXY_USER`     | `www-data` (or `nobody`), when root | the user nginx's workers run as            |
| `NGINX`          | `nginx` on PATH, else /usr/sbin     | the nginx binary (Debian: `apt install nginx`) |

The app must know the proxy: `TRUSTED_PROXIES=127.0.0.1` lets it take the client's address
from the `X-Forwarded-For` this proxy sets (only the browser simulator's rate limit uses it).
nginx runs in the foreground with its errors on stderr; SIGQUIT stops it gracefully, SIGTERM
at once, SIGHUP re-reads the config.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "heart-to-heart.conf"
DEFAULT_MAX_BODY_BYTES = 128 * 1024  # skill.config.DEFAULT_MAX_BODY_BYTES; a test keeps them equal
_SAFE = re.compile(r"[A-Za-z0-9_./:\[\]-]+")


class ProxyConfigError(ValueError):
    """A setting nginx would misread, said in a sentence."""


def _setting(env: Mapping[str, str], name: str, default: str) -> str:
    value = (env.get(name) or "").strip() or default
    if not _SAFE.fullmatch(value):
        raise ProxyConfigError(f"{name} may hold only letters, digits and . / : _ - [ ]: {value!r}")
    return value


def _worker_user(env: Mapping[str, str]) -> str:
    """nginx started as root drops its workers to this user; as anyone else it stays that user."""
    if os.geteuid() != 0:
        return ""
    wanted = (env.get("PROXY_USER") or "").strip()
    if not wanted:
        wanted = "www-data"
        try:
            pwd.getpwnam(wanted)
        except KeyError:
            wanted = "nobody"
    return f"user {_setting({'PROXY_USER': wanted}, 'PROXY_USER', wanted)};"


def render(env: Mapping[str, str]) -> str:
    """The nginx configuration for these settings."""
    cert, key = (env.get("TLS_CERT") or "").strip(), (env.get("TLS_KEY") or "").strip()
    if bool(cert) != bool(key):
        raise ProxyConfigError("set both TLS_CERT and TLS_KEY, or neither")
    tls = bool(cert)
    max_body = _setting(env, "MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES))
    if not max_body.isdigit() or int(max_body) < 1:
        raise ProxyConfigError(f"MAX_BODY_BYTES must be a whole number of bytes: {max_body!r}")
    workers = _setting(env, "PROXY_WORKERS", "auto")
    if workers != "auto" and not (workers.isdigit() and int(workers) >= 1):
        raise ProxyConfigError(f"PROXY_WORKERS must be 'auto' or a number: {workers!r}")
    tls_lines = ""
    if tls:
        tls_lines = (
            f"        ssl_certificate {_setting(env, 'TLS_CERT', '')};\n"
            f"        ssl_certificate_key {_setting(env, 'TLS_KEY', '')};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n"
            "        ssl_session_cache shared:tls:10m;\n"
        )
    values = {
        "WORKERS": workers,
        "RUN_DIR": _setting(env, "PROXY_RUN_DIR", "/tmp/heart-to-heart-proxy"),
        "USER_LINE": _worker_user(env),
        "MAX_BODY_BYTES": max_body,
        "UPSTREAM": _setting(env, "UPSTREAM", "127.0.0.1:8000"),
        "LISTEN": _setting(env, "PROXY_LISTEN", "443" if tls else "8080"),
        "TLS_FLAG": " ssl" if tls else "",
        "TLS_LINES": tls_lines,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    left = re.search(r"\{\{\w+\}\}", text)
    if left:
        raise ProxyConfigError(f"the template names a setting this script does not fill: {left.group()}")
    return text


def nginx_binary(env: Mapping[str, str]) -> str:
    named = (env.get("NGINX") or "").strip()
    found = shutil.which(named or "nginx") or ("/usr/sbin/nginx" if not named else None)
    if not found or not os.access(found, os.X_OK):
        raise ProxyConfigError(f"nginx not found ({named or 'nginx'}); on Debian: apt install nginx")
    return found


def prepare(env: Mapping[str, str]) -> list[str]:
    """Write the configuration into PROXY_RUN_DIR and return the command that starts nginx."""
    text = render(env)
    run_dir = Path(_setting(env, "PROXY_RUN_DIR", "/tmp/heart-to-heart-proxy"))
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(text)
    return [nginx_binary(env), "-p", str(run_dir), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the configuration and exit")
    parser.add_argument("--check", action="store_true", help="let nginx test the configuration and exit")
    args = parser.parse_args(argv)
    try:
        if args.print:
            sys.stdout.write(render(os.environ))
            return 0
        command = prepare(os.environ)
    except ProxyConfigError as error:
        print(f"proxy: {error}", file=sys.stderr)
        return 2
    if args.check:
        command = [*command[:-2], "-t"]
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
