#!/usr/bin/env python3
"""Generate draft 2020-12 JSON Schemas for the OpenAI Responses API from openapi.yaml (pre-parsed to JSON; path in $SPEC_JSON).

side='request'  -> closed objects (additionalProperties:false) where the spec lists properties
side='response' -> open objects (extra provider fields allowed), known fields typed
Discriminated unions (by `type`) are rewritten into if/then dispatch so errors point into the right branch.
"""
import json, os, re, sys, copy

SPEC = json.load(open(os.environ['SPEC_JSON']))
S = SPEC['components']['schemas']

KEEP_FORMATS = {'uri', 'date', 'date-time', 'email'}
DROP_KEYS = {'discriminator', 'example', 'examples', 'default', 'x-oaiMeta'}


def short(desc):
    if not isinstance(desc, str):
        return desc
    t = desc.strip()
    t = t.split('\n\n')[0]
    t = re.sub(r'\*\*([^*]+)\*\*', r'\1', t)
    t = re.sub(r'\[([^\]]+)\]\([^)]*\)', r'\1', t)
    t = re.sub(r'\s+', ' ', t).strip()
    # first sentence
    m = re.match(r'^(.+?[.!?])(\s|$)', t)
    if m and len(m.group(1)) >= 12:
        t = m.group(1)
    if len(t) > 200:
        t = t[:197].rstrip() + '...'
    return t


def ref_name(r):
    return r.split('/')[-1]


def resolve(s):
    """Follow a bare $ref (possibly with annotation siblings) to the spec schema."""
    seen = 0
    while isinstance(s, dict) and '$ref' in s and seen < 20:
        s = S[ref_name(s['$ref'])]
        seen += 1
    return s


def type_values(branch):
    """(values, required) of the `type` discriminator of an object branch, or None."""
    b = resolve(branch)
    if not isinstance(b, dict):
        return None
    b = flatten_allof(b)
    props = b.get('properties') or {}
    t = props.get('type')
    if t is None:
        return None
    t = resolve(t)
    vals = []

    def collect(x):
        x = resolve(x)
        if x.get('type') == 'null':
            vals.append(None)
        if 'const' in x:
            vals.append(x['const'])
        elif 'enum' in x:
            vals.extend(v for v in x['enum'] if v is not None)
        for k in ('anyOf', 'oneOf'):
            for y in x.get(k, []):
                collect(y)
    collect(t)
    if not [v for v in vals if v is not None]:
        return None
    return vals, 'type' in (b.get('required') or [])


def is_union(s):
    return isinstance(s, dict) and (('oneOf' in s) or ('anyOf' in s)) and 'properties' not in s


def union_branches(s):
    """Flatten nested unions into a list of branch schemas (spec form)."""
    out = []
    for b in s.get('oneOf', []) + s.get('anyOf', []):
        rb = resolve(b)
        if is_union(rb) and not any(x.get('type') == 'null' for x in rb.get('oneOf', []) + rb.get('anyOf', [])):
            # nested union: only flatten if it is itself an object union
            sub = union_branches(rb)
            if all(type_values(x) for x in sub):
                out.extend(sub)
                continue
        out.append(b)
    return out


def flatten_allof(s):
    """Merge allOf of object schemas into one object schema (spec form)."""
    if not isinstance(s, dict) or 'allOf' not in s:
        return s
    parts = [resolve(p) for p in s['allOf']]
    parts = [flatten_allof(p) for p in parts]
    if not all(isinstance(p, dict) and (p.get('type') == 'object' or 'properties' in p) and not is_union(p) for p in parts):
        return s
    out = {k: v for k, v in s.items() if k != 'allOf'}
    out['type'] = 'object'
    props = {}
    req = []
    for p in parts:
        for k, v in (p.get('properties') or {}).items():
            props[k] = v
        for r in p.get('required') or []:
            if r not in req:
                req.append(r)
        for k in ('description', 'title'):
            if k in p and k not in out:
                out[k] = p[k]
    out['properties'] = props
    if req:
        out['required'] = req
    return out


class Gen:
    def __init__(self, side, overrides=None):
        self.side = side
        self.defs = {}
        self.pending = []
        self.overrides = overrides or {}

    def use(self, name):
        if name not in self.defs and name not in self.pending:
            self.pending.append(name)
        return {'$ref': f'#/$defs/{name}'}

    def run(self, roots):
        for r in roots:
            self.use(r)
        while self.pending:
            n = self.pending.pop(0)
            self.defs[n] = None
            self.current = n
            sch = self.conv(S[n], top=n)
            if n in self.overrides:
                sch = self.overrides[n](sch, self)
            self.defs[n] = sch
        return self.defs

    def conv(self, s, top=None):
        if isinstance(s, list):
            return [self.conv(x) for x in s]
        if not isinstance(s, dict):
            return s
        s = flatten_allof(s)
        if is_union(s):
            disp = self.dispatch(s)
            if disp is not None:
                return disp
        out = {}
        for k, v in s.items():
            if k in DROP_KEYS or k.startswith('x-') or k == '$recursiveAnchor':
                continue
            if k == '$ref':
                out['$ref'] = self.use(ref_name(v))['$ref']
            elif k == '$recursiveRef':
                out['$ref'] = f'#/$defs/{self.current}'
            elif k == 'description':
                out[k] = short(v)
            elif k == 'format':
                if v in KEEP_FORMATS:
                    out[k] = v
            elif k == 'properties':
                out[k] = {pk: self.conv(pv) for pk, pv in v.items()}
            elif k in ('items', 'not', 'additionalProperties', 'propertyNames', 'contains', 'if', 'then', 'else'):
                out[k] = self.conv(v) if isinstance(v, dict) else v
            elif k in ('anyOf', 'oneOf', 'allOf', 'prefixItems'):
                # oneOf -> anyOf: the spec's oneOf branches overlap (e.g. EasyInputMessage vs InputMessage)
                kk = 'anyOf' if k == 'oneOf' else k
                out[kk] = [self.conv(x) for x in v]
            elif k == 'enum' and len(v) == 1 and s.get('x-stainless-const'):
                out['const'] = v[0]
            else:
                out[k] = copy.deepcopy(v)
        # a $ref with a sibling 'type: object'/'title' – drop the redundant sibling type
        if '$ref' in out and out.get('type') == 'object' and 'properties' not in out:
            out.pop('type')
            out.pop('title', None)
        if out.get('type') == 'object' and out.get('properties'):
            if self.side == 'request':
                if 'additionalProperties' not in out:
                    out['additionalProperties'] = False
            else:
                if out.get('additionalProperties') is False:
                    del out['additionalProperties']
        if self.side == 'response' and out.get('additionalProperties') is False:
            del out['additionalProperties']
        return out

    def dispatch(self, s):
        branches = union_branches(s)
        obj, other = [], []
        for b in branches:
            tv = type_values(b)
            if tv:
                obj.append((b, tv))
            else:
                rb = resolve(b)
                if rb.get('type') == 'object' or 'properties' in rb:
                    return None  # object branch without discriminator -> cannot dispatch
                other.append(b)
        if len(obj) < 2:
            return None
        by_val = {}
        optional = []
        null_ok = False
        for b, (vals, req) in obj:
            if None in vals:
                null_ok = True
                req = False
            vals = [v for v in vals if v is not None]
            for v in vals:
                by_val.setdefault(v, [])
                if b not in by_val[v]:
                    by_val[v].append(b)
            if not req:
                optional.append(b)
        disp = {'type': 'object'}
        if not optional:
            disp['required'] = ['type']
        disp['properties'] = {'type': {'enum': list(by_val.keys()) + ([None] if null_ok else [])}}
        rules = []
        for v, bs in by_val.items():
            then = self.conv(bs[0]) if len(bs) == 1 else {'anyOf': [self.conv(b) for b in bs]}
            rules.append({'if': {'properties': {'type': {'const': v}}, 'required': ['type']}, 'then': then})
        if optional:
            then = self.conv(optional[0]) if len(optional) == 1 else {'anyOf': [self.conv(b) for b in optional]}
            # absent type (or null, where a branch allows it)
            cond = {'properties': {'type': {'type': 'null'}}} if null_ok else {'not': {'required': ['type']}}
            rules.append({'if': cond, 'then': then})
        disp['allOf'] = rules
        if 'description' in s:
            disp = {'description': short(s['description']), **disp}
        if not other:
            return disp
        others = [self.conv(b) for b in other]
        return {
            **({'description': short(s['description'])} if 'description' in s else {}),
            'if': {'type': 'object'},
            'then': {k: v for k, v in disp.items() if k != 'description'},
            'else': others[0] if len(others) == 1 else {'anyOf': others},
        }


if __name__ == '__main__':
    side, root = sys.argv[1], sys.argv[2]
    g = Gen(side)
    defs = g.run([root])
    print(json.dumps(defs, indent=2)[:2000])
    print(len(defs), len(json.dumps(defs)))
