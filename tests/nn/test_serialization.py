"""save / load: round trips, identical predictions (W12), and every kind of file that
must be refused — without ever unpickling it."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import SerializationError


def _model(seed: int = 0) -> nn.Module:
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Conv2d(1, 2, 3, seed=rng), nn.BatchNorm2d(2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(2 * 4 * 4, 3, seed=rng))


def test_round_trip_predicts_identically(tmp_path):
    # W12: save the trained model, load it into a fresh one, predict the same
    model = _model(0)
    model(Tensor.randn(4, 1, 6, 6, seed=1))  # training mode: running statistics move
    model.eval()
    path = tmp_path / "model.tgz"  # any name: no suffix is appended
    nn.save(model, path)
    assert os.listdir(tmp_path) == ["model.tgz"]
    fresh = _model(1).eval()
    x = Tensor.randn(5, 1, 6, 6, seed=2)
    assert not np.array_equal(fresh(x).numpy(), model(x).numpy())
    fresh.load_state_dict(nn.load(path))
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())
    loaded = nn.load(str(path))
    assert list(loaded) == list(model.state_dict())
    assert loaded["1.num_batches_tracked"].dtype == np.int64
    assert loaded["0.weight"].dtype == np.float32 and not loaded["0.weight"].requires_grad


def test_dicts_of_arrays_and_any_key(tmp_path):
    state = {"a": np.arange(6, dtype=np.float64).reshape(2, 3), "b/c.d e": Tensor([True]),
             "t0": np.zeros((0, 2), dtype=np.int32), "__tinygrad_edu__": np.ones(1)}
    nn.save(state, tmp_path / "s.npz")
    back = nn.load(tmp_path / "s.npz")
    assert list(back) == list(state)
    for k, v in state.items():
        np.testing.assert_array_equal(back[k].numpy(), np.asarray(v))
        assert back[k].dtype == np.asarray(v).dtype


def test_save_refuses_what_it_cannot_store(tmp_path):
    with pytest.raises(SerializationError, match="dtype object"):
        nn.save({"x": np.array([{"a": 1}], dtype=object)}, tmp_path / "x")
    with pytest.raises(TypeError, match="Module or a dict"):
        nn.save([1, 2], tmp_path / "x")
    assert not (tmp_path / "x").exists()


class Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_pickle_is_refused_unread(tmp_path, protocol):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Boom()}, protocol=protocol))
    with pytest.raises(SerializationError, match="Python pickle.*arbitrary code"):
        nn.load(path)


def test_a_pytorch_checkpoint_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path)
    with pytest.raises(SerializationError, match="not a tinygrad_edu file.*PyTorch checkpoint"):
        nn.load(path)


def test_foreign_zip_and_npz_are_refused(tmp_path):
    zpath = tmp_path / "other.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(SerializationError, match="zip archive but not a tinygrad_edu file"):
        nn.load(zpath)
    npz = tmp_path / "plain.npz"
    np.savez(npz, w=np.zeros(3))
    with pytest.raises(SerializationError, match=r"no __tinygrad_edu__ header; it holds w\.npy"):
        nn.load(npz)
    single = tmp_path / "w.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(SerializationError, match="single .npy array"):
        nn.load(single)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(SerializationError, match="empty"):
        nn.load(empty)


def test_truncated_and_corrupted_files_are_refused(tmp_path):
    path = tmp_path / "m"
    nn.save(_model(), path)
    raw = path.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SerializationError, match="truncated or corrupted"):
        nn.load(cut)
    # flip a byte inside the data of the first array: the zip's CRC check catches it
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("t0.npy")
    bad = bytearray(raw)
    bad[info.header_offset + 30 + len("t0.npy") + 140] ^= 0xFF
    flipped = tmp_path / "flipped"
    flipped.write_bytes(bytes(bad))
    with pytest.raises(SerializationError, match="truncated or corrupted"):
        nn.load(flipped)


def _rewrite(path, header=None, arrays=None):
    """Write an archive by hand (as a tampered file would be)."""
    buf = io.BytesIO()
    content = dict(arrays or {})
    if header is not None:
        content["__tinygrad_edu__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(buf, **content)
    path.write_bytes(buf.getvalue())


def test_tampered_headers_are_refused(tmp_path):
    path = tmp_path / "t"
    good = {"format": "tinygrad_edu.state_dict", "version": 1,
            "tensors": [{"name": "w", "entry": "t0", "dtype": "float32", "shape": [2]}]}
    _rewrite(path, {**good, "version": 99}, {"t0": np.zeros(2, np.float32)})
    with pytest.raises(SerializationError, match="format version 99"):
        nn.load(path)
    _rewrite(path, {**good, "format": "keras"}, {"t0": np.zeros(2, np.float32)})
    with pytest.raises(SerializationError, match="another format"):
        nn.load(path)
    _rewrite(path, good, {"t0": np.zeros(3, np.float32)})
    with pytest.raises(SerializationError, match=r"'w' should be float32 \(2,\)"):
        nn.load(path)
    _rewrite(path, good, {"t0": np.zeros(2, np.float32), "t1": np.zeros(1)})
    with pytest.raises(SerializationError, match="does not match its header"):
        nn.load(path)
    obj = {**good, "tensors": [{"name": "w", "entry": "t0", "dtype": "object", "shape": [1]}]}
    _rewrite(path, obj, {"t0": np.array([None], dtype=object)})
    with pytest.raises(SerializationError):
        nn.load(path)
    # an object array under a float32 label: numpy refuses it (allow_pickle=False)
    _rewrite(path, {**good, "tensors": [{"name": "w", "entry": "t0", "dtype": "float32",
                                         "shape": [1]}]},
             {"t0": np.array([Boom()], dtype=object)})
    with pytest.raises(SerializationError, match="truncated or corrupted"):
        nn.load(path)


def test_a_wrong_shape_is_refused_with_the_key_named(tmp_path):
    nn.save(nn.Sequential(nn.Linear(3, 4)), tmp_path / "a")
    with pytest.raises(RuntimeError, match=r"0\.weight: the state dict has shape \(4, 3\), the "
                                           r"model \(5, 3\)"):
        nn.Sequential(nn.Linear(3, 5)).load_state_dict(nn.load(tmp_path / "a"))
