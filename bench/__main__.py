"""Every benchmark with sensible defaults: ``python -m bench`` from the project root.

Runs ``bench.submissions`` (tickets per second through one rotation, the
product beside the bare handler) and then ``bench.growth`` (page and API
latency and worker memory as members and tickets grow), on SQLite and on
every server engine whose ``BENCH_*_URL`` is set. On SQLite alone the default
run takes under 15 minutes on a 2-core machine.

Each benchmark prints its tables and writes its JSON under ``bench/results/``;
for finer control run them one by one (``python -m bench.submissions --help``,
``python -m bench.growth --help``).
"""

import argparse
import sys
import time

from bench import growth, submissions
from bench.common import add_engines_argument
from bench.server import WORKER_CLASSES

BENCHMARKS = ("submissions", "growth")


def parse_args(argv=None):
    """The flags shared by both benchmarks, and which of them to run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Submissions per second, then latency and memory as data grows.",
    )
    parser.add_argument(
        "--only", choices=BENCHMARKS, help="run just one of the benchmarks"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small runs of both, a few minutes"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="growth up to 5,000,000 tickets (longer than 15 minutes)",
    )
    add_engines_argument(parser)
    parser.add_argument(
        "--worker-class",
        choices=WORKER_CLASSES,
        help="gunicorn worker class for both (gthread, which keeps connections alive)",
    )
    parser.add_argument("--threads", type=int, help="threads per gthread worker (4)")
    return parser.parse_args(argv)


def forwarded(args, *, large=False):
    """The shared flags, spelled for one benchmark's own parser."""
    argv = []
    if args.quick:
        argv.append("--quick")
    if large and args.large:
        argv.append("--large")
    if args.engines:
        argv += ["--engines", ",".join(args.engines)]
    if args.worker_class:
        argv += ["--worker-class", args.worker_class]
    if args.threads is not None:
        argv += ["--threads", str(args.threads)]
    return argv


def main(argv=None):
    """Run the chosen benchmarks in turn; 1 if any of them reported a failure."""
    args = parse_args(argv)
    # Both read their settings before either starts, so a bad flag or a
    # missing URL stops the run at once rather than after the first one.
    plans = {}
    if args.only in (None, "submissions"):
        plans["submissions"] = (submissions, submissions.parse_args(forwarded(args)))
    if args.only in (None, "growth"):
        plans["growth"] = (growth, growth.parse_args(forwarded(args, large=True)))

    began = time.monotonic()
    status = 0
    for name, (module, parsed) in plans.items():
        print(f"=== {name} ===", flush=True)
        status |= module.main(parsed=parsed)
        print(flush=True)
    minutes = (time.monotonic() - began) / 60
    print(f"=== all benchmarks: {minutes:.1f} min, exit status {status} ===")
    return status


if __name__ == "__main__":
    sys.exit(main())
