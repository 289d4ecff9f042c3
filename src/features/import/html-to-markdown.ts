// Owns turning imported HTML (Stack Exchange post bodies) into Markdown that members can edit like their own.
// The result is still untrusted: callers render it with renderMarkdown(), whose sanitizer has the last word.
import TurndownService from 'turndown';

// Elements whose content must not survive as text.
const DROPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'TEXTAREA', 'SELECT', 'HEAD', 'TITLE']);

const SAFE_LINK = /^(https?:|mailto:|\/|#)/i;
// Stack Exchange image hosts that also serve https (old posts link them over http, which our sanitizer drops).
const HTTPS_HOSTS = /^http:\/\/(i\.stack\.imgur\.com|i\.sstatic\.net)\//i;

function createService(): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '*',
    strongDelimiter: '**',
    hr: '---',
    linkStyle: 'inlined',
  });
  service.remove((node) => DROPPED.has(node.nodeName.toUpperCase()));

  // Markdown escaping of turndown, plus what would otherwise be read back as HTML or as an entity:
  // a post that *talks about* `<br>` or `&copy;` must keep saying it.
  const escapeMarkdown = service.escape.bind(service);
  service.escape = (text: string) =>
    escapeMarkdown(text)
      .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
      .replace(/</g, '&lt;');

  // Links with a scheme we would never render (javascript:, data:…) keep only their text.
  service.addRule('unsafeLink', {
    filter: (node) => node.nodeName === 'A' && !!node.getAttribute('href') && !SAFE_LINK.test((node.getAttribute('href') ?? '').trim()),
    replacement: (content) => content,
  });
  service.addRule('image', {
    filter: 'img',
    replacement: (_content, node) => {
      const element = node as HTMLElement;
      const src = (element.getAttribute('src') ?? '').trim().replace(HTTPS_HOSTS, 'https://$1/');
      if (!/^https?:\/\//i.test(src)) return '';
      const alt = (element.getAttribute('alt') ?? '').replace(/[[\]\\]/g, '\\$&').replace(/\s+/g, ' ');
      const title = element.getAttribute('title');
      const titlePart = title ? ` "${title.replace(/"/g, '\\"').replace(/\s+/g, ' ')}"` : '';
      return `![${alt}](${src.replace(/[()\s]/g, encodeURIComponent)}${titlePart})`;
    },
  });
  // <strike>/<s>/<del> → GFM strikethrough (turndown's core knows none of them).
  service.addRule('strikethrough', {
    filter: ['del', 's', 'strike'] as TurndownService.Filter,
    replacement: (content) => (content.trim() ? `~~${content}~~` : content),
  });
  return service;
}

let service: TurndownService | undefined;

/** Markdown for an HTML fragment; empty for an empty fragment. */
export function htmlToMarkdown(html: string): string {
  if (!html.trim()) return '';
  service ??= createService();
  return service
    .turndown(html)
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
