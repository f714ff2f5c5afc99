"""How the noise family's figures move with its structural constants, and whether the
shipped values are fitted to the labelled set.

The constants are ``STORY_GAP``, ``STORY_MIN_PROSE`` and ``BLOCK_GAP`` in
``validators/features/noise.py``. For each combination in the grid this runs the noise
family on the labelled set (as ``bench/noise.py`` does) and prints precision and recall of
error findings. Then a two-fold check: the pages are split in two halves (odd and even file
numbers); on each half the combination with the best F1 is chosen, and its scores on the
other half are printed next to the shipped values' scores there. If the chosen values beat
the shipped ones by much on unseen pages, the shipped ones are tuned to this set.

    python bench/noise_params.py [LABELLED_SET] [--grid REPEATED_IN_FILE_MIN=2,3]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from noise import DEFAULT_SET, counts_by_page, read_labels, run_noise_family

from validators.features import noise

GRID = {"STORY_GAP": (4, 8, 12), "STORY_MIN_PROSE": (2, 3, 4), "BLOCK_GAP": (0, 2, 4, 6)}


def pooled_scores(pages: dict[str, list[int]], keep) -> tuple[float, float, float]:
    """Precision, recall and F1 of the counts summed over the pages kept."""
    tp, fp, fn = (sum(c[i] for page, c in pages.items() if keep(page)) for i in range(3))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled_set", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="the values of one constant of validators/features/noise.py to try; given once or more, these replace the default grid",
    )
    args = parser.parse_args()
    labels = read_labels(args.labelled_set)
    grid = {} if args.grid else dict(GRID)
    for item in args.grid:
        name, _, values = item.partition("=")
        if not hasattr(noise, name) or not values:
            raise SystemExit(f"--grid {item}: expected NAME=V1,V2 with NAME a constant of validators/features/noise.py")
        grid[name] = tuple(int(v) for v in values.split(","))

    shipped = tuple(getattr(noise, name) for name in grid)
    results: dict[tuple, dict] = {}
    start = time.perf_counter()
    print("  ".join(f"{name:>{len(name)}}" for name in grid) + "   precision  recall     F1")
    for values in itertools.product(*grid.values()):
        for name, value in zip(grid, values, strict=True):
            setattr(noise, name, value)
        _, _, errors, _, _ = run_noise_family(args.labelled_set, labels)
        results[values] = counts_by_page(errors, labels)
        p, r, f1 = pooled_scores(results[values], lambda page: True)
        mark = "  <- shipped" if values == shipped else ""
        cells = "  ".join(f"{value:>{len(name)}}" for name, value in zip(grid, values, strict=True))
        print(f"{cells}   {p:>9.3f} {r:>7.3f} {f1:>6.3f}{mark}")
    for name, value in zip(grid, shipped, strict=True):
        setattr(noise, name, value)
    if shipped not in results:
        raise SystemExit(f"the shipped values {shipped} are not in the grid")

    print("\ntwo-fold check (chosen on one half by F1, scored on the other):")
    halves = {"odd": lambda page: int(page[:4]) % 2 == 1, "even": lambda page: int(page[:4]) % 2 == 0}
    for train, test in (("odd", "even"), ("even", "odd")):
        best = max(results, key=lambda values: pooled_scores(results[values], halves[train])[2])
        chosen = pooled_scores(results[best], halves[test])
        ours = pooled_scores(results[shipped], halves[test])
        print(
            f"  chosen on {train} pages {best}: on {test} pages P {chosen[0]:.3f} R {chosen[1]:.3f} F1 {chosen[2]:.3f};"
            f" shipped {shipped}: P {ours[0]:.3f} R {ours[1]:.3f} F1 {ours[2]:.3f}"
        )
    print(f"\n{len(results)} runs in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
