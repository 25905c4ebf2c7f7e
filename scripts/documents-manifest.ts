/**
 * `npm run documents:manifest`: writes documents/persisted-operations.json, the trusted-documents
 * manifest of documents/ (a test fails when it is stale). Serve it with TRUSTED_DOCUMENTS.
 */
import { writeFileSync } from 'node:fs';
import { documentsManifest, MANIFEST_FILE } from '../src/dev/documents.js';

const manifest = documentsManifest();
writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${MANIFEST_FILE}: ${Object.keys(manifest).length} operations`);
