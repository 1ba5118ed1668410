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
    # A long function: one list of inputs, one per line as the formatter allows.
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


def all_cases() -> list[Case]:
    """The whole corpus, in a fixed order."""
    from fuzz_commands import output_cases, parameter_cases, sparql_cases

    return [
        *rdf_file_cases(),
        *size_cases(),
        *entity_and_context_cases(),
        *sparql_cases(),
        *parameter_cases(),
        *output_cases(),
    ]
