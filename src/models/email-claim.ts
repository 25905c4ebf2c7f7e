import type { Item } from '../store/batch-get.js';
import type { TableKey } from './table-schema.js';

/** Email claim: `EMAIL#<lowercased email>` / `EMAIL`, written with the profile so emails are unique. */
export const EMAIL_CLAIM_ENTITY = 'EmailClaim';

export function emailClaimKey(email: string): TableKey {
  return { PK: `EMAIL#${email.toLowerCase()}`, SK: 'EMAIL' };
}

export function emailClaimItem(email: string, customerId: string, createdAt: string): Item {
  return {
    ...emailClaimKey(email),
    entity: EMAIL_CLAIM_ENTITY,
    email: email.toLowerCase(),
    customerId,
    createdAt,
  };
}
