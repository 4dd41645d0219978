/** Field name → i18n key of what is wrong with it. */
export type FieldErrors = Record<string, string>;

/**
 * An admin form as its route parsed it. A save command takes it even when some fields are wrong,
 * so that what only the database can tell (a name already taken, a record gone) is reported
 * together with the rest, and the admin sees every problem at once.
 */
export interface Submitted<T> {
  /** Every field, parsed; null when any field is wrong. */
  value: T | null;
  /** The fields that parsed, each on its own. */
  partial: Partial<T>;
  /** What the form's own rules found wrong. */
  fields: FieldErrors;
}
