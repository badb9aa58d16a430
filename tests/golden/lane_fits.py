#!/usr/bin/env python3
"""The coefficients of two approximations in src/pricing/lane_math.rs, fitted here with mpmath.

1. erfcx(y) = e^(y²)·erfc(y) on [0.46875, 4] (the normal probability's middle range): a rational
   function of degree 7/7 in y, the constant of the denominator 1.
2. p(r) = (e^r − 1 − r)/r² on |r| ≤ ½ln 2 (the exponential, e^r = 1 + r + r²·p(r)): a polynomial
   of degree 9.

Both are near-minimax in relative error: weighted least squares at Chebyshev nodes (for the
rational function linearised, P − f·Q, and reweighted by the previous Q: Sanathanan–Koerner),
then Lawson's reweighting by the error. The script prints each coefficient as the double the Rust
code uses and the worst relative error of the approximation with those doubles, computed at
50 digits on a grid of 20,001 points, so it checks what it fits. Deterministic, about a minute:

    pip install mpmath==1.3.0 && python3 tests/golden/lane_fits.py

What the lanes compute in doubles is tested against independent implementations in
lane_math.rs's unit tests (std's exp, ln_1p, libm's erfc) and the prices against the 60-digit
golden file.
"""
from mpmath import cos, erfc, exp, log, matrix, mp, mpf, pi, qr_solve

mp.dps = 50
NODES = 400
GRID = 20_000


def fit(f, a, b, n, m, linearised=20, lawson=40):
    """Coefficients (p, q) of P/Q, degrees n and m, q[0] = 1, near-minimax relative error on [a, b]."""
    xs = [(a + b) / 2 + (b - a) / 2 * cos(pi * (i + mpf(0.5)) / NODES) for i in range(NODES)]
    fs = [f(x) for x in xs]
    weight = [mpf(1)] * NODES
    q_previous = [mpf(1)] * NODES
    best = None
    for iteration in range(linearised + lawson):
        a_matrix = matrix(NODES, n + 1 + m)
        rhs = matrix(NODES, 1)
        for i, (x, fx) in enumerate(zip(xs, fs)):
            scale = mp.sqrt(weight[i]) / (fx * q_previous[i])
            for j in range(n + 1):
                a_matrix[i, j] = scale * x**j
            for j in range(1, m + 1):
                a_matrix[i, n + j] = -scale * fx * x**j
            rhs[i] = scale * fx
        c, _ = qr_solve(a_matrix, rhs)
        p = [c[j] for j in range(n + 1)]
        q = [mpf(1)] + [c[n + j] for j in range(1, m + 1)]
        q_previous = [polynomial(q, x) for x in xs]
        errors = [(polynomial(p, x) / qx - fx) / fx for x, fx, qx in zip(xs, fs, q_previous)]
        worst = max(abs(e) for e in errors)
        if best is None or worst < best[0]:
            best = (worst, p, q)
        if iteration >= linearised:
            weight = [w * abs(e) for w, e in zip(weight, errors)]
            total = sum(weight)
            weight = [w / total * NODES for w in weight]
    return best[1], best[2]


def polynomial(c, x):
    return sum(ci * x**j for j, ci in enumerate(c))


def as_doubles(c):
    return [float(ci) for ci in c]


def worst_relative_error(f, a, b, approximation):
    return max(
        abs(approximation(x) / f(x) - 1) for x in (a + (b - a) * mpf(i) / GRID for i in range(GRID + 1))
    )


def show(name, coefficients):
    print(f"{name}:")
    for c in coefficients:
        print(f"    {c!r},")


def erfcx(y):
    return exp(y * y) * erfc(y)


def exp_series(r):
    return (exp(r) - 1 - r) / r**2 if r != 0 else mpf(0.5)


def main():
    low, high = mpf(0.46875), mpf(4)
    p, q = fit(erfcx, low, high, 7, 7)
    p, q = as_doubles(p), as_doubles(q)
    error = worst_relative_error(erfcx, low, high, lambda y: polynomial(p, y) / polynomial(q, y))
    print(f"erfcx on [0.46875, 4], degree 7/7: worst relative error {float(error):.3e}")
    show("numerator, constant first", p)
    show("denominator, constant first", q)

    half_ln2 = log(2) / 2
    c, _ = fit(exp_series, -half_ln2, half_ln2, 9, 0)
    c = as_doubles(c)
    error = worst_relative_error(exp, -half_ln2, half_ln2, lambda r: 1 + r + r * r * polynomial(c, r))
    print(f"e^r on |r| <= ln2/2 as 1 + r + r^2 p(r), p of degree 9: worst relative error {float(error):.3e}")
    show("p, constant first", c)


if __name__ == "__main__":
    main()
