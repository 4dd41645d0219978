// What a demo issuer is made of: its accounts and the clients it knows (world.ts lists ours).
export interface DemoAccount { sub: string; email: string; emailVerified: boolean; name: string; password: string }
export interface DemoClient { clientId: string; clientSecret: string; redirectUris: string[] }
export interface DemoIssuerSpec { key: string; displayName: string; accounts: DemoAccount[]; clients: DemoClient[] }
