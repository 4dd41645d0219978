// The demo's organizations and people, shared by `npm start` and the test harness.
import type { DemoIssuerSpec } from './issuerSpec.ts';

export const DEMO_PASSWORD = 'demo';

export interface DemoOrg {
  key: 'ours' | 'acme' | 'globex';
  displayName: string;
  domain: string;
  kind: 'home' | 'partner';
  accounts: { sub: string; email: string; name: string; emailVerified: boolean; role: string }[];
}

export const DEMO_ORGS: DemoOrg[] = [
  {
    key: 'ours',
    displayName: 'Passerelle Corp',
    domain: 'passerelle.test',
    kind: 'home',
    accounts: [
      { sub: 'ours-ada', email: 'ada.admin@passerelle.test', name: 'Ada Admin', emailVerified: true, role: 'admin' },
      { sub: 'ours-sam', email: 'sam.sponsor@passerelle.test', name: 'Sam Sponsor', emailVerified: true, role: 'sponsor' },
      { sub: 'ours-sue', email: 'sue.sponsor@passerelle.test', name: 'Sue Second', emailVerified: true, role: 'sponsor (Globex)' },
      { sub: 'ours-omar', email: 'omar.member@passerelle.test', name: 'Omar Member', emailVerified: true, role: 'member (sponsors nobody)' },
    ],
  },
  {
    key: 'acme',
    displayName: 'Acme Industries',
    domain: 'acme.test',
    kind: 'partner',
    accounts: [
      { sub: 'acme-paula', email: 'paula@acme.test', name: 'Paula Partner', emailVerified: true, role: 'partner' },
      { sub: 'acme-pete', email: 'pete@acme.test', name: 'Pete Peer', emailVerified: true, role: 'partner' },
      { sub: 'acme-uma', email: 'uma@acme.test', name: 'Uma Unverified', emailVerified: false, role: 'partner (e-mail not verified)' },
    ],
  },
  {
    key: 'globex',
    displayName: 'Globex',
    domain: 'globex.test',
    kind: 'partner',
    accounts: [{ sub: 'globex-gary', email: 'gary@globex.test', name: 'Gary Guest', emailVerified: true, role: 'partner' }],
  },
];

export const demoClient = (key: string) => ({ clientId: `passerelle-${key}`, clientSecret: `demo-secret-${key}-0123456789abcdef` });

export function issuerSpecs(publicUrl: string): DemoIssuerSpec[] {
  return DEMO_ORGS.map((org) => ({
    key: org.key,
    displayName: org.displayName,
    accounts: org.accounts.map((a) => ({ sub: a.sub, email: a.email, name: a.name, emailVerified: a.emailVerified, password: DEMO_PASSWORD })),
    clients: [{ ...demoClient(org.key), redirectUris: [`${publicUrl}/auth/${org.key}/callback`] }],
  }));
}
