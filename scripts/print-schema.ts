/** `npm run schema`: writes schema/schema.graphql from the code (a test fails when it is stale). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaSDL } from '../src/schema/print.js';

const target = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
writeFileSync(target, printSchemaSDL());
console.log(`wrote ${target}`);
