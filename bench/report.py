#!/usr/bin/env python3
"""Prints the figures of a bench.json (default docs/bench.json) as Markdown tables, for
docs/benchmarks.md and the README: ours, reference, ratio, target; then CPU per item."""

import json
import os
import sys

from common import ROOT
from figures import markdown


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "bench.json")
    with open(path) as fh:
        print(markdown(json.load(fh)))


if __name__ == "__main__":
    main()
