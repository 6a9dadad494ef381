#!/usr/bin/env python3
"""Build schemas/openai-chat-completions/{request,response,stream-event,error}.json from the spec.

Reuses the converter of the Responses schemas (../openai-responses-schemas/gen.py and its
build()), then applies the corrections below, each of which says why.
"""
import copy, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'openai-responses-schemas'))

import gen as genmod  # noqa: E402  (reads $SPEC_JSON)
import build as responses_build  # noqa: E402  (its build() converts one root schema)

OUT = os.path.join(HERE, '..', '..', 'schemas', 'openai-chat-completions')
nonnull = responses_build.nonnull
relax_required = responses_build.relax_required


# ------------------------------------------------------------------ spec patches (before conversion)

def spec_nullable(S):
    # The Chat Completions part of the spec still uses OpenAPI 3.0's `nullable: true`, which JSON
    # Schema does not know: turn each into `anyOf [X, null]` (or add "null" to a plain type).
    def fix(node):
        if isinstance(node, list):
            return [fix(x) for x in node]
        if not isinstance(node, dict):
            return node
        node = {k: fix(v) for k, v in node.items()}
        if node.pop('nullable', False) is True:
            if isinstance(node.get('type'), str) and '$ref' not in node and 'enum' not in node:
                node['type'] = [node['type'], 'null']
            else:
                desc = node.pop('description', None)
                node = {**({'description': desc} if desc else {}), 'anyOf': [node, {'type': 'null'}]}
        return node
    for name in list(S):
        S[name] = fix(S[name])


SPEC_PATCHES = [spec_nullable]


# ------------------------------------------------------------------ request

def req_top_k(root, g):
    # Not in the OpenAI spec: vLLM, llama.cpp server, LM Studio and most hosted open-model
    # providers accept top_k on /v1/chat/completions (the pair sends it only when configured to).
    root['properties']['top_k'] = {
        'description': 'Sample from the k most likely tokens. Not in the OpenAI spec; an extension accepted by vLLM, llama.cpp server, LM Studio and most open-model hosts.',
        'type': 'integer',
        'minimum': 1,
    }


def req_function_name(root, g):
    # The API answers 400 for a function name outside 1-64 characters of a-z, A-Z, 0-9, _ and -.
    d = g.defs.get('FunctionObject')
    if d:
        d['properties']['name'].update({'minLength': 1, 'maxLength': 64, 'pattern': '^[a-zA-Z0-9_-]+$'})


REQUEST_FIXES = [req_top_k, req_function_name]


# ------------------------------------------------------------------ response and stream chunks

def resp_reasoning_content(props):
    # Not in the OpenAI spec: vLLM, DeepSeek, llama.cpp server, LM Studio and others put a
    # reasoning model's thinking in `reasoning_content` (some servers name it `reasoning`).
    props.setdefault('reasoning_content', {
        'description': "The model's reasoning text. Not in the OpenAI spec; sent by vLLM, DeepSeek, llama.cpp server and others.",
        'type': ['string', 'null'],
    })
    props.setdefault('reasoning', {
        'description': "The model's reasoning text under another name (Ollama, OpenRouter, newer vLLM). Not in the OpenAI spec.",
        'type': ['string', 'null'],
    })


def resp_message(root, g):
    d = g.defs.get('ChatCompletionResponseMessage')
    if d:
        resp_reasoning_content(d['properties'])
        # Open-model servers send `content: ""` or omit refusal; keep only role required.
        relax_required(d, 'refusal', 'content')


def resp_usage(root, g):
    # Open-model servers (vLLM, Ollama, llama.cpp) send only the three counts, without details.
    d = g.defs.get('CompletionUsage')
    if d:
        relax_required(d, 'prompt_tokens_details', 'completion_tokens_details')


def resp_choice_logprobs(root, g):
    # The spec requires logprobs on every choice; servers other than OpenAI's often omit it.
    for choice in (root['properties']['choices'].get('items'),):
        if isinstance(choice, dict):
            relax_required(choice, 'logprobs')


def resp_choice_stop_reason(root, g):
    # Not in the OpenAI spec: vLLM says which stop ended a choice in `stop_reason` (the matched
    # stop text, a stop token id, or null for the end-of-sequence token), SGLang in `matched_stop`.
    choice = root['properties']['choices'].get('items')
    if isinstance(choice, dict):
        desc = 'Which stop ended the choice: the matched stop text, a stop token id, or null. Not in the OpenAI spec; sent by vLLM (stop_reason) and SGLang (matched_stop).'
        choice['properties'].setdefault('stop_reason', {'description': desc, 'type': ['string', 'integer', 'null']})
        choice['properties'].setdefault('matched_stop', {'description': desc, 'type': ['string', 'integer', 'null']})


def resp_system_fingerprint(root, g):
    # Spec: string; recorded traffic (pydantic-ai tool_choice_matrix, 2026) has null.
    p = root['properties'].get('system_fingerprint')
    if p and isinstance(p.get('type'), str):
        p['type'] = [p['type'], 'null']


RESPONSE_FIXES = [resp_message, resp_usage, resp_choice_logprobs, resp_choice_stop_reason, resp_system_fingerprint]


def stream_delta(root, g):
    d = g.defs.get('ChatCompletionStreamResponseDelta')
    if d:
        resp_reasoning_content(d['properties'])


def stream_tool_call_chunk(root, g):
    # Some servers (older vLLM, llama.cpp) repeat `type: "function"` / `id` on every argument
    # piece or send `id: null`: allow null where the spec says string.
    d = g.defs.get('ChatCompletionMessageToolCallChunk')
    if d:
        for k in ('id',):
            if k in d['properties']:
                p = d['properties'][k]
                if isinstance(p.get('type'), str):
                    p['type'] = [p['type'], 'null']


STREAM_FIXES = [stream_delta, stream_tool_call_chunk, resp_usage, resp_choice_logprobs, resp_choice_stop_reason, resp_system_fingerprint]


# ------------------------------------------------------------------ error body

def error_doc():
    # Written by hand, like schemas/openai-responses/error.json, but wider: besides OpenAI's own
    # {error:{message, type, param, code}}, the servers this API is spoken by answer
    # {error:{message, type, code: 400}} (llama.cpp: numeric code, no param) and
    # {object:"error", message, type, param, code: 400} (older vLLM: flat, numeric code).
    detail_props = {
        'message': {'description': 'Human-readable error message.', 'type': 'string'},
        'type': {'description': 'Error category, e.g. invalid_request_error, rate_limit_error, server_error.', 'type': ['string', 'null']},
        'param': {'description': 'The request parameter the error refers to; null or absent when none.', 'type': ['string', 'null']},
        'code': {'description': 'Error code: a string or null at OpenAI, the HTTP status as a number at llama.cpp and vLLM.', 'type': ['string', 'integer', 'null']},
    }
    return {
        '$schema': responses_build.SCHEMA,
        '$id': 'openai-chat-completions/error',
        'title': 'OpenAI Chat Completions API: HTTP error body',
        'description': 'Body of a non-2xx answer of POST /v1/chat/completions: OpenAI\'s ErrorResponse {error:{message, type, param, code}}, or the flat {object:"error", message, type, code} some open-model servers send. Extra fields are allowed.',
        'anyOf': [
            {'type': 'object', 'required': ['error'], 'properties': {'error': {'$ref': '#/$defs/Error'}}},
            {'type': 'object', 'required': ['object', 'message'], 'properties': {'object': {'const': 'error'}, **detail_props}},
        ],
        '$defs': {
            'Error': {
                'title': 'Error',
                'description': 'Error details (spec schema Error). OpenAI always sends all four fields; other servers may leave out param.',
                'type': 'object',
                'required': ['message'],
                'properties': detail_props,
            },
        },
    }


def write(name, doc):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write('\n')


def build(side, root_name, fixes, header):
    # build() resets genmod.S from the pristine spec and applies the patches first.
    return responses_build.build(side, root_name, fixes, header, SPEC_PATCHES)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    write('request.json', build('request', 'CreateChatCompletionRequest', REQUEST_FIXES, {
        '$id': 'openai-chat-completions/request',
        'title': 'OpenAI Chat Completions API: create-chat-completion request body',
        'description': 'Body of POST /v1/chat/completions (spec schema CreateChatCompletionRequest, plus top_k). Closed objects: unknown fields are rejected, as the real API answers 400 "Unrecognized request argument".',
    }))
    write('response.json', build('response', 'CreateChatCompletionResponse', RESPONSE_FIXES, {
        '$id': 'openai-chat-completions/response',
        'title': 'OpenAI Chat Completions API: chat completion object',
        'description': 'The chat.completion object returned by POST /v1/chat/completions (stream: false), spec schema CreateChatCompletionResponse. Known fields are typed; extra provider fields (e.g. reasoning_content) are allowed.',
    }))
    write('stream-event.json', build('response', 'CreateChatCompletionStreamResponse', STREAM_FIXES, {
        '$id': 'openai-chat-completions/stream-event',
        'title': 'OpenAI Chat Completions API: one streamed chunk',
        'description': 'The JSON data of one SSE event of a streamed chat completion (spec schema CreateChatCompletionStreamResponse): a chat.completion.chunk. Events have no `event:` name; the stream ends with the raw line data: [DONE], which is not JSON and not described here.',
    }))
    write('error.json', error_doc())
