"""Run a submission in a separate, limited process and talk to it over a private pipe.

The grader (this process) never imports the submission. :class:`SubmissionProcess`
starts :mod:`tinygrad_edu.course.grading.harness` with

- a fresh environment (no PYTHONPATH, HOME in the temporary folder, one BLAS thread,
  ``PYTHONHASHSEED=0`` for reproducible runs) plus the exercise's own variables
  (``NUMBA_ENABLE_CUDASIM=1`` for the kernel exercise);
- a temporary working directory holding only a copy of the submission;
- its own session and process group, so one ``killpg`` ends it and its children;
- limits on address space (memory), CPU seconds and file size, and — when the grader
  runs as root, as on Gradescope — the uid of ``nobody``;
- two pipes inherited by fd number: requests go down one, answers come up the other.

Every wait on the child has a wall-clock deadline; on a deadline, a crash, an early
exit or a garbled frame the process group is killed and :class:`SubmissionFailed`
says what happened. stdout and stderr are captured by a thread and truncated: they
are shown to people, never parsed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from . import codec

HARNESS = Path(__file__).with_name("harness.py")
PACKAGE_DIR = Path(__file__).resolve().parents[2]  # the tinygrad_edu package
TOKEN_VAR = "TINYGRAD_EDU_GRADING_TOKEN"


@dataclass(frozen=True)
class Limits:
    """What one submission may use. ``timeout_s`` bounds the import and, separately,
    the time each check spends waiting on the submission."""

    timeout_s: float = 10.0
    startup_s: float = 60.0  # the harness's own start-up, before the submission is imported
    memory_mb: int = 2048
    output_bytes: int = 8192
    fsize_mb: int = 64
    nproc: int = 512  # only applied under the dropped uid, where it counts only our processes


class SubmissionFailed(Exception):
    """The submission's process stopped answering: timeout, crash, exit, bad frame, or
    an exception while being imported. ``kind`` is a short tag; str() is for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class CallResult:
    """One call's outcome as the child reported it (values already decoded)."""

    ok: bool
    value: Any = None
    error_type: str = ""
    message: str = ""
    traceback: str = ""


def should_drop_privileges() -> bool:
    """Root drops to ``nobody`` by default (Gradescope runs the autograder as root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _nobody() -> tuple[int, int] | None:
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError):
        return None


def _open_to_others(path: Path) -> bool:
    """Can a user who is neither owner nor group read ``path`` (and reach it)?"""
    try:
        path = path.resolve()
        if not (path.stat().st_mode & 0o004):
            return False
        return all(p.stat().st_mode & 0o001 for p in path.parents)
    except OSError:
        return False


def privilege_drop_target() -> tuple[tuple[int, int] | None, str]:
    """(uid, gid) of ``nobody`` if the child can run as it, else None and why not.

    The interpreter, its standard library, its site-packages and tinygrad_edu must be
    readable by other users; a Python installed under /root, for example, is not."""
    ids = _nobody()
    if ids is None:
        return None, "there is no user 'nobody'"
    needed = [Path(sys.executable), Path(os.__file__), PACKAGE_DIR / "__init__.py"]
    needed += [Path(p) for p in sys.path if p and p.endswith(("site-packages", "dist-packages"))]
    closed = [str(p) for p in needed if not _open_to_others(p)]
    if closed:
        return None, f"{closed[0]} is not readable by other users"
    return ids, ""


@dataclass
class _Output:
    """The first ``limit`` bytes of the child's stdout+stderr, and how many were dropped."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def drain(self, fd: int) -> None:
        """Read ``fd`` until end of file or until ``stop`` is set. It never blocks in a
        read for long: a process that escaped the clean-up may hold the pipe's write end
        open for ever, and the grader must not wait for it (nor block closing the pipe
        while a read is in progress)."""
        while not self.stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            room = self.limit - len(self.data)
            self.data.extend(chunk[: max(room, 0)])
            self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output not shown]"
        return text


class SubmissionProcess:
    """One child process that has imported the submission (start → call* → close)."""

    def __init__(
        self,
        submission: Path,
        module: str,
        *,
        limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe as a default
        env: dict[str, str] | None = None,
        preload: tuple[str, ...] = (),
        drop_privileges: bool | None = None,
    ) -> None:
        self.submission = Path(submission)
        self.module = module
        self.limits = limits
        self.extra_env = dict(env or {})
        self.preload = preload
        self.drop = should_drop_privileges() if drop_privileges is None else drop_privileges
        self.proc: subprocess.Popen[bytes] | None = None
        self.tmp: Path | None = None
        self.alive = False
        self._token = secrets.token_hex(16)
        self._next_id = 0
        self._buffer = codec.FrameBuffer()
        self._output = _Output(limits.output_bytes)
        self._reader: threading.Thread | None = None
        self._req_w = self._resp_r = -1
        self._out_fd = -1
        self.drop_note = ""  # why the child kept our uid although we are root
        self._workdir = ""

    # --- lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        """Spawn the child and wait (at most ``timeout_s``) for it to import the submission."""
        self.tmp = Path(tempfile.mkdtemp(prefix="tinygrad-edu-grade-"))
        workdir, libdir = self.tmp / "work", self.tmp / "lib"
        self._workdir = str(workdir)
        workdir.mkdir()
        libdir.mkdir()
        copy = workdir / f"{self.module}.py"
        shutil.copyfile(self.submission, copy)
        # Only the package, not the repository around it: the reference exercises live
        # next to the package in a checkout and must not be importable from the child.
        (libdir / "tinygrad_edu").symlink_to(PACKAGE_DIR, target_is_directory=True)

        drop_to, self.drop_note = privilege_drop_target() if self.drop else (None, "")
        if drop_to is not None:
            os.chmod(self.tmp, 0o755)
            os.chmod(libdir, 0o755)
            os.chown(workdir, *drop_to)
            os.chown(copy, *drop_to)

        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        config = {
            "req_fd": req_r,
            "resp_fd": resp_w,
            "workdir": str(workdir),
            "libdir": str(libdir),
            "module": self.module,
            "submission": str(copy),
            "memory_mb": self.limits.memory_mb,
            # RLIMIT_CPU is a backstop if this process dies; the wall clock here is the rule.
            "cpu_s": int(self.limits.timeout_s * 4 + 60),
            "fsize_mb": self.limits.fsize_mb,
            "drop_to": list(drop_to) if drop_to else None,
            "nproc": self.limits.nproc,
            "parent_pid": os.getpid(),
            "preload": list(self.preload),
        }
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(workdir),
            "TMPDIR": str(workdir),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONHASHSEED": "0",
            "PYTHONIOENCODING": "utf-8",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1",
            "NUMBA_CACHE_DIR": str(workdir / ".numba_cache"),
            "MPLBACKEND": "Agg",
            TOKEN_VAR: self._token,
            **self.extra_env,
        }
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-s", "-B", "-u", str(HARNESS), json.dumps(config)],
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(req_r, resp_w),
                start_new_session=True,
            )
        finally:
            os.close(req_r)
            os.close(resp_w)
        assert self.proc.stdout is not None
        self._out_fd = self.proc.stdout.fileno()
        self._reader = threading.Thread(
            target=self._output.drain, args=(self._out_fd,), daemon=True
        )
        self._reader.start()
        self.alive = True

        # Our own start-up (Python, numpy, preloads) gets a generous limit of its own, so
        # a loaded machine does not charge it to the submission.
        message = self._receive(
            max(self.limits.startup_s, self.limits.timeout_s), during="while starting"
        )
        if message.get("event") != "started":
            self._fail("protocol", "sent an unexpected first message")
        message = self._receive(self.limits.timeout_s, during="while being imported")
        if message.get("event") == "import_error":
            self.close()
            raise SubmissionFailed("import", _import_message(message))
        if message.get("event") != "ready":
            self._fail("protocol", "sent an unexpected message instead of 'ready'")

    def close(self) -> None:
        """Ask the child to exit, then kill its process group and anything it left behind."""
        proc = self.proc
        if proc is not None:
            if self.alive and proc.poll() is None:
                with contextlib.suppress(OSError, codec.EncodeError):
                    codec.write_frame(self._req_w, {"op": "exit"})
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=0.5)
            self._kill_group()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            self._reap_stragglers()
            if self._reader is not None:
                self._reader.join(timeout=1)  # what is left to read after the kill
                self._output.stop.set()  # an escaped process may hold the pipe open
                self._reader.join(timeout=2)
            if proc.stdout is not None:
                with contextlib.suppress(OSError):
                    proc.stdout.close()
        for fd in (self._req_w, self._resp_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._req_w = self._resp_r = -1
        self.alive = False
        self.proc = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self) -> SubmissionProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def output(self) -> str:
        """What the submission printed (truncated), for people to read. The temporary
        folder's name is removed: it differs from run to run."""
        text = self._output.text()
        return text.replace(self._workdir + os.sep, "") if self._workdir else text

    # --- calls -----------------------------------------------------------------------
    def call(self, specs: list[dict], timeout: float) -> tuple[list[CallResult], float]:
        """Run a batch of calls; return their results and the seconds spent waiting."""
        if not self.alive:
            raise SubmissionFailed("dead", "the submission's process is not running")
        self._next_id += 1
        request_id = self._next_id
        started = time.monotonic()
        try:
            codec.write_frame(self._req_w, {"id": request_id, "calls": specs})
        except OSError:
            self._fail("exited", self._exit_description("before it was sent its inputs"))
        message = self._receive(timeout, during="while running this check")
        elapsed = time.monotonic() - started
        results = message.get("results")
        if message.get("id") != request_id or not isinstance(results, list):
            self._fail("protocol", "answered with a message that is not an answer to this call")
        if len(results) != len(specs):
            self._fail("protocol", "answered with the wrong number of results")
        out = []
        for r in results:
            if not isinstance(r, dict) or not isinstance(r.get("ok"), bool):
                self._fail("protocol", "answered with a malformed result")
            out.append(
                CallResult(
                    ok=r["ok"],
                    value=r.get("value"),
                    error_type=str(r.get("error_type", "")),
                    message=str(r.get("message", "")),
                    traceback=str(r.get("traceback", "")),
                )
            )
        return out, elapsed

    # --- internals -------------------------------------------------------------------
    def _receive(self, timeout: float, during: str) -> dict:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                complete, message = self._buffer.pop()
            except codec.ProtocolError as exc:
                self._fail("protocol", f"wrote something that is not a valid frame ({exc})")
            if complete:
                if not isinstance(message, dict):
                    self._fail("protocol", "sent a frame that is not a message")
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(
                    "timeout",
                    f"did not finish within the time limit of {self.limits.timeout_s:g} s "
                    f"{during} (an infinite loop, or far too slow?)",
                )
            try:
                ready, _, _ = select.select([self._resp_r], [], [], min(remaining, 0.25))
            except InterruptedError:
                continue
            if not ready:
                continue
            try:
                chunk = os.read(self._resp_r, 1 << 20)
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                chunk = b""
            if not chunk:
                self._fail("exited", self._exit_description(during))
            try:
                self._buffer.feed(chunk)
            except codec.ProtocolError as exc:
                self._fail("protocol", f"wrote something that is not a valid frame ({exc})")

    def _exit_description(self, during: str) -> str:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return f"closed the grader's channel {during}"
        if code < 0:
            name = _signal_name(-code)
            if -code == signal.SIGKILL:
                hint = " (killed: the memory or CPU limit, or the operating system)"
            elif -code == signal.SIGXCPU:
                hint = " (the CPU time limit)"
            elif -code == signal.SIGSEGV:
                hint = " (a segmentation fault)"
            else:
                hint = ""
            return f"crashed with signal {name}{hint} {during}"
        if code == 0:
            return (
                f"exited with status 0 {during} — did it call sys.exit() or os._exit()? "
                "A submission must only define functions"
            )
        return f"exited with status {code} {during}"

    def _fail(self, kind: str, message: str) -> NoReturn:
        self.close()
        raise SubmissionFailed(kind, f"The submission {message}.")

    def _kill_group(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()

    def _reap_stragglers(self) -> None:
        """Kill processes that left the child's process group (setsid, double fork) but
        still carry this run's token in their environment, or still hold one of this
        run's pipes (the child's output or the channel) — which finds a process that
        also cleared its environment."""
        needle = f"{TOKEN_VAR}={self._token}".encode()
        pipes = set()
        for fd in (self._out_fd, self._req_w, self._resp_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    pipes.add(f"pipe:[{os.fstat(fd).st_ino}]")
        proc_dir = Path("/proc")
        if not proc_dir.is_dir():
            return
        for entry in proc_dir.iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            if _holds(entry, needle, pipes):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(entry.name), signal.SIGKILL)


def _holds(entry: Path, needle: bytes, pipes: set[str]) -> bool:
    """Does the process at ``/proc/<pid>`` carry the token or hold one of the pipes?"""
    try:
        if needle in (entry / "environ").read_bytes().split(b"\0"):
            return True
    except OSError:
        pass
    try:
        for fd in (entry / "fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in pipes:
                    return True
    except OSError:
        pass
    return False


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return str(num)


def _import_message(message: dict) -> str:
    error_type = message.get("error_type", "Exception")
    text = str(message.get("traceback") or message.get("message") or "").rstrip()
    if error_type == "SystemExit":
        return (
            "The submission called sys.exit() while being imported; a submission must only "
            f"define functions.\n{text}"
        )
    return f"The submission could not be imported ({error_type}):\n{text}"
