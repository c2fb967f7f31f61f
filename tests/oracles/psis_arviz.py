# The ArviZ side of tests/psis.rs::k_hat_and_the_gpd_fit_match_arviz: prints each input set's k-hat
# (psislw, r_eff = 1) and the generalised Pareto fits (_gpdfit). Run with ArviZ 0.23.4:
#   python3 -m venv /tmp/az && /tmp/az/bin/pip install arviz==0.23.4 && /tmp/az/bin/python tests/oracles/psis_arviz.py
import numpy as np, warnings
warnings.filterwarnings("ignore")
from arviz.stats.stats import _gpdfit, psislw
def sets():
    out = {}
    for name, s, f in [
        ("pareto07_s1000", 1000, lambda i, u: 0.7 * -np.log(u) + 0.01 * np.sin(i)),
        ("pareto03_s4000", 4000, lambda i, u: 0.3 * -np.log(u) + 0.05 * np.cos(3 * i)),
        ("light_s200", 200, lambda i, u: -(u ** 2) + 1e-3 * np.sin(7 * i)),
        ("heavy12_s57", 57, lambda i, u: 1.2 * -np.log(u) + 0.1 * np.sin(i)),
        ("shifted_s500", 500, lambda i, u: 800.0 + 0.5 * -np.log(u) + 0.02 * np.sin(2 * i)),
    ]:
        i = np.arange(s)
        u = (i + 0.5) / s
        out[name] = f(i, u)
    return out
for name, lw in sets().items():
    _, k = psislw(lw.copy(), reff=1.0)
    print(name, repr(float(k)))
x = np.sort(np.array([(((j * 0.618034) % 1.0) + 0.01) ** -0.6 - 1.0 for j in range(1, 301)]))
k, sigma = _gpdfit(x)
print("gpdfit", repr(float(k)), repr(float(sigma)))
x2 = np.sort(np.array([1.0 - np.cos(j) ** 2 * 0.9 for j in range(1, 41)]))
k, sigma = _gpdfit(x2)
print("gpdfit_bounded", repr(float(k)), repr(float(sigma)))
s = 100; i = np.arange(s); u = (i + 0.5) / s
lw = 0.5 * np.floor(-np.log(u) * 4) / 4
_, k = psislw(lw.copy(), reff=1.0); print("ties_s100", repr(float(k)))
s = 25; i = np.arange(s); u = (i + 0.5) / s
lw = 0.6 * -np.log(u) + 0.01 * np.sin(i)
_, k = psislw(lw.copy(), reff=1.0); print("five_s25", repr(float(k)))
