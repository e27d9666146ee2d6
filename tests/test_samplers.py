"""The samplers (gan1d/samplers.py): each rule against its formula computed elementwise in plain
Python on fixed logits, the samplers end to end on a stand-in reader whose G and D are known
functions (so their outputs can be tested against the distribution they should draw), and the
samplers in runs and studies."""

import math
import os

import numpy as np
import pytest
from conftest import gan, make_args, run_study
from scipy import stats

import gan1d.folder
from gan1d import data, files, samplers

LOGITS = np.array([-6.0, -2.5, -0.3, 0.0, 0.7, 1.9, 2.0])


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def test_drs_acceptance_is_the_papers_function_of_the_logit():
    m, gamma, eps = 2.0, 0.4, 1e-6
    got = samplers.drs_acceptance(LOGITS, m, gamma)
    for logit, p in zip(LOGITS, got, strict=True):
        f = logit - m - math.log(1 - math.exp(logit - m - eps)) - gamma
        assert p == pytest.approx(sigmoid(f), rel=1e-9)
    # far below the max, with gamma = 0, it is exact rejection sampling's p_data / (p_g M)
    assert samplers.drs_acceptance(np.array([-8.0]), 0.0, 0.0)[0] == pytest.approx(math.exp(-8.0), rel=1e-3)


def test_mh_acceptance_is_the_ratio_of_calibrated_odds():
    a, b = 0.7, -1.3  # the intercept must cancel
    for x in LOGITS:
        for x_new in LOGITS:
            d, d_new = sigmoid(a * x + b), sigmoid(a * x_new + b)
            expected = min(1.0, (1 / d - 1) / (1 / d_new - 1))
            assert samplers.mh_acceptance(x, x_new, a) == pytest.approx(expected, rel=1e-9)


def test_jbop_keeps_exactly_the_draws_of_smallest_slope():
    slopes = np.random.default_rng(3).normal(size=1000)
    kept = samplers.jbop_keep(slopes, 800)
    assert len(kept) == 800 and len(set(kept)) == 800
    dropped = np.setdiff1d(np.arange(1000), kept)
    assert np.max(np.abs(slopes[kept])) <= np.min(np.abs(slopes[dropped]))


def test_platt_recovers_a_known_calibration():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, 40_000)
    labels = (rng.random(40_000) < 1 / (1 + np.exp(-(0.5 * logits + 0.8)))).astype(float)
    a, b = samplers.platt(logits, labels)
    assert a == pytest.approx(0.5, abs=0.03) and b == pytest.approx(0.8, abs=0.05)  # ~4 standard errors


def test_lipschitz_estimate_and_a_dot_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    assert samplers.lipschitz_estimate(x, 3.0 * x + 1, rng) == pytest.approx(3.0)
    # at x = y the transport term's sign is 0: the step follows D's gradient over K_eff
    np.testing.assert_allclose(samplers.dot_step(np.array([1.0]), np.array([1.0]), np.array([2.0]), 4.0, 0.1), [1.05])
    np.testing.assert_allclose(samplers.dot_step(np.array([1.5]), np.array([1.0]), np.array([2.0]), 4.0, 0.1), [1.45])


class KnownReader(samplers.Reader):
    """A reader whose G is uniform on [0, 1] (G(z) = (z + 8) / 16 on uniform noise over [-8, 8]) and whose
    D knows the ratio to a target density p(x) = 2x on [0, 1]: logit l(x) = log(2x / 1)."""

    def __init__(self, n=2, size=4000):
        grid = type("Grid", (), {"noise": "uniform", "range": 8.0, "reference": None, "units": data.IDENTITY})()
        self.grid, self.n, self.size = grid, n, size
        self.members = [type("M", (), {"seed": s})() for s in range(n)]
        self.plain = np.tile(np.linspace(0, 1, size), (n, 1))
        self.finite = np.ones(n, dtype=bool)
        self.fine_tuned = 0

    def generate(self, z):
        return (z + 8) / 16, np.full(z.shape, 1 / 16)

    def logits(self, x):
        return np.log(2 * np.clip(x, 1e-12, None))

    def real(self, m):
        return np.stack([np.sqrt(r.random(m)) for r in self.rngs])  # inverse CDF of 2x

    def fine_tune(self, steps):
        self.fine_tuned = steps

    def restore_d(self):
        self.fine_tuned = -self.fine_tuned


def args_of(**values):
    defaults = {name: make_args().__dict__[name] for name in [p for ps in samplers.PARAMETERS.values() for p in ps]}
    return make_args().replace(**{**defaults, **values})


def test_drs_on_a_known_ratio_draws_the_target_and_counts_its_cost():
    reader = KnownReader()
    reader.start(1)
    drawn = samplers.drs(reader, args_of(drs_steps=7))
    assert reader.fine_tuned == -7  # fine-tuned, then D put back
    for row in drawn.samples:
        assert stats.kstest(row, lambda x: np.clip(x, 0, 1) ** 2).pvalue > 1e-3  # the CDF x^2 of 2x
    # exact rejection with M = log 2 keeps each sample with probability x: half of them, two drawn per kept
    np.testing.assert_allclose(drawn.draws, 2.0, rtol=0.05)
    np.testing.assert_allclose(drawn.acceptance, 1 / drawn.draws)


def test_drs_at_its_cap_completes_the_samples_with_the_likeliest_rejected():
    reader = KnownReader(n=1)
    reader.start(1)
    drawn = samplers.drs(reader, args_of(drs_gamma=6.0, sampler_max_draws=2))  # keeps ~0.25%: the cap binds
    assert drawn.samples.shape == (1, 4000) and np.all(np.isfinite(drawn.samples))
    assert drawn.draws[0] == 2.0
    assert np.mean(drawn.samples) > 0.7  # completed from the highest acceptance, near x = 1


def test_mh_with_a_long_chain_draws_the_target():
    reader = KnownReader()
    reader.start(2)
    drawn = samplers.mh(reader, args_of(mh_chain=40, mh_calibration=4000))
    for row in drawn.samples:
        assert stats.kstest(row, lambda x: np.clip(x, 0, 1) ** 2).pvalue > 1e-3
    assert np.all(drawn.draws == 40)
    assert np.all((drawn.acceptance > 0.3) & (drawn.acceptance < 1))


def test_jbop_and_plain_costs():
    reader = KnownReader()
    reader.start(3)
    drawn = samplers.jbop(reader, args_of(jbop_fraction=0.2))
    assert drawn.samples.shape == (2, 4000)
    np.testing.assert_array_equal(drawn.acceptance, 0.8)  # 4000 of 5000 draws, exactly
    plain = samplers.plain(reader, args_of())
    assert plain.samples is reader.plain and np.all(plain.draws == 1) and np.all(plain.steps == 0)


def test_dot_first_step_follows_the_logit_gradient_over_k():
    reader = KnownReader(n=1, size=400)
    reader.plain = reader.plain + 0.5  # x in [0.5, 1.5]: gradients 1 / x of log(2x)
    reader.start(4)
    reader.logit_grads = lambda x: 1 / x
    reader.real = lambda m: np.stack([0.5 + r.random(m) for r in reader.rngs])  # real data in [0.5, 1.5] too
    drawn = samplers.dot(reader, args_of(dot_steps=1, dot_lr=0.01))
    moved = drawn.samples[0] - reader.plain[0]
    k_eff = 0.01 / (moved * reader.plain[0])  # moved = lr * (1 / x) / K_eff: one K_eff for every sample
    np.testing.assert_allclose(k_eff, k_eff[0], rtol=1e-6)
    assert 1 < k_eff[0] <= 2 + 1e-9  # the secant slopes of log(2x) on [0.5, 1.5] lie in [2/3, 2]
    assert drawn.steps[0] == 1 and drawn.draws[0] == 1


def test_a_non_finite_member_gets_nan():
    reader = KnownReader()
    reader.finite = np.array([True, False])
    reader.start(3)
    drawn = samplers.apply(reader, ["jbop"], args_of())["jbop"]
    assert np.all(np.isfinite(drawn.samples[0])) and np.all(np.isnan(drawn.samples[1]))


def test_a_single_run_takes_one_sampler():
    with pytest.raises(SystemExit) as error:
        gan.parse_args(["--sampler", "plain,drs"])
    assert error.value.code == 2
    with pytest.raises(SystemExit):
        gan.parse_args(["--sampler", "best"])


@pytest.mark.slow
def test_every_sampler_reads_a_run_and_the_same_study_without_training_again(tmp_path, capsys):
    """Each sampler on a single run, and on a 2-seed study whose populations are read again with more
    samplers: no training, the plain rows unchanged, each sampler's rows equal to single runs'."""
    base = ["--preset", "robust", "--target", "two-modes", "--num-steps", "150", "--no-xla"]
    single = {}
    for name in samplers.SAMPLERS:
        summary = gan.run(make_args(*base, "--seed", "5", "--sampler", name, "--drs-steps", "50", out_dir=tmp_path))
        single[name] = summary
        assert summary["sampler"] == name
        if name != "plain":
            assert summary["plain"]["gap_mass"] == single["plain"]["gap_mass"]  # G's own samples, beside
            assert summary["slope_max"] == single["plain"]["slope_max"]
    assert single["drs"]["sampler_draws"] > 1 and single["mh"]["sampler_draws"] == 10
    study_flags = [*base, "--seeds", "2", "--seed", "5", "--drs-steps", "50"]
    assert run_study(make_args(*study_flags, out_dir=tmp_path)) == 0
    (folder,) = [d for d in os.listdir(tmp_path) if d.startswith("study_")]
    first = files.read_results(os.path.join(tmp_path, folder, "results.csv"))
    capsys.readouterr()
    assert run_study(make_args(*study_flags, "--sampler", ",".join(samplers.SAMPLERS), out_dir=tmp_path)) == 0
    rows = files.read_results(os.path.join(tmp_path, folder, "results.csv"))
    assert sorted({r["sampler"] for r in rows}) == sorted(samplers.SAMPLERS) and len(rows) == 10
    plain = [r for r in rows if r["sampler"] == "plain"]
    assert [r["w1"] for r in plain] == [r["w1"] for r in first]  # read again, not trained again
    (population,) = {r["population"] for r in rows}
    assert "sampler" not in population
    for name in ("jbop", "dot", "mh"):  # their draws depend on the member's seed only: equal to the single run's
        (row,) = [r for r in rows if r["sampler"] == name and r["seed"] == 5]
        assert row["w1"] == pytest.approx(single[name]["w1"], abs=2e-3)
    (row,) = [r for r in rows if r["sampler"] == "drs" and r["seed"] == 5]
    assert row["sampler_draws"] == pytest.approx(single["drs"]["sampler_draws"], rel=0.1)  # fine-tuned in a population
    summary = gan1d.folder.read_summary(os.path.join(tmp_path, folder, population))
    assert set(summary["samplers"]) == set(samplers.SAMPLERS)
    assert os.path.exists(os.path.join(tmp_path, folder, population, "samples_drs.npy"))


def test_drs_without_fine_tuning_reads_the_trained_d(tmp_path):
    flags = ["--target", "two-modes", "--num-steps", "20", "--pretrain-steps", "10", "--sampler", "drs"]
    summary = gan.run(make_args(*flags, "--drs-steps", "0", out_dir=tmp_path))
    assert summary["sampler"] == "drs" and summary["sampler_draws"] >= 1
    saved = np.load(tmp_path / make_args(*flags, "--drs-steps", "0").run_name / "samples_drs.npy")
    assert saved.shape == (10_000,) and np.all(np.isfinite(saved))
