// Every migration, in order, imported statically so that the bundle in dist/ carries them too.
// knex records each by its name here (the file's name, as when it read the directory), so databases
// migrated before this list existed see nothing new. A unit test checks the list against the folder.
import type { Knex } from 'knex';
import * as initial from './20261127000000_initial.ts';
import * as adminConsole from './20261127010000_admin_console.ts';
import * as reliability from './20261127020000_reliability.ts';
import * as invitationApi from './20261127030000_invitation_api.ts';
import * as auditCheckpoints from './20261203000000_audit_checkpoints.ts';
import * as mailKind from './20261203010000_mail_kind.ts';
import * as appSignIn from './20261204000000_app_sign_in.ts';
import * as languages from './20261205000000_languages.ts';
import * as auditVerifications from './20261205010000_audit_verifications.ts';
import * as mailTemplates from './20261205020000_mail_templates.ts';
import * as requestChoices from './20261205030000_request_choices.ts';
import * as requestLifecycle from './20261206000000_request_lifecycle.ts';
import * as requestTimeouts from './20261206010000_request_timeouts.ts';
import * as requestQuestions from './20261206020000_request_questions.ts';
import * as approvalStages from './20261206030000_approval_stages.ts';
import * as membershipLifecycle from './20261206040000_membership_lifecycle.ts';
import * as accessReviews from './20261206050000_access_reviews.ts';
import * as stageDeciders from './20261206060000_stage_deciders.ts';

export interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: [name: string, migration: Migration][] = [
  ['20261127000000_initial.ts', initial],
  ['20261127010000_admin_console.ts', adminConsole],
  ['20261127020000_reliability.ts', reliability],
  ['20261127030000_invitation_api.ts', invitationApi],
  ['20261203000000_audit_checkpoints.ts', auditCheckpoints],
  ['20261203010000_mail_kind.ts', mailKind],
  ['20261204000000_app_sign_in.ts', appSignIn],
  ['20261205000000_languages.ts', languages],
  ['20261205010000_audit_verifications.ts', auditVerifications],
  ['20261205020000_mail_templates.ts', mailTemplates],
  ['20261205030000_request_choices.ts', requestChoices],
  ['20261206000000_request_lifecycle.ts', requestLifecycle],
  ['20261206010000_request_timeouts.ts', requestTimeouts],
  ['20261206020000_request_questions.ts', requestQuestions],
  ['20261206030000_approval_stages.ts', approvalStages],
  ['20261206040000_membership_lifecycle.ts', membershipLifecycle],
  ['20261206050000_access_reviews.ts', accessReviews],
  ['20261206060000_stage_deciders.ts', stageDeciders],
];
