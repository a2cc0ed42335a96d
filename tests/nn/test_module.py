"""Module and Parameter: registration, traversal, modes, freezing, state dicts, devices,
hooks and printing."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import Module, Parameter


class Net(Module):
    """Two layers, a parameter of its own, a buffer and a shared submodule."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 3, seed=0)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2, seed=1)
        self.scale = Parameter(Tensor([2.0]))
        self.register_buffer("calls", Tensor.zeros(1))
        self.note = "not registered"

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_registration_and_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in net.named_buffers()] == ["calls"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert len(list(net.parameters())) == 5
    assert len(list(net.parameters(recurse=False))) == 1
    assert net.note == "not registered" and "note" not in net._parameters
    assert isinstance(net.fc1.weight, Parameter) and net.fc1.weight.requires_grad


def test_reassignment_and_deletion():
    net = Net()
    net.fc1 = nn.Linear(4, 3, bias=False, seed=3)  # replacing a module keeps one entry
    assert [n for n, _ in net.named_parameters()].count("fc1.weight") == 1
    assert net.fc1.bias is None and "fc1.bias" not in net.state_dict()
    with pytest.raises(TypeError, match="is a parameter: assign an nn.Parameter"):
        net.scale = Tensor([1.0])
    net.scale = None
    assert "scale" not in net.state_dict()
    del net.act
    assert [n for n, _ in net.named_children()] == ["fc1", "fc2"]
    with pytest.raises(AttributeError, match="has no attribute 'act'"):
        _ = net.act


def test_forgetting_super_init_is_explained():
    class Bad(Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Bad()


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2, seed=0)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_train_eval_propagate():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(2)))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_both_ways():
    net = Net()
    net(Tensor.ones(5, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_false_freezes():
    net = Net()
    net.fc1.requires_grad_(False)
    net(Tensor.ones(5, 4)).sum().backward()
    assert net.fc1.weight.grad is None and net.fc1.bias.grad is None
    assert net.fc2.weight.grad is not None
    net.requires_grad_(True)
    assert all(p.requires_grad for p in net.parameters())


def _train(model: Module, opt, steps: int = 5) -> None:
    rng = np.random.default_rng(0)
    for _ in range(steps):
        x = Tensor(rng.standard_normal((8, 4)))
        y = Tensor(rng.integers(0, 2, 8))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize("make_opt", ["sgd_momentum", "adam"])
def test_frozen_weights_stay_bit_identical_under_an_optimiser(make_opt):
    # W18: pre-train, freeze the lower layers, fine-tune only the top
    optim = pytest.importorskip("tinygrad_edu.optim")
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    model[0].requires_grad_(False)
    frozen = {k: v.numpy().copy() for k, v in model[0].state_dict().items()}
    top = model[2].weight.numpy().copy()
    opt = (optim.SGD(model.parameters(), lr=0.1, momentum=0.9) if make_opt == "sgd_momentum"
           else optim.Adam(model.parameters(), lr=0.01))
    _train(model, opt)
    for k, v in model[0].state_dict().items():
        assert np.array_equal(v.numpy(), frozen[k]), k
    assert not np.array_equal(model[2].weight.numpy(), top)


def test_frozen_weights_with_a_manual_sgd_loop():
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    model[0].requires_grad_(False)
    before = model[0].weight.numpy().copy()
    x, y = Tensor.randn(8, 4, seed=1), Tensor([0, 1] * 4)
    for _ in range(3):
        model.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        for p in model.parameters():
            if p.grad is not None:
                p.data -= 0.1 * p.grad.data
    assert np.array_equal(model[0].weight.numpy(), before)


def test_state_dict_round_trip_and_buffers():
    a, b = Net(), Net()
    b.fc1.weight.data[...] = 0
    b.calls.data[...] = 7
    sd = b.state_dict()
    assert list(sd) == ["scale", "calls", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    ref = a.fc1.weight
    result = a.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert a.fc1.weight is ref  # copied in place: optimisers keep their references
    assert not a.fc1.weight.numpy().any() and a.calls.item() == 7
    # the values are views that share memory: a deepcopy is a snapshot
    snap = copy.deepcopy(a.state_dict())
    a.fc1.weight.data[...] = 1
    assert not snap["fc1.weight"].numpy().any()


def test_load_state_dict_names_every_problem_and_changes_nothing():
    net = Net()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    sd = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    del sd["fc2.bias"]
    sd["extra.weight"] = np.zeros(3)
    sd["fc1.weight"] = np.zeros((3, 5))
    sd["scale"] = np.full(1, 9.0)
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    msg = str(err.value)
    assert "missing keys: fc2.bias" in msg
    assert "unexpected keys: extra.weight" in msg
    assert "fc1.weight: the state dict has shape (3, 5), the model (3, 4)" in msg
    for k, v in net.state_dict().items():
        assert np.array_equal(v.numpy(), before[k]), k  # nothing was written
    # strict=False tolerates missing/unexpected keys, never a wrong shape
    with pytest.raises(RuntimeError, match="wrong shapes"):
        net.load_state_dict(sd, strict=False)
    sd["fc1.weight"] = np.zeros((3, 4))
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc2.bias"] and res.unexpected_keys == ["extra.weight"]
    assert net.scale.item() == 9.0


def test_to_dtype_keeps_the_parameter_objects():
    net = Net()
    w = net.fc1.weight
    net(Tensor.ones(2, 4)).sum().backward()
    assert net.double() is net
    assert net.fc1.weight is w and w.dtype == np.float64 and w.grad.dtype == np.float64
    assert net.calls.dtype == np.float64
    bn = nn.BatchNorm1d(3).double()
    assert bn.num_batches_tracked.dtype == np.int64  # integer buffers keep their type
    net.to("cpu").float()
    assert w.dtype == np.float32 and w.device == "cpu"


def test_forward_hooks_run_and_can_be_removed():
    layer = nn.Linear(2, 3, seed=0)
    seen = []
    handle = layer.register_forward_hook(lambda m, inp, out: seen.append(out.shape))
    layer(Tensor.ones(4, 2))
    handle.remove()
    layer(Tensor.ones(4, 2))
    assert seen == [(4, 3)]
    with layer.register_forward_hook(lambda m, inp, out: out * 0):
        assert not layer(Tensor.ones(1, 2)).numpy().any()  # a hook may replace the output


def test_repr_is_nested_and_readable():
    model = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                          nn.Sequential(nn.Linear(400, 10, bias=False), nn.Dropout(0.25)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))\n"
        "  (1): ReLU()\n"
        "  (2): MaxPool2d(kernel_size=2, stride=2)\n"
        "  (3): Flatten(start_dim=1, end_dim=-1)\n"
        "  (4): Sequential(\n"
        "    (0): Linear(in_features=400, out_features=10, bias=False)\n"
        "    (1): Dropout(p=0.25)\n"
        "  )\n"
        ")")
    assert repr(Parameter(Tensor([1.0]))).startswith("Parameter containing:\ntensor(")


def test_sequential_and_module_list():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    assert len(model) == 3 and isinstance(model[-1], nn.Linear)
    head = model[1:]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert [n for n, _ in head.named_parameters()] == ["2.weight", "2.bias"]
    x = Tensor.randn(4, 2, seed=0)
    assert np.allclose(model(x).numpy(), head(model[0](x)).numpy())
    named = nn.Sequential({"hidden": nn.Linear(2, 3), "out": nn.Linear(3, 1)})
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    with pytest.raises(TypeError, match=r"forget the \(\)"):
        nn.Sequential(nn.ReLU)
    with pytest.raises(IndexError, match="out of range for 3 modules"):
        model[3]
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(layers.parameters())) == 6 and len(layers[:2]) == 2
    layers.append(nn.ReLU())
    assert [type(m).__name__ for m in layers] == ["Linear"] * 3 + ["ReLU"]


def test_apply_reinitialises_and_seeds_reproduce():
    a = nn.Sequential(nn.Linear(3, 3, seed=5), nn.Linear(3, 3, seed=6))
    b = nn.Sequential(nn.Linear(3, 3, seed=5), nn.Linear(3, 3, seed=6))
    assert all(np.array_equal(p.numpy(), q.numpy())
               for p, q in zip(a.parameters(), b.parameters(), strict=True))
    # one Generator threaded through several layers: reproducible, and the layers differ
    r1, r2 = np.random.default_rng(0), np.random.default_rng(0)
    c = nn.Sequential(nn.Linear(3, 3, seed=r1), nn.Linear(3, 3, seed=r1))
    d = nn.Sequential(nn.Linear(3, 3, seed=r2), nn.Linear(3, 3, seed=r2))
    assert np.array_equal(c[1].weight.numpy(), d[1].weight.numpy())
    assert not np.array_equal(c[0].weight.numpy(), c[1].weight.numpy())

    def zero(m: Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    a.apply(zero)
    assert not any(m.weight.numpy().any() for m in a)


def test_deepcopy_makes_an_independent_model():
    net = Net()
    twin = copy.deepcopy(net)
    twin.fc1.weight.data[...] = 0
    assert net.fc1.weight.numpy().any()
    x = Tensor.ones(2, 4)
    assert twin(x).shape == net(x).shape
