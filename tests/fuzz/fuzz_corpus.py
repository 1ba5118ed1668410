# ruff: noqa: E501 (a data file: one hostile input per line reads best)
"""The hostile-input corpus: command lines and files, generated deterministically (fixed seeds).

Each :class:`Case` is one ``imet-kg`` command line and the files it needs, written into a fresh
work folder. ``{listener}`` in an argument or a file stands for ``http://127.0.0.1:<port>`` of a
local server that counts connections (none must reach it), ``{work}`` for the work folder.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

EX = "http://example.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SEED = 20261202


@dataclass(frozen=True)
class Case:
    """One command line (arguments after ``imet-kg``) and the files it reads."""

    name: str
    args: tuple[str, ...]
    files: dict[str, bytes] = field(default_factory=dict)
    #: Files the command would write: on failure none of them may exist afterwards.
    outputs: tuple[str, ...] = ()


# -- RDF files ------------------------------------------------------------------------------------

VALID = {
    ".ttl": f'@prefix ex: <{EX}> .\nex:a ex:p "one" , ex:b ; ex:q ( 1 2 3 ) .\nex:b ex:r [ ex:s "x"@en ] .\n',
    ".nt": f'<{EX}a> <{EX}p> "one" .\n<{EX}a> <{EX}q> _:b .\n_:b <{EX}s> "x"@en .\n',
    ".nq": f'<{EX}a> <{EX}p> "one" <{EX}g> .\n<{EX}a> <{EX}q> "two" .\n',
    ".trig": f'@prefix ex: <{EX}> .\nex:g {{ ex:a ex:p "one" ; ex:q ex:b . }}\nex:a ex:r "d" .\n',
    ".jsonld": '{"@context": {"ex": "'
    + EX
    + '"}, "@id": "ex:a", "ex:p": [{"@value": "one"}, {"@id": "ex:b"}]}\n',
    ".rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        f' xmlns:ex="{EX}">\n <rdf:Description rdf:about="{EX}a">\n  <ex:p>one</ex:p>\n'
        f'  <ex:q rdf:resource="{EX}b"/>\n </rdf:Description>\n</rdf:RDF>\n'
    ),
    ".n3": f'@prefix ex: <{EX}> .\nex:a ex:p "one" .\n{{ ex:a ex:p ?x }} => {{ ex:a ex:q ?x }} .\n',
}


def _validate(name: str, path: str, data: bytes) -> Case:
    return Case(name, ("validate", "--alone", path), {path: data})


def _mutations(suffix: str, text: str, rng: random.Random) -> list[tuple[str, bytes]]:
    data = text.encode()
    made = [
        ("empty", b""),
        ("nul-bytes", data.replace(b" ", b"\x00", 2)),
        ("latin1", data.replace(b"one", "\u00e9t\u00e9".encode("latin-1"))),
        ("utf16", text.encode("utf-16")),
        ("binary", bytes(rng.randrange(256) for _ in range(512))),
        ("gzip-magic", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(64))),
    ]
    if suffix in (".ttl", ".nt", ".jsonld"):
        # Mostly still valid, so validated in full (the slow path): three formats are enough.
        made += [
            ("bom", b"\xef\xbb\xbf" + data),
            ("crlf-and-cr", data.replace(b"\n", b"\r\n", 1).replace(b"\n", b"\r")),
            ("unicode-line-separator", data.replace(b"one", "o\u2028n\u0085e".encode())),
            ("control-chars", data.replace(b"one", b"o\x1b[31mne\x07")),
        ]
    for cut in sorted(rng.sample(range(1, len(data)), 6)):
        made.append((f"truncated-{cut}", data[:cut]))
    for flip in range(6):
        mutated = bytearray(data)
        position = rng.randrange(len(mutated))
        mutated[position] = rng.choice(b'<>"{}[]()@.;,\\^_:#%\x00\xff')
        made.append((f"flipped-{flip}-{position}", bytes(mutated)))
    return made


def rdf_file_cases() -> list[Case]:
    rng = random.Random(SEED)
    cases = []
    for suffix, text in VALID.items():
        kind = suffix.lstrip(".")
        for label, data in _mutations(suffix, text, rng):
            cases.append(_validate(f"{kind}-{label}", f"input{suffix}", data))
    cases += [
        _validate("unknown-extension", "input.txt", b"<a> <b> <c> ."),
        _validate("no-extension", "input", b"<a> <b> <c> ."),
        Case("missing-file", ("validate", "--alone", "absent.ttl")),
        Case("directory-as-input", ("validate", "--alone", "folder.ttl"), {"folder.ttl/x": b""}),
        _validate("json-suffix-not-jsonld", "input.json", b'{"a": [1, 2, {"b": null}]}'),
        _validate("owl-suffix-turtle-inside", "input.owl", VALID[".ttl"].encode()),
        _validate("xml-suffix-html-inside", "input.xml", b"<html><body>hi</body></html>"),
        _validate("jsonld-top-level-string", "input.jsonld", b'"just a string"'),
        _validate("jsonld-top-level-number", "input.jsonld", b"42"),
        _validate("jsonld-null-context", "input.jsonld", b'{"@context": null, "@id": "_:a"}'),
        _validate("ttl-relative-iri", "input.ttl", b"<a> <b> <c> ."),
        _validate("nt-relative-iri", "input.nt", b"<a> <b> <c> ."),
        _validate("ttl-undeclared-prefix", "input.ttl", b"ex:a ex:b ex:c ."),
        _validate("ttl-iri-with-space", "input.ttl", f"<{EX}a b> <{EX}p> 1 .".encode()),
        _validate("nt-iri-with-newline", "input.nt", f"<{EX}a\nb> <{EX}p> 1 .".encode()),
        _validate(
            "nt-rdf12-triple-term",
            "input.nt",
            f"<{EX}a> <{EX}p> <<( <{EX}s> <{EX}p> <{EX}o> )>> .".encode(),
        ),
        _validate("nt-base-direction", "input.nt", f'<{EX}a> <{EX}p> "x"@en--rtl .'.encode()),
        _validate(
            "ttl-bad-datatype-value",
            "input.ttl",
            f'<{EX}a> <{EX}p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .'.encode(),
        ),
        _validate(
            "ttl-bad-date",
            "input.ttl",
            f'<{EX}a> <{EX}p> "2023-02-30"^^<http://www.w3.org/2001/XMLSchema#date> .'.encode(),
        ),
    ]
    return cases


# -- Deep, huge and long ---------------------------------------------------------------------------


def _nested_rdfxml(depth: int, numbered: bool) -> bytes:
    body = "<e:p>leaf</e:p>"
    for level in range(depth):
        number = f"<e:n>{level}</e:n>" if numbered else ""
        body = f"<e:p><rdf:Description>{number}{body}</rdf:Description></e:p>"
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        f'<rdf:Description rdf:about="http://e/s">{body}</rdf:Description></rdf:RDF>\n'
    ).encode()


def size_cases() -> list[Case]:
    big = "x" * (1024 * 1024)
    items = " ".join(str(i) for i in range(2000))
    return [
        _validate(
            "jsonld-100k-deep",
            "deep.jsonld",
            b'{"http://e/p": ' * 100_000 + b'"x"' + b"}" * 100_000,
        ),
        _validate(
            "jsonld-2k-deep", "deep.jsonld", b'{"http://e/p": ' * 2000 + b'"x"' + b"}" * 2000
        ),
        _validate(
            "jsonld-100k-deep-arrays",
            "deep.jsonld",
            b'{"http://e/p": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        ),
        _validate(
            "ttl-5k-deep-blank-nodes",
            "deep.ttl",
            f"<{EX}a> <{EX}p> ".encode()
            + f"[ <{EX}p> ".encode() * 5000
            + b'"x"'
            + b" ]" * 5000
            + b" .",
        ),
        _validate(
            "ttl-5k-deep-lists",
            "deep.ttl",
            f"<{EX}a> <{EX}p> ".encode() + b"( " * 5000 + b")" * 5000 + b" .",
        ),
        _validate(
            "trig-2k-deep-blank-nodes",
            "deep.trig",
            f"<{EX}g> {{ <{EX}a> <{EX}p> ".encode()
            + f"[ <{EX}p> ".encode() * 2000
            + b"1"
            + b" ]" * 2000
            + b" . }",
        ),
        _validate("rdfxml-300-deep-alike", "deep.rdf", _nested_rdfxml(300, numbered=False)),
        _validate("rdfxml-300-deep-distinct", "deep.rdf", _nested_rdfxml(300, numbered=True)),
        _validate("rdfxml-5k-deep-elements", "deep.rdf", b"<a>" * 5000 + b"</a>" * 5000),
        _validate("nt-1mb-literal", "big.nt", f'<{EX}a> <{EX}p> "{big}" .\n'.encode()),
        _validate("nq-1mb-literal", "big.nq", f'<{EX}a> <{EX}p> "{big}" <{EX}g> .\n'.encode()),
        _validate("ttl-1mb-long-literal", "big.ttl", f'<{EX}a> <{EX}p> """{big}""" .\n'.encode()),
        _validate(
            "jsonld-1mb-literal",
            "big.jsonld",
            ('{"@id": "http://e/a", "http://e/p": "' + big + '"}').encode(),
        ),
        _validate("nt-1mb-iri", "big.nt", f"<{EX}{big}> <{EX}p> 1 .\n".encode()),
        _validate("nt-unterminated-1mb-literal", "big.nt", f'<{EX}a> <{EX}p> "{big}\n'.encode()),
        _validate("ttl-2000-item-list", "list.ttl", f"<{EX}a> <{EX}p> ( {items} ) .\n".encode()),
        _validate(
            "ttl-2000-equal-items-list",
            "list.ttl",
            f"<{EX}a> <{EX}p> ( {'0 ' * 2000}) .\n".encode(),
        ),
        _validate(
            "nt-5k-lines",
            "many.nt",
            b"".join(f'<{EX}s{i}> <{RDFS_LABEL}> "{i}" .\n'.encode() for i in range(20000)),
        ),
    ]


# -- DTDs and entities, remote contexts -----------------------------------------------------------


def _rdfxml_with_dtd(declarations: str, body: str = "&e;") -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{declarations}\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
        f'<rdf:Description rdf:about="http://e/s"><ex:p>{body}</ex:p></rdf:Description></rdf:RDF>\n'
    ).encode()


def entity_and_context_cases() -> list[Case]:
    laughs = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    quadratic = f'<!ENTITY e "{"x" * 100_000}">'
    dtds = {
        "billion-laughs": ("\n".join(laughs), "&l9;"),
        "quadratic-blowup": (quadratic, "&e;" * 2000),
        "external-file": ('<!ENTITY e SYSTEM "file:///etc/passwd">', "&e;"),
        "external-listener": ('<!ENTITY e SYSTEM "{listener}/entity">', "&e;"),
        "external-public": ('<!ENTITY e PUBLIC "-//X//Y" "{listener}/public">', "&e;"),
        "parameter-entity": ('<!ENTITY % p SYSTEM "{listener}/dtd"> %p;', "x"),
        "undefined-entity": ("", "&nope;"),
        "namespace-entity-ok": ('<!ENTITY ex "http://e/">', "&ex;"),
        "external-dtd": ("", "x"),
    }
    cases = []
    for label, (declarations, body) in dtds.items():
        data = _rdfxml_with_dtd(declarations, body)
        if label == "external-dtd":
            data = data.replace(b"[\n\n]>", b'SYSTEM "{listener}/rdf.dtd">')
        cases.append(_validate(f"rdfxml-{label}", "input.rdf", data))
    contexts = {
        "listener-string": '"{listener}/context.jsonld"',
        "example-string": '"http://example.org/context.jsonld"',
        "https-string": '"https://schema.org/"',
        "list-with-string": '[{"ex": "http://e/"}, "{listener}/c2"]',
        "relative-string": '"context.jsonld"',
        "file-string": '"file:///etc/passwd"',
        "scoped-in-term": '{"t": {"@id": "http://e/t", "@context": "{listener}/scoped"}}',
        "import": '{"@import": "{listener}/import", "ex": "http://e/"}',
        "nested-in-node": None,
    }
    for label, context in contexts.items():
        if context is None:
            text = '{"@id": "http://e/a", "http://e/p": {"@context": "{listener}/inner", "@id": "http://e/b"}}'
        else:
            text = '{"@context": ' + context + ', "@id": "http://e/a", "http://e/p": "x"}'
        cases.append(_validate(f"jsonld-context-{label}", "input.jsonld", text.encode()))
    return cases


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


def all_cases() -> list[Case]:
    """The whole corpus, in a fixed order."""
    return [
        *rdf_file_cases(),
        *size_cases(),
        *entity_and_context_cases(),
        *sparql_cases(),
        *parameter_cases(),
        *output_cases(),
    ]
