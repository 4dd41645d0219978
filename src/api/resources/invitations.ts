// POST /invitations, as Microsoft Graph's invitation resource.
import { z } from 'zod';
import { endpoint } from '../endpoint.ts';
import { EMAIL_RE } from '../../domain/validation.ts';
import { inviteThroughApi } from '../../commands/inviteThroughApi.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { grants } from '../../domain/scopes.ts';
import { t } from '../../i18n/t.ts';
import { ApiError } from '../errors.ts';

const email = z.string().trim().max(320).regex(EMAIL_RE, 'must be an e-mail address');

const body = z
  .object({
    invitedUserEmailAddress: email.meta({ description: 'Who is invited.' }),
    inviteRedirectUrl: z
      .string()
      .max(2000)
      .url('must be an absolute URL')
      .meta({ description: 'Where the guest lands after redeeming: this portal or an application of the catalog.' }),
    invitedUserDisplayName: z.string().trim().max(200).optional(),
    invitedUserType: z
      .enum(['Guest', 'Member'])
      .default('Guest')
      .refine((v) => v === 'Guest', 'only Guest can be invited; members come from our own identity provider'),
    sendInvitationMessage: z.boolean().default(false).meta({ description: 'Mail the invitation (default false: hand inviteRedeemUrl over yourself).' }),
    invitedUserMessageInfo: z
      .object({
        customizedMessageBody: z.string().max(2000).optional(),
        ccRecipients: z
          .array(z.object({ emailAddress: z.object({ address: email, name: z.string().max(200).optional() }) }))
          .max(10)
          .optional(),
        messageLanguage: z
          .string()
          .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en-US')
          .optional()
          .meta({ description: 'The language of the invitation mail: en or fr (fr-FR, fr-CA… count as fr). Another language, or none: the guest’s own choice, else their organization’s language, else the default language.' }),
      })
      .strict()
      .optional(),
    resetRedemption: z
      .boolean()
      .default(false)
      .meta({ description: 'Reset the redemption of the guest invitedUser.id (also needs the scope User.ReadWrite.All). Refused for a disabled or removed guest.' }),
    invitedUser: z.object({ id: z.string().regex(/^[1-9]\d{0,9}$/, 'is not a user id') }).optional(),
  })
  .strict()
  .meta({ id: 'invitationCreate' });

const invitation = z
  .object({
    '@odata.context': z.string(),
    id: z.string(),
    inviteRedeemUrl: z.string(),
    inviteRedirectUrl: z.string(),
    invitedUserDisplayName: z.string(),
    invitedUserEmailAddress: z.string(),
    invitedUserType: z.literal('Guest'),
    sendInvitationMessage: z.boolean(),
    resetRedemption: z.boolean(),
    status: z.enum(['PendingAcceptance', 'Completed']),
    invitedUser: z.object({ id: z.string() }),
    invitedUserMessageInfo: z.object({
      customizedMessageBody: z.string().nullable(),
      messageLanguage: z.string().nullable(),
      ccRecipients: z.array(z.object({ emailAddress: z.object({ address: z.string(), name: z.string().nullable() }) })),
    }),
  })
  .meta({ id: 'invitation', description: 'Graph invitation. inviteRedeemUrl is shown once; only its hash is kept.' });

export const invitationEndpoints = [
  endpoint({
    method: 'post',
    path: '/invitations',
    operationId: 'invitations.create',
    summary: 'Invite a guest',
    description:
      'Creates the guest (or finds the existing one by e-mail) and an invitation. Inviting an existing guest returns the same user; one who already redeemed gets status Completed. With resetRedemption and invitedUser.id, the guest’s redemption is reset and they redeem again, possibly at a new address: this needs the scope User.ReadWrite.All as well (403 without it), is refused for a disabled or removed guest (409), and mails the guest’s previous address and sponsors when the guest had redeemed or the address changes.',
    tag: 'Invitations',
    scopes: ['User.Invite.All'],
    body,
    responses: { 201: { description: 'The invitation.', schema: invitation } },
    async handle({ body: b, deps, ctx, client, base }) {
      // A reset unbinds the guest's identity and may move the invitation to an address the caller
      // controls: taking over the account and its memberships. Inviting is not enough for that.
      if (b.resetRedemption && !grants(client.scopes, 'User.ReadWrite.All')) {
        await recordRefusal(deps.db, ctx, 'api.authorize', b.invitedUser ? `user:${b.invitedUser.id}` : '/invitations', 'resetRedemption needs User.ReadWrite.All');
        throw new ApiError(403, 'Authorization_RequestDenied', t('api.resetNeedsScope'), { 'WWW-Authenticate': 'Bearer realm="passerelle", error="insufficient_scope"' });
      }
      const info = b.invitedUserMessageInfo;
      const r = await inviteThroughApi(deps, ctx, client, {
        email: b.invitedUserEmailAddress,
        redirectUrl: b.inviteRedirectUrl,
        displayName: b.invitedUserDisplayName ?? null,
        sendMail: b.sendInvitationMessage,
        message: info?.customizedMessageBody?.trim() || null,
        cc: [...new Set((info?.ccRecipients ?? []).map((c) => c.emailAddress.address.toLowerCase()))],
        resetRedemption: b.resetRedemption,
        invitedUserId: b.invitedUser ? Number(b.invitedUser.id) : null,
        messageLanguage: info?.messageLanguage ?? null,
      });
      const portal = base.replace(/\/v1\.0$/, '');
      return {
        status: 201,
        body: {
          '@odata.context': `${base}/$metadata#invitations/$entity`,
          id: String(r.invitationId),
          inviteRedeemUrl: r.linkToken ? `${portal}/redeem/${r.linkToken}` : `${portal}/access`,
          inviteRedirectUrl: b.inviteRedirectUrl,
          invitedUserDisplayName: r.displayName,
          invitedUserEmailAddress: r.email,
          invitedUserType: 'Guest',
          sendInvitationMessage: b.sendInvitationMessage,
          resetRedemption: b.resetRedemption,
          status: r.status,
          invitedUser: { id: String(r.userId) },
          invitedUserMessageInfo: {
            customizedMessageBody: info?.customizedMessageBody ?? null,
            messageLanguage: info?.messageLanguage ?? null,
            ccRecipients: (info?.ccRecipients ?? []).map((c) => ({ emailAddress: { address: c.emailAddress.address, name: c.emailAddress.name ?? null } })),
          },
        },
      };
    },
  }),
];
