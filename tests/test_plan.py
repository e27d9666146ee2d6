"""gan1d.plan: a study's configurations counted, refused before any run when too large, and split
into populations that fit the memory."""

import pytest
from conftest import make_args

from gan1d import files, plan, study


def test_a_study_counts_its_configurations():
    assert plan.configurations(make_args("--seeds", "2")) == 1
    assert plan.configurations(make_args("--seeds", "2", "--compare", "--preset", "2016,robust")) == 4
    assert plan.configurations(make_args("--seeds", "2", "--sweep", "r1=0,1,2", "--sweep", "d-steps=1,2")) == 6
    searched = make_args("--seeds", "2", "--search", "5", "--sweep", "r1=0:1", "--target", "one-mode,two-modes")
    assert plan.configurations(searched) == 10


def test_a_study_too_large_for_memory_or_disk_is_refused_with_the_seeds_that_fit(tmp_path):
    args = make_args("--seeds", "100000000", "--compare", out_dir=tmp_path)
    with pytest.raises(files.RunError, match=r"--seeds: 100000000 seeds x 2 configurations .* at most \d+ seeds fit"):
        plan.check_size(args, memory=16 * 2**30)
    plan.check_size(make_args("--seeds", "200", "--compare", out_dir=tmp_path), memory=16 * 2**30)


def test_the_seeds_said_to_fit_do_fit():
    memory = 2**30
    fit = int(plan.MEMORY_SHARE * memory // plan.RUN_BYTES_IN_MEMORY)
    plan.check_size(make_args("--seeds", str(fit)), memory=memory)
    with pytest.raises(files.RunError, match=f"at most {fit} seeds fit"):
        plan.check_size(make_args("--seeds", str(fit + 1)), memory=memory)


def test_a_population_too_large_for_memory_is_split_into_parts_that_fit():
    s = make_args("--preset", "robust", "--minibatch", "--seeds", "10")
    runs = [study.StudyRun(s.replace(seed=k), {}) for k in range(10)]
    per_member = plan.member_bytes(s)
    memory = (plan.POPULATION_BASE_BYTES + 4 * per_member) / plan.MEMORY_SHARE  # room for 4 members
    parts = plan.split({"pop": runs}, memory=memory)
    assert list(parts) == ["pop_part-1-of-3", "pop_part-2-of-3", "pop_part-3-of-3"]
    assert [len(p) for p in parts.values()] == [4, 4, 2]
    assert [r.settings.seed for p in parts.values() for r in p] == list(range(10))
    assert list(plan.split({"pop": runs}, memory=100 * memory)) == ["pop"]


def test_the_plan_lists_eight_populations_and_counts_the_rest():
    s = make_args("--seeds", "1")
    groups = {f"pop{k}": [study.StudyRun(s, {})] for k in range(11)}
    lines = plan.describe(groups).splitlines()
    assert len(lines) == 9 and lines[0].startswith("  pop0: 1 members, about ") and lines[-1] == "  ... and 3 more"
