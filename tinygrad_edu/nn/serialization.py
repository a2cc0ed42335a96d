"""Saving and loading state dicts in a format that holds data only, never code.

``torch.save`` and Keras's ``.h5``/pickle routes can run code stored in the file when
it is loaded. This format cannot: it is a numpy ``.npz`` archive (a zip file of
``.npy`` arrays, https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
read with ``allow_pickle=False``, laid out as::

    __tinygrad_edu__.npy    uint8 array holding a UTF-8 JSON header:
                            {"format": "tinygrad_edu.state_dict", "version": 1,
                             "tensors": [{"name": "fc1.weight", "entry": "t0",
                                          "dtype": "float32", "shape": [120, 400]}, ...]}
    t0.npy, t1.npy, ...     one array per tensor, in the header's order

Entries are numbered rather than named after the keys, so a key can be any string.
``load`` checks the header against every array (names, dtypes, shapes, nothing extra)
and refuses anything else — a pickle, a PyTorch checkpoint, a truncated or corrupted
file — with a ``SerializationError`` that says which.

A model is saved through its ``state_dict()``; the architecture is code, so to load a
model, build it again and call ``model.load_state_dict(load(path))``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .module import Module

FORMAT = "tinygrad_edu.state_dict"
VERSION = 1
HEADER = "__tinygrad_edu__"
_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float16", "float32", "float64"}
_ZIP_MAGIC = b"PK\x03\x04"

PathLike = str | os.PathLike


class SerializationError(ValueError):
    """The file is not a valid tinygrad_edu state dict (or cannot be written as one)."""


def save(obj: Module | Mapping[str, Any], path: PathLike) -> None:
    """Write a state dict (name → Tensor or array), or a Module's ``state_dict()``, to
    ``path`` exactly as given (no suffix is added). The file is written to a temporary
    name first and then renamed, so an interrupted save never leaves half a file."""
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, Mapping):
        raise TypeError(f"save: expected a Module or a dict of tensors, got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    entries = []
    for i, (name, value) in enumerate(state.items()):
        if not isinstance(name, str):
            raise SerializationError(f"save: keys must be strings, got {name!r}")
        arr = value.backend.to_numpy(value.data) if isinstance(value, Tensor) \
            else np.asarray(value)
        if arr.dtype.name not in _DTYPES:
            raise SerializationError(f"save: {name!r} has dtype {arr.dtype}; only numeric and "
                                     f"bool arrays can be saved")
        arrays[f"t{i}"] = arr
        entries.append({"name": name, "entry": f"t{i}", "dtype": arr.dtype.name,
                        "shape": list(arr.shape)})
    header = json.dumps({"format": FORMAT, "version": VERSION, "tensors": entries})
    arrays[HEADER] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    target = os.fspath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(target)), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: PathLike, device: str | None = None) -> dict[str, Tensor]:
    """Read a state dict written by ``save``: name → Tensor (on ``device``, default CPU).

    Never unpickles and never runs code from the file. Raises ``SerializationError`` for
    anything that is not such a file, saying what it looks like instead.
    """
    name = os.fspath(path)
    with open(name, "rb") as f:
        raw = f.read()
    if not raw.startswith(_ZIP_MAGIC):
        raise SerializationError(f"load: {name!r} is not a tinygrad_edu file: {_guess(raw)}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = zf.namelist()
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            header = _read_header(npz, members, name)
            out = {}
            for spec in header["tensors"]:
                arr = npz[spec["entry"]]
                if arr.dtype.name != spec["dtype"] or list(arr.shape) != spec["shape"]:
                    raise SerializationError(
                        f"load: {name!r} is corrupted: {spec['name']!r} should be "
                        f"{spec['dtype']} {tuple(spec['shape'])}, the file holds "
                        f"{arr.dtype} {arr.shape}")
                out[spec["name"]] = Tensor(arr, dtype=arr.dtype, device=device)
            return out
    except SerializationError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        # a cut-off download, a flipped bit (CRC check), an object array, ...
        raise SerializationError(f"load: {name!r} is truncated or corrupted ({e})") from e


def _read_header(npz: Any, members: list[str], name: str) -> dict[str, Any]:
    if HEADER + ".npy" not in members:
        shown = ", ".join(members[:5]) + (", ..." if len(members) > 5 else "")
        hint = (" — it looks like a PyTorch checkpoint, which holds a pickle"
                if any(m.endswith(".pkl") for m in members) else "")
        raise SerializationError(f"load: {name!r} is a zip archive but not a tinygrad_edu file "
                                 f"(it has no {HEADER} header; it holds {shown}){hint}")
    try:
        header = json.loads(npz[HEADER].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SerializationError(f"load: {name!r} has a corrupted header ({e})") from e
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        tag = header.get("format") if isinstance(header, dict) else header
        raise SerializationError(f"load: {name!r} has a header of another format ({tag!r})")
    if not isinstance(header.get("version"), int) or header["version"] > VERSION:
        raise SerializationError(f"load: {name!r} has format version {header.get('version')!r}; "
                                 f"this tinygrad_edu reads versions up to {VERSION}")
    tensors = header.get("tensors")
    if not isinstance(tensors, list) or not all(
            isinstance(t, dict) and isinstance(t.get("name"), str)
            and isinstance(t.get("entry"), str) and t.get("dtype") in _DTYPES
            and isinstance(t.get("shape"), list) for t in tensors):
        raise SerializationError(f"load: {name!r} has a malformed list of tensors in its header")
    expected = {HEADER + ".npy"} | {t["entry"] + ".npy" for t in tensors}
    if set(members) != expected or len(members) != len(expected):
        extra = sorted(set(members) - expected)
        lost = sorted(expected - set(members))
        raise SerializationError(f"load: {name!r} does not match its header (entries missing: "
                                 f"{lost or 'none'}; not listed: {extra or 'none'})")
    return header


def _guess(raw: bytes) -> str:
    """What a file that is not a zip archive probably is, for the error message."""
    if not raw:
        return "the file is empty"
    if raw[:1] == b"\x80" or raw[:2] in (b"(d", b"(l", b"}q", b"]q", b"cc"):
        return ("it is a Python pickle, and loading pickles can run arbitrary code, so it is "
                "refused; re-save the weights with tinygrad_edu.nn.save")
    if raw.startswith(b"\x93NUMPY"):
        return "it is a single .npy array, not a state dict saved with nn.save"
    if raw.startswith(b"\x89HDF"):
        return "it is an HDF5 file (Keras .h5?), not a state dict saved with nn.save"
    return f"it does not start like a zip archive (first bytes {raw[:8]!r})"
