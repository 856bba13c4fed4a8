#!/usr/bin/env python3
"""An independent GraphQL client checks soapbridge's /graphql (graphql-core, not async-graphql).

Usage: check_schema.py URL QUERIES.json

Runs the standard introspection query against URL, rebuilds the schema from the answer
(build_client_schema), and validates each query of QUERIES.json against it: a JSON object
{"valid": [query, ...], "invalid": [query, ...]}. Prints one line per check and a closing
'N passed, N failed'; exits 1 when any check fails, 2 when it cannot run.
"""

import json
import sys
import urllib.request

try:
    from graphql import (
        build_client_schema,
        get_introspection_query,
        parse,
        print_schema,
        validate,
    )
except ImportError as e:  # the Rust test says how to install it
    print(f"graphql-core is missing: {e}", file=sys.stderr)
    sys.exit(2)


def post(url, query):
    req = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def main():
    url, queries_path = sys.argv[1], sys.argv[2]
    with open(queries_path, encoding="utf-8") as f:
        queries = json.load(f)
    passed = failed = 0
    answer = post(url, get_introspection_query(descriptions=True))
    if answer.get("errors"):
        print(f"FAIL introspection: {answer['errors']}")
        print("0 passed, 1 failed")
        return 1
    schema = build_client_schema(answer["data"])
    sdl = print_schema(schema)
    print(f"ok schema rebuilt: {len(schema.type_map)} types, {len(sdl)} bytes of SDL")
    passed += 1
    for q in queries.get("valid", []):
        errors = validate(schema, parse(q))
        if errors:
            failed += 1
            print(f"FAIL should be valid: {q!r}: {[e.message for e in errors]}")
        else:
            passed += 1
            print(f"ok valid: {q!r}")
    for q in queries.get("invalid", []):
        errors = validate(schema, parse(q))
        if errors:
            passed += 1
            print(f"ok invalid: {q!r}: {errors[0].message}")
        else:
            failed += 1
            print(f"FAIL should be invalid: {q!r}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
