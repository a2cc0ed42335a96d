"""The child side of the grader: imports ONE submission and runs calls the parent sends.

Started by :mod:`tinygrad_edu.course.grading.runner` as ``python -s -B -u harness.py CONFIG``
in a fresh environment, a new session (its own process group) and a temporary working
directory that holds only a copy of the submission. Before any submission code runs it

1. fixes ``sys.path`` (no script directory; the submission's folder and a folder holding
   only a link to the ``tinygrad_edu`` package — not the repository with the reference
   exercises);
2. lowers its resource limits (address space, CPU seconds, file size, no core dumps);
3. when started as root, drops to the ``nobody`` user, so the submission cannot write
   the grader's files, signal the grader, or read files closed to other users;
4. asks the kernel to kill it if the grader dies;
5. marks the channel's two pipe ends non-inheritable, so programs the submission
   starts do not get them.

Then it tells the grader it has started (so the import's time limit covers the
submission alone, not Python and numpy loading on a busy machine), imports the
submission and answers requests: each request is a batch of calls
(see :mod:`tinygrad_edu.course.grading.drivers`); each answer carries the raw return values or
the exception. It never compares anything with an expected value and never prints a
result: the parent decides pass or fail, and ignores this process's stdout.
"""

from __future__ import annotations

import json
import os
import sys
from types import ModuleType


def _setup(config: dict) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here]
    sys.path[0:0] = [config["workdir"], config["libdir"]]

    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    import resource
    import signal

    def limit(which: int, soft: int, hard: int | None = None) -> None:
        hard = soft if hard is None else hard
        cur_soft, cur_hard = resource.getrlimit(which)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
        resource.setrlimit(which, (min(soft, hard), hard))

    mb = 1024 * 1024
    if config.get("memory_mb"):
        limit(resource.RLIMIT_AS, int(config["memory_mb"]) * mb)
    if config.get("cpu_s"):
        # SIGXCPU at the soft limit, SIGKILL one second later at the hard limit.
        limit(resource.RLIMIT_CPU, int(config["cpu_s"]), int(config["cpu_s"]) + 1)
    limit(resource.RLIMIT_FSIZE, int(config.get("fsize_mb", 64)) * mb)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big write fails instead of killing
    limit(resource.RLIMIT_CORE, 0)

    drop = config.get("drop_to")
    if drop is not None:
        uid, gid = int(drop[0]), int(drop[1])
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if config.get("nproc"):
            limit(resource.RLIMIT_NPROC, int(config["nproc"]))

    # Set after setuid: a change of credentials clears the parent-death signal.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the grader's wall-clock timeout and RLIMIT_CPU still apply
    if os.getppid() != int(config["parent_pid"]):
        os._exit(3)  # the grader is already gone

    os.set_inheritable(int(config["req_fd"]), False)
    os.set_inheritable(int(config["resp_fd"]), False)


def _describe(exc: BaseException, path: str, module: str) -> dict:
    """The exception as the student should see it: only frames from their own file."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines).replace(path, f"{module}.py")
    if isinstance(exc, SystemExit):
        message = f"sys.exit({exc.code!r}) was called"
    else:
        message = str(exc).replace(path, f"{module}.py")
    return {
        "ok": False,
        "error_type": type(exc).__name__,
        "message": message[:2000],
        "traceback": text[-4000:],
    }


def _load_local(name: str) -> ModuleType:
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_tinygrad_edu_grading_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    config = json.loads(sys.argv[1])
    _setup(config)
    req_fd, resp_fd = int(config["req_fd"]), int(config["resp_fd"])
    module_name, path = config["module"], config["submission"]

    import importlib.util

    import numpy  # noqa: F401  (loaded before the submission so its import time is ours)

    # The two modules this process needs, loaded by path: importing them as
    # tinygrad_edu.course.grading.* would import the whole library (and the grader) first.
    codec, drivers = _load_local("codec"), _load_local("drivers")

    for name in config.get("preload", ()):
        importlib.import_module(name)  # e.g. numba.cuda, so the submission's timer is fair
    # The submission's import time limit starts now, not while Python and numpy load.
    codec.write_frame(resp_fd, {"event": "started"})

    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - SyntaxError, ImportError, SystemExit, ...
        codec.write_frame(resp_fd, {"event": "import_error", **_describe(exc, path, module_name)})
        os._exit(0)
    codec.write_frame(resp_fd, {"event": "ready"})

    while True:
        request = codec.read_frame(req_fd)
        if request is None or request.get("op") == "exit":
            break
        results = []
        for spec_ in request["calls"]:
            try:
                value = drivers.run(module, spec_)
                codec.encode(value)  # fail here, per call, if the value has no wire form
                results.append({"ok": True, "value": value})
            except codec.EncodeError as exc:
                results.append(
                    {
                        "ok": False,
                        "error_type": "ReturnTypeError",
                        "message": f"returned {exc}, which is not a number or an array",
                        "traceback": "",
                    }
                )
            except BaseException as exc:  # noqa: BLE001 - the student's exception is data
                results.append(_describe(exc, path, module_name))
        codec.write_frame(resp_fd, {"id": request["id"], "results": results})
    os._exit(0)  # skip atexit handlers the submission may have registered


if __name__ == "__main__":
    main()
