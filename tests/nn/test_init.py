"""nn.init: fans, gains, the spread each initialiser promises, seeds, in-place writes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import init


def test_fans_and_gains():
    assert init.calculate_fans((50, 100)) == (100, 50)
    assert init.calculate_fans((16, 6, 5, 5)) == (150, 400)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.calculate_fans((10,))
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        init.calculate_gain("swish")


@pytest.mark.parametrize("name,expected_std", [
    ("xavier_uniform_", math.sqrt(2 / (400 + 300))),
    ("xavier_normal_", math.sqrt(2 / (400 + 300))),
    ("kaiming_uniform_", math.sqrt(2 / 400)),   # leaky_relu with a = 0: gain √2
    ("kaiming_normal_", math.sqrt(2 / 400)),
    ("he_uniform_", math.sqrt(2 / 400)),
    ("glorot_normal_", math.sqrt(2 / (400 + 300))),
])
def test_spread_matches_the_formula(name, expected_std):
    w = getattr(init, name)(Tensor.zeros(300, 400), seed=0).numpy()
    assert w.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(w.mean()) < 0.05 * expected_std
    if "uniform" in name:  # U(−a, a) has std a/√3: the bound is std·√3
        assert np.abs(w).max() <= expected_std * math.sqrt(3) * (1 + 1e-6)


def test_kaiming_fan_out_and_simple_fills():
    w = init.kaiming_normal_(Tensor.zeros(200, 50), mode="fan_out", nonlinearity="relu", seed=1)
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 200), rel=0.03)
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_uniform_(Tensor.zeros(2, 2), mode="fan_avg")
    t = Tensor.zeros(3, 2)
    data = t.data
    assert init.constant_(t, 0.5) is t and t.data is data  # in place
    assert (t.numpy() == 0.5).all()
    assert (init.ones_(t).numpy() == 1).all() and not init.zeros_(t).numpy().any()
    u = init.uniform_(Tensor.zeros(1000, dtype="float64"), -2, 3, seed=0).numpy()
    assert u.min() >= -2 and u.max() < 3 and u.dtype == np.float64
    n = init.normal_(Tensor.zeros(10000), 1.0, 0.5, seed=0).numpy()
    assert n.mean() == pytest.approx(1.0, abs=0.02) and n.std() == pytest.approx(0.5, rel=0.03)


def test_seeds_and_generators():
    a = init.xavier_uniform_(Tensor.zeros(4, 4), seed=3).numpy()
    b = init.xavier_uniform_(Tensor.zeros(4, 4), seed=3).numpy()
    assert np.array_equal(a, b)
    rng = np.random.default_rng(3)
    c = init.xavier_uniform_(Tensor.zeros(4, 4), seed=rng).numpy()
    d = init.xavier_uniform_(Tensor.zeros(4, 4), seed=rng).numpy()
    assert np.array_equal(a, c) and not np.array_equal(c, d)  # one stream, two draws
    with pytest.raises(TypeError, match="seed must be"):
        init.normal_(Tensor.zeros(2), seed=1.5)


def test_default_layer_init_is_pytorchs():
    conv = nn.Conv2d(6, 16, 5, seed=0)
    bound = 1 / math.sqrt(6 * 25)
    assert np.abs(conv.weight.numpy()).max() <= bound
    assert np.abs(conv.bias.numpy()).max() <= bound
    assert conv.weight.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
