# ruff: noqa: E501 (a data file: one hostile input per line reads best)
"""The hostile-input corpus, part two: SPARQL text, parameter values and output paths."""

from __future__ import annotations

from fuzz_corpus import Case

# -- SPARQL text -----------------------------------------------------------------------------------

SPARQL_TEXTS = {
    "empty": "",
    "whitespace": "   \n\t ",
    "garbage": "SELEKT ?x WHERE",
    "unclosed-brace": "SELECT * WHERE { ?s ?p ?o",
    "unknown-prefix": "SELECT * WHERE { ?s nope:p ?o }",
    "bad-iri": "SELECT * WHERE { <http://e/a b> ?p ?o }",
    "nul-byte": "SELECT * WHERE { ?s ?p ?o }\x00",
    "control-chars": 'SELECT * WHERE { ?s ?p "\x1b[31m" }',
    "arabic-digit-limit": "SELECT * WHERE { ?s ?p ?o } LIMIT \u0663",
    "underscore-limit": "SELECT * WHERE { ?s ?p ?o } LIMIT 1_000",
    "nan-literal": "SELECT * WHERE { ?s ?p ?o FILTER(?o = NaN) }",
    "deep-parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "deep-groups": "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000,
    "long-union": "SELECT * WHERE { "
    + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(300))
    + " }",
    "insert-data": 'INSERT DATA { <http://e/a> <http://e/p> "x" }',
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "drop-all": "DROP ALL",
    "clear-default": "CLEAR DEFAULT",
    "load-listener": "LOAD <{listener}/data.ttl>",
    "load-example": "LOAD <http://example.org/data.ttl>",
    "create-graph": "CREATE GRAPH <http://e/g>",
    "service-listener": "SELECT * WHERE { SERVICE <{listener}/sparql> { ?s ?p ?o } }",
    "service-silent": "SELECT * WHERE { SERVICE SILENT <{listener}/sparql> { ?s ?p ?o } }",
    "service-variable": "SELECT * WHERE { BIND(<{listener}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "service-example": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "service-lowercase": "select * where { service <{listener}/sparql> { ?s ?p ?o } }",
    "service-nested": "SELECT * WHERE { { SELECT * WHERE { SERVICE <{listener}/s> { ?s ?p ?o } } } }",
    "from-listener": "SELECT * FROM <{listener}/graph> WHERE { ?s ?p ?o }",
    "from-named-listener": "SELECT * FROM NAMED <{listener}/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "describe-listener": "DESCRIBE <{listener}/thing>",
    "comment-only": "# SELECT * WHERE { ?s ?p ?o }",
    "two-queries": "SELECT * WHERE { ?s ?p ?o } SELECT * WHERE { ?s ?p ?o }",
    "base-listener": "BASE <{listener}/> SELECT * WHERE { <x> ?p ?o }",
    "huge-literal": 'SELECT * WHERE { ?s ?p "' + "x" * 200_000 + '" }',
    "values-bad-iri": "SELECT * WHERE { VALUES ?x { <a b> } }",
    "regex-bomb": 'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(a+)+$")) } LIMIT 1',
    "bind-unicode": 'SELECT ?x WHERE { BIND("\u0663\u202e\ufeff" AS ?x) }',
    "ask-ok": "ASK { ?s ?p ?o }",
    "construct-ok": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
}


def sparql_cases() -> list[Case]:
    cases = [Case(f"sparql-{label}", ("query", "-q", text)) for label, text in SPARQL_TEXTS.items()]
    cases += [
        Case(
            "sparql-file-service",
            ("query", "service.rq"),
            {"service.rq": SPARQL_TEXTS["service-listener"].encode()},
        ),
        Case("sparql-file-binary", ("query", "binary.rq"), {"binary.rq": bytes(range(256))}),
        Case(
            "sparql-file-latin1",
            ("query", "latin1.rq"),
            {"latin1.rq": 'SELECT * WHERE { ?s ?p "\u00e9" }'.encode("latin-1")},
        ),
        Case("sparql-file-missing", ("query", "missing.rq")),
        Case("sparql-unknown-name", ("query", "no-such-query")),
        Case("sparql-name-with-slash", ("query", "../etc/passwd")),
    ]
    return cases


# -- Parameters ------------------------------------------------------------------------------------

#: Hostile values for every kind of parameter (issue 13 item 1 and its neighbours).
PARAM_VALUES = {
    "injection-close-brace": "1976 } ; DROP ALL ; #",
    "injection-union": "2000 } UNION { ?s ?p ?o",
    "injection-quote": '" } SELECT * WHERE { ?s ?p ?o } #',
    "injection-iri": "https://w3id.org/imet-kg/id/faa/section-543> } SERVICE <{listener}/x> { ?s ?p ?o",
    "injection-service": "<{listener}/sparql>",
    "injection-comment": "1976 # comment",
    "nul": "19\x0076",
    "escape-sequence": "\x1b[31m1976",
    "newline": "1976\n2000",
    "tab": "\t1976",
    "arabic-digit": "\u0663",
    "underscore": "1_000",
    "nan": "NaN",
    "infinity": "inf",
    "negative-zero": "-0",
    "huge-integer": "9" * 400,
    "float": "1976.5",
    "exponent": "1e3",
    "empty": "",
    "spaces": "   ",
    "bad-date": "2023-02-30",
    "zero-date": "0000-00-00",
    "date-with-time": "1991-01-01T00:00:00",
    "iri-with-space": "https://w3id.org/imet-kg/id/faa/section 546",
    "iri-with-newline": "https://w3id.org/imet-kg/id/faa/section-546\nx",
    "iri-in-brackets": "<https://w3id.org/imet-kg/id/faa/section-546>",
    "javascript-iri": "javascript:alert(1)",
    "listener-iri": "{listener}/section",
    "relative-iri": "../section-546",
    "rtl-override": "\u202e543",
    "long": "5" * 100_000,
}

PARAMETERS = (
    ("funding-change", "from"),
    ("funding-change", "kind"),
    ("section-as-of", "date"),
    ("section-text", "section"),
)


def parameter_cases() -> list[Case]:
    cases = []
    for query, name in PARAMETERS:
        for label, value in PARAM_VALUES.items():
            cases.append(
                Case(f"param-{query}-{name}-{label}", ("query", query, "-p", f"{name}={value}"))
            )
    cases += [
        Case("param-no-equals", ("query", "funding-change", "-p", "from")),
        Case("param-no-name", ("query", "funding-change", "-p", "=1976")),
        Case("param-unknown-name", ("query", "funding-change", "-p", "nope=1")),
        Case("param-on-query-without-params", ("query", "crosswalk", "-p", "x=1")),
    ]
    return cases


# -- Output paths ----------------------------------------------------------------------------------

OUTPUT_PATHS = {
    "empty": "",
    "a-folder": "folder",
    "under-a-file": "blocker/out.{ext}",
    "deep-under-a-file": "blocker/a/b/out.{ext}",
    "with-spaces": "my results/out put.{ext}",
    "with-newline": "out\nput.{ext}",
    "dot": ".",
    "too-long-name": "x" * 300 + ".{ext}",
    "trailing-slash": "newdir/",
    "control-chars": "out\x1b.{ext}",
}


def output_cases() -> list[Case]:
    files = {"blocker": b"an ordinary file", "folder/keep": b"kept"}
    commands = {
        "query": (("query", "purposes", "-o"), "csv"),
        "query-construct": (("query", "program-card", "-o"), "ttl"),
        "chart": (("chart", "-o"), "svg"),
        "validate-file": (("validate", "--alone", "input.ttl", "--format", "json"), None),
    }
    cases = []
    for command, (args, ext) in commands.items():
        if ext is None:
            continue
        for label, path in OUTPUT_PATHS.items():
            if command == "chart" and label not in ("empty", "a-folder", "under-a-file"):
                continue  # the chart is drawn before it is written: a second each
            target = path.format(ext=ext)
            cases.append(Case(f"out-{command}-{label}", (*args, target), dict(files), (target,)))
    for label in ("a-folder", "under-a-file", "empty", "dot"):
        target = OUTPUT_PATHS[label].format(ext="ttl")
        cases.append(Case(f"out-export-{label}", ("export", "-o", target), dict(files), (target,)))
    for label, target in (("a-file", "blocker"), ("under-a-file", "blocker/site"), ("empty", "")):
        cases.append(Case(f"out-site-{label}", ("site", "--out", target), dict(files)))
    foreign = dict(files) | {"mine/thesis.tex": b"not a site"}
    cases.append(Case("out-site-foreign-folder", ("site", "--out", "mine"), foreign))
    for label, target in (
        ("a-file", "blocker"),
        ("under-a-file", "blocker/dist"),
        ("foreign-folder", "mine"),
    ):
        cases.append(Case(f"out-build-{label}", ("build", "--out", target), foreign))
    return cases
