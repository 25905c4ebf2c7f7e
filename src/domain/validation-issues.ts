import { ValidationError } from './errors.js';

interface Issue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
}

/** The first failed rule of a standard-schema (zod) result, as a ValidationError naming its field. */
export function validationErrorFromIssues(issues: readonly Issue[]): ValidationError {
  const issue = issues[0];
  const path = (issue?.path ?? [])
    .map((part) => (typeof part === 'object' && part !== null ? part.key : part))
    .map(String);
  return new ValidationError(
    path.length > 0 ? path.join('.') : 'input',
    issue?.message ?? 'invalid',
  );
}
