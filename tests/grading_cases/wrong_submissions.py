"""Plausible wrong submissions, made by editing each exercise's reference solution.

Each :class:`Mistake` replaces text in the solution (every ``old`` must occur in it) and
names a phrase the grader's output must contain — the pointer to the mistake. A wrong
submission must score above zero and below full marks: the checks that do not touch
the mistake still pass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    exercise: str
    label: str
    edits: tuple[tuple[str, str], ...]
    expect: str  # a phrase that must appear in the output of a failed check

    @property
    def id(self) -> str:
        return f"{self.exercise}-{self.label}"

    def apply(self, solution: str) -> str:
        for old, new in self.edits:
            if old not in solution:
                raise AssertionError(f"{self.id}: {old!r} is not in the solution")
            solution = solution.replace(old, new)
        return solution


def m(exercise: str, label: str, old: str, new: str, expect: str) -> Mistake:
    return Mistake(exercise, label, ((old, new),), expect)


MISTAKES = [
    m("activation_grads", "sign-error", "return s * (1.0 - s)", "return s * (1.0 + s)",
      "a sign error"),
    m("activation_grads", "tanh-not-squared", "return 1.0 - t * t", "return 1.0 - t",
      "must be squared"),
    m("mse", "sign-error", "return 2.0 * diff / diff.size", "return -2.0 * diff / diff.size",
      "the sign is flipped"),
    m("mse", "no-mean", "return 2.0 * diff / diff.size", "return 2.0 * diff",
      "1/N of the mean is missing"),
    m("mse", "rows-only", "return 2.0 * diff / diff.size", "return 2.0 * diff / diff.shape[0]",
      "number of rows only"),
    m("mse", "seed-half", "return np.mean(diff * diff)", "return 0.5 * np.mean(diff * diff)",
      "½(ŷ − y)²"),
    m("bce_with_logits", "grad-sign",
      "return (p - np.asarray(targets, dtype=np.float64)) / z.size",
      "return (np.asarray(targets, dtype=np.float64) - p) / z.size", "the sign is flipped"),
    m("bce_with_logits", "naive-log",
      "return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))",
      "p = 1.0 / (1.0 + np.exp(-z))\n    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))",
      "log1p"),
    m("bce_with_logits", "seed-one-term",
      "return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))",
      "p = 0.5 * (np.tanh(0.5 * z) + 1.0)\n    return -np.mean(y * np.log(p))",
      "(1 − y)·log(1 − p) term is missing"),
    m("softmax_cross_entropy", "no-max-shift",
      "shifted = z - z.max(axis=-1, keepdims=True)", "shifted = z",
      "subtract each row's maximum"),
    m("softmax_cross_entropy", "grad-no-mean", "return probs / probs.shape[0]", "return probs",
      "1/N of the mean is missing"),
    m("unbroadcast", "missing-broadcast-reduction",
      "    ones = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)\n"
      "    if ones:\n        grad = grad.sum(axis=ones, keepdims=True)\n"
      "    return grad.reshape(shape)",
      "    return grad", "only the leading axes were summed"),
    m("unbroadcast", "no-keepdims",
      "grad = grad.sum(axis=ones, keepdims=True)\n    return grad.reshape(shape)",
      "grad = grad.sum(axis=ones)\n    return grad", "keepdims=True"),
    m("function_log_mul", "log-times-x", "return grad / x", "return grad * x",
      "multiplies by x"),
    m("function_log_mul", "mul-swapped", "return grad * y, grad * x", "return grad * x, grad * y",
      "swapped"),
    m("function_log_mul", "not-differentiable", "return grad / x",
      "return Tensor(grad.data / x.data)", "not part of a graph"),
    m("matmul_backward", "grad-a-missing-transpose", "return grad_out @ b.T,",
      "return grad_out @ b,", "∂L/∂A lacks its transpose"),
    m("matmul_backward", "grad-b-transposed", "a.T @ grad_out", "grad_out.T @ a",
      "∂L/∂B is transposed"),
    m("linear_layer", "bias-not-summed", "grad_out.sum(axis=0)", "grad_out",
      "not summed over the batch"),
    m("linear_layer", "weight-transposed", "grad_out.T @ x", "x.T @ grad_out",
      "∂L/∂weight is transposed"),
    m("linear_layer", "forward-no-bias", "return x @ weight.T + bias", "return x @ weight.T",
      "the bias is missing"),
    m("sgd_momentum", "first-step-dampened", "buf = g.copy() if buf is None",
      "buf = (1.0 - dampening) * g if buf is None", "dampening was applied on the first step"),
    m("sgd_momentum", "weight-decay-sign", "g = grad + weight_decay * param if weight_decay",
      "g = grad - weight_decay * param if weight_decay", "weight decay has the wrong sign"),
    m("sgd_momentum", "nesterov-ignored", "g = g + momentum * buf if nesterov else buf",
      "g = buf", "nesterov=True was ignored"),
    m("adam_step", "no-bias-correction",
      "    if bias_correction:\n        m_hat = m / (1.0 - beta1**t)\n"
      "        v_hat = v / (1.0 - beta2**t)\n", "", "the bias correction is missing"),
    Mistake("adam_step", "off-by-one-step",
            (("beta1**t)", "beta1 ** (t + 1))"), ("beta2**t)", "beta2 ** (t + 1))")),
            "off by one step"),
    m("adam_step", "eps-inside-sqrt", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)",
      "ε is inside the square root"),
    m("adagrad_step", "off-by-one-step", "(t - 1) * lr_decay", "t * lr_decay", "off by one step"),
    m("adagrad_step", "eps-inside-sqrt", "(np.sqrt(state_sum) + eps)",
      "np.sqrt(state_sum + eps)", "ε is inside the square root"),
    m("adamax_step", "no-bias-correction", "lr / (1.0 - beta1**t) * m / u", "lr * m / u",
      "bias correction 1/(1 − β₁ᵗ) is missing"),
    m("adamax_step", "eps-after-max", "np.maximum(beta2 * u, np.abs(g) + eps)",
      "np.maximum(beta2 * u, np.abs(g)) + eps", "ε is added after the max"),
    m("inverse_time_decay", "off-by-one-step", "ratio = step / decay_steps",
      "ratio = (step + 1) / decay_steps", "off by one"),
    m("inverse_time_decay", "exponential", "return lr0 / (1.0 + decay_rate * ratio)",
      "return lr0 * math.exp(-decay_rate * ratio)", "that is exponential decay"),
    m("conv2d_im2col", "flipped-kernel", "(weight.reshape(oc, c * kh * kw) @ cols)",
      "(weight[:, :, ::-1, ::-1].reshape(oc, c * kh * kw) @ cols)", "the kernel is flipped"),
    m("conv2d_im2col", "bias-dropped", "        out = out + bias.reshape(1, oc, 1, 1)\n",
      "        pass\n", "the bias is missing"),
    m("cuda_saxpy", "no-bounds-guard",
      "    if i < out.size:\n        out[i] = a * x[i] + y[i]", "    out[i] = a * x[i] + y[i]",
      "out of bounds"),
    m("cuda_saxpy", "thread-index-only",
      "    i = cuda.grid(1)\n    if i < out.size:\n        out[i] = a * x[i] + y[i]",
      "    i = cuda.threadIdx.x\n    if i < out.size:\n        out[i] = a * x[i] + y[i]",
      "only the first block's elements are written"),
]
