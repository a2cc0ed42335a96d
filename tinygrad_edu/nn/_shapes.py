"""Shape arithmetic and shape errors shared by the layers and their functions.

Every check takes ``who``: the text that starts the error message — a function name
("conv2d") when called from ``nn.functional``, a layer's ``describe()``
("Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1))") when called from a layer — so the
same check serves both and the message names what the student actually called.
"""

from __future__ import annotations

from typing import Any

from ..ops.conv import Window2d
from ..tensor import Tensor

IntOrPair = int | tuple[int, int]


def pair(value: Any, name: str, who: str, minimum: int = 0) -> tuple[int, int]:
    """5 → (5, 5); (3, 5) stays; anything else (or a value below ``minimum``) is an error."""
    if isinstance(value, int) and not isinstance(value, bool):
        out = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        out = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{who}: {name} must be an int or a pair of ints, got {value!r}")
    if min(out) < minimum:
        raise ValueError(f"{who}: {name} must be at least {minimum}, got {value!r}")
    return out


def check_features(x: Tensor, features: int, who: str) -> None:
    """The last axis of ``x`` must hold ``features`` values (Linear's input)."""
    if x.ndim == 0 or x.shape[-1] != features:
        raise ValueError(f"{who} expected input (..., {features}), got {x.shape}")


def check_image(x: Tensor, channels: int | None, who: str) -> None:
    """``x`` must be an image batch (N, C, H, W) or one image (C, H, W) (PyTorch accepts
    both), with ``channels`` channels when given."""
    want = "C" if channels is None else str(channels)
    if x.ndim not in (3, 4) or (channels is not None and x.shape[-3] != channels):
        got = "" if x.ndim not in (3, 4) else f" with {x.shape[-3]} channels"
        raise ValueError(f"{who} expected input (N, {want}, H, W) or ({want}, H, W), "
                         f"got {x.shape}{got}")


def check_window(x: Tensor, window: Window2d, who: str) -> tuple[int, int]:
    """The output size of ``window`` over the image batch ``x``; an error when the kernel
    does not fit into the (padded) image."""
    h, w = x.shape[-2:]
    (ph, pw), (dh, dw), (kh, kw) = window.padding, window.dilation, window.kernel
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    hp, wp = h + 2 * ph + window.extra[0], w + 2 * pw + window.extra[1]
    if hp < eh or wp < ew:
        dilated = f" (dilated: {eh}×{ew})" if (eh, ew) != (kh, kw) else ""
        raise ValueError(f"{who}: input of size {h}×{w} (padded: {hp}×{wp}) "
                         f"is smaller than the kernel {kh}×{kw}{dilated}; input shape "
                         f"{x.shape}")
    return window.output_size(h, w)
