// Every user-facing string in French, one file per audience, the same keys as en.ts (a test checks).
// Written as a French product would say it, not word for word.
import { a11y } from './fr/a11y.ts';
import { admin } from './fr/admin.ts';
import { adminHome } from './fr/adminHome.ts';
import { appClients } from './fr/appClients.ts';
import { api } from './fr/api.ts';
import { appSignIn } from './fr/appSignIn.ts';
import { auditLog } from './fr/auditLog.ts';
import { choices } from './fr/choices.ts';
import { invitationExpiry } from './fr/invitationExpiry.ts';
import { demoClock } from './fr/demoClock.ts';
import { reviews } from './fr/reviews.ts';
import { common } from './fr/common.ts';
import { languages } from './fr/languages.ts';
import { scopes } from './fr/scopes.ts';
import { mail } from './fr/mail.ts';
import { mailTemplates } from './fr/mailTemplates.ts';
import { partner } from './fr/partner.ts';
import { leave } from './fr/leave.ts';
import { expiry } from './fr/expiry.ts';
import { staff } from './fr/staff.ts';
import { questions } from './fr/questions.ts';
import { stages } from './fr/stages.ts';
import { requestTimeouts } from './fr/requestTimeouts.ts';
import { lifecycleFixes } from './fr/lifecycleFixes.ts';

export const fr: Record<string, string> = {
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
