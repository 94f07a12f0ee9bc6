/**
 * CSV cells safe to open in a spreadsheet: a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or
 * a carriage return first) is written with a leading apostrophe, so it shows as text (OWASP's CSV injection advice).
 * A plain negative number stays a number. Used by the service's CSV answers and the console's exports alike; the
 * quoting itself is csv-stringify's.
 */
export function spreadsheetSafe(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
}
