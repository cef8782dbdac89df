"""Semantic checks of a loaded catalog: models, columns, references, cycles.

SQL snippets are parsed with sqlglot in DuckDB's dialect; a column a snippet
names must exist in its measure's model.
"""

from __future__ import annotations

from dataclasses import replace

import sqlglot
from sqlglot import exp

from telekpi.catalog.snippets import expand, placeholder_problems
from telekpi.errors import Issue
from telekpi.i18n import _
from telekpi.settings import Settings


def _snippet_issues(snippet: str, allowed: set[str], what: str, where) -> list[Issue]:
    issues = [Issue("error", where.file, where.line, f"{what}: {p}")  # a label, then a sentence
              for p in placeholder_problems(snippet)]
    if issues:
        return issues
    try:
        tree = sqlglot.parse_one(expand(snippet, Settings(), "NULL"), read="duckdb")
    except sqlglot.errors.ParseError as e:
        first = str(e).splitlines()[0]
        return [Issue("error", where.file, where.line,
                      _("{what}: not valid SQL ({error})").format(what=what, error=first))]
    if tree.find(exp.Select, exp.Subquery):
        return [Issue("error", where.file, where.line,
                      _("{what}: subqueries are not allowed").format(what=what))]
    for col in tree.find_all(exp.Column):
        if col.table:
            issues.append(Issue("error", where.file, where.line,
                                _("{what}: write {column} without a table prefix").format(
                                    what=what, column=repr(col.name))))
        elif col.name not in allowed:
            issues.append(Issue("error", where.file, where.line,
                                _("{what}: unknown column {column}; expected one of: {columns}").format(
                                    what=what, column=repr(col.name), columns=", ".join(sorted(allowed)))))
    return issues


_ARITHMETIC = (exp.Column, exp.Identifier, exp.Literal, exp.Paren, exp.Add, exp.Sub, exp.Mul,
               exp.Div, exp.Neg)


def derived_references(expr: str) -> set[str]:
    tree = sqlglot.parse_one(expr, read="duckdb")
    return {c.name for c in tree.find_all(exp.Column)}


def derived_problem(expr: str) -> str | None:
    """Derived metrics are arithmetic over ids and numbers, so every engine can compute them."""
    for node in sqlglot.parse_one(expr, read="duckdb").walk():
        if not isinstance(node, _ARITHMETIC):
            return _("only + - * / ( ) and numbers over metric and measure ids are allowed, "
                     "not {sql}").format(sql=repr(node.sql()))
    return None


def _applicability_issues(spec, owner: str) -> list[Issue]:
    """``not_by`` names dimensions and carries a ``reason``; ``kinds`` names kinds of work."""
    from telekpi.catalog.models import DIMENSIONS
    from telekpi.catalog.spec import KINDS

    w, issues = spec.where, []
    for d in spec.not_by:
        if d not in DIMENSIONS:
            issues.append(Issue("error", w.file, w.at("not_by"),
                                _("{owner}: not_by names {name}, which is no dimension; expected "
                                  "one of: {allowed}").format(owner=owner, name=repr(d),
                                                              allowed=", ".join(DIMENSIONS))))
    if spec.not_by and not spec.reason:
        issues.append(Issue("error", w.file, w.at("not_by"),
                            _("{owner}: not_by needs a reason, the sentence people read where "
                              "the value is missing").format(owner=owner)))
    for k in getattr(spec, "kinds", ()):
        if k not in KINDS:
            issues.append(Issue("error", w.file, w.at("kinds"),
                                _("{owner}: unknown kind of work {name}; expected one of: "
                                  "{allowed}").format(owner=owner, name=repr(k),
                                                      allowed=", ".join(KINDS))))
    return issues


def validate_catalog(catalog) -> list[Issue]:
    from telekpi.catalog.models import MODELS

    issues: list[Issue] = []
    for m in catalog.measures.values():
        w = m.where
        issues.extend(_applicability_issues(m, _("measure {id}").format(id=m.id)))
        model = MODELS.get(m.model)
        if model is None:
            issues.append(Issue("error", w.file, w.at("model"),
                                _("measure {id}: unknown model {model}; expected one of: {models}").format(
                                    id=m.id, model=repr(m.model), models=", ".join(MODELS))))
            continue
        allowed = set(model.columns)
        if m.agg != "count" and not m.expr:
            issues.append(Issue("error", w.file, w.line,
                                _("measure {id}: {agg} needs an expr").format(id=m.id, agg=m.agg)))
        for part, snippet in (("expr", m.expr), ("filter", m.filter)):
            if snippet:
                issues += _snippet_issues(snippet, allowed,
                                          _("measure {id} {key}").format(id=m.id, key=part),
                                          replace(w, line=w.at(part)))

    names = set(catalog.metrics) | set(catalog.measures)
    for mt in catalog.metrics.values():
        w = mt.where
        issues.extend(_applicability_issues(mt, _("metric {id}").format(id=mt.id)))

        def need(ref, role, pool=catalog.measures, mt=mt, w=w):
            if not ref:
                issues.append(Issue("error", w.file, w.line,
                                    _("metric {id}: needs a {key}").format(id=mt.id, key=role)))
            elif ref not in pool:
                issues.append(Issue("error", w.file, w.at(role),
                                    _("metric {id}: {key} {ref} is not a measure").format(
                                        id=mt.id, key=role, ref=repr(ref))))

        if mt.type in ("simple", "growth"):
            need(mt.measure, "measure")
        elif mt.type == "ratio":
            need(mt.numerator, "numerator")
            need(mt.denominator, "denominator")
        elif mt.type == "derived":
            w = replace(w, line=w.at("expr"))
            if not mt.expr:
                issues.append(Issue("error", w.file, w.line,
                                    _("metric {id}: derived needs an expr").format(id=mt.id)))
                continue
            try:
                refs = derived_references(mt.expr)
            except sqlglot.errors.ParseError as e:
                issues.append(Issue("error", w.file, w.line,
                                    _("metric {id}: expr is not valid SQL ({error})").format(
                                        id=mt.id, error=str(e).splitlines()[0])))
                continue
            problem = derived_problem(mt.expr)
            if problem:
                issues.append(Issue("error", w.file, w.line,
                                    _("metric {id}: expr: {problem}").format(id=mt.id, problem=problem)))
            for r in sorted(refs - names):
                issues.append(Issue("error", w.file, w.line,
                                    _("metric {id}: expr names {name}, which is no metric or measure").format(
                                        id=mt.id, name=repr(r))))
    issues += _cycles(catalog)
    return issues


def _cycles(catalog) -> list[Issue]:
    issues = []
    derived = {m.id: m for m in catalog.metrics.values() if m.type == "derived" and m.expr}

    def visit(mid: str, path: tuple[str, ...]) -> None:
        if mid in path:
            m = derived[path[0]]
            issues.append(Issue("error", m.where.file, m.where.at("expr"),
                                _("metric {id}: refers to itself through {path}").format(
                                    id=path[0], path=" → ".join(path + (mid,)))))
            return
        if mid not in derived:
            return
        try:
            refs = derived_references(derived[mid].expr)
        except sqlglot.errors.ParseError:
            return
        for r in sorted(refs):
            visit(r, path + (mid,))

    for mid in derived:
        visit(mid, ())
    seen, out = set(), []
    for i in issues:
        if i.message not in seen:
            seen.add(i.message)
            out.append(i)
    return out
