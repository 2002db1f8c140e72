import type { Executor, JobMetrics } from '@aitbc/miner';
import { JobError } from '@aitbc/miner';
import { LlmInferenceRequest } from '@aitbc/registry';
import { z } from 'zod';
import { abortedError } from './abort.js';
import { parsePayload } from './payload.js';

export interface LlmExecutorOptions {
  /** The server's base URL (`http://127.0.0.1:11434` for Ollama); a trailing `/v1` is accepted. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer` when set (vLLM `--api-key`, hosted gateways). */
  apiKey?: string | undefined;
  /**
   * The model name the server knows. Registry payloads name a model family (`llama-7b`); a
   * local server usually calls it something else (`llama3.2:1b`), so this overrides it.
   */
  model?: string | undefined;
  fetch?: typeof fetch;
}

/** The part of an OpenAI chat completion this executor reads. */
const ChatCompletion = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
      total_tokens: z.number().int().nonnegative(),
    })
    .optional(),
});
type ChatCompletion = z.infer<typeof ChatCompletion>;

/** `http://host:8000/v1/` and `http://host:8000` both address `http://host:8000/v1/chat/completions`. */
export function chatCompletionsUrl(baseUrl: string): string {
  const root = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${root}/v1/chat/completions`;
}

/** The OpenAI request for a registry `llm_inference` payload. */
export function toChatRequest(r: LlmInferenceRequest, model: string): Record<string, unknown> {
  return {
    model,
    messages: [{ role: 'user', content: r.prompt }],
    max_tokens: r.max_tokens,
    temperature: r.temperature,
    top_p: r.top_p,
    // Not in OpenAI's API, but vLLM and llama.cpp read them and Ollama ignores them.
    top_k: r.top_k,
    repetition_penalty: r.repetition_penalty,
    ...(r.stop_sequences ? { stop: r.stop_sequences } : {}),
    // The job result is one JSON value, so the answer is always collected whole.
    stream: false,
  };
}

/** Forwards `llm_inference` jobs to an OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export function createLlmExecutor(options: LlmExecutorOptions): Executor {
  const url = chatCompletionsUrl(options.baseUrl);
  const fetchImpl = options.fetch ?? fetch;
  return async (job) => {
    const request = parsePayload(LlmInferenceRequest, job.payload);
    const model = options.model ?? request.model;
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(toChatRequest(request, model)),
      signal: job.signal,
    }).catch((err: unknown) => {
      if (job.signal.aborted) throw abortedError(job.signal);
      throw new JobError('LLM_UNAVAILABLE', `LLM server ${url} not reachable: ${reason(err)}`, {
        retryable: true,
        cause: err,
      });
    });
    const body = await res.text().catch((err: unknown) => {
      if (job.signal.aborted) throw abortedError(job.signal);
      throw new JobError('LLM_UNAVAILABLE', `LLM answer cut off: ${reason(err)}`, {
        retryable: true,
      });
    });
    if (!res.ok) throw statusError(res.status, body);
    return toOutput(parseCompletion(body), model);
  };
}

function parseCompletion(body: string): ChatCompletion {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new JobError('LLM_BAD_RESPONSE', `LLM answer is not JSON: ${body.slice(0, 200)}`);
  }
  const parsed = ChatCompletion.safeParse(json);
  if (!parsed.success) {
    throw new JobError('LLM_BAD_RESPONSE', `LLM answer is not a chat completion: ${parsed.error}`);
  }
  return parsed.data;
}

function toOutput(completion: ChatCompletion, model: string) {
  const [choice] = completion.choices as [ChatCompletion['choices'][number]];
  const usage = completion.usage;
  const metrics: JobMetrics = { model: completion.model ?? model };
  if (usage) {
    Object.assign(metrics, {
      units: usage.total_tokens,
      unit_type: 'tokens',
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
    });
  }
  return {
    result: {
      text: choice.message.content ?? '',
      tokens_generated: usage?.completion_tokens ?? 0,
      // The registry knows `stop` and `length`; `eos`, `tool_calls` and null all mean it ended.
      finish_reason: choice.finish_reason === 'length' ? 'length' : 'stop',
    },
    metrics,
  };
}

/** 5xx and 429 are the server's trouble, worth another attempt; other 4xx are the request's. */
export function statusError(status: number, body: string): JobError {
  const detail = upstreamMessage(body);
  const retryable = status >= 500 || status === 429;
  const code = retryable ? 'LLM_UPSTREAM_ERROR' : 'LLM_REQUEST_REJECTED';
  return new JobError(code, `LLM server answered ${status}: ${detail}`, { retryable });
}

/** OpenAI-style `{error: {message}}`, Ollama-style `{error: "..."}`, else the text itself. */
function upstreamMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown };
    const error = json.error as { message?: unknown } | string | undefined;
    if (typeof error === 'string') return error;
    if (typeof error?.message === 'string') return error.message;
    if (typeof json.message === 'string') return json.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300) || '(empty body)';
}

const reason = (err: unknown) =>
  err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : `${err}`;
