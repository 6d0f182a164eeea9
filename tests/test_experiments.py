"""The experiments' registry and its one way to results: `answerkey.experiments`."""

from types import SimpleNamespace

import pytest

from answerkey import experiments
from answerkey.errors import UsageError
from answerkey.parts import get_part
from answerkey.verdicts import Verdict
from answerkey.verify import verify_parts


def test_every_experiment_is_registered_with_notebooks_last():
    names = experiments.names()
    assert set(names) == {"zkc", "attention", "ae", "beam", "notebooks"}
    assert names[-1] == "notebooks"


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """A stand-in experiment that counts its runs, in a fresh cache folder."""
    runs = []

    def run(config):
        runs.append(config)
        return {"version": 1, "value": config["n"] * 2}

    fake = SimpleNamespace(
        NAME="fake",
        HELP="stand-in",
        config=lambda profile, args=None: {"n": 3 if profile.quick else 30},
        run=run,
        draw=lambda results, folder: [],
        summary=lambda results: "",
    )
    monkeypatch.setattr(experiments, "modules", lambda: {"fake": fake})
    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", str(tmp_path))
    experiments.forget()
    yield runs
    experiments.forget()


def test_results_run_once_per_config_then_come_from_the_cache(counted):
    assert experiments.results("fake", experiments.QUICK)["value"] == 6
    assert experiments.results("fake", experiments.QUICK)["value"] == 6
    experiments.forget()  # a new process: read back from the cache folder
    assert experiments.results("fake", experiments.QUICK)["value"] == 6
    assert experiments.results("fake", experiments.FULL)["value"] == 60
    assert counted == [{"n": 3}, {"n": 30}]
    experiments.results("fake", experiments.QUICK, fresh=True)
    assert counted == [{"n": 3}, {"n": 30}, {"n": 3}]


def test_a_rerun_replays_the_figures_of_the_same_results(counted, tmp_path, monkeypatch):
    fake = experiments.get("fake")
    drawings = []

    def draw(results, folder):
        drawings.append(results["value"])
        (folder / "curve.png").write_bytes(b"png of %d" % results["value"])
        return {"curve": "curve.png"}

    monkeypatch.setattr(fake, "draw", draw)
    first = experiments.execute("fake", experiments.QUICK, tmp_path / "one")
    second = experiments.execute("fake", experiments.QUICK, tmp_path / "two")
    assert drawings == [6]
    assert second["figures"] == first["figures"] == {"curve": "curve.png"}
    assert (tmp_path / "two" / "figures" / "curve.png").read_bytes() == b"png of 6"
    experiments.execute("fake", experiments.FULL, tmp_path / "three")  # other results: drawn
    assert drawings == [6, 60]


def test_an_unknown_experiment_names_the_known_ones(counted):
    with pytest.raises(KeyError, match="known: fake"):
        experiments.results("nope", experiments.QUICK)


def test_a_bad_option_is_a_usage_error():
    with pytest.raises(UsageError, match="valid label sets: notebook, club"):
        experiments.get("zkc").config(experiments.QUICK, SimpleNamespace(labels="communities"))
    with pytest.raises(UsageError, match="at least two different lengths"):
        experiments.get("attention").config(experiments.QUICK, SimpleNamespace(sizes=[64, 64]))


def test_a_failing_experiment_fails_the_parts_that_read_it(monkeypatch, tmp_path):
    """No swallowed errors: q5.d's answer raises and its experiment check is an ERROR."""
    from answerkey.experiments import beam

    def broken(config):
        raise RuntimeError("GRU study broken on purpose")

    monkeypatch.setattr(beam, "optimum_study", broken)
    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", str(tmp_path))
    experiments.forget()
    part = get_part("q5.d")
    with pytest.raises(RuntimeError, match="broken on purpose"):
        part.answer(experiments.QUICK)
    results = verify_parts([part], experiments.QUICK)
    errors = [r for r in results if r.verdict is Verdict.ERROR]
    # The experiment's check, and the check that reads the printed answer back (the answer
    # itself raises): each names the broken study, none passes silently.
    assert len(errors) == 2 and all("broken on purpose" in e.detail for e in errors)
    experiments.forget()
