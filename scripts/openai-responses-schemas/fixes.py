# Fixes applied on top of the spec. Each documents why. (exec'd inside build.py)

NOTE_REALITY = ' (relaxed: real traffic differs from the spec)'


def nullable(s):
    """Wrap s so that it also accepts null (no-op when already nullable)."""
    if 'anyOf' in s and any(b.get('type') == 'null' for b in s['anyOf']):
        return s
    desc = s.pop('description', None) if isinstance(s, dict) else None
    out = {'anyOf': [s, {'type': 'null'}]}
    if desc:
        out = {'description': desc, **out}
    return out


def add_note(s, note):
    s['description'] = (s.get('description', '') + note).strip()


# ------------------------------------------------------------------ shared (both sides)

def output_text_logprobs_optional(root, g):
    # Spec requires output_text.logprobs; older recordings (and SDK replays of them) omit it.
    d = g.defs.get('OutputTextContent')
    if d:
        relax_required(d, 'logprobs')


# ------------------------------------------------------------------ request

def req_function_tool(root, g):
    ft = g.defs['FunctionTool']
    ft['properties']['name'].update({'minLength': 1, 'maxLength': 64, 'pattern': '^[a-zA-Z0-9_-]+$'})
    # Spec lists strict and parameters as required (nullable); the API accepts them omitted.
    relax_required(ft, 'strict', 'parameters')


def req_metadata(root, g):
    m = nonnull(g.defs['Metadata'])
    m['maxProperties'] = 16
    m['propertyNames'] = {'maxLength': 64}
    m['additionalProperties'] = {'type': 'string', 'maxLength': 512}


def req_client_metadata(root, g):
    # Not in the spec; sent by the Codex CLI on every request (clients/codex/*).
    root['properties']['client_metadata'] = {
        'description': 'Client-supplied string map. Not in the OpenAI spec; sent by the Codex CLI.',
        'type': 'object',
        'additionalProperties': {'type': 'string'},
    }


def req_input_message_id(root, g):
    # The Codex CLI sends `id` on developer/user messages it replays (spec InputMessage has no id).
    d = g.defs['InputMessage']
    d['properties'] = {'id': {'description': 'Item id. Not in the spec for input messages; sent by the Codex CLI.', 'type': 'string'}, **d['properties']}


def req_function_call_status_null(root, g):
    # pydantic-ai replays function_call items with "status": null and the API answers 200.
    d = g.defs['FunctionToolCall']
    d['properties']['status'] = nullable(d['properties']['status'])


def req_web_search_content_types(root, g):
    # The Codex CLI sends web_search.search_content_types (the spec has it only on web_search_preview).
    d = g.defs['WebSearchTool']
    d['properties']['search_content_types'] = {
        'description': 'Content types to search (text, image). Not in the spec for web_search; sent by the Codex CLI.',
        'type': 'array',
        'items': g.use('SearchContentType'),
    }


def req_function_call_output_call_id(root, g):
    # The spec makes call_id optional and nullable; a function_call_output is meaningless without it
    # (the API answers 400 "Missing required parameter"), so the gateway must always send it.
    d = g.defs['FunctionCallOutputItemParam']
    d['properties']['call_id'] = nonnull(d['properties']['call_id'])
    d['required'] = ['type', 'call_id', 'output']


def spec_assistant_replay(S):
    # Replaying an assistant message needs only role + content: clients in wide production use
    # (vercel/ai, VS Code Copilot) send {role:"assistant", content:[{type:"output_text", text}]}
    # without type, id, status or annotations, and the API accepts it. The spec requires them all.
    S['OutputMessage']['required'] = ['role', 'content']
    S['OutputTextContent']['required'] = ['type', 'text']


def spec_required_but_undefined(S):
    # Spec bugs: properties listed in `required` but never defined (unsatisfiable in a closed object).
    # local_shell_call_output: requires call_id without defining it; define it, but only id stays required
    # (openai-python's LocalShellCallOutput has id/output/type/status and no call_id).
    S['LocalShellToolCallOutput']['properties']['call_id'] = {
        'type': 'string', 'description': 'The ID of the local shell call (listed as required but undefined in the spec).'}
    S['LocalShellToolCallOutput']['required'] = [r for r in S['LocalShellToolCallOutput']['required'] if r != 'call_id']
    # mcp_approval_response: requires request_id; the defined field is approval_request_id.
    for n in ('MCPApprovalResponse', 'MCPApprovalResponseResource'):
        S[n]['required'] = [r for r in S[n]['required'] if r != 'request_id']
    # response.audio.* events: require response_id without defining it (the spec examples carry it).
    for n in ('ResponseAudioDoneEvent', 'ResponseAudioTranscriptDeltaEvent', 'ResponseAudioTranscriptDoneEvent', 'ResponseAudioDeltaEvent'):
        S[n]['properties'].setdefault('response_id', {'type': 'string', 'description': 'The ID of the response.'})


REQUEST_SPEC_PATCHES = [spec_required_but_undefined, spec_assistant_replay]
RESPONSE_SPEC_PATCHES = [spec_required_but_undefined]


REQUEST_FIXES = [
    req_function_call_output_call_id,
    output_text_logprobs_optional,
    req_function_tool,
    req_metadata,
    req_client_metadata,
    req_input_message_id,
    req_function_call_status_null,
    req_web_search_content_types,
]

# ------------------------------------------------------------------ response / stream

def resp_root(root, g):
    # Spec requires 14 fields; real responses omit some (openai-phase.1: no tools/temperature/
    # instructions/metadata/error; Azure: no service_tier). Keep what every recording carries.
    if root.get('properties', {}).get('object') is None:
        return
    root['required'] = ['id', 'object', 'created_at', 'status', 'model', 'output']
    p = root['properties']
    p['user'] = nullable(p['user'])  # spec: string; real: null
    p['usage'] = nullable(p['usage'])  # spec: ResponseUsage; real: null until the response completes
    resp_extra_fields(root)


def resp_extra_fields(obj):
    # Fields of real responses that the spec's Response lacks: typed, still optional.
    p = obj['properties']
    p.setdefault('store', {'description': 'Whether the response is stored. Not in the spec\'s Response; present in real responses.', 'type': 'boolean'})
    p.setdefault('frequency_penalty', {'description': 'Echoed sampling parameter. Not in the spec; present in newer real responses.', 'type': 'number'})
    p.setdefault('presence_penalty', {'description': 'Echoed sampling parameter. Not in the spec; present in newer real responses.', 'type': 'number'})
    p.setdefault('billing', {'description': 'Who pays for the response, e.g. {"payer":"developer"}. Not in the spec; present in real responses.',
                             'type': 'object', 'properties': {'payer': {'type': 'string'}}})
    p.setdefault('content_filters', {'description': 'Azure OpenAI content-filter results. Not in the OpenAI spec; added by Azure.',
                                     'type': ['array', 'null'],
                                     'items': {'type': 'object', 'properties': {
                                         'blocked': {'type': 'boolean'},
                                         'source_type': {'type': 'string', 'description': 'prompt or completion.'},
                                         'content_filter_results': {'type': 'object'},
                                         'content_filter_offsets': {'type': 'object'}}}})


def resp_response_def(root, g):
    # In stream-event.json the Response object is a $def; apply the same relaxations.
    if 'Response' in g.defs:
        resp_root(g.defs['Response'], g)


def resp_usage(root, g):
    u = g.defs['ResponseUsage']
    # cache_write_tokens is newer than every recording.
    relax_required(u['properties']['input_tokens_details'], 'cache_write_tokens')


def resp_error_code(root, g):
    # The spec enumerates ResponseErrorCode, but response.failed carries e.g. "insufficient_quota"
    # (openai-error.1.chunks.txt), which is not in it: accept any string, keep the list as examples.
    spec_codes = g.defs['ResponseErrorCode'].get('enum', [])
    g.defs['ResponseErrorCode'] = {
        'description': 'The error code for the response. Any string: real traffic carries codes outside the spec enum (e.g. insufficient_quota).',
        'type': 'string',
        'examples': spec_codes + ['insufficient_quota'],
    }


def resp_json_schema_description(root, g):
    # Echoed text.format of a json_schema request carries "description": null.
    d = g.defs['TextResponseFormatJsonSchema']
    d['properties']['description'] = nullable(d['properties']['description'])


def resp_partial_items(root, g):
    # response.output_item.added announces items before their payload exists.
    relax_required(g.defs['WebSearchToolCall'], 'action')
    relax_required(g.defs['ImageGenToolCall'], 'result')


def resp_web_search_sources(root, g):
    # Recorded web_search_call.action.sources include {"type":"api","name":"oai-weather"}.
    d = g.defs['WebSearchActionSearch']
    url_src = d['properties']['sources']['items']
    api_src = {
        'title': 'Web search API source',
        'description': 'A non-URL source (e.g. a built-in data API). Not in the spec; seen in real traffic.',
        'type': 'object',
        'required': ['type', 'name'],
        'properties': {'type': {'const': 'api'}, 'name': {'type': 'string'}},
    }
    d['properties']['sources']['items'] = {
        'type': 'object',
        'required': ['type'],
        'properties': {'type': {'enum': ['url', 'api']}},
        'allOf': [
            {'if': {'properties': {'type': {'const': 'url'}}, 'required': ['type']}, 'then': url_src},
            {'if': {'properties': {'type': {'const': 'api'}}, 'required': ['type']}, 'then': api_src},
        ],
    }


RESPONSE_FIXES = [
    output_text_logprobs_optional,
    resp_root,
    resp_usage,
    resp_error_code,
    resp_json_schema_description,
    resp_partial_items,
    resp_web_search_sources,
]


def stream_function_args_done(root, g):
    # function_call_arguments.done.name is newer than the recordings (Azure gpt-5.1 omits it).
    relax_required(g.defs['ResponseFunctionCallArgumentsDoneEvent'], 'name')


def stream_error_event(root, g):
    # Spec: flat {type, code, message, param, sequence_number}. Recorded: nested under `error`.
    flat = g.defs['ResponseErrorEvent']
    flat['title'] = 'Error event (spec shape: flat fields)'
    g.defs['ResponseErrorEventNested'] = {
        'title': 'Error event (recorded shape: nested error object)',
        'description': 'Emitted when an error occurs. Real traffic nests {type, code, message, param} under `error` (openai-error.1.chunks.txt).',
        'type': 'object',
        'required': ['type', 'sequence_number', 'error'],
        'properties': {
            'type': {'const': 'error'},
            'sequence_number': {'type': 'integer', 'description': 'The sequence number of this event.'},
            'error': {
                'type': 'object',
                'required': ['message'],
                'properties': {
                    'type': {'type': 'string', 'description': 'Error category, e.g. insufficient_quota, server_error.'},
                    'code': {'type': ['string', 'null'], 'description': 'The error code.'},
                    'message': {'type': 'string', 'description': 'The error message.'},
                    'param': {'type': ['string', 'null'], 'description': 'The error parameter.'},
                },
            },
        },
    }
    g.defs['ResponseErrorEventAnyShape'] = {
        'description': 'The in-stream error event in either shape: the spec (flat) or the one seen in real traffic (nested).',
        'type': 'object',
        'if': {'properties': {'error': {'type': 'object'}}, 'required': ['error']},
        'then': {'$ref': '#/$defs/ResponseErrorEventNested'},
        'else': {'$ref': '#/$defs/ResponseErrorEvent'},
    }
    for rule in root['allOf']:
        if rule['if']['properties']['type']['const'] == 'error':
            rule['then'] = {'$ref': '#/$defs/ResponseErrorEventAnyShape'}


STREAM_FIXES = RESPONSE_FIXES[:1] + [resp_response_def] + RESPONSE_FIXES[2:] + [stream_function_args_done, stream_error_event]


def stream_text_logprobs_optional(root, g):
    # output_text.delta/.done without logprobs in openai-phase.1.chunks.txt (gpt-5.3-codex).
    for n in ('ResponseTextDeltaEvent', 'ResponseTextDoneEvent'):
        relax_required(g.defs[n], 'logprobs')


STREAM_FIXES.append(stream_text_logprobs_optional)


def stream_apply_patch_events(root, g):
    # Not in the spec union. Emitted while an apply_patch_call's diff streams; seen in vercel/ai's
    # apply-patch fixtures and handled by several Responses clients (shape: delta/diff + item_id).
    common = {
        'item_id': {'type': 'string', 'description': 'The ID of the apply_patch_call output item.'},
        'output_index': {'type': 'integer', 'description': 'The index of the output item in the response.'},
        'sequence_number': {'type': 'integer', 'description': 'The sequence number of this event.'},
        'obfuscation': {'type': 'string', 'description': 'Random padding against length side channels.'},
    }
    g.defs['ResponseApplyPatchCallOperationDiffDeltaEvent'] = {
        'title': 'response.apply_patch_call_operation_diff.delta',
        'description': 'A chunk of the diff of an apply_patch_call operation. Not in the spec union; seen in real traffic of other clients (vercel/ai fixtures).',
        'type': 'object',
        'required': ['type', 'output_index', 'delta', 'sequence_number'],
        'properties': {'type': {'const': 'response.apply_patch_call_operation_diff.delta'}, **common,
                       'delta': {'type': 'string', 'description': 'The diff chunk.'}},
    }
    g.defs['ResponseApplyPatchCallOperationDiffDoneEvent'] = {
        'title': 'response.apply_patch_call_operation_diff.done',
        'description': 'The complete diff of an apply_patch_call operation. Not in the spec union; seen in real traffic of other clients (vercel/ai fixtures).',
        'type': 'object',
        'required': ['type', 'output_index', 'diff', 'sequence_number'],
        'properties': {'type': {'const': 'response.apply_patch_call_operation_diff.done'}, **common,
                       'diff': {'type': 'string', 'description': 'The full diff.'}},
    }
    for t, n in (('response.apply_patch_call_operation_diff.delta', 'ResponseApplyPatchCallOperationDiffDeltaEvent'),
                 ('response.apply_patch_call_operation_diff.done', 'ResponseApplyPatchCallOperationDiffDoneEvent')):
        root['properties']['type']['enum'].append(t)
        root['allOf'].append({'if': {'properties': {'type': {'const': t}}, 'required': ['type']}, 'then': {'$ref': f'#/$defs/{n}'}})


STREAM_FIXES.append(stream_apply_patch_events)


def _order(props, first):
    out = {k: props[k] for k in first if k in props}
    out.update({k: v for k, v in props.items() if k not in out})
    return out


def req_order(root, g):
    root['properties'] = _order(root['properties'], [
        'model', 'input', 'instructions', 'previous_response_id', 'conversation', 'tools', 'tool_choice',
        'parallel_tool_calls', 'max_tool_calls', 'text', 'reasoning', 'max_output_tokens', 'temperature', 'top_p',
        'top_logprobs', 'include', 'stream', 'stream_options', 'store', 'background', 'metadata', 'user',
        'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention', 'prompt_cache_options', 'service_tier',
        'truncation', 'prompt', 'context_management', 'moderation', 'client_metadata'])
    # keep additionalProperties next to properties for readers
    ap = root.pop('additionalProperties')
    root['additionalProperties'] = ap


def resp_order_props(obj):
    obj['properties'] = _order(obj['properties'], [
        'id', 'object', 'created_at', 'completed_at', 'status', 'error', 'incomplete_details', 'model', 'output',
        'output_text', 'usage', 'instructions', 'previous_response_id', 'conversation', 'tools', 'tool_choice',
        'parallel_tool_calls', 'max_tool_calls', 'text', 'reasoning', 'max_output_tokens', 'temperature', 'top_p',
        'top_logprobs', 'store', 'background', 'metadata'])


def resp_order(root, g):
    if 'properties' in root and 'object' in root['properties']:
        resp_order_props(root)
    if 'Response' in g.defs:
        resp_order_props(g.defs['Response'])


REQUEST_FIXES.append(req_order)
RESPONSE_FIXES.append(resp_order)
STREAM_FIXES.append(resp_order)
