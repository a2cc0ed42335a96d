"""Each numeric worked example, pinned to a value computed here independently (numpy or
math in closed form) — never copied from a lesson's output."""

from __future__ import annotations

import math

import numpy as np
import pytest


def close(actual, expected, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=rtol, atol=atol)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


# ------------------------------------------------------------------------- losses
Y6 = np.array([2.0, 3.0, 4.0, 5.0, 6.0])
YH6 = np.array([1.5, 2.8, 3.2, 4.7, 5.1])
Y7 = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
P7 = np.array([0.9, 0.1, 0.8, 0.2, 0.7])


def test_w06_mse_with_and_without_half(report):
    half = report.find("W06", "½(y−ŷ)²")
    plain = report.find("W06", "without ½")
    close(half["computed"], np.mean(0.5 * (Y6 - YH6) ** 2))     # 0.183
    close(plain["computed"], np.mean((Y6 - YH6) ** 2))          # 0.366
    assert half["seed_claim"] == 0.24 and half["agrees"] is False
    assert plain["agrees"] is False
    close(report.value("W06", "∂L/∂ŷ"), (YH6 - Y6) / 5)


def test_w07_cross_entropy_natural_log(report):
    row = report.find("W07", "natural log")
    close(row["computed"], -np.mean(Y7 * np.log(P7)))           # 0.1370358
    assert row["seed_claim"] == 0.176 and row["agrees"] is False
    close(report.value("W07", "log₁₀"), -np.mean(Y7 * np.log10(P7)))
    close(report.value("W07", "both terms"),
          -np.mean(Y7 * np.log(P7) + (1 - Y7) * np.log(1 - P7)))


def test_w05_losses_and_their_gradients(report):
    close(report.value("W05", "MSE = 1/n"), np.mean((Y6 - YH6) ** 2))
    close(report.value("W05", "MSE: dL/dŷ"), 2 * (YH6 - Y6) / 5)
    close(report.value("W05", "seed's LogLoss −1/n"), -np.mean(Y7 * np.log(P7)))
    close(report.value("W05", "zero on the y = 0"), -Y7 / (5 * P7))
    close(report.value("W05", "binary log loss (both terms) on"),
          -np.mean(Y7 * np.log(P7) + (1 - Y7) * np.log(1 - P7)))
    close(report.value("W05", "(ŷ−y)/(n ŷ(1−ŷ))"), (P7 - Y7) / (5 * P7 * (1 - P7)))
    y, s = np.array([1.0, -1.0, 1.0]), np.array([0.5, 0.3, 2.0])
    close(report.value("W05", "hinge max"), np.mean(np.maximum(0, 1 - y * s)))   # 0.6
    close(report.value("W05", "hinge: dL/dŷ"), np.where(y * s < 1, -y, 0) / 3)
    assert report.value("W05", "softmax CE: max") < 1e-12


def test_w14_binary_cross_entropy_is_positive(report):
    y, p = np.array([1.0, 0.0]), np.array([0.9, 0.1])
    per = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    mean, total = report.find("W14", "mean over the 2"), report.find("W14", "sum (the")
    close(mean["computed"], per.mean())      # +0.1053605
    close(total["computed"], per.sum())      # 0.2107210
    assert mean["computed"] > 0 and mean["seed_claim"] == -0.105 and mean["agrees"] is False


def test_w26_bce_with_both_terms(report):
    close(report.value("W26", "W07's numbers"),
          -np.mean(Y7 * np.log(P7) + (1 - Y7) * np.log(1 - P7)))   # 0.2027366
    close(report.value("W26", "W14's numbers"), -math.log(0.9))
    assert report.value("W26", "closed form") < 1e-12
    j0, j1, j50 = (report.value("W26", k) for k in ("J(θ₀)", "one GD step", "50 GD steps"))
    assert j0 > j1 > j50


# --------------------------------------------------------------- gradient descent
def test_w08_one_gradient_step_has_the_opposite_sign(report):
    grad = report.find("W08", "∂L/∂θ for L = ½")
    step = report.find("W08", "θ₁ − θ₀")
    y, yhat, x, alpha = 2.0, 1.5, 1.0, 0.01
    close(grad["computed"], -(y - yhat) * x)                # −0.5
    close(step["computed"], -alpha * (-(y - yhat) * x))     # +0.005
    assert grad["agrees"] is False and step["agrees"] is False
    close(report.value("W08", "no ½"), -2 * (y - yhat) * x)
    close(report.value("W08", "seed's step"), 0.5 * (y - (1.5 - 0.005) * x) ** 2)
    close(report.value("W08", "correct step"), 0.5 * (y - (1.5 + 0.005) * x) ** 2)


def test_w21_one_update_of_each_rule(report):
    x, y, a = np.array([-3.0, 1.0]), np.array([-5.0, 3.0]), 0.01
    gw, gb = -y * x, -y                       # per-sample gradients at w = b = 0
    close(report.value("W21", "GD on L = Σ"), [-a * gw.sum(), -a * gb.sum()])
    close(report.value("W21", "batch GD"), [-a * gw.mean(), -a * gb.mean()])
    close(report.value("W21", "SGD on sample 1"), [-a * gw[0], -a * gb[0]])
    close(report.value("W21", "SGD on sample 2"), [-a * gw[1], -a * gb[1]])
    g = np.array([gw.mean(), gb.mean()])
    nobc = -a * (0.1 * g) / (np.sqrt(0.001 * g * g) + 1e-8)
    bc = -a * g / (np.abs(g) + 1e-8)
    close(report.value("W21", "Adam without bias correction (own"), nobc, rtol=1e-7)
    close(report.value("W21", "Adam, standard"), bc, rtol=1e-7)
    shared = -a * (0.1 * g[0]) / (np.sqrt(0.001 * g[0] ** 2) + 1e-8)
    close(report.value("W21", "[w₁, b₁]: Adam as written"), [shared, shared], rtol=1e-7)
    close(report.value("W21", "step / α without"), 0.1 / math.sqrt(0.001), rtol=1e-6)


# ----------------------------------------------------------------- activations
def test_w13_sigmoid_of_two(report):
    row = report.find("W13", "σ(2) =")
    s = 1 / (1 + math.exp(-2))
    close(row["computed"], s)                # 0.8807971
    assert row["seed_claim"] == 0.869 and row["agrees"] is False
    close(report.value("W13", "σ′(2) by autograd"), s * (1 - s))
    close(report.value("W13", "tanh(2)"), math.tanh(2))
    close(report.value("W13", "tanh′(2)"), 1 - math.tanh(2) ** 2)
    close(report.value("W13", "ReLU([−2"), np.maximum(0, [-2, -0.5, 0, 0.5, 2]))


# ------------------------------------------------------- optimisers and schedules
def test_w03_inverse_time_decay_values(report):
    for t in (0, 1, 10, 50, 100, 500, 1000):
        close(report.value("W03", f"α_t = α₀/(1+λt) at t = {t}"), 0.01 / (1 + 0.01 * t))
    name = report.find("W03", "name of the schedule")
    assert name["agrees"] is False and "inverse-time" in name["computed"]


def test_w04_three_steps_of_each_optimiser_on_a_parabola(report):
    lr, th = 0.1, {k: 0.0 for k in ("SGD", "Adam", "Adagrad", "AdaMax")}
    m = {"Adam": 0.0, "AdaMax": 0.0}
    v = {"Adam": 0.0, "AdaMax": 0.0, "Adagrad": 0.0}
    paths = {k: [] for k in th}
    for t in (1, 2, 3):
        g = {k: 2 * (th[k] - 3) for k in th}
        th["SGD"] -= lr * g["SGD"]
        m["Adam"] = 0.9 * m["Adam"] + 0.1 * g["Adam"]
        v["Adam"] = 0.999 * v["Adam"] + 0.001 * g["Adam"] ** 2
        th["Adam"] -= lr * (m["Adam"] / (1 - 0.9**t)) / (math.sqrt(v["Adam"] / (1 - 0.999**t))
                                                         + 1e-8)
        v["Adagrad"] += g["Adagrad"] ** 2
        th["Adagrad"] -= lr * g["Adagrad"] / (math.sqrt(v["Adagrad"]) + 1e-10)
        m["AdaMax"] = 0.9 * m["AdaMax"] + 0.1 * g["AdaMax"]
        v["AdaMax"] = max(0.999 * v["AdaMax"], abs(g["AdaMax"]) + 1e-8)
        th["AdaMax"] -= lr / (1 - 0.9**t) * m["AdaMax"] / v["AdaMax"]
        for k in th:
            paths[k].append(th[k])
    for k in th:
        close(report.value("W04", f"θ₃ by {k}"), paths[k], rtol=1e-8)
    for name in ("SGD", "Adam", "Adagrad", "AdaMax"):
        start = float(report.find("W04", f"{name} (lr", "loss after")["quantity"]
                      .split("start ")[1].rstrip(")"))
        assert report.value("W04", f"{name} (lr", "loss after") < start / 3
        assert report.value("W04", f"{name} (lr", "accuracy") > 0.85


def test_w15_the_seeds_adam_step(report):
    b1, b2, lr, eps = 0.9, 0.99, 0.001, 0.001
    g, th0 = np.array([-0.1, -0.2]), np.array([1.0, 1.0])
    m1, v1 = (1 - b1) * g, (1 - b2) * g * g
    th1 = th0 - lr * m1 / (np.sqrt(v1) + eps)            # [1.000909, 1.000952]
    for i in range(2):
        m_row, v_row, t_row = (report.find("W15", f"{q}[{i}]") for q in ("m₁", "v₁", "θ₁"))
        close(m_row["computed"], m1[i])
        close(v_row["computed"], v1[i])
        close(t_row["computed"], th1[i])
        assert m_row["agrees"] is True and v_row["agrees"] is False and t_row["agrees"] is False
    close(report.value("W15", "seed's own v₁"), th0 - lr * m1 / (np.sqrt([0.001, 0.004]) + eps))
    close(report.value("W15", "bias_correction=False"), th1)
    close(report.value("W15", "θ₁ by optim.Adam, bias-corrected"),
          th0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps))
    # t = 2, 3 with the same gradient: the seed's recursion vs Adam's
    ms, vs, ts = np.zeros(2), np.zeros(2), th0.copy()
    ma, va, ta, tb = np.zeros(2), np.zeros(2), th0.copy(), th0.copy()
    for t in (1, 2, 3):
        ms, vs = b1 * ms + (1 - b1) * (g - ms), b2 * vs + (1 - b2) * (g * g - vs)
        ts = ts - lr * ms / (np.sqrt(vs) + eps)
        ma, va = b1 * ma + (1 - b1) * g, b2 * va + (1 - b2) * g * g
        ta = ta - lr * ma / (np.sqrt(va) + eps)
        tb = tb - lr * (ma / (1 - b1**t)) / (np.sqrt(va / (1 - b2**t)) + eps)
        if t > 1:
            close(report.value("W15", f"m_{t} by the seed's rule"), ms)
            close(report.value("W15", f"θ_{t} by the seed's rule"), ts)
            close(report.value("W15", f"θ_{t} by standard Adam, no bias"), ta)
            close(report.value("W15", f"θ_{t} by standard Adam, bias-corrected"), tb)
    close(report.value("W15", "m_3 by standard Adam"), ma)


def test_w16_gd_and_adam_side_by_side(report):
    x, y, a = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]), 0.01
    th_gd, th_bc, th_nb, m, v = 0.0, 0.0, 0.0, 0.0, 0.0
    mn, vn = 0.0, 0.0
    for t in (1, 2, 3):
        th_gd -= a * (-2 * np.sum(x * (y - th_gd * x)))
        g = -2 * np.sum(x * (y - th_bc * x))
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        th_bc -= a * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        gn = -2 * np.sum(x * (y - th_nb * x))
        mn, vn = 0.9 * mn + 0.1 * gn, 0.999 * vn + 0.001 * gn * gn
        th_nb -= a * mn / (math.sqrt(vn) + 1e-8)
        close(report.value("W16", f"θ_{t}: 4.1.3"), th_gd)
        close(report.value("W16", f"θ_{t}: 4.2.2"), th_bc, rtol=1e-8)
        close(report.value("W16", f"θ_{t}: Adam without"), th_nb, rtol=1e-8)
    same = report.find("W16", "vs optim.SGD")
    assert same["computed"] == 0 and same["agrees"] is False
    assert report.find("W16", "by hand vs optim.Adam")["agrees"] is True
    close(report.value("W16", "after 100 GD steps"), 2.0, rtol=1e-9)
    assert report.value("W16", "diverges") > 56


# ---------------------------------------------------------------- backprop by hand
def test_w20_one_layer_by_hand(report):
    W, b = np.array([[0.5, -0.3], [0.2, 0.8]]), np.array([0.1, -0.1])
    a0, y = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    u = W @ a0 + b
    a = sigmoid(u)
    delta = (a - y) * a * (1 - a)
    close(report.value("W20", "standard forward"), a)
    close(report.value("W20", "standard: L ="), 0.5 * np.sum((a - y) ** 2))
    close(report.value("W20", "standard: δ ="), delta)
    close(report.value("W20", "standard: ∂L/∂W by autograd"), np.outer(delta, a0),
          atol=1e-15)
    z = sigmoid(u)
    a2 = sigmoid(z)
    close(report.value("W20", "σ∘σ forward"), a2)
    close(report.value("W20", "seed's σ∘σ: L"), 0.5 * np.sum((a2 - y) ** 2))
    true = (a2 - y) * a2 * (1 - a2) * z * (1 - z)
    close(report.value("W20", "seed's σ∘σ: ∂L/∂W by autograd"), np.outer(true, a0))


def test_w20_w22_manual_backprop_equals_autograd(report):
    assert report.value("W20", "standard: max |δ a₀ᵀ") < 1e-12
    assert report.value("W20", "extra σ′(u) factor") < 1e-12
    row = report.find("W20", "hand backprop", "vs autograd")
    assert row["agrees"] is True and row["computed"] < 1e-10
    row = report.find("W22", "vs autograd, binary CE (both terms")
    assert row["agrees"] is True and row["computed"] < 1e-8
    assert report.value("W22", "mean-reduced") < 1e-12
    wrong = report.find("W22", "for the seed's loss L = −Σ y log ŷ")
    assert wrong["agrees"] is False and wrong["computed"] > 0.1
    doubled = report.find("W20", "forward pass as written")
    assert doubled["agrees"] is False
    assert report.find("W20", "as written (one sample")["computed"].startswith("matmul:")


def test_w22_output_layer_identities(report):
    z3, y = np.array([0.3, -1.2]), np.array([1.0, 0.0])
    a3 = sigmoid(z3)
    close(report.value("W22", "a₃ = σ(z₃)"), a3)
    close(report.value("W22", "sigmoid + binary CE (both terms), y = [1, 0]"), a3 - y)
    close(report.value("W22", "seed's −Σ y ln a₃"), -y * (1 - a3))
    first, last = report.value("W22", "first step"), report.value("W22", "training loss after 200")
    assert last < first / 3
    assert report.value("W22", "training accuracy") > 0.9


@pytest.mark.parametrize("wid", ["W06", "W07", "W08", "W13", "W14", "W15"])
def test_seed_errors_are_reported_as_corrections(report, wid):
    assert any(r["agrees"] is False for r in report.rows_for(wid))


# ------------------------------------------------------------ training loops (W01, W02, W09)
def test_w01_the_seven_step_loop_matches_the_closed_form(report):
    x = np.linspace(-1, 1, 21)
    ex2, a, T = np.mean(x * x), 0.01, 1000
    close(report.value("W01", "w after 1000"), 3 * (1 - (1 - 2 * a * ex2) ** T), rtol=1e-5)
    close(report.value("W01", "b after 1000"), 2 * (1 - (1 - 2 * a) ** T), rtol=1e-5)
    close(report.value("W01", "first forward pass"), np.mean((3 * x + 2) ** 2), rtol=1e-6)
    l_T = 9 * (1 - 2 * a * ex2) ** (2 * T) * ex2 + 4 * (1 - 2 * a) ** (2 * T)
    close(report.value("W01", "loss after 1000"), l_T, rtol=2e-2)   # float32 near 1e-6
    assert report.value("W01", "never increased") == 1
    assert report.find("W01", "the loop's order")["agrees"] is True


def test_w02_normalised_fit_converges_to_the_correlation(report):
    area = np.array([50.0, 60, 80, 100, 120, 150])
    price = np.array([150.0, 180, 230, 290, 330, 420])
    r = np.corrcoef(area, price)[0, 1]
    slope, intercept = np.polyfit(area, price, 1)
    close(report.value("W02", "slope on standardised"), r, rtol=1e-9)
    close(report.value("W02", "correlation coefficient"), r, rtol=1e-12)
    assert abs(report.value("W02", "intercept on standardised")) < 1e-9
    close(report.value("W02", "price per m²"), slope, rtol=1e-8)
    close(report.value("W02", "intercept (万元)"), intercept, rtol=1e-7)
    assert report.value("W02", "raw (unnormalised)") > 1e10


def test_w09_learns_w_2_and_b_1_5(report):
    rng = np.random.default_rng(0)              # make_line(1000, seed=0), regenerated here
    x = rng.random((1000, 1))
    y = 2 * x + 1 + rng.random((1000, 1))
    (ols_w, ols_b), *_ = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y[:, 0], rcond=None)
    w, b = report.value("W09", "learned w"), report.value("W09", "learned b")
    close(report.value("W09", "least-squares w"), ols_w, rtol=1e-6)
    close(report.value("W09", "least-squares b"), ols_b, rtol=1e-6)
    assert abs(w - ols_w) < 0.03 and abs(b - ols_b) < 0.03
    assert abs(w - 2) < 0.15 and abs(b - 1.5) < 0.1
    assert 0.05 < report.value("W09", "validation loss (MSE), epoch 100") < 0.11
    assert (report.value("W09", "training loss (MSE), epoch 100")
            < report.value("W09", "training loss (MSE), epoch 1") / 10)


# ---------------------------------------------------------------- data and metrics
def test_w10_standardisation_and_split_sizes(report):
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    close(report.value("W10", "scale_"), X.std(axis=0))          # population std
    close(report.value("W10", "standardised columns: mean"), [0, 0], atol=1e-12)
    close(report.value("W10", "standardised columns: std"), [1, 1])
    for n in (100, 569, 1797):
        n_test = math.ceil(0.2 * n)
        assert report.value("W10", f"n = {n},") == [n - n_test, n_test]
    assert report.value("W10", "train columns after fit-on-train") < 1e-5
    assert report.value("W10", "test columns: max |mean|") > 0.01
    assert report.find("W10", "where the scaler is fitted")["agrees"] is False
    assert report.value("W10", "LabelEncoder classes_") == "benign, malignant"


def test_w28_and_w12_metrics(report):
    y = np.array([1, 0, 1, 1, 0, 1, 0, 0])
    s = np.array([0.9, 0.6, 0.65, 0.3, 0.2, 0.8, 0.55, 0.1])
    p = (s > 0.5).astype(int)
    tp, tn = int(((p == 1) & (y == 1)).sum()), int(((p == 0) & (y == 0)).sum())
    fp, fn = int(((p == 1) & (y == 0)).sum()), int(((p == 0) & (y == 1)).sum())
    auc = np.mean([(a > b) + 0.5 * (a == b) for a in s[y == 1] for b in s[y == 0]])
    assert report.value("W28", "confusion matrix") == [[tn, fp], [fn, tp]]
    close(report.value("W28", "accuracy"), (tp + tn) / len(y))
    close(report.value("W28", "precision"), tp / (tp + fp))
    close(report.value("W28", "recall"), tp / (tp + fn))
    close(report.value("W28", "F1"), 2 * tp / (2 * tp + fp + fn))
    close(report.value("W28", "AUC-ROC"), auc)                    # 0.875
    close(report.value("W12", "accuracy on the 8-sample"), (tp + tn) / len(y))
    close(report.value("W12", "recall on the 8-sample"), tp / (tp + fn))
    yr, yh = np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 9.0])
    close(report.value("W28", "MSE on y="), np.mean((yr - yh) ** 2))
    close(report.value("W28", "RMSE"), np.sqrt(np.mean((yr - yh) ** 2)))
    close(report.value("W28", "MAE"), np.mean(np.abs(yr - yh)))


# ----------------------------------------------------------- MLP classification
def test_w11_binary_classifier(report):
    d = 30
    assert report.value("W11", "parameters") == 128 * (d + 1) + (128 * 64 + 64) + (64 + 1)
    assert report.value("W11", "test accuracy") > 0.9
    assert report.value("W11", "test accuracy") > report.value("W11", "chance level") + 0.2
    assert report.value("W11", "test recall at threshold") > 0.9
    assert report.value("W11", "training loss, epoch 10") < report.value("W11",
                                                                        "training loss, epoch 1")
    assert report.find("W11", "sigmoid output layer")["agrees"] is False


def test_w12_save_load_and_the_seeds_predict_call(report):
    assert report.value("W12", "p_loaded − p_original") == 0
    row = report.find("W12", 'predict("This is')
    assert row["agrees"] is False and "StandardScaler.transform" in row["computed"]
    assert "30" in report.value("W12", "wrong length")
    assert report.value("W12", "fixed predict") == 0          # sample 0 is malignant (0)


def test_w27_digits_mlp(report):
    assert report.value("W27", "64 inputs") == 64 * 128 + 128 + 128 * 10 + 10        # 9,610
    assert report.value("W27", "784 inputs") == 784 * 128 + 128 + 128 * 10 + 10      # 101,770
    assert report.value("W27", "|CrossEntropyLoss − mean") < 1e-6
    close(report.value("W27", "before training"), math.log(10), rtol=0.15)  # ≈ uniform guess
    assert report.value("W27", "test accuracy") > 0.9
    assert report.value("W27", "training loss, epoch 10") < report.value("W27",
                                                                        "training loss, epoch 1")


# ------------------------------------------------------------------------- CNNs
def conv(ci, co, k):
    return co * ci * k * k + co


def lin(i, o):
    return i * o + o


def test_w17_lenet_shapes_and_parameters(report):
    total = conv(3, 6, 5) + conv(6, 16, 5) + lin(400, 120) + lin(120, 84) + lin(84, 10)
    assert report.value("W17", "total parameters") == total                       # 62,006
    assert report.value("W17", "conv1:") == [6, 28, 28, conv(3, 6, 5)]
    assert report.value("W17", "conv2:") == [16, 10, 10, conv(6, 16, 5)]
    assert report.value("W17", "fc1:") == [120, lin(400, 120)]
    row = report.find("W17", "flattened width")
    assert row["computed"] == 16 * 5 * 5 and row["agrees"] is True
    assert report.value("W17", "batch of 4") == [4, 10]


def test_w19_shapes_do_not_fit_then_the_fix_trains(report):
    row = report.find("W19", "flattened width entering fc1")
    assert row["seed_claim"] == 320 and row["computed"] == 20 and row["agrees"] is False
    err = report.find("W19", "forward pass of the seed's")
    assert err["agrees"] is False and "320" in err["computed"] and "(64, 20)" in err["computed"]
    assert report.value("W19", "28×28, 32×32, 64×64") == [20, 20, 20]
    written = conv(1, 10, 5) + conv(10, 20, 5) + lin(320, 50) + lin(50, 10)
    assert report.value("W19", "as written") == written                          # 21,840
    assert report.value("W19", "fix A (Linear(20") == written - lin(320, 50) + lin(20, 50)
    assert report.value("W19", "fix B (max-pools") == written
    assert report.value("W19", "fix B: flattened") == 20 * 4 * 4
    assert report.value("W19", "test accuracy") > 0.5                           # chance 0.1
    assert (report.value("W19", "mean training loss, epoch 10")
            < report.value("W19", "fix A on 12×12 digits: mean training loss, epoch 1"))


def test_w24_the_flatten_fits_only_for_76_to_79(report):
    def side(h):
        return ((h - 4) // 2 - 4) // 2
    row = report.find("W24", "flattened width per image")
    assert row["computed"] == 128 * side(256) ** 2 and row["agrees"] is False   # 476,288
    assert report.value("W24", "feature maps") == [1, 128, side(256), side(256)]
    assert report.value("W24", "input sizes") == [h for h in range(60, 100) if side(h) == 16]
    assert "476288" in report.find("W24", "x.view(-1")["computed"]
    assert report.value("W24", "parameters") == (conv(3, 64, 5) + conv(64, 128, 5)
                                                 + lin(128 * 16 * 16, 128) + lin(128, 10))
    assert report.value("W24", "3×76×76") == [2, 10]


def test_w25_grid_of_predictions(report):
    labels = report.value("W25", "labels of the 25")
    preds = report.value("W25", "predictions shown")
    assert len(labels) == len(preds) == 25
    right = sum(a == b for a, b in zip(labels, preds, strict=True))
    assert report.value("W25", "correct predictions") == right
    assert report.find("W25", "dataiter.next()")["agrees"] is False
    assert (report.out / "w25_predictions.png").stat().st_size > 10_000


# ------------------------------------------------------------------- fine-tuning
def test_w18_frozen_weights_do_not_move(report):
    frozen = [r for r in report.rows_for("W18") if r["quantity"].endswith("(frozen)")]
    trained = [r for r in report.rows_for("W18") if r["quantity"].endswith("(trained)")]
    assert len(frozen) == 4 and len(trained) == 2
    assert all(r["computed"] == 0.0 for r in frozen)
    assert all(r["computed"] > 0 for r in trained)
    assert report.find("W18", "5.3.4's fine_tune")["computed"] > 0
    assert report.find("W18", "5.4: test_loss")["agrees"] is False
    close(report.value("W18", "corrected average"), report.value("W18", "computed directly"),
          rtol=1e-5)
    assert report.value("W18", "task A (digits 0–4)") > 0.9
    assert report.value("W18", "task B (digits 5–9)") > 0.4                     # chance 0.2


# ---------------------------------------------------------------- regularisation
def test_w23_penalties_decay_dropout(report):
    w, lam = np.array([0.5, -1.0, 2.0]), 0.01
    close(report.value("W23", "L1 penalty"), lam * np.abs(w).sum())       # 0.035
    close(report.value("W23", "λ·sign(w)"), lam * np.sign(w))
    close(report.value("W23", "L2 penalty λΣw²"), lam * (w * w).sum())         # 0.0525
    close(report.value("W23", "2λw"), 2 * lam * w)
    close(report.value("W23", "SGD(lr 0.1, weight_decay 0.01)"), w * (1 - 0.1 * lam))
    assert report.value("W23", "weight_decay λ − L2 penalty") < 1e-9
    close(report.value("W23", "Adam(lr 0.1"), w - 0.1 * np.sign(w), rtol=1e-6)
    close(report.value("W23", "AdamW(lr 0.1"), w * (1 - 0.1 * lam))
    assert report.find("W23", "what weight decay does")["agrees"] is False
    close(report.value("W23", "keep-mask"), np.array([1, 2, 3, 4]) * [1, 0, 1, 0] / 0.5)
    assert abs(report.value("W23", "fraction zeroed") - 0.5) < 0.01
    close(report.value("W23", "value of the survivors"), 2.0)
    assert report.value("W23", "eval(): max") == 0


def test_w23_early_stopping_and_ensembles(report):
    losses = [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.5]
    for patience in (2, 3):
        best, best_epoch, wait, stopped = math.inf, -1, 0, None
        for epoch, v in enumerate(losses):
            if v < best:
                best, best_epoch, wait = v, epoch, 0
            else:
                wait += 1
                if wait >= patience:
                    stopped = epoch
                    break
        assert report.value("W23", f"patience {patience}") == [stopped, best_epoch]
    close(report.value("W23", "validation loss after restore"),
          report.value("W23", "best validation"), rtol=1e-6)
    assert report.value("W23", "epochs run before early stopping") < 60
    close(report.value("W23", "average of P"), np.mean([0.9, 0.4, 0.45]), rtol=1e-6)
    assert report.value("W23", "class by averaging") == 1
    assert report.value("W23", "class by majority vote") == 0


def test_w28_batchnorm_huber_and_the_faq(report):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    close(report.value("W28", "BatchNorm1d (training)"), (x - x.mean()) / np.sqrt(x.var() + 1e-5),
          rtol=1e-5)
    close(report.value("W28", "running_mean"), 0.1 * x.mean(), rtol=1e-6)
    close(report.value("W28", "running_var"), 0.9 + 0.1 * x.var(ddof=1), rtol=1e-6)
    r = np.array([2.5, 0.0, 2.0, 9.0]) - np.array([3.0, -0.5, 2.0, 7.0])
    huber = np.where(np.abs(r) <= 1, 0.5 * r * r, np.abs(r) - 0.5)
    close(report.value("W28", "Huber (δ = 1) per sample"), huber)
    close(report.value("W28", "Huber (δ = 1), mean"), huber.mean())        # 0.4375
    faq = [r for r in report.rows_for("W28") if r["quantity"].startswith("FAQ: use")]
    assert len(faq) == 3 and all(r["agrees"] is False for r in faq)
    assert report.value("W28", "straight line (under-fits)") < report.value("W28", "more capacity")


def test_w23_l1_exact_zeros_need_the_proximal_step(report):
    """Plain SGD on f + λ‖w‖₁ leaves the true-zero weights oscillating near 0; the
    soft-threshold step sets exactly those three to 0."""
    row = report.find("W23", "L1 with plain SGD: weights exactly 0")
    assert row["computed"] == 0 and row["agrees"] is False and row["note_zh"]
    assert 0 < report.value("W23", "L1 with plain SGD: largest |w|") < 0.1 * 0.1 * 2
    assert report.value("W23", "proximal (soft-threshold) step: weights exactly 0") == 3
    close(report.value("W23", "proximal step: the 3 non-zero weights"), [2.0, -1.0, 0.5],
          atol=0.15)


def test_w20_graph_is_saved_with_the_gradients_of_the_leaves(report):
    """The graph backward() walked, as DOT text: the ops of the one-layer network and
    the leaves' gradients, ∂L/∂W = δ a₀ᵀ and ∂L/∂b = δ."""
    dot = (report.out / "w20_graph.dot").read_text(encoding="utf-8")
    for op in ("MatMulBackward", "AddBackward", "SigmoidBackward", "SumBackward"):
        assert op in dot
    assert "grad [-0.125, -0.25, 0.1104, 0.2209]" in dot      # ∂L/∂W
    assert "grad [-0.125, 0.1104]" in dot                      # ∂L/∂b
