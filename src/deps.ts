import type { Config } from './config.ts';
import type { Db } from './db/knex.ts';

/** What commands and job handlers need from the outside world; built once per process. */
export interface Deps {
  config: Config;
  db: Db;
}
