"""gan1d.figures: the distributions figure and the streamed GIF."""

import numpy as np
from conftest import grid_of, make_args
from PIL import Image

from gan1d.figures import AnimationFrames, plot_distributions


def test_the_distributions_figure_is_a_png(tmp_path):
    grid = grid_of(make_args())
    path = str(tmp_path / "d.png")
    plot_distributions(path, np.full(10_000, 4.0), np.full(10_000, 0.5), grid, note="a spike")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (800, 500)


def test_the_gif_holds_one_frame_per_added_step(tmp_path):
    grid = grid_of(make_args())
    frames = AnimationFrames(str(tmp_path / "run.gif"), grid)
    for step in range(5):
        frames.add(step, np.linspace(3, 5, 10_000) + 0.1 * step, np.full(10_000, 0.5))
    frames.save()
    with Image.open(tmp_path / "run.gif") as image:
        assert image.n_frames == 5 and image.size == (512, 384)
