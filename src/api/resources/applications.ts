// The catalog's applications and their sign-in settings, as Microsoft Graph lists applications: the
// client id is appId, redirect URIs sit under web (confidential clients) or publicClient (public
// ones), and a secret shows only as a passwordCredential without its text. What Graph has no
// property for is under signInSettings.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { badRequest, notFoundApi } from '../errors.ts';
import { filter, nextLink, parseFilter, pick, select, skiptoken, top } from '../odata.ts';
import { collection } from './shapes.ts';
import { findApplication, listApplicationsPage, type Application } from '../../db/applications.ts';
import { APP_CLAIMS } from '../../domain/model.ts';

export const APPLICATION_FIELDS = [
  'id', 'appId', 'displayName', 'description', 'createdDateTime', 'web', 'publicClient', 'isFallbackPublicClient', 'passwordCredentials', 'signInSettings',
] as const;

export const applicationSchema = z
  .object({
    id: z.string(),
    appId: z.string().nullable().meta({ description: 'The OpenID Connect client id; null while the application has no sign-in settings.' }),
    displayName: z.string(),
    description: z.string().nullable(),
    createdDateTime: z.string().nullable().meta({ description: 'When its sign-in settings were created.' }),
    web: z.object({
      redirectUris: z.array(z.string()).meta({ description: 'Of a confidential client.' }),
      logoutUrl: z.string().nullable().meta({ description: 'The back-channel logout URI.' }),
      homePageUrl: z.string().nullable().meta({ description: 'The launch URL.' }),
    }),
    publicClient: z.object({ redirectUris: z.array(z.string()).meta({ description: 'Of a public client (PKCE, no secret).' }) }),
    isFallbackPublicClient: z.boolean(),
    passwordCredentials: z
      .array(z.object({ keyId: z.null(), displayName: z.string(), hint: z.null(), startDateTime: z.string().nullable(), endDateTime: z.null() }))
      .meta({ description: 'One entry when a client secret exists; its text is never returned.' }),
    signInSettings: z
      .object({
        assignmentRequired: z.boolean(),
        allowMembers: z.boolean(),
        claims: z.array(z.enum(APP_CLAIMS)),
        visibleGroupIds: z.array(z.string()),
        postLogoutRedirectUris: z.array(z.string()),
        initiateLoginUri: z.string().nullable(),
        updatedDateTime: z.string(),
      })
      .nullable()
      .meta({ description: 'Passerelle’s own: who may sign in, what the application receives. Null without sign-in settings.' }),
  })
  .partial()
  .meta({ id: 'application', description: 'An application of the catalog and its OpenID Connect client (Graph application).' });

export function applicationJson(a: Application) {
  const c = a.client;
  const redirectUris = c?.redirect_uris ?? [];
  return {
    id: String(a.id),
    appId: c?.client_id ?? null,
    displayName: a.name,
    description: a.description || null,
    createdDateTime: c?.created_at ?? null,
    web: { redirectUris: c?.public_client ? [] : redirectUris, logoutUrl: c?.backchannel_logout_uri ?? null, homePageUrl: a.launch_url },
    publicClient: { redirectUris: c?.public_client ? redirectUris : [] },
    isFallbackPublicClient: c?.public_client ?? false,
    passwordCredentials: c?.has_secret ? [{ keyId: null, displayName: 'Client secret', hint: null, startDateTime: c.secret_rotated_at, endDateTime: null }] : [],
    signInSettings: c
      ? {
          assignmentRequired: c.assignment_required,
          allowMembers: c.allow_members,
          claims: c.claims,
          visibleGroupIds: c.visible_group_ids.map(String),
          postLogoutRedirectUris: c.post_logout_redirect_uris,
          initiateLoginUri: c.initiate_login_uri,
          updatedDateTime: c.updated_at,
        }
      : null,
  };
}

const id = z.object({ id: z.string().regex(/^[1-9]\d{0,9}$/, 'is not an id this API issued').transform(Number) });
const applicationList = collection(applicationSchema, 'applicationCollection');

function appIdFilter(text: string | undefined): { appId?: string } {
  const clauses = parseFilter(text, { appId: ['eq'] });
  if (clauses.length > 1) throw badRequest('$filter: compare appId once.');
  return clauses.length ? { appId: clauses[0].value } : {};
}

export const applicationEndpoints = [
  endpoint({
    method: 'get',
    path: '/applications',
    operationId: 'applications.list',
    summary: 'List applications',
    description: "The applications of the catalog, with or without sign-in settings, oldest first. `$filter` supports appId eq '…'.",
    tag: 'Applications',
    scopes: ['Application.Read.All'],
    query: z
      .object({
        $top: top(999, 100),
        $skiptoken: skiptoken,
        $select: select(APPLICATION_FIELDS),
        $filter: filter("For example appId eq '2f1c…'."),
        $count: z.string().optional().meta({ description: 'Accepted and ignored.' }),
      })
      .strict(),
    responses: { 200: { description: 'A page of applications.', schema: applicationList } },
    async handle({ query, deps, base, req }) {
      const page = await listApplicationsPage(deps.db, appIdFilter(query.$filter), query.$skiptoken ?? 0, query.$top);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#applications`,
          '@odata.nextLink': nextLink(base, '/applications', req.query, page.next),
          value: page.rows.map((a) => pick(applicationJson(a), query.$select)),
        },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: '/applications/{id}',
    operationId: 'applications.get',
    summary: 'Get an application',
    tag: 'Applications',
    scopes: ['Application.Read.All'],
    params: id,
    query: z.object({ $select: select(APPLICATION_FIELDS) }).strict(),
    responses: { 200: { description: 'The application.', schema: applicationSchema } },
    async handle({ params, query, deps, base }) {
      const a = await findApplication(deps.db, params.id);
      if (!a) throw notFoundApi(`Application '${params.id}'`);
      return { status: 200, body: { '@odata.context': `${base}/$metadata#applications/$entity`, ...pick(applicationJson(a), query.$select) } };
    },
  }),
];
