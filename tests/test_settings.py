"""gan1d.settings: the flags resolved once into a frozen RunConfig; a study's runs resolved from
their own flags, marked in_study, with none of the study's own flags."""

import pytest
from conftest import gan, make_args

from gan1d import settings


def test_a_runs_settings_are_frozen_and_a_changed_copy_is_made_with_replace():
    args = make_args("--num-steps", "30")
    with pytest.raises(AttributeError, match="frozen.*replace"):
        args.num_steps = 40
    changed = args.replace(num_steps=40)
    assert (changed.num_steps, args.num_steps) == (40, 30) and changed.batch_size == args.batch_size
    with pytest.raises(AttributeError, match="no setting no_such"):
        args.replace(no_such=1)


def test_a_study_run_says_it_is_one():
    study = make_args("--seeds", "2", "--num-steps", "30", "--sweep", "r1=0,1")
    run, *_ = [r.settings for r in gan.study.study_runs(study, gan.flag_parser().settings)]
    assert run.in_study and not study.in_study and not make_args().in_study
    assert (run.seeds, run.sweep, run.search, run.quiet, run.r1) == (0, [], 0, True, 0.0)
    assert run.eval_every == 30 and run.run_name == "2016_no-minibatch_num-steps-30_r1-0_seed-42"


def test_a_study_compiles_where_it_pays_and_a_single_run_never_by_default():
    robust = ("--preset", "robust", "--d-steps", "1", "--num-steps", "1000")  # batch 256 x 1 update
    assert not make_args(*robust).xla and make_args(*robust, "--seeds", "2").xla
    assert settings.compiles({**vars(make_args(*robust)), "in_study": True})
    assert not make_args("--seeds", "2").xla  # batch 12: nothing to gain
