// Units of member text: Markdown to safe HTML, HTML to plain text, excerpts, slugs and language guessing.
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/lib/language.ts';
import { excerpt, htmlToText, LINK_REL, renderMarkdown } from '../../src/lib/markdown.ts';
import { slugify } from '../../src/lib/slug.ts';

/** Every start tag of an HTML fragment, with its attributes (the sanitizer's output quotes and escapes them). */
function startTags(html: string): { name: string; attributes: Record<string, string> }[] {
  const tags: { name: string; attributes: Record<string, string> }[] = [];
  for (const match of html.matchAll(/<([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const attribute of match[2].matchAll(/([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      attributes[attribute[1].toLowerCase()] = (attribute[2] ?? '').replace(/^["']|["']$/g, '');
    }
    tags.push({ name: match[1].toLowerCase(), attributes });
  }
  return tags;
}

describe('renderMarkdown: what Markdown gives', () => {
  it.each([
    ['**bold** and *italic* and `code`', '<p><strong>bold</strong> and <em>italic</em> and <code>code</code></p>'],
    ['~~gone~~', '<p><del>gone</del></p>'],
    ['> quoted', '<blockquote>\n<p>quoted</p>\n</blockquote>'],
    ['- one\n- two', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>'],
    ['5. five\n6. six', '<ol start="5">\n<li>five</li>\n<li>six</li>\n</ol>'],
    ['line  \nbreak', '<p>line<br />break</p>'],
    ['---', '<hr />'],
    ['<kbd>Ctrl</kbd>+<kbd>C</kbd>, x<sup>2</sup>, H<sub>2</sub>O', '<p><kbd>Ctrl</kbd>+<kbd>C</kbd>, x<sup>2</sup>, H<sub>2</sub>O</p>'],
  ])('%j', (markdown, html) => {
    expect(renderMarkdown(markdown)).toBe(html);
  });

  it('shifts headings down so that a post never has an h1 (the page owns it)', () => {
    expect(renderMarkdown('# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six')).toBe(
      '<h2>One</h2>\n<h3>Two</h3>\n<h4>Three</h4>\n<h5>Four</h5>\n<h6>Five</h6>\n<h6>Six</h6>',
    );
    expect(renderMarkdown('<h1>raw</h1><h2>raw</h2>')).toBe('<h2>raw</h2><h3>raw</h3>');
    expect(renderMarkdown('# a\n\n<h1>b</h1>')).not.toContain('<h1');
  });

  it('drops unknown wrappers but keeps their text, so an unclosed <svg> or <math> cannot swallow the rest of a post', () => {
    expect(renderMarkdown('<svg>\n\nThe rest of the post.')).toContain('The rest of the post.');
    expect(renderMarkdown('<math>\n\nStill here.')).toContain('Still here.');
    expect(renderMarkdown('<div><span>inner text</span></div>')).toContain('inner text');
    // ...while the text of script-like elements goes with them.
    expect(renderMarkdown('<script>var secret = 1;</script>')).toBe('');
    expect(renderMarkdown('<style>p { color: red }</style>')).toBe('');
  });

  it('keeps GFM tables with their alignment', () => {
    const html = renderMarkdown('| a | b |\n|:-|-:|\n| 1 | 2 |');
    expect(html).toContain('<table>');
    expect(html).toContain('<th align="left">a</th>');
    expect(html).toContain('<td align="right">2</td>');
  });

  it('keeps fenced and indented code blocks, with the language class and the code shown as text', () => {
    expect(renderMarkdown('```js\nconst a = 1 < 2 && "x";\n```')).toBe('<pre><code class="language-js">const a = 1 &lt; 2 &amp;&amp; "x";\n</code></pre>');
    expect(renderMarkdown('    indented();')).toBe('<pre><code>indented();\n</code></pre>');
    expect(renderMarkdown('```html\n<script>alert(1)</script>\n```')).toBe('<pre><code class="language-html">&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>');
    expect(renderMarkdown('`<img src=x onerror=alert(1)>`')).toBe('<p><code>&lt;img src=x onerror=alert(1)&gt;</code></p>');
  });

  it('keeps only language-* classes on code, and no other class, style or id anywhere', () => {
    expect(renderMarkdown('<pre><code class="hljs language-js evil">x</code></pre>')).toBe('<pre><code class="language-js">x</code></pre>');
    expect(renderMarkdown('<p style="color:red" class="x" id="y">s</p>')).toBe('<p>s</p>');
  });
});

describe('renderMarkdown: links', () => {
  it.each([
    ['[docs](https://example.com/a?b=1&c=2)', 'https://example.com/a?b=1&amp;c=2'],
    ['[plain](http://example.com)', 'http://example.com'],
    ['[mail](mailto:help@example.com)', 'mailto:help@example.com'],
    ['<https://example.com/auto>', 'https://example.com/auto'],
    ['https://bare.example.com', 'https://bare.example.com'],
    ['www.example.com', 'http://www.example.com'],
    ['help@example.com', 'mailto:help@example.com'],
    ['<a href="HTTPS://EXAMPLE.COM">x</a>', 'HTTPS://EXAMPLE.COM'],
    ['<a href="/questions/1">relative</a>', '/questions/1'],
  ])('%j keeps its href, with rel="nofollow ugc noopener"', (markdown, href) => {
    const html = renderMarkdown(markdown);
    expect(html).toContain(`href="${href}"`);
    expect(html).toContain(`rel="${LINK_REL}"`);
    expect(LINK_REL).toBe('nofollow ugc noopener');
  });

  it('replaces whatever rel or target a member wrote', () => {
    const html = renderMarkdown('<a href="https://example.com" target="_blank" rel="opener">x</a>');
    expect(html).toBe('<p><a href="https://example.com" rel="nofollow ugc noopener">x</a></p>');
  });

  it('keeps a link title', () => {
    expect(renderMarkdown('[x](https://example.com "The title")')).toBe('<p><a href="https://example.com" title="The title" rel="nofollow ugc noopener">x</a></p>');
  });

  it.each([
    '[a](javascript:alert(1))',
    '[a](JaVaScRiPt:alert(1))',
    '[a](&#106;avascript:alert(1))',
    '[a](javascript&colon;alert(1))',
    '[a](<javascript:alert(1)>)',
    '[a][ref]\n\n[ref]: javascript:alert(1)',
    '[a](vbscript:msgbox(1))',
    '[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[a](file:///etc/passwd)',
    '<a href="  javascript:alert(1)">a</a>',
    '<a href="java&#x09;script:alert(1)">a</a>',
    '<a href="java\nscript:alert(1)">a</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">a</a>',
    '<a href="javascript&#58;alert(1)">a</a>',
    '<a href="//evil.example.com">a</a>',
    '<a href="data:text/html,<script>alert(1)</script>">a</a>',
  ])('%j loses its href but keeps its text', (markdown) => {
    const html = renderMarkdown(markdown);
    for (const tag of startTags(html)) expect(tag.attributes.href, html).toBeUndefined();
    expect(html).not.toMatch(/javascript:|vbscript:|data:|file:/i);
    expect(html).toContain('a');
  });

  it('shows an autolink to javascript: as text, never as a link', () => {
    const html = renderMarkdown('<javascript:alert(1)>');
    for (const tag of startTags(html)) expect(tag.attributes.href).toBeUndefined();
  });
});

describe('renderMarkdown: images', () => {
  it('keeps https images, lazily loaded, with their alt and title', () => {
    expect(renderMarkdown('![a router](https://example.com/r.png "Router")')).toBe(
      '<p><img src="https://example.com/r.png" alt="a router" title="Router" loading="lazy" /></p>',
    );
  });

  it.each([
    '![i](http://example.com/x.png)',
    '<img src="http://example.com/x.png">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<img src="javascript:alert(1)">',
    '<img src="//example.com/x.png">',
    '<img src="/static/img/favicon.svg">',
    '<img src="x" onerror="alert(1)">',
    '<img>',
  ])('drops %j: images are https only', (markdown) => {
    const html = renderMarkdown(markdown);
    expect(html).not.toContain('<img');
  });

  it('drops every attribute but src, alt, title and loading', () => {
    const html = renderMarkdown('<img src="https://example.com/a.png" width="1" onload="x()" style="position:fixed">');
    expect(startTags(html)).toEqual([{ name: 'img', attributes: { src: 'https://example.com/a.png', loading: 'lazy' } }]);
  });
});

describe('renderMarkdown: raw HTML that must not survive', () => {
  const FORBIDDEN = /<(script|iframe|form|svg|math|xmp|object|embed|style|textarea|noscript|template|button|input|select|link|meta|base|frame|frameset|applet|video|audio|source|div|span)\b/i;

  it.each([
    ['<script>alert(1)</script>', 'alert'],
    ['<iframe srcdoc="<script>alert(1)</script>"></iframe>', 'script'],
    ['<iframe src="https://evil.example.com"></iframe>', 'evil'],
    ['<form action="https://evil.example.com"><button formaction="javascript:alert(1)">go</button></form>', 'formaction'],
    ['<xmp><img src=x onerror=alert(1)></xmp>', 'onerror'],
    ['<math><mi><xmp></mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">', 'onerror'],
    ['<noscript><p title="</noscript><img src=x onerror=alert(1)>">', 'onerror'],
    ['<svg><script>alert(1)</script></svg>', 'alert'],
    ['<svg onload=alert(1)>', 'onload'],
    ['<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>', 'javascript'],
    ['<style>body{background:url(javascript:alert(1))}</style>', 'background'],
    ['<object data="javascript:alert(1)"></object>', 'javascript'],
    ['<embed src="javascript:alert(1)">', 'javascript'],
    ['<template><img src=x onerror=alert(1)></template>', 'onerror'],
    ['<textarea><img src=x onerror=alert(1)></textarea>', 'onerror'],
    ['<select><option><img src=x onerror=alert(1)></option></select>', 'onerror'],
    ['<!--<img src="--><img src=x onerror=alert(1)//">', 'onerror'],
    ['<base href="https://evil.example.com/">', 'evil'],
    ['<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', 'refresh'],
    ['<link rel="stylesheet" href="https://evil.example.com/x.css">', 'evil'],
    ['<p onclick="alert(1)" onmouseover="alert(2)">hi</p>', 'onclick'],
    ['<details open ontoggle=alert(1)>', 'ontoggle'],
    ['<a href="https://example.com" onfocus="alert(1)" autofocus>x</a>', 'onfocus'],
    ['<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">', 'onerror'],
    ['<math><mi><mglyph><svg><mtext><style><img src=x onerror=alert(1)></style>', 'onerror'],
    ['<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>', 'onerror'],
    ['<svg><foreignObject><p><img src=x onerror=alert(1)></p></foreignObject></svg>', 'onerror'],
    ['<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>', 'onerror'],
    ['<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>', 'onerror'],
    ['<noframes><p title="</noframes><img src=x onerror=alert(1)>">', 'onerror'],
    ['<textarea><p title="</textarea><img src=x onerror=alert(1)>">', 'onerror'],
    ['<title><p title="</title><img src=x onerror=alert(1)>">', 'onerror'],
    ['<svg><style><img src=x onerror=alert(1)></style></svg>', 'onerror'],
    ['<a href="https://example.com"><svg><a href="javascript:alert(1)">nested</a></svg></a>', 'javascript'],
  ])('%j', (markdown, marker) => {
    const html = renderMarkdown(markdown);
    expect(html).not.toMatch(FORBIDDEN);
    for (const tag of startTags(html)) {
      for (const [name, value] of Object.entries(tag.attributes)) {
        expect(name, html).not.toMatch(/^on/i);
        expect(name, html).not.toBe('style');
        expect(value, html).not.toMatch(/^\s*(javascript|vbscript|data):/i);
      }
    }
    // Whatever is left of the payload is inert text, never markup.
    if (html.includes(marker)) expect(html.replace(/&lt;[^]*?&gt;/g, '')).not.toMatch(new RegExp(`<[^>]*${marker}`, 'i'));
  });

  it('shows a broken tag as text', () => {
    expect(renderMarkdown('<img src=x onerror=alert(1)//')).toBe('<p>&lt;img src=x onerror=alert(1)//</p>');
  });
});

describe('htmlToText', () => {
  it('drops tags, decodes entities, separates blocks and collapses space', () => {
    expect(htmlToText('<p>a &amp; b</p><p>c &lt;d&gt;</p>')).toBe('a & b c <d>');
    expect(htmlToText('<ul><li>x</li><li>y</li></ul><pre><code>z\n\n  w</code></pre>')).toBe('x y z w');
    expect(htmlToText('&quot;q&quot; &#39;s&#x27; a&nbsp;b')).toBe('"q" \'s\' a b');
  });

  it('decodes &amp; last, so that an escaped entity stays literal text', () => {
    expect(htmlToText('<p>&amp;lt;script&amp;gt;</p>')).toBe('&lt;script&gt;');
  });

  it('gives the words of rendered Markdown', () => {
    expect(htmlToText(renderMarkdown('# Title\n\nSome **bold** [link](https://example.com).\n\n- one\n- two'))).toBe('Title Some bold link. one two');
  });

  it('is empty for empty input or markup alone', () => {
    expect(htmlToText('')).toBe('');
    expect(htmlToText('<p></p><hr />')).toBe('');
  });
});

describe('excerpt', () => {
  it('leaves a short text alone', () => {
    expect(excerpt('short text')).toBe('short text');
    expect(excerpt('x'.repeat(200))).toBe('x'.repeat(200));
  });

  it('cuts a long text at a word boundary and adds an ellipsis', () => {
    expect(excerpt('aaaa bbbb cccc dddd', 12)).toBe('aaaa bbbb…');
    const long = 'word '.repeat(100);
    const cut = excerpt(long);
    expect(cut.endsWith('word…')).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(201);
  });

  it('cuts inside a word when there is no space late enough', () => {
    expect(excerpt('a'.repeat(300))).toBe('a'.repeat(200) + '…');
    expect(excerpt('ab ' + 'c'.repeat(300), 100)).toBe('ab ' + 'c'.repeat(97) + '…');
  });
});

describe('slugify', () => {
  it.each([
    ['How do I reset my router?', 'how-do-i-reset-my-router'],
    ['¿Cómo configuro el router Wi-Fi?', 'como-configuro-el-router-wi-fi'],
    ['Ñandú & pingüino', 'nandu-pinguino'],
    ['  --Leading and trailing--  ', 'leading-and-trailing'],
    ['C++ vs C# in .NET 8', 'c-vs-c-in-net-8'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['!!!', 'question'],
    ['日本語のタイトル', 'question'],
    ['', 'question'],
  ])('%j → %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('stays within 80 characters, cutting at a dash', () => {
    const slug = slugify('word '.repeat(40));
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug).toMatch(/^word(-word)*$/);
    expect(slugify('a'.repeat(100))).toBe('a'.repeat(80));
    expect(slugify('ab cd ef', 5)).toBe('ab');
  });

  it('is always lower-case ASCII letters, digits and single inner dashes', () => {
    for (const title of ['ÀÉÎÕÜ çà et là', 'tab\there', 'emoji 😀 here', 'x'.repeat(500), 'a--b__c']) {
      expect(slugify(title)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});

describe('detectLanguage', () => {
  it.each([
    ['¿Cómo puedo configurar el router?', 'es'],
    ['No funciona la conexión después de la actualización', 'es'],
    ['How do I configure the router?', 'en'],
    ['The connection drops every evening after the update', 'en'],
    ['¡Ayuda!', 'es'],
  ])('%j → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('falls back on a tie or when there are no words', () => {
    expect(detectLanguage('')).toBe('en');
    expect(detectLanguage('', 'es')).toBe('es');
    expect(detectLanguage('12345 !!!', 'es')).toBe('es');
    expect(detectLanguage('router wifi', 'en')).toBe('en');
  });

  it('never throws on odd input', () => {
    for (const text of ['\u0000', '\ud800', '😀'.repeat(1000), 'a '.repeat(10_000)]) expect(['es', 'en']).toContain(detectLanguage(text));
  });
});
