// Rewrites the `CocoaSecret:` value of a config file's text, keeping every other line, the key's
// indentation and its trailing comment: after `cocoasyncer secret rotate` the file holds the secret
// the node answers to, so the CLI (which signs with the file's secret) keeps working.

/**
 * The text with its top-level `CocoaSecret:` value replaced by `secret` (YAML double-quoted, so any
 * character is safe), or null when the text has no such line. Pure.
 */
export function replaceConfigSecret(text: string, secret: string): string | null {
  const line = /^(CocoaSecret[ \t]*:[ \t]*)((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^#\r\n]*?))([ \t]+#[^\r\n]*)?[ \t]*$/m;
  if (!line.test(text)) return null;
  return text.replace(line, (_m, key: string, _old: string, comment: string | undefined) => `${key}${JSON.stringify(secret)}${comment ?? ''}`);
}
