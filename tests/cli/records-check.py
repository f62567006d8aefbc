#!/usr/bin/env python3
# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# records-check.py DOC DIR...: every field of every record stream (*.jsonl)
# and of summary.json and manifest.json found under the extracted archives
# DIR... must be listed in DOC (docs/records.md) under that entry's
# heading. Prints one line per undocumented field and exits 1 if any;
# "checked N entries, M fields" on success. Top-level keys, and nested
# objects' keys two levels down (parent.child, parent[].child), are
# checked; "parent.*" in the doc covers any key under parent; NAME_b64 is
# covered by NAME (the raw bytes of a non-UTF-8 NAME).
import json, os, re, sys

def load_doc(path):
    doc, cur = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^## (\S+)\s*$", line)
        if m:
            cur = doc.setdefault(m.group(1), set())
            continue
        m = re.match(r"^- `([^`]+)` \(", line)
        if m and cur is not None:
            cur.add(m.group(1))
    return doc

def heading(rel):
    # memory/1234/maps.jsonl -> memory/PID/maps.jsonl
    rel = re.sub(r"^memory/[0-9]+/", "memory/PID/", rel)
    return re.sub(r"^containers/[^/]+/", "containers/ID/", rel)

def walk(v, pre, out, depth):
    if isinstance(v, dict):
        for k, x in v.items():
            out.add(pre + k)
            if depth < 2:
                walk(x, pre + k + ".", out, depth + 1)
    elif isinstance(v, list):
        for x in v[:200]:
            if isinstance(x, dict):
                walk(x, pre[:-1] + "[].", out, depth)

def documented(name, fields):
    if name in fields:
        return True
    if name.endswith("_b64") and name[:-4] in fields:
        return True
    parts = re.split(r"(?<=[^\[])\.|\[\]\.", name)
    seps = re.findall(r"\[\]\.|(?<=[^\[])\.", name)
    prefix = ""
    for i, p in enumerate(parts[:-1]):
        prefix += p + seps[i]
        if prefix + "*" in fields or prefix.rstrip(".") + ".*" in fields:
            return True
    return False

def main():
    doc = load_doc(sys.argv[1])
    bad, nent, nfields = [], set(), 0
    for d in sys.argv[2:]:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                p = os.path.join(root, f)
                rel = os.path.relpath(p, d)
                if rel.startswith("files/"):
                    continue
                keys = set()
                if f.endswith(".jsonl") or f == "collection.log":
                    with open(p, "rb") as fh:
                        for line in fh:
                            try:
                                r = json.loads(line)
                            except ValueError:
                                bad.append("%s: a line is not JSON" % rel)
                                continue
                            walk(r, "", keys, 0)
                elif f in ("summary.json", "manifest.json"):
                    walk(json.load(open(p, "rb")), "", keys, 0)
                else:
                    continue
                h = heading(rel)
                nent.add(h)
                fields = doc.get(h)
                if fields is None:
                    bad.append("%s: no '## %s' heading" % (rel, h))
                    continue
                for k in sorted(keys):
                    nfields += 1
                    if not documented(k, fields):
                        bad.append("%s: field '%s' not documented" % (h, k))
    for b in sorted(set(bad)):
        print(b)
    if bad:
        return 1
    print("checked %d entries, %d fields" % (len(nent), nfields))
    return 0

sys.exit(main())
