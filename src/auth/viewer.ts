/** Who is asking: the token's subject (the customer id) and whether it holds the admin role. */
export interface Viewer {
  id: string;
  roles: readonly string[];
  isAdmin: boolean;
}

export const ADMIN_ROLE = 'admin';

/** Roles come from a `roles` claim, or Cognito's `cognito:groups`. */
export function viewerFromClaims(claims: Record<string, unknown>): Viewer | null {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) return null;
  const roles = new Set<string>();
  for (const claim of [claims.roles, claims['cognito:groups']]) {
    if (Array.isArray(claim)) {
      for (const role of claim) if (typeof role === 'string') roles.add(role);
    } else if (typeof claim === 'string') {
      for (const role of claim.split(/[\s,]+/)) if (role) roles.add(role);
    }
  }
  return { id: sub, roles: [...roles], isAdmin: roles.has(ADMIN_ROLE) };
}

/** The owner of a customer-scoped object, or an admin. */
export function canAccessCustomer(viewer: Viewer | null, customerId: string): boolean {
  return viewer !== null && (viewer.isAdmin || viewer.id === customerId);
}
