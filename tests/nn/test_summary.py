"""summary(): the W17 shape trace, W19's and W24's shape errors, and its bookkeeping."""

from __future__ import annotations

import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import functional as F


class W17Net(nn.Module):
    """The seed's Net (002 · 5.3.2), written as there: F.relu and x.view in forward."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def test_w17_shape_trace_and_parameter_count():
    s = nn.summary(W17Net(), (3, 32, 32))
    trace = [(r.name, r.output_shape[1:], r.params) for r in s.layers]
    assert trace == [("conv1", (6, 28, 28), 456), ("pool", (6, 14, 14), 0),
                     ("conv2", (16, 10, 10), 2416), ("pool", (16, 5, 5), 0),
                     ("fc1", (120,), 48120), ("fc2", (84,), 10164), ("fc3", (10,), 850)]
    assert s.total_params == s.trainable_params == 62006 and s.non_trainable_params == 0
    assert s.output_shape == (2, 10)
    table = str(s)
    assert "conv1 (Conv2d)" in table and "(None, 6, 28, 28)" in table
    assert "Total params: 62,006" in table and repr(s) == table


def test_sequential_names_frozen_layers_and_buffers():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    model[0].requires_grad_(False)
    model.train()
    s = nn.summary(model, (1, 8, 8), batch_size=3)
    assert [r.name for r in s.layers] == ["0", "1", "2", "3", "4", "5"]
    assert [r.output_shape for r in s.layers][-1] == (3, 2)
    assert s.total_params == 40 + 8 + 10 and s.non_trainable_params == 40
    assert not s.layers[0].trainable and s.layers[1].trainable
    # the forward pass ran in eval mode without touching the running statistics,
    # and the modes were put back
    assert model[1].num_batches_tracked.item() == 0 and all(m.training for m in model.modules())
    assert s.input_shape == (3, 1, 8, 8)


def test_show_prints_and_a_tensor_can_be_given(capsys):
    model = nn.Sequential(nn.Linear(3, 2))
    s = nn.summary(model, Tensor.zeros(5, 3), show=True)
    assert "Linear" in capsys.readouterr().out and s.layers[0].output_shape == (5, 2)


def test_w19_error_names_the_layer_and_shows_the_trace():
    class SimpleCNN(nn.Module):  # 003 · 5.2, first listing
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)

        def forward(self, x: Tensor) -> Tensor:
            x = F.relu(self.conv2(F.relu(self.conv1(x))))
            x = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)
            return self.fc2(F.relu(self.fc1(x)))

    with pytest.raises(ValueError) as err:
        nn.summary(SimpleCNN(), (1, 28, 28))
    msg = str(err.value)
    assert msg.startswith("Linear(in_features=320, out_features=50) expected input (..., 320), "
                          "got (2, 20)")
    assert "conv2 (Conv2d)" in msg and "(None, 20, 20, 20)" in msg and "fc1" not in msg


def test_w24_the_flatten_fits_only_one_input_size():
    class SimpleCNN(nn.Module):  # 003 · 5.2, second listing
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(64, 128, 5)
            self.fc1 = nn.Linear(128 * 16 * 16, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x: Tensor) -> Tensor:
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 128 * 16 * 16)
            return self.fc2(F.relu(self.fc1(x)))

    model = SimpleCNN()
    with pytest.raises(ValueError, match=r"cannot reshape .*\(1, 128, 61, 61\)"):
        nn.summary(model, (3, 256, 256), batch_size=1)
    s = nn.summary(model, (3, 76, 76), batch_size=1)  # (76 − 4)/2 = 36, (36 − 4)/2 = 16
    assert s.layers[3].output_shape == (1, 128, 16, 16)
