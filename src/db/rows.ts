// Row shapes as the data layer returns them (booleans normalised, ids as numbers). Those the domain
// reasons about are defined in src/domain/model.ts.
import type { IdpKind } from '../domain/model.ts';

export type { AccessRequest, AppClaim, AppClient, CatalogItem, IdpKind, Invitation, Membership, Organization, RequestStatus, User } from '../domain/model.ts';

export interface IdentityProvider {
  id: number;
  slug: string;
  name: string;
  kind: IdpKind;
  issuer: string;
  client_id: string;
  client_secret: string;
  scopes: string;
  email_domains: string;
  enabled: boolean;
  updated_at: string;
}

/** What the mail worker mints into a message when it leaves: a redeem link, a sign-in code, or nothing. */
export type MailKind = 'invitation' | 'code' | 'notice';

export interface MailMessage {
  id: number;
  dedupe_key: string;
  kind: MailKind;
  /** The invitation (kind invitation) or one-time code (kind code) the message is for. */
  reference: number | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: 'queued' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  cc: string | null;
}
