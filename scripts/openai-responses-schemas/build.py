#!/usr/bin/env python3
"""Build schemas/openai-responses/{request,response,stream-event}.json from the spec + reality fixes."""
import json, copy, os
import gen as genmod
from gen import Gen, short

SPEC_S = genmod.S

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'schemas', 'openai-responses')
SCHEMA = 'https://json-schema.org/draft/2020-12/schema'


def build(side, root_name, fixes, header, spec_patches=()):
    # spec patches change the spec itself before conversion (needed when they affect union dispatch)
    genmod.S = copy.deepcopy(SPEC_S)
    for p in spec_patches:
        p(genmod.S)
    S = genmod.S
    g = Gen(side)
    g.current = root_name
    root = g.conv(S[root_name], top=root_name)
    while g.pending:
        n = g.pending.pop(0)
        g.defs[n] = None
        g.current = n
        g.defs[n] = g.conv(S[n], top=n)
    for f in fixes:
        f(root, g)
    # drain defs newly referenced by fixes
    while g.pending:
        n = g.pending.pop(0)
        g.defs[n] = None
        g.current = n
        g.defs[n] = g.conv(S[n], top=n)
    root.pop('title', None)
    root.pop('description', None)
    doc = {'$schema': SCHEMA, **header, **root, '$defs': dict(sorted(g.defs.items()))}
    return doc


def write(name, doc):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write('\n')


# ---------------------------------------------------------------- helpers

def nonnull(s):
    """The non-null branch of an `anyOf [X, null]`, else s."""
    if 'anyOf' in s:
        for b in s['anyOf']:
            if b.get('type') != 'null':
                return b
    return s


def relax_required(obj, *names):
    req = [r for r in obj.get('required', []) if r not in names]
    if req:
        obj['required'] = req
    else:
        obj.pop('required', None)


# exec fixes module (kept separate so it can grow)
exec(open(os.path.join(HERE, 'fixes.py')).read())

if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    write('request.json', build('request', 'CreateResponse', REQUEST_FIXES, {
        '$id': 'openai-responses/request',
        'title': 'OpenAI Responses API: create-response request body',
        'description': 'Body of POST /v1/responses (spec schema CreateResponse). Closed objects: unknown fields are rejected, as the real API answers 400 "Unknown parameter".',
    }, REQUEST_SPEC_PATCHES))
    write('response.json', build('response', 'Response', RESPONSE_FIXES, {
        '$id': 'openai-responses/response',
        'title': 'OpenAI Responses API: Response object',
        'description': 'The Response object returned by POST /v1/responses (stream: false) and carried by response.* lifecycle stream events (spec schema Response). Known fields are typed; extra provider fields (e.g. Azure content_filters) are allowed.',
    }, RESPONSE_SPEC_PATCHES))
    write('stream-event.json', build('response', 'ResponseStreamEvent', STREAM_FIXES, {
        '$id': 'openai-responses/stream-event',
        'title': 'OpenAI Responses API: one server-sent stream event',
        'description': 'The JSON data of one SSE event of a streamed response (spec union ResponseStreamEvent plus events seen in real traffic), discriminated by `type`. The SSE `event:` name equals `type`.',
    }, RESPONSE_SPEC_PATCHES))
