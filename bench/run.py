"""`make bench` (python -m bench.run --scale city): generate, measure, print, write results.

A script in its own package rather than a management command, because it is not a
part of the product: it must pick its own settings (bench/settings.py, pointed at
the pb_bench database) before Django starts, which a command of manage.py cannot,
and nothing in the apps should import it.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def machine() -> dict:
    from django.db import connection

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0]
        cur.execute("SELECT current_setting('shared_buffers'), current_setting('work_mem')")
        shared_buffers, work_mem = cur.fetchone()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 2**20, 1),
        "postgresql": pg.split(" on ")[0], "shared_buffers": shared_buffers, "work_mem": work_mem,
        "python": platform.python_version(), "load_average_at_start": os.getloadavg(),
        "note": "a 2-CPU machine shared with other processes; timings are noisy",
    }


def ensure_database():
    """Create the bench database on a fresh machine (its name was checked before)."""
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()
    try:
        psycopg2.connect(**params).close()
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        admin = psycopg2.connect(**{**params, "dbname": "postgres"})
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{params["dbname"]}"')
        admin.close()


def print_table(figures):
    print()
    print(f"{'':2}{'figure':<78} {'value':>14}  {'target':<22} result")
    section = None
    for f in figures:
        if f.section != section:
            section = f.section
            print(f"-- {section}")
        value = f"{f.value}{(' ' + f.unit) if f.unit else ''}"
        result = "" if f.met is None else ("met" if f.met else "MISSED")
        print(f"  {f.name:<78} {value:>14}  {f.target:<22} {result}")
    missed = [f for f in figures if f.met is False]
    print(f"\n{len([f for f in figures if f.met])} met, {len(missed)} missed")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["county", "city", "province"], default="city")
    parser.add_argument("--runs", type=int, default=5, help="runs per page (the median is kept)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the data already generated at this scale")
    parser.add_argument("--skip", default="", help="comma-separated: pages,selfcheck,exports,jobs,load")
    parser.add_argument("--load-seconds", type=int, default=30)
    parser.add_argument("--label", default="",
                        help="an experiment's name: writes results-<scale>-<label>.json only")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from . import generate as gen
    from . import measure

    try:
        gen.check_bench_database()
    except gen.NotBenchDatabase as exc:
        sys.exit(str(exc))
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.time()
    state_file = BASE_DIR / "var" / f"bench-{args.scale}.json"
    if args.reuse and state_file.exists():
        generation = json.loads(state_file.read_text())
        print(f"reusing the {args.scale} data generated before")
    else:
        print(f"generating the {args.scale} data set into the bench database")
        generation = gen.generate(args.scale)
        state_file.parent.mkdir(exist_ok=True)
        state_file.write_text(json.dumps(generation))
    results = {"machine": machine(), "generation": generation, "raw": {}}
    figures = [measure.Figure("0 generation", "generation, all steps", generation["seconds"],
                              "s", "minutes, not hours", generation["seconds"] < 30 * 60)]
    campaign_id = generation["campaign_id"]
    if "pages" not in skip:
        print("1-2 pages")
        found, results["raw"]["pages"] = measure.pages(campaign_id, args.runs)
        figures += found
    if "selfcheck" not in skip:
        print("3 self-check")
        figures += measure.self_check(generation["self_check_id"], args.runs)
    if "exports" not in skip:
        print("4 exports")
        found, results["raw"]["exports"] = measure.exports(campaign_id, max(3, args.runs // 2))
        figures += found
    if "load" not in skip:
        print("6 load")
        found, results["raw"]["load"] = measure.load(duration=args.load_seconds)
        figures += found
    if "jobs" not in skip:  # last: the launch adds and removes a campaign
        print("5 jobs")
        from assessments.models import Campaign

        figures += measure.jobs(Campaign.objects.get(pk=campaign_id).standard_set_id)
    figures.sort(key=lambda f: f.section)
    results["figures"] = [f.as_dict() for f in figures]
    results["bench_seconds"] = round(time.time() - started, 1)
    results["scale"] = args.scale
    print_table(figures)
    # results.json is the last complete run; partial runs and experiments keep their own file.
    names = [f"results-{args.scale}-{args.label}.json" if args.label else f"results-{args.scale}.json"]
    if not args.label and not skip:
        names.append("results.json")
    for name in names:
        (BASE_DIR / "bench" / name).write_text(
            json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n")
    print(f"\nwritten {', '.join('bench/' + n for n in names)} ({results['bench_seconds']} s)")


if __name__ == "__main__":
    main()
