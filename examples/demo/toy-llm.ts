import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible server (Ollama, vLLM, llama.cpp) so that the demo runs on a
 * machine without one: it answers `/v1/chat/completions` by restating the prompt, with honest
 * token counts of what it sent. Set LLM_BASE_URL to use a real model instead.
 */
export async function startToyLlm(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = JSON.parse(body) as { model: string; messages: { content: string }[] };
    const prompt = request.messages.at(-1)?.content ?? '';
    const text = `(toy model) You asked: "${prompt}"`;
    const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        model: request.model,
        choices: [{ message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: words(prompt),
          completion_tokens: words(text),
          total_tokens: words(prompt) + words(text),
        },
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
