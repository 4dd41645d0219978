// The things the product's rules reason about, in the shape the data layer returns them (booleans
// normalised, ids as numbers). They live in the domain so that its rules need nothing of src/db;
// src/db/rows.ts re-exports them for the data layer and everyone else.
export type IdpKind = 'home' | 'partner' | 'social' | 'email';

export interface User {
  id: number;
  display_name: string;
  email: string;
  user_type: 'member' | 'guest';
  state: 'invited' | 'active' | 'disabled' | 'removed';
  role: 'admin' | null;
  created_at: string;
  last_sign_in_at: string | null;
  /** She set her display name herself: a sign-in no longer replaces it with her IdP's. */
  name_chosen?: boolean;
}

export interface Organization {
  id: number;
  name: string;
  identity_provider_id: number | null;
  policy: 'allow' | 'deny' | 'auto_approve';
  /** The language of its partners' mails when they chose none (en | fr); null: the default language. */
  language?: string | null;
}

export interface CatalogItem {
  id: number;
  kind: 'group' | 'app';
  name: string;
  description: string;
  launch_url: string | null;
  requestable: boolean;
  max_days: number | null;
  self_service: boolean;
  audience: 'anyone' | 'known_partners';
  /** Who gives a second approval after the first: the item's owners (else the admins), the admins; null: none. */
  second_approval?: SecondApproval | null;
}

export type SecondApproval = 'owners' | 'admins';

export type RequestStatus = 'pending' | 'info_requested' | 'approved' | 'denied' | 'cancelled' | 'expired' | 'provisioned' | 'failed';

export interface AccessRequest {
  id: number;
  requester_issuer: string;
  requester_subject: string;
  requester_email: string;
  requester_name: string;
  identity_provider_id: number;
  organization_id: number | null;
  justification: string;
  status: RequestStatus;
  routed_at: string | null;
  decided_by: number | null;
  decision_reason: string | null;
  decided_at: string | null;
  guest_user_id: number | null;
  provisioned_at: string | null;
  decided_by_client: number | null;
  /** The day the partner asked her access to last until (YYYY-MM-DD, through that day, UTC); null: no end. */
  requested_until?: string | null;
  /** The day the decision grants it until: the asked day, or an earlier one the sponsor chose. */
  granted_until?: string | null;
  /** Where its time-outs count from (migrations/20261206000000_request_lifecycle.ts). */
  clock_from?: string | null;
  reminded_at?: string | null;
  escalated_at?: string | null;
  /** When an approver last asked the requester a question (status info_requested). */
  info_requested_at?: string | null;
  /** The approval stage the request waits on: 1, or 2 for items that need a second approval. */
  stage?: number;
  /** Who gave its first approval, a member or an API client (migrations/20261206060000_stage_deciders.ts): not the second's giver. */
  stage1_decided_by?: number | null;
  stage1_decided_by_client?: number | null;
  /** The membership this request asks to extend (migrations/20261206040000_membership_lifecycle.ts); null: a request for new access. */
  extension_of?: number | null;
  created_at: string;
  updated_at: string;
}

export interface Invitation {
  id: number;
  email: string;
  user_id: number;
  request_id: number | null;
  invited_by: number | null;
  redirect_url: string | null;
  message: string | null;
  status: 'pending' | 'redeemed' | 'revoked' | 'expired';
  token_hash: string;
  expires_at: string;
  redeemed_at: string | null;
  created_at: string;
  cc: string | null;
  batch_id: number | null;
  link_token_hash: string | null;
  invited_by_client: number | null;
}

export interface Membership {
  id: number;
  user_id: number;
  item_id: number;
  source: string;
  expires_at: string | null;
}

/** The optional claims an application may receive besides `sub`, `amr` and `acr`, which it always gets. */
export const APP_CLAIMS = ['email', 'name', 'user_type', 'idp', 'groups'] as const;
export type AppClaim = (typeof APP_CLAIMS)[number];

/** An application's OpenID Connect client: how it signs people in through Passerelle. */
export interface AppClient {
  id: number;
  client_id: string;
  item_id: number;
  public_client: boolean;
  /** Whether a secret exists (its value never leaves src/oidc). */
  has_secret: boolean;
  secret_rotated_at: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  initiate_login_uri: string | null;
  claims: AppClaim[];
  visible_group_ids: number[];
  assignment_required: boolean;
  allow_members: boolean;
  created_at: string;
  updated_at: string;
}
