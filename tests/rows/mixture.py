"""Determinism cases of the mixture samplers (``tests/_rows.py``): the explicit 'mc', the
antithetic pairs and the scrambled-Sobol 'rqmc' of ``kl_divergence_mixture`` and its batch,
bitwise equal for every n_jobs (the shared table's "gmm8_mc" rows use method='auto', which is
'rqmc' in 2-D). Their bad-input rows and fuzz entries are those of the two functions in the
shared tables."""
from __future__ import annotations

from typing import Any

_CASES = {
    "mc": {"method": "mc"},
    "mc_antithetic": {"method": "mc", "antithetic": True},
    "rqmc": {"method": "rqmc"},
    "rqmc_r5_tol": {"method": "rqmc", "n_randomizations": 5, "tol": 1e-4},
}


def determinism(ns: Any) -> dict[str, Any]:
    gmm = ns._gmm
    single = [
        (f"gmm8_{cid}", lambda kw=kw: ((gmm(811), gmm(812, k=5)),
                                       {"n_samples": 30011, "random_state": 8, **kw}))
        for cid, kw in _CASES.items()
    ]
    batch = [
        (f"gmm8_zip_{cid}", lambda kw=kw: (([gmm(813), gmm(814, k=3)],
                                            [gmm(815, k=5), gmm(816)]),
                                           {"n_samples": 30011, "random_state": 9, **kw}))
        for cid, kw in _CASES.items()
    ]
    return {"kl_divergence_mixture": single, "kl_divergence_mixture_batch": batch}
