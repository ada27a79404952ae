#!/usr/bin/env python3
"""High-precision reference data for the option pricing / greeks / implied-vol code.

What it does
------------
Writes three JSON files next to this script:

  bsm-greeks.json      generalised Black-Scholes-Merton (spot S, continuous yield q)
                       price + 7 greeks for calls and puts
  black76-greeks.json  Black-76 (forward F) price + 7 greeks for calls and puts
  implied-vol.json     implied-vol round-trip cases (and some invalid prices that
                       must be rejected); "cond" = price/(vega*vol) is included as
                       a tolerance hint (relative vol error ~ cond * relative price error)

All values come from closed-form expressions evaluated with mpmath at 80 significant
digits (mp.dps = 80); no finite differences. Every case is recomputed at 120 digits and
the two results must agree to 1e-40 relative (or both be below 1e-300 in magnitude),
otherwise the script aborts. The closed-form derivative formulas are additionally checked
once against mpmath numerical differentiation (mp.diff) for a handful of ordinary cases.
Some textbook check values (Haug, "The Complete Guide to Option Pricing Formulas") are
printed to stdout.

Inputs are IEEE doubles (Python floats); the reference is computed from mpf(x), i.e. from
the exact binary value, and the inputs are written with repr() so they round-trip exactly.
Outputs are written with 17 significant digits; values below 1e-300 in magnitude (where a
double loses precision or underflows) are written as JSON strings with 20 significant
digits, e.g. "1.2345678901234567890e-320".

The grid is pseudo-random but deterministic (random.Random(20261126)), so rerunning gives
byte-identical files.

How to rerun (from the repository root):

    python3 test/reference/generate.py

Requires Python 3 and mpmath (tested with mpmath 1.3). Takes well under a few minutes.
"""

import json
import math
import os
import random
import sys
import time

from mpmath import mp, mpf

SEED = 20261126
DPS = 80
DPS_CHECK = 120
REL_TOL = mpf("1e-40")
TINY = mpf("1e-300")
FIELDS = ("price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga")
OUT_DIR = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# Closed-form pricing and greeks (evaluated at the current mp precision)
# ---------------------------------------------------------------------------

def ncdf(x):
    return mp.erfc(-x / mp.sqrt(2)) / 2


def npdf(x):
    return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


def bsm(kind, S, K, T, sig, r, q):
    """Generalised BSM: returns dict of price and raw greeks as mpf."""
    S, K, T, sig, r, q = (mpf(v) for v in (S, K, T, sig, r, q))
    sqT = mp.sqrt(T)
    s = sig * sqT
    d1 = (mp.log(S / K) + (r - q + sig * sig / 2) * T) / s
    d2 = d1 - s
    dq = mp.exp(-q * T)
    dr = mp.exp(-r * T)
    nd1 = npdf(d1)
    # common (call/put independent) greeks
    gamma = dq * nd1 / (S * s)
    vega = S * dq * nd1 * sqT
    vanna = -dq * nd1 * d2 / sig
    volga = vega * d1 * d2 / sig
    decay = -S * dq * nd1 * sig / (2 * sqT)
    if kind == "call":
        Nd1, Nd2 = ncdf(d1), ncdf(d2)
        price = S * dq * Nd1 - K * dr * Nd2
        delta = dq * Nd1
        theta = decay + q * S * dq * Nd1 - r * K * dr * Nd2
        rho = K * T * dr * Nd2
    else:
        Nm1, Nm2 = ncdf(-d1), ncdf(-d2)
        price = K * dr * Nm2 - S * dq * Nm1
        delta = -dq * Nm1
        theta = decay - q * S * dq * Nm1 + r * K * dr * Nm2
        rho = -K * T * dr * Nm2
    return dict(price=price, delta=delta, gamma=gamma, vega=vega, theta=theta,
                rho=rho, vanna=vanna, volga=volga)


def black76(kind, F, K, T, sig, r):
    """Black-76 on a forward/futures price F: price and raw greeks as mpf."""
    F, K, T, sig, r = (mpf(v) for v in (F, K, T, sig, r))
    sqT = mp.sqrt(T)
    s = sig * sqT
    d1 = (mp.log(F / K) + sig * sig * T / 2) / s
    d2 = d1 - s
    dr = mp.exp(-r * T)
    nd1 = npdf(d1)
    gamma = dr * nd1 / (F * s)
    vega = F * dr * nd1 * sqT
    vanna = -dr * nd1 * d2 / sig
    volga = vega * d1 * d2 / sig
    if kind == "call":
        price = dr * (F * ncdf(d1) - K * ncdf(d2))
        delta = dr * ncdf(d1)
    else:
        price = dr * (K * ncdf(-d2) - F * ncdf(-d1))
        delta = -dr * ncdf(-d1)
    theta = r * price - dr * F * nd1 * sig / (2 * sqT)
    rho = -T * price
    return dict(price=price, delta=delta, gamma=gamma, vega=vega, theta=theta,
                rho=rho, vanna=vanna, volga=volga)


def bsm_price(kind, S, K, T, sig, r, q):
    """Price only (mpf inputs allowed; used by root finders and mp.diff)."""
    S, K, T, sig, r, q = (mpf(v) for v in (S, K, T, sig, r, q))
    s = sig * mp.sqrt(T)
    d1 = (mp.log(S / K) + (r - q + sig * sig / 2) * T) / s
    d2 = d1 - s
    if kind == "call":
        return S * mp.exp(-q * T) * ncdf(d1) - K * mp.exp(-r * T) * ncdf(d2)
    return K * mp.exp(-r * T) * ncdf(-d2) - S * mp.exp(-q * T) * ncdf(-d1)


def b76_price(kind, F, K, T, sig, r):
    F, K, T, sig, r = (mpf(v) for v in (F, K, T, sig, r))
    s = sig * mp.sqrt(T)
    d1 = (mp.log(F / K) + sig * sig * T / 2) / s
    d2 = d1 - s
    if kind == "call":
        return mp.exp(-r * T) * (F * ncdf(d1) - K * ncdf(d2))
    return mp.exp(-r * T) * (K * ncdf(-d2) - F * ncdf(-d1))


# ---------------------------------------------------------------------------
# Cross-check helpers
# ---------------------------------------------------------------------------

class CheckFailure(Exception):
    pass


def agree(a, b, tol=REL_TOL):
    if a == b:
        return True
    if abs(a) < TINY and abs(b) < TINY:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b))


def evaluate(fn, args, what):
    """Evaluate at DPS and DPS_CHECK; abort loudly on disagreement."""
    with mp.workdps(DPS):
        lo = fn(*args)
    with mp.workdps(DPS_CHECK):
        hi = fn(*args)
        for k in FIELDS:
            if not agree(lo[k], hi[k]):
                raise CheckFailure(
                    "%s %r: field %s disagrees between %d and %d digits:\n  %s\n  %s"
                    % (what, args, k, DPS, DPS_CHECK, mp.nstr(lo[k], 40), mp.nstr(hi[k], 40)))
    return lo


def verify_formulas_numerically():
    """Check closed-form greeks against mp.diff for a handful of ordinary cases."""
    cases_bsm = [
        (100.0, 110.0, 0.75, 0.25, 0.05, 0.02),
        (50.0, 40.0, 2.0, 0.6, -0.01, 0.03),
        (1234.5, 1234.5, 0.1, 0.15, 0.1, -0.02),
        (7.0, 9.5, 4.0, 1.2, 0.0, 0.07),
    ]
    cases_b76 = [
        (100.0, 95.0, 0.5, 0.3, 0.04),
        (20.0, 26.0, 3.0, 0.8, -0.015),
        (3000.0, 3000.0, 0.02, 0.12, 0.12),
    ]
    tol = mpf("1e-30")
    n = 0
    with mp.workdps(60):
        for (S, K, T, sig, r, q) in cases_bsm:
            S_, K_, T_, sig_, r_, q_ = (mpf(v) for v in (S, K, T, sig, r, q))
            for kind in ("call", "put"):
                cf = bsm(kind, S, K, T, sig, r, q)
                num = {
                    "price": bsm_price(kind, S_, K_, T_, sig_, r_, q_),
                    "delta": mp.diff(lambda x: bsm_price(kind, x, K_, T_, sig_, r_, q_), S_),
                    "gamma": mp.diff(lambda x: bsm_price(kind, x, K_, T_, sig_, r_, q_), S_, 2),
                    "vega": mp.diff(lambda v: bsm_price(kind, S_, K_, T_, v, r_, q_), sig_),
                    "theta": -mp.diff(lambda t: bsm_price(kind, S_, K_, t, sig_, r_, q_), T_),
                    "rho": mp.diff(lambda x: bsm_price(kind, S_, K_, T_, sig_, x, q_), r_),
                    "vanna": mp.diff(lambda x, v: bsm_price(kind, x, K_, T_, v, r_, q_),
                                     (S_, sig_), (1, 1)),
                    "volga": mp.diff(lambda v: bsm_price(kind, S_, K_, T_, v, r_, q_), sig_, 2),
                }
                for k in FIELDS:
                    if not agree(cf[k], num[k], tol):
                        raise CheckFailure("BSM %s %s: closed form %s vs mp.diff %s" % (
                            kind, k, mp.nstr(cf[k], 30), mp.nstr(num[k], 30)))
                    n += 1
        for (F, K, T, sig, r) in cases_b76:
            F_, K_, T_, sig_, r_ = (mpf(v) for v in (F, K, T, sig, r))
            for kind in ("call", "put"):
                cf = black76(kind, F, K, T, sig, r)
                num = {
                    "price": b76_price(kind, F_, K_, T_, sig_, r_),
                    "delta": mp.diff(lambda x: b76_price(kind, x, K_, T_, sig_, r_), F_),
                    "gamma": mp.diff(lambda x: b76_price(kind, x, K_, T_, sig_, r_), F_, 2),
                    "vega": mp.diff(lambda v: b76_price(kind, F_, K_, T_, v, r_), sig_),
                    "theta": -mp.diff(lambda t: b76_price(kind, F_, K_, t, sig_, r_), T_),
                    "rho": mp.diff(lambda x: b76_price(kind, F_, K_, T_, sig_, x), r_),
                    "vanna": mp.diff(lambda x, v: b76_price(kind, x, K_, T_, v, r_),
                                     (F_, sig_), (1, 1)),
                    "volga": mp.diff(lambda v: b76_price(kind, F_, K_, T_, v, r_), sig_, 2),
                }
                for k in FIELDS:
                    if not agree(cf[k], num[k], tol):
                        raise CheckFailure("Black-76 %s %s: closed form %s vs mp.diff %s" % (
                            kind, k, mp.nstr(cf[k], 30), mp.nstr(num[k], 30)))
                    n += 1
        # put-call parity on the prices, as an extra sanity check
        for (S, K, T, sig, r, q) in cases_bsm:
            c = bsm("call", S, K, T, sig, r, q)["price"]
            p = bsm("put", S, K, T, sig, r, q)["price"]
            par = mpf(S) * mp.exp(-mpf(q) * mpf(T)) - mpf(K) * mp.exp(-mpf(r) * mpf(T))
            if not agree(c - p, par, tol):
                raise CheckFailure("BSM put-call parity failed for %r" % ((S, K, T, sig, r, q),))
    return n


# ---------------------------------------------------------------------------
# Output formatting
# ---------------------------------------------------------------------------

def fmt_out(v):
    """17 significant digits, or a 20-digit string for |v| < 1e-300; exact zero -> 0."""
    if v == 0:
        return "0"
    if abs(v) < TINY:
        return json.dumps(mp.nstr(v, 20, strip_zeros=False, min_fixed=1, max_fixed=0))
    f = float(v)
    if not math.isfinite(f) or f == 0.0:
        raise CheckFailure("cannot represent %s as a double" % mp.nstr(v, 20))
    return format(f, ".17g")


def fmt_in(x):
    if not isinstance(x, float) or not math.isfinite(x):
        raise CheckFailure("input %r is not a finite float" % (x,))
    return repr(x)


def write_json_lines(path, objs):
    with open(path, "w", newline="\n") as fh:
        fh.write("[\n")
        fh.write(",\n".join(objs))
        fh.write("\n]\n")


def obj(pairs):
    return "{" + ",".join('"%s":%s' % (k, v) for k, v in pairs) + "}"


# ---------------------------------------------------------------------------
# Grid construction
# ---------------------------------------------------------------------------

rng = random.Random(SEED)


def uni(a, b):
    return rng.uniform(a, b)


def logu(a, b):
    return math.exp(rng.uniform(math.log(a), math.log(b)))


def rnd_spot():
    return round(logu(1.0, 10000.0), rng.choice([2, 4, 6, 12]))


def rnd_T():
    return logu(1.0 / 365.0, 5.0)


def rnd_sig():
    return logu(0.05, 1.5)


def rnd_r():
    return uni(-0.02, 0.15)


def rnd_q():
    return uni(-0.02, 0.1)


def solve_strike(price_fn, S, fwd, s, kind, target_log10):
    """Strike (double) such that the OTM `kind` option has log10(price) ~ target.

    Moneyness is parametrised as K = fwd * exp(+/- z*s); bisection on z in mpmath."""
    sign = 1 if kind == "call" else -1
    with mp.workdps(30):
        tgt = mpf(target_log10)

        def g(z):
            K = mpf(fwd) * mp.exp(sign * z * mpf(s))
            return mp.log10(price_fn(kind, K)) - tgt

        lo, hi = mpf(0), mpf(60)
        if g(lo) < 0:
            return None
        for _ in range(70):
            mid = (lo + hi) / 2
            if g(mid) > 0:
                lo = mid
            else:
                hi = mid
        return float(mpf(fwd) * mp.exp(sign * lo * mpf(s)))


MAX_Z_ORDINARY = 8.0


def rnd_strike(S, T, sig, r=0.0, q=0.0, digits=4):
    """Strike with K/S log-uniform in [0.5, 2] but, where possible, no more than
    MAX_Z_ORDINARY total standard deviations from the forward (keeps the 'ordinary'-style
    regions out of deep-OTM territory, which is covered separately). If the two ranges
    do not overlap (long maturities with large carry), the strike is drawn within
    min(8 s, ln 2) of the forward instead."""
    s = sig * math.sqrt(T)
    m = (r - q) * T
    lo = max(math.log(0.5), m - MAX_Z_ORDINARY * s)
    hi = min(math.log(2.0), m + MAX_Z_ORDINARY * s)
    if lo > hi:
        w = min(MAX_Z_ORDINARY * s, math.log(2.0))
        lo, hi = m - w, m + w
    K = round(S * math.exp(rng.uniform(lo, hi)), digits)
    return K if K > 0 else S


def build_bsm_grid():
    """List of (S, K, T, sig, r, q, tag_call, tag_put)."""
    g = []

    def add(S, K, T, sig, r, q, tag, tag_put=None):
        g.append((float(S), float(K), float(T), float(sig), float(r), float(q), tag, tag_put or tag))

    # ordinary
    for _ in range(400):
        S, T, sig, r, q = rnd_spot(), rnd_T(), rnd_sig(), rnd_r(), rnd_q()
        K = rnd_strike(S, T, sig, r, q, rng.choice([2, 4, 12]))
        add(S, K, T, sig, r, q, "ordinary")

    # deep out of / in the money: target OTM price 1e-5 .. 1e-300, a few below (underflow)
    targets = [-5.0] + [-5.0 - 295.0 * (i + rng.random()) / 199 for i in range(199)]
    targets += [uni(-323.0, -300.0) for _ in range(24)]
    targets += [uni(-345.0, -324.0) for _ in range(6)]
    for i, L in enumerate(targets):
        S = rnd_spot()
        T = rnd_T()
        sig = rnd_sig()
        if sig * math.sqrt(T) > 0.6:   # keeps K/S within about e^(+-25)
            sig = 0.6 / math.sqrt(T) * uni(0.3, 1.0)
        r, q = rnd_r(), rnd_q()
        otm = "call" if i % 2 == 0 else "put"
        fwd = S * math.exp((r - q) * T)
        K = solve_strike(lambda kind, Km: bsm_price(kind, S, Km, T, sig, r, q),
                         S, fwd, sig * math.sqrt(T), otm, L)
        if K is None:
            continue
        if otm == "call":
            add(S, K, T, sig, r, q, "deep-otm", "deep-itm")
        else:
            add(S, K, T, sig, r, q, "deep-itm", "deep-otm")

    # very short maturities, ATM and a few s away
    for i in range(100):
        S = rnd_spot()
        T = logu(1e-8, 1e-4)
        sig = rnd_sig()
        r, q = rnd_r(), rnd_q()
        if i % 3 == 0:
            K = S
        else:
            z = uni(0.3, 4.0) * rng.choice([-1, 1])
            K = S * math.exp((r - q) * T + z * sig * math.sqrt(T))
        add(S, K, T, sig, r, q, "short-t")

    # very long maturities
    for i in range(60):
        S = rnd_spot()
        T = [30.0, 50.0, 100.0][i % 3]
        sig = logu(0.05, 1.0) if i % 2 == 0 else rnd_sig()
        r, q = rnd_r(), rnd_q()
        add(S, rnd_strike(S, T, sig, r, q), T, sig, r, q, "long-t")

    # very high vol
    for i in range(60):
        S, T, sig, r, q = rnd_spot(), rnd_T(), [3.0, 5.0, 10.0][i % 3], rnd_r(), rnd_q()
        add(S, rnd_strike(S, T, sig, r, q), T, sig, r, q, "high-vol")

    # very low vol, moneyness a few s away
    for _ in range(60):
        S = rnd_spot()
        T = rnd_T()
        sig = logu(1e-4, 1e-3)
        r, q = rnd_r(), rnd_q()
        z = uni(0.0, 5.0) * rng.choice([-1, 1])
        K = S * math.exp((r - q) * T + z * sig * math.sqrt(T))
        add(S, K, T, sig, r, q, "low-vol")

    # tiny total vol s = sig*sqrt(T) in 1e-8..1e-3, |ln(F/K)|/s in 1..35
    for _ in range(100):
        S = rnd_spot()
        s = logu(1e-8, 1e-3)
        T = logu(1e-6, 5.0)
        sig = s / math.sqrt(T)
        if sig > 3.0 or sig < 1e-6:
            T = logu(max(1e-8, (s / 1.5) ** 2), 5.0)
            sig = s / math.sqrt(T)
        r, q = rnd_r(), rnd_q()
        z = logu(1.0, 35.0) * rng.choice([-1, 1])
        s_act = sig * math.sqrt(T)
        K = S * math.exp((r - q) * T + z * s_act)
        add(S, K, T, sig, r, q, "tiny-s")

    # exactly ATM forward (K = S*exp((r-q)T) in double) and exactly K = S
    for i in range(80):
        S = rnd_spot()
        T = rnd_T() if i % 4 else logu(1e-6, 30.0)
        if i % 2 == 0:   # ATM forward: include tiny and large total vol
            sig = rnd_sig() if i % 6 else logu(1e-4, 3.0)
        else:            # K = S: keep vol ordinary so K is not many s from the forward
            sig = rnd_sig() if i % 6 != 1 else logu(0.05, 3.0)
        r, q = rnd_r(), rnd_q()
        if i % 2 == 0:
            add(S, S * math.exp((r - q) * T), T, sig, r, q, "atm-forward")
        else:
            add(S, S, T, sig, r, q, "atm")

    # zero rates / yields and negative rates
    for i in range(80):
        S = rnd_spot()
        T, sig = rnd_T(), rnd_sig()
        K = rnd_strike(S, T, sig)
        m = i % 4
        if m == 0:
            add(S, K, T, sig, 0.0, 0.0, "zero-rates")
        elif m == 1:
            add(S, K, T, sig, 0.0, rnd_q(), "zero-rates")
        elif m == 2:
            add(S, K, T, sig, rnd_r(), 0.0, "zero-rates")
        else:
            add(S, K, T, sig, uni(-0.05, -0.0001), uni(-0.05, 0.02), "negative-rate")
    return g


def build_b76_grid():
    """List of (F, K, T, sig, r, tag_call, tag_put)."""
    g = []

    def add(F, K, T, sig, r, tag, tag_put=None):
        g.append((float(F), float(K), float(T), float(sig), float(r), tag, tag_put or tag))

    for _ in range(120):
        F, T, sig = rnd_spot(), rnd_T(), rnd_sig()
        add(F, rnd_strike(F, T, sig, digits=rng.choice([2, 4, 12])), T, sig, rnd_r(), "ordinary")

    targets = [-5.0] + [-5.0 - 295.0 * (i + rng.random()) / 43 for i in range(43)]
    targets += [uni(-323.0, -300.0) for _ in range(4)]
    targets += [uni(-340.0, -324.0) for _ in range(2)]
    for i, L in enumerate(targets):
        F = rnd_spot()
        T = rnd_T()
        sig = rnd_sig()
        if sig * math.sqrt(T) > 0.6:   # keeps K/S within about e^(+-25)
            sig = 0.6 / math.sqrt(T) * uni(0.3, 1.0)
        r = rnd_r()
        otm = "call" if i % 2 == 0 else "put"
        K = solve_strike(lambda kind, Km: b76_price(kind, F, Km, T, sig, r),
                         F, F, sig * math.sqrt(T), otm, L)
        if K is None:
            continue
        if otm == "call":
            add(F, K, T, sig, r, "deep-otm", "deep-itm")
        else:
            add(F, K, T, sig, r, "deep-itm", "deep-otm")

    for i in range(25):
        F = rnd_spot()
        T = logu(1e-8, 1e-4)
        sig = rnd_sig()
        K = F if i % 3 == 0 else F * math.exp(uni(0.3, 4.0) * rng.choice([-1, 1]) * sig * math.sqrt(T))
        add(F, K, T, sig, rnd_r(), "short-t")

    for i in range(15):
        F, T, sig = rnd_spot(), [30.0, 50.0, 100.0][i % 3], rnd_sig()
        add(F, rnd_strike(F, T, sig), T, sig, rnd_r(), "long-t")

    for i in range(15):
        F, T, sig = rnd_spot(), rnd_T(), [3.0, 5.0, 10.0][i % 3]
        add(F, rnd_strike(F, T, sig), T, sig, rnd_r(), "high-vol")

    for _ in range(15):
        F = rnd_spot()
        T = rnd_T()
        sig = logu(1e-4, 1e-3)
        K = F * math.exp(uni(0.0, 5.0) * rng.choice([-1, 1]) * sig * math.sqrt(T))
        add(F, K, T, sig, rnd_r(), "low-vol")

    for _ in range(30):
        F = rnd_spot()
        s = logu(1e-8, 1e-3)
        T = logu(max(1e-8, (s / 1.5) ** 2), 5.0)
        sig = s / math.sqrt(T)
        z = logu(1.0, 35.0) * rng.choice([-1, 1])
        K = F * math.exp(z * sig * math.sqrt(T))
        add(F, K, T, sig, rnd_r(), "tiny-s")

    for i in range(20):
        F = rnd_spot()
        add(F, F, rnd_T() if i % 4 else logu(1e-6, 30.0), rnd_sig(), rnd_r(), "atm-forward")

    for i in range(20):
        F, T, sig = rnd_spot(), rnd_T(), rnd_sig()
        K = rnd_strike(F, T, sig)
        if i % 2 == 0:
            add(F, K, T, sig, 0.0, "zero-rates")
        else:
            add(F, K, T, sig, uni(-0.05, -0.0001), "negative-rate")
    return g


# ---------------------------------------------------------------------------
# Implied volatility
# ---------------------------------------------------------------------------

def bounds(kind, S, K, T, r, q):
    S, K, T, r, q = (mpf(v) for v in (S, K, T, r, q))
    fs = S * mp.exp(-q * T)
    fk = K * mp.exp(-r * T)
    if kind == "call":
        return max(fs - fk, mpf(0)), fs
    return max(fk - fs, mpf(0)), fk


def solve_iv(kind, S, K, T, r, q, p, guess, tol_digits):
    """Vol that reproduces the double price p exactly (at the current precision).

    Safeguarded Newton on ln V(sigma) - ln p with a maintained bracket."""
    S_, K_, T_, r_, q_ = (mpf(v) for v in (S, K, T, r, q))
    P = mpf(p)
    lnP = mp.log(P)
    sqT = mp.sqrt(T_)

    def f(v):
        return mp.log(bsm_price(kind, S_, K_, T_, v, r_, q_)) - lnP

    def fp(v):
        s = v * sqT
        d1 = (mp.log(S_ / K_) + (r_ - q_ + v * v / 2) * T_) / s
        vega = S_ * mp.exp(-q_ * T_) * npdf(d1) * sqT
        return vega / bsm_price(kind, S_, K_, T_, v, r_, q_)

    x = mpf(guess)
    lo, hi = x, x
    step = mpf("1e-8")
    while f(lo) > 0:
        lo = lo / (1 + step)
        step *= 4
    step = mpf("1e-8")
    while f(hi) < 0:
        hi = hi * (1 + step)
        step *= 4
    tol = mpf(10) ** (-tol_digits)
    for _ in range(400):
        fx = f(x)
        if fx == 0:
            return x
        if fx > 0:
            hi = x
        else:
            lo = x
        d = fp(x)
        xn = x - fx / d if d > 0 else (lo + hi) / 2
        if not (lo < xn < hi):
            xn = (lo + hi) / 2
        if abs(xn - x) <= tol * abs(xn) or hi - lo <= tol * abs(hi):
            return xn
        x = xn
    raise CheckFailure("implied vol did not converge for %r" % ((kind, S, K, T, r, q, p),))


def build_iv(bsm_cases):
    """bsm_cases: list of dicts with inputs + mpf price. Returns list of JSON strings."""
    quotas = {"ordinary": 140, "deep-otm": 100, "deep-itm": 20, "short-t": 50, "long-t": 50,
              "high-vol": 50, "low-vol": 50, "tiny-s": 60, "atm": 25, "atm-forward": 25,
              "zero-rates": 25, "negative-rate": 20}
    eligible = {t: [] for t in quotas}
    skipped = 0
    for c in bsm_cases:
        price = c["mp"]["price"]
        if price < mpf("1e-280"):
            skipped += 1
            continue
        with mp.workdps(DPS):
            lb, ub = bounds(c["type"], c["spot"], c["strike"], c["maturity"], c["rate"], c["yield"])
            if (price - lb) / price < mpf("1e-13") or (ub - price) / price < mpf("1e-13"):
                skipped += 1
                continue
        eligible[c["tag"]].append(c)
    chosen = []
    for t in quotas:
        pool = eligible[t]
        if len(pool) > quotas[t]:
            idx = sorted(rng.sample(range(len(pool)), quotas[t]))
            pool = [pool[i] for i in idx]
        chosen.extend(pool)

    out = []
    counts = {}
    max_dev = 0.0
    for c in chosen:
        p = float(c["mp"]["price"])
        args = (c["type"], c["spot"], c["strike"], c["maturity"], c["rate"], c["yield"], p)
        with mp.workdps(DPS):
            v80 = solve_iv(*args, guess=c["vol"], tol_digits=DPS - 8)
            resid = abs(bsm_price(c["type"], c["spot"], c["strike"], c["maturity"], v80,
                                  c["rate"], c["yield"]) / mpf(p) - 1)
            if resid > mpf("1e-60"):
                raise CheckFailure("implied vol residual %s for %r" % (mp.nstr(resid, 5), args))
            with mp.workdps(DPS + 20):
                S_, K_, T_ = mpf(c["spot"]), mpf(c["strike"]), mpf(c["maturity"])
                d1 = (mp.log(S_ / K_) + (mpf(c["rate"]) - mpf(c["yield"]) + v80 ** 2 / 2) * T_) \
                    / (v80 * mp.sqrt(T_))
                vega = S_ * mp.exp(-mpf(c["yield"]) * T_) * npdf(d1) * mp.sqrt(T_)
                cond = mpf(p) / (vega * v80)
        with mp.workdps(DPS_CHECK):
            v120 = solve_iv(*args, guess=c["vol"], tol_digits=DPS_CHECK - 8)
            if not agree(v80, v120):
                raise CheckFailure("implied vol disagrees between %d and %d digits for %r"
                                   % (DPS, DPS_CHECK, args))
        max_dev = max(max_dev, abs(float(v80) / c["vol"] - 1))
        counts[c["tag"]] = counts.get(c["tag"], 0) + 1
        out.append(obj([
            ("type", json.dumps(c["type"])), ("spot", fmt_in(c["spot"])),
            ("strike", fmt_in(c["strike"])), ("maturity", fmt_in(c["maturity"])),
            ("rate", fmt_in(c["rate"])), ("yield", fmt_in(c["yield"])),
            ("price", fmt_in(p)), ("vol", fmt_out(v80)), ("volUsed", fmt_in(c["vol"])),
            ("cond", format(float(cond), ".3g")),
            ("tag", json.dumps(c["tag"])),
        ]))

    # prices outside the no-arbitrage bounds: must be rejected
    nerr = 0
    for i in range(32):
        kind = "call" if i % 2 == 0 else "put"
        S = rnd_spot()
        K = round(S * logu(0.5, 2.0), 4)
        T, r, q = rnd_T(), rnd_r(), rnd_q()
        with mp.workdps(DPS):
            lb, ub = bounds(kind, S, K, T, r, q)
            mode = i % 4
            if mode == 0:      # above the upper bound
                p = float(ub * (1 + mpf(logu(1e-6, 0.5))))
            elif mode == 1:    # below the lower bound (negative if OTM)
                if lb > 0:
                    p = float(lb * (1 - mpf(logu(1e-6, 0.5))))
                else:
                    p = -float(ub * mpf(logu(1e-6, 0.1)))
            elif mode == 2:    # strictly negative price
                p = -float(ub * mpf(logu(1e-12, 1.0)))
            else:              # ITM strike, price below discounted intrinsic
                if kind == "call":
                    K = round(S * logu(0.5, 0.9), 4)
                else:
                    K = round(S * logu(1.1, 2.0), 4)
                lb, ub = bounds(kind, S, K, T, r, q)
                p = float(lb * (1 - mpf(logu(1e-8, 0.2))))
            if not (mpf(p) < lb or mpf(p) > ub):
                raise CheckFailure("error case unexpectedly inside bounds")
        nerr += 1
        out.append(obj([
            ("type", json.dumps(kind)), ("spot", fmt_in(S)), ("strike", fmt_in(K)),
            ("maturity", fmt_in(T)), ("rate", fmt_in(r)), ("yield", fmt_in(q)),
            ("price", fmt_in(p)), ("vol", "null"), ("expectError", "true"),
            ("tag", json.dumps("out-of-bounds")),
        ]))
    counts["out-of-bounds"] = nerr
    return out, counts, skipped, max_dev


# ---------------------------------------------------------------------------
# Haug check values
# ---------------------------------------------------------------------------

def haug():
    def show(label, v):
        print("  %-58s %s" % (label, mp.nstr(v, DPS)))

    with mp.workdps(DPS):
        print("Haug check values (%d digits):" % DPS)
        show("(a) BSM call S=60 K=65 T=0.25 r=0.08 q=0 vol=0.30 price",
             bsm("call", 60.0, 65.0, 0.25, 0.30, 0.08, 0.0)["price"])
        show("(b) BSM put S=100 K=95 T=0.5 r=0.10 q=0.05 vol=0.20 price",
             bsm("put", 100.0, 95.0, 0.5, 0.20, 0.10, 0.05)["price"])
        show("(c) Black-76 call F=19 K=19 T=0.75 r=0.10 vol=0.28 price",
             black76("call", 19.0, 19.0, 0.75, 0.28, 0.10)["price"])
        show("(c) Black-76 put  F=19 K=19 T=0.75 r=0.10 vol=0.28 price",
             black76("put", 19.0, 19.0, 0.75, 0.28, 0.10)["price"])
        show("(d) S=105 K=100 T=0.5 r=q=0.10 vol=0.36 call delta",
             bsm("call", 105.0, 100.0, 0.5, 0.36, 0.10, 0.10)["delta"])
        show("(d) S=105 K=100 T=0.5 r=q=0.10 vol=0.36 put delta",
             bsm("put", 105.0, 100.0, 0.5, 0.36, 0.10, 0.10)["delta"])
        show("(e) S=55 K=60 T=0.75 r=0.10 q=0 vol=0.30 gamma",
             bsm("call", 55.0, 60.0, 0.75, 0.30, 0.10, 0.0)["gamma"])
        show("(f) S=55 K=60 T=0.75 r=0.105 q=0.0355 vol=0.30 vega",
             bsm("call", 55.0, 60.0, 0.75, 0.30, 0.105, 0.0355)["vega"])
        show("(g) S=430 K=405 T=0.0833 r=0.07 q=0.05 vol=0.20 put theta",
             bsm("put", 430.0, 405.0, 0.0833, 0.20, 0.07, 0.05)["theta"])
        show("(h) S=72 K=75 T=1 r=0.09 q=0 vol=0.19 call rho",
             bsm("call", 72.0, 75.0, 1.0, 0.19, 0.09, 0.0)["rho"])


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    t0 = time.time()
    mp.dps = DPS

    n = verify_formulas_numerically()
    print("closed-form greeks agree with mp.diff: %d checks" % n)

    # --- BSM
    grid = build_bsm_grid()
    lines, cases, counts = [], [], {}
    pmin, pmax = None, None
    for (S, K, T, sig, r, q, tag_c, tag_p) in grid:
        for kind, tag in (("call", tag_c), ("put", tag_p)):
            res = evaluate(lambda *a: bsm(kind, *a), (S, K, T, sig, r, q), "BSM " + kind)
            pr = abs(res["price"])
            pmin = pr if pmin is None or pr < pmin else pmin
            pmax = pr if pmax is None or pr > pmax else pmax
            counts[tag] = counts.get(tag, 0) + 1
            lines.append(obj(
                [("type", json.dumps(kind)), ("spot", fmt_in(S)), ("strike", fmt_in(K)),
                 ("maturity", fmt_in(T)), ("vol", fmt_in(sig)), ("rate", fmt_in(r)),
                 ("yield", fmt_in(q))]
                + [(k, fmt_out(res[k])) for k in FIELDS]
                + [("tag", json.dumps(tag))]))
            cases.append(dict(type=kind, spot=S, strike=K, maturity=T, vol=sig, rate=r,
                              **{"yield": q}, tag=tag, mp=res))
    write_json_lines(os.path.join(OUT_DIR, "bsm-greeks.json"), lines)
    print("bsm-greeks.json: %d cases %s" % (len(lines), json.dumps(counts, sort_keys=True)))
    print("  |price| range: %s .. %s" % (mp.nstr(pmin, 5), mp.nstr(pmax, 8)))

    # --- Black-76
    grid = build_b76_grid()
    lines, counts = [], {}
    bmin, bmax = None, None
    for (F, K, T, sig, r, tag_c, tag_p) in grid:
        for kind, tag in (("call", tag_c), ("put", tag_p)):
            res = evaluate(lambda *a: black76(kind, *a), (F, K, T, sig, r), "Black-76 " + kind)
            pr = abs(res["price"])
            bmin = pr if bmin is None or pr < bmin else bmin
            bmax = pr if bmax is None or pr > bmax else bmax
            counts[tag] = counts.get(tag, 0) + 1
            lines.append(obj(
                [("type", json.dumps(kind)), ("forward", fmt_in(F)), ("strike", fmt_in(K)),
                 ("maturity", fmt_in(T)), ("vol", fmt_in(sig)), ("rate", fmt_in(r))]
                + [(k, fmt_out(res[k])) for k in FIELDS]
                + [("tag", json.dumps(tag))]))
    write_json_lines(os.path.join(OUT_DIR, "black76-greeks.json"), lines)
    print("black76-greeks.json: %d cases %s" % (len(lines), json.dumps(counts, sort_keys=True)))
    print("  |price| range: %s .. %s" % (mp.nstr(bmin, 5), mp.nstr(bmax, 8)))

    # --- implied vol
    iv_lines, iv_counts, skipped, max_dev = build_iv(cases)
    write_json_lines(os.path.join(OUT_DIR, "implied-vol.json"), iv_lines)
    print("implied-vol.json: %d cases %s" % (len(iv_lines), json.dumps(iv_counts, sort_keys=True)))
    print("  (%d BSM cases ineligible: price < 1e-280 or within 1e-13 of a bound; "
          "max |vol/volUsed - 1| = %.3g)" % (skipped, max_dev))

    haug()
    print("done in %.1f s" % (time.time() - t0))


if __name__ == "__main__":
    try:
        main()
    except CheckFailure as e:
        print("REFERENCE CHECK FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
