"""The import-linter contracts in pyproject.toml (run by `make lint`): kept by the code, able to fail, and not
broken by domains that do not exist yet (reviews, complaints, oversight, grading, ... are optional layers)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter import Contract, configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

from tests.architecture.contracts import DomainPrivateContract

ROOT = Path(__file__).resolve().parents[2]
TYPES: dict[str, type[Contract]] = {
    "layers": LayersContract,
    "forbidden": ForbiddenContract,
    "acyclic_siblings": AcyclicSiblingsContract,
    "domain_private": DomainPrivateContract,
}
OPTIONAL = ("workdays", "rulesets", "reviews", "complaints", "oversight", "grading", "console", "reporting")


def _contracts() -> dict[str, Contract]:
    configuration.configure()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    session = {k: v for k, v in config.items() if k != "contracts"}
    out = {}
    for options in config["contracts"]:
        options = dict(options)
        cls = TYPES[options["type"]]
        out[options["id"]] = cls(options["name"], session, options)
    return out


CONTRACTS = _contracts()


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("backend")


def _kept(contract_id: str, graph: grimp.ImportGraph) -> bool:
    return bool(CONTRACTS[contract_id].check(copy.deepcopy(graph), verbose=False).kept)


def _with(graph: grimp.ImportGraph, *imports: tuple[str, str]) -> grimp.ImportGraph:
    g = copy.deepcopy(graph)
    for importer, imported in imports:
        for module in (importer, imported):
            parts = module.split(".")
            for i in range(1, len(parts) + 1):
                name = ".".join(parts[:i])
                if name not in g.modules:
                    g.add_module(name)
        g.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    return g


def _without_optional_domains(graph: grimp.ImportGraph) -> grimp.ImportGraph:
    g = copy.deepcopy(graph)
    for name in OPTIONAL:
        package = f"backend.{name}"
        if package in g.modules:
            for module in g.find_descendants(package) | {package}:
                g.remove_module(module)
    return g


def test_the_contracts_cover_layers_core_privacy_and_cycles() -> None:
    assert set(CONTRACTS) == {"layers", "core", "private", "acyclic"}


@pytest.mark.parametrize("contract_id", sorted(CONTRACTS))
def test_the_code_keeps_every_contract(contract_id: str, graph: grimp.ImportGraph) -> None:
    assert _kept(contract_id, graph)


@pytest.mark.parametrize("contract_id", sorted(CONTRACTS))
def test_domains_not_written_yet_do_not_break_the_check(contract_id: str, graph: grimp.ImportGraph) -> None:
    assert _kept(contract_id, _without_optional_domains(graph))


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("backend.catalogue.service", "backend.bookings.service"),  # lower imports higher
        ("backend.accounts.staff", "backend.notifications.service"),
        ("backend.reviews.service", "backend.grading.service"),  # domains written later are layered too
        ("backend.reviews.service", "backend.complaints.service"),  # siblings are independent
        ("backend.workdays.queries", "backend.rulesets.queries"),
        ("backend.grading.service", "backend.reporting.service"),
        ("backend.bookings.jobs", "backend.scheduler"),  # composition is on top
        ("backend.catalogue.demo", "backend.demo"),
    ],
)
def test_layers_refuse_an_upward_or_sideways_import(
    graph: grimp.ImportGraph, importer: str, imported: str
) -> None:
    assert not _kept("layers", _with(graph, (importer, imported)))


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("backend.reviews.service", "backend.bookings.queries"),  # down, through the public read
        ("backend.grading.service", "backend.reviews.queries"),
        ("backend.reviews.service", "backend.workdays.queries"),
        ("backend.console.router", "backend.grading.service"),
    ],
)
def test_layers_allow_a_downward_import(graph: grimp.ImportGraph, importer: str, imported: str) -> None:
    assert _kept("layers", _with(graph, (importer, imported)))


@pytest.mark.parametrize("imported", ["backend.api", "backend.bookings.service", "backend.reviews"])
def test_core_imports_no_domain(graph: grimp.ImportGraph, imported: str) -> None:
    assert not _kept("core", _with(graph, ("backend.core.metrics", imported)))


@pytest.mark.parametrize(
    ("importer", "imported", "kept"),
    [
        ("backend.bookings.service.common", "backend.catalogue.models", False),
        ("backend.bookings.service.common", "backend.catalogue.repository_offer", False),  # repository*
        ("backend.reviews.service", "backend.bookings.repository_reviews", False),  # any repository*
        ("backend.grading.gather", "backend.reviews.models", False),  # domains written later too
        ("backend.reviews.service", "backend.bookings.queries", True),
        ("backend.reviews.service", "backend.catalogue.schemas", True),
        ("backend.catalogue.service", "backend.catalogue.repository", True),  # its own
        ("backend.models", "backend.reviews.models", True),  # the documented aggregation for Alembic
    ],
)
def test_a_domain_keeps_its_tables_and_queries(
    graph: grimp.ImportGraph, importer: str, imported: str, kept: bool
) -> None:
    assert _kept("private", _with(graph, (importer, imported))) is kept


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    assert not _kept("acyclic", _with(graph, ("backend.wechat.client", "backend.wechat.devserver")))
    assert not _kept("acyclic", _with(graph, ("backend.catalogue.queries", "backend.accounts.queries")))
