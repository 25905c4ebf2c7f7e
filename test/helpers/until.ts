/**
 * Polls `check` every `everyMs` until it holds, and resolves with `performance.now()` at that
 * moment, so a caller can time what it waited for. Fails naming `what` after `timeoutMs`.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'a condition',
  everyMs = 10,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
