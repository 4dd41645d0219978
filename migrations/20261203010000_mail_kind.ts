import type { Knex } from 'knex';

// What a stored message carries that the mail worker mints when it leaves (a redeem link for an
// invitation, a sign-in code) is said in columns of its own. The worker used to read it from the
// shape of dedupe_key, so no other cause could be keyed "invitation:…" without an invitation's token
// being minted into it (and the link that invitation had been sent spent).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_messages', (t) => {
    t.string('kind', 16).notNullable().defaultTo('notice'); // invitation | code | notice
    t.integer('reference').nullable(); // the invitation's or the one-time code's id
  });
  // Existing rows, as the worker read them: "invitation:12" and its resends "invitation:12:resend:…",
  // and "code:7".
  if (knex.client.config.client === 'pg') {
    await knex.raw(
      `update mail_messages set kind = 'invitation', reference = substring(dedupe_key from '^invitation:([0-9]+)')::integer
       where dedupe_key ~ '^invitation:[0-9]+(:|$)'`,
    );
    await knex.raw(`update mail_messages set kind = 'code', reference = substring(dedupe_key from '^code:([0-9]+)$')::integer where dedupe_key ~ '^code:[0-9]+$'`);
  } else {
    // SQLite has no regular expressions: the digits are what follows the prefix up to the next ':'.
    const afterPrefix = `substr(dedupe_key, ${'invitation:'.length + 1})`;
    const digits = `(case instr(${afterPrefix}, ':') when 0 then ${afterPrefix} else substr(${afterPrefix}, 1, instr(${afterPrefix}, ':') - 1) end)`;
    await knex.raw(
      `update mail_messages set kind = 'invitation', reference = cast(${digits} as integer)
       where dedupe_key glob 'invitation:[0-9]*' and ${digits} not glob '*[^0-9]*'`,
    );
    const code = `substr(dedupe_key, ${'code:'.length + 1})`;
    await knex.raw(`update mail_messages set kind = 'code', reference = cast(${code} as integer) where dedupe_key glob 'code:[0-9]*' and ${code} not glob '*[^0-9]*'`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_messages', (t) => {
    t.dropColumn('reference');
    t.dropColumn('kind');
  });
}
