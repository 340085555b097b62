"""python3 -m analysis report RESULTS.h5 --out DIR"""
import argparse
import sys

from .report import write_report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m analysis", description="Post-process deterrence results files")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="figures (PNG), tables (CSV) and index.html from a results file")
    report.add_argument("results", help="a results file written by `deterrence run` or `deterrence merge`")
    report.add_argument("--out", required=True, help="folder for the report (created if missing)")
    args = parser.parse_args(argv)
    try:
        figures = write_report(args.results, args.out)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(figures)} figures and index.html to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
