"""The `omup` command: build, fetch and summarise data releases, and serve the portal."""

from __future__ import annotations

import argparse
import sys

import orjson

from portal.config import Settings


def _cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from portal.pipeline.build import BuildError, build_release

    try:
        info = build_release(settings, seed=args.seed)
    except BuildError as exc:
        print(f"omup data build: FAILED: {exc}", file=sys.stderr)
        print("omup data build: the last good release (if any) is untouched and still served.", file=sys.stderr)
        return 1
    print(f"omup data build: release {info['version']} in {info['path']} ({info['seconds']:.1f} s)")
    return 0


def _cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from portal.pipeline.fetch import FetchError, fetch_official

    try:
        report = fetch_official(settings, sources=args.source, years=args.years)
    except FetchError as exc:
        print(f"omup data fetch: FAILED: {exc}", file=sys.stderr)
        return 2
    print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    return 0


def _cmd_summary(args: argparse.Namespace, settings: Settings) -> int:
    from portal.release import NoReleaseError, summary

    try:
        data = summary(settings)
    except NoReleaseError as exc:
        print(f"omup data summary: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return 0


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from portal.release import NoReleaseError, current_release_path

    try:
        current_release_path(settings)
    except NoReleaseError:
        print("omup serve: no release yet; building the bundled default release first …", file=sys.stderr)
        if _cmd_build(argparse.Namespace(seed=None), settings) != 0:
            return 1
    from portal.app import create_app

    app = create_app(settings)
    app.run(host=args.host, port=args.port, debug=settings.is_debug)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omup", description="OMUP – Otwarty Monitor Usług Publicznych")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="build, fetch or summarise the data release")
    dsub = data.add_subparsers(dest="data_command", required=True)
    b = dsub.add_parser("build", help="raw inputs → a validated release (atomic swap)")
    b.add_argument("--seed", type=int, default=None, help="seed of the synthetic generator (default: catalogue's)")
    b.set_defaults(func=_cmd_build)
    f = dsub.add_parser("fetch", help="official APIs (BDL, SMUP) → raw inputs for the next build")
    f.add_argument("--source", choices=["bdl", "smup", "all"], default="all")
    f.add_argument("--years", default="2015-2024", help="year range, e.g. 2015-2024")
    f.set_defaults(func=_cmd_fetch)
    s = dsub.add_parser("summary", help="what the current release holds")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=_cmd_summary)

    serve = sub.add_parser("serve", help="run the portal (development server; production: see Procfile)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
