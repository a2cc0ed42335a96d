"""A 2-D convolution forward pass through im2col, written with numpy.

``im2col`` lays every kh×kw patch of the (padded) input out as a column, in the layout
of PyTorch's ``torch.nn.functional.unfold``: x of shape (N, C, H, W) becomes cols of
shape (N, C·kh·kw, L), row index c·kh·kw + i·kw + j, column index oy·OW + ox, with
OH = (H + 2p − kh) // s + 1 and OW likewise. Then a convolution (a cross-correlation,
as in every deep-learning library: the kernel is not flipped) is one matrix product:
out = weight.reshape(OC, C·kh·kw) @ cols, reshaped to (N, OC, OH, OW), plus bias.
Lessons W17, W19, W24.
"""

from __future__ import annotations

import numpy as np


def im2col(x: np.ndarray, kh: int, kw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Patches of x (N, C, H, W) as columns: shape (N, C·kh·kw, OH·OW)."""
    # BEGIN SOLUTION
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=np.result_type(x, np.float64))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride]
    return cols.reshape(n, c * kh * kw, oh * ow)
    # END SOLUTION


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    padding: int = 0,
) -> np.ndarray:
    """Cross-correlate x (N, C, H, W) with weight (OC, C, kh, kw): shape (N, OC, OH, OW)."""
    # BEGIN SOLUTION
    n, _, h, w = x.shape
    oc, c, kh, kw = weight.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    cols = im2col(x, kh, kw, stride, padding)
    out = (weight.reshape(oc, c * kh * kw) @ cols).reshape(n, oc, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, oc, 1, 1)
    return out
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Args, Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

_X1 = np.arange(9.0).reshape(1, 1, 3, 3)
_X2 = np.arange(2 * 2 * 4 * 5, dtype=np.float64).reshape(2, 2, 4, 5) / 10.0
_W2 = np.array([[[[1.0, 0.0], [0.0, -1.0]], [[0.5, 0.5], [-0.5, 0.25]]],
                [[[0.0, 2.0], [1.0, 0.0]], [[-1.0, 0.0], [0.0, 1.0]]],
                [[[0.25, 0.25], [0.25, 0.25]], [[1.0, -1.0], [1.0, -1.0]]]])
_B2 = np.array([0.5, -1.0, 0.0])
_RNG = np.random.default_rng(17)
_X17 = _RNG.standard_normal((1, 3, 32, 32))
_W17 = _RNG.standard_normal((6, 3, 5, 5)) * 0.1
_B17 = _RNG.standard_normal(6)


def _reference_conv(x, weight, bias=None, stride=1, padding=0):
    # A direct loop, independent of im2col, for the diagnoses.
    n, c, h, w = x.shape
    oc, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    out = np.zeros((n, oc, oh, ow))
    for y in range(oh):
        for z in range(ow):
            patch = xp[:, :, y * stride : y * stride + kh, z * stride : z * stride + kw]
            out[:, :, y, z] = np.tensordot(patch, weight, axes=([1, 2, 3], [1, 2, 3]))
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


_CONV_MISTAKES = [
    Diagnosis("the kernel is flipped (a true convolution); conv2d in deep learning is a "
              "cross-correlation", lambda x, w, b=None, stride=1, padding=0:
              _reference_conv(x, w[:, :, ::-1, ::-1], b, stride, padding)),
    Diagnosis("the bias is missing", lambda x, w, b=None, stride=1, padding=0:
              _reference_conv(x, w, None, stride, padding)),
]


@st.composite
def _conv_cases(draw):
    n, c, oc = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    padding, stride = draw(st.integers(0, 1)), draw(st.integers(1, 2))
    kh = draw(st.integers(1, h + 2 * padding))
    kw = draw(st.integers(1, w + 2 * padding))
    return Args(draw(gst.arrays((n, c, h, w))), draw(gst.arrays((oc, c, kh, kw))),
                draw(st.one_of(st.none(), gst.arrays((oc,)))), stride=stride, padding=padding)


_SIZE_HINT = "OH = (H + 2·padding − kh) // stride + 1 (do not forget the + 1)."

EXERCISE = Exercise(
    "conv2d_im2col",
    "conv2d forward through im2col",
    lesson="W17, W19, W24",
    order=140,
    forbidden_imports=("torch", "scipy", "tinygrad_edu.nn", "tinygrad_edu.ops"),
    checks=[
        Example("im2col of a 3×3 image with a 2×2 kernel", function="im2col", args=(_X1, 2, 2),
                points=2, hint=_SIZE_HINT),
        Example("im2col with 2 channels, stride 2 and padding 1", function="im2col",
                args=(_X2, 3, 2), kwargs={"stride": 2, "padding": 1}, points=2,
                hint="Rows run over (channel, kernel row, kernel column); columns over "
                     "(output row, output column)."),
        Example("conv2d, 2 → 3 channels, 2×2 kernel, with bias", function="conv2d",
                args=(_X2, _W2, _B2), points=2, diagnoses=_CONV_MISTAKES, hint=_SIZE_HINT),
        Example("conv2d with stride 2 and padding 1", function="conv2d",
                args=(_X2, _W2, _B2), kwargs={"stride": 2, "padding": 1}, points=2,
                diagnoses=_CONV_MISTAKES, hint=_SIZE_HINT),
        Example("conv2d without bias", function="conv2d", args=(_X2, _W2, None),
                diagnoses=_CONV_MISTAKES),
        Example("W17's first layer: Conv2d(3, 6, 5) on 3×32×32 gives 6×28×28",
                function="conv2d", args=(_X17, _W17, _B17), hidden=True, points=2,
                rtol=1e-6, atol=1e-8, diagnoses=_CONV_MISTAKES, hint=_SIZE_HINT),
        Property("conv2d matches the reference on random shapes", function="conv2d",
                 strategy=_conv_cases(), hidden=True, points=3, max_examples=20,
                 diagnoses=_CONV_MISTAKES),
        Property("im2col matches the reference on random shapes", function="im2col",
                 strategy=_conv_cases().map(lambda a: (a.args[0], a.args[1].shape[2],
                                                       a.args[1].shape[3], a.kwargs["stride"],
                                                       a.kwargs["padding"])),
                 hidden=True, points=2, max_examples=20),
    ],
)
# END GRADER
