// Users, groups and group members, as Microsoft Graph lists them.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { badRequest, ApiError, notFoundApi } from '../errors.ts';
import { filter, nextLink, parseFilter, pick, select, skiptoken, top } from '../odata.ts';
import { collection, groupJson, groupSchema, USER_FIELDS, userJson, userSchema } from './shapes.ts';
import { findDirectoryUser, findGroup, listDirectoryUsers, listGroupMembers, listGroups, type UserFilter } from '../../db/directory.ts';
import { addMembership } from '../../commands/admin/guests/addMembership.ts';
import { removeMembership } from '../../commands/admin/guests/removeMembership.ts';
import { isMemberNow } from '../../db/memberships.ts';

const id = z.object({ id: z.string().regex(/^[1-9]\d{0,9}$/, 'is not an id this API issued').transform(Number) });
const groupMember = z.object({
  id: id.shape.id,
  memberId: z.string().regex(/^[1-9]\d{0,9}$/, 'is not a user id').transform(Number),
});

const userList = collection(userSchema, 'userCollection');
const groupList = collection(groupSchema, 'groupCollection');
const memberList = collection(userSchema, 'directoryObjectCollection');

const USER_FILTER = { userType: ['eq'], mail: ['eq'], displayName: ['startswith'] } as const satisfies Record<string, ('eq' | 'startswith')[]>;

function userFilter(text: string | undefined): UserFilter {
  const f: UserFilter = {};
  for (const c of parseFilter(text, USER_FILTER as unknown as Record<string, ('eq' | 'startswith')[]>)) {
    if (c.field === 'userType') {
      if (c.value !== 'Guest' && c.value !== 'Member') throw badRequest(`$filter: userType is 'Guest' or 'Member', not '${c.value}'.`);
      f.userType = c.value === 'Guest' ? 'guest' : 'member';
    } else if (c.field === 'mail') f.mail = c.value;
    else f.displayNameStartsWith = c.value;
  }
  return f;
}

/** "https://…/v1.0/directoryObjects/12", ".../users/12" or just "12" → 12. */
function referencedId(ref: string): number {
  const m = /(?:^|\/)(?:directoryObjects|users)\/([1-9]\d{0,9})$|^([1-9]\d{0,9})$/.exec(ref.trim());
  if (!m) throw badRequest('@odata.id: must reference a user, such as https://…/v1.0/directoryObjects/{id}.');
  return Number(m[1] ?? m[2]);
}

export const directoryEndpoints = [
  endpoint({
    method: 'get',
    path: '/users',
    operationId: 'users.list',
    summary: 'List users',
    description: "Guests and members, oldest first. `$filter` supports userType eq 'Guest'|'Member', mail eq '…' and startswith(displayName,'…'), joined by and.",
    tag: 'Users',
    scopes: ['User.Read.All'],
    query: z
      .object({
        $top: top(999, 100),
        $skiptoken: skiptoken,
        $select: select(USER_FIELDS),
        $filter: filter("For example userType eq 'Guest'."),
        $count: z.string().optional().meta({ description: 'Accepted and ignored.' }),
      })
      .strict(),
    responses: { 200: { description: 'A page of users.', schema: userList } },
    async handle({ query, deps, base, req }) {
      const page = await listDirectoryUsers(deps.db, { ...userFilter(query.$filter) }, query.$skiptoken ?? 0, query.$top);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#users`,
          '@odata.nextLink': nextLink(base, '/users', req.query, page.next),
          value: page.rows.map((u) => pick(userJson(u), query.$select)),
        },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: '/users/{id}',
    operationId: 'users.get',
    summary: 'Get a user',
    tag: 'Users',
    scopes: ['User.Read.All'],
    params: id,
    query: z.object({ $select: select(USER_FIELDS) }).strict(),
    responses: { 200: { description: 'The user.', schema: userSchema } },
    async handle({ params, query, deps, base }) {
      const u = await findDirectoryUser(deps.db, params.id);
      if (!u || u.state === 'removed') throw notFoundApi(`User '${params.id}'`);
      return { status: 200, body: { '@odata.context': `${base}/$metadata#users/$entity`, ...pick(userJson(u), query.$select) } };
    },
  }),
  endpoint({
    method: 'get',
    path: '/groups',
    operationId: 'groups.list',
    summary: 'List groups',
    description: 'The groups of the catalog.',
    tag: 'Groups',
    scopes: ['GroupMember.ReadWrite.All'],
    query: z.object({ $top: top(999, 100), $skiptoken: skiptoken }).strict(),
    responses: { 200: { description: 'A page of groups.', schema: groupList } },
    async handle({ query, deps, base, req }) {
      const page = await listGroups(deps.db, query.$skiptoken ?? 0, query.$top);
      return {
        status: 200,
        body: { '@odata.context': `${base}/$metadata#groups`, '@odata.nextLink': nextLink(base, '/groups', req.query, page.next), value: page.rows.map(groupJson) },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: '/groups/{id}',
    operationId: 'groups.get',
    summary: 'Get a group',
    tag: 'Groups',
    scopes: ['GroupMember.ReadWrite.All'],
    params: id,
    responses: { 200: { description: 'The group.', schema: groupSchema } },
    async handle({ params, deps, base }) {
      const g = await findGroup(deps.db, params.id);
      if (!g) throw notFoundApi(`Group '${params.id}'`);
      return { status: 200, body: { '@odata.context': `${base}/$metadata#groups/$entity`, ...groupJson(g) } };
    },
  }),
  endpoint({
    method: 'get',
    path: '/groups/{id}/members',
    operationId: 'groups.members.list',
    summary: 'List the members of a group',
    tag: 'Groups',
    scopes: ['GroupMember.ReadWrite.All'],
    params: id,
    query: z.object({ $top: top(999, 100), $skiptoken: skiptoken, $select: select(USER_FIELDS) }).strict(),
    responses: { 200: { description: 'A page of members.', schema: memberList } },
    async handle({ params, query, deps, base, req }) {
      if (!(await findGroup(deps.db, params.id))) throw notFoundApi(`Group '${params.id}'`);
      const page = await listGroupMembers(deps.db, params.id, query.$skiptoken ?? 0, query.$top);
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#directoryObjects`,
          '@odata.nextLink': nextLink(base, `/groups/${params.id}/members`, req.query, page.next),
          value: page.rows.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...pick(userJson(u), query.$select) })),
        },
      };
    },
  }),
  endpoint({
    method: 'post',
    path: '/groups/{id}/members/$ref',
    operationId: 'groups.members.add',
    summary: 'Add a guest to a group',
    description: 'The membership expires after the group’s longest access period, as when a sponsor approves it.',
    tag: 'Groups',
    scopes: ['GroupMember.ReadWrite.All'],
    params: id,
    body: z.object({ '@odata.id': z.string().max(2000).meta({ description: 'https://…/v1.0/directoryObjects/{user id}' }) }).strict(),
    responses: { 204: { description: 'Added.' } },
    async handle({ params, body, deps, ctx }) {
      const group = await findGroup(deps.db, params.id);
      if (!group) throw notFoundApi(`Group '${params.id}'`);
      const userId = referencedId(body['@odata.id']);
      const user = await findDirectoryUser(deps.db, userId);
      if (!user || user.state === 'removed') throw notFoundApi(`User '${userId}'`);
      if (user.user_type !== 'guest') throw badRequest('Only guests are managed here; members of our organization get access through our own directory.');
      if (await isMemberNow(deps.db, userId, group.id)) {
        throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
      }
      await addMembership(deps, ctx, userId, group.id, null);
      return { status: 204 };
    },
  }),
  endpoint({
    method: 'delete',
    path: '/groups/{id}/members/{memberId}/$ref',
    operationId: 'groups.members.remove',
    summary: 'Remove a member from a group',
    tag: 'Groups',
    scopes: ['GroupMember.ReadWrite.All'],
    params: groupMember,
    responses: { 204: { description: 'Removed.' } },
    async handle({ params, deps, ctx }) {
      const group = await findGroup(deps.db, params.id);
      if (!group) throw notFoundApi(`Group '${params.id}'`);
      if (!(await isMemberNow(deps.db, params.memberId, group.id))) {
        throw notFoundApi(`Member '${params.memberId}' of group '${params.id}'`);
      }
      const user = await findDirectoryUser(deps.db, params.memberId);
      if (user?.user_type !== 'guest') throw new ApiError(400, 'Request_BadRequest', 'Only guests are managed here.');
      await removeMembership(deps, ctx, params.memberId, group.id);
      return { status: 204 };
    },
  }),
];
