"""The Transformer pieces against PyTorch (optional: skipped without torch), in float64.

Every new op and layer (erf, gelu, embedding, layer_norm, tril/triu, split/chunk,
scaled_dot_product_attention, MultiheadAttention, clip_grad_norm_, the warm-up + cosine
schedule) is compared with PyTorch's on random inputs: outputs, and gradients of
L = Σ out · w for a fixed random w (so every output element matters). Gradient checks
against central differences need no oracle. Last, the capstone lesson's own model
(lessons/12_capstone_transformer.py) and an identical PyTorch model train 20 steps from
the same weights on the same batches with AdamW, warm-up + cosine and clipping: their
losses must agree to 1e-4 (they agree to ~1e-12).
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle "
                                            "(pip install tinygrad-edu[oracle])")

from tinygrad_edu import Tensor, nn, optim  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402
from tinygrad_edu.optim.lr_scheduler import warmup_cosine  # noqa: E402
from tinygrad_edu.testing import gradcheck  # noqa: E402

pytestmark = pytest.mark.torch
TF = torch.nn.functional
TOL = {"rtol": 1e-9, "atol": 1e-11}
LESSON = Path(__file__).resolve().parents[2] / "lessons" / "12_capstone_transformer.py"


def _np(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.numpy()
    return x.detach().numpy()


def _close(ours: Any, theirs: Any, what: str, **tol: float) -> None:
    a, b = _np(ours), _np(theirs)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} vs {b.shape}"
    np.testing.assert_allclose(a, b, **(tol or TOL), err_msg=what)


def _pair(arr: np.ndarray, grad: bool = True) -> tuple[Tensor, Any]:
    """The same float64 array as our leaf and as a torch leaf."""
    return (Tensor(arr, dtype="float64", requires_grad=grad),
            torch.tensor(arr, dtype=torch.float64, requires_grad=grad))


def _backward_both(out: Tensor, tout: Any, rng: np.random.Generator) -> None:
    w = rng.standard_normal(tout.shape)
    (out * Tensor(w, dtype="float64")).sum().backward()
    (tout * torch.tensor(w)).sum().backward()


# ---- elementwise: erf, gelu ------------------------------------------------------------


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_and_erf_match_torch(approximate: str) -> None:
    rng = np.random.default_rng(0)
    arr = rng.standard_normal((3, 7)) * 3
    x, tx = _pair(arr)
    out, tout = F.gelu(x, approximate), TF.gelu(tx, approximate=approximate)
    _close(out, tout, f"gelu({approximate})")
    _backward_both(out, tout, rng)
    _close(x.grad, tx.grad, f"gelu({approximate}) gradient")
    assert isinstance(nn.GELU(approximate)(x), Tensor)
    e, te = _pair(arr)
    eo, teo = e.erf(), torch.erf(te)
    _close(eo, teo, "erf")
    _backward_both(eo, teo, rng)
    _close(e.grad, te.grad, "erf gradient")


def test_gelu_float32_stays_float32() -> None:
    x = Tensor(np.linspace(-3, 3, 11), dtype="float32")
    for approximate in ("none", "tanh"):
        assert F.gelu(x, approximate).dtype == np.float32


# ---- embedding ---------------------------------------------------------------------------


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx: int | None) -> None:
    rng = np.random.default_rng(1)
    weight = rng.standard_normal((6, 4))
    ids = rng.integers(0, 6, (3, 5))
    ids[0, :3] = 2  # a repeated id: its gradient rows must add up
    w, tw = _pair(weight)
    out = F.embedding(Tensor(ids), w, padding_idx)
    tout = TF.embedding(torch.tensor(ids), tw, padding_idx)
    _close(out, tout, "embedding")
    _backward_both(out, tout, rng)
    _close(w.grad, tw.grad, "embedding gradient (scatter-add)")


def test_embedding_module_and_errors() -> None:
    emb = nn.Embedding(10, 3, padding_idx=0, seed=0, dtype="float64")
    assert emb.weight.shape == (10, 3) and np.all(emb.weight.numpy()[0] == 0)
    assert emb(Tensor([[1, 2], [0, 9]])).shape == (2, 2, 3)
    with pytest.raises(IndexError, match=r"embedding: index 10 is out of range.*\(10, 3\)"):
        emb(Tensor([10]))
    with pytest.raises(TypeError, match="embedding: indices must be an integer tensor"):
        emb(Tensor([1.0]))


# ---- layer norm ------------------------------------------------------------------------


@pytest.mark.parametrize("shape,normalized", [((4, 5), (5,)), ((2, 3, 5), (3, 5))])
def test_layer_norm_matches_torch(shape: tuple[int, ...], normalized: tuple[int, ...]) -> None:
    rng = np.random.default_rng(2)
    x, tx = _pair(rng.standard_normal(shape) * 2 + 1)
    g, tg = _pair(rng.standard_normal(normalized))
    b, tb = _pair(rng.standard_normal(normalized))
    out = F.layer_norm(x, normalized, g, b, 1e-5)
    tout = TF.layer_norm(tx, normalized, tg, tb, 1e-5)
    _close(out, tout, "layer_norm")
    _backward_both(out, tout, rng)
    for ours, theirs, name in ((x, tx, "x"), (g, tg, "weight"), (b, tb, "bias")):
        _close(ours.grad, theirs.grad, f"layer_norm gradient wrt {name}")


def test_layer_norm_module_matches_torch() -> None:
    rng = np.random.default_rng(3)
    ours, theirs = nn.LayerNorm(6, dtype="float64"), torch.nn.LayerNorm(6).double()
    x, tx = _pair(rng.standard_normal((2, 4, 6)))
    _close(ours(x), theirs(tx), "LayerNorm")
    assert sorted(n for n, _ in ours.named_parameters()) == sorted(
        n for n, _ in theirs.named_parameters())
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \(6,\) .* \(2, 5\)"):
        ours(Tensor.zeros(2, 5, dtype="float64"))


# ---- masks, split ------------------------------------------------------------------------


@pytest.mark.parametrize("diagonal", [-1, 0, 2])
def test_tril_triu_match_torch(diagonal: int) -> None:
    rng = np.random.default_rng(4)
    arr = rng.standard_normal((2, 3, 4))
    for name in ("tril", "triu"):
        x, tx = _pair(arr)
        out, tout = getattr(x, name)(diagonal), getattr(torch, name)(tx, diagonal)
        _close(out, tout, name)
        _backward_both(out, tout, rng)
        _close(x.grad, tx.grad, f"{name} gradient")
    mask = Tensor.ones(3, 3, dtype="bool").tril()
    assert mask.dtype == np.bool_
    assert (mask.numpy() == torch.ones(3, 3, dtype=torch.bool).tril().numpy()).all()


@pytest.mark.parametrize("how", [2, 3, [1, 4, 2]])
def test_split_and_chunk_match_torch(how: Any) -> None:
    rng = np.random.default_rng(5)
    x, tx = _pair(rng.standard_normal((3, 7)))
    ours, theirs = x.split(how, 1), torch.split(tx, how, 1)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        _close(a, b, f"split piece {i}")
    _backward_both(ours[-1] * 2 + ours[0].sum(), theirs[-1] * 2 + theirs[0].sum(), rng)
    _close(x.grad, tx.grad, "split gradient")
    for n in (1, 3, 4):
        assert [p.shape for p in x.chunk(n, 1)] == [tuple(p.shape) for p in tx.chunk(n, 1)]
    with pytest.raises(ValueError, match=r"split: sections \[1, 1\] do not add up to the "
                                         r"length 7"):
        x.split([1, 1], 1)


# ---- scaled dot-product attention ------------------------------------------------------


def _attention_case(kind: str, rng: np.random.Generator) -> tuple[Any, Any, dict, dict]:
    L, S = (5, 5) if kind in ("none", "causal") else (4, 6)
    mask, tmask, kw = None, None, {}
    if kind == "causal":
        kw = {"is_causal": True}
    elif kind == "bool":
        m = rng.random((L, S)) > 0.3
        m[:, 0] = True  # every query may see something (else NaN, in both libraries)
        mask, tmask = Tensor(m), torch.tensor(m)
    elif kind == "float":
        m = rng.standard_normal((2, 1, L, S))
        mask, tmask = Tensor(m, dtype="float64"), torch.tensor(m)
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, L, 4), (2, 3, S, 4), (2, 3, S, 5)))
    return (q, k, v), (L, S), {"attn_mask": mask, **kw}, {"attn_mask": tmask, **kw}


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float"])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_scaled_dot_product_attention_matches_torch(kind: str, scale: float | None) -> None:
    rng = np.random.default_rng(6)
    arrays, _, kw, tkw = _attention_case(kind, rng)
    ours = [_pair(a)[0] for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*ours, scale=scale, **kw)
    tout = TF.scaled_dot_product_attention(*theirs, scale=scale, **tkw)
    _close(out, tout, f"sdpa ({kind})")
    _backward_both(out, tout, rng)
    for name, a, b in zip("qkv", ours, theirs):
        _close(a.grad, b.grad, f"sdpa ({kind}) gradient wrt {name}")


def test_a_float_mask_that_requires_grad_gets_its_gradient() -> None:
    rng = np.random.default_rng(16)
    arrays = [rng.standard_normal((2, 3, 4)) for _ in range(3)]
    bias = rng.standard_normal((3, 3))
    ours = [_pair(a)[0] for a in arrays] + [_pair(bias)[0]]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays + [bias]]
    out = F.scaled_dot_product_attention(*ours[:3], attn_mask=ours[3])
    tout = TF.scaled_dot_product_attention(*theirs[:3], attn_mask=theirs[3])
    _close(out, tout, "sdpa with a learned bias")
    _backward_both(out, tout, rng)
    _close(ours[3].grad, theirs[3].grad, "gradient wrt the float mask")


def test_attention_rows_and_errors() -> None:
    from tinygrad_edu.ops.attention import attention_weights

    rng = np.random.default_rng(7)
    q = Tensor(rng.standard_normal((1, 4, 8)), dtype="float64")
    a = attention_weights(q, q, is_causal=True).numpy()[0]
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=1e-12)
    assert np.triu(a, 1).max() == 0.0
    with pytest.raises(ValueError, match="scaled_dot_product_attention: query .* and key"):
        F.scaled_dot_product_attention(q, Tensor.zeros(1, 4, 3, dtype="float64"), q)
    with pytest.raises(ValueError, match="attn_mask or is_causal"):
        F.scaled_dot_product_attention(q, q, q, Tensor.ones(4, 4, dtype="bool"), is_causal=True)


def test_attention_dropout_is_seeded_and_unbiased_in_expectation() -> None:
    rng = np.random.default_rng(8)
    q = Tensor(rng.standard_normal((1, 1, 3, 4)), dtype="float64")
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, seed=1)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, seed=1)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float"])
def test_gradcheck_attention(kind: str) -> None:
    from tinygrad_edu.ops.attention import attention_weights

    rng = np.random.default_rng(9)
    arrays, _, kw, _ = _attention_case(kind, rng)
    small = [a[:1, :2] for a in arrays]
    if kw.get("attn_mask") is not None and kw["attn_mask"].ndim == 4:
        kw["attn_mask"] = kw["attn_mask"][:1]
    leaves = [Tensor(a, dtype="float64", requires_grad=True) for a in small]
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw), *leaves)
    assert gradcheck(lambda q, k, v: attention_weights(q, k, **kw) @ v, *leaves)


def test_gradcheck_layer_norm_gelu_embedding() -> None:
    rng = np.random.default_rng(10)
    x = Tensor(rng.standard_normal((3, 5)), dtype="float64", requires_grad=True)
    g = Tensor(rng.standard_normal(5), dtype="float64", requires_grad=True)
    b = Tensor(rng.standard_normal(5), dtype="float64", requires_grad=True)
    assert gradcheck(lambda x, g, b: F.layer_norm(x, 5, g, b), x, g, b)
    assert gradcheck(lambda x: F.gelu(x), x)
    assert gradcheck(lambda x: F.gelu(x, "tanh"), x)
    w = Tensor(rng.standard_normal((4, 3)), dtype="float64", requires_grad=True)
    ids = Tensor([[0, 3, 3], [1, 0, 2]])
    assert gradcheck(lambda w: F.embedding(ids, w), w)  # (padding_idx is not a true gradient)


def test_attention_second_derivative_matches_torch() -> None:
    """create_graph through the fused op: the gradient of Σ (∂L/∂q)²."""
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal((1, 2, 3, 4)) for _ in range(3)]
    ours = [_pair(a)[0] for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*ours, is_causal=True)
    (out * out).sum().backward(create_graph=True)
    gq = ours[0].grad
    for t in ours:
        t.grad = None
    (gq * gq).sum().backward()
    # (PyTorch's fused CPU kernel has no double backward: its math, composed)
    tq, tk, tv = theirs
    causal = torch.ones(3, 3, dtype=torch.bool).tril()
    scores = (tq @ tk.mT / 2.0).masked_fill(~causal, -math.inf)
    tout = torch.softmax(scores, -1) @ tv
    (tgq,) = torch.autograd.grad((tout * tout).sum(), theirs[0], create_graph=True)
    (tgq * tgq).sum().backward()
    for name, a, b in zip("qkv", ours, theirs):
        _close(a.grad, b.grad, f"second derivative wrt {name}")


# ---- multi-head attention ----------------------------------------------------------------


def _copy_into_torch(ours: nn.Module, theirs: Any) -> None:
    state = theirs.state_dict()
    with torch.no_grad():
        for name, p in ours.named_parameters():
            assert name in state, f"PyTorch has no parameter {name}"
            state[name].copy_(torch.tensor(p.numpy()))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("case", ["self", "self_causal_mask", "cross_padding", "per_head_mask"])
def test_multihead_attention_matches_torch(batch_first: bool, case: str) -> None:
    rng = np.random.default_rng(12)
    E, H, N, L, S = 8, 2, 3, 4, 5
    ours = nn.MultiheadAttention(E, H, batch_first=batch_first, seed=0, dtype="float64")
    theirs = torch.nn.MultiheadAttention(E, H, batch_first=batch_first).double()
    _copy_into_torch(ours, theirs)
    cross = case == "cross_padding"
    shape_q = (N, L, E) if batch_first else (L, N, E)
    shape_k = (N, S if cross else L, E) if batch_first else (S if cross else L, N, E)
    q, tq = _pair(rng.standard_normal(shape_q))
    if cross:
        k, tk = _pair(rng.standard_normal(shape_k))
        v, tv = _pair(rng.standard_normal(shape_k))
    else:
        k, tk, v, tv = q, tq, q, tq
    kw: dict[str, Any] = {}
    tkw: dict[str, Any] = {}
    if case == "self_causal_mask":
        m = np.triu(np.ones((L, L), bool), 1)  # True: may NOT attend (MHA's convention)
        kw["attn_mask"], tkw["attn_mask"] = Tensor(m), torch.tensor(m)
    elif case == "cross_padding":
        pad = np.zeros((N, S), bool)
        pad[0, -2:] = True
        kw["key_padding_mask"], tkw["key_padding_mask"] = Tensor(pad), torch.tensor(pad)
    elif case == "per_head_mask":
        m = rng.standard_normal((N * H, L, L))
        kw["attn_mask"], tkw["attn_mask"] = Tensor(m, dtype="float64"), torch.tensor(m)
    for need_weights, average in ((True, True), (True, False), (False, True)):
        out, w = ours(q, k, v, need_weights=need_weights, average_attn_weights=average, **kw)
        tout, tw = theirs(tq, tk, tv, need_weights=need_weights,
                          average_attn_weights=average, **tkw)
        _close(out, tout, f"MHA {case} output (need_weights={need_weights})")
        if need_weights:
            _close(w, tw, f"MHA {case} weights (average={average})")
        else:
            assert w is None and tw is None
    out, _ = ours(q, k, v, need_weights=False, **kw)
    tout, _ = theirs(tq, tk, tv, need_weights=False, **tkw)
    _backward_both(out, tout, rng)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, tparams[name].grad, f"MHA {case} gradient wrt {name}")
    _close(q.grad, tq.grad, f"MHA {case} gradient wrt query")


def test_multihead_attention_is_causal_alone_equals_the_causal_mask() -> None:
    rng = np.random.default_rng(13)
    mha = nn.MultiheadAttention(8, 4, batch_first=True, seed=0, dtype="float64")
    x = Tensor(rng.standard_normal((2, 5, 8)), dtype="float64")
    mask = Tensor(np.triu(np.ones((5, 5), bool), 1))
    a, _ = mha(x, x, x, need_weights=False, is_causal=True)
    b, _ = mha(x, x, x, need_weights=False, attn_mask=mask)
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-14)
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(10, 3)


# ---- clipping and the schedule -----------------------------------------------------------


@pytest.mark.parametrize("max_norm,norm_type", [(0.5, 2.0), (100.0, 2.0), (0.3, math.inf),
                                                (1.0, 1.0)])
def test_clip_grad_norm_matches_torch(max_norm: float, norm_type: float) -> None:
    rng = np.random.default_rng(14)
    arrays = [rng.standard_normal(s) for s in ((3, 4), (5,), (2, 2, 2))]
    ours = [Tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for a, o, t in zip(arrays, ours, theirs):
        o.grad = Tensor(a * 3, dtype="float64")
        t.grad = torch.tensor(a * 3)
    total = nn.clip_grad_norm_(ours + [Tensor([1.0], requires_grad=True)], max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert abs(total.item() - ttotal.item()) < 1e-12
    for o, t in zip(ours, theirs):
        _close(o.grad, t.grad, "clipped gradient")


def test_warmup_cosine_matches_torch_lambda_lr() -> None:
    p = Tensor([1.0], requires_grad=True)
    opt = optim.AdamW([p], lr=0.1)
    ours = optim.lr_scheduler.WarmupCosineLR(opt, warmup_steps=5, total_steps=30, min_lr=0.01)
    topt = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.lr_scheduler.LambdaLR(topt, warmup_cosine(5, 30, 0.1))
    for _ in range(40):
        assert abs(ours.get_last_lr()[0] - theirs.get_last_lr()[0]) < 1e-15
        opt.step()
        topt.step()
        ours.step()
        theirs.step()
    assert ours.lr_at(0) == [pytest.approx(0.1 / 5)]
    assert ours.lr_at(5) == [pytest.approx(0.1)]
    assert ours.lr_at(30) == [pytest.approx(0.01)]


# ---- the lesson's model, 20 training steps against PyTorch ---------------------------


def lesson_namespace(*names: str) -> dict[str, Any]:
    """The lesson's classes and functions of these names, without running the lesson (its
    module level trains a model): their definitions are compiled from the source."""
    tree = ast.parse(LESSON.read_text(encoding="utf-8"))
    defs = [n for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))
            and n.name in names]
    assert {d.name for d in defs} == set(names), f"{LESSON.name} lacks one of {names}"
    namespace: dict[str, Any] = {"np": np, "math": math, "Tensor": Tensor, "nn": nn, "F": F}
    exec(compile(ast.Module(body=defs, type_ignores=[]), str(LESSON), "exec"), namespace)
    return namespace


class TorchBlock(torch.nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(d)
        self.attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln_2 = torch.nn.LayerNorm(d)
        self.fc = torch.nn.Linear(d, 4 * d)
        self.gelu = torch.nn.GELU(approximate="tanh")
        self.proj = torch.nn.Linear(4 * d, d)

    def forward(self, x: Any, mask: Any) -> Any:
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.proj(self.gelu(self.fc(self.ln_2(x))))


class TorchGPT(torch.nn.Module):
    def __init__(self, vocab: int, context: int, d: int, heads: int, layers: int) -> None:
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Embedding(context, d)
        self.blocks = torch.nn.ModuleList([TorchBlock(d, heads) for _ in range(layers)])
        self.ln_f = torch.nn.LayerNorm(d)
        self.head = torch.nn.Linear(d, vocab)

    def forward(self, ids: Any) -> Any:
        T = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(T))
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.ln_f(x))


def _param_groups(named: list[tuple[str, Any]], wd: float) -> list[dict[str, Any]]:
    """The lesson's split: weight decay on the matrices, not on embeddings, biases, gains."""
    def decays(n: str, p: Any) -> bool:
        return p.ndim == 2 and "tok" not in n and "pos" not in n

    return [{"params": [p for n, p in named if decays(n, p)], "weight_decay": wd},
            {"params": [p for n, p in named if not decays(n, p)], "weight_decay": 0.0}]


def test_lesson_model_trains_like_pytorch_for_20_steps() -> None:
    ns = lesson_namespace("Block", "CharGPT")
    V, T, B, d, heads, layers, steps = 13, 8, 4, 16, 2, 2, 20
    lr, wd, warmup = 3e-3, 0.1, 5
    ours = ns["CharGPT"](V, T, d, heads, layers, seed=0, dtype="float64")
    theirs = TorchGPT(V, T, d, heads, layers).double()
    _copy_into_torch(ours, theirs)
    opt = optim.AdamW(_param_groups(list(ours.named_parameters()), wd), lr=lr,
                      betas=(0.9, 0.99))
    topt = torch.optim.AdamW(_param_groups(list(theirs.named_parameters()), wd), lr=lr,
                             betas=(0.9, 0.99))
    sched = optim.lr_scheduler.WarmupCosineLR(opt, warmup, steps, min_lr=lr / 10)
    tsched = torch.optim.lr_scheduler.LambdaLR(topt, warmup_cosine(warmup, steps, 0.1))
    rng = np.random.default_rng(15)
    text = (np.arange(200) * 5 + np.arange(200) // 3) % V  # a learnable pattern
    losses, tlosses = [], []
    for _ in range(steps):
        starts = rng.integers(0, len(text) - T - 1, B)
        x = np.stack([text[s:s + T] for s in starts])
        y = np.stack([text[s + 1:s + T + 1] for s in starts])
        loss = F.cross_entropy(ours(Tensor(x)).reshape(-1, V), Tensor(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        norm = nn.clip_grad_norm_(ours.parameters(), 0.5)
        opt.step()
        sched.step()
        tloss = TF.cross_entropy(theirs(torch.tensor(x)).reshape(-1, V),
                                 torch.tensor(y).reshape(-1))
        topt.zero_grad()
        tloss.backward()
        tnorm = torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5)
        topt.step()
        tsched.step()
        assert abs(norm.item() - tnorm.item()) < 1e-8
        losses.append(loss.item())
        tlosses.append(tloss.item())
    np.testing.assert_allclose(losses, tlosses, rtol=0, atol=1e-4)
    assert max(abs(a - b) for a, b in zip(losses, tlosses)) < 1e-10  # in fact: rounding
    assert losses[-1] < losses[0] - 0.1  # and it learns
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p, tparams[name], f"{name} after {steps} steps", rtol=1e-7, atol=1e-9)
