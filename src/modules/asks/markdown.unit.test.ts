import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

/** Every href the HTML carries. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
}

function assertSafe(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  // An event handler attribute would sit inside a tag; escaped text outside tags is harmless.
  expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  for (const href of hrefs(html)) expect(href).toMatch(/^(https?:\/\/|mailto:)/i);
}

describe('renderMarkdown', () => {
  it('keeps ordinary formatting', () => {
    expect(renderMarkdown('**bold** and _em_\n\n- one\n- two')).toBe('<p><strong>bold</strong> and <em>em</em></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n');
  });

  it('escapes raw HTML instead of passing it through', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<b onclick="x()">hi</b>');
    assertSafe(html);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('refuses javascript:, data:, relative and protocol-relative links', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', '/admin', '//evil.example/x', 'java\tscript:x']) {
      const html = renderMarkdown(`[x](${url})`);
      expect(html, url).not.toContain('<a');
    }
  });

  it('marks every link nofollow noopener noreferrer, autolinks included', () => {
    const html = renderMarkdown('[a](https://a.example) <https://b.example> see https://c.example/x mail@d.org');
    const anchors = html.match(/<a [^>]*>/g) ?? [];
    expect(anchors).toHaveLength(4);
    for (const a of anchors) expect(a).toContain('rel="nofollow noopener noreferrer"');
    expect(hrefs(html)).toEqual(['https://a.example', 'https://b.example', 'https://c.example/x', 'mailto:mail@d.org']);
  });

  it('turns images into plain links so that nothing loads from other hosts', () => {
    const html = renderMarkdown('![a pixel](https://tracker.example/p.gif)');
    expect(html).not.toContain('<img');
    expect(html).toContain('<a href="https://tracker.example/p.gif" rel="nofollow noopener noreferrer">a pixel</a>');
  });

  it('never yields a script, an event handler or a non-http(s)/mailto link, whatever the input', () => {
    const pieces = fc.constantFrom(
      '<script>',
      '</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:x">',
      'javascript:alert(1)',
      '[x](',
      '](javascript:alert(1))',
      '![i](',
      ')',
      '<',
      '>',
      '"',
      "'",
      ' onload=',
      'data:text/html;base64,PHNjcmlwdD4=',
      '&#106;avascript:',
      '\n\n',
      '`',
      '**',
      'https://ok.example',
      'mailto:a@b.example',
      '<https://x.example>',
      '[ref]: javascript:x\n',
      '[ref]',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 30 }), (parts) => {
        assertSafe(renderMarkdown(parts.join('')));
      }),
      { numRuns: 500 },
    );
  });
});
