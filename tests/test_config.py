"""Settings: defaults, YAML, env overrides, every problem reported at once."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from logtriage._core import Miner, default_masks
from logtriage.alerts import load_rules_file
from logtriage.config import load_settings
from logtriage.config.core import MaskingSettings, MaskSpec, MiningSettings, RulesSettings
from logtriage.config.redact import url_without_password, webhook_url_shown
from logtriage.config.search import start_from_ms
from logtriage.core import build_masker, build_miner, load_rules, resolve_masks
from logtriage.errors import ConfigError, RuleError


def test_yaml_then_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("mining:\n  sim_threshold: 0.7\n  depth: 5\n")
    monkeypatch.setenv("LOGTRIAGE_MINING__DEPTH", "6")
    settings = load_settings(cfg)
    assert settings.mining.sim_threshold == 0.7
    assert settings.mining.depth == 6


def test_relative_paths_in_the_file_join_its_directory_and_env_paths_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "conf" / "c.yaml"
    cfg.parent.mkdir()
    cfg.write_text(
        "rules:\n  path: r.yaml\n"
        "sidecar:\n  miner_state_path: state/miner.bin\n"
        "search:\n  ca_certs: /etc/ssl/ca.pem\n"
    )
    settings = load_settings(cfg)
    assert settings.rules.path == cfg.parent / "r.yaml"
    assert settings.sidecar.miner_state_path == cfg.parent / "state" / "miner.bin"
    assert settings.search.ca_certs == Path("/etc/ssl/ca.pem")
    monkeypatch.setenv("LOGTRIAGE_RULES__PATH", "from_env.yaml")
    assert load_settings(cfg).rules.path == Path("from_env.yaml")


def test_es_url_shortcut_beats_the_file_and_loses_to_search_hosts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("search:\n  hosts: ['http://file:9200']\n  index: app-*\n")
    assert load_settings(cfg).search.hosts == ["http://file:9200"]
    monkeypatch.setenv("LOGTRIAGE_ES_URL", "http://shortcut:9200")
    settings = load_settings(cfg)
    assert settings.search.hosts == ["http://shortcut:9200"]
    assert settings.search.index == "app-*"
    assert load_settings().search.hosts == ["http://shortcut:9200"]
    monkeypatch.setenv("LOGTRIAGE_SEARCH__HOSTS", '["http://nested:9200"]')
    assert load_settings(cfg).search.hosts == ["http://nested:9200"]


def test_a_single_host_string_is_a_list_of_one(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("search:\n  hosts: http://es.internal:9200\n")
    assert load_settings(cfg).search.hosts == ["http://es.internal:9200"]
    cfg.write_text("search:\n  hosts: 5\n")
    with pytest.raises(ConfigError, match=r"search\.hosts"):
        load_settings(cfg)


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("es.internal:9200", "'es.internal:9200' needs a scheme: http://es.internal:9200 or "),
        ("htp://es:9200", "'htp://es:9200' is not an http:// or https:// URL with a host"),
        ("http://", "'http://' is not an http:// or https:// URL with a host"),
    ],
)
def test_hosts_must_be_urls_and_the_error_shows_the_one_meant(
    tmp_path: Path, host: str, says: str
) -> None:
    """The client cannot guess a scheme: before, 'es:9200' passed validation and every
    command failed later with "No host specified"."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"search:\n  hosts: ['{host}']\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert str(err.value) == f"invalid configuration in {cfg}: search.hosts: {says}" + (
        "https://es.internal:9200" if says.endswith("or ") else ""
    )
    cfg.write_text("search:\n  hosts: [' https://es.internal:9200/ ']\n")
    assert load_settings(cfg).search.hosts == ["https://es.internal:9200/"]


def test_start_from_and_index_names_are_checked_before_anything_runs(tmp_path: Path) -> None:
    """Before, a start_from of 'yesterday' or 'now-5x' passed validation and the sidecar
    died on its first pass (ValueError/KeyError); an upper-case state index got the
    engine's 400 at start-up."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "sidecar:\n  start_from: now-5x\n  state_index: State\nsink:\n  labels_index: 'labels,x'\n"
    )
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    problems = set(str(err.value).split(": ", 1)[1].split("; "))
    assert problems == {
        "sink.labels_index: index name 'labels,x' must not contain ','",
        "sidecar.state_index: index name 'State' must be lower case",
        "sidecar.start_from: 'now-5x' is neither an ISO-8601 time (2026-01-31T00:00:00Z) "
        "nor now-<N>s|m|h|d (e.g. now-2h)",
    }
    for ok in ("now-2h", "2026-01-31", "2026-01-31T10:00:00Z"):
        cfg.write_text(f"sidecar:\n  start_from: '{ok}'\n")
        assert load_settings(cfg).sidecar.start_from == ok
    assert start_from_ms("2026-01-31T00:00:00Z") == 1_769_817_600_000
    cfg.write_text("search:\n  pit_keep_alive: 5 minutes\n")  # the engine wants 5m
    with pytest.raises(ConfigError, match=r"search\.pit_keep_alive: String should match"):
        load_settings(cfg)


def test_list_settings_from_the_environment_take_plain_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, LOGTRIAGE_SEARCH__HOSTS=http://es:9200 (not JSON) was a pydantic-settings
    traceback on every command."""
    monkeypatch.setenv("LOGTRIAGE_SEARCH__HOSTS", "http://a:9200, http://b:9200")
    monkeypatch.setenv("LOGTRIAGE_API__CORS_ORIGINS", "https://grafana.example")
    monkeypatch.setenv("LOGTRIAGE_MASKING__REMOVE", '["ip", "hex"]')
    settings = load_settings()
    assert settings.search.hosts == ["http://a:9200", "http://b:9200"]
    assert settings.api.cors_origins == ["https://grafana.example"]
    assert settings.masking.remove == ["ip", "hex"]
    monkeypatch.setenv("LOGTRIAGE_ALERTS__RECEIVERS", "http://hook.example")
    monkeypatch.setenv("LOGTRIAGE_ALERTS__ENABLED", "true")  # valid JSON: not the culprit
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value).startswith(
        "LOGTRIAGE_ALERTS__RECEIVERS: a list or mapping of objects in the environment must "
        "be JSON, e.g. "
    )


def test_setting_combinations_the_sidecar_cannot_run_are_refused(tmp_path: Path) -> None:
    """index mode writes each labels document once (create), so re-labelling there got a
    409 per document and re-read the whole range on every pass."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text("sink:\n  write_mode: index\nsidecar:\n  relabel_older_models: true\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert str(err.value) == (
        f"invalid configuration in {cfg}: sidecar.relabel_older_models needs "
        "sink.write_mode: update (index mode writes each labels document once, with create)"
    )
    cfg.write_text("sidecar:\n  workers: 2\n  worker_id: 2\n")  # slots are 0 and 1
    with pytest.raises(ConfigError, match=r"sidecar: worker_id 2 needs workers > 2"):
        load_settings(cfg)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("mining:\n  sim_threshold: 3\n  depth: 1\nbogus: 1\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    message = str(err.value)
    assert "mining.sim_threshold" in message
    assert "mining.depth" in message
    assert "bogus" in message


def test_unknown_keys_say_where_they_were_probably_meant_to_go(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "hosts: [http://es:9200]\n"  # a section's key at the top level
        "serach: {}\n"  # a misspelt section
        "search:\n  hots: [a]\n  batch_size: 10\n"  # a typo; a key of another section
        "sidecar:\n  nothing_like_it: 1\n"
    )
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    problems = dict(p.split(": ", 1) for p in str(err.value).split(": ", 1)[1].split("; "))
    extra = "Extra inputs are not permitted"
    assert problems == {
        "hosts": f"{extra} (did you mean search.hosts?)",
        "serach": f"{extra} (did you mean search?)",
        "search.hots": f"{extra} (did you mean search.hosts?)",
        "search.batch_size": f"{extra} (did you mean model.batch_size or sidecar.batch_size?)",
        "sidecar.nothing_like_it": extra,
    }


def test_environment_variables_of_sections_that_do_not_exist_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LOGTRIAGE_MINNING__DEPTH=5 was silently ignored (depth stayed 4), while the same
    typo in the file was an error; the variables that are not settings still pass."""
    for name, value in {
        "LOGTRIAGE_ES_URL": "http://es:9200",
        "LOGTRIAGE_SHARED_DATA": str(tmp_path),
        "LOGTRIAGE_THREADS": "2",
        "LOGTRIAGE_ENGINE_CACHE": str(tmp_path),
        "LOGTRIAGE_DASHBOARDS_DIR": str(tmp_path),
        "LOGTRIAGE_TEST_ELASTICSEARCH_URL": "http://es:9200",
    }.items():
        monkeypatch.setenv(name, value)
    assert load_settings().search.hosts == ["http://es:9200"]
    monkeypatch.setenv("LOGTRIAGE_MINNING__DEPTH", "5")
    monkeypatch.setenv("LOGTRIAGE_NOTHING_LIKE_IT__KEY", "1")
    extra = "Extra inputs are not permitted"
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value) == (
        f"invalid configuration: minning: {extra} (did you mean mining? set by "
        f"LOGTRIAGE_MINNING__DEPTH); nothing_like_it: {extra} (set by "
        "LOGTRIAGE_NOTHING_LIKE_IT__KEY)"
    )
    cfg = tmp_path / "c.yaml"
    cfg.write_text("mining:\n  depth: 1\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert str(err.value).startswith(f"invalid configuration in {cfg}: mining.depth: ")
    assert f"; minning: {extra} (did you mean mining? set by LOGTRIAGE_MINNING__DEPTH)" in str(
        err.value
    )


def test_page_larger_than_the_engines_result_window_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("sidecar:\n  batch_size: 20000\n")
    with pytest.raises(ConfigError, match=r"sidecar\.batch_size.*10000"):
        load_settings(cfg)


def test_unreadable_or_non_mapping_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "missing.yaml")
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_settings(listy)


def test_user_files_that_are_not_utf8_are_one_error_naming_file_and_line(
    tmp_path: Path,
) -> None:
    """Config, rules and alert rules files: a ConfigError (one line on the CLI), not a
    UnicodeDecodeError traceback."""
    latin1 = "# r\u00e9gles\n".encode("latin-1")
    config = tmp_path / "c.yaml"
    config.write_bytes(b"search:\n" + latin1)
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert (
        str(err.value) == f"config file {config} is not UTF-8 text: line 2 has byte 0xe9; "
        "save it as UTF-8"
    )
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(latin1 + b"rules: []\n")
    with pytest.raises(ConfigError, match=r"^rules file .*rules.yaml is not UTF-8 text: line 1"):
        load_rules(RulesSettings(path=rules))
    with pytest.raises(ConfigError, match=r"^alert rules file .*rules.yaml is not UTF-8 text"):
        load_rules_file(rules)


def test_python_defaults_match_rust_defaults() -> None:
    """The miner built without arguments behaves like the one built from settings."""
    settings = load_settings()
    mining = settings.mining
    lines = [f"worker {i} finished task {i * 7} in {i}ms on node-{i % 3}" for i in range(200)]
    lines += [f"session opened for user u{i}" for i in range(50)]
    from_rust_defaults = Miner()
    from_settings = Miner(
        sim_threshold=mining.sim_threshold,
        depth=mining.depth,
        max_children=mining.max_children,
        max_templates=mining.max_templates,
        max_tokens=mining.max_tokens,
    )
    a = from_rust_defaults.train_batch(lines)
    b = from_settings.train_batch(lines)
    assert a[0].tolist() == b[0].tolist()
    assert a[2] == b[2]


def test_masks_resolution_add_override_remove() -> None:
    names = [name for name, _, _ in default_masks()]
    victim = names[0]
    settings = MaskingSettings(
        remove=[victim],
        add=[MaskSpec(name="ticket", regex=r"TICKET-\d+", placeholder="<TICKET>")],
    )
    resolved = [name for name, _, _ in resolve_masks(settings)]
    assert victim not in resolved
    assert resolved[0] == "ticket"
    assert resolved[1:] == names[1:]
    override = MaskSpec(name="num", regex=r"\d+", placeholder="<N>")
    with_override = resolve_masks(MaskingSettings(add=[override]))
    assert [name for name, _, _ in with_override] == names
    assert with_override[names.index("num")] == ("num", r"\d+", "<N>")
    with pytest.raises(ConfigError, match="unknown masks: nope"):
        resolve_masks(MaskingSettings(remove=["nope"]))


def test_an_added_mask_runs_before_the_defaults_that_would_eat_its_text() -> None:
    """``TICKET-\\d+`` came after the default ``num`` mask, which had made ``TICKET-12``
    into ``TICKET-<NUM>`` already: the added mask never matched."""
    ticket = MaskSpec(name="ticket", regex=r"TICKET-\d+", placeholder="<TICKET>")
    masking = MaskingSettings(add=[ticket])
    assert build_masker(masking).mask_batch(["open TICKET-12 now"]) == ["open <TICKET> now"]
    miner = build_miner(MiningSettings(), masking)
    miner.train_batch(["open TICKET-12 now", "open TICKET-13 now"])
    assert [text for _, _, text, *_ in miner.templates()] == ["open <*> now"]


def test_mask_config_mistakes_are_named() -> None:
    """A regex that matches the empty string wrote its placeholder between every two
    characters; a name given twice in ``add`` dropped the first mask; an unknown name in
    ``remove`` did not say which names there are."""
    empty = MaskingSettings(add=[MaskSpec(name="id", regex=r"\d*", placeholder="<ID>")])
    with pytest.raises(ConfigError, match=r'^mask "id": regex "\\d\*" matches the empty string'):
        resolve_masks(empty)
    boundary = MaskingSettings(add=[MaskSpec(name="w", regex=r"\b", placeholder="<W>")])
    with pytest.raises(ConfigError, match="matches the empty string"):
        resolve_masks(boundary)
    twice = MaskingSettings(
        add=[
            MaskSpec(name="t", regex=r"T-\d+", placeholder="<T>"),
            MaskSpec(name="t", regex=r"U-\d+", placeholder="<U>"),
        ]
    )
    with pytest.raises(ConfigError, match=r"^masking\.add gives a mask name twice: t$"):
        resolve_masks(twice)
    with pytest.raises(ConfigError) as unknown:
        resolve_masks(MaskingSettings(remove=["ip"]))
    assert "unknown masks: ip (did you mean ipv6?)" in str(unknown.value)
    assert "(masks: uuid, url, " in str(unknown.value)


def test_mask_problems_are_reported_together() -> None:
    """An unknown name in ``remove`` hid every ``add`` regex that does not compile (and
    the Rust masker names only the first of those)."""
    settings = MaskingSettings(
        remove=["nope"],
        add=[
            MaskSpec(name="a", regex="([", placeholder="<A>"),
            MaskSpec(name="b", regex=r"ok-\d+", placeholder="<B>"),
            MaskSpec(name="c", regex="x{2,1}", placeholder="<C>"),
        ],
    )
    with pytest.raises(ConfigError) as err:
        resolve_masks(settings)
    problems = str(err.value).split("; ")
    assert problems[0].startswith("masking.remove names unknown masks: nope (masks: uuid,")
    assert [p.split(":")[0] for p in problems[1:]] == ['mask "a"', 'mask "c"']


def test_bad_user_rule_file_names_the_rule(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: broken.one\n    pattern: 'a(b'\n    label: Error\n")
    with pytest.raises(RuleError) as err:
        load_rules(RulesSettings(use_defaults=False, path=rules))
    assert err.value.rule_id == "broken.one"
    assert err.value.pattern == "a(b"
    clone = pickle.loads(pickle.dumps(err.value))
    assert (clone.rule_id, clone.pattern, str(clone)) == ("broken.one", "a(b", str(err.value))


def test_rule_problems_name_the_rules_file(tmp_path: Path) -> None:
    """A bad pattern or a rule id given twice named neither the file nor, for ids, which
    rules (the positions counted the built-in rules too)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - id: a\n    pattern: 'foo('\n    label: Error\n"
        "  - id: b\n    pattern: ok\n    label: Error\n"
        "  - id: c\n    pattern: '[z'\n    label: Error\n"
    )
    with pytest.raises(RuleError) as err:
        load_rules(RulesSettings(path=rules))
    assert str(err.value).startswith(f'rules file {rules}: rule "a": invalid pattern')
    assert f'rules file {rules}: rule "c": invalid pattern' in str(err.value)
    assert (err.value.rule_id, err.value.pattern) == ("a", "foo(")

    rules.write_text(
        "rules:\n  - id: a\n    pattern: x\n    label: Error\n"
        "  - id: a\n    pattern: y\n    label: Error\n"
    )
    with pytest.raises(ConfigError) as twice:
        load_rules(RulesSettings(path=rules))
    assert str(twice.value) == f"rules file {rules}: rule id 'a' is used twice (rules 1 and 2)"

    rules.write_text("rules:\n  - id: kernel.panic\n    pattern: x\n    label: Error\n")
    with pytest.raises(ConfigError) as built_in:
        load_rules(RulesSettings(path=rules))
    assert str(built_in.value).startswith(
        f"rules file {rules}: rule id 'kernel.panic' is already the id of a rule in "
        "(built-in) default_rules.yaml; choose another"
    )
    assert len(load_rules(RulesSettings(use_defaults=False, path=rules))) == 1


def test_malformed_rule_entries_all_reported(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: a\n    label: Error\n  - id: b\n    pattern: x\n")
    with pytest.raises(ConfigError) as err:
        load_rules(RulesSettings(use_defaults=False, path=rules))
    assert "rule a: pattern" in str(err.value)
    assert "rule b: label" in str(err.value)


@pytest.mark.parametrize(
    ("url", "without_password", "as_webhook"),
    [
        ("http://es:9200", "http://es:9200", "http://es:9200"),
        ("http://user@es:9200/p", "http://user@es:9200/p", "http://user@es:9200/**********"),
        ("http://:pw@es:9200", "http://:**********@es:9200", "http://:**********@es:9200"),
        ("https://u:p:w@h/", "https://u:**********@h/", "https://u:**********@h/"),
        ("https://h/?token=t", "https://h/?token=t", "https://h/**********"),
        ("http://[::1", "http://[::1", "http://[::1"),  # not a URL: shown as it is
    ],
)
def test_urls_shown_without_their_secrets(url: str, without_password: str, as_webhook: str) -> None:
    assert url_without_password(url) == without_password
    assert webhook_url_shown(url) == as_webhook
