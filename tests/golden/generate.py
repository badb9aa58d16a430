#!/usr/bin/env python3
"""Golden files for Headroom's pricing tests, from an independent high-precision reference.

Black-76 prices are computed with mpmath at 60 digits; every Greek is a numerical derivative of
that price formula (mp.diff), never a closed form, so the Rust closed forms are checked against
something they do not share. Inputs are doubles written with Python's shortest round-trip repr,
so both sides start from the same numbers. Deterministic: a fixed seed.

    pip install mpmath==1.3.0 && python3 tests/golden/generate.py

Writes black76.csv (random and tail cases) and implied_vol.csv (the hard set of test-vectors.md).
"""
import csv
import math
import os
import random

import mpmath as mp

mp.mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261123


def black(F, K, T, r, s, call):
    sq = s * mp.sqrt(T)
    d1 = (mp.log(F / K) + s * s * T / 2) / sq
    d2 = d1 - sq
    df = mp.exp(-r * T)
    if call:
        return df * (F * mp.ncdf(d1) - K * mp.ncdf(d2))
    return df * (K * mp.ncdf(-d2) - F * mp.ncdf(-d1))


GREEKS = ("price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm")


def numerical_greeks(call, m):
    """Price and Greeks of one option by numerical differentiation of the price formula."""
    f = lambda F_, K_, T_, r_, s_: black(F_, K_, T_, r_, s_, call)
    d = lambda *orders: mp.diff(f, m, orders)
    return {
        "price": f(*m),
        "delta": d(1, 0, 0, 0, 0),
        "gamma": d(2, 0, 0, 0, 0),
        "vega": d(0, 0, 0, 0, 1),
        "theta": -d(0, 0, 1, 0, 0),
        "rho": d(0, 0, 0, 1, 0),
        "vanna": d(1, 0, 0, 0, 1),
        "volga": d(0, 0, 0, 0, 2),
        "charm": -d(1, 0, 1, 0, 0),
    }


def row(kind, F, K, T, r, s, note):
    """An in-the-money option's price is mostly intrinsic value, which would drown its time value
    in a numerical derivative; so the out-of-the-money option of the same strike is differentiated
    and put-call parity C − P = e^(−rT)·(F − K) adds back the parity term, whose derivatives are
    elementary: ∂/∂F = e^(−rT), −∂/∂T = r·e^(−rT)(F − K), ∂/∂r = −T·e^(−rT)(F − K), and
    −∂²/∂F∂T = r·e^(−rT); its gamma, vega, vanna and volga are 0."""
    call = kind == "C"
    m = [mp.mpf(x) for x in (F, K, T, r, s)]
    F_, K_, T_, r_, _ = m
    otm_is_call = F_ < K_
    g = numerical_greeks(otm_is_call, m)
    if call != otm_is_call:
        df = mp.exp(-r_ * T_)
        parity = {"price": df * (F_ - K_), "delta": df, "theta": r_ * df * (F_ - K_),
                  "rho": -T_ * df * (F_ - K_), "charm": r_ * df}
        sign = 1 if call else -1  # C = P + Π, P = C − Π
        for name, value in parity.items():
            g[name] += sign * value
    return [kind, repr(F), repr(K), repr(T), repr(r), repr(s)] + [mp.nstr(g[n], 20) for n in GREEKS] + [note]


def log_uniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def black76_cases(rng):
    cases = []
    # Random cases over wide domains: moneyness ±2 in log, 1 minute to 5 years, vol 1 % to 500 %.
    while len(cases) < 400:
        F = log_uniform(rng, 0.05, 250000.0)
        T = log_uniform(rng, 1 / (365 * 24 * 60), 5.0)
        s = log_uniform(rng, 0.01, 5.0)
        K = F * math.exp(rng.uniform(-2.0, 2.0) * min(1.0, 3 * s * math.sqrt(T)) if rng.random() < 0.7 else rng.uniform(-2.0, 2.0))
        r = rng.choice([0.0, 0.0, rng.uniform(-0.02, 0.1)])
        cases.append((rng.choice("CP"), F, K, T, r, s, "random"))
    # Far out of the money: 8 to 12 standard deviations, where erf-based N(x) gives 0.
    for n_sd in (8, 9, 10, 12):
        for s, T in ((0.65, 30 / 365), (0.05, 1 / 365), (1.5, 2.0)):
            F = 91250.5
            w = s * math.sqrt(T)
            cases.append(("C", F, F * math.exp(n_sd * w + w * w / 2), T, 0.0, s, f"otm-{n_sd}sd"))
            cases.append(("P", F, F * math.exp(-n_sd * w + w * w / 2), T, 0.0, s, f"otm-{n_sd}sd"))
    # Minutes from expiry, near the money, and vols from 1 % to 500 %.
    for minutes in (1, 5, 30, 120):
        for x in (-0.01, -0.002, 0.0, 0.002, 0.01):
            cases.append(("C", 91250.5, 91250.5 * math.exp(x), minutes / (365 * 24 * 60), 0.0, 0.6, f"{minutes}min"))
    for s in (0.01, 0.05, 2.0, 3.5, 5.0):
        for x in (-0.5, 0.0, 0.5):
            cases.append(("P", 3120.75, 3120.75 * math.exp(x), 0.25, 0.0, s, f"vol-{s}"))
    # Either side of the pricer's hand-over from the textbook difference to Jäckel's formula,
    # at an error amplification (1 + |d|)/σ√T of 256 and at |d1| = 30.
    T = 30 / 365
    for w in (0.02, 0.05, 0.1, 0.3, 0.8):
        for amplification in (64, 200, 250, 262, 320, 1000):
            n_sd = amplification * w - 1
            if not 1 < n_sd < 34:
                continue
            F = 91250.5
            cases.append(("C", F, F * math.exp(n_sd * w + w * w / 2), T, 0.0, w / math.sqrt(T), f"handover-{amplification}"))
            cases.append(("P", F, F * math.exp(-n_sd * w + w * w / 2), T, 0.0, w / math.sqrt(T), f"handover-{amplification}"))
    for n_sd in (28, 29.5, 30.5, 32):
        for w in (0.3, 0.8):
            F = 91250.5
            cases.append(("C", F, F * math.exp(n_sd * w + w * w / 2), T, 0.0, w / math.sqrt(T), f"handover-d{n_sd}"))
            cases.append(("P", F, F * math.exp(-n_sd * w + w * w / 2), T, 0.0, w / math.sqrt(T), f"handover-d{n_sd}"))
    return cases


def implied_vol_cases():
    """test-vectors.md: ln(K/F) from −2 to 2, T ∈ {1 day, 0.25, 5 years}, σ ∈ {0.05, 0.5, 2},
    calls and puts, undiscounted. Kept: every out-of-the-money price a double can hold, and the
    in-the-money prices whose time value is at least 1e-9 of the price (below that, rounding the
    price to a double has erased the information a volatility is implied from)."""
    cases = []
    F = 100.0
    for T in (1 / 365, 0.25, 5.0):
        for s in (0.05, 0.5, 2.0):
            for i in range(17):
                x = -2.0 + 0.25 * i
                K = F * math.exp(x)
                for kind in "CP":
                    price = black(mp.mpf(F), mp.mpf(K), mp.mpf(T), mp.mpf(0), mp.mpf(s), kind == "C")
                    intrinsic = max(F - K, 0.0) if kind == "C" else max(K - F, 0.0)
                    side = "itm" if intrinsic > 0 else "otm"
                    p = float(price)
                    if p < 2.2250738585072014e-308 or not math.isfinite(p):
                        continue  # zero or subnormal as a double: too few digits to imply a vol from
                    if side == "itm" and (price - intrinsic) < mp.mpf("1e-9") * price:
                        continue
                    cases.append([kind, repr(F), repr(K), repr(T), repr(s), repr(p), side])
    return cases


def main():
    rng = random.Random(SEED)
    header = ["kind", "F", "K", "T", "r", "sigma", "price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm", "note"]
    with open(os.path.join(HERE, "black76.csv"), "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        for case in black76_cases(rng):
            w.writerow(row(*case))
    with open(os.path.join(HERE, "implied_vol.csv"), "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["kind", "F", "K", "T", "sigma", "price", "side"])
        w.writerows(implied_vol_cases())


if __name__ == "__main__":
    main()
