"""An import-linter contract type: a domain's private modules are imported only from inside the domain.

Configured in pyproject.toml ([tool.importlinter], contract `private`). Each direct subpackage of a
container (`backend.catalogue`, `backend.bookings`, ... and any domain added later, with no list to keep up
to date) is a domain. Its submodules whose name matches one of `private_modules` (fnmatch patterns such as
`models` or `repository*`, so `repository_offer` is covered too) may be imported only by modules of the same
domain, or by `allowed_importers`. Other domains read through its public modules: `queries`, `service`,
`schemas`, `errors`.

import-linter's built-in `forbidden`/`protected` contracts need one contract per domain, fail when a listed
module does not exist yet, and cannot express `repository*`; hence this small contract type.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain.helpers import module_expressions_to_modules


class DomainPrivateContract(Contract):
    type_name = "domain_private"

    containers = fields.ListField(subfield=fields.StringField())
    private_modules = fields.ListField(subfield=fields.StringField())
    allowed_importers = fields.ListField(subfield=fields.ModuleExpressionField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        allowed: set[str] = set()
        for expression in self.allowed_importers or []:  # type: ignore[attr-defined]
            for module in module_expressions_to_modules(graph, [expression]):
                allowed |= {module.name, *graph.find_descendants(module.name)}
        illegal: list[dict[str, Any]] = []
        for container in self.containers:  # type: ignore[attr-defined]
            for domain in sorted(graph.find_children(container)):
                for private in sorted(self._private_modules(graph, domain)):
                    inside = {domain, *graph.find_descendants(domain)}
                    importers = graph.find_modules_that_directly_import(private) - inside - allowed
                    for importer in sorted(importers):
                        details = graph.get_import_details(importer=importer, imported=private)
                        lines = tuple(detail["line_number"] for detail in details)
                        illegal.append({"importer": importer, "imported": private, "lines": lines})
        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            metadata={"illegal": illegal},
        )

    def _private_modules(self, graph: grimp.ImportGraph, domain: str) -> set[str]:
        """Submodules of the domain whose first name below it matches a private pattern (and theirs)."""
        found: set[str] = set()
        for child in graph.find_children(domain):
            tail = child.rsplit(".", 1)[1]
            if any(fnmatch.fnmatchcase(tail, pattern) for pattern in self.private_modules):  # type: ignore[attr-defined]
                found |= {child, *graph.find_descendants(child)}
        return found

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["illegal"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(f"{item['importer']} -> {item['imported']} ({lines})", bold=False)
            output.new_line()
        output.print("Read the other domain through its queries.py / service.py; see CONTRIBUTING.md.")
