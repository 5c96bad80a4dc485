"""A real, local Elasticsearch 8 or OpenSearch 2 for tests, the demo and benchmarks.

Both projects publish an "integ-test" zip on Maven Central. This module fetches it
with ``mvn -q dependency:get`` (cached in ``~/.m2``), unpacks it once into a cache
directory, and starts one single-node instance per :class:`LocalEngine` on
127.0.0.1 with its own data/log/config directories, a free port and a small heap.

The engines refuse to run as root. When the current user is root, the engine runs
as an unprivileged system user (``useradd -M -s /bin/false``) through ``runuser``,
and the cache lives outside ``/root`` (which other users cannot traverse).

What the test distributions lack (checked on 8.15.3 / 2.18.0): painless scripts,
ingest processors, ML, Kibana; OpenSearch also lacks its security plugin. The
sidecar is designed around that (partial ``doc`` updates, no scripts, no pipelines).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from logtriage.errors import SearchEngineError

__all__ = [
    "ENGINES",
    "EngineKind",
    "EngineSpec",
    "LocalEngine",
    "LocalEngineError",
    "default_cache_dir",
    "engine_home",
    "free_port",
]

EngineKind = Literal["elasticsearch", "opensearch"]
DEFAULT_JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
ENGINE_USER = "logtriage-engine"


class LocalEngineError(SearchEngineError):
    """The local engine could not be fetched, unpacked or started."""


@dataclass(frozen=True)
class EngineSpec:
    """Where a test distribution comes from and how it is started."""

    kind: EngineKind
    group: str
    artifact: str
    version: str
    java_home_env: str
    java_opts_env: str
    path_conf_env: str
    tmpdir_env: str
    extra_settings: tuple[str, ...]

    @property
    def coordinates(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}:zip"

    @property
    def m2_path(self) -> Path:
        base = Path(os.environ.get("LOGTRIAGE_M2_REPO", Path.home() / ".m2" / "repository"))
        return (
            base.joinpath(*self.group.split("."))
            / self.artifact
            / self.version
            / f"{self.artifact}-{self.version}.zip"
        )

    @property
    def executable(self) -> str:
        return f"bin/{self.kind}"


ENGINES: dict[str, EngineSpec] = {
    "elasticsearch": EngineSpec(
        kind="elasticsearch",
        group="org.elasticsearch.distribution.integ-test-zip",
        artifact="elasticsearch",
        version="8.15.3",
        java_home_env="ES_JAVA_HOME",
        java_opts_env="ES_JAVA_OPTS",
        path_conf_env="ES_PATH_CONF",
        tmpdir_env="ES_TMPDIR",
        extra_settings=("xpack.security.enabled=false",),
    ),
    "opensearch": EngineSpec(
        kind="opensearch",
        group="org.opensearch.distribution.integ-test-zip",
        artifact="opensearch",
        version="2.18.0",
        java_home_env="OPENSEARCH_JAVA_HOME",
        java_opts_env="OPENSEARCH_JAVA_OPTS",
        path_conf_env="OPENSEARCH_PATH_CONF",
        tmpdir_env="OPENSEARCH_TMPDIR",
        extra_settings=(),
    ),
}


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def default_cache_dir() -> Path:
    """``$LOGTRIAGE_ENGINE_CACHE``, else ``/var/cache/logtriage/engines`` as root
    (``/root`` is not traversable by the engine user), else ``~/.cache/logtriage/engines``."""
    env = os.environ.get("LOGTRIAGE_ENGINE_CACHE")
    if env:
        return Path(env)
    if _is_root():
        return Path("/var/cache/logtriage/engines")
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "logtriage" / "engines"


def _fetch(spec: EngineSpec) -> Path:
    """The zip in the local Maven repository, downloading it with mvn if needed."""
    path = spec.m2_path
    if path.is_file():
        return path
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalEngineError(
            f"{spec.kind} {spec.version} is not in {path.parent} and `mvn` is not installed; "
            f"install Maven or run: mvn -q dependency:get -Dartifact={spec.coordinates} "
            "-Dtransitive=false"
        )
    cmd = [mvn, "-q", "dependency:get", f"-Dartifact={spec.coordinates}", "-Dtransitive=false"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not path.is_file():
        tail = (proc.stdout + proc.stderr).strip()[-2000:]
        raise LocalEngineError(f"cannot download {spec.coordinates} with mvn: {tail}")
    return path


def _ensure_user(user: str) -> None:
    """Create the unprivileged engine user when running as root (idempotent)."""
    if subprocess.run(["id", "-u", user], capture_output=True, check=False).returncode == 0:
        return
    proc = subprocess.run(
        ["useradd", "-M", "-r", "-s", "/bin/false", user],
        capture_output=True,
        text=True,
        check=False,
    )
    # Another process may have created it at the same time.
    exists = subprocess.run(["id", "-u", user], capture_output=True, check=False).returncode == 0
    if proc.returncode != 0 and not exists:
        raise LocalEngineError(f"cannot create user {user!r}: {proc.stderr.strip()}")


def _chown_tree(path: Path, user: str) -> None:
    proc = subprocess.run(
        ["chown", "-R", f"{user}:", str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise LocalEngineError(f"cannot chown {path} to {user}: {proc.stderr.strip()}")


def engine_home(spec: EngineSpec, cache_dir: Path | None = None) -> Path:
    """The unpacked distribution, unpacked once (atomically) into the cache directory."""
    cache = cache_dir or default_cache_dir()
    home = cache / f"{spec.kind}-{spec.version}"
    if (home / spec.executable).is_file():
        return home
    archive = _fetch(spec)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.kind}-", dir=cache))
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                target = Path(zf.extract(info, tmp))
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    target.chmod(mode)
        roots = [p for p in tmp.iterdir() if p.is_dir()]
        if len(roots) != 1:
            raise LocalEngineError(f"unexpected layout in {archive}")
        root = roots[0]
        for sub in ("logs", "data"):
            (root / sub).mkdir(exist_ok=True)
        for script in (root / "bin").iterdir():
            script.chmod(script.stat().st_mode | 0o755)
        try:
            root.rename(home)
        except OSError:
            if not (home / spec.executable).is_file():  # lost a race only if the winner is whole
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return home


_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()

# What Elasticsearch and OpenSearch print when the HTTP or transport port is taken.
_PORT_TAKEN_MARKERS = ("BindHttpException", "BindTransportException", "Address already in use")
_PORT_ATTEMPTS = 3


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago and that this process has not handed out before.

    Two engines started side by side need four distinct ports; the kernel may give
    the same free port twice when nothing holds it in between.
    """
    with _handed_out_lock:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind((host, 0))
                port = int(s.getsockname()[1])
            if port not in _handed_out:
                _handed_out.add(port)
                return port


def _first_line_with(text: str, markers: tuple[str, ...]) -> str:
    return next((line for line in text.splitlines() if any(m in line for m in markers)), "")


class _PortTaken(LocalEngineError):
    """The engine exited because its HTTP or transport port was already in use."""


class LocalEngine:
    """One single-node engine on 127.0.0.1.

    Arguments:
        kind: ``"elasticsearch"`` or ``"opensearch"``.
        heap_mb: JVM heap (``-Xms``/``-Xmx``), default 512.
        port: HTTP port; a free one when ``None``.
        cache_dir: where distributions are unpacked (:func:`default_cache_dir`).
        startup_timeout_s: how long to wait for ``_cluster/health`` yellow or green (default 180).
        java_home: JDK 17+ (default ``$JAVA_HOME`` or the system JDK 17).
        superuser: Elasticsearch only: ``(name, password)`` of a file-realm superuser;
            turns security (authentication, roles) on, HTTP stays plain on loopback.
            The test zip cannot create the ``.security`` index (no analysis-common
            module), so users and roles live in files: ``file_roles`` (roles.yml text)
            and ``file_users`` (``(name, password, role)`` each).

    The instance directory (data, logs, config) is a fresh temporary directory,
    removed by :meth:`stop` unless ``keep_data`` is set. :meth:`stop` then
    :meth:`start` again keeps the data and the port (a real engine restart).
    Ports chosen here (``port=None``) are free when chosen, but something else may
    bind one before the engine does; the first start then retries on fresh ports.
    """

    def __init__(
        self,
        kind: EngineKind = "elasticsearch",
        *,
        heap_mb: int = 512,
        port: int | None = None,
        cache_dir: Path | None = None,
        startup_timeout_s: float = 180.0,
        java_home: str | None = None,
        user: str = ENGINE_USER,
        extra_settings: tuple[str, ...] = (),
        superuser: tuple[str, str] | None = None,
        file_roles: str = "",
        file_users: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        if kind not in ENGINES:
            raise LocalEngineError(f"unknown engine {kind!r}; use one of {sorted(ENGINES)}")
        if superuser is not None and kind != "elasticsearch":
            raise LocalEngineError("security (superuser) is only available for elasticsearch")
        self.spec = ENGINES[kind]
        self.kind: EngineKind = self.spec.kind
        self.heap_mb = heap_mb
        self.port = port or free_port()
        self.transport_port = free_port()
        self._may_move_ports = port is None
        self.cache_dir = cache_dir
        self.startup_timeout_s = startup_timeout_s
        self.java_home = java_home or os.environ.get("JAVA_HOME") or DEFAULT_JAVA_HOME
        self.user = user
        self.extra_settings = extra_settings
        self.superuser = superuser
        self.file_roles = file_roles
        self.file_users = file_users
        self.instance_dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def version(self) -> str:
        return self.spec.version

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _prepare_instance(self, home: Path) -> Path:
        if self.instance_dir is not None:
            return self.instance_dir
        inst = Path(tempfile.mkdtemp(prefix=f"logtriage-{self.kind}-"))
        shutil.copytree(home / "config", inst / "config")
        for sub in ("data", "logs", "tmp"):
            (inst / sub).mkdir()
        inst.chmod(0o755)
        self.instance_dir = inst
        return inst

    def _command(self, home: Path, inst: Path) -> tuple[list[str], dict[str, str]]:
        settings = [
            "discovery.type=single-node",
            "network.host=127.0.0.1",
            f"http.port={self.port}",
            f"transport.port={self.transport_port}",
            f"path.data={inst / 'data'}",
            f"path.logs={inst / 'logs'}",
            "cluster.routing.allocation.disk.threshold_enabled=false",
            f"cluster.name=logtriage-{self.kind}-{self.port}",
            *self._security_settings(),
            *self.extra_settings,
        ]
        return self._as_engine_user(
            [str(home / self.spec.executable), *(f"-E{s}" for s in settings)], inst
        )

    def _security_settings(self) -> tuple[str, ...]:
        if self.superuser is None:
            return self.spec.extra_settings
        return (
            "xpack.security.enabled=true",
            "xpack.security.http.ssl.enabled=false",
            "xpack.security.transport.ssl.enabled=false",
        )

    def _as_engine_user(self, args: list[str], inst: Path) -> tuple[list[str], dict[str, str]]:
        """``args`` with the engine's environment, run as the engine user when root."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(inst),
            self.spec.java_home_env: self.java_home,
            self.spec.java_opts_env: f"-Xms{self.heap_mb}m -Xmx{self.heap_mb}m",
            self.spec.path_conf_env: str(inst / "config"),
            # Else the JVM's temp dir is a new /tmp/<kind>-<n> that outlives every run.
            self.spec.tmpdir_env: str(inst / "tmp"),
            "LANG": "C.UTF-8",
        }
        if _is_root():
            _ensure_user(self.user)
            env_args = [f"{k}={v}" for k, v in env.items()]
            return ["runuser", "-u", self.user, "--", "env", "-i", *env_args, *args], dict(env)
        return args, env

    def start(self) -> LocalEngine:
        """Start the engine and wait until it answers; raise :class:`LocalEngineError` if not."""
        if self.is_running():
            return self
        if not Path(self.java_home, "bin", "java").is_file():
            raise LocalEngineError(
                f"no JDK at {self.java_home}: install JDK 17 or set JAVA_HOME "
                f"({self.kind} {self.version} has no bundled JDK in its test zip)"
            )
        home = engine_home(self.spec, self.cache_dir)
        attempts = _PORT_ATTEMPTS if self._may_move_ports else 1
        for attempt in range(1, attempts + 1):
            try:
                self._launch(home)
                break
            except _PortTaken:
                if attempt == attempts:
                    raise
                # Nothing worth keeping from a node that never came up.
                self.stop()
                self.port, self.transport_port = free_port(), free_port()
        self._may_move_ports = False
        return self

    def _launch(self, home: Path) -> None:
        """One start of the engine process; on failure it is stopped again."""
        inst = self._prepare_instance(home)
        if _is_root():
            _ensure_user(self.user)
            _chown_tree(home, self.user)
            _chown_tree(inst, self.user)
        if self.superuser is not None:
            self._add_file_realm(home, inst)
        cmd, env = self._command(home, inst)
        console = inst / "logs" / "console.log"
        console_start = console.stat().st_size if console.exists() else 0
        out = open(console, "ab")  # noqa: SIM115 - kept open for the child
        try:
            self._proc = subprocess.Popen(
                cmd,
                cwd=inst,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            out.close()
        try:
            self._wait_ready(console_start)
        except LocalEngineError:
            self._terminate()
            raise

    def _add_file_realm(self, home: Path, inst: Path) -> None:
        """Write ``roles.yml`` and create the file-realm users once (``elasticsearch-users``)."""
        assert self.superuser is not None
        marker = inst / "config" / ".logtriage-users"
        if marker.exists():
            return
        if self.file_roles:
            with (inst / "config" / "roles.yml").open("a", encoding="utf-8") as f:
                f.write("\n" + self.file_roles)
        for name, password, role in ((*self.superuser, "superuser"), *self.file_users):
            tool = [str(home / "bin" / "elasticsearch-users"), "useradd", name]
            cmd, env = self._as_engine_user([*tool, "-p", password, "-r", role], inst)
            done = subprocess.run(
                cmd, env=env, cwd=inst, capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                raise LocalEngineError(
                    f"elasticsearch-users useradd {name} failed ({done.returncode}): "
                    f"{(done.stdout + done.stderr).strip()[-1000:]}"
                )
        marker.touch()

    def _console(self, since: int = 0) -> str:
        """The console output from byte ``since`` on (this start's part of the file)."""
        if self.instance_dir is None:
            return ""
        try:
            with (self.instance_dir / "logs" / "console.log").open("rb") as f:
                f.seek(since)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def _wait_ready(self, console_start: int) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        request = urllib.request.Request(
            f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
        )
        if self.superuser is not None:
            token = base64.b64encode(":".join(self.superuser).encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                console = self._console(console_start)
                where = (
                    f"{self.kind} {self.version} exited with code {self._proc.returncode} while "
                    f"starting on HTTP port {self.port}, transport port {self.transport_port}"
                )
                bind_error = _first_line_with(console, _PORT_TAKEN_MARKERS)
                if bind_error:
                    raise _PortTaken(f"{where}: a port is already in use:\n{bind_error}")
                raise LocalEngineError(f"{where}:\n{console[-3000:]}")
            try:
                with urllib.request.urlopen(request, timeout=10) as resp:
                    body = json.loads(resp.read())
                if body.get("status") in ("green", "yellow"):
                    return
            # http.client.HTTPException: something else answers on the port (another
            # node's transport port says "This is not an HTTP port"); this node is
            # about to fail to bind it, which the exit check above reports.
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
                pass
            time.sleep(0.5)
        raise LocalEngineError(
            f"{self.kind} {self.version} did not answer _cluster/health on {self.url} within "
            f"{self.startup_timeout_s:.0f}s:\n{self._console(console_start)[-3000:]}"
        )

    def _terminate(self, timeout_s: float = 60.0) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            # The process group holds runuser, the launcher JVM and the server JVM.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        # The server JVM may outlive runuser for a moment; wait for the group to empty.
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        self._proc = None

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop the engine (SIGTERM, then SIGKILL after 60 s) and remove its data unless asked."""
        self._terminate()
        if not keep_data and self.instance_dir is not None:
            shutil.rmtree(self.instance_dir, ignore_errors=True)
            self.instance_dir = None

    def detach(self) -> None:
        """Leave the engine running, with its data: :meth:`stop` no longer touches it."""
        self._proc = None
        self.instance_dir = None

    def pause(self) -> None:
        """Freeze the engine (SIGSTOP to its process group): it stops answering, sockets
        stay open, requests time out. :meth:`resume` continues it."""
        if self._proc is None:
            raise LocalEngineError("engine not started")
        os.killpg(self._proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self._proc is None:
            raise LocalEngineError("engine not started")
        os.killpg(self._proc.pid, signal.SIGCONT)

    def restart(self) -> LocalEngine:
        """Stop and start again with the same data and port."""
        self.stop(keep_data=True)
        return self.start()

    def __enter__(self) -> LocalEngine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
