"""python3 -m analysis report|discover|regret|checks|mechanisms|agreement ..."""
import argparse
import sys

from .report import write_report


def _discover(args) -> None:
    from .discovery import discover
    from .results import Results

    trajectory, box = discover(Results(args.results), args.where, alpha=args.alpha, min_coverage=args.min_coverage)
    print(f"condition: {args.where}")
    print(f"peeling trajectory ({len(trajectory)} boxes; coverage, density, restricted dimensions):")
    step = max(1, len(trajectory) // 12)
    for i, row in trajectory.iloc[::step].iterrows():
        print(f"  box {i:3d}: coverage {row.coverage:6.1%}  density {row.density:6.1%}  mass {row.mass:6.1%}  "
              f"dims {int(row.restricted_dimensions)}")
    print(f"chosen box (densest with coverage >= {args.min_coverage:.0%}, after pasting): coverage {box.coverage:.1%}, "
          f"density {box.density:.1%}, mass {box.mass:.1%}")
    for name, (low, high) in box.limits.items():
        print(f"  {name:<40} [{low:.4g}, {high:.4g}]  quasi-p {box.quasi_p[name]:.2g}")
    if args.csv:
        trajectory.to_csv(args.csv, index=False)
    if args.tree:
        from .discovery import discover_tree

        leaves = discover_tree(Results(args.results), args.where, max_depth=args.tree)
        print(f"classification tree (depth {args.tree}), leaves densest first:")
        for row in leaves.itertuples():
            print(f"  coverage {row.coverage:6.1%}  density {row.density:6.1%}  mass {row.mass:6.1%}  {row.limits}")


def _regret(args) -> None:
    from .discovery import regret, satisficing
    from .results import Results

    results = Results(args.results)
    table = regret(results, args.measure)
    print(f"regret on {args.measure} over {len(results.file['records/outcome_share'])} sampled worlds "
          "(best policy's value minus this policy's; minimax first):")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for requirement in args.satisfice or []:
        print(f"\nshare of worlds with {requirement}:")
        print(satisficing(results, requirement).to_string(index=False, float_format=lambda v: f"{v:.1%}"))


def _mechanisms(args) -> None:
    from .mechanisms import policy_answers, ranking_changes, stacking_weights

    runs = {}
    for item in args.runs:
        name, _, path = item.partition("=")
        if not path:
            raise ValueError(f"{item}: give NAME=FILE")
        runs[name] = path
    countries = [c.strip() for c in args.countries.split(",") if c.strip()] if args.countries else None
    table = policy_answers(runs, stacking_weights(args.comparison), countries)
    columns = [c for c in table.columns if c not in ("mechanism", "policy")]
    for mechanism, group in table.groupby("mechanism", sort=False):
        print(f"{mechanism}:")
        print(group[["policy", *columns]].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print("the policies' ranking by deterred share " +
          ("CHANGES with the mechanism" if ranking_changes(table) else "is the same under every mechanism"))
    if args.csv:
        table.to_csv(args.csv, index=False)


def main(argv=None) -> int:
    """The command line: report, discover, regret; returns the exit code (1 on a refused file)."""
    parser = argparse.ArgumentParser(prog="python3 -m analysis", description="Post-process deterrence results files")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="figures (PNG), tables (CSV) and index.html from a results file")
    report.add_argument("results", help="a results file written by `deterrence run` or `deterrence merge`")
    report.add_argument("--out", required=True, help="folder for the report (created if missing)")
    report.add_argument("--prior", help="for a posterior run: the same experiment run on the priors, shown side by side")
    report.add_argument("--discover", metavar="CONDITION",
                        help='scenario discovery in the report, e.g. "deterred_share[economic_nato] >= 0.5"')
    report.add_argument("--comparison", help="a `deterrence compare` file: stacking weights for --mechanism runs")
    report.add_argument("--mechanism", action="append", metavar="NAME=FILE",
                        help="a `run --posterior` of one compared model (repeat): policy answers side by side")
    find = commands.add_parser("discover", help="scenario discovery (PRIM) on per-draw records")
    find.add_argument("results", help="a run with records: {aggregates: true, parameters: true}")
    find.add_argument("--where", required=True, help='e.g. "deterred_share[economic_nato] >= 0.3"')
    find.add_argument("--alpha", type=float, default=0.05, help="share of the box peeled per step (default 0.05)")
    find.add_argument("--min-coverage", type=float, default=0.5, help="coverage the chosen box keeps (default 0.5)")
    find.add_argument("--csv", help="write the peeling trajectory to this CSV file")
    find.add_argument("--tree", type=int, metavar="DEPTH",
                      help="also a classification tree of this depth (python3-sklearn), read as boxes")
    robust = commands.add_parser("regret", help="regret of each policy across the sampled worlds")
    robust.add_argument("results", help="a run with records: {aggregates: true}")
    robust.add_argument("--measure", default="deterred_share", help="e.g. deterred_share, target_payoff, bloc_cost")
    robust.add_argument("--satisfice", action="append", help='e.g. "deterred_share >= 0.3 and bloc_cost <= 0.05"')
    mech = commands.add_parser("mechanisms", help="policy answers under each calibrated mechanism and their mixture")
    mech.add_argument("comparison", help="a `deterrence compare` file (for the stacking weights)")
    mech.add_argument("runs", nargs="+", help="NAME=FILE: a `run --posterior` of each compared model, by its name")
    mech.add_argument("--countries", help="only the episodes targeting these countries, e.g. USA,JPN (to compare "
                      "runs made on different country sets on the countries they share)")
    mech.add_argument("--csv", help="write the table to this CSV file")
    checks = commands.add_parser("checks", help="posterior predictive checks of a calibration against the record")
    checks.add_argument("calibration", help="a `deterrence calibrate` file")
    checks.add_argument("--run", help="a `run --posterior` of the calibration's config: the model's share of concessions "
                        "made at the threat (version 4's threat warning) comes from it")
    agree = commands.add_parser("agreement", help="Cohen's kappa per feature between two codings of the cases")
    agree.add_argument("first", help="the first coding (e.g. configs/cases/library.yaml)")
    agree.add_argument("second", help="a second coding of some of its cases, by id")
    args = parser.parse_args(argv)
    try:
        if args.command == "report":
            mechanisms = dict(item.partition("=")[::2] for item in args.mechanism or [])
            figures = write_report(args.results, args.out, prior=args.prior, comparison=args.comparison,
                                   mechanisms=mechanisms or None, discover=args.discover)
            print(f"wrote {len(figures)} figures and index.html to {args.out}")
        elif args.command == "discover":
            _discover(args)
        elif args.command == "mechanisms":
            _mechanisms(args)
        elif args.command == "checks":
            from .checks import posterior_predictive_checks

            table = posterior_predictive_checks(args.calibration, run=args.run)
            print("concession rate among coerced cases, % (model: mean [5%, 95%] of simulated records)")
            for row in table.itertuples():
                print(f"  {row.group:<55} record {100 * row.record:5.1f}   model {100 * row.model:5.1f} "
                      f"[{100 * row.model_q05:5.1f}, {100 * row.model_q95:5.1f}]  ({row.cases} cases)")
        elif args.command == "agreement":
            from .agreement import agreement, print_agreement

            print_agreement(agreement(args.first, args.second))
        else:
            _regret(args)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
