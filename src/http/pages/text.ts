// Escaping for everything the pages put into HTML, SVG and inline <script> data.

/** Characters XML 1.0 forbids even as references (C0 controls but tab/newline/CR, lone surrogates,
 *  U+FFFE/U+FFFF), plus DEL and the C1 controls it discourages: replaced so a hostile name cannot
 *  break a document. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that can sit inside <script type="application/json"> without ending it or opening a comment:
 *  `<`, `>` and `&` become \u escapes (still the same JSON), as do the JS line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
