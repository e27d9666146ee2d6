"""Flags (gan.parse_args with gan1d.flags): one-line errors for bad values, presets, run names."""

import pytest
from conftest import gan, make_args

from gan1d import cures, flags, settings

BAD_FLAGS = [
    (["--num-steps", "0"], "--num-steps"),
    (["--num-steps", "1.5"], "--num-steps"),
    (["--num-steps", "-3"], "--num-steps"),
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "two"], "--batch-size"),
    (["--hidden-size", "0"], "--hidden-size"),
    (["--minibatch", "--batch-size", "1"], "--batch-size"),
    (["--seeds", "2", "--compare", "--batch-size", "1"], "--batch-size"),
    (["--learning-rate", "0"], "--learning-rate"),
    (["--learning-rate", "-0.1"], "--learning-rate"),
    (["--learning-rate", "nan"], "--learning-rate"),
    (["--learning-rate", "inf"], "--learning-rate"),
    (["--sigma", "0"], "--sigma"),
    (["--sigma", "nan"], "--sigma"),
    (["--noise-range", "-8"], "--noise-range"),
    (["--noise-range", "inf"], "--noise-range"),
    (["--mu", "nan"], "--mu"),
    (["--decay-rate", "0"], "--decay-rate"),
    (["--decay-rate", "1.5"], "--decay-rate"),
    (["--anim-every", "0"], "--anim-every"),
    (["--log-every", "0"], "--log-every"),
    (["--eval-every", "0"], "--eval-every"),
    (["--seeds", "-1"], "--seeds"),
    (["--preset", "2018"], "--preset"),
    (["--preset", "2016,2017"], "--preset"),
    (["--optimizer", "rmsprop"], "--optimizer"),
    (["--activation", "sigmoid"], "--activation"),
    (["--anim-path", "run.avi"], "--anim-path"),
    (["--seeds", "2", "--anim-path", "run.gif"], "--anim-path"),
    (["--run-name", "a/b"], "--run-name"),
    (["--run-name", ".."], "--run-name"),
    (["--out-dir", "/proc/no/such/place"], "--out-dir"),
    (["--beta1", "1"], "--beta1"),
    (["--ema", "-0.5"], "--ema"),
    (["--r1", "-1"], "--r1"),
    (["--r2", "-1"], "--r2"),
    (["--clip", "0.01"], "--clip"),
    (["--loss", "wgan", "--clip", "-1"], "--clip"),
    (["--loss", "bce"], "--loss"),
    (["--g-learning-rate", "0"], "--g-learning-rate"),
    (["--d-steps", "0"], "--d-steps"),
    (["--patience", "0"], "--patience"),
    (["--resume", "--overwrite"], "--resume"),
    (["--jobs", "0"], "--jobs"),
    (["--xla", "--loop", "feed"], "--xla"),
    (["--sweep", "learning-rate=0.01"], "--sweep"),
    (["--seeds", "3", "--sweep", "learning-rate=0,0.1"], "--sweep"),
    (["--seeds", "3", "--sweep", "no-such-flag=1"], "--sweep"),
    (["--seeds", "3", "--sweep", "optimizer=sgd,rmsprop"], "--sweep"),
    (["--seeds", "3", "--sweep", "r1=0", "--sweep", "r1=1"], "--sweep"),
    (["--seeds", "3", "--logdir", "tb"], "--logdir"),
    (["--plot-seeds", "42"], "--plot-seeds"),
    (["--seeds", "2", "--plot-seeds", "42,999"], "--plot-seeds"),
    (["--seeds", "3", "--loop", "feed"], "--loop"),
    (["--plot-seeds", "1,x"], "--plot-seeds"),
    (["--minibatch", "--minibatch-group", "5"], "--minibatch-group"),
    (["--g-start", "even"], "--g-start"),
    (["--g-start-slope", "0"], "--g-start-slope"),
    (["--mu", "2,x"], "--mu"),
    (["--mu", "2,6", "--weights", "1"], "--weights"),
    (["--weights", "1,-2"], "--weights"),
    (["--target", "seven-modes"], "--target"),
]


@pytest.mark.parametrize("argv,flag", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flags_get_one_line_naming_the_flag_and_exit_2(argv, flag, capsys):
    with pytest.raises(SystemExit) as exit_info:
        gan.parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gan.py: error: argument")
    assert flag in err and "Traceback" not in err


def test_an_output_folder_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit):
        gan.parse_args(["--out-dir", str(tmp_path / "file" / "runs")])
    assert "--out-dir" in capsys.readouterr().err


def test_mp4_without_ffmpeg_is_refused_before_training(monkeypatch, capsys):
    monkeypatch.setattr(settings.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit):
        gan.parse_args(["--anim-path", "run.mp4"])
    assert "ffmpeg" in capsys.readouterr().err


def test_explicit_flags_win_over_the_preset_and_the_minibatch_extras():
    args = make_args("--preset", "robust", "--minibatch", "--d-steps", "2")
    assert (args.optimizer, args.d_steps, args.d_init, args.learning_rate) == ("adam", 2, 0.3, 0.001)
    assert (args.batch_size, args.minibatch_group, args.g_start) == (256, 16, "spread")
    assert args.run_name == "robust_d-steps-2_minibatch_seed-42"


def test_the_minibatch_modes_preset_is_robust_retuned_with_minibatch_discrimination_unless_turned_off():
    args = make_args("--preset", "minibatch-modes")
    assert (args.minibatch, args.minibatch_group, args.d_init, args.d_steps, args.batch_size) == (True, 16, 0.3, 3, 256)
    assert (args.num_steps, args.decay_steps) == (3000, 300)
    assert (args.g_input_scale, args.g_start_slope, args.learning_rate, args.decay_rate) == (1.0, 1.0, 0.012, 0.9)
    assert args.run_name == "minibatch-modes_seed-42"
    assert make_args("--preset", "minibatch-modes", "--no-minibatch").run_name == "minibatch-modes_no-minibatch_seed-42"
    assert not make_args("--preset", "minibatch-modes", "--no-minibatch").minibatch


def test_the_default_learning_rate_follows_the_optimizer_and_minibatch():
    assert make_args().learning_rate == 0.03
    assert make_args("--minibatch").learning_rate == 0.005
    assert make_args("--optimizer", "adam").learning_rate == 0.001
    assert make_args("--log-every", "7").eval_every == 7
    assert make_args("--seeds", "2").eval_every == 1200  # a study evaluates at the end ...
    assert make_args("--seeds", "2", "--keep-best").eval_every == 10  # ... unless it needs more


def test_derived_defaults_are_stated_in_the_help_not_used_as_values(capsys):
    with pytest.raises(SystemExit):
        gan.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {flags.LEARNING_RATE_HELP})" in text and "(default: --batch-size)" in text
    args = make_args()
    assert all(not name.startswith("_") for name in vars(args)) and "learning_rate" not in args.given


def test_a_sweep_is_parsed_with_each_flags_own_check():
    args = make_args("--seeds", "2", "--sweep", "learning-rate=0.01,0.1", "--sweep", "activation=tanh,relu")
    assert args.sweep == [("learning_rate", [0.01, 0.1]), ("activation", ["tanh", "relu"])]


def test_a_target_sets_the_modes_and_explicit_flags_win():
    args = make_args("--target", "unequal-modes")
    assert (args.mu, args.sigma, args.weights) == ([2.0, 6.0], 0.5, [1.0, 3.0])
    assert make_args("--target", "two-modes", "--sigma", "0.3").sigma == 0.3
    assert make_args("--mu", "2,6").run_name == "2016_mu-2+6_seed-42"


def test_each_flags_facts_are_read_off_its_declaration():
    declared = {f.dest: f for f in flags.FLAGS}
    assert flags.PER_MEMBER == tuple(d for d, f in declared.items() if f.per_member)
    assert set(flags.PER_MEMBER) <= set(flags.SWEEPABLE)  # a per-member number can always be swept
    assert {"r1", "r2", "gp", "dragan"} <= set(flags.PER_MEMBER)  # the penalties' flags, from gan1d/cures.py
    assert [f.help for f in flags.FLAGS if f.dest in cures.PENALTIES] == [p.help for p in cures.PENALTIES.values()]
    assert {"out_dir", "seed", "quiet", "jobs"} <= flags.OUTPUT_FLAGS and "learning_rate" not in flags.OUTPUT_FLAGS
    assert set(flags.NOT_IN_A_STUDY) == {"logdir", "anim_path", "export", "sample", "from", "member"}
    parser = gan.flag_parser()
    assert parser._option_string_actions["--loss"].choices == list(gan.LOSSES)  # handed from gan.py
