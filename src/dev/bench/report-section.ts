/**
 * A section of BENCHMARKS.md that another command writes (`npm run bench:fleet`), kept between
 * markers so that `npm run bench`, which writes the rest of the file anew, carries it over.
 */
/** The fleet's figures (test/integration/fleet.test.ts). */
export const FLEET_SECTION = 'fleet';
/** Where a new section goes: before the notes. */
export const SECTION_BEFORE = '## What was profiled and changed';

const start = (id: string) => `<!-- section:${id} -->`;
const end = (id: string) => `<!-- /section:${id} -->`;

/** The section `id` of `markdown`, markers included, or undefined. */
export function extractSection(markdown: string, id: string): string | undefined {
  const from = markdown.indexOf(start(id));
  const to = markdown.indexOf(end(id));
  if (from < 0 || to < from) return undefined;
  return markdown.slice(from, to + end(id).length);
}

/**
 * `markdown` with section `id` set to `body`: in place when it is there, else before the heading
 * `before` (or at the end).
 */
export function replaceSection(
  markdown: string,
  id: string,
  body: string,
  before?: string,
): string {
  const section = `${start(id)}\n${body.trim()}\n${end(id)}`;
  const existing = extractSection(markdown, id);
  if (existing) return markdown.replace(existing, section);
  const at = before ? markdown.indexOf(before) : -1;
  if (at < 0) return `${markdown.trimEnd()}\n\n${section}\n`;
  return `${markdown.slice(0, at)}${section}\n\n${markdown.slice(at)}`;
}
