// Just enough XML writing for BBB's flat responses. Children are pre-rendered strings, text is escaped.

export type XmlContent = string | number | boolean | readonly string[];

// The same entities as FreeMarker's XML auto-escaping in the server templates.
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

export function el(name: string, content: XmlContent = ''): string {
  const inner = Array.isArray(content) ? content.join('') : escapeXml(String(content));
  return `<${name}>${inner}</${name}>`;
}

// BBB answers FAILED with HTTP 200 and no XML declaration (api-error.ftlx).
export function failedXml(messageKey: string, message: string): string {
  return el('response', [el('returncode', 'FAILED'), el('messageKey', messageKey), el('message', message)]);
}

export function successXml(children: readonly string[]): string {
  return el('response', [el('returncode', 'SUCCESS'), ...children]);
}
