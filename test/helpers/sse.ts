/** Reads a GraphQL-over-SSE response (yoga's distinct-connections mode) event by event. */
export interface SseEvent {
  event: string;
  data: unknown;
}

export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  #queue: SseEvent[] = [];
  done = false;

  constructor(response: Response) {
    if (!response.body) throw new Error(`no body (HTTP ${response.status})`);
    this.#reader = response.body.getReader();
  }

  /** The next event, or null when the stream ends or `timeoutMs` passes. */
  async next(timeoutMs = 10_000): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length === 0 && !this.done) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      const chunk = await Promise.race([
        this.#reader.read(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), left)),
      ]);
      if (chunk === 'timeout') return null;
      if (chunk.done) {
        this.done = true;
        break;
      }
      this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
      let end = this.#buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (data !== undefined && !block.startsWith(':')) {
          this.#queue.push({ event, data: data ? JSON.parse(data) : null });
        }
        end = this.#buffer.indexOf('\n\n');
      }
    }
    return this.#queue.shift() ?? null;
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
  }
}
