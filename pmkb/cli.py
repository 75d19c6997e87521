"""The ``pmkb`` command line: ingest, extract, serve, report, eval, train, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__, seeds_dir
from .options import db_option, host_port_options, json_option, one_line_errors, output_format, report_filter_options


@click.group()
@click.version_option(__version__, prog_name="pmkb")
def cli() -> None:
    """pmkb: a postmortem knowledge base.

    Ingest postmortems (text, Markdown, HTML, status-page JSON, Word, PDF, zip exports) into SQLite,
    browse them in Datasette and render cross-incident reports.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option()
@click.option("--organization", help="Organization to record for every ingested document.")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), help="CSV/TSV with a 'file' column and any of organization, original_url, title, published_at.")
@click.option("--reextract", is_flag=True, help="Re-extract stored documents made by an older extractor version.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Refuse inputs larger than this many bytes (default 5 MiB = 5242880, or $PMKB_MAX_BYTES).")
@click.option("--timeout", "url_timeout", type=click.FloatRange(min=0, min_open=True), default=15.0, show_default=True, help="Seconds allowed for fetching each URL.")
@click.option("-p", "--processes", type=click.IntRange(min=1), default=None, help="Extraction workers (default: one per CPU; 1 extracts in this process).")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True, help="Documents extracted and then stored in one transaction at a time.")
@click.option("--time-budget", type=click.FloatRange(min=0), default=5.0, envvar="PMKB_TIME_BUDGET", show_default="5 or $PMKB_TIME_BUDGET", help="Seconds a worker may spend on one document before it is stopped and the document skipped (0: no limit; -p 1 has none).")
@click.option("--skip-unsupported", is_flag=True, help="Count files of a kind pmkb does not read (images, CSV…) instead of reporting them as errors.")
@json_option("Print the summary as JSON.")
def ingest(paths, db_path, organization, manifest, reextract, max_bytes, url_timeout, processes, batch_size, time_budget, skip_unsupported, as_json):
    """Ingest postmortems from PATHS: files, folders (recursive), http(s) URLs or - for stdin.

    Unchanged documents are skipped by content hash; a changed document
    replaces its previous extraction in one transaction. Inputs that cannot
    be used (empty, binary, too large, malformed, unreadable, a dead URL) are
    named one per line on stderr, the others are still ingested, and the exit
    status is 1.
    """
    import sqlite3

    from ingest.read import max_bytes_from_env
    from kb import load, store

    manifest_rows = None
    if manifest:
        with one_line_errors(manifest):
            manifest_rows = load.read_manifest(manifest)
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    try:
        db = store.open_db(db_path)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{db_path}: cannot open the database ({exc})")
    show_bar = sys.stderr.isatty() and not as_json
    total = load.count_inputs(paths) if show_bar else 0
    with click.progressbar(length=total or 0, label="Ingesting", file=sys.stderr, hidden=not show_bar) as bar:

        def progress(name: str, status: str) -> None:
            bar.update(1)

        summary = load.ingest(
            db, paths, organization=organization, manifest=manifest_rows, reextract=reextract,
            max_bytes=limit, on_progress=progress, url_timeout=url_timeout,
            processes=processes or load.default_processes(), batch_size=batch_size, time_budget=time_budget or None, skip_unsupported=skip_unsupported,
        )
    db.close()
    for line in summary.errors:
        click.echo(f"Error: {line}", err=True)
    if as_json:
        click.echo(json.dumps({"new": summary.new, "updated": summary.updated, "unchanged": summary.unchanged, "skipped": summary.skipped, "unsupported": summary.unsupported, "errors": summary.errors}))
    else:
        click.echo(summary.line())
    if summary.skipped:
        sys.exit(1)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default=None, help="json (the default) or text.")
@json_option("Print the extraction as JSON (the default; same as --format json).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Refuse an input larger than this many bytes (default 5 MiB = 5242880, or $PMKB_MAX_BYTES).")
def extract(file, fmt, as_json, max_bytes):
    """Print the extraction of one document, without any database."""
    from .one_file import extract_file

    incidents = extract_file(file, max_bytes)
    if output_format(fmt, as_json, "json") == "json":
        payload = incidents[0] if len(incidents) == 1 else incidents
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    for incident in incidents:
        click.echo(_text_summary(incident))


def _text_summary(incident: dict) -> str:
    doc = incident["document"]
    lines = [f"# {doc.get('title') or doc.get('source')}"]
    lines.append("Impact windows:")
    for w in incident["impact_windows"]:
        lines.append(f"  {w['start']} → {w['end']} ({w['duration_minutes']} min){'  ' + w['label'] if w.get('label') else ''}")
    lines.append("Timeline:")
    for e in incident["timeline"]:
        lines.append(f"  {e['at']:<22} {e['kind']:<13} {e['text'][:90]}")
    lines.append("Causes:")
    for c in incident["causes"]:
        lines.append(f"  [{c['kind']}/{c['category']}] {c['text'][:110]}")
    lines.append("Corrective actions:")
    for a in incident["corrective_actions"]:
        lines.append(f"  [{a['status']}] {a['text'][:110]}")
    lines.append(f"Categories: {', '.join(incident['categories'])}")
    lines.append(f"Components: {', '.join(incident['components'])}")
    lines.append("Quality flags: " + ", ".join(f["flag"] for f in incident["quality_flags"]))
    return "\n".join(lines) + "\n"


@cli.command()
@db_option()
@host_port_options
@click.option("--public", is_flag=True, help="Public mode: arbitrary SQL (and the SQL-driven charts) off; canned queries, search, incident pages and /-/report stay.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST[:PORT]", help="Also answer requests for this Host header (repeatable; '*' for any). Otherwise only the bound address and localhost are answered, against DNS rebinding (not checked with --public).")
def serve(db_path, host, port, public, allow_hosts):
    """Serve the knowledge base in Datasette, read-only.

    Pages: / (search box), /-/search (all tables), /incident/<id> (document
    with highlighted evidence), /-/report (filterable report), /-/dashboards/pmkb
    (charts) and the canned queries on the database page. A database made by
    an older pmkb has its schema brought up to date first.
    """
    from kb import serve as kb_serve

    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database (run pmkb ingest first)")
    with one_line_errors(db_path):
        upgraded = kb_serve.upgrade_schema(db_path)
    if upgraded:
        click.echo(f"Upgraded the schema of {db_path}: {', '.join(upgraded)}", err=True)
    mode = "public: no arbitrary SQL" if public else "read-only"
    click.echo(f"Serving {db_path} ({mode}) at http://{host}:{port}/", err=True)
    kb_serve.serve(db_path, host=host, port=port, public=public, allow_hosts=allow_hosts)


@cli.command()
@db_option()
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="Write the report here (default stdout).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json"]), default=None, help="html (the default), md or json.")
@json_option("Print the report's data as JSON (same as --format json).")
@report_filter_options
@click.option("--group-by", type=click.Choice(["organization", "category", "year"]), help="Compare groups side by side.")
@click.option("--base-url", help="Datasette base URL; every incident and row links to it.")
@click.option("--template-dir", type=click.Path(file_okay=False, exists=True), help="Folder of templates that override the packaged ones.")
@click.option("--as-of", help="Age open actions to this date (YYYY-MM-DD; default today).")
def report(db_path, output, fmt, as_json, filters, group_by, base_url, template_dir, as_of):
    """Render the cross-incident report (HTML, Markdown or JSON).

    HTML is self-contained and prints on A4 or Letter; Markdown is for wikis;
    JSON is the data behind the report. --base-url is the Datasette root
    (e.g. http://127.0.0.1:8001): every incident and row then links to its page.
    """
    import jinja2

    from kb import report as kb_report
    from kb import serve as kb_serve
    from kb import store

    fmt = output_format(fmt, as_json, "html")
    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database (run pmkb ingest first)")
    with one_line_errors(db_path):
        if kb_serve.pending_migrations(db_path):  # also refuses a file that is not a pmkb database
            raise click.ClickException(f"{db_path}: made by an older pmkb: run pmkb ingest or pmkb serve on it once to upgrade its schema")
        db = store.open_db(db_path, migrate=False)
        data = kb_report.build(db, filters, group_by=group_by, base_url=base_url, as_of=as_of)
    try:
        rendered = kb_report.render(data, fmt, template_dir=template_dir)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename else template_dir or "template"
        raise click.ClickException(f"{where}: {exc.message or exc}") from exc
    if output == "-":
        click.echo(rendered)
        return
    with one_line_errors(output):
        Path(output).write_text(rendered, encoding="utf-8")
    click.echo(f"Wrote {output} ({data['overview']['incidents']} incidents)", err=True)


@cli.command(name="eval")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--root", type=click.Path(exists=True, file_okay=False), help="Resolve gold documents against this folder (default: the folder above GOLD_DIR).")
@click.option("-v", "--verbose", is_flag=True, help="Also show scores per document.")
@click.option("--by-organization", is_flag=True, help="Also show scores per organization, worst first.")
@click.option("--cv-by-organization", is_flag=True, help="Leave-one-organization-out: train the sentence-role model on the other organizations, score rules, model and both.")
@click.option("--folds", type=click.IntRange(min=2), help="With --cv-by-organization: hold organizations out in this many groups instead of one at a time (faster on large gold sets).")
@json_option("Print scores as JSON.")
def eval_command(gold_dir, root, verbose, by_organization, cv_by_organization, folds, as_json):
    """Score the extractor against gold annotations (shared/gold/README.md rules)."""
    if folds and not cv_by_organization:
        raise click.UsageError("--folds needs --cv-by-organization")
    if cv_by_organization:
        from .train_cli import run_cv

        sys.exit(run_cv(Path(gold_dir), Path(root) if root else None, as_json, folds))
    from ingest.pipeline import extract_path

    from .evaluate import format_table, run_eval

    from .eval_groups import by_organization as group_by_organization, format_by_organization

    with one_line_errors(gold_dir):
        summary, per_document = run_eval(Path(gold_dir), extract_path, Path(root) if root else None)
    groups = group_by_organization(per_document) if by_organization else None
    if as_json:
        payload = {"summary": summary}
        if verbose:
            payload["documents"] = {name: {k: v for k, v in scores.items() if k != "details"} for name, scores in per_document}
        if groups is not None:
            payload["organizations"] = groups
        click.echo(json.dumps(payload, indent=2, default=str))
        return
    click.echo(format_table(summary, per_document if verbose else None))
    if groups is not None:
        click.echo(format_by_organization(groups))


@cli.command()
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(file_okay=False), default="pmkb-roles-model", show_default=True, help="Folder to write the model to.")
@click.option("--root", type=click.Path(exists=True, file_okay=False), help="Resolve gold documents against this folder (default: the folder above GOLD_DIR).")
@click.option("--epochs", type=click.IntRange(min=1), default=10, show_default=True, help="Training passes over the labelled sentences.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same gold and seed give the same model.")
@json_option("Print the training summary as JSON.")
def train(gold_dir, output, root, epochs, seed, as_json):
    """Train the sentence-role model from gold annotations (shared/gold/README.md format)."""
    from .train_cli import run_train

    sys.exit(run_train(Path(gold_dir), Path(output), Path(root) if root else None, epochs, seed, as_json))


@cli.command()
@db_option(default="pmkb-demo/demo.db", help="Demo database; replaced on each run, but only when pmkb demo made it.")
@host_port_options
@click.option("--no-serve", is_flag=True, help="Ingest and write the report, but do not start Datasette.")
def demo(db_path, host, port, no_serve):
    """The main job on the bundled seeds: ingest, report, serve.

    The database is made fresh on each run. A file at --db that pmkb demo did
    not make is never deleted: the command refuses instead.
    """
    from kb import load, report as kb_report, serve as kb_serve, store

    from .demo import NotADemoDatabase, clear_demo_database, create_demo_database

    db_file = Path(db_path)
    try:
        clear_demo_database(db_file)
    except NotADemoDatabase as exc:
        raise click.ClickException(f"{exc} (choose another --db)") from exc
    with one_line_errors(db_file):
        create_demo_database(db_file)
        db = store.open_db(db_file)
    summary = load.ingest(db, [str(seeds_dir())], organization=None)
    click.echo(f"Ingested the bundled seeds: {summary.line()}")
    for line in summary.errors:
        click.echo(f"Error: {line}", err=True)
    report_path = db_file.parent / "report.html"
    data = kb_report.build(db, kb_report.Filters(), base_url=f"http://{host}:{port}")
    report_path.write_text(kb_report.render(data, "html"), encoding="utf-8")
    db.close()
    click.echo(f"Report:    {report_path.resolve()}")
    base = f"http://{host}:{port}"
    click.echo(f"Datasette: {base}/")
    click.echo(f"Incidents: {base}/{kb_serve.database_name(db_file)}/incidents")
    click.echo(f"Incident:  {base}/incident/1")
    click.echo(f"Search:    {base}/-/search")
    click.echo(f"Charts:    {base}/-/dashboards/pmkb")
    click.echo(f"Report:    {base}/-/report")
    if no_serve:
        return
    kb_serve.serve(str(db_file), host=host, port=port)


def main() -> None:  # pragma: no cover - console entry point
    cli()


from .similar_cmd import similar  # noqa: E402  (its own module, registered on the group here)

cli.add_command(similar)
