import { ValidationError } from '../errors/domain.js';

interface Issue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
}

/**
 * The first failed rule of a standard-schema (zod) result, as a ValidationError naming its field
 * by a dotted path. The validation plugin puts the argument name and the input fields (and list
 * indices) before zod's own path, so an order line's quantity is `input.lines.2.quantity`.
 * `prefix` names the value for a schema applied outside the plugin (`input.fromCart`).
 */
export function validationErrorFromIssues(
  issues: readonly Issue[],
  prefix?: string,
): ValidationError {
  const issue = issues[0];
  const path = (issue?.path ?? [])
    .map((part) => (typeof part === 'object' && part !== null ? part.key : part))
    .map(String);
  if (prefix) path.unshift(prefix);
  return new ValidationError(
    path.length > 0 ? path.join('.') : 'input',
    issue?.message ?? 'invalid',
  );
}
