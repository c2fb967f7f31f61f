# The ArviZ side of tests/mcmc.rs::diagnostics_match_arviz: prints, for each chain set, R-hat (rank,
# the larger of bulk and folded), bulk-ESS, tail-ESS, ESS of the mean, MCSE of the mean and E-BFMI;
# and Phi^-1 at points in each branch of AS 241 from mpmath's erfinv at 400 digits. Run with ArviZ 0.23.4:
#   python3 -m venv /tmp/az && /tmp/az/bin/pip install arviz==0.23.4 mpmath && /tmp/az/bin/python tests/oracles/diagnostics_arviz.py
# The chains come from a 31-bit linear congruential generator and an AR(1) recursion, so the Rust
# test builds the same floating-point numbers bit for bit.
import numpy as np, warnings
warnings.filterwarnings("ignore")
from arviz.stats.diagnostics import _ess, _rhat_rank, _ess_bulk, _ess_tail, _ess_mean, _mcse_mean, bfmi

def lcg_chains(m, n, phi, seed):
    u = seed
    out = []
    for _ in range(m):
        x = 0.0
        chain = []
        for _ in range(n):
            u = (1103515245 * u + 12345) % 2**31
            v = u / 2**31
            x = phi * x + (v - 0.5)
            chain.append(x)
        out.append(chain)
    return np.array(out)

def sets():
    ar05 = lcg_chains(4, 500, 0.5, 1)
    shifted = lcg_chains(4, 400, 0.9, 2); shifted[3] += 0.5
    scaled = lcg_chains(4, 300, 0.3, 3); scaled[1] *= 2.0
    heavy = lcg_chains(2, 1000, 0.7, 4) ** 3
    ties = np.floor(lcg_chains(4, 250, 0.6, 5) * 2.0) / 2.0
    odd = lcg_chains(3, 301, 0.2, 6)
    anti = lcg_chains(2, 500, -0.6, 7)
    return [("ar05", ar05), ("shifted", shifted), ("scaled", scaled), ("heavy", heavy), ("ties", ties), ("odd", odd), ("anti", anti)]

for name, c in sets():
    vals = [_rhat_rank(c), _ess_bulk(c), _ess_tail(c), _ess_mean(c), _mcse_mean(c)]
    print(f'("{name}", [' + ", ".join(repr(float(v)) for v in vals) + "], " + repr(float(bfmi(c[:1])[0])) + "),")

# ESS at its edges: one chain, and the shortest chains (4 draws are the fewest ArviZ takes; up to 7
# the monotone sequence has room for no further pair, then one).
for m, n in [(1, 400), (2, 4), (3, 5), (2, 6), (2, 7), (2, 8)]:
    print(f"({m}, {n}, {float(_ess(lcg_chains(m, n, 0.4, 8)))!r}),")

import mpmath
mpmath.mp.dps = 400  # enough for 2p - 1 at p = 1e-300
for p in [0.3, 0.8413447460685429, 0.975, 1e-10, 1e-20, 1.0 - 1e-15, 0.07, 0.93, 1e-300]:
    x = mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1)
    print(f"({p!r}, {mpmath.nstr(x, 17)}),")
