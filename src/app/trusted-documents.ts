import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const sha256Hex = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A trusted-documents manifest: `{ "<sha256 hex of the text>": "<operation text>" }`, the format
 * graphql-codegen's client preset writes (`persistedDocuments`) and yoga's persisted-operations
 * docs read. `npm run documents:manifest` writes documents/persisted-operations.json from
 * documents/.
 */
export type Manifest = Record<string, string>;

export function manifestOf(texts: Iterable<string>): Manifest {
  const manifest: Manifest = {};
  for (const text of texts) manifest[sha256Hex(text)] = text;
  return manifest;
}

/** A manifest that cannot be used; its message is one line naming TRUSTED_DOCUMENTS and the file. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** The manifest at `path`, every entry's hash checked: a wrong file fails the start, not a request. */
export function loadManifest(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ManifestError(`TRUSTED_DOCUMENTS: cannot read ${path} (${reason})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`TRUSTED_DOCUMENTS: ${path} is not JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ManifestError(`TRUSTED_DOCUMENTS: ${path} is not an object of hash to document`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string' || sha256Hex(document) !== hash) {
      throw new ManifestError(
        `TRUSTED_DOCUMENTS: ${path}: ${hash} is not the sha256 of its document`,
      );
    }
    documents.set(hash, document);
  }
  if (documents.size === 0) throw new ManifestError(`TRUSTED_DOCUMENTS: ${path} has no documents`);
  return documents;
}
