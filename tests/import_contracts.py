"""A custom import-linter contract: domains talk to each other only through service/flows.

import-linter has no built-in "only via these modules" contract: a forbidden contract needs the
forbidden modules listed one by one (and a new `models.py` would slip through), and a protected
contract has the same problem. This one reads the rule straight off the tree, so a new domain
or a new module in a domain is covered without editing the configuration:

    an import from mudan.domains.A.<anything> of mudan.domains.B.<x> (B != A) is legal only
    when <x> is one of `public_modules` (or inside one, should it become a package).

Only direct imports are checked: A may import B.service, which imports B.models; that chain is
B's own business. Registered in pyproject.toml under [tool.importlinter] contract_types; the
`lint-imports` command (run from the repository root, which it puts on sys.path) loads it.
"""

from __future__ import annotations

from typing import Any, cast

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class DomainBoundaryContract(Contract):
    """Options: `domains` (the package holding one subpackage per domain), `public_modules`
    (module names another domain may import), `ignore_imports` and
    `unmatched_ignore_imports_alerting` as in the built-in contracts."""

    type_name = "domain_boundaries"

    domains = fields.ModuleField()
    public_modules = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        root = cast(str, self.domains.name)  # type: ignore[attr-defined]
        public = set(cast(list[str], self.public_modules))
        links: list[dict[str, Any]] = []
        for domain in sorted(graph.find_children(root)):
            members = {domain} | graph.find_descendants(domain)
            for importer in sorted(members):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    other = _domain_of(imported, root)
                    if other is None or other == domain or _is_public(imported, other, public):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(d["line_number"] for d in details)
                    links.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(
            kept=not links,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"links": links},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        allowed = " or ".join(cast(list[str], self.public_modules))
        output.print_error(
            f"A domain may import another domain only through its {allowed} module:", bold=False
        )
        output.new_line()
        for link in check.metadata["links"]:
            lines = ", ".join(str(n) for n in link["lines"])
            output.print_error(f"- {link['importer']} -> {link['imported']} (l.{lines})", False)
        output.new_line()


def _domain_of(module: str, root: str) -> str | None:
    """mudan.domains.org.models -> mudan.domains.org; anything outside the domains -> None."""
    if not module.startswith(root + "."):
        return None
    return root + "." + module[len(root) + 1 :].split(".", 1)[0]


def _is_public(module: str, domain: str, public: set[str]) -> bool:
    rest = module[len(domain) + 1 :]  # "" for the domain package itself
    return bool(rest) and rest.split(".", 1)[0] in public
