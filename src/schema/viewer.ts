import type { Context } from '../app/context.js';
import type { Viewer } from '../auth/viewer.js';
import { AuthError } from '../errors/client.js';

/**
 * The authenticated viewer of a field that requires one. Fields guard with
 * `authScopes: { customer: true }` first; this narrows the type and guards twice.
 */
export function viewerOf(context: Context): Viewer {
  if (!context.viewer)
    throw new AuthError('Authentication required: send `Authorization: Bearer <token>`');
  return context.viewer;
}
