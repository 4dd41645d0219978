/** A message as the demo mail catcher parsed it, for the tests and the mail viewer. */
export interface CapturedMail {
  id: number;
  /** The From header as written, e.g. `Passerelle <no-reply@example.test>`. */
  from: string;
  /** Lower-case addresses from the To header (envelope recipients if there is no To header). */
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  /** When the catcher received the message (ISO 8601). */
  date: string;
  /** Decoded header values by lower-case name; repeated headers are joined with newlines. */
  headers: Record<string, string>;
}
