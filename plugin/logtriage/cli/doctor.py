"""``logtriage doctor``: check everything the sidecar needs, and print fixes.

Each check prints one line ``ok|warn|fail  <check>: <detail>`` followed by a
``fix:`` line when something is wrong. Exit code 1 when any check fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import typer

from logtriage.cli.options import ConfigOption
from logtriage.config import ModelSettings, Settings, load_settings
from logtriage.config.redact import url_without_password
from logtriage.config.search import start_from_ms
from logtriage.config.sessions import SessionsSettings
from logtriage.errors import LogtriageError
from logtriage.labels import TemplateOnlyLabeler
from logtriage.model import Classifier
from logtriage.search.client import EngineRequestError, NotAnEngineError, SearchClient
from logtriage.search.mapping_checks import (
    MappingConflict,
    mapping_conflicts,
    unreadable_mappings,
)
from logtriage.search.templates import (
    COMPONENT_TEMPLATE,
    LENIENT,
    PARTIAL_SOURCE_ADVICE,
    concrete_indices,
    count_documents,
    describe_partial_sources,
    field_mappings,
    partial_source_indices,
    unmapped_indices,
)
from logtriage.sidecar.query import paging_problem, unlabelled_before_query, unlabelled_query
from logtriage.sidecar.sessions import SessionWatch, sessions_problem
from logtriage.sidecar.slots import slots_report
from logtriage.wording import counted

__all__ = ["Check", "app", "doctor_command", "run_checks"]

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None

    def render(self) -> str:
        line = f"{self.status:<4}  {self.name}: {self.detail}"
        if self.fix:
            line += f"\n      fix: {self.fix}"
        return line


# Reading index settings and mappings decides whether a source may be re-indexed
# (sink.rewrite_source); without it the sidecar still works, with partial updates,
# but doctor cannot check the mappings.
REWRITE_PRIVILEGE = "view_index_metadata"


def _unreadable(check: str, what: str) -> Check:
    return Check(
        check,
        "warn",
        f"cannot read the mappings of {what}: not checked",
        f"grant {REWRITE_PRIVILEGE} on the source indices (the README role)",
    )


def _privileges(client: SearchClient, s: Settings) -> Check:
    if client.engine == "opensearch":
        try:
            client.request("GET", "/_plugins/_security/api/account")
        except EngineRequestError as exc:
            if exc.status in (400, 404):
                return Check("privileges", "warn", "security plugin not installed; not checked")
            return Check("privileges", "fail", str(exc), "check the user's roles")
        return Check("privileges", "ok", "authenticated (OpenSearch roles not evaluated)")
    on_sources = ["read"]
    if s.sink.write_mode == "update":
        on_sources.append("write")
        if s.sink.rewrite_source:
            on_sources.append(REWRITE_PRIVILEGE)
    body: dict[str, Any] = {
        "index": [
            {"names": [s.search.index], "privileges": on_sources},
            {"names": [s.sidecar.state_index], "privileges": ["all"]},
        ]
    }
    if s.sink.write_mode == "index":
        body["index"].append({"names": [s.sink.labels_index], "privileges": ["all"]})
    body["cluster"] = ["manage_index_templates", "monitor"]
    try:
        resp = client.request("POST", "/_security/user/_has_privileges", body=body)
    except EngineRequestError as exc:
        if exc.status in (400, 404, 405, 500) and "security" in str(exc).lower():
            return Check("privileges", "warn", "security disabled on the cluster; not checked")
        if exc.status in (400, 404, 405):
            return Check("privileges", "warn", f"cannot check privileges ({exc.status})")
        return Check("privileges", "fail", str(exc), "check credentials")
    if resp.get("has_all_requested"):
        return Check("privileges", "ok", f"user {resp.get('username')} has every privilege needed")
    missing = []
    for idx, privs in (resp.get("index") or {}).items():
        missing += [f"{p} on {idx}" for p, has in privs.items() if not has]
    missing += [f"cluster {p}" for p, has in (resp.get("cluster") or {}).items() if not has]
    if all(m.startswith(f"{REWRITE_PRIVILEGE} on ") for m in missing):
        return Check(
            "privileges",
            "warn",
            "missing: " + ", ".join(missing) + "; labels will be written as partial updates, "
            "which cost the engine more CPU than re-indexing the source",
            f"grant {REWRITE_PRIVILEGE} on the source indices (the README role)",
        )
    return Check(
        "privileges",
        "fail",
        "missing: " + ", ".join(missing),
        "grant the logtriage role in the README (read/write on sources, all on the state index)",
    )


def run_checks(settings: Settings) -> list[Check]:
    """All checks, in order; stops after the connection check when it fails."""
    s = settings
    checks: list[Check] = []
    try:
        client = SearchClient.connect(s.search)
    except EngineRequestError as exc:
        return [_connection_failed(s, exc)]
    info = client.info
    checks.append(Check("connection", "ok", f"{info.url} answered"))
    supported = (info.engine == "elasticsearch" and info.major in (8, 0)) or (
        info.engine == "opensearch" and info.major in (2, 0)
    )
    checks.append(
        Check(
            "engine",
            "ok" if supported else "warn",
            f"{info.engine} {info.version}",
            None if supported else "tested with Elasticsearch 8.x and OpenSearch 2.x",
        )
    )

    def guarded(name: str, fn: Callable[[], Check]) -> None:
        try:
            checks.append(fn())
        except EngineRequestError as exc:
            checks.append(Check(name, "fail", str(exc)))

    def health() -> Check:
        h = client.health()
        status = h.get("status")
        return Check(
            "cluster health",
            "ok" if status in ("green", "yellow") else "fail",
            f"{status} ({counted(int(h.get('number_of_nodes') or 0), 'node')})",
            None if status in ("green", "yellow") else "fix the cluster before labelling",
        )

    guarded("cluster health", health)
    guarded("privileges", lambda: _privileges(client, s))

    indices: list[str] = []

    def sources() -> Check:
        nonlocal indices
        indices = concrete_indices(client, s.search.index)
        if not indices:
            return Check(
                "source indices",
                "warn",
                f"nothing matches {s.search.index!r} yet",
                "set search.index to your log indices or data streams",
            )
        count = client.request("GET", f"/{s.search.index}/_count", params=LENIENT)["count"]
        found = (
            f"{counted(len(indices), 'index', 'indices')} under {s.search.index!r}, "
            f"{counted(count, 'doc')}"
        )
        unmatched = _unmatched_names(client, s.search.index)
        if unmatched:
            return Check(
                "source indices",
                "warn",
                f"{found}; nothing matches {', '.join(map(repr, unmatched))}",
                "correct or remove those names in search.index",
            )
        return Check("source indices", "ok", found)

    guarded("source indices", sources)

    def fields() -> Check:
        if not indices:
            return Check("fields", "warn", "no index to inspect")
        m, t = s.search.message_field, s.search.timestamp_field
        found = field_mappings(client, s.search.index, f"{m},{t}")
        if not found:
            return _unreadable("fields", "the source indices")
        problems, seen_msg, seen_ts = [], False, False
        for idx, mapped in found.items():
            if m in mapped:
                seen_msg = True
            if t in mapped:
                seen_ts = True
                ttype = mapped[t].get("type")
                if ttype not in ("date", "date_nanos"):
                    problems.append(f"{t} is {ttype} in {idx}")
        if not seen_msg:
            problems.append(f"message field {m!r} is not mapped in any index")
        if not seen_ts:
            problems.append(f"timestamp field {t!r} is not mapped (documents read unordered)")
        if problems:
            fix = "set search.message_field / search.timestamp_field (dotted paths ok)"
            unmapped = {"text": not seen_msg, "date": not seen_ts}
            candidates = [
                f"{kind} fields there: {', '.join(names)}"
                for kind, names in _field_candidates(client, s.search.index).items()
                if names and unmapped[kind]
            ]
            return Check("fields", "warn", "; ".join(problems[:5]), "; ".join([fix, *candidates]))
        return Check("fields", "ok", f"message {m!r} and timestamp {t!r} mapped")

    guarded("fields", fields)

    def mappings() -> Check:
        tpl = client.request("GET", f"/_component_template/{COMPONENT_TEMPLATE}", ignore=(404,))
        has_tpl = tpl.get("status") != 404
        if not indices:
            return Check("mappings", "warn", "no index to inspect")
        conflicts = mapping_conflicts(client, s.search.index)
        if conflicts:
            return _conflicting_mappings(conflicts)
        unreadable = unreadable_mappings(client, s.search.index, indices)
        if unreadable:
            many = counted(len(unreadable), "index", "indices")
            return _unreadable("mappings", f"{many}, e.g. {unreadable[0]}")
        missing = unmapped_indices(client, s.search.index, indices)
        if missing:
            return Check(
                "mappings",
                "warn",
                f"logtriage.* not mapped yet in {counted(len(missing), 'index', 'indices')}, "
                f"e.g. {missing[0]}",
                "`logtriage run` adds them; also add "
                f"{COMPONENT_TEMPLATE!r} to composed_of of your index templates",
            )
        if not has_tpl:
            return Check(
                "mappings",
                "warn",
                f"component template {COMPONENT_TEMPLATE} missing",
                "`logtriage run` installs it",
            )
        mapped = f"logtriage.* mapped in all {counted(len(indices), 'index', 'indices')}"
        return Check("mappings", "ok", mapped)

    guarded("mappings", mappings)
    if s.sink.write_mode == "update":
        guarded("_source", lambda: _partial_sources(client, s.search.index, indices))

    def pit() -> Check:
        problem = paging_problem(s, client.engine)
        if problem is not None:
            return Check("point in time", "fail", problem)
        if not s.search.use_pit:
            return Check("point in time", "warn", "disabled (search.use_pit=false)")
        if not indices:
            return Check("point in time", "warn", "no index to open it on")
        pid = client.open_pit(s.search.index, "30s")
        client.close_pit(pid)
        return Check("point in time", "ok", "open/close works")

    guarded("point in time", pit)

    def state() -> Check:
        resp = client.request("GET", f"/{s.sidecar.state_index}", ignore=(404,))
        if resp.get("status") == 404:
            return Check(
                "state index",
                "warn",
                f"{s.sidecar.state_index} not created yet",
                "`logtriage run` creates it",
            )
        report = slots_report(client, s.sidecar.state_index, s.sidecar.name, s.sidecar.workers)
        detail = f"{s.sidecar.state_index}: {report.detail}"
        if report.problem is not None:
            return Check("state index", "warn", f"{detail}; {report.problem}", report.fix)
        return Check("state index", "ok", detail)

    guarded("state index", state)

    # Loaded before the backlog is counted: re-labelling counts against its version.
    model, model_version = _model_check(s.model)

    def backlog() -> Check:
        if not indices or s.sink.write_mode != "update":
            return Check("backlog", "ok", "n/a")
        return _backlog(client, s, model_version)

    guarded("backlog", backlog)

    checks.append(model)
    sessions = _sessions_check(s.sessions, s.sidecar.workers)
    if sessions is not None:
        checks.append(sessions)
    client.close()
    return checks


def _connection_failed(s: Settings, exc: EngineRequestError) -> Check:
    if isinstance(exc, NotAnEngineError):
        fix = (
            "set search.hosts (or LOGTRIAGE_ES_URL) to the HTTP address of Elasticsearch "
            "or OpenSearch (port 9200 unless changed), not to another service"
        )
    else:
        hosts = ", ".join(url_without_password(h) for h in s.search.hosts)
        fix = f"is the engine up at {hosts}? set search.hosts or LOGTRIAGE_ES_URL"
    return Check("connection", "fail", str(exc), fix)


def _unmatched_names(client: SearchClient, pattern: str) -> list[str]:
    """The names of a comma-separated ``search.index`` that match no index, exclusions
    (``-name``) aside."""
    names = [name.strip() for name in pattern.split(",")]
    if len(names) < 2:
        return []
    return [n for n in names if n and not n.startswith("-") and not concrete_indices(client, n)]


def _conflicting_mappings(conflicts: list[MappingConflict]) -> Check:
    shown = "; ".join(str(c) for c in conflicts[:5])
    if len(conflicts) > 5:
        shown += f"; and {len(conflicts) - 5} more"
    indices = {c.index for c in conflicts}
    fix = (
        "`logtriage run` cannot change an existing mapping: reindex those indices into "
        f"ones created with the {COMPONENT_TEMPLATE!r} component template in composed_of, "
        "or leave them out of search.index (e.g. 'logs-*,-name')"
    )
    if any(c.found == "text" for c in conflicts):
        fix += "; text fields were mapped dynamically: labels were written before the mappings"
    return Check(
        "mappings",
        "fail",
        f"logtriage.* mapped otherwise than logtriage maps it in "
        f"{counted(len(indices), 'index', 'indices')}: {shown}",
        fix,
    )


def _partial_sources(client: SearchClient, pattern: str, indices: list[str]) -> Check:
    """``update`` write mode: indices the sidecar refuses, as their ``_source`` leaves
    fields out (the sidecar takes those whose mappings it cannot read as whole)."""
    if not indices:
        return Check("_source", "warn", "no index to inspect")
    unreadable = unreadable_mappings(client, pattern, indices)
    if unreadable:
        many = counted(len(unreadable), "index", "indices")
        return _unreadable("_source", f"{many}, e.g. {unreadable[0]}")
    partial = partial_source_indices(client, pattern)
    if not partial:
        return Check("_source", "ok", "no index leaves fields out of _source")
    many = counted(len(partial), "index", "indices")
    return Check(
        "_source",
        "fail",
        f"_source leaves fields out in {many}: {describe_partial_sources(partial)}",
        "`logtriage run` refuses them: writing labels re-indexes a document from _source "
        f"and would drop the left-out fields from the index; {PARTIAL_SOURCE_ADVICE}",
    )


def _backlog(client: SearchClient, s: Settings, model_version: str | None) -> Check:
    """What ``run`` has still to label, counted with the query it reads with: from
    ``start_from``; with ``relabel_older_models`` also the documents labelled by a model
    other than ``model_version`` (``None``: the model does not load)."""
    relabel = s.sidecar.relabel_older_models
    start_ms = start_from_ms(s.sidecar.start_from)
    query = unlabelled_query(s, start_ms, relabel_version=model_version if relabel else None)
    try:
        n = count_documents(client, s.search.index, query)
    except EngineRequestError as exc:
        if not s.search.query or exc.status != 400:
            raise
        return Check(
            "backlog",
            "fail",
            f"the engine refuses search.query: {exc}",
            "search.query must be a query DSL object; it is used as a filter as written",
        )
    errs = count_documents(client, s.search.index, {"exists": {"field": "logtriage.error.reason"}})
    within = " matching search.query" if s.search.query else ""
    since = f" from {s.sidecar.start_from}" if s.sidecar.start_from else ""
    what = "not labelled yet"
    if relabel and model_version is not None:
        what += f" or labelled by another model than {model_version}"
    detail = f"{counted(n, 'document')}{within}{since} {what}, {errs} with logtriage.error"
    if relabel and model_version is None:
        return Check(
            "backlog",
            "warn",
            f"{detail}; documents of older models not counted",
            "the model bundle does not load (below)",
        )
    if start_ms is not None and s.sink.write_mode == "update":
        behind = count_documents(client, s.search.index, unlabelled_before_query(s, start_ms))
        if behind:
            return Check(
                "backlog",
                "warn",
                f"{detail}; {counted(behind, 'document')} older than sidecar.start_from "
                "not labelled (no pass reads them)",
                "set sidecar.start_from earlier, or unset it, to label them",
            )
    return Check("backlog", "ok", detail)


def _model_check(model: ModelSettings) -> tuple[Check, str | None]:
    """The model ``run`` will label with, loaded as ``run`` loads it (bundle verified by
    hash), and the version ``run`` writes to ``logtriage.model.version`` (``None``: it
    does not load, so ``run`` would not start)."""
    try:
        classifier = Classifier.from_settings(model)
    except LogtriageError as exc:
        fix = "rebuild the bundle or fix model.bundle (or model.cache_path, if named)"
        return Check("model bundle", "fail", str(exc), fix), None
    if classifier is not None:
        detail = f"{classifier.model_version} ({classifier.bundle.path})"
        return Check("model bundle", "ok", detail), classifier.model_version
    if not model.enabled:
        check = Check(
            "model bundle",
            "warn",
            "model disabled: templates and rules only",
            "set model.enabled: true to label with a model",
        )
    else:
        check = Check(
            "model bundle",
            "warn",
            "none configured and no shipped default: templates and rules only",
            "set model.bundle to a bundle directory",
        )
    return check, TemplateOnlyLabeler.model_version


def _sessions_check(sessions: SessionsSettings, workers: int) -> Check | None:
    """The sequence model ``run`` loads for ``sessions:`` (``None``: sessions are off),
    and whether ``run`` can watch sessions with ``workers``."""
    problem = sessions_problem(sessions, workers)
    if problem is not None:
        return Check("sessions model", "fail", problem)
    try:
        watch = SessionWatch.from_settings(sessions)
    except LogtriageError as exc:
        fix = (
            "train one with `logtriage sequences train LOGS --key-regex ... --out DIR` "
            "and set sessions.model_path to DIR"
        )
        return Check("sessions model", "fail", str(exc), fix)
    if watch is None:
        return None
    return Check("sessions model", "ok", f"{watch.detector.kind} model from {sessions.model_path}")


def doctor_command(
    config: Path | None = ConfigOption,
) -> None:
    """Check connection, engine/version, privileges, mappings, state and model bundle."""
    try:
        settings = load_settings(config)
    except LogtriageError as exc:
        typer.echo(f"fail  config: {exc}")
        raise typer.Exit(1) from None
    checks = run_checks(settings)
    for c in checks:
        typer.echo(c.render())
    failed = [c for c in checks if c.status == "fail"]
    warnings = sum(c.status == "warn" for c in checks)
    typer.echo(
        f"\n{counted(len(checks), 'check')}: {len(failed)} failed, {counted(warnings, 'warning')}"
    )
    if failed:
        raise typer.Exit(1)


app = typer.Typer(add_completion=False)
app.command("doctor")(doctor_command)

if __name__ == "__main__":
    typer.run(doctor_command)


def _field_candidates(client: SearchClient, pattern: str) -> dict[str, list[str]]:
    """Up to 5 ``text`` and 5 ``date`` fields of the indices behind ``pattern`` (not
    ``logtriage.*``): what search.message_field / search.timestamp_field could name.
    Empty when field capabilities cannot be read."""
    try:
        caps = client.request("GET", f"/{pattern}/_field_caps", params={**LENIENT, "fields": "*"})
    except EngineRequestError:
        return {}
    kinds = {"text": ("text", "match_only_text"), "date": ("date", "date_nanos")}
    found: dict[str, list[str]] = {"text": [], "date": []}
    for name, types in sorted((caps.get("fields") or {}).items()):
        if name.startswith(("logtriage.", "_")):
            continue
        for kind, wanted in kinds.items():
            if any(t in types for t in wanted) and len(found[kind]) < 5:
                found[kind].append(name)
    return found
