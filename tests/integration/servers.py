"""Real processes for the integration tests and the load benchmark: redis-server, and gunicorn started exactly
as the Procfile says (worker class, threads, timeouts), on free loopback ports; a private copy of the release."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """redis-server on loopback without persistence; stop() and start() again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed (tests/run.sh installs it)")
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


def procfile_command(port: int, env: dict[str, str]) -> list[str]:
    """The Procfile's web command with its ${VAR:-default}s expanded, bound to 127.0.0.1:port."""
    line = next(ln for ln in (ROOT / "Procfile").read_text().splitlines() if ln.startswith("web:"))
    command = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1), m.group(2)), line.split(":", 1)[1])
    args = shlex.split(command)
    assert args[0] == "gunicorn", args
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    return [sys.executable, "-m", "gunicorn", *args[1:]]


class ProcfileServer:
    """gunicorn as in production (the Procfile), with the environment given; its log kept for inspection."""

    def __init__(self, env: dict[str, str] | None = None, worker_class: str | None = None,
                 log: Path | None = None) -> None:
        self.port = free_port()
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "OMUP_CACHE_URL": "", **(env or {})}
        self.args = procfile_command(self.port, self.env)
        if worker_class:
            self.args[self.args.index("--worker-class") + 1] = worker_class
            if worker_class == "sync" and "--threads" in self.args:
                # gunicorn turns sync into gthread when threads > 1: one thread per process, as before.
                at = self.args.index("--threads")
                del self.args[at:at + 2]
        self.log_path = log or Path(tempfile.mkdtemp(prefix="omup-gunicorn-")) / "gunicorn.log"
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ProcfileServer:
        self._log = open(self.log_path, "w")  # closed in __exit__
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 300  # a first start compresses every bundle once (portal/wsgi.py)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                # A route that costs nothing against the rate-limit budget (the limiter tests count from zero).
                with urllib.request.urlopen(self.base + "/favicon.ico", timeout=2) as r:
                    r.read()
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in 300 s; see {self.log_path}")

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()


def private_release(source: Path, root: Path) -> Path:
    """A release folder of its own under root (hard links: nothing shared is rewritten), its `current` pointing at
    a copy of source; each edition gets its full-release files when source predates them. Returns root."""
    import orjson
    import pandas as pd

    from portal.catalogue import Catalogue
    from portal.pipeline.downloads import read_index, write_release_downloads

    (root / "releases").mkdir(parents=True)
    target = root / "releases" / source.name

    def link_or_copy(src: str, dst: str) -> None:
        if "/downloads/" in dst:
            shutil.copy2(src, dst)
        else:
            os.link(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)
    os.symlink(Path("releases") / source.name, root / "current")
    for folder in (target, target / "demo"):
        if read_index(folder) is None:
            catalogue = Catalogue.model_validate(orjson.loads((folder / "catalogue.json").read_bytes()))
            write_release_downloads(folder, pd.read_parquet(folder / "values.parquet"),
                                    pd.read_parquet(folder / "units.parquet"), catalogue,
                                    orjson.loads((folder / "metadata.json").read_bytes()))
    return root
