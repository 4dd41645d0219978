import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';

const prod = { NODE_ENV: 'production', PUBLIC_URL: 'https://partners.example.com', SESSION_SECRET: 'x'.repeat(40), OIDC_SECRET_KEY: 'k'.repeat(40), DATABASE_URL: 'postgres://db/p' };

test('production refuses a missing or default session secret and a plain-http address', () => {
  assert.throws(() => loadConfig({ ...prod, SESSION_SECRET: undefined }), /SESSION_SECRET: required in production/);
  assert.throws(() => loadConfig({ ...prod, SESSION_SECRET: 'passerelle-development-secret-do-not-use-in-production' }), /development default/);
  assert.throws(() => loadConfig({ ...prod, PUBLIC_URL: 'http://partners.example.com' }), /PUBLIC_URL: must be https/);
  const ok = loadConfig(prod);
  assert.equal(ok.secureCookies, true);
  assert.equal(ok.allowInsecureIdp, false);
});

test('production refuses a missing or default OIDC_SECRET_KEY, naming it', () => {
  assert.throws(() => loadConfig({ ...prod, OIDC_SECRET_KEY: undefined }), (err: unknown) => err instanceof ConfigError && /OIDC_SECRET_KEY: required in production/.test(err.message));
  assert.throws(() => loadConfig({ ...prod, OIDC_SECRET_KEY: 'passerelle-development-oidc-key-do-not-use-in-production' }), /OIDC_SECRET_KEY: the development default/);
  assert.throws(() => loadConfig({ ...prod, OIDC_SECRET_KEY: 'short' }), /OIDC_SECRET_KEY:/);
  assert.equal(loadConfig(prod).oidc.secretKey, 'k'.repeat(40));
});

test('every bad value is named, with the fix', () => {
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', SMTP_URL: 'mail', SESSION_SECRET: 'short' });
    assert.fail('should refuse');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'SESSION_SECRET']) assert.match(err.message, new RegExp(`${name}:`));
  }
});

test('fault injection and an SMTP timeout near the job lock are refused', () => {
  assert.throws(() => loadConfig({ FAULTS: 'provision.in-transaction=10' }), /only for NODE_ENV=test/);
  assert.equal(loadConfig({ NODE_ENV: 'test', FAULTS: 'provision.in-transaction=10' }).faults['provision.in-transaction'], 10);
  assert.throws(() => loadConfig({ SMTP_TIMEOUT_MS: '30000', JOB_LOCK_MS: '60000' }), /SMTP_TIMEOUT_MS: must stay well below JOB_LOCK_MS/);
});

test('identity providers on private networks: refused in production unless allowed, allowed elsewhere unless refused', () => {
  assert.deepEqual(loadConfig(prod).idpNetwork, { privateNetworks: 'deny', allowedInternalHosts: [] });
  assert.deepEqual(loadConfig({}).idpNetwork, { privateNetworks: 'allow', allowedInternalHosts: [] });
  assert.equal(loadConfig({ NODE_ENV: 'test', IDP_PRIVATE_NETWORKS: 'deny' }).idpNetwork.privateNetworks, 'deny');
  assert.equal(loadConfig({ ...prod, IDP_PRIVATE_NETWORKS: 'allow' }).idpNetwork.privateNetworks, 'allow');
  assert.deepEqual(
    loadConfig({ ...prod, IDP_ALLOWED_INTERNAL_HOSTS: 'IdP.Corp.Internal, 10.0.0.5,[fd00::5]' }).idpNetwork.allowedInternalHosts,
    ['idp.corp.internal', '10.0.0.5', 'fd00::5'],
  );
  assert.throws(() => loadConfig({ IDP_PRIVATE_NETWORKS: 'maybe' }), /IDP_PRIVATE_NETWORKS: must be allow or deny/);
  assert.throws(() => loadConfig({ IDP_ALLOWED_INTERNAL_HOSTS: 'https://idp.corp/' }), /IDP_ALLOWED_INTERNAL_HOSTS: host names separated by commas/);
});
