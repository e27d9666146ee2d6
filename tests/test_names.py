"""gan1d.names: the names of a run's, a population's and a study's folders."""

import os

from conftest import make_args

from gan1d import names


def test_a_run_is_named_by_its_preset_its_result_changing_flags_and_its_seed():
    args = make_args("--learning-rate", "0.01", "--mu", "2,6", "--out-dir", "elsewhere", "--no-minibatch")
    assert args.run_name == "2016_learning-rate-0.01_minibatch-off_mu-2+6_seed-42".replace(
        "minibatch-off", "no-minibatch"
    )
    assert names.run_name({"out_dir", "quiet", "seed"}, vars(args)) == "2016_seed-42"  # output flags name nothing
    assert names.run_name({"r1"}, {**vars(args), "r1": 0.5}, with_seed=False) == "2016_r1-0.5"


def test_a_study_folder_names_its_flags_sweeps_and_seeds():
    args = make_args("--seeds", "3", "--seed", "7", "--preset", "2016,robust", "--sweep", "r1=0,1", out_dir="out")
    assert names.study_dir(args) == "out/study_2016+robust_r1-0.0+1.0_seeds-7-9"
    compared = make_args("--seeds", "2", "--compare", "--minibatch", out_dir="out")
    assert names.study_dir(compared) == "out/study_2016_seeds-42-43"  # --compare runs both: minibatch not named


def test_a_study_whose_name_would_pass_a_filesystems_limit_gets_a_short_stable_one():
    from gan1d.names import NAME_MAX, study_dir

    flags = ["--preset", "robust", "--latent", "mixture", "--latent-components", "6", "--latent-weights", "learned",
             "--target", "one-mode,two-modes", "--search", "16", "--seeds", "4", "--sweep", "learning-rate=0.0001:0.01:log",
             "--sweep", "beta1=0:0.9", "--sweep", "g-input-scale=0.125:1:log", "--sweep", "sigma-penalty=0.001:1:log",
             "--sweep", "classifier-weight=0.1:10:log"]  # fmt: skip
    name = os.path.basename(study_dir(make_args(*flags)))
    assert len(name.encode()) <= NAME_MAX and name.startswith("study_robust_latent-mixture")
    assert name == os.path.basename(study_dir(make_args(*flags)))  # the same command, the same folder
    other = os.path.basename(study_dir(make_args(*flags[:-1], "classifier-weight=0.2:10:log")))
    assert other != name and len(other.encode()) <= NAME_MAX
    assert os.path.basename(study_dir(make_args("--seeds", "3"))) == "study_2016_seeds-42-44"  # short names unchanged
