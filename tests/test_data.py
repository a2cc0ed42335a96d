"""Tests for tinygrad_edu.data: datasets, DataLoader, preprocessing, data sets and IDX files."""

from __future__ import annotations

import gzip
import struct
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn import datasets as skdatasets
from sklearn import model_selection as skms
from sklearn import preprocessing as skpre

from tinygrad_edu.data import (
    DataLoader,
    Dataset,
    LabelEncoder,
    MinMaxScaler,
    StandardScaler,
    TensorDataset,
    load_breast_cancer,
    load_digits,
    load_mnist,
    make_circles,
    make_house_prices,
    make_line,
    make_moons,
    make_spirals,
    one_hot,
    read_idx,
    train_test_split,
    write_idx,
)
from tinygrad_edu.tensor import Tensor


# =========================================================================== Dataset
def test_tensor_dataset_len_and_items_are_tensors():
    X = np.arange(12, dtype=np.float64).reshape(6, 2)
    y = np.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    assert isinstance(x3, Tensor) and isinstance(y3, Tensor)
    np.testing.assert_array_equal(x3.numpy(), [6.0, 7.0])
    assert y3.numpy() == 3 and y3.shape == ()
    assert x3.numpy().dtype == np.float32 and y3.numpy().dtype == np.int64


def test_tensor_dataset_accepts_tensors_and_lists():
    ds = TensorDataset(Tensor(np.ones((3, 2))), [0, 1, 2])
    np.testing.assert_array_equal(ds.arrays[1], [0, 1, 2])
    assert ds.arrays[0].shape == (3, 2)


def test_tensor_dataset_length_mismatch_names_both_lengths():
    with pytest.raises(ValueError, match=r"TensorDataset.*100.*99"):
        TensorDataset(np.zeros((100, 3)), np.zeros(99))


@pytest.mark.parametrize("bad", [(), (np.float64(3.0),)])
def test_tensor_dataset_rejects_nothing_or_scalars(bad):
    with pytest.raises(ValueError, match="TensorDataset"):
        TensorDataset(*bad)


def test_dataset_is_abstract():
    with pytest.raises(NotImplementedError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        Dataset()[0]


# =========================================================================== DataLoader
def _arange_loader(n, **kw):
    """A loader over the indices themselves, so each batch says which samples it holds."""
    return DataLoader(TensorDataset(np.arange(n)), **kw)


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected",
    [
        (10, 3, False, 4),
        (10, 3, True, 3),
        (9, 3, False, 3),
        (9, 3, True, 3),
        (2, 5, False, 1),
        (2, 5, True, 0),
    ],
)
def test_loader_len(n, batch_size, drop_last, expected):
    loader = _arange_loader(n, batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_loader_batches_without_shuffle_keep_order_and_dtypes():
    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    y = np.arange(10)
    batches = list(DataLoader(TensorDataset(X, y), batch_size=4))
    assert [xb.shape for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    for xb, yb in batches:
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
        assert xb.numpy().dtype == np.float32  # float data becomes float32
        assert yb.numpy().dtype == np.int64  # integer labels stay integer
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in batches]), y)
    np.testing.assert_array_equal(np.concatenate([xb.numpy() for xb, _ in batches]), X)


def test_loader_shuffle_keeps_rows_aligned():
    X = np.arange(50, dtype=np.float64)[:, None] * 10
    y = np.arange(50)
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=7, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy() * 10)


def _epoch(loader):
    return np.concatenate([b[0].numpy() for b in loader])


def test_loader_new_permutation_each_epoch_and_deterministic_with_seed():
    a = _arange_loader(100, batch_size=8, shuffle=True, seed=123)
    b = _arange_loader(100, batch_size=8, shuffle=True, seed=123)
    a1, a2 = _epoch(a), _epoch(a)
    b1, b2 = _epoch(b), _epoch(b)
    assert sorted(a1) == list(range(100)) and sorted(a2) == list(range(100))
    assert not np.array_equal(a1, a2), "each epoch should draw a new permutation"
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    c1 = _epoch(_arange_loader(100, batch_size=8, shuffle=True, seed=124))
    assert not np.array_equal(a1, c1)


def test_loader_accepts_a_generator_as_seed():
    rng1, rng2 = np.random.default_rng(5), np.random.default_rng(5)
    e1 = _epoch(_arange_loader(30, batch_size=4, shuffle=True, seed=rng1))
    e2 = _epoch(_arange_loader(30, batch_size=4, shuffle=True, seed=rng2))
    np.testing.assert_array_equal(e1, e2)


def test_loader_uses_the_batched_fast_path_for_tensor_datasets():
    class NoPerSample(TensorDataset):
        def __getitem__(self, index):
            raise AssertionError("the loader must not fetch samples one by one")

    loader = DataLoader(NoPerSample(np.zeros((10, 3)), np.arange(10)), batch_size=4)
    assert [xb.shape for xb, _ in loader] == [(4, 3), (4, 3), (2, 3)]


def test_loader_stacks_samples_of_a_custom_dataset():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float64), i

    (xb, yb), (xb2, yb2) = list(DataLoader(Squares(), batch_size=3))
    np.testing.assert_array_equal(xb.numpy(), [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(yb.numpy(), [0, 1, 2])
    assert yb.numpy().dtype == np.int64 and xb2.shape == (2, 2)


def test_loader_single_array_samples_give_single_tensors():
    class Plain(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.full(3, float(i))

    batches = list(DataLoader(Plain(), batch_size=2))
    assert all(isinstance(b, Tensor) for b in batches)
    assert batches[1].shape == (2, 3)


def test_loader_accepts_any_sequence_of_samples():
    pairs = [(np.ones(2) * i, i) for i in range(5)]  # a list has __getitem__ and __len__
    (xb, yb), _ = list(DataLoader(pairs, batch_size=3))
    np.testing.assert_array_equal(yb.numpy(), [0, 1, 2])


@pytest.mark.parametrize(
    "bad, err", [(0, ValueError), (-2, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_loader_rejects_bad_batch_size(bad, err):
    with pytest.raises(err, match="DataLoader: batch_size"):
        _arange_loader(5, batch_size=bad)


@given(
    n=st.integers(0, 60),
    batch_size=st.integers(1, 20),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_loader_covers_every_index_exactly_once(n, batch_size, shuffle, drop_last, seed):
    loader = _arange_loader(
        n, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed
    )
    for _ in range(2):  # two epochs: each one is complete on its own
        batches = [b[0].numpy() for b in loader]
        assert len(batches) == len(loader)
        assert all(len(b) == batch_size for b in batches[:-1])
        seen = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
        assert len(np.unique(seen)) == len(seen), "an index appeared twice"
        if drop_last:
            assert len(seen) == (n // batch_size) * batch_size
            assert all(len(b) == batch_size for b in batches)
        else:
            assert sorted(seen.tolist()) == list(range(n))
        if not shuffle:
            np.testing.assert_array_equal(seen, np.arange(len(seen)))


# =========================================================================== train_test_split
def test_split_sizes_follow_sklearn_rounding():
    X = np.arange(10)
    train, test = train_test_split(X, test_size=0.25, random_state=0)
    assert len(test) == 3 and len(train) == 7  # ceil(2.5) = 3 test samples
    train, test = train_test_split(X, test_size=4, random_state=0)
    assert len(test) == 4 and len(train) == 6
    train, test = train_test_split(X, random_state=0)  # default test_size 0.25
    assert len(test) == 3
    train, test = train_test_split(X, train_size=0.5, random_state=0)
    assert len(train) == 5 and len(test) == 5


def test_split_partitions_and_keeps_rows_aligned():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20) * 10
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=1)
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == y.tolist()
    np.testing.assert_array_equal(X_tr[:, 0] * 5, y_tr)
    np.testing.assert_array_equal(X_te[:, 0] * 5, y_te)


@pytest.mark.parametrize("seed", [0, 42, 2024])
@pytest.mark.parametrize("test_size", [0.2, 0.33, 7])
def test_split_matches_sklearn_for_the_same_int_seed(seed, test_size):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(53, 3))
    y = rng.integers(0, 3, size=53)
    ours = train_test_split(X, y, test_size=test_size, random_state=seed)
    theirs = skms.train_test_split(X, y, test_size=test_size, random_state=seed)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", [0, 42, 7])
def test_stratified_split_matches_sklearn_for_the_same_int_seed(seed):
    y = np.repeat([0, 1, 2], [30, 12, 9])  # tie-breaking of remainders is exercised
    X = np.arange(len(y))
    ours = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    theirs = skms.train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1], [80, 20])
    _, y_te = train_test_split(y, test_size=0.25, stratify=y, random_state=np.random.default_rng(3))
    assert np.bincount(y_te).tolist() == [20, 5]


def test_split_with_a_generator_is_deterministic():
    X = np.arange(30)
    a = train_test_split(X, random_state=np.random.default_rng(9))
    b = train_test_split(X, random_state=np.random.default_rng(9))
    np.testing.assert_array_equal(a[1], b[1])


def test_split_without_shuffle_takes_the_head_for_training():
    X_tr, X_te = train_test_split(np.arange(10), test_size=0.3, shuffle=False)
    assert X_tr.tolist() == list(range(7)) and X_te.tolist() == [7, 8, 9]


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((np.zeros(5), np.zeros(4)), {}, r"array 0 has 5.*array 1 has 4"),
        ((np.zeros(5),), {"test_size": 1.5}, "test_size"),
        ((np.zeros(5),), {"test_size": 5}, "test_size"),
        ((np.zeros(5),), {"test_size": 0.5, "train_size": 0.8}, "exceed"),
        ((np.zeros(4),), {"stratify": [0, 0, 0, 1], "random_state": 0}, "only 1"),
        ((np.zeros(4),), {"stratify": [0, 0, 1, 1], "shuffle": False}, "shuffle"),
        ((), {}, "at least one"),
    ],
)
def test_split_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(*args, **kwargs)


def test_split_rejects_a_bad_random_state():
    with pytest.raises(TypeError, match="random_state"):
        train_test_split(np.zeros(5), random_state="42")


# =========================================================================== scalers
def test_standard_scaler_hand_case():
    X = np.array([[1.0, 10.0], [3.0, 10.0]])  # column 2 is constant
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, [2.0, 10.0])
    np.testing.assert_allclose(scaler.scale_, [1.0, 1.0])  # std of [1, 3] is 1; 0 -> 1
    np.testing.assert_allclose(scaler.transform(X), [[-1.0, 0.0], [1.0, 0.0]])


def test_standard_scaler_matches_sklearn():
    X = np.random.default_rng(0).normal(5, 3, size=(40, 4))
    ours, theirs = StandardScaler(), skpre.StandardScaler()
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), atol=1e-12)
    np.testing.assert_allclose(ours.mean_, theirs.mean_)
    np.testing.assert_allclose(ours.scale_, theirs.scale_)
    Z = ours.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-12)


def test_minmax_scaler_hand_case_and_sklearn():
    X = np.array([[0.0, 5.0], [10.0, 5.0], [5.0, 5.0]])
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit(X)
    np.testing.assert_allclose(scaler.transform(X), [[-1, -1], [1, -1], [0, -1]])
    Y = np.random.default_rng(1).uniform(-3, 8, size=(30, 3))
    np.testing.assert_allclose(
        MinMaxScaler((2, 5)).fit_transform(Y),
        skpre.MinMaxScaler((2, 5)).fit_transform(Y),
        atol=1e-12,
    )


def test_scaler_keeps_float32_and_handles_1d_and_tensors():
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    z = StandardScaler().fit_transform(x)
    assert z.dtype == np.float32 and z.shape == (3,)
    z2 = MinMaxScaler().fit_transform(Tensor(x[:, None]))
    np.testing.assert_allclose(z2[:, 0], [0.0, 0.5, 1.0])
    assert StandardScaler().fit_transform(np.array([[1], [3]])).dtype == np.float64


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler])
def test_scaler_errors(cls):
    with pytest.raises(RuntimeError, match=rf"{cls.__name__}.transform: .*not fitted"):
        cls().transform(np.zeros((2, 2)))
    scaler = cls().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"has 3 features.*fitted on 2"):
        scaler.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\)"):
        scaler.transform(np.zeros((2, 2, 2)))


def test_minmax_rejects_empty_range():
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler((1, 1))


@given(
    X=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8),
        elements=st.floats(-1e6, 1e6),
    ),
    use_minmax=st.booleans(),
)
def test_scalers_round_trip(X, use_minmax):
    scaler = MinMaxScaler() if use_minmax else StandardScaler()
    Z = scaler.fit_transform(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-9, atol=1e-6)
    if use_minmax:
        assert Z.min() >= -1e-9 and Z.max() <= 1 + 1e-9


# =========================================================================== encoders
def test_one_hot_basic_and_shapes():
    np.testing.assert_array_equal(one_hot([0, 2, 1]), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert one_hot([0, 1], num_classes=4).shape == (2, 4)
    assert one_hot(np.zeros((2, 3), dtype=int), 5).shape == (2, 3, 5)
    assert one_hot([1, 0]).dtype == np.float32
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(one_hot(Tensor(np.array([1, 1]))).argmax(axis=1), [1, 1])


@pytest.mark.parametrize(
    "labels, num_classes, err, match",
    [
        ([0, 3], 3, ValueError, "out of range"),
        ([-1, 0], None, ValueError, "non-negative"),
        ([0.5, 1.0], None, TypeError, "integers"),
        (["a"], None, TypeError, "integers"),
    ],
)
def test_one_hot_errors(labels, num_classes, err, match):
    with pytest.raises(err, match=f"one_hot: .*{match}"):
        one_hot(labels, num_classes)


def test_label_encoder_round_trip_and_matches_sklearn():
    y = np.array(["dog", "cat", "bird", "cat", "dog"])
    enc = LabelEncoder()
    codes = enc.fit_transform(y)
    np.testing.assert_array_equal(codes, skpre.LabelEncoder().fit_transform(y))
    assert enc.classes_.tolist() == ["bird", "cat", "dog"]
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(enc.inverse_transform(codes), y)
    np.testing.assert_array_equal(LabelEncoder().fit_transform([10, -3, 10]), [1, 0, 1])


def test_label_encoder_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        LabelEncoder().transform([1])
    enc = LabelEncoder().fit(["a", "b"])
    with pytest.raises(ValueError, match=r"not seen in fit: \['c', 'z'\]"):
        enc.transform(["a", "z", "c"])
    with pytest.raises(ValueError, match="0..1"):
        enc.inverse_transform([0, 2])
    with pytest.raises(ValueError, match="1-D"):
        enc.transform(np.zeros((2, 2)))


# =========================================================================== data sets
def test_make_line_is_the_seed_formula():
    x, y = make_line(1000, seed=0)
    assert x.shape == (1000, 1) and y.shape == (1000, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert 0 <= x.min() and x.max() < 1
    noise = y - (2 * x + 1)
    assert noise.min() >= -1e-6 and noise.max() < 1 + 1e-6
    assert abs(noise.mean() - 0.5) < 0.05
    np.testing.assert_array_equal(make_line(1000, seed=0)[1], y)
    assert not np.array_equal(make_line(1000, seed=1)[1], y)


def test_make_house_prices_follows_documented_formula():
    area, price = make_house_prices(5000, seed=0)
    assert area.shape == price.shape == (5000, 1) and area.dtype == np.float32
    assert 50 <= area.min() and area.max() <= 250
    slope, intercept = np.polyfit(area[:, 0], price[:, 0], 1)
    assert abs(slope - 1.5) < 0.05 and abs(intercept - 30) < 8


def test_moons_and_circles_match_sklearn_without_noise():
    for ours, theirs in [
        (make_moons(51, shuffle=False), skdatasets.make_moons(51, shuffle=False)),
        (
            make_circles(51, factor=0.5, shuffle=False),
            skdatasets.make_circles(51, factor=0.5, shuffle=False),
        ),
    ]:
        np.testing.assert_allclose(ours[0], theirs[0], atol=1e-6)
        np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("make", [make_moons, make_circles])
def test_two_class_generators_shapes_seed_and_shuffle(make):
    X, y = make(101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 51]
    np.testing.assert_array_equal(make(101, noise=0.1, seed=3)[0], X)
    assert not np.array_equal(y, np.sort(y)), "shuffle=True should mix the classes"


def test_make_spirals_shapes_labels_and_geometry():
    X, y = make_spirals(301, classes=3, noise=0.0, seed=0, shuffle=False)
    assert X.shape == (301, 2) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [101, 100, 100]
    r = np.linalg.norm(X, axis=1)
    assert r.max() <= 1 + 1e-6
    # Without noise, the k-th arm's angle is 2πk/3 + 4r (x = r sin θ, y = r cos θ).
    theta = np.arctan2(X[:, 0], X[:, 1])
    expected = 2 * np.pi * y / 3 + 4 * r
    mask = r > 1e-3
    np.testing.assert_allclose(np.cos(theta[mask] - expected[mask]), 1, atol=1e-4)
    X2, y2 = make_spirals(300, seed=np.random.default_rng(1))
    X3, y3 = make_spirals(300, seed=np.random.default_rng(1))
    np.testing.assert_array_equal(X2, X3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: make_line(0), "make_line: n"),
        (lambda: make_moons(10, noise=-1), "make_moons: noise"),
        (lambda: make_circles(10, factor=1.0), "make_circles: factor"),
        (lambda: make_spirals(10, classes=0), "make_spirals: classes"),
    ],
)
def test_generator_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_load_digits_and_breast_cancer():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10)) and X.max() == 16
    assert load_digits(as_images=True)[0].shape == (1797, 8, 8)
    X, y = load_breast_cancer()
    assert X.shape == (569, 30) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [212, 357]


@pytest.mark.parametrize("loader", [load_digits, load_breast_cancer])
def test_bundled_loaders_explain_missing_sklearn(monkeypatch, loader):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=r'pip install "tinygrad-edu\[lessons\]"'):
        loader()


# =========================================================================== IDX files
IDX_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


def test_idx_header_bytes_are_the_documented_format(tmp_path):
    path = tmp_path / "a-idx2-ubyte"
    write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
    raw = path.read_bytes()
    assert raw[:4] == b"\x00\x00\x08\x02"
    assert struct.unpack(">II", raw[4:12]) == (2, 3)
    assert raw[12:] == bytes(range(6))


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    a = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    path = tmp_path / f"x.idx{suffix}"
    write_idx(path, a)
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative
    np.testing.assert_array_equal(a, b)
    b[0, 0, 0] = 1  # the result is an ordinary, writable array
    # The type code in byte 2 is the one the IDX spec gives for the dtype.
    raw = gzip.decompress(path.read_bytes()) if suffix else path.read_bytes()
    assert raw[:4] == bytes([0, 0, IDX_CODES[np.dtype(dtype)], 3])


@given(
    a=hnp.arrays(
        st.sampled_from([np.uint8, np.int32, np.float64]),
        hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
    )
)
def test_idx_round_trip_property(tmp_path_factory, a):
    path = tmp_path_factory.mktemp("idx") / "p.idx"
    write_idx(path, a)
    np.testing.assert_array_equal(read_idx(path), a)


def test_idx_truncated_file(tmp_path):
    path = tmp_path / "t-idx1-ubyte"
    write_idx(path, np.arange(10, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match=r"truncated.*10 bytes of data\), found 7"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(ValueError, match="truncated inside its header"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


def test_idx_truncated_gzip(tmp_path):
    path = tmp_path / "t.gz"
    write_idx(path, np.arange(1000, dtype=np.int32))
    whole = path.read_bytes()
    path.write_bytes(whole[:40])
    with pytest.raises(ValueError, match="not a complete gzip file"):
        read_idx(path)
    path.write_bytes(whole[:20] + bytes(len(whole) - 20))  # corrupted in the middle
    with pytest.raises(ValueError, match="not a complete gzip file"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x00")  # plain IDX named .gz
    with pytest.raises(ValueError, match="not a complete gzip file"):
        read_idx(path)


def test_idx_wrong_magic_extra_data_and_missing_file(tmp_path):
    path = tmp_path / "m"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    with pytest.raises(ValueError, match="magic number 0x89504e47"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x07\x01" + bytes(8))  # 0x07 is not a type code
    with pytest.raises(ValueError, match="magic number"):
        read_idx(path)
    write_idx(path, np.zeros(3, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ValueError, match="longer than its header says"):
        read_idx(path)
    with pytest.raises(FileNotFoundError, match="nope"):
        read_idx(tmp_path / "nope")


def test_write_idx_rejects_dtypes_without_a_code(tmp_path):
    with pytest.raises(TypeError, match="write_idx: dtype int64"):
        write_idx(tmp_path / "x", np.arange(3))


# =========================================================================== MNIST
def _write_mnist(directory, prefix, n, gz=False, dotted=False, n_labels=None):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n_labels or n, dtype=np.uint8)
    sep = "." if dotted else "-"
    ext = ".gz" if gz else ""
    write_idx(directory / f"{prefix}-images{sep}idx3-ubyte{ext}", images)
    write_idx(directory / f"{prefix}-labels{sep}idx1-ubyte{ext}", labels)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dotted", [False, True])
def test_load_mnist_reads_local_files(tmp_path, gz, dotted):
    images, labels = _write_mnist(tmp_path, "train", 7, gz=gz, dotted=dotted)
    test_images, _ = _write_mnist(tmp_path, "t10k", 3, gz=gz, dotted=dotted)
    X, y = load_mnist(tmp_path)
    assert X.dtype == np.uint8 and X.shape == (7, 28, 28) and y.dtype == np.int64
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_array_equal(load_mnist(str(tmp_path), kind="test")[0], test_images)


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.*never downloads"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_mnist(tmp_path / "missing")
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="validation")
    _write_mnist(tmp_path, "train", 5, n_labels=4)
    with pytest.raises(ValueError, match="5 images but .* 4 labels"):
        load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05ab")
    with pytest.raises(ValueError, match="truncated"):
        load_mnist(tmp_path)
