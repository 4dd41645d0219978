// Every user-facing string in English, one file per audience. Placeholders are {name}; the views
// escape the values.
import { a11y } from './en/a11y.ts';
import { admin } from './en/admin.ts';
import { adminHome } from './en/adminHome.ts';
import { appClients } from './en/appClients.ts';
import { api } from './en/api.ts';
import { appSignIn } from './en/appSignIn.ts';
import { auditLog } from './en/auditLog.ts';
import { choices } from './en/choices.ts';
import { invitationExpiry } from './en/invitationExpiry.ts';
import { demoClock } from './en/demoClock.ts';
import { reviews } from './en/reviews.ts';
import { common } from './en/common.ts';
import { languages } from './en/languages.ts';
import { scopes } from './en/scopes.ts';
import { mail } from './en/mail.ts';
import { mailTemplates } from './en/mailTemplates.ts';
import { partner } from './en/partner.ts';
import { leave } from './en/leave.ts';
import { expiry } from './en/expiry.ts';
import { staff } from './en/staff.ts';
import { questions } from './en/questions.ts';
import { stages } from './en/stages.ts';
import { requestTimeouts } from './en/requestTimeouts.ts';
import { lifecycleFixes } from './en/lifecycleFixes.ts';

export const en: Record<string, string> = {
  ...a11y,
  ...common,
  ...partner,
  ...leave,
  ...expiry,
  ...staff,
  ...admin,
  ...adminHome,
  ...appClients,
  ...api,
  ...mail,
  ...mailTemplates,
  ...appSignIn,
  ...auditLog,
  ...languages,
  ...scopes,
  ...choices,
  ...invitationExpiry,
  ...demoClock,
  ...reviews,
  ...questions,
  ...stages,
  ...requestTimeouts,
  ...lifecycleFixes,
};
