// Applications' client secrets: made here, shown once by whoever made them, stored sealed. oidc-provider
// compares a presented secret with the clear one, so sealing (not hashing) is what lets it do its job.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { deriveKey, open, seal } from '../domain/secretBox.ts';

const PURPOSE = 'client-secret';

export const newClientId = (): string => randomUUID();

export const newClientSecret = (): string => randomBytes(32).toString('base64url');

export function sealClientSecret(config: Config, clientId: string, secret: string): string {
  return seal(deriveKey(config.oidc.secretKey, PURPOSE), secret, `client:${clientId}`);
}

export function openClientSecret(config: Config, clientId: string, sealed: string): string {
  return open(deriveKey(config.oidc.secretKey, PURPOSE), sealed, `client:${clientId}`);
}
